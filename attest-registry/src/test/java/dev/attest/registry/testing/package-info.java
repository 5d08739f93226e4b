/** Test fixtures for registry tests: a distribution-compatible token server. */
@NullMarked
package dev.attest.registry.testing;

import org.jspecify.annotations.NullMarked;
