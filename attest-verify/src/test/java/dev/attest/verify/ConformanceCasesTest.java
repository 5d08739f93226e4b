package dev.attest.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.attest.core.Digest;
import java.time.Instant;
import java.util.Base64;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verdicts of the sigstore-conformance bundle-verify suite
 * (https://github.com/sigstore/sigstore-conformance, test/assets/bundle-verify, Apache-2.0), each
 * rebuilt on one of our real vectors (see {@link SigstoreVectorsTest}) by the change the case's
 * README describes, run through the public {@link BlobVerifier}. Each test names its case.
 */
class ConformanceCasesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Rekor v1 hashedrekord with a SET, production root (integrated 2026-05-26T14:22:03Z). */
  private static final String V1 = "15-keyless-ecdsa-p384-sha384";
  private static final String V1_SAN = "untrusted-sa@sigstore-conformance.iam.gserviceaccount.com";
  private static final Instant V1_INTEGRATED = Instant.ofEpochSecond(1779805323L);
  /** Rekor v2 hashedrekord with one RFC 3161 timestamp, production root. */
  private static final String V2 = "03-rekor2-hashedrekord-prod";

  @TempDir Path tmp;

  private Path root(String folder, Consumer<ObjectNode> change) throws Exception {
    ObjectNode root = (ObjectNode) JSON.readTree(SigstoreVectorsTest.bytes(folder + "/trusted_root.json"));
    change.accept(root);
    Path p = Files.createTempFile(tmp, "trusted_root", ".json");
    Files.write(p, JSON.writeValueAsBytes(root));
    return p;
  }

  private static BlobVerifier.Result verify(String folder, Path root, String san, String issuer) throws Exception {
    BlobVerifier v;
    try {
      v = BlobVerifier.keyless(root, san, issuer);
    } catch (dev.attest.core.InvalidContentException e) {
      return new BlobVerifier.Result(false, e.getMessage(), null, null);
    }
    return v.verify(SigstoreVectorsTest.bytes(folder + "/bundle.sigstore.json"),
        new ByteArrayInputStream(SigstoreVectorsTest.bytes(folder + "/artifact.txt")));
  }

  private static ObjectNode tlogKey(ObjectNode root, String baseUrl) {
    for (var log : root.withArray("tlogs")) {
      if (baseUrl.equals(log.path("baseUrl").asText())) {
        return (ObjectNode) log.get("publicKey");
      }
    }
    throw new AssertionError("no tlog " + baseUrl);
  }

  /** trust-root-tlog-missing-validity-start_fail: a log key validity without its start is malformed, not unbounded. */
  @Test
  void tlogValidityWithoutStartIsRefused() throws Exception {
    Path bad = root(V1, r -> {
      ObjectNode validFor = tlogKey(r, "https://rekor.sigstore.dev").with("validFor");
      validFor.remove("start");
      validFor.put("end", "2099-01-01T00:00:00Z");
    });
    BlobVerifier.Result r = verify(V1, bad, V1_SAN, SigstoreVectorsTest.GOOGLE);
    assertThat(r.valid()).as(r.reason()).isFalse();
    assertThat(r.reason()).contains("tlogs[0].publicKey.validFor has no start");
  }

  /** trust-root-tlog-validity-end-inclusive: an integrated time equal to the log key's end still verifies. */
  @Test
  void tlogValidityEndIsInclusive() throws Exception {
    Path atEnd = root(V1, r -> tlogKey(r, "https://rekor.sigstore.dev").with("validFor")
        .put("end", V1_INTEGRATED.toString()));
    BlobVerifier.Result r = verify(V1, atEnd, V1_SAN, SigstoreVectorsTest.GOOGLE);
    assertThat(r.valid()).as(r.reason()).isTrue();

    Path before = root(V1, r2 -> tlogKey(r2, "https://rekor.sigstore.dev").with("validFor")
        .put("end", V1_INTEGRATED.minusSeconds(1).toString()));
    BlobVerifier.Result late = verify(V1, before, V1_SAN, SigstoreVectorsTest.GOOGLE);
    assertThat(late.valid()).as(late.reason()).isFalse();
  }

  /** trust-root-tsa-validity-end-inclusive: a timestamp equal to its TSA's end still verifies. */
  @Test
  void tsaValidityEndIsInclusive() throws Exception {
    Path plain = root(V2, r -> { });
    BlobVerifier.Result ok = verify(V2, plain, "brian@dehamer.com", SigstoreVectorsTest.GITHUB_OAUTH);
    assertThat(ok.valid()).as(ok.reason()).isTrue();
    Matcher m = Pattern.compile("timestamped at (\\S+?Z)").matcher(ok.reason());
    assertThat(m.find()).as(ok.reason()).isTrue();
    Instant genTime = Instant.parse(m.group(1));

    Path atEnd = root(V2, r -> ((ObjectNode) r.withArray("timestampAuthorities").get(0)).with("validFor")
        .put("end", genTime.toString()));
    BlobVerifier.Result r = verify(V2, atEnd, "brian@dehamer.com", SigstoreVectorsTest.GITHUB_OAUTH);
    assertThat(r.valid()).as(r.reason()).isTrue();

    Path before = root(V2, r2 -> ((ObjectNode) r2.withArray("timestampAuthorities").get(0)).with("validFor")
        .put("end", genTime.minusSeconds(1).toString()));
    BlobVerifier.Result late = verify(V2, before, "brian@dehamer.com", SigstoreVectorsTest.GITHUB_OAUTH);
    assertThat(late.valid()).as(late.reason()).isFalse();
  }

  private static final String BEACON = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon"
      + "/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
  /** The statement's one subject in dsse-with-hashedrekord-happy-path (the suite's a.txt). */
  private static final Digest A_TXT =
      Digest.parse("sha256:70ed0277251d0cf2eb5eda8b574ce012de485e39a3de1fb4b1e0717e14b02d6a");

  private static byte[] conformance(String path) throws Exception {
    return Files.readAllBytes(Path.of(ConformanceCasesTest.class.getResource("/conformance/" + path).toURI()));
  }

  /**
   * dsse-with-hashedrekord-happy-path: a DSSE bundle whose Rekor v1 entry is hashedrekord 0.0.1
   * over the envelope's PAE (allowed by the client spec) verifies.
   */
  @Test
  void dsseLoggedAsHashedRekordV001OverThePaeVerifies() throws Exception {
    byte[] bundle = conformance("dsse-with-hashedrekord-happy-path/bundle.sigstore.json");
    BlobVerifier v = BlobVerifier.keyless(SigstoreVectorsTest.file(V1 + "/trusted_root.json"), BEACON,
        SigstoreVectorsTest.GITHUB_ACTIONS);
    BlobVerifier.Result r = v.verify(bundle, A_TXT);
    assertThat(r.valid()).as(r.reason()).isTrue();
    BlobVerifier.Result other = v.verify(bundle, Digest.parse("sha256:" + "0".repeat(64)));
    assertThat(other.valid()).as(other.reason()).isFalse();
  }

  /**
   * dsse-with-hashedrekord-mismatch-envelope_fail and -mismatch-sig_fail, rebuilt: the entry's
   * digest is not the PAE's (the logged envelope is another one), or its signature is another.
   */
  @Test
  void dsseLoggedAsHashedRekordV001ForAnotherEnvelopeIsRefused() throws Exception {
    BlobVerifier v = BlobVerifier.keyless(SigstoreVectorsTest.file(V1 + "/trusted_root.json"), BEACON,
        SigstoreVectorsTest.GITHUB_ACTIONS);
    BlobVerifier.Result digest = v.verify(entryBody(b -> ((ObjectNode) b.at("/spec/data/hash")).put("value",
        "0".repeat(64))), A_TXT);
    assertThat(digest.valid()).as(digest.reason()).isFalse();
    assertThat(digest.reason()).contains("not the digest of the DSSE envelope's PAE");
    BlobVerifier.Result sig = v.verify(entryBody(b -> ((ObjectNode) b.at("/spec/signature")).put("content",
        "MEQCIB/2YpEq1G8vQ15ieOqasU14e59f01Vqo+qpw32coGE/AiASDlXJ/EDmnPXsAtqZJsgSuC+R8XngSF+W/yWBcbSBfQ==")), A_TXT);
    assertThat(sig.valid()).as(sig.reason()).isFalse();
    assertThat(sig.reason()).contains("not the bundle's signature");
  }

  private static byte[] entryBody(Consumer<ObjectNode> change) throws Exception {
    ObjectNode n = (ObjectNode) JSON.readTree(conformance("dsse-with-hashedrekord-happy-path/bundle.sigstore.json"));
    ObjectNode entry = (ObjectNode) n.at("/verificationMaterial/tlogEntries/0");
    ObjectNode body = (ObjectNode) JSON.readTree(Base64.getDecoder().decode(entry.get("canonicalizedBody").asText()));
    change.accept(body);
    entry.put("canonicalizedBody", Base64.getEncoder().encodeToString(JSON.writeValueAsBytes(body)));
    return JSON.writeValueAsBytes(n);
  }

  private static Path conformanceFile(String path) throws Exception {
    return Path.of(ConformanceCasesTest.class.getResource("/conformance/" + path).toURI());
  }

  /** A managed-key case's verifier: its {@code key.pub} with its {@code trusted_root.json}. */
  private static BlobVerifier keyedCase(String folder) throws Exception {
    return BlobVerifier.withKey(TrustedKey.load(conformanceFile(folder + "key.pub")).publicKey())
        .withTrustedRoot(conformanceFile(folder + "trusted_root.json"));
  }

  /**
   * intoto-canonical-log-entry: a managed-key Rekor v1 intoto 0.0.2 entry whose body carries the
   * payload hash, not the payload, in a one-leaf custom log, with no SET and no timestamp (a key
   * has no validity window to check a time against): it verifies, over the suite's a.txt (the
   * same bytes as vector 15's artifact.txt).
   */
  @Test
  void managedKeyIntotoEntryWithPayloadHashOnlyVerifies() throws Exception {
    String f = "intoto-canonical-log-entry/";
    BlobVerifier v = keyedCase(f);
    byte[] bundle = conformance(f + "bundle.sigstore.json");
    BlobVerifier.Result r = v.verify(bundle, new ByteArrayInputStream(SigstoreVectorsTest.bytes(V1 + "/artifact.txt")));
    assertThat(r.valid()).as(r.reason()).isTrue();
    assertThat(r.reason()).contains("transparency log entry verified");
    BlobVerifier.Result other = v.verify(bundle, new ByteArrayInputStream("other".getBytes()));
    assertThat(other.valid()).as(other.reason()).isFalse();
    BlobVerifier.Result required = v.transparencyLog(LogRequirement.REQUIRED)
        .verify(bundle, new ByteArrayInputStream(SigstoreVectorsTest.bytes(V1 + "/artifact.txt")));
    assertThat(required.valid()).as(required.reason()).isTrue();
  }

  /**
   * dsse-statement-unknown-type_fail: a managed-key DSSE bundle, logged as hashedrekord 0.0.2 over
   * its PAE in a one-leaf custom log, whose statement has _type https://in-toto.io/Statement/v2:
   * the statement must not be read as a v1 statement.
   */
  @Test
  void statementWithUnknownTypeIsRefused() throws Exception {
    String f = "dsse-statement-unknown-type_fail/";
    BlobVerifier v = keyedCase(f);
    byte[] bundle = conformance(f + "bundle.sigstore.json");
    byte[] aTxt = SigstoreVectorsTest.bytes(V1 + "/artifact.txt");
    // The suite's hand-made entry leaves out the verifier's keyDetails, which rekor-tiles requires:
    // the entry is refused before the statement is read.
    BlobVerifier.Result r = v.verify(bundle, new ByteArrayInputStream(aTxt));
    assertThat(r.valid()).as(r.reason()).isFalse();
    assertThat(r.reason()).contains("keyDetails");
    // Without the log, the statement itself is refused.
    BlobVerifier.Result noLog = v.transparencyLog(LogRequirement.IGNORED).verify(bundle, new ByteArrayInputStream(aTxt));
    assertThat(noLog.valid()).as(noLog.reason()).isFalse();
    assertThat(noLog.reason()).contains("_type", "https://in-toto.io/Statement/v2");
  }

  private static final String INTOTO_V01 = "07-rekor1-intoto002-keyless-npm-provenance";
  private static final Digest INTOTO_V01_SUBJECT = Digest.parse("sha512:76176ffa33808b54602c7c35de5c6e9a4deb96066dba6533"
      + "f50ac234f4f1f4c6b3527515dc17c06fbe2860030f410eee69ea20079bd3a2c6f3dcf3b329b10751");

  private static BlobVerifier.Result intotoV01(Consumer<ObjectNode> change) throws Exception {
    ObjectNode n = (ObjectNode) JSON.readTree(SigstoreVectorsTest.bytes(INTOTO_V01 + "/bundle.sigstore.json"));
    change.accept(n);
    return SigstoreVectorsTest.keyless(INTOTO_V01,
            "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main",
            SigstoreVectorsTest.GITHUB_ACTIONS)
        .verify(JSON.writeValueAsBytes(n), INTOTO_V01_SUBJECT);
  }

  /** Vector 15 (SET, proof and checkpoint) as the v0.1 bundle it could have been, then {@code change}. */
  private static BlobVerifier.Result asV01(Consumer<ObjectNode> change) throws Exception {
    ObjectNode n = (ObjectNode) JSON.readTree(SigstoreVectorsTest.bytes(V1 + "/bundle.sigstore.json"));
    n.put("mediaType", "application/vnd.dev.sigstore.bundle+json;version=0.1");
    ObjectNode vm = (ObjectNode) n.get("verificationMaterial");
    vm.putObject("x509CertificateChain").putArray("certificates").add(vm.remove("certificate"));
    change.accept(n);
    return BlobVerifier.keyless(SigstoreVectorsTest.file(V1 + "/trusted_root.json"), V1_SAN, SigstoreVectorsTest.GOOGLE)
        .verify(JSON.writeValueAsBytes(n), new ByteArrayInputStream(SigstoreVectorsTest.bytes(V1 + "/artifact.txt")));
  }

  /**
   * A v0.1 bundle stands on its SET: an inclusion proof written before checkpoints existed is no
   * reason to refuse it (happy-path-v0.1 era bundles), but its path must still rebuild its root
   * hash (inclusion-proof-corrupted-hash_fail). A v0.2 bundle needs the checkpoint (vector 14).
   */
  @Test
  void v01ProofWithoutCheckpointStandsOnItsSet() throws Exception {
    String proof = "/verificationMaterial/tlogEntries/0/inclusionProof";
    BlobVerifier.Result asIs = asV01(n -> { });
    assertThat(asIs.valid()).as(asIs.reason()).isTrue();
    BlobVerifier.Result r = asV01(n -> ((ObjectNode) n.at(proof)).remove("checkpoint"));
    assertThat(r.valid()).as(r.reason()).isTrue();
    BlobVerifier.Result corrupted = asV01(n -> {
      ((ObjectNode) n.at(proof)).remove("checkpoint");
      var hashes = (com.fasterxml.jackson.databind.node.ArrayNode) n.at(proof + "/hashes");
      byte[] h = Base64.getDecoder().decode(hashes.get(0).asText());
      h[0] ^= 1;
      hashes.set(0, com.fasterxml.jackson.databind.node.TextNode.valueOf(Base64.getEncoder().encodeToString(h)));
    });
    assertThat(corrupted.valid()).as(corrupted.reason()).isFalse();
    assertThat(corrupted.reason()).contains("inclusion proof does not verify");
    BlobVerifier.Result noSet = asV01(n -> {
      ((ObjectNode) n.at(proof)).remove("checkpoint");
      ((ObjectNode) n.at("/verificationMaterial/tlogEntries/0")).remove("inclusionPromise");
    });
    assertThat(noSet.valid()).as(noSet.reason()).isFalse();
    BlobVerifier.Result v02 = asV01(n -> {
      n.put("mediaType", "application/vnd.dev.sigstore.bundle+json;version=0.2");
      ((ObjectNode) n.at(proof)).remove("checkpoint");
    });
    assertThat(v02.valid()).as(v02.reason()).isFalse();
    assertThat(v02.reason()).contains("has no checkpoint");
  }

  /**
   * bundle-with-root-cert_fail, rebuilt on 07 the way the suite built it (another instance's Fulcio
   * certificates appended to a production bundle's chain): here the staging root of vector 01.
   * 07 as published already ends with the production root, which its trusted root lists: that one
   * passes, and so does the chain without it.
   */
  @Test
  void rootCertificateInTheChainIsRefusedUnlessTheTrustedRootListsIt() throws Exception {
    ObjectNode staging = (ObjectNode) JSON.readTree(
        SigstoreVectorsTest.bytes("01-rekor2-hashedrekord-staging/trusted_root.json"));
    com.fasterxml.jackson.databind.JsonNode stagingChain = staging.at("/certificateAuthorities/0/certChain/certificates");
    BlobVerifier.Result foreign = intotoV01(n -> {
      var certs = (com.fasterxml.jackson.databind.node.ArrayNode) n.at("/verificationMaterial/x509CertificateChain/certificates");
      stagingChain.forEach(c -> certs.addObject().put("rawBytes", c.get("rawBytes").asText()));
    });
    assertThat(foreign.valid()).as(foreign.reason()).isFalse();
    // Same name as the production root (CN=sigstore, O=sigstore.dev), another key: compared by bytes, not name.
    assertThat(foreign.reason()).contains("includes a root certificate").contains("CN=sigstore")
        .contains("the trusted root does not list");

    BlobVerifier.Result published = intotoV01(n -> { });
    assertThat(published.valid()).as(published.reason()).isTrue();
    ObjectNode probe = (ObjectNode) JSON.readTree(SigstoreVectorsTest.bytes(INTOTO_V01 + "/bundle.sigstore.json"));
    assertThat(probe.at("/verificationMaterial/x509CertificateChain/certificates").size()).isEqualTo(3);
    BlobVerifier.Result leafAndIntermediate = intotoV01(n -> ((com.fasterxml.jackson.databind.node.ArrayNode)
        n.at("/verificationMaterial/x509CertificateChain/certificates")).remove(2));
    assertThat(leafAndIntermediate.valid()).as(leafAndIntermediate.reason()).isTrue();
  }

  /** A v0.3 bundle carries a single 'certificate', never a v0.1/v0.2 'x509CertificateChain'. */
  @Test
  void v03BundleWithACertificateChainIsRefused() throws Exception {
    BlobVerifier.Result r = intotoV01(n -> n.put("mediaType", "application/vnd.dev.sigstore.bundle.v0.3+json"));
    assertThat(r.valid()).as(r.reason()).isFalse();
    assertThat(r.reason()).contains("'x509CertificateChain' is for v0.1 and v0.2 bundles only");
  }

  /**
   * managed-key-and-trusted-root (at sigstore-conformance 58c6c821): a key-signed v0.3 message
   * signature with neither log entry nor timestamp verifies with the key and a trusted root (a key
   * has no validity window to need a time for), rebuilt on vector 06 without its timestamp; a
   * policy that asks for a log entry or a timestamp still refuses it.
   */
  @Test
  void managedKeyBundleWithoutLogOrTimestampVerifies() throws Exception {
    String f = "06-tsa-only-managed-key";
    ObjectNode n = (ObjectNode) JSON.readTree(SigstoreVectorsTest.bytes(f + "/bundle.sigstore.json"));
    ((ObjectNode) n.get("verificationMaterial")).remove("timestampVerificationData");
    byte[] bundle = JSON.writeValueAsBytes(n);
    BlobVerifier v = BlobVerifier.withKey(TrustedKey.load(SigstoreVectorsTest.file(f + "/public_key.pem")).publicKey())
        .withTrustedRoot(SigstoreVectorsTest.file(f + "/trusted_root.json"));
    byte[] artifact = SigstoreVectorsTest.bytes(f + "/artifact.txt");
    BlobVerifier.Result r = v.verify(bundle, new ByteArrayInputStream(artifact));
    assertThat(r.valid()).as(r.reason()).isTrue();
    assertThat(v.minTimestamps(1).verify(bundle, new ByteArrayInputStream(artifact)).valid()).isFalse();
    assertThat(v.transparencyLog(LogRequirement.REQUIRED).verify(bundle, new ByteArrayInputStream(artifact)).valid())
        .isFalse();
  }
}
