package dev.attest.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attest.core.internal.Base64s;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A Sigstore bundle: a DSSE envelope or a message signature, with the material to verify it (a
 * public key hint, a certificate or a certificate chain, transparency log entries, RFC 3161
 * timestamps), kept beside the exact bytes it was read from.
 *
 * <p>Reads v0.1, v0.2 and v0.3 in protobuf JSON form (int64 as strings or numbers, bytes as
 * standard or URL-safe base64). Writes v0.3 ({@value #MEDIA_TYPE_V0_3}) for key-based signing:
 * {@code verificationMaterial.publicKey.hint} and no log entries, the shape cosign 3 and sigstore-go
 * write and sigstore-js verifies. Parsing checks structure only; verifying signatures, certificates
 * and log entries is the verifier's job, and everything it needs is kept as bytes (certificate
 * DER, canonicalized bodies, signed entry timestamps, inclusion proofs).
 *
 * @see <a href="https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_bundle.proto">sigstore_bundle.proto</a>
 */
public final class SigstoreBundle {
  /** {@value} */
  public static final String MEDIA_TYPE_V0_1 = "application/vnd.dev.sigstore.bundle+json;version=0.1";
  /** {@value} */
  public static final String MEDIA_TYPE_V0_2 = "application/vnd.dev.sigstore.bundle+json;version=0.2";
  /** The v0.3 media type, also the OCI artifact type of a bundle referrer. */
  public static final String MEDIA_TYPE_V0_3 = "application/vnd.dev.sigstore.bundle.v0.3+json";
  /** The alternative spelling of v0.3 that the protobuf specs also allow on read. */
  public static final String MEDIA_TYPE_V0_3_ALT = "application/vnd.dev.sigstore.bundle+json;version=0.3";

  /** The {@code dev.sigstore.bundle.content} annotation value for a DSSE bundle. */
  public static final String CONTENT_DSSE_ENVELOPE = "dsse-envelope";
  /** The {@code dev.sigstore.bundle.content} annotation value for a message signature bundle. */
  public static final String CONTENT_MESSAGE_SIGNATURE = "message-signature";

  /** Bundles larger than this are refused. */
  public static final int MAX_BYTES = DsseEnvelope.MAX_BYTES + 8 * 1024 * 1024;

  static final int MAX_TLOG_ENTRIES = 32;
  static final int MAX_CERTIFICATES = 16;
  static final int MAX_PROOF_HASHES = 64;
  static final int MAX_TIMESTAMPS = 16;

  private final byte[] raw;
  private final String mediaType;
  private final @Nullable DsseEnvelope dsseEnvelope;
  private final @Nullable MessageSignature messageSignature;
  private final VerificationMaterial verificationMaterial;

  private SigstoreBundle(
      byte[] raw,
      String mediaType,
      @Nullable DsseEnvelope dsseEnvelope,
      @Nullable MessageSignature messageSignature,
      VerificationMaterial verificationMaterial) {
    this.raw = raw;
    this.mediaType = mediaType;
    this.dsseEnvelope = dsseEnvelope;
    this.messageSignature = messageSignature;
    this.verificationMaterial = verificationMaterial;
  }

  // ---------------------------------------------------------------- writing

  /**
   * A v0.3 bundle of a DSSE envelope signed by a key, identified by {@code publicKeyHint} (see
   * {@link Keys#hint}). The envelope must have exactly one signature.
   */
  public static SigstoreBundle ofDsse(DsseEnvelope envelope, String publicKeyHint) {
    Objects.requireNonNull(envelope, "envelope");
    if (envelope.signatures().size() != 1) {
      throw new IllegalArgumentException(
          "a Sigstore bundle's DSSE envelope must have exactly one signature, found "
              + envelope.signatures().size());
    }
    ObjectNode root = head(publicKeyHint);
    root.set("dsseEnvelope", envelope.toJson());
    return reparse(root);
  }

  /** A v0.3 bundle of a signature over an artifact with the given digest, signed by a key. */
  public static SigstoreBundle ofMessageSignature(Digest artifact, byte[] signature, String publicKeyHint) {
    Objects.requireNonNull(artifact, "artifact");
    if (signature.length == 0) {
      throw new IllegalArgumentException("empty signature");
    }
    ObjectNode root = head(publicKeyHint);
    ObjectNode ms = root.putObject("messageSignature");
    ObjectNode md = ms.putObject("messageDigest");
    md.put("algorithm", artifact.algorithm() == Digest.Algorithm.SHA256 ? "SHA2_256" : "SHA2_512");
    md.put("digest", Base64s.encode(artifact.hash()));
    ms.put("signature", Base64s.encode(signature));
    return reparse(root);
  }

  private static ObjectNode head(String publicKeyHint) {
    Objects.requireNonNull(publicKeyHint, "publicKeyHint");
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("mediaType", MEDIA_TYPE_V0_3);
    root.putObject("verificationMaterial").putObject("publicKey").put("hint", publicKeyHint);
    return root;
  }

  private static SigstoreBundle reparse(ObjectNode root) {
    try {
      return parse(Json.MAPPER.writeValueAsBytes(root));
    } catch (IOException | AttestException e) {
      throw new IllegalStateException("cannot build bundle: " + e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------- reading

  /**
   * Parses a Sigstore bundle v0.1, v0.2 or v0.3 strictly.
   *
   * @throws InvalidContentException naming the field that is malformed
   * @throws UnsupportedContentException if the media type is not a bundle version attest reads
   */
  public static SigstoreBundle parse(byte[] json) throws InvalidContentException, UnsupportedContentException {
    if (json.length > MAX_BYTES) {
      throw new InvalidContentException("Sigstore bundle is " + json.length + " bytes, more than the limit of " + MAX_BYTES);
    }
    byte[] raw = json.clone();
    String w = "Sigstore bundle";
    JsonNode root = JsonReads.object(raw, w);
    String mediaType = JsonReads.text(root, "mediaType", w);
    if (!List.of(MEDIA_TYPE_V0_1, MEDIA_TYPE_V0_2, MEDIA_TYPE_V0_3, MEDIA_TYPE_V0_3_ALT).contains(mediaType)) {
      throw new UnsupportedContentException(
          "unsupported Sigstore bundle mediaType '" + mediaType + "': expected v0.1, v0.2 or v0.3");
    }
    JsonNode dsse = JsonReads.optObject(root, "dsseEnvelope", w);
    JsonNode ms = JsonReads.optObject(root, "messageSignature", w);
    if ((dsse == null) == (ms == null)) {
      throw new InvalidContentException(
          w + " must have exactly one of 'dsseEnvelope' and 'messageSignature', found "
              + (dsse == null ? "neither" : "both"));
    }
    DsseEnvelope envelope = dsse == null ? null : DsseEnvelope.fromJson(dsse, w + ".dsseEnvelope");
    MessageSignature signature = ms == null ? null : MessageSignature.fromJson(ms, w + ".messageSignature");
    VerificationMaterial vm =
        VerificationMaterial.fromJson(JsonReads.object(root, "verificationMaterial", w), w + ".verificationMaterial");
    return new SigstoreBundle(raw, mediaType, envelope, signature, vm);
  }

  /** The exact bundle bytes. A fresh copy. */
  public byte[] bytes() {
    return raw.clone();
  }

  /** The bundle's {@code mediaType}, which names its version. */
  public String mediaType() {
    return mediaType;
  }

  /** {@code "0.1"}, {@code "0.2"} or {@code "0.3"}. */
  public String version() {
    return switch (mediaType) {
      case MEDIA_TYPE_V0_1 -> "0.1";
      case MEDIA_TYPE_V0_2 -> "0.2";
      default -> "0.3";
    };
  }

  /** {@value #CONTENT_DSSE_ENVELOPE} or {@value #CONTENT_MESSAGE_SIGNATURE}, the OCI annotation value. */
  public String contentKind() {
    return dsseEnvelope != null ? CONTENT_DSSE_ENVELOPE : CONTENT_MESSAGE_SIGNATURE;
  }

  /** The DSSE envelope, when the bundle signs an attestation. */
  public Optional<DsseEnvelope> dsseEnvelope() {
    return Optional.ofNullable(dsseEnvelope);
  }

  /** The message signature, when the bundle signs an artifact directly. */
  public Optional<MessageSignature> messageSignature() {
    return Optional.ofNullable(messageSignature);
  }

  /** The key or certificates, log entries and timestamps. */
  public VerificationMaterial verificationMaterial() {
    return verificationMaterial;
  }

  /** Equal when the bundle bytes are equal. */
  @Override
  public boolean equals(Object o) {
    return o instanceof SigstoreBundle b && Arrays.equals(raw, b.raw);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(raw);
  }

  @Override
  public String toString() {
    return "SigstoreBundle[v" + version() + ", " + contentKind() + ", " + verificationMaterial.kind() + "]";
  }

  private static List<byte[]> copies(List<byte[]> list) {
    return list.stream().map(byte[]::clone).toList();
  }

  // ---------------------------------------------------------------- parts

  /** A signature over an artifact's digest: {@code messageSignature}. */
  public static final class MessageSignature {
    private final @Nullable String algorithm;
    private final byte @Nullable [] digest;
    private final byte[] signature;

    private MessageSignature(@Nullable String algorithm, byte @Nullable [] digest, byte[] signature) {
      this.algorithm = algorithm;
      this.digest = digest;
      this.signature = signature;
    }

    static MessageSignature fromJson(JsonNode n, String w) throws InvalidContentException {
      JsonNode md = JsonReads.optObject(n, "messageDigest", w);
      String alg = null;
      byte[] digest = null;
      if (md != null) {
        alg = JsonReads.text(md, "algorithm", w + ".messageDigest");
        digest = JsonReads.bytes(md, "digest", w + ".messageDigest");
        int expected =
            switch (alg) {
              case "SHA2_256", "SHA3_256" -> 32;
              case "SHA2_384", "SHA3_384" -> 48;
              case "SHA2_512" -> 64;
              default -> -1;
            };
        if (expected > 0 && digest.length != expected) {
          throw new InvalidContentException(
              w + ".messageDigest: a " + alg + " digest is " + expected + " bytes, got " + digest.length);
        }
      }
      byte[] sig = JsonReads.bytes(n, "signature", w);
      if (sig.length == 0) {
        throw new InvalidContentException(w + ": 'signature' is empty");
      }
      return new MessageSignature(alg, digest, sig);
    }

    /** The protobuf hash algorithm name of the message digest, for example {@code SHA2_256}. */
    public Optional<String> digestAlgorithm() {
      return Optional.ofNullable(algorithm);
    }

    /** The raw message digest bytes, if present. A fresh copy. */
    public Optional<byte[]> digestBytes() {
      return Optional.ofNullable(digest).map(byte[]::clone);
    }

    /** The message digest as a {@link Digest}, when it is SHA2_256 or SHA2_512. */
    public Optional<Digest> digest() {
      if (digest == null || algorithm == null) {
        return Optional.empty();
      }
      return switch (algorithm) {
        case "SHA2_256" -> Optional.of(Digest.fromHash(Digest.Algorithm.SHA256, digest));
        case "SHA2_512" -> Optional.of(Digest.fromHash(Digest.Algorithm.SHA512, digest));
        default -> Optional.empty();
      };
    }

    /** The signature bytes (DER for ECDSA). A fresh copy. */
    public byte[] signature() {
      return signature.clone();
    }
  }

  /** {@code verificationMaterial}: how to find the key, plus log entries and timestamps. */
  public static final class VerificationMaterial {
    /** Which form of key material the bundle carries. */
    public enum Kind {
      /** A {@code publicKey} hint; the key itself comes from the verifier. */
      PUBLIC_KEY,
      /** An {@code x509CertificateChain} (bundle v0.1 and v0.2). */
      X509_CERTIFICATE_CHAIN,
      /** A single {@code certificate} (bundle v0.3). */
      CERTIFICATE
    }

    private final Kind kind;
    private final @Nullable String publicKeyHint;
    private final List<byte[]> certificates;
    private final List<TlogEntry> tlogEntries;
    private final List<byte[]> rfc3161Timestamps;

    private VerificationMaterial(
        Kind kind,
        @Nullable String publicKeyHint,
        List<byte[]> certificates,
        List<TlogEntry> tlogEntries,
        List<byte[]> rfc3161Timestamps) {
      this.kind = kind;
      this.publicKeyHint = publicKeyHint;
      this.certificates = List.copyOf(certificates);
      this.tlogEntries = List.copyOf(tlogEntries);
      this.rfc3161Timestamps = List.copyOf(rfc3161Timestamps);
    }

    static VerificationMaterial fromJson(JsonNode n, String w) throws InvalidContentException {
      JsonNode pk = JsonReads.optObject(n, "publicKey", w);
      JsonNode chain = JsonReads.optObject(n, "x509CertificateChain", w);
      JsonNode cert = JsonReads.optObject(n, "certificate", w);
      int present = (pk == null ? 0 : 1) + (chain == null ? 0 : 1) + (cert == null ? 0 : 1);
      if (present != 1) {
        throw new InvalidContentException(
            w + " must have exactly one of 'publicKey', 'x509CertificateChain' and 'certificate', found " + present);
      }
      Kind kind;
      String hint = null;
      List<byte[]> certs = new ArrayList<>();
      if (pk != null) {
        kind = Kind.PUBLIC_KEY;
        hint = JsonReads.optText(pk, "hint", w + ".publicKey");
      } else if (chain != null) {
        kind = Kind.X509_CERTIFICATE_CHAIN;
        JsonNode arr = JsonReads.array(chain, "certificates", w + ".x509CertificateChain", MAX_CERTIFICATES);
        if (arr.isEmpty()) {
          throw new InvalidContentException(w + ".x509CertificateChain has no certificates");
        }
        for (int i = 0; i < arr.size(); i++) {
          certs.add(derCertificate(arr.get(i), w + ".x509CertificateChain.certificates[" + i + "]"));
        }
      } else {
        kind = Kind.CERTIFICATE;
        certs.add(derCertificate(cert, w + ".certificate"));
      }
      JsonNode tl = JsonReads.array(n, "tlogEntries", w, MAX_TLOG_ENTRIES);
      List<TlogEntry> entries = new ArrayList<>();
      for (int i = 0; i < tl.size(); i++) {
        entries.add(TlogEntry.fromJson(tl.get(i), w + ".tlogEntries[" + i + "]"));
      }
      List<byte[]> timestamps = new ArrayList<>();
      JsonNode tvd = JsonReads.optObject(n, "timestampVerificationData", w);
      if (tvd != null) {
        String tw = w + ".timestampVerificationData";
        JsonNode ts = JsonReads.array(tvd, "rfc3161Timestamps", tw, MAX_TIMESTAMPS);
        for (int i = 0; i < ts.size(); i++) {
          JsonNode t = ts.get(i);
          String at = tw + ".rfc3161Timestamps[" + i + "]";
          if (!t.isObject()) {
            throw new InvalidContentException(at + " must be an object");
          }
          timestamps.add(JsonReads.bytes(t, "signedTimestamp", at));
        }
      }
      return new VerificationMaterial(kind, hint, certs, entries, timestamps);
    }

    private static byte[] derCertificate(JsonNode n, String w) throws InvalidContentException {
      if (!n.isObject()) {
        throw new InvalidContentException(w + " must be an object, got " + JsonReads.kind(n));
      }
      byte[] der = JsonReads.bytes(n, "rawBytes", w);
      if (der.length == 0) {
        throw new InvalidContentException(w + ": 'rawBytes' is empty");
      }
      return der;
    }

    /** Which form of key material the bundle carries. */
    public Kind kind() {
      return kind;
    }

    /** The {@code publicKey.hint}, if the bundle names its key that way. Only a hint: never trusted. */
    public Optional<String> publicKeyHint() {
      return Optional.ofNullable(publicKeyHint);
    }

    /**
     * The certificates in DER, leaf first: the chain, or the single {@code certificate}; empty for
     * key-based bundles. Fresh copies.
     */
    public List<byte[]> certificates() {
      return copies(certificates);
    }

    /** The signing (leaf) certificate in DER, if the bundle has one. A fresh copy. */
    public Optional<byte[]> leafCertificate() {
      return certificates.isEmpty() ? Optional.empty() : Optional.of(certificates.get(0).clone());
    }

    /** The transparency log entries, in bundle order. */
    public List<TlogEntry> tlogEntries() {
      return tlogEntries;
    }

    /** The RFC 3161 signed timestamps (DER {@code TimeStampResponse}s). Fresh copies. */
    public List<byte[]> rfc3161Timestamps() {
      return copies(rfc3161Timestamps);
    }
  }

  /** A transparency log entry: {@code TransparencyLogEntry} of the Rekor protobuf specs. */
  public static final class TlogEntry {
    private final long logIndex;
    private final byte[] logId;
    private final String kind;
    private final String version;
    private final long integratedTime;
    private final byte @Nullable [] signedEntryTimestamp;
    private final @Nullable InclusionProof inclusionProof;
    private final byte[] canonicalizedBody;

    private TlogEntry(
        long logIndex,
        byte[] logId,
        String kind,
        String version,
        long integratedTime,
        byte @Nullable [] signedEntryTimestamp,
        @Nullable InclusionProof inclusionProof,
        byte[] canonicalizedBody) {
      this.logIndex = logIndex;
      this.logId = logId;
      this.kind = kind;
      this.version = version;
      this.integratedTime = integratedTime;
      this.signedEntryTimestamp = signedEntryTimestamp;
      this.inclusionProof = inclusionProof;
      this.canonicalizedBody = canonicalizedBody;
    }

    static TlogEntry fromJson(JsonNode n, String w) throws InvalidContentException {
      if (!n.isObject()) {
        throw new InvalidContentException(w + " must be an object, got " + JsonReads.kind(n));
      }
      long logIndex = JsonReads.int64(n, "logIndex", w);
      byte[] logId = JsonReads.bytes(JsonReads.object(n, "logId", w), "keyId", w + ".logId");
      JsonNode kv = JsonReads.object(n, "kindVersion", w);
      String kind = JsonReads.text(kv, "kind", w + ".kindVersion");
      String version = JsonReads.text(kv, "version", w + ".kindVersion");
      long integratedTime = JsonReads.int64(n, "integratedTime", w);
      JsonNode promise = JsonReads.optObject(n, "inclusionPromise", w);
      byte[] set = promise == null ? null : JsonReads.bytes(promise, "signedEntryTimestamp", w + ".inclusionPromise");
      JsonNode proof = JsonReads.optObject(n, "inclusionProof", w);
      InclusionProof ip = proof == null ? null : InclusionProof.fromJson(proof, w + ".inclusionProof");
      byte[] body = JsonReads.bytes(n, "canonicalizedBody", w);
      if (body.length == 0) {
        throw new InvalidContentException(w + ": 'canonicalizedBody' is empty");
      }
      return new TlogEntry(logIndex, logId, kind, version, integratedTime, set, ip, body);
    }

    /** The entry's index in its log. */
    public long logIndex() {
      return logIndex;
    }

    /** The log's key id ({@code logId.keyId}), the SHA-256 of its public key. A fresh copy. */
    public byte[] logId() {
      return logId.clone();
    }

    /** The entry kind, for example {@code hashedrekord}, {@code dsse} or {@code intoto}. */
    public String kind() {
      return kind;
    }

    /** The entry kind's version, for example {@code 0.0.1}. */
    public String version() {
      return version;
    }

    /** Seconds since the epoch at which the log integrated the entry; 0 if absent. */
    public long integratedTime() {
      return integratedTime;
    }

    /** The inclusion promise's signed entry timestamp, if present. A fresh copy. */
    public Optional<byte[]> signedEntryTimestamp() {
      return Optional.ofNullable(signedEntryTimestamp).map(byte[]::clone);
    }

    /** The inclusion proof, if present. */
    public Optional<InclusionProof> inclusionProof() {
      return Optional.ofNullable(inclusionProof);
    }

    /** The exact canonicalized entry body the log hashed. A fresh copy. */
    public byte[] canonicalizedBody() {
      return canonicalizedBody.clone();
    }
  }

  /** A Merkle inclusion proof of a log entry, with its checkpoint. */
  public static final class InclusionProof {
    private final long logIndex;
    private final byte[] rootHash;
    private final long treeSize;
    private final List<byte[]> hashes;
    private final @Nullable String checkpoint;

    private InclusionProof(long logIndex, byte[] rootHash, long treeSize, List<byte[]> hashes, @Nullable String checkpoint) {
      this.logIndex = logIndex;
      this.rootHash = rootHash;
      this.treeSize = treeSize;
      this.hashes = List.copyOf(hashes);
      this.checkpoint = checkpoint;
    }

    static InclusionProof fromJson(JsonNode n, String w) throws InvalidContentException {
      long logIndex = JsonReads.int64(n, "logIndex", w);
      byte[] rootHash = JsonReads.bytes(n, "rootHash", w);
      long treeSize = JsonReads.int64(n, "treeSize", w);
      JsonNode arr = JsonReads.array(n, "hashes", w, MAX_PROOF_HASHES);
      List<byte[]> hashes = new ArrayList<>();
      for (int i = 0; i < arr.size(); i++) {
        JsonNode h = arr.get(i);
        if (!h.isTextual()) {
          throw new InvalidContentException(w + ".hashes[" + i + "] must be a base64 string");
        }
        hashes.add(Base64s.decode(h.textValue(), w + ".hashes[" + i + "]"));
      }
      JsonNode cp = JsonReads.optObject(n, "checkpoint", w);
      String checkpoint = cp == null ? null : JsonReads.text(cp, "envelope", w + ".checkpoint");
      return new InclusionProof(logIndex, rootHash, treeSize, hashes, checkpoint);
    }

    /** The index of the proven entry in the tree. */
    public long logIndex() {
      return logIndex;
    }

    /** A fresh copy. */
    public byte[] rootHash() {
      return rootHash.clone();
    }

    /** The size of the tree the proof is against. */
    public long treeSize() {
      return treeSize;
    }

    /** The audit path, leaf to root. Fresh copies. */
    public List<byte[]> hashes() {
      return copies(hashes);
    }

    /** The signed checkpoint (note) text, if present. */
    public Optional<String> checkpoint() {
      return Optional.ofNullable(checkpoint);
    }
  }
}
