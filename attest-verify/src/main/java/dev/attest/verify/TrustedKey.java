package dev.attest.verify;

import dev.attest.core.BoundedReads;
import dev.attest.core.InvalidContentException;
import dev.attest.core.Pem;
import dev.attest.core.TooLargeException;
import dev.attest.verify.internal.PemKeys;
import dev.attest.verify.internal.sigstore.SignatureAlgorithm;
import dev.attest.verify.internal.sigstore.VerificationFailure;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A trusted public key, kept as its DER {@code SubjectPublicKeyInfo} bytes, as in a PEM {@code
 * PUBLIC KEY} block or a {@code cosign.pub} file. The key is checked with {@link
 * java.security.KeyFactory} (EC, RSA or Ed25519) when the value is made.
 *
 * <p>The key's signing algorithm may be named ({@code keyDetails}, a protobuf-specs {@code
 * PublicKeyDetails} name such as {@code PKIX_RSA_PSS_3072_SHA256} or {@code PKIX_ED25519_PH}):
 * then a signature by this key is accepted only under that algorithm. Unnamed (the default),
 * Sigstore's algorithms for the key type are accepted: for a plain RSA key PKCS#1 v1.5 or PSS,
 * for Ed25519 pure Ed25519 or Ed25519ph (ADR 0030).
 *
 * @param spki the DER SubjectPublicKeyInfo
 * @param algorithm the JCA key algorithm the bytes parsed as: {@code EC}, {@code RSA} or {@code
 *     Ed25519}
 * @param keyDetails the only signing algorithm accepted for this key (protobuf-specs {@code
 *     PublicKeyDetails} name), or null for Sigstore's algorithms for the key type
 * @see <a href="https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_common.proto">PublicKeyDetails</a>
 */
public record TrustedKey(byte[] spki, String algorithm, @Nullable String keyDetails) {

  /**
   * Validates the key: an X.509 SubjectPublicKeyInfo of a supported algorithm and, when named, a
   * registry algorithm that fits the key (type, curve, modulus size).
   */
  public TrustedKey {
    Objects.requireNonNull(spki, "spki");
    Objects.requireNonNull(algorithm, "algorithm");
    spki = spki.clone();
    String parsed = PemKeys.publicKeyAlgorithm(spki);
    if (!parsed.equals(algorithm)) {
      throw new IllegalArgumentException(
          "public key is " + parsed + ", not " + algorithm);
    }
    if (keyDetails != null) {
      try {
        SignatureAlgorithm a = SignatureAlgorithm.parse(keyDetails);
        a.checkKey(java.security.KeyFactory.getInstance(algorithm)
            .generatePublic(new java.security.spec.X509EncodedKeySpec(spki)));
      } catch (VerificationFailure e) {
        throw new IllegalArgumentException("keyDetails: " + e.getMessage(), e);
      } catch (java.security.GeneralSecurityException e) {
        throw new IllegalArgumentException("public key does not parse: " + e.getMessage(), e);
      }
    }
  }

  /** A key with no named algorithm: Sigstore's algorithms for its type. */
  public TrustedKey(byte[] spki, String algorithm) {
    this(spki, algorithm, null);
  }

  /**
   * This key accepting signatures only under {@code keyDetails} (a protobuf-specs {@code
   * PublicKeyDetails} name), or, with null, under Sigstore's algorithms for its type.
   *
   * @throws IllegalArgumentException if the name is not a registry algorithm attest verifies, or
   *     does not fit the key
   */
  public TrustedKey withKeyDetails(@Nullable String keyDetails) {
    return new TrustedKey(spki, algorithm, keyDetails);
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
    return o instanceof TrustedKey k && Arrays.equals(spki, k.spki) && algorithm.equals(k.algorithm)
        && Objects.equals(keyDetails, k.keyDetails);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(spki);
  }

  @Override
  public String toString() {
    return "TrustedKey[" + algorithm + ", " + dev.attest.core.Digest.sha256(spki).shortForm()
        + (keyDetails == null ? "" : ", " + keyDetails) + "]";
  }
}
