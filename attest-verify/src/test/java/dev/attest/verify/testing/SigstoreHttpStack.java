package dev.attest.verify.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.attest.core.Digest;
import dev.attest.core.Keys;
import dev.attest.verify.testing.SigstoreTestStack.Identity;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link SigstoreTestStack} served over HTTP on 127.0.0.1: an OIDC token endpoint in the manner of
 * GitHub Actions ({@code GET /token?audience=...} with a bearer), a Fulcio-compatible {@code POST
 * /api/v2/signingCert} that verifies the token and the proof of possession and issues a
 * certificate for the token's workflow identity, a Rekor-compatible {@code POST
 * /api/v1/log/entries} for {@code hashedrekord} and {@code dsse} 0.0.1 (409 for a repeated entry),
 * a Rekor v2 {@code POST /api/v2/log/entries} (hashedrekord and dsse 0.0.2, no SET, tiles-style
 * checkpoint) and an RFC 3161 timestamp authority at {@code POST /api/v1/timestamp}; the v2 log and
 * the TSA can be told to answer wrongly ({@link #v2Fault}, {@link #tsaFault}).
 */
public final class SigstoreHttpStack implements AutoCloseable {
  public static final String REQUEST_TOKEN = "gha-request-token";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SigstoreTestStack stack;
  private final HttpServer server;
  private final KeyPair issuerKey = Keys.generateP256();
  private final Set<String> logged = new HashSet<>();
  private final AtomicInteger fulcioCalls = new AtomicInteger();
  private final AtomicInteger tsaCalls = new AtomicInteger();
  private volatile SigstoreTestStack.V2Fault v2Fault = SigstoreTestStack.V2Fault.NONE;
  private volatile SigstoreTestStack.TsaFault tsaFault = SigstoreTestStack.TsaFault.NONE;
  private volatile String repo = "acme/app";
  private volatile String ref = "refs/heads/main";
  private volatile String workflowPath = ".github/workflows/release.yml";

  private SigstoreHttpStack(SigstoreTestStack stack) throws IOException {
    this.stack = stack;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/token", ex -> handle(ex, this::token));
    server.createContext("/api/v2/signingCert", ex -> handle(ex, this::signingCert));
    server.createContext("/api/v1/log/entries", ex -> handle(ex, this::logEntries));
    server.createContext("/api/v2/log/entries", ex -> handle(ex, this::logEntriesV2));
    server.createContext("/api/v1/timestamp", this::timestampHandler);
    server.start();
  }

  public static SigstoreHttpStack start(SigstoreTestStack stack) throws IOException {
    return new SigstoreHttpStack(stack);
  }

  /** The base URL, e.g. {@code http://127.0.0.1:1234}, serving Fulcio and Rekor. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The GitHub Actions environment variables of a job run by this stack's token endpoint. */
  public Map<String, String> githubActionsEnv() {
    return Map.of(
        "ACTIONS_ID_TOKEN_REQUEST_URL", url() + "/token?api-version=2.0",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN", REQUEST_TOKEN,
        "GITHUB_ACTIONS", "true");
  }

  /** The workflow the token endpoint issues tokens for. */
  public SigstoreHttpStack workflow(String repo, String ref, String workflowPath) {
    this.repo = repo;
    this.ref = ref;
    this.workflowPath = workflowPath;
    return this;
  }

  /** The identity Fulcio certifies for the current workflow. */
  public Identity identity() {
    return Identity.githubActions(repo, ref, workflowPath);
  }

  public int fulcioCalls() {
    return fulcioCalls.get();
  }

  /** A token for {@code audience}, signed by this stack's issuer, as GitHub Actions issues it. */
  public String token(String audience) {
    ObjectNode claims = JSON.createObjectNode();
    claims.put("iss", SigstoreTestStack.GITHUB_ISSUER);
    claims.put("aud", audience);
    claims.put("sub", "repo:" + repo + ":ref:" + ref);
    claims.put("repository", repo);
    claims.put("ref", ref);
    claims.put("job_workflow_ref", repo + "/" + workflowPath + "@" + ref);
    claims.put("workflow_ref", repo + "/" + workflowPath + "@" + ref);
    claims.put("runner_environment", "github-hosted");
    claims.put("exp", Instant.now().plusSeconds(300).getEpochSecond());
    claims.put("iat", Instant.now().getEpochSecond());
    String header = b64url("{\"alg\":\"ES256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String payload = b64url(json(claims));
    String input = header + "." + payload;
    try {
      Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
      s.initSign(issuerKey.getPrivate());
      s.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + b64url(s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }

  // ---------------------------------------------------------------- handlers

  private record Answer(int status, byte[] body) {
    static Answer json(int status, Object node) {
      return new Answer(status, SigstoreHttpStack.json(node));
    }

    static Answer error(int status, String message) {
      ObjectNode n = JSON.createObjectNode();
      n.put("code", status);
      n.put("message", message);
      return json(status, n);
    }
  }

  private interface Handler {
    Answer handle(HttpExchange ex, byte[] body) throws Exception;
  }

  private static void handle(HttpExchange ex, Handler h) throws IOException {
    Answer a;
    try (InputStream in = ex.getRequestBody()) {
      a = h.handle(ex, in.readNBytes(1 << 20));
    } catch (Exception e) {
      a = Answer.error(400, e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(a.status, a.body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(a.body);
    }
  }

  private Answer token(HttpExchange ex, byte[] body) {
    if (!("bearer " + REQUEST_TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
      return Answer.error(401, "bad request token");
    }
    String query = ex.getRequestURI().getQuery();
    String audience = null;
    for (String p : query == null ? new String[0] : query.split("&")) {
      if (p.startsWith("audience=")) {
        audience = p.substring("audience=".length());
      }
    }
    if (audience == null) {
      return Answer.error(400, "no audience");
    }
    ObjectNode n = JSON.createObjectNode();
    n.put("value", token(audience));
    return Answer.json(200, n);
  }

  private Answer signingCert(HttpExchange ex, byte[] body) throws Exception {
    fulcioCalls.incrementAndGet();
    JsonNode req = JSON.readTree(body);
    String jwt = req.path("credentials").path("oidcIdentityToken").asText();
    String[] parts = jwt.split("\\.");
    if (parts.length != 3) {
      return Answer.error(400, "the identity token is not a JWT");
    }
    Signature verify = Signature.getInstance("SHA256withECDSAinP1363Format");
    verify.initVerify(issuerKey.getPublic());
    verify.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
    if (!verify.verify(Base64.getUrlDecoder().decode(parts[2]))) {
      return Answer.error(401, "the identity token's signature is not valid");
    }
    JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
    if (!"sigstore".equals(claims.path("aud").asText())) {
      return Answer.error(401, "the identity token's audience is not sigstore");
    }
    if (claims.path("exp").asLong() < Instant.now().getEpochSecond()) {
      return Answer.error(401, "the identity token expired");
    }
    String pem = req.path("publicKeyRequest").path("publicKey").path("content").asText();
    String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    PublicKey key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(b64)));
    byte[] proof = Base64.getDecoder().decode(req.path("publicKeyRequest").path("proofOfPossession").asText());
    Signature pop = Signature.getInstance("SHA256withECDSA");
    pop.initVerify(key);
    pop.update(claims.path("sub").asText().getBytes(StandardCharsets.UTF_8));
    if (!pop.verify(proof)) {
      return Answer.error(400, "the proof of possession is not a signature of the token's subject");
    }
    String workflowRef = claims.path("job_workflow_ref").asText();
    String repository = claims.path("repository").asText();
    String path = workflowRef.substring(repository.length() + 1, workflowRef.lastIndexOf('@'));
    Identity identity = Identity.githubActions(repository, claims.path("ref").asText(), path);
    byte[] leaf = stack.issueCertificate(identity, key);
    ObjectNode answer = JSON.createObjectNode();
    ArrayNode certs = answer.putObject("signedCertificateEmbeddedSct").putObject("chain").putArray("certificates");
    certs.add(pemString(leaf));
    certs.add(pemString(stack.intermediateCertificate().getEncoded()));
    certs.add(pemString(stack.rootCertificate().getEncoded()));
    return Answer.json(201, answer);
  }

  /** How the Rekor v2 log answers from now on. */
  public SigstoreHttpStack v2Fault(SigstoreTestStack.V2Fault fault) {
    this.v2Fault = fault;
    return this;
  }

  /** How the timestamp authority answers from now on. */
  public SigstoreHttpStack tsaFault(SigstoreTestStack.TsaFault fault) {
    this.tsaFault = fault;
    return this;
  }

  /** The Rekor v2 base URL: entries are posted to {@code /api/v2/log/entries} under it. */
  public String rekorV2Url() {
    return url();
  }

  /** The timestamp authority's full URL. */
  public String tsaUrl() {
    return url() + "/api/v1/timestamp";
  }

  public int tsaCalls() {
    return tsaCalls.get();
  }

  /**
   * Rekor v2 {@code POST /api/v2/log/entries}: a {@code CreateEntryRequest} with a {@code
   * hashedRekordRequestV0_0_2} or {@code dsseRequestV0_0_2} (also under the proto names without
   * underscores, as sigstore-js writes them). The signature is verified with the certificate's key
   * (over the digest, or over the DSSE PAE); the entry is logged with the verifier as sent.
   */
  private Answer logEntriesV2(HttpExchange ex, byte[] body) throws Exception {
    JsonNode req = JSON.readTree(body);
    JsonNode hr = first(req, "hashedRekordRequestV0_0_2", "hashedRekordRequestV002");
    JsonNode dr = first(req, "dsseRequestV0_0_2", "dsseRequestV002");
    ObjectNode entry = JSON.createObjectNode();
    entry.put("apiVersion", "0.0.2");
    String kind;
    if (hr != null) {
      kind = "hashedrekord";
      byte[] digest = Base64.getDecoder().decode(hr.path("digest").asText());
      byte[] sig = Base64.getDecoder().decode(hr.path("signature").path("content").asText());
      JsonNode verifier = hr.path("signature").path("verifier");
      if (!verify(verifier, "NONEwithECDSA", digest, sig)) {
        return Answer.error(400, "the signature does not verify over the digest with the verifier's key");
      }
      if (v2Fault == SigstoreTestStack.V2Fault.OTHER_BODY) {
        digest = Digest.sha256(digest).hash();
      }
      entry.put("kind", kind);
      ObjectNode spec = entry.putObject("spec").putObject("hashedRekordV002");
      ObjectNode data = spec.putObject("data");
      data.put("algorithm", "SHA2_256");
      data.put("digest", b64(digest));
      ObjectNode s = spec.putObject("signature");
      s.put("content", b64(sig));
      s.set("verifier", verifier);
    } else if (dr != null) {
      kind = "dsse";
      JsonNode env = dr.path("envelope");
      byte[] payload = Base64.getDecoder().decode(env.path("payload").asText());
      String payloadType = env.path("payloadType").asText();
      JsonNode sigs = env.path("signatures");
      JsonNode verifiers = dr.path("verifiers");
      if (sigs.size() != 1 || verifiers.size() != 1) {
        return Answer.error(400, "exactly one signature and one verifier are supported");
      }
      byte[] sig = Base64.getDecoder().decode(sigs.path(0).path("sig").asText());
      byte[] pae = dev.attest.core.DsseEnvelope.of(payloadType, payload, List.of()).pae();
      if (!verify(verifiers.path(0), "SHA256withECDSA", pae, sig)) {
        return Answer.error(400, "the DSSE signature does not verify with the verifier's key");
      }
      entry.put("kind", kind);
      ObjectNode spec = entry.putObject("spec").putObject("dsseV002");
      ObjectNode ph = spec.putObject("payloadHash");
      ph.put("algorithm", "SHA2_256");
      ph.put("digest", b64(Digest.sha256(v2Fault == SigstoreTestStack.V2Fault.OTHER_BODY
          ? new byte[] {1} : payload).hash()));
      ObjectNode s = spec.putArray("signatures").addObject();
      s.put("content", b64(sig));
      s.set("verifier", verifiers.path(0));
    } else {
      return Answer.error(400, "no hashedRekordRequestV0_0_2 or dsseRequestV0_0_2 in the request");
    }
    byte[] canonical = SigstoreTestStack.canonicalJson(entry);
    String id = Digest.sha256(canonical).hex();
    synchronized (logged) {
      if (!logged.add("v2:" + id)) {
        return Answer.error(409, "an equivalent entry already exists in the log");
      }
    }
    return Answer.json(201, stack.appendToLogV2(kind, canonical, v2Fault));
  }

  private static JsonNode first(JsonNode n, String a, String b) {
    JsonNode v = n.get(a);
    return v != null ? v : n.get(b);
  }

  /** Verifies {@code sig} with a Rekor v2 verifier's certificate or key (P-256 only, as the stack issues). */
  private static boolean verify(JsonNode verifier, String alg, byte[] message, byte[] sig) throws Exception {
    if (!"PKIX_ECDSA_P256_SHA_256".equals(verifier.path("keyDetails").asText())) {
      return false;
    }
    PublicKey key;
    if (verifier.has("x509Certificate")) {
      byte[] der = Base64.getDecoder().decode(verifier.path("x509Certificate").path("rawBytes").asText());
      key = CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der)).getPublicKey();
    } else {
      byte[] der = Base64.getDecoder().decode(verifier.path("publicKey").path("rawBytes").asText());
      key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
    }
    Signature s = Signature.getInstance(alg);
    s.initVerify(key);
    s.update(message);
    try {
      return s.verify(sig);
    } catch (java.security.SignatureException e) {
      return false;
    }
  }

  /**
   * An RFC 3161 TSA at {@code POST /api/v1/timestamp}, as Sigstore's timestamp-authority serves
   * it: a DER TimeStampReq ({@code application/timestamp-query}) or its JSON request ({@code
   * artifactHash}, {@code hashAlgorithm}, {@code nonce}, {@code certificates}); the answer is a
   * DER TimeStampResp ({@code application/timestamp-reply}).
   */
  private void timestampHandler(HttpExchange ex) throws IOException {
    tsaCalls.incrementAndGet();
    byte[] answer;
    int status = 200;
    String type = "application/timestamp-reply";
    try (InputStream in = ex.getRequestBody()) {
      byte[] body = in.readNBytes(64 * 1024);
      String ct = String.valueOf(ex.getRequestHeaders().getFirst("Content-Type"));
      if (ct.startsWith("application/json")) {
        JsonNode req = JSON.readTree(body);
        if (!"sha256".equals(req.path("hashAlgorithm").asText())) {
          throw new IllegalArgumentException("only sha256 is supported");
        }
        answer = stack.timestampJson(Base64.getDecoder().decode(req.path("artifactHash").asText()),
            req.path("certificates").asBoolean(false),
            req.hasNonNull("nonce") ? new java.math.BigInteger(req.path("nonce").asText()) : null);
      } else if (ct.startsWith("application/timestamp-query")) {
        answer = stack.timestamp(body, tsaFault);
      } else {
        throw new IllegalArgumentException("unsupported Content-Type " + ct);
      }
    } catch (RuntimeException e) {
      status = 400;
      type = "text/plain";
      answer = ("bad timestamp request: " + e.getMessage()).getBytes(StandardCharsets.UTF_8);
    }
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, answer.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(answer);
    }
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  private Answer logEntries(HttpExchange ex, byte[] body) throws Exception {
    JsonNode req = JSON.readTree(body);
    String kind = req.path("kind").asText();
    if (!"0.0.1".equals(req.path("apiVersion").asText())) {
      return Answer.error(400, "unsupported apiVersion");
    }
    byte[] canonical;
    byte[] certPem;
    if ("hashedrekord".equals(kind)) {
      canonical = SigstoreTestStack.canonicalJson((ObjectNode) req);
      certPem = Base64.getDecoder().decode(req.path("spec").path("signature").path("publicKey").path("content").asText());
    } else if ("dsse".equals(kind)) {
      JsonNode content = req.path("spec").path("proposedContent");
      byte[] envelopeJson = content.path("envelope").asText().getBytes(StandardCharsets.UTF_8);
      JsonNode envelope = JSON.readTree(envelopeJson);
      certPem = Base64.getDecoder().decode(content.path("verifiers").path(0).asText());
      ObjectNode entry = JSON.createObjectNode();
      entry.put("apiVersion", "0.0.1");
      entry.put("kind", "dsse");
      ObjectNode spec = entry.putObject("spec");
      ObjectNode envelopeHash = spec.putObject("envelopeHash");
      envelopeHash.put("algorithm", "sha256");
      envelopeHash.put("value", Digest.sha256(envelopeJson).hex());
      ObjectNode payloadHash = spec.putObject("payloadHash");
      payloadHash.put("algorithm", "sha256");
      payloadHash.put("value", Digest.sha256(Base64.getDecoder().decode(envelope.path("payload").asText())).hex());
      ObjectNode s = spec.putArray("signatures").addObject();
      s.put("signature", envelope.path("signatures").path(0).path("sig").asText());
      s.put("verifier", content.path("verifiers").path(0).asText());
      canonical = SigstoreTestStack.canonicalJson(entry);
    } else {
      return Answer.error(400, "unsupported kind " + kind);
    }
    String uuid = Digest.sha256(canonical).hex();
    synchronized (logged) {
      if (!logged.add(uuid)) {
        return Answer.error(409, "an equivalent entry already exists in the transparency log with UUID " + uuid);
      }
    }
    X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(certPem));
    ObjectNode e = stack.appendToLog(kind, canonical, cert.getNotBefore().toInstant());
    ObjectNode v1 = JSON.createObjectNode();
    v1.put("body", e.path("canonicalizedBody").asText());
    v1.put("integratedTime", Long.parseLong(e.path("integratedTime").asText()));
    v1.put("logID", hex(e.path("logId").path("keyId").asText()));
    v1.put("logIndex", Long.parseLong(e.path("logIndex").asText()));
    ObjectNode verification = v1.putObject("verification");
    verification.put("signedEntryTimestamp", e.path("inclusionPromise").path("signedEntryTimestamp").asText());
    JsonNode p = e.path("inclusionProof");
    ObjectNode proof = verification.putObject("inclusionProof");
    proof.put("checkpoint", p.path("checkpoint").path("envelope").asText());
    ArrayNode hashes = proof.putArray("hashes");
    p.path("hashes").forEach(h -> hashes.add(hex(h.asText())));
    proof.put("logIndex", Long.parseLong(p.path("logIndex").asText()));
    proof.put("rootHash", hex(p.path("rootHash").asText()));
    proof.put("treeSize", Long.parseLong(p.path("treeSize").asText()));
    ObjectNode answer = JSON.createObjectNode();
    answer.set(uuid, v1);
    return Answer.json(201, answer);
  }

  private static String hex(String base64) {
    return HexFormat.of().formatHex(Base64.getDecoder().decode(base64));
  }

  private static String pemString(byte[] der) {
    return new String(SigstoreTestStack.certificatePem(der), StandardCharsets.US_ASCII);
  }

  private static byte[] json(Object node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String b64url(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
