package dev.attest.verify.internal.keyless;

import static dev.attest.verify.KeylessSigningException.Step.FULCIO;
import static dev.attest.verify.KeylessSigningException.Step.REKOR;
import static dev.attest.verify.KeylessSigningException.Step.SIGNING;

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
import dev.attest.verify.KeylessSigningException;
import dev.attest.verify.TokenSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
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
 * POST /api/v2/signingCert} with proof of possession), a Rekor v1 entry ({@code POST
 * /api/v1/log/entries}, {@code hashedrekord} or {@code dsse} 0.0.1) whose inclusion proof is
 * verified, and a v0.3 bundle.
 *
 * @see <a href="https://github.com/sigstore/fulcio/blob/main/fulcio.proto">Fulcio API</a>
 * @see <a href="https://github.com/sigstore/rekor/blob/main/openapi.yaml">Rekor API</a>
 */
public final class KeylessSigning {
  private static final MediaType JSON_TYPE = MediaType.get("application/json");
  private static final long MAX_RESPONSE_BYTES = 4L * 1024 * 1024;
  private static final int MAX_PROOF_HASHES = 64;
  private static final int MAX_CHAIN = 10;

  private final OkHttpClient http;
  private final HttpUrl fulcio;
  private final List<HttpUrl> rekors;
  private final TokenSource tokens;

  public KeylessSigning(OkHttpClient http, HttpUrl fulcio, HttpUrl rekor, TokenSource tokens) {
    this(http, fulcio, List.of(rekor), tokens);
  }

  /** Signs once and logs the entry in each of {@code rekors} (a signing config's EXACT or ALL selection). */
  public KeylessSigning(OkHttpClient http, HttpUrl fulcio, List<HttpUrl> rekors, TokenSource tokens) {
    if (rekors.isEmpty()) {
      throw new IllegalArgumentException("no Rekor log");
    }
    this.http = http;
    this.fulcio = fulcio;
    this.rekors = List.copyOf(rekors);
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
    ObjectNode entry = Json.MAPPER.createObjectNode();
    entry.put("apiVersion", "0.0.1");
    entry.put("kind", "dsse");
    ObjectNode content = entry.putObject("spec").putObject("proposedContent");
    content.put("envelope", new String(envelope.json(), StandardCharsets.UTF_8));
    content.putArray("verifiers").add(b64(Pem.write("CERTIFICATE", s.leafDer)));
    List<Logged> logged = log(entry);
    for (Logged l : logged) {
      String bodyProblem = KeylessBundleVerifier.dsseBodyProblem(l.body, envelope, s.leaf);
      if (bodyProblem != null) {
        throw new KeylessSigningException(REKOR, "the logged entry is not the one sent: " + bodyProblem);
      }
    }
    ObjectNode bundle = bundle(s, logged, "dsse");
    try {
      bundle.set("dsseEnvelope", Json.read(envelope.json()));
    } catch (IOException e) {
      throw new KeylessSigningException(SIGNING, "cannot write the bundle: " + e.getMessage(), e);
    }
    return parse(bundle);
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
    List<Logged> logged = log(entry);
    for (Logged l : logged) {
      String problem = hashedRekordProblem(l.body, artifact, sig, s.leafDer);
      if (problem != null) {
        throw new KeylessSigningException(REKOR, "the logged entry is not the one sent: " + problem);
      }
    }
    ObjectNode bundle = bundle(s, logged, "hashedrekord");
    ObjectNode ms = bundle.putObject("messageSignature");
    ObjectNode md = ms.putObject("messageDigest");
    md.put("algorithm", "SHA2_256");
    md.put("digest", b64(artifact.hash()));
    ms.put("signature", b64(sig));
    return parse(bundle);
  }

  // ---------------------------------------------------------------- token and Fulcio

  private record Session(KeyPair key, Signer signer, byte[] leafDer, X509Certificate leaf, List<byte[]> chain) {}

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
    return new Session(key, signer, chain.get(0), leaf, chain);
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

  private List<Logged> log(ObjectNode proposed) throws KeylessSigningException {
    List<Logged> logged = new ArrayList<>();
    for (HttpUrl rekor : rekors) {
      HttpUrl url = rekor.newBuilder().addPathSegments("api/v1/log/entries").build();
      logged.add(readEntry(post(url, proposed, REKOR, 201, 201)));
    }
    return logged;
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

  private static ObjectNode bundle(Session s, List<Logged> logged, String kind) {
    ObjectNode bundle = Json.MAPPER.createObjectNode();
    bundle.put("mediaType", SigstoreBundle.MEDIA_TYPE_V0_3);
    ObjectNode vm = bundle.putObject("verificationMaterial");
    vm.putObject("certificate").put("rawBytes", b64(s.leafDer));
    ArrayNode entries = vm.putArray("tlogEntries");
    for (Logged l : logged) {
      tlogEntry(entries.addObject(), l, kind);
    }
    return bundle;
  }

  private static void tlogEntry(ObjectNode e, Logged l, String kind) {
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
