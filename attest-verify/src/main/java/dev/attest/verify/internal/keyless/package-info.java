/**
 * Keyless (Fulcio certificate) Sigstore bundle verification: a fail-closed wrapper around
 * sigstore-java that closes its known gaps. Not an API, and may change without notice.
 */
@NullMarked
package dev.attest.verify.internal.keyless;

import org.jspecify.annotations.NullMarked;
