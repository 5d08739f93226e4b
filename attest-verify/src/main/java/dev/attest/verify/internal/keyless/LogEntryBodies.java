package dev.attest.verify.internal.keyless;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attest.core.AttestException;
import dev.attest.core.DsseEnvelope;
import dev.attest.core.JsonReads;
import dev.attest.core.Pem;
import dev.attest.verify.internal.sigstore.SignatureAlgorithm;
import dev.attest.verify.internal.sigstore.VerificationFailure;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Checks that a transparency log entry's body logs exactly what the bundle signs: the same
 * signature, the same signer (certificate or key) and the same content (artifact digest, DSSE
 * payload hash or DSSE PAE digest). An entry that is merely valid in the log but about another
 * signature is refused (CVE-2022-36056). Each kind is read strictly; an unknown kind or version
 * is refused, never accepted unchecked.
 *
 * <ul>
 *   <li>Rekor v1 {@code hashedrekord} 0.0.1 (message signatures, and DSSE logged over its PAE):
 *       https://github.com/sigstore/rekor/blob/main/pkg/types/hashedrekord/v0.0.1/hashedrekord_v0_0_1_schema.json
 *   <li>Rekor v1 {@code intoto} 0.0.2:
 *       https://github.com/sigstore/rekor/blob/main/pkg/types/intoto/v0.0.2/intoto_v0_0_2_schema.json
 *   <li>Rekor v1 {@code dsse} 0.0.1:
 *       https://github.com/sigstore/rekor/blob/main/pkg/types/dsse/v0.0.1/dsse_v0_0_1_schema.json
 *   <li>Rekor v2 {@code hashedrekord} 0.0.2 (message signatures, and DSSE logged over its PAE) and
 *       {@code dsse} 0.0.2 (ADR 0022): protobuf-JSON of {@code HashedRekordLogEntryV002} and
 *       {@code DSSELogEntryV002}, https://github.com/sigstore/rekor-tiles/blob/main/api/proto/rekor/v2/
 * </ul>
 */
final class LogEntryBodies {
  private LogEntryBodies() {}

  /**
   * What the bundle signs, as a log entry must record it.
   *
   * @param algorithm the signature algorithm of the signer's key
   * @param signature the bundle's signature (message signature or the one DSSE signature)
   * @param hash the JCA name of the hash the signature covers (for ECDSA message signatures, the
   *     bundle's message digest algorithm)
   * @param signerDer the signer: the leaf certificate's DER, or the key's DER SubjectPublicKeyInfo
   * @param signerSpki the signer's DER SubjectPublicKeyInfo (Rekor v2 may log the key of a certificate)
   * @param certificate whether {@code signerDer} is a certificate
   * @param messageDigest for a message signature, the artifact's digest under the algorithm's hash
   * @param envelope for a DSSE bundle, the envelope
   */
  record Signed(
      SignatureAlgorithm algorithm,
      String hash,
      byte[] signature,
      byte[] signerDer,
      byte[] signerSpki,
      boolean certificate,
      byte @Nullable [] messageDigest,
      @Nullable DsseEnvelope envelope) {}

  /** The entry kinds and versions this verifier reads. */
  static final List<String> KNOWN =
      List.of("hashedrekord 0.0.1", "hashedrekord 0.0.2", "intoto 0.0.2", "dsse 0.0.1", "dsse 0.0.2");

  static void check(String kind, String version, byte[] body, Signed s) throws VerificationFailure {
    String kv = kind + " " + version;
    if (!KNOWN.contains(kv)) {
      throw new VerificationFailure("transparency log entry kind " + clip(kind) + " " + clip(version)
          + " is not one attest verifies (" + String.join(", ", KNOWN) + ")");
    }
    String w = "transparency log entry body";
    try {
      JsonNode n = JsonReads.object(body, w);
      String bodyKind = JsonReads.text(n, "kind", w);
      String bodyVersion = JsonReads.text(n, "apiVersion", w);
      if (!kind.equals(bodyKind) || !version.equals(bodyVersion)) {
        throw new VerificationFailure(w + " is " + clip(bodyKind) + " " + clip(bodyVersion)
            + ", but the bundle's kindVersion says " + kv);
      }
      JsonNode spec = JsonReads.object(n, "spec", w);
      switch (kv) {
        case "hashedrekord 0.0.1" -> hashedRekordV001(spec, s, w);
        case "hashedrekord 0.0.2" -> hashedRekordV002(JsonReads.object(spec, "hashedRekordV002", w + " spec"), s, w);
        case "intoto 0.0.2" -> intotoV002(spec, s, w);
        case "dsse 0.0.1" -> dsseV001(spec, s, w);
        case "dsse 0.0.2" -> dsseV002(JsonReads.object(spec, "dsseV002", w + " spec"), s, w);
        default -> throw new AssertionError(kv);
      }
    } catch (AttestException e) {
      throw new VerificationFailure("malformed " + w + ": " + e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------- Rekor v1

  private static void hashedRekordV001(JsonNode spec, Signed s, String w) throws AttestException, VerificationFailure {
    JsonNode hash = JsonReads.object(JsonReads.object(spec, "data", w + " spec"), "hash", w + " data");
    String alg = JsonReads.text(hash, "algorithm", w + " hash");
    expectDigestName(alg, v1Name(s.hash()), w);
    byte[] logged = hex(JsonReads.text(hash, "value", w + " hash"), w + " hash value");
    if (s.envelope() != null) {
      // A DSSE envelope may be logged as a hashedrekord over its PAE, the bytes its signature
      // covers (client spec, "Bundle content vs. Rekor entry kind"; sigstore-conformance
      // dsse-with-hashedrekord-*), as Rekor v2 always does.
      if (!MessageDigest.isEqual(logged, hash(s.hash(), s.envelope().pae()))) {
        throw new VerificationFailure("the digest in the hashedrekord log entry is not the digest of the DSSE"
            + " envelope's PAE: the entry is about other content");
      }
    } else if (!MessageDigest.isEqual(logged, s.messageDigest())) {
      throw new VerificationFailure("the artifact digest in the transparency log entry is not the digest of the"
          + " artifact being verified: the entry is about other content");
    }
    JsonNode sig = JsonReads.object(spec, "signature", w + " spec");
    expectSignature(JsonReads.bytes(sig, "content", w + " signature"), s, w);
    expectSignerPem(JsonReads.bytes(JsonReads.object(sig, "publicKey", w + " signature"), "content", w + " publicKey"),
        s, w);
  }

  private static void intotoV002(JsonNode spec, Signed s, String w) throws AttestException, VerificationFailure {
    DsseEnvelope env = dsseOnly(s, "intoto 0.0.2", w);
    JsonNode content = JsonReads.object(spec, "content", w + " spec");
    JsonNode e = JsonReads.object(content, "envelope", w + " content");
    if (!env.payloadType().equals(JsonReads.text(e, "payloadType", w + " envelope"))) {
      throw new VerificationFailure("the DSSE payloadType in the transparency log entry is not the bundle's");
    }
    JsonNode sigs = v1PayloadAndSignature(content, e, env, w);
    // intoto 0.0.2 stores the envelope's base64 signature text base64-encoded again.
    byte[] sigText = JsonReads.bytes(sigs.get(0), "sig", w + " signature");
    byte[] sig;
    try {
      sig = Base64.getDecoder().decode(sigText);
    } catch (IllegalArgumentException ex) {
      throw new VerificationFailure("malformed " + w + ": signature is not base64 of a base64 signature");
    }
    expectSignature(sig, s, w);
    expectSignerPem(JsonReads.bytes(sigs.get(0), "publicKey", w + " signature"), s, w);
  }

  private static void dsseV001(JsonNode spec, Signed s, String w) throws AttestException, VerificationFailure {
    DsseEnvelope env = dsseOnly(s, "dsse 0.0.1", w);
    JsonNode sigs = v1PayloadAndSignature(spec, spec, env, w);
    expectSignature(JsonReads.bytes(sigs.get(0), "signature", w + " signature"), s, w);
    expectSignerPem(JsonReads.bytes(sigs.get(0), "verifier", w + " signature"), s, w);
  }

  /**
   * Rekor v1's hex sha256 {@code payloadHash} under {@code hashParent} must be the payload's, and
   * {@code sigParent} must hold exactly one signature, which is returned in its array.
   */
  private static JsonNode v1PayloadAndSignature(JsonNode hashParent, JsonNode sigParent, DsseEnvelope env, String w)
      throws AttestException, VerificationFailure {
    JsonNode payloadHash = JsonReads.object(hashParent, "payloadHash", w);
    expectDigestName(JsonReads.text(payloadHash, "algorithm", w + " payloadHash"), "sha256", w);
    byte[] logged = hex(JsonReads.text(payloadHash, "value", w + " payloadHash"), w + " payloadHash");
    if (!MessageDigest.isEqual(logged, sha256(env.payload()))) {
      throw new VerificationFailure("digest of the DSSE payload in the bundle does not match the payload digest in"
          + " the log entry");
    }
    JsonNode sigs = JsonReads.array(sigParent, "signatures", w, DsseEnvelope.MAX_SIGNATURES);
    if (sigs.size() != 1) {
      throw new VerificationFailure(w + " has " + sigs.size() + " signatures, expected exactly one");
    }
    return sigs;
  }

  // ---------------------------------------------------------------- Rekor v2

  private static void hashedRekordV002(JsonNode spec, Signed s, String w) throws AttestException, VerificationFailure {
    JsonNode data = JsonReads.object(spec, "data", w + " spec");
    expectDigestName(JsonReads.text(data, "algorithm", w + " data"), v2Name(s.hash()), w);
    byte[] logged = JsonReads.bytes(data, "digest", w + " data");
    byte[] expected;
    if (s.envelope() != null) {
      // Rekor v2 logs a DSSE envelope as a hashedrekord over its PAE.
      expected = hash(s.hash(), s.envelope().pae());
      if (!MessageDigest.isEqual(logged, expected)) {
        throw new VerificationFailure("the digest in the hashedrekord log entry is not the digest of the DSSE"
            + " envelope's PAE: the entry is about other content");
      }
    } else if (!MessageDigest.isEqual(logged, s.messageDigest())) {
      throw new VerificationFailure("the artifact digest in the transparency log entry is not the digest of the"
          + " artifact being verified: the entry is about other content");
    }
    JsonNode sig = JsonReads.object(spec, "signature", w + " spec");
    expectSignature(JsonReads.bytes(sig, "content", w + " signature"), s, w);
    expectV2Verifier(JsonReads.object(sig, "verifier", w + " signature"), s, w);
  }

  private static void dsseV002(JsonNode spec, Signed s, String w) throws AttestException, VerificationFailure {
    DsseEnvelope env = dsseOnly(s, "dsse 0.0.2", w);
    JsonNode payloadHash = JsonReads.object(spec, "payloadHash", w + " spec");
    expectDigestName(JsonReads.text(payloadHash, "algorithm", w + " payloadHash"), "SHA2_256", w);
    if (!MessageDigest.isEqual(JsonReads.bytes(payloadHash, "digest", w + " payloadHash"), sha256(env.payload()))) {
      throw new VerificationFailure("digest of the DSSE payload in the bundle does not match the payload digest in"
          + " the log entry");
    }
    JsonNode sigs = JsonReads.array(spec, "signatures", w + " spec", DsseEnvelope.MAX_SIGNATURES);
    if (sigs.size() != 1) {
      throw new VerificationFailure(w + " has " + sigs.size() + " signatures, expected exactly one");
    }
    expectSignature(JsonReads.bytes(sigs.get(0), "content", w + " signature"), s, w);
    expectV2Verifier(JsonReads.object(sigs.get(0), "verifier", w + " signature"), s, w);
  }

  private static void expectV2Verifier(JsonNode verifier, Signed s, String w)
      throws AttestException, VerificationFailure {
    String details = JsonReads.text(verifier, "keyDetails", w + " verifier");
    SignatureAlgorithm logged = SignatureAlgorithm.parse(details);
    if (logged != s.algorithm()) {
      throw new VerificationFailure("the log entry's verifier algorithm is " + logged + ", but the bundle's signature"
          + " is " + s.algorithm());
    }
    JsonNode cert = JsonReads.optObject(verifier, "x509Certificate", w + " verifier");
    JsonNode key = JsonReads.optObject(verifier, "publicKey", w + " verifier");
    if ((cert == null) == (key == null)) {
      throw new VerificationFailure("malformed " + w + ": its verifier must have exactly one of x509Certificate and"
          + " publicKey");
    }
    if (cert != null && !s.certificate()) {
      throw new VerificationFailure("the log entry's verifier is a certificate, but the bundle is signed with a"
          + " public key");
    }
    byte[] der = JsonReads.bytes(cert != null ? cert : key, "rawBytes", w + " verifier");
    if (cert == null) {
      // A certificate's signature may be logged with the certificate's key.
      if (!MessageDigest.isEqual(der, s.signerSpki())) {
        throw new VerificationFailure(s.certificate()
            ? "the public key in the log entry is not the bundle certificate's key"
            : "the public key in the log entry is not the trusted key");
      }
      return;
    }
    expectSigner(der, s);
  }

  // ---------------------------------------------------------------- shared

  private static DsseEnvelope dsseOnly(Signed s, String kind, String w) throws VerificationFailure {
    if (s.envelope() == null) {
      throw new VerificationFailure(w + " is a " + kind + " entry, which logs a DSSE envelope, but the bundle is a"
          + " message signature");
    }
    return s.envelope();
  }

  private static void expectSignature(byte[] logged, Signed s, String w) throws VerificationFailure {
    if (!MessageDigest.isEqual(logged, s.signature())) {
      throw new VerificationFailure("the signature in the transparency log entry is not the bundle's signature: the"
          + " entry is about another signature");
    }
  }

  private static void expectSignerPem(byte[] pem, Signed s, String w) throws VerificationFailure {
    byte[] der;
    try {
      Pem p = Pem.read(pem, w + " verifier");
      der = p.der();
    } catch (AttestException e) {
      throw new VerificationFailure("malformed " + w + ": its verifier is not PEM: " + e.getMessage(), e);
    }
    expectSigner(der, s);
  }

  private static void expectSigner(byte[] der, Signed s) throws VerificationFailure {
    if (!MessageDigest.isEqual(der, s.signerDer())) {
      throw new VerificationFailure(s.certificate()
          ? "the certificate in the log entry is not the bundle's certificate"
          : "the public key in the log entry is not the trusted key");
    }
  }

  private static void expectDigestName(String actual, String expected, String w) throws VerificationFailure {
    if (!expected.equals(actual)) {
      throw new VerificationFailure(w + " uses digest algorithm '" + clip(actual) + "', expected '" + expected + "'");
    }
  }

  /** {@code sha256} for {@code SHA-256}: Rekor v1's hash names. */
  static String v1Name(String jcaHash) {
    return jcaHash.replace("-", "").toLowerCase(Locale.ROOT);
  }

  /** {@code SHA2_256} for {@code SHA-256}: protobuf-specs {@code HashAlgorithm} names. */
  static String v2Name(String jcaHash) {
    return "SHA2_" + jcaHash.substring(jcaHash.indexOf('-') + 1);
  }

  /** The JCA hash of a protobuf-specs {@code HashAlgorithm} name, or null if not a SHA-2 name. */
  static @Nullable String jcaHash(String v2Name) {
    return switch (v2Name) {
      case "SHA2_256" -> "SHA-256";
      case "SHA2_384" -> "SHA-384";
      case "SHA2_512" -> "SHA-512";
      default -> null;
    };
  }

  private static byte[] hex(String s, String w) throws VerificationFailure {
    try {
      return HexFormat.of().parseHex(s);
    } catch (IllegalArgumentException e) {
      throw new VerificationFailure("malformed " + w + ": not hex");
    }
  }

  static byte[] sha256(byte[] b) {
    return hash("SHA-256", b);
  }

  static byte[] hash(String jcaName, byte[] b) {
    try {
      return MessageDigest.getInstance(jcaName).digest(b);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String clip(String s) {
    String t = s.length() > 40 ? s.substring(0, 40) + "..." : s;
    return new String(t.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
  }
}
