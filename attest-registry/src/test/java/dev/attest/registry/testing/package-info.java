/**
 * Test fixtures shared with other modules through the test-jar: a real distribution 2.8.2
 * registry process and a distribution-compatible token server.
 */
@NullMarked
package dev.attest.registry.testing;

import org.jspecify.annotations.NullMarked;
