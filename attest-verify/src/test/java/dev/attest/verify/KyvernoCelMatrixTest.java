package dev.attest.verify;

import static dev.attest.verify.VerifyFixtures.CLOCK;
import static dev.attest.verify.VerifyFixtures.SCANNED;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attest.core.Digest;
import dev.attest.core.ImageManifest;
import dev.attest.core.ImageRef;
import dev.attest.core.Keys;
import dev.attest.core.SbomComponent;
import dev.attest.core.Signer;
import dev.attest.core.SlsaProvenance;
import dev.attest.core.Statement;
import dev.attest.registry.Attestations;
import dev.attest.registry.DiscoveredAttestation;
import dev.attest.testing.EmbeddedRegistry;
import dev.attest.registry.Registry;
import dev.attest.testing.TestImages;
import dev.attest.verify.VerificationReport.Decision;
import dev.attest.verify.engines.EngineGlobs;
import dev.attest.verify.engines.KyvernoCel;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * For a matrix of images, policies and payloads, the exported Kyverno policy reaches attest's own
 * decision: its {@code matchImageReferences} globs (under a port of gobwas/glob, which Kyverno
 * compiles them with) and every validation, evaluated by a real CEL engine with Kyverno's
 * functions, over Statements that attest's attach code wrote to a registry and read back. The
 * engine's signature functions answer from what each case actually attached and with which key.
 */
class KyvernoCelMatrixTest {
  static EmbeddedRegistry server;
  static Registry registry;
  static final Map<String, Case> CASES = new LinkedHashMap<>();

  /** One image: what was attached to it, and with which key. */
  record Case(String repo, Digest digest, KeyPair signer, List<String> predicateTypes, boolean imageSignature) {}

  static void add(String name, KeyPair signer, boolean signed, Function<Attestations, Attestations> what) throws Exception {
    String repo = "app/" + name;
    ImageManifest image = TestImages.pushImage(server, repo, "v1");
    Attestations a = what.apply(Attestations.on(registry, repo, image.digest()));
    if (signed) {
      a = a.imageSignature();
    }
    Signer s = Keys.signer(signer);
    a.signWith(s).clock(CLOCK).attach();
    List<String> types = new ArrayList<>();
    for (DiscoveredAttestation d : Attestations.read(registry, repo, image.digest())) {
      d.predicate().ifPresent(types::add);
    }
    CASES.put(name, new Case(repo, image.digest(), signer, types, signed));
  }

  static Attestations full(Attestations a) {
    try {
      return a.provenance(VerifyFixtures.provenance()).sbom(VerifyFixtures.sbom()).vulnerabilities(VerifyFixtures.scan());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @BeforeAll
  static void images() throws Exception {
    server = EmbeddedRegistry.builder().referrersApi(true).build().start();
    registry = Registry.remote(server.host());
    KeyPair key = VerifyFixtures.KEY;
    add("full", key, true, KyvernoCelMatrixTest::full);
    add("unsigned", key, false, KyvernoCelMatrixTest::full);
    add("other-key", VerifyFixtures.OTHER_KEY, true, KyvernoCelMatrixTest::full);
    add("no-provenance", key, true, a -> {
      try {
        return a.sbom(VerifyFixtures.sbom()).vulnerabilities(VerifyFixtures.scan());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    add("no-sbom", key, true, a -> a.provenance(VerifyFixtures.provenance()).vulnerabilities(scan("HIGH", 1)));
    add("no-scan", key, true, a -> {
      try {
        return a.provenance(VerifyFixtures.provenance()).sbom(VerifyFixtures.sbom());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    add("log4j", key, true, a -> withSbom(a, SbomComponent.of("log4j-core", "2.14.1", VerifyFixtures.LOG4J)));
    add("agpl", key, true, a -> withSbom(a, SbomComponent.of("x", "1", "pkg:npm/x@1").withLicenses(List.of("MIT OR AGPL-3.0-only"))));
    add("agpl-lookalike", key, true, a -> withSbom(a, SbomComponent.of("x", "1", "pkg:npm/x@1").withLicenses(List.of("(Apache-2.0 WITH LLVM-exception)"))));
    add("critical", key, true, a -> full(a).vulnerabilities(scan("CRITICAL", 1)));
    add("six-high", key, true, a -> full(a).vulnerabilities(scan("High", 6)));
    add("five-high", key, true, a -> full(a).vulnerabilities(scan("high", 5)));
    add("old-scan", key, true, a -> full(a).vulnerabilities(scanAt(SCANNED.minus(Duration.ofHours(25)), VerifyFixtures.TRIVY)));
    add("other-scanner", key, true, a -> full(a).vulnerabilities(scanAt(SCANNED, "pkg:github/anchore/grype@0.80.0")));
    add("other-source", key, true, a -> full(a).provenance(SlsaProvenance.fromGitHubActions(
        VerifyFixtures.env("evil/app", "refs/tags/v1"), (String) null)));
  }

  static Attestations withSbom(Attestations a, SbomComponent c) {
    try {
      return full(a).sbom(VerifyFixtures.sbom(c));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static dev.attest.core.VulnerabilityScan scan(String severity, int n) {
    try {
      return VerifyFixtures.scan(severity, n, VerifyFixtures.TRIVY, SCANNED);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static dev.attest.core.VulnerabilityScan scanAt(java.time.Instant at, String scanner) {
    try {
      return VerifyFixtures.scan("HIGH", 1, scanner, at);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterAll
  static void stop() {
    registry.close();
    server.close();
  }

  static Map<String, Policy> policies() {
    Map<String, Policy> m = new LinkedHashMap<>();
    m.put("enforce", VerifyFixtures.policyBuilder().image("*/app/*").build());
    m.put("warn", VerifyFixtures.policyBuilder().image("*/app/*").mode(Policy.Mode.WARN).build());
    m.put("out-of-scope-allowed", VerifyFixtures.policyBuilder().image("*/app/*")
        .outOfScope(Policy.OutOfScope.ALLOW).build());
    m.put("tags-allowed", VerifyFixtures.policyBuilder().image("*/app/*").allowTagOnly(true).build());
    m.put("every-image", VerifyFixtures.policyBuilder().build());
    return m;
  }

  @Test
  void everyCombinationReachesAttestsDecision() throws Exception {
    List<String> compared = new ArrayList<>();
    for (Map.Entry<String, Policy> pe : policies().entrySet()) {
      Policy p = pe.getValue();
      PolicyExport.Export export = PolicyExport.toKyverno(p);
      JsonNode doc = PolicyExportTest.docs(export.yaml()).get(0);
      World world = new World(doc);
      KyvernoCel cel = new KyvernoCel(world, CLOCK.instant());
      try (PolicyVerifier v = PolicyVerifier.builder(p).registry(registry).clock(CLOCK).build()) {
        for (Map.Entry<String, Case> ce : CASES.entrySet()) {
          Case c = ce.getValue();
          String host = server.host();
          List<String> forms = List.of(
              host + "/" + c.repo() + "@" + c.digest(),
              host + "/" + c.repo() + ":v1",
              host + "/" + c.repo() + ":v1@" + c.digest(),
              host + "/elsewhere/" + ce.getKey() + "@" + c.digest());
          for (String image : forms) {
            VerificationReport r = v.verify(image);
            boolean attestAdmitsCleanly = r.decision() == Decision.ALLOW;
            boolean kyverno = kyvernoAllows(doc, cel, image);
            assertThat(kyverno).as("policy %s, case %s, image %s: attest says %s\n%s", pe.getKey(), ce.getKey(),
                image, r.decision(), r.toTable()).isEqualTo(attestAdmitsCleanly);
            if (p.mode() == Policy.Mode.WARN && !attestAdmitsCleanly && r.subject() != null) {
              // In warn mode the same failure is a warning on both sides: Kyverno's validationActions say Warn.
              assertThat(PolicyExportTest.texts(doc.at("/spec/validationActions"))).contains("Warn");
            }
            compared.add(pe.getKey() + "/" + ce.getKey() + "/" + image + "=" + r.decision());
          }
        }
      }
    }
    assertThat(compared).hasSize(policies().size() * CASES.size() * 4);
    // The matrix reaches every decision: allowed, denied, and warned.
    assertThat(compared).anyMatch(s -> s.endsWith("=ALLOW")).anyMatch(s -> s.endsWith("=DENY"))
        .anyMatch(s -> s.endsWith("=WARN"));
  }

  /** Kyverno's answer: no matching glob admits untouched; else every validation must hold. */
  static boolean kyvernoAllows(JsonNode doc, KyvernoCel cel, String image) {
    boolean matched = false;
    for (JsonNode g : doc.at("/spec/matchImageReferences")) {
      matched |= EngineGlobs.gobwas(g.get("glob").asText(), image);
    }
    if (!matched) {
      return true;
    }
    List<String> attestors = new ArrayList<>();
    doc.at("/spec/attestors").forEach(a -> attestors.add(a.get("name").asText()));
    List<String> attestations = new ArrayList<>();
    doc.at("/spec/attestations").forEach(a -> attestations.add(a.get("name").asText()));
    Map<String, List<String>> images = Map.of("containers", List.of(image), "initContainers", List.of(),
        "ephemeralContainers", List.of());
    for (JsonNode v : doc.at("/spec/validations")) {
      if (!cel.eval(v.get("expression").asText(), images, attestors, attestations)) {
        return false;
      }
    }
    return true;
  }

  /** What a cluster's registry holds, as Kyverno's functions would find it. */
  static final class World implements KyvernoCel.Engine {
    private final Map<String, String> attestorKeys = new LinkedHashMap<>();
    private final Map<String, String> attestationTypes = new LinkedHashMap<>();

    World(JsonNode doc) {
      doc.at("/spec/attestors").forEach(a -> attestorKeys.put(a.get("name").asText(), a.at("/cosign/key/data").asText()));
      doc.at("/spec/attestations").forEach(a -> attestationTypes.put(a.get("name").asText(), a.at("/intoto/type").asText()));
    }

    /** The case in the image's repository; null for a repository the registry does not have. */
    private static Case of(String image) {
      ImageRef ref = ImageRef.parse(image);
      for (Case c : CASES.values()) {
        if (c.repo().equals(ref.repository())) {
          return c;
        }
      }
      return null;
    }

    private long count(Case c, List<String> attestors) {
      String pem = new String(Keys.writePublicKeyPem(c.signer().getPublic()), java.nio.charset.StandardCharsets.US_ASCII);
      return attestors.stream().filter(a -> pem.equals(attestorKeys.get(a))).count();
    }

    @Override
    public long imageSignatures(String image, List<String> attestors) {
      Case c = of(image);
      return c != null && c.imageSignature() ? count(c, attestors) : 0;
    }

    @Override
    public long attestationSignatures(String image, String attestation, List<String> attestors) {
      Case c = of(image);
      return c != null && c.predicateTypes().contains(attestationTypes.get(attestation)) ? count(c, attestors) : 0;
    }

    private final Map<String, JsonNode> payloads = new java.util.HashMap<>();

    @Override
    public JsonNode payload(String image, String attestation) {
      Case c = java.util.Objects.requireNonNull(of(image), image);
      String type = attestationTypes.get(attestation);
      return payloads.computeIfAbsent(c.repo() + " " + type, k -> read(c, type, image));
    }

    private static JsonNode read(Case c, String type, String image) {
      try {
        for (DiscoveredAttestation d : Attestations.read(registry, c.repo(), c.digest())) {
          if (d.predicate().filter(type::equals).isPresent()) {
            byte[] statement = d.sigstoreBundle().orElseThrow().dsseEnvelope().orElseThrow().payload();
            Statement.parse(statement); // attest's own reading of the same bytes
            return KyvernoCel.json(statement);
          }
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      throw new IllegalStateException("no " + type + " attestation on " + image);
    }
  }
}
