/**
 * Test fixtures shared with other modules through attest-verify's test-jar: an in-memory Sigstore
 * (CA, CT log, transparency log) and its trusted root.
 */
@NullMarked
package dev.attest.verify.testing;

import org.jspecify.annotations.NullMarked;
