/**
 * The attest core API: digests, image references, the OCI content model, in-toto statements,
 * DSSE envelopes, predicates, keys and Sigstore bundles. Nothing in this package touches the
 * network.
 *
 * <p>Values are immutable records that validate in their constructors. Everything that is
 * hashed or signed is kept as the exact raw bytes it was read from.
 */
@NullMarked
package dev.attest.core;

import org.jspecify.annotations.NullMarked;
