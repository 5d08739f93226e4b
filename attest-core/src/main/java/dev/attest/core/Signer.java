package dev.attest.core;

import java.security.PublicKey;

/**
 * Signs bytes with a private key the caller may never see, so that in-memory keys, KMS and HSM
 * implementations are interchangeable. {@link Keys#signer} gives the in-memory ECDSA P-256
 * implementation.
 *
 * <p>Implementations sign the message itself (hashing it as their algorithm requires, SHA-256 for
 * ECDSA P-256) and return the signature in the encoding Sigstore uses: ASN.1 DER for ECDSA.
 */
public interface Signer {

  /** Signs {@code message}; for ECDSA P-256, SHA-256 then a DER-encoded signature. */
  byte[] sign(byte[] message) throws SigningException;

  /** The public key that verifies this signer's signatures. */
  PublicKey publicKey();

  /**
   * The Sigstore bundle key hint, by default {@link Keys#hint(PublicKey)} of {@link #publicKey()}.
   */
  default String hint() {
    return Keys.hint(publicKey());
  }
}
