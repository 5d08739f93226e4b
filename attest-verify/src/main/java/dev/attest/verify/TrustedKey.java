package dev.attest.verify;

import dev.attest.core.BoundedReads;
import dev.attest.core.InvalidContentException;
import dev.attest.core.Pem;
import dev.attest.core.TooLargeException;
import dev.attest.verify.internal.PemKeys;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * A trusted public key, kept as its DER {@code SubjectPublicKeyInfo} bytes, as in a PEM {@code
 * PUBLIC KEY} block or a {@code cosign.pub} file. The key is checked with {@link
 * java.security.KeyFactory} (EC, RSA or Ed25519) when the value is made.
 *
 * @param spki the DER SubjectPublicKeyInfo
 * @param algorithm the JCA key algorithm the bytes parsed as: {@code EC}, {@code RSA} or {@code
 *     Ed25519}
 */
public record TrustedKey(byte[] spki, String algorithm) {

  /** Validates the key: an X.509 SubjectPublicKeyInfo of a supported algorithm. */
  public TrustedKey {
    Objects.requireNonNull(spki, "spki");
    Objects.requireNonNull(algorithm, "algorithm");
    spki = spki.clone();
    String parsed = PemKeys.publicKeyAlgorithm(spki);
    if (!parsed.equals(algorithm)) {
      throw new IllegalArgumentException(
          "public key is " + parsed + ", not " + algorithm);
    }
  }

  /** The key in a SubjectPublicKeyInfo DER encoding, of any supported algorithm. */
  public static TrustedKey ofSpki(byte[] spki) {
    return new TrustedKey(spki, PemKeys.publicKeyAlgorithm(spki));
  }

  /**
   * The key in PEM text holding exactly one {@code PUBLIC KEY} block.
   *
   * @throws IllegalArgumentException if the text is not one PEM public key of a supported type
   */
  public static TrustedKey fromPem(String pem) {
    try {
      return ofSpki(Pem.readSingle(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII), "PUBLIC KEY", "public key"));
    } catch (InvalidContentException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** The key in a PEM file such as {@code cosign.pub}. */
  public static TrustedKey load(Path path) throws IOException {
    byte[] bytes;
    try {
      bytes = BoundedReads.readFile(path, 64 * 1024, path.toString());
    } catch (TooLargeException e) {
      throw new IOException(path + ": larger than 64 KiB, not a public key file", e);
    }
    try {
      return fromPem(new String(bytes, java.nio.charset.StandardCharsets.US_ASCII));
    } catch (IllegalArgumentException e) {
      throw new IOException(path + ": " + e.getMessage(), e);
    }
  }

  /** A copy of the DER SubjectPublicKeyInfo. */
  @Override
  public byte[] spki() {
    return spki.clone();
  }

  /** The key as a JCA {@link java.security.PublicKey} of its {@link #algorithm()}. */
  public java.security.PublicKey publicKey() {
    try {
      return java.security.KeyFactory.getInstance(algorithm)
          .generatePublic(new java.security.spec.X509EncodedKeySpec(spki));
    } catch (java.security.GeneralSecurityException e) {
      // The constructor parsed the same bytes with the same algorithm.
      throw new IllegalStateException("trusted key no longer parses: " + e.getMessage(), e);
    }
  }

  /** The key as PEM text, {@code -----BEGIN PUBLIC KEY-----} with 64-character lines. */
  public String toPem() {
    return Pem.encode("PUBLIC KEY", spki);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrustedKey k && Arrays.equals(spki, k.spki) && algorithm.equals(k.algorithm);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(spki);
  }

  @Override
  public String toString() {
    return "TrustedKey[" + algorithm + ", " + dev.attest.core.Digest.sha256(spki).shortForm() + "]";
  }
}
