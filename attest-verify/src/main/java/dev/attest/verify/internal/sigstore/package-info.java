/**
 * Sigstore verification primitives in pure JDK 17: the trusted root
 * (https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_trustedroot.proto),
 * Sigstore's signature algorithm registry, DER, X.509 chains (RFC 5280), embedded SCTs
 * (RFC 6962) and RFC 3161 timestamps. No BouncyCastle at runtime. Not an API, and may change
 * without notice.
 */
@NullMarked
package dev.attest.verify.internal.sigstore;

import org.jspecify.annotations.NullMarked;
