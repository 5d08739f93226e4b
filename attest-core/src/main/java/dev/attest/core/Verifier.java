package dev.attest.core;

/**
 * Checks a signature over bytes. {@link Keys#verifier} gives the ECDSA P-256 implementation;
 * other implementations (a KMS, a certificate's key) plug in here.
 */
public interface Verifier {

  /**
   * Whether {@code signature} is a valid signature of {@code message}. A malformed signature is
   * {@code false}, not an exception.
   *
   * @throws SigningException only when the check itself cannot be carried out (a remote verifier
   *     that cannot be reached)
   */
  boolean verify(byte[] message, byte[] signature) throws SigningException;
}
