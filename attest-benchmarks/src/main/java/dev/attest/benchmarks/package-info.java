/**
 * Benchmarks of the registry client (not a published module): see {@code docs/benchmarks.md} and
 * {@code scripts/bench-registry}.
 */
@NullMarked
package dev.attest.benchmarks;

import org.jspecify.annotations.NullMarked;
