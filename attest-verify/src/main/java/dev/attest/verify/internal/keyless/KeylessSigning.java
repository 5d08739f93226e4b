package dev.attest.verify.internal.keyless;

import static dev.attest.verify.KeylessSigningException.Step.FULCIO;
import static dev.attest.verify.KeylessSigningException.Step.REKOR;
import static dev.attest.verify.KeylessSigningException.Step.SIGNING;
import static dev.attest.verify.KeylessSigningException.Step.TIMESTAMP;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attest.core.AttestException;
import dev.attest.core.Digest;
import dev.attest.core.DsseEnvelope;
import dev.attest.core.Keys;
import dev.attest.core.SigstoreBundle;
import dev.attest.core.Signer;
import dev.attest.core.Statement;
import dev.attest.core.Json;
import dev.attest.core.Pem;
import dev.attest.core.InvalidContentException;
import dev.attest.verify.KeylessSigningException;
import dev.attest.verify.LogRequirement;
import dev.attest.verify.Policy.KeylessIdentity;
import dev.attest.verify.internal.sigstore.Checkpoint;
import dev.attest.verify.internal.sigstore.Rfc3161;
import dev.attest.verify.internal.sigstore.SignatureAlgorithm;
import dev.attest.verify.internal.sigstore.TrustedRoot;
import dev.attest.verify.internal.sigstore.VerificationFailure;
import dev.attest.verify.TokenSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The keyless signing flow over HTTP: an ephemeral P-256 key, a Fulcio certificate (REST {@code
 * POST /api/v2/signingCert} with proof of possession), RFC 3161 timestamps over the signature from
 * each timestamp authority ({@code application/timestamp-query}), an entry in each transparency
 * log, and a v0.3 bundle. Rekor v1 ({@code POST /api/v1/log/entries}) logs {@code hashedrekord} or
 * {@code dsse} 0.0.1 and answers with a SET; Rekor v2 ({@code POST /api/v2/log/entries}) logs
 * {@code hashedrekord} 0.0.2, for DSSE over the envelope's PAE, and answers with a
 * TransparencyLogEntry without a SET, so that its time comes from a timestamp (ADR 0028).
 *
 * <p>Nothing unverified is kept: each log's answer must be the entry sent, with an inclusion proof
 * that rebuilds the root hash its checkpoint names; each timestamp must answer this request's
 * nonce, cover the signature, verify (against the trusted root when one is given, else against
 * the chain it embeds) and lie in the certificate's validity. With a trusted root, the finished
 * bundle is also verified by {@link KeylessBundleVerifier} before it is returned.
 *
 * @see <a href="https://github.com/sigstore/fulcio/blob/main/fulcio.proto">Fulcio API</a>
 * @see <a href="https://github.com/sigstore/rekor/blob/main/openapi.yaml">Rekor API</a>
 * @see <a href="https://github.com/sigstore/rekor-tiles/blob/main/CLIENTS.md">Rekor v2 clients</a>
 * @see <a href="https://www.rfc-editor.org/rfc/rfc3161">RFC 3161</a>
 */
public final class KeylessSigning {
  private static final MediaType JSON_TYPE = MediaType.get("application/json");
  private static final MediaType TIMESTAMP_QUERY = MediaType.get("application/timestamp-query");
  private static final long MAX_RESPONSE_BYTES = 4L * 1024 * 1024;
  /** A TSA's answer is a few KiB even with its chain; the verifier refuses tokens above 64 KiB. */
  static final long MAX_TIMESTAMP_RESPONSE_BYTES = 64L * 1024;
  private static final int MAX_PROOF_HASHES = 64;
  private static final int MAX_CHAIN = 10;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A transparency log to write to: its base URL and its Rekor major API version (1 or 2). */
  public record Log(HttpUrl url, int majorApiVersion) {
    public Log {
      Objects.requireNonNull(url, "url");
      if (majorApiVersion != 1 && majorApiVersion != 2) {
        throw new IllegalArgumentException("Rekor major API version " + majorApiVersion + " is not 1 or 2");
      }
    }
  }

  private final OkHttpClient http;
  private final HttpUrl fulcio;
  private final List<Log> logs;
  private final List<HttpUrl> tsas;
  private final @Nullable TrustedRoot trustedRoot;
  private final TokenSource tokens;

  /**
   * Signs once, timestamps the signature at each of {@code tsas}, and logs it in each of {@code
   * logs} (a signing config's selection); with {@code trustedRoot}, what is signed is verified
   * against it before it is returned.
   *
   * @throws IllegalArgumentException without a log, or with a Rekor v2 log and no timestamp
   *     authority (a v2 entry proves inclusion, not time)
   */
  public KeylessSigning(OkHttpClient http, HttpUrl fulcio, List<Log> logs, List<HttpUrl> tsas,
      @Nullable TrustedRoot trustedRoot, TokenSource tokens) {
    if (logs.isEmpty()) {
      throw new IllegalArgumentException("no Rekor log");
    }
    if (tsas.isEmpty() && logs.stream().anyMatch(l -> l.majorApiVersion() == 2)) {
      throw new IllegalArgumentException("a Rekor v2 log gives no signed time: signing to it needs an RFC 3161"
          + " timestamp authority");
    }
    this.http = http;
    this.fulcio = fulcio;
    this.logs = List.copyOf(logs);
    this.tsas = List.copyOf(tsas);
    this.trustedRoot = trustedRoot;
    this.tokens = tokens;
  }

  public SigstoreBundle signDsse(Statement statement) throws KeylessSigningException {
    Session s = session();
    DsseEnvelope envelope;
    try {
      envelope = DsseEnvelope.sign(statement, s.signer);
    } catch (AttestException e) {
      throw new KeylessSigningException(SIGNING, "DSSE signing failed: " + e.getMessage(), e);
    }
    byte[] sig = envelope.signatures().get(0).sig();
    List<byte[]> timestamps = timestamps(sig, s);
    LogEntryBodies.Signed signed = new LogEntryBodies.Signed(s.algorithm, "SHA-256", sig, s.leafDer,
        s.key.getPublic().getEncoded(), true, null, envelope);
    List<ObjectNode> entries = new ArrayList<>();
    for (Log log : logs) {
      if (log.majorApiVersion() == 2) {
        // Rekor v2 logs DSSE as a hashedrekord over the envelope's PAE (ADR 0028).
        entries.add(logV2(log.url(), hashedRekordV2Request(sha256(envelope.pae()), sig, s), signed));
        continue;
      }
      ObjectNode entry = Json.MAPPER.createObjectNode();
      entry.put("apiVersion", "0.0.1");
      entry.put("kind", "dsse");
      ObjectNode content = entry.putObject("spec").putObject("proposedContent");
      content.put("envelope", new String(envelope.json(), StandardCharsets.UTF_8));
      content.putArray("verifiers").add(b64(Pem.write("CERTIFICATE", s.leafDer)));
      Logged l = logV1(log.url(), entry);
      String bodyProblem = KeylessBundleVerifier.dsseBodyProblem(l.body, envelope, s.leaf);
      if (bodyProblem != null) {
        throw new KeylessSigningException(REKOR, "the logged entry is not the one sent: " + bodyProblem);
      }
      entries.add(tlogEntryV1(l, "dsse"));
    }
    ObjectNode bundle = bundle(s, entries, timestamps);
    try {
      bundle.set("dsseEnvelope", Json.read(envelope.json()));
    } catch (IOException e) {
      throw new KeylessSigningException(SIGNING, "cannot write the bundle: " + e.getMessage(), e);
    }
    SigstoreBundle result = parse(bundle);
    if (trustedRoot != null) {
      KeylessResult r = KeylessBundleVerifier.of(trustedRoot).verifyDsseEnvelope(result.bytes(), s.identity, options());
      requireVerified(r);
    }
    return result;
  }

  public SigstoreBundle signMessage(Digest artifact) throws KeylessSigningException {
    if (artifact.algorithm() != Digest.Algorithm.SHA256) {
      throw new KeylessSigningException(SIGNING, "hashedrekord signing needs a sha256 digest, got " + artifact);
    }
    Session s = session();
    byte[] sig;
    try {
      // hashedrekord: ECDSA over the given SHA-256 digest.
      Signature ecdsa = Signature.getInstance("NONEwithECDSA");
      ecdsa.initSign(s.key.getPrivate());
      ecdsa.update(artifact.hash());
      sig = ecdsa.sign();
    } catch (GeneralSecurityException e) {
      throw new KeylessSigningException(SIGNING, "ECDSA signing failed: " + e.getMessage(), e);
    }
    List<byte[]> timestamps = timestamps(sig, s);
    LogEntryBodies.Signed signed = new LogEntryBodies.Signed(s.algorithm, "SHA-256", sig, s.leafDer,
        s.key.getPublic().getEncoded(), true, artifact.hash(), null);
    List<ObjectNode> entries = new ArrayList<>();
    for (Log log : logs) {
      if (log.majorApiVersion() == 2) {
        entries.add(logV2(log.url(), hashedRekordV2Request(artifact.hash(), sig, s), signed));
        continue;
      }
      ObjectNode entry = Json.MAPPER.createObjectNode();
      entry.put("apiVersion", "0.0.1");
      entry.put("kind", "hashedrekord");
      ObjectNode spec = entry.putObject("spec");
      ObjectNode hash = spec.putObject("data").putObject("hash");
      hash.put("algorithm", "sha256");
      hash.put("value", artifact.hex());
      ObjectNode signature = spec.putObject("signature");
      signature.put("content", b64(sig));
      signature.putObject("publicKey").put("content", b64(Pem.write("CERTIFICATE", s.leafDer)));
      Logged l = logV1(log.url(), entry);
      String problem = hashedRekordProblem(l.body, artifact, sig, s.leafDer);
      if (problem != null) {
        throw new KeylessSigningException(REKOR, "the logged entry is not the one sent: " + problem);
      }
      entries.add(tlogEntryV1(l, "hashedrekord"));
    }
    ObjectNode bundle = bundle(s, entries, timestamps);
    ObjectNode ms = bundle.putObject("messageSignature");
    ObjectNode md = ms.putObject("messageDigest");
    md.put("algorithm", "SHA2_256");
    md.put("digest", b64(artifact.hash()));
    ms.put("signature", b64(sig));
    SigstoreBundle result = parse(bundle);
    if (trustedRoot != null) {
      KeylessResult r = KeylessBundleVerifier.of(trustedRoot).verifyMessageSignature(result.bytes(),
          ArtifactDigests.of(artifact), s.identity, options());
      requireVerified(r);
    }
    return result;
  }

  /** What the bundle must show: its logs and SCT, and a timestamp from each authority asked. */
  private SigstoreOptions options() {
    // Every timestamp present is verified; distinct authorities are the verifier's count, so one is asked.
    return new SigstoreOptions(LogRequirement.REQUIRED, LogRequirement.REQUIRED, tsas.isEmpty() ? 0 : 1);
  }

  private static void requireVerified(KeylessResult r) throws KeylessSigningException {
    if (!r.ok()) {
      throw new KeylessSigningException(KeylessSigningException.Step.VERIFY, "the signed bundle does not verify against the trusted root: "
          + r.reason());
    }
  }

  // ---------------------------------------------------------------- token and Fulcio

  private record Session(KeyPair key, Signer signer, byte[] leafDer, X509Certificate leaf, List<byte[]> chain,
      SignatureAlgorithm algorithm, KeylessIdentity identity) {}

  private Session session() throws KeylessSigningException {
    String token = tokens.token();
    String subject = Tokens.subject(token);
    KeyPair key = Keys.generateP256();
    Signer signer = Keys.signer(key);
    byte[] proof;
    try {
      proof = signer.sign(subject.getBytes(StandardCharsets.UTF_8));
    } catch (AttestException e) {
      throw new KeylessSigningException(SIGNING, "proof of possession signing failed: " + e.getMessage(), e);
    }
    List<byte[]> chain = fulcioChain(token, key, proof);
    X509Certificate leaf;
    try {
      leaf = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(chain.get(0)));
    } catch (CertificateException e) {
      throw new KeylessSigningException(FULCIO, "answered a certificate that is not valid X.509: " + e.getMessage(), e);
    }
    if (!Arrays.equals(leaf.getPublicKey().getEncoded(), key.getPublic().getEncoded())) {
      throw new KeylessSigningException(FULCIO, "answered a certificate for another public key than the one sent");
    }
    SignatureAlgorithm alg;
    KeylessIdentity identity;
    try {
      alg = SignatureAlgorithm.forKey(key.getPublic());
      CertificateIdentity id = KeylessBundleVerifier.identityOf(leaf);
      identity = KeylessIdentity.exact(id.issuer(), id.san());
    } catch (VerificationFailure | InvalidContentException e) {
      throw new KeylessSigningException(FULCIO, "answered a certificate attest cannot use: " + e.getMessage(), e);
    }
    return new Session(key, signer, chain.get(0), leaf, chain, alg, identity);
  }

  private List<byte[]> fulcioChain(String token, KeyPair key, byte[] proof) throws KeylessSigningException {
    ObjectNode req = Json.MAPPER.createObjectNode();
    req.putObject("credentials").put("oidcIdentityToken", token);
    ObjectNode pkr = req.putObject("publicKeyRequest");
    ObjectNode pk = pkr.putObject("publicKey");
    pk.put("algorithm", "ECDSA");
    pk.put("content", new String(Pem.write("PUBLIC KEY", key.getPublic().getEncoded()), StandardCharsets.US_ASCII));
    pkr.put("proofOfPossession", b64(proof));
    HttpUrl url = fulcio.newBuilder().addPathSegments("api/v2/signingCert").build();
    byte[] answer = post(url, req, FULCIO, 200, 201);
    try {
      JsonNode n = Json.read(answer);
      JsonNode certs = n.path("signedCertificateEmbeddedSct").path("chain").path("certificates");
      if (!certs.isArray() || certs.isEmpty()) {
        String kinds = n.isObject() ? String.join(", ", fieldNames(n)) : n.getNodeType().toString();
        throw new KeylessSigningException(FULCIO,
            "answered no certificate chain with an embedded SCT (got " + kinds + ")");
      }
      if (certs.size() > MAX_CHAIN) {
        throw new KeylessSigningException(FULCIO, "answered " + certs.size() + " certificates, more than " + MAX_CHAIN);
      }
      List<byte[]> chain = new ArrayList<>();
      for (JsonNode c : certs) {
        if (!c.isTextual()) {
          throw new KeylessSigningException(FULCIO, "answered a certificate that is not a PEM string");
        }
        chain.add(Pem.read(c.asText().getBytes(StandardCharsets.US_ASCII), "Fulcio certificate").der());
      }
      return chain;
    } catch (IOException | AttestException e) {
      if (e instanceof KeylessSigningException k) {
        throw k;
      }
      throw new KeylessSigningException(FULCIO, "answered malformed content: " + e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------- Rekor

  /** A Rekor v1 log entry as answered, with its inclusion proof verified. */
  private record Logged(byte[] body, long logIndex, byte[] logId, long integratedTime, byte[] set,
      long proofIndex, long treeSize, byte[] rootHash, List<byte[]> hashes, String checkpoint) {}

  private Logged logV1(HttpUrl rekor, ObjectNode proposed) throws KeylessSigningException {
    HttpUrl url = rekor.newBuilder().addPathSegments("api/v1/log/entries").build();
    return readEntry(post(url, proposed, REKOR, 201, 201));
  }

  // ---------------------------------------------------------------- Rekor v2

  /**
   * A Rekor v2 {@code CreateEntryRequest} for a {@code hashedrekord} 0.0.2 entry: the digest, the
   * signature and the certificate with its key details. The field name is the proto's {@code
   * json_name}, as rekor-tiles' CLIENTS.md and sigstore-python send it.
   */
  private static ObjectNode hashedRekordV2Request(byte[] digest, byte[] sig, Session s) {
    ObjectNode req = Json.MAPPER.createObjectNode();
    ObjectNode h = req.putObject("hashedRekordRequestV0_0_2");
    h.put("digest", b64(digest));
    ObjectNode signature = h.putObject("signature");
    signature.put("content", b64(sig));
    ObjectNode verifier = signature.putObject("verifier");
    verifier.putObject("x509Certificate").put("rawBytes", b64(s.leafDer));
    verifier.put("keyDetails", s.algorithm.name());
    return req;
  }

  /**
   * Logs {@code request} in the Rekor v2 log at {@code rekor} and checks its answer (see {@link
   * #readEntryV2}).
   */
  private ObjectNode logV2(HttpUrl rekor, ObjectNode request, LogEntryBodies.Signed signed)
      throws KeylessSigningException {
    HttpUrl url = rekor.newBuilder().addPathSegments("api/v2/log/entries").build();
    return readEntryV2(post(url, request, REKOR, 200, 201), signed);
  }

  /**
   * Reads a Rekor v2 answer, a protobuf-JSON {@code TransparencyLogEntry}: a {@code hashedrekord}
   * 0.0.2 entry whose body logs exactly {@code signed}, a 32-byte log ID, no integrated time, and
   * an inclusion proof of the body that rebuilds the root hash of a well-formed checkpoint for the
   * same tree. Returns the entry in bundle form, written from the checked values only.
   */
  static ObjectNode readEntryV2(byte[] answer, LogEntryBodies.Signed signed) throws KeylessSigningException {
    String w = "Rekor v2 entry";
    try {
      JsonNode e = Json.read(answer);
      if (!e.isObject()) {
        throw new KeylessSigningException(REKOR, "answered " + e.getNodeType() + ", not a TransparencyLogEntry object");
      }
      long logIndex = int64(e, "logIndex", w);
      byte[] logId = base64(text(e.path("logId"), "keyId", w + " logId"), w + " logId");
      if (logId.length != 32) {
        throw new KeylessSigningException(REKOR, "answered a log ID of " + logId.length + " bytes, expected 32");
      }
      JsonNode kv = e.path("kindVersion");
      String kind = text(kv, "kind", w + " kindVersion");
      String version = text(kv, "version", w + " kindVersion");
      if (!"hashedrekord".equals(kind) || !"0.0.2".equals(version)) {
        throw new KeylessSigningException(REKOR, "answered a " + clip(kind) + " " + clip(version)
            + " entry, but a hashedrekord 0.0.2 entry was sent");
      }
      JsonNode it = e.get("integratedTime");
      if (it != null && !it.isNull() && !"0".equals(it.asText())) {
        throw new KeylessSigningException(REKOR, "answered an integrated time (" + clip(it.asText()) + ") without a"
            + " signed entry timestamp: a Rekor v2 log vouches for no time");
      }
      byte[] body = base64(text(e, "canonicalizedBody", w), w + " canonicalizedBody");
      try {
        LogEntryBodies.check(kind, version, body, signed);
      } catch (VerificationFailure f) {
        throw new KeylessSigningException(REKOR, "the logged entry is not the one sent: " + f.getMessage(), f);
      }
      JsonNode proof = e.path("inclusionProof");
      if (!proof.isObject()) {
        throw new KeylessSigningException(REKOR, "answered an entry without an inclusion proof");
      }
      long proofIndex = int64(proof, "logIndex", "inclusion proof");
      long treeSize = int64(proof, "treeSize", "inclusion proof");
      if (proofIndex != logIndex) {
        throw new KeylessSigningException(REKOR, "answered log index " + logIndex + " but an inclusion proof for index "
            + proofIndex);
      }
      byte[] rootHash = base64(text(proof, "rootHash", "inclusion proof"), "inclusion proof rootHash");
      JsonNode hashNodes = proof.path("hashes");
      if (!hashNodes.isArray() || hashNodes.size() > MAX_PROOF_HASHES) {
        throw new KeylessSigningException(REKOR, "inclusion proof 'hashes' is not an array of at most "
            + MAX_PROOF_HASHES);
      }
      List<byte[]> hashes = new ArrayList<>();
      for (JsonNode h : hashNodes) {
        if (!h.isTextual()) {
          throw new KeylessSigningException(REKOR, "inclusion proof has a hash that is not a string");
        }
        hashes.add(base64(h.asText(), "inclusion proof hash"));
      }
      String envelope = text(proof.path("checkpoint"), "envelope", "inclusion proof checkpoint");
      String problem = InclusionProofs.rootProblem(body, proofIndex, treeSize, hashes, rootHash);
      if (problem != null) {
        throw new KeylessSigningException(REKOR, "answered an inclusion proof that does not verify: " + problem);
      }
      Checkpoint cp;
      try {
        cp = Checkpoint.parse(envelope);
      } catch (VerificationFailure f) {
        throw new KeylessSigningException(REKOR, "answered a malformed checkpoint: " + f.getMessage(), f);
      }
      if (!cp.commitsTo(treeSize, rootHash)) {
        throw new KeylessSigningException(REKOR, "answered a checkpoint (tree size " + cp.treeSize() + ") that does not"
            + " commit to the inclusion proof's tree size " + treeSize + " and root hash");
      }
      ObjectNode out = Json.MAPPER.createObjectNode();
      out.put("logIndex", Long.toString(logIndex));
      out.putObject("logId").put("keyId", b64(logId));
      ObjectNode okv = out.putObject("kindVersion");
      okv.put("kind", kind);
      okv.put("version", version);
      out.put("integratedTime", "0");
      ObjectNode p = out.putObject("inclusionProof");
      p.put("logIndex", Long.toString(proofIndex));
      p.put("rootHash", b64(rootHash));
      p.put("treeSize", Long.toString(treeSize));
      ArrayNode hs = p.putArray("hashes");
      hashes.forEach(h -> hs.add(b64(h)));
      p.putObject("checkpoint").put("envelope", envelope);
      out.put("canonicalizedBody", b64(body));
      return out;
    } catch (IOException | IllegalArgumentException e) {
      throw new KeylessSigningException(REKOR, "answered malformed content: " + e.getMessage(), e);
    }
  }

  /** A protobuf-JSON int64: a decimal string (or a number), non-negative; absent is protobuf's zero. */
  private static long int64(JsonNode n, String field, String where) throws KeylessSigningException {
    JsonNode v = n.get(field);
    if (v == null) {
      if ("logIndex".equals(field)) {
        return 0;
      }
      throw new KeylessSigningException(REKOR, where + " has no '" + field + "'");
    }
    if (v.isTextual() && v.asText().matches("0|[1-9][0-9]{0,18}")) {
      return Long.parseLong(v.asText());
    }
    if (v.isIntegralNumber() && v.canConvertToLong() && v.asLong() >= 0) {
      return v.asLong();
    }
    throw new KeylessSigningException(REKOR, where + " has no non-negative integer '" + field + "'");
  }

  private static byte[] base64(String s, String what) throws KeylessSigningException {
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      throw new KeylessSigningException(REKOR, what + " is not base64", e);
    }
  }

  private static String clip(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }

  // ---------------------------------------------------------------- timestamps

  /** One RFC 3161 timestamp over {@code sig} from each authority, each checked (see the class comment). */
  private List<byte[]> timestamps(byte[] sig, Session s) throws KeylessSigningException {
    List<byte[]> out = new ArrayList<>();
    for (HttpUrl tsa : tsas) {
      out.add(timestamp(tsa, sig, s.leaf));
    }
    return out;
  }

  private byte[] timestamp(HttpUrl tsa, byte[] sig, X509Certificate leaf) throws KeylessSigningException {
    BigInteger nonce = new BigInteger(64, RANDOM).setBit(63);
    Request request = new Request.Builder().url(tsa)
        .header("Accept", "application/timestamp-reply")
        .post(RequestBody.create(Rfc3161.request(sig, nonce), TIMESTAMP_QUERY)).build();
    byte[] token;
    try (Response response = http.newCall(request).execute()) {
      byte[] body = Http.boundedBody(response, MAX_TIMESTAMP_RESPONSE_BYTES);
      if (response.code() != 200) {
        throw new KeylessSigningException(TIMESTAMP, "POST " + tsa + " answered " + response.code() + ": "
            + Http.snippet(body));
      }
      String type = response.header("Content-Type");
      if (type != null && !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/timestamp-reply")) {
        throw new KeylessSigningException(TIMESTAMP, "POST " + tsa + " answered Content-Type '" + clip(type)
            + "', not application/timestamp-reply: " + Http.snippet(body));
      }
      token = body;
    } catch (IOException e) {
      throw new KeylessSigningException(TIMESTAMP, "POST " + tsa + " failed: " + e.getClass().getSimpleName() + " "
          + e.getMessage(), e);
    }
    try {
      BigInteger answered = Rfc3161.nonce(token);
      if (!nonce.equals(answered)) {
        throw new KeylessSigningException(TIMESTAMP, tsa + " answered a timestamp " + (answered == null
            ? "without a nonce" : "for another nonce") + ": not the answer to this request");
      }
      Rfc3161.Verified v = trustedRoot != null
          ? Rfc3161.verifyDetailed(token, sig, trustedRoot.timestampAuthorities())
          : Rfc3161.verifyAgainstEmbedded(token, sig, tsa.toString());
      Instant t = v.genTime();
      if (t.isBefore(leaf.getNotBefore().toInstant()) || t.isAfter(leaf.getNotAfter().toInstant())) {
        throw new KeylessSigningException(TIMESTAMP, tsa + " timestamped the signature at " + t + ", outside the"
            + " certificate's validity (" + leaf.getNotBefore().toInstant() + " to " + leaf.getNotAfter().toInstant()
            + "): a verifier would refuse it; check the clocks");
      }
      return token;
    } catch (VerificationFailure e) {
      throw new KeylessSigningException(TIMESTAMP, tsa + " answered a timestamp that does not verify: "
          + e.getMessage(), e);
    }
  }

  /** Reads and checks Rekor's answer: exactly one entry, with a verified inclusion proof. */
  static Logged readEntry(byte[] answer) throws KeylessSigningException {
    try {
      JsonNode n = Json.read(answer);
      if (!n.isObject() || n.size() != 1) {
        throw new KeylessSigningException(REKOR, "answered " + n.size() + " entries, expected exactly one");
      }
      JsonNode e = n.elements().next();
      String w = "Rekor entry";
      byte[] body = Base64.getDecoder().decode(text(e, "body", w));
      long logIndex = number(e, "logIndex", w);
      long integratedTime = number(e, "integratedTime", w);
      byte[] logId = hex(text(e, "logID", w), "logID");
      JsonNode verification = e.path("verification");
      if (!verification.isObject()) {
        throw new KeylessSigningException(REKOR, "answered an entry without 'verification'");
      }
      byte[] set = Base64.getDecoder().decode(text(verification, "signedEntryTimestamp", w));
      JsonNode proof = verification.path("inclusionProof");
      if (!proof.isObject()) {
        throw new KeylessSigningException(REKOR, "answered an entry without an inclusion proof");
      }
      long proofIndex = number(proof, "logIndex", "inclusion proof");
      long treeSize = number(proof, "treeSize", "inclusion proof");
      byte[] rootHash = hex(text(proof, "rootHash", "inclusion proof"), "rootHash");
      String checkpoint = text(proof, "checkpoint", "inclusion proof");
      JsonNode hashNodes = proof.path("hashes");
      if (!hashNodes.isArray() || hashNodes.size() > MAX_PROOF_HASHES) {
        throw new KeylessSigningException(REKOR, "inclusion proof 'hashes' is not an array of at most "
            + MAX_PROOF_HASHES);
      }
      List<byte[]> hashes = new ArrayList<>();
      for (JsonNode h : hashNodes) {
        if (!h.isTextual()) {
          throw new KeylessSigningException(REKOR, "inclusion proof has a hash that is not a string");
        }
        hashes.add(hex(h.asText(), "inclusion proof hash"));
      }
      String problem = InclusionProofs.problem(body, proofIndex, treeSize, hashes, rootHash, checkpoint);
      if (problem != null) {
        throw new KeylessSigningException(REKOR, "answered an inclusion proof that does not verify: " + problem);
      }
      return new Logged(body, logIndex, logId, integratedTime, set, proofIndex, treeSize, rootHash, hashes, checkpoint);
    } catch (IOException | IllegalArgumentException e) {
      throw new KeylessSigningException(REKOR, "answered malformed content: " + e.getMessage(), e);
    }
  }

  private static @org.jspecify.annotations.Nullable String hashedRekordProblem(
      byte[] body, Digest artifact, byte[] sig, byte[] leafDer) {
    try {
      JsonNode n = Json.read(body);
      if (!"hashedrekord".equals(n.path("kind").asText()) || !"0.0.1".equals(n.path("apiVersion").asText())) {
        return "the body is not a hashedrekord 0.0.1 entry";
      }
      JsonNode spec = n.path("spec");
      if (!artifact.hex().equals(spec.path("data").path("hash").path("value").asText())
          || !"sha256".equals(spec.path("data").path("hash").path("algorithm").asText())) {
        return "the body's hash is not the artifact's " + artifact;
      }
      if (!b64(sig).equals(spec.path("signature").path("content").asText())) {
        return "the body's signature is not ours";
      }
      byte[] pem = Base64.getDecoder().decode(spec.path("signature").path("publicKey").path("content").asText());
      if (!Arrays.equals(Pem.read(pem, "logged certificate").der(), leafDer)) {
        return "the body's certificate is not ours";
      }
      return null;
    } catch (IOException | IllegalArgumentException | AttestException e) {
      return "the body is malformed: " + e.getMessage();
    }
  }

  // ---------------------------------------------------------------- bundle

  private static ObjectNode bundle(Session s, List<ObjectNode> entries, List<byte[]> timestamps) {
    ObjectNode bundle = Json.MAPPER.createObjectNode();
    bundle.put("mediaType", SigstoreBundle.MEDIA_TYPE_V0_3);
    ObjectNode vm = bundle.putObject("verificationMaterial");
    vm.putObject("certificate").put("rawBytes", b64(s.leafDer));
    ArrayNode tlog = vm.putArray("tlogEntries");
    entries.forEach(tlog::add);
    if (!timestamps.isEmpty()) {
      ArrayNode ts = vm.putObject("timestampVerificationData").putArray("rfc3161Timestamps");
      timestamps.forEach(t -> ts.addObject().put("signedTimestamp", b64(t)));
    }
    return bundle;
  }

  private static ObjectNode tlogEntryV1(Logged l, String kind) {
    ObjectNode e = Json.MAPPER.createObjectNode();
    e.put("logIndex", Long.toString(l.logIndex));
    e.putObject("logId").put("keyId", b64(l.logId));
    ObjectNode kv = e.putObject("kindVersion");
    kv.put("kind", kind);
    kv.put("version", "0.0.1");
    e.put("integratedTime", Long.toString(l.integratedTime));
    e.putObject("inclusionPromise").put("signedEntryTimestamp", b64(l.set));
    ObjectNode proof = e.putObject("inclusionProof");
    proof.put("logIndex", Long.toString(l.proofIndex));
    proof.put("rootHash", b64(l.rootHash));
    proof.put("treeSize", Long.toString(l.treeSize));
    ArrayNode hashes = proof.putArray("hashes");
    l.hashes.forEach(h -> hashes.add(b64(h)));
    proof.putObject("checkpoint").put("envelope", l.checkpoint);
    e.put("canonicalizedBody", b64(l.body));
    return e;
  }

  private static SigstoreBundle parse(ObjectNode bundle) throws KeylessSigningException {
    try {
      return SigstoreBundle.parse(Json.MAPPER.writeValueAsBytes(bundle));
    } catch (IOException | AttestException e) {
      throw new KeylessSigningException(SIGNING, "the assembled bundle is not valid: " + e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------- HTTP and JSON helpers

  private byte[] post(HttpUrl url, ObjectNode json, KeylessSigningException.Step step, int okLow, int okHigh)
      throws KeylessSigningException {
    byte[] bytes;
    try {
      bytes = Json.MAPPER.writeValueAsBytes(json);
    } catch (IOException e) {
      throw new KeylessSigningException(SIGNING, "cannot write the request: " + e.getMessage(), e);
    }
    Request request = new Request.Builder().url(url).header("Accept", "application/json")
        .post(RequestBody.create(bytes, JSON_TYPE)).build();
    try (Response response = http.newCall(request).execute()) {
      byte[] body = Http.boundedBody(response, MAX_RESPONSE_BYTES);
      int code = response.code();
      if (code == 409 && step == REKOR) {
        throw new KeylessSigningException(step, "POST " + url + " answered 409 Conflict (the entry already exists"
            + " in the log): " + Http.snippet(body));
      }
      if (code < okLow || code > okHigh) {
        throw new KeylessSigningException(step, "POST " + url + " answered " + code + ": " + Http.snippet(body));
      }
      return body;
    } catch (IOException e) {
      throw new KeylessSigningException(step, "POST " + url + " failed: " + e.getClass().getSimpleName() + " "
          + e.getMessage(), e);
    }
  }

  private static List<String> fieldNames(JsonNode n) {
    List<String> names = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      names.add(it.next().getKey());
    }
    return names;
  }

  private static String text(JsonNode n, String field, String where) throws KeylessSigningException {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual() || v.asText().isEmpty()) {
      throw new KeylessSigningException(REKOR, where + " has no '" + field + "' string");
    }
    return v.asText();
  }

  private static long number(JsonNode n, String field, String where) throws KeylessSigningException {
    JsonNode v = n.get(field);
    if (v == null || !v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 0) {
      throw new KeylessSigningException(REKOR, where + " has no non-negative integer '" + field + "'");
    }
    return v.asLong();
  }

  private static byte[] hex(String s, String what) throws KeylessSigningException {
    try {
      return HexFormat.of().parseHex(s);
    } catch (IllegalArgumentException e) {
      throw new KeylessSigningException(REKOR, what + " is not hex: " + e.getMessage(), e);
    }
  }

  static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  static byte[] sha256(byte[]... parts) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (byte[] p : parts) {
        md.update(p);
      }
      return md.digest();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
