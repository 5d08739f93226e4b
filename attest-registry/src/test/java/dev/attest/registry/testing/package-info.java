<<<<<<< HEAD
/** Test fixtures for registry tests: a distribution-compatible token server. */
=======
/** Test fixtures for other modules' tests: a real distribution 2.8.2 registry process. */
>>>>>>> h/reg-client
@NullMarked
package dev.attest.registry.testing;

import org.jspecify.annotations.NullMarked;
