/** Test fixtures for other modules' tests: a real distribution 2.8.2 registry process. */
@NullMarked
package dev.attest.registry.testing;

import org.jspecify.annotations.NullMarked;
