package dev.attest.verify.internal.sigstore;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attest.core.InvalidContentException;
import dev.attest.core.JsonReads;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A Sigstore trusted root: the Fulcio CAs, transparency logs, CT logs and timestamp authorities a
 * verification may rely on. Read from protobuf-specs {@code TrustedRoot} JSON
 * (https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_trustedroot.proto), media
 * types {@code application/vnd.dev.sigstore.trustedroot+json;version=0.1} and {@code 0.2}, in both
 * spellings.
 *
 * <p>Parsing is strict and bounded: every key is checked against its {@code keyDetails}, every
 * certificate must be exactly one DER certificate. A log whose {@code keyDetails} attest does
 * not support is left out, so a bundle that needs that log is denied for want of a trusted log
 * instead of the whole root being unusable.
 */
public record TrustedRoot(
    List<CertificateAuthority> certificateAuthorities,
    List<LogKey> tlogs,
    List<LogKey> ctlogs,
    List<CertificateAuthority> timestampAuthorities) {

  /** Larger documents are refused; the public-good root is about 10 KiB. */
  public static final int MAX_BYTES = 4 * 1024 * 1024;
  /** At most this many entries in each list. */
  public static final int MAX_ENTRIES = 512;
  /** At most this many certificates in one chain. */
  public static final int MAX_CHAIN = 10;

  static final Set<String> MEDIA_TYPES = Set.of(
      "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
      "application/vnd.dev.sigstore.trustedroot.v0.1+json",
      "application/vnd.dev.sigstore.trustedroot+json;version=0.2",
      "application/vnd.dev.sigstore.trustedroot.v0.2+json");

  public TrustedRoot {
    certificateAuthorities = List.copyOf(certificateAuthorities);
    tlogs = List.copyOf(tlogs);
    ctlogs = List.copyOf(ctlogs);
    timestampAuthorities = List.copyOf(timestampAuthorities);
  }

  /** Parses {@code trusted_root.json}; anything malformed or of an unknown media type is a failure. */
  public static TrustedRoot parse(byte[] json) throws VerificationFailure {
    if (json.length > MAX_BYTES) {
      throw new VerificationFailure("trusted root is " + json.length + " bytes, more than the limit of " + MAX_BYTES);
    }
    try {
      JsonNode root = JsonReads.object(json, "trusted root");
      String mediaType = JsonReads.text(root, "mediaType", "trusted root");
      if (!MEDIA_TYPES.contains(mediaType)) {
        throw new VerificationFailure("trusted root has media type '" + clip(mediaType)
            + "'; attest reads application/vnd.dev.sigstore.trustedroot+json;version=0.1 and 0.2");
      }
      List<CertificateAuthority> cas = authorities(root, "certificateAuthorities");
      List<CertificateAuthority> tsas = authorities(root, "timestampAuthorities");
      List<LogKey> tlogs = logs(root, "tlogs");
      List<LogKey> ctlogs = logs(root, "ctlogs");
      return new TrustedRoot(cas, tlogs, ctlogs, tsas);
    } catch (InvalidContentException e) {
      throw new VerificationFailure("trusted root is malformed: " + e.getMessage(), e);
    }
  }

  /** The transparency logs whose id is {@code logId}. */
  public List<LogKey> tlogsWithId(byte[] logId) {
    return withId(tlogs, logId);
  }

  /** The CT logs whose id is {@code logId}. */
  public List<LogKey> ctlogsWithId(byte[] logId) {
    return withId(ctlogs, logId);
  }

  private static List<LogKey> withId(List<LogKey> logs, byte[] logId) {
    List<LogKey> out = new ArrayList<>();
    for (LogKey k : logs) {
      if (k.hasLogId(logId)) {
        out.add(k);
      }
    }
    return out;
  }

  private static List<CertificateAuthority> authorities(JsonNode root, String field)
      throws InvalidContentException, VerificationFailure {
    List<CertificateAuthority> out = new ArrayList<>();
    JsonNode arr = JsonReads.array(root, field, "trusted root", MAX_ENTRIES);
    for (int i = 0; i < arr.size(); i++) {
      String where = "trusted root " + field + "[" + i + "]";
      JsonNode ca = element(arr, i, where);
      String uri = JsonReads.optText(ca, "uri", where);
      JsonNode chainNode = JsonReads.object(ca, "certChain", where);
      JsonNode certs = JsonReads.array(chainNode, "certificates", where + ".certChain", MAX_CHAIN);
      if (certs.isEmpty()) {
        throw new VerificationFailure(where + " has no certificates in certChain");
      }
      List<X509Certificate> chain = new ArrayList<>();
      for (int j = 0; j < certs.size(); j++) {
        String cw = where + ".certChain.certificates[" + j + "]";
        chain.add(certificate(JsonReads.bytes(element(certs, j, cw), "rawBytes", cw), cw));
      }
      Window window = validFor(ca, where, false);
      out.add(new CertificateAuthority(uri == null ? "" : uri, chain, window.start(), window.end()));
    }
    return out;
  }

  private static List<LogKey> logs(JsonNode root, String field) throws InvalidContentException, VerificationFailure {
    List<LogKey> out = new ArrayList<>();
    JsonNode arr = JsonReads.array(root, field, "trusted root", MAX_ENTRIES);
    for (int i = 0; i < arr.size(); i++) {
      String where = "trusted root " + field + "[" + i + "]";
      JsonNode log = element(arr, i, where);
      String baseUrl = JsonReads.optText(log, "baseUrl", where);
      String hash = JsonReads.optText(log, "hashAlgorithm", where);
      if (hash != null && !hash.equals("SHA2_256") && !hash.equals("SHA2_384") && !hash.equals("SHA2_512")) {
        throw new VerificationFailure(where + " has unknown hashAlgorithm '" + clip(hash) + "'");
      }
      JsonNode pk = JsonReads.object(log, "publicKey", where);
      String details = JsonReads.text(pk, "keyDetails", where + ".publicKey");
      byte[] logId = JsonReads.bytes(JsonReads.object(log, "logId", where), "keyId", where + ".logId");
      if (logId.length == 0 || logId.length > 64) {
        throw new VerificationFailure(where + ".logId.keyId must be 1 to 64 bytes, got " + logId.length);
      }
      SignatureAlgorithm alg;
      try {
        alg = SignatureAlgorithm.parse(details);
      } catch (VerificationFailure unsupported) {
        continue; // see the class comment: bundles needing this log are denied later
      }
      byte[] der = JsonReads.bytes(pk, "rawBytes", where + ".publicKey");
      PublicKey key = publicKey(der, alg, where + ".publicKey");
      Window window = validFor(pk, where + ".publicKey", true);
      out.add(new LogKey(baseUrl == null ? "" : baseUrl, logId, key, alg, window.start(), window.end()));
    }
    return out;
  }

  private static JsonNode element(JsonNode arr, int i, String where) throws VerificationFailure {
    JsonNode n = arr.get(i);
    if (n == null || !n.isObject()) {
      throw new VerificationFailure(where + " must be an object");
    }
    return n;
  }

  /**
   * {@code validFor} as [start, end-or-null]. An absent {@code validFor} is unbounded (the key's
   * validity is optional in the spec). For a log key a present {@code validFor} must have its
   * {@code start} (TimeRange.start is required): reading a missing start as "since ever" would
   * widen trust in a malformed root (sigstore-conformance trust-root-tlog-missing-validity-start_fail).
   * Authorities keep reading it as the beginning of time, as sigstore-js's own fixtures need.
   */
  private static Window validFor(JsonNode parent, String where, boolean startRequired)
      throws InvalidContentException, VerificationFailure {
    JsonNode range = JsonReads.optObject(parent, "validFor", where);
    if (range == null) {
      return new Window(Instant.MIN, null);
    }
    String start = JsonReads.optText(range, "start", where + ".validFor");
    if (start == null && startRequired) {
      throw new VerificationFailure(where + ".validFor has no start: a validity period must say when it starts");
    }
    String end = JsonReads.optText(range, "end", where + ".validFor");
    Instant s = start == null ? Instant.MIN : timestamp(start, where + ".validFor.start");
    @Nullable Instant e = end == null ? null : timestamp(end, where + ".validFor.end");
    if (e != null && e.isBefore(s)) {
      throw new VerificationFailure(where + ".validFor ends (" + e + ") before it starts (" + s + ")");
    }
    return new Window(s, e);
  }

  private record Window(Instant start, @Nullable Instant end) {}

  /** A protobuf JSON Timestamp: RFC 3339 (https://protobuf.dev/programming-guides/json/). */
  static Instant timestamp(String text, String where) throws VerificationFailure {
    try {
      return DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(text, Instant::from);
    } catch (DateTimeParseException e) {
      throw new VerificationFailure(where + " is not an RFC 3339 timestamp: '" + clip(text) + "'", e);
    }
  }

  /** Exactly one DER certificate, nothing before or after it. */
  static X509Certificate certificate(byte[] der, String where) throws VerificationFailure {
    return Certificates.parse(der, where);
  }

  /** A DER SubjectPublicKeyInfo that must match {@code alg}. */
  static PublicKey publicKey(byte[] der, SignatureAlgorithm alg, String where) throws VerificationFailure {
    String type = switch (alg) {
      case PKIX_ECDSA_P256_SHA_256, PKIX_ECDSA_P384_SHA_384, PKIX_ECDSA_P521_SHA_512 -> "EC";
      case PKIX_ED25519, PKIX_ED25519_PH -> "Ed25519";
      default -> "RSA";
    };
    PublicKey key;
    try {
      key = KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException | RuntimeException e) {
      if (!type.equals("RSA")) {
        throw new VerificationFailure(where + " is not a valid " + alg + " public key: " + e.getMessage(), e);
      }
      key = rsaPss(der, alg, where, e);
    }
    if (!alg.matches(key)) {
      throw new VerificationFailure(where + " (" + SignatureAlgorithm.describe(key) + ") does not match its keyDetails " + alg);
    }
    return key;
  }

  /** An id-RSASSA-PSS SubjectPublicKeyInfo (RFC 4055), which the JDK reads with another factory. */
  private static PublicKey rsaPss(byte[] der, SignatureAlgorithm alg, String where, Exception first) throws VerificationFailure {
    try {
      return KeyFactory.getInstance("RSASSA-PSS").generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new VerificationFailure(where + " is not a valid " + alg + " public key: " + first.getMessage(), first);
    }
  }

  private static String clip(String s) {
    return s.length() > 100 ? s.substring(0, 100) + "..." : s;
  }
}
