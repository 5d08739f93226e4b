package dev.attest.registry;

import static dev.attest.registry.AttestFixtures.CLOCK;
import static dev.attest.registry.AttestFixtures.CREATED;
import static dev.attest.registry.AttestFixtures.SIGNER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.core.CycloneDxSbom;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.DsseEnvelope;
import dev.attest.core.ImageIndex;
import dev.attest.core.ImageManifest;
import dev.attest.core.Keys;
import dev.attest.core.Manifest;
import dev.attest.core.MediaTypes;
import dev.attest.core.Platform;
import dev.attest.core.SigstoreBundle;
import dev.attest.core.SlsaProvenance;
import dev.attest.core.Statement;
import dev.attest.core.VulnerabilityScan;
import dev.attest.registry.DiscoveredAttestation.Source;
import dev.attest.registry.testing.RegistryViews;
import dev.attest.testing.EmbeddedRegistry;
import dev.attest.testing.TestImages;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Attach and read on the embedded registry, with the referrers API on and off. */
class AttestationsTest {

  static EmbeddedRegistry start(boolean api) {
    return EmbeddedRegistry.builder().referrersApi(api).build().start();
  }

  static final Set<String> TYPES = Set.of(
      SlsaProvenance.PREDICATE_TYPE, CycloneDxSbom.PREDICATE_TYPE, VulnerabilityScan.COSIGN_VULN_V1,
      Attestations.COSIGN_SIGN_PREDICATE_TYPE);

  @ParameterizedTest(name = "referrers API {0}")
  @ValueSource(booleans = {true, false})
  void singleImageRoundTrip(boolean api) throws Exception {
    try (EmbeddedRegistry server = start(api); Registry registry = Registry.remote(server.host())) {
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      AttachResult result = AttestFixtures.all(registry, "app", image.digest()).attach();

      assertThat(result.referrers()).hasSize(4);
      assertThat(result.referrers()).extracting(AttachedReferrer::predicateType).containsExactlyInAnyOrderElementsOf(TYPES);
      assertLayout(registry, "app", image, result.referrers());
      assertReadBack(registry, "app", image.digest(), result.forSubject(image.digest()));
      assertThat(server.tags("app").contains(image.digest().tagSchemaTag())).as("fallback tag").isEqualTo(!api);
    }
  }

  @ParameterizedTest(name = "referrers API {0}")
  @ValueSource(booleans = {true, false})
  void aManifestTheCallerHoldsIsNotFetchedAgainAndTheWritesAreCounted(boolean api) throws Exception {
    try (EmbeddedRegistry server = start(api); Registry registry = Registry.remote(server.host())) {
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      // What a promotion does with the manifest it has just copied: no GET of it before the push.
      AttachResult first = Attestations.on(RegistryViews.noManifestReads(registry), "app", image)
          .imageSignature().signWith(SIGNER).clock(CLOCK).attach();

      assertThat(first.referrers()).singleElement()
          .satisfies(r -> assertThat(r.subject()).isEqualTo(image.plainDescriptor()));
      assertLayout(registry, "app", image, first.referrers());
      // The empty config, the bundle, the manifest, and without the API the fallback index.
      assertThat(first.writes()).isEqualTo(api ? 3 : 4);
      AttachResult second = Attestations.on(registry, "app", image.digest()).imageSignature().signWith(SIGNER).attach();
      assertThat(second.writes()).as("the empty config is there now").isEqualTo(api ? 2 : 3);
    }
  }

  @ParameterizedTest(name = "referrers API {0}")
  @ValueSource(booleans = {true, false})
  void indexOfThreePlatformsRecursive(boolean api) throws Exception {
    try (EmbeddedRegistry server = start(api); Registry registry = Registry.remote(server.host())) {
      ImageIndex index = TestImages.pushIndex(server, "multi", "v1", TestImages.Format.OCI, List.of(
          Platform.parse("linux/amd64"), Platform.parse("linux/arm64"), Platform.parse("linux/s390x")));
      AttachResult result = AttestFixtures.all(registry, "multi", index.digest()).recursive().attach();

      assertThat(result.referrers()).hasSize(16);
      assertReadBack(registry, "multi", index.digest(), result.forSubject(index.digest()));
      for (Descriptor child : index.manifests()) {
        List<AttachedReferrer> mine = result.forSubject(child.digest());
        assertThat(mine).hasSize(4);
        assertThat(mine).allSatisfy(r -> assertThat(r.subject()).isEqualTo(child.withPlatform(null)));
        assertReadBack(registry, "multi", child.digest(), mine);
      }
    }
  }

  @ParameterizedTest(name = "referrers API {0}")
  @ValueSource(booleans = {true, false})
  void embeddedBundlesAreReadWithoutBlobRequests(boolean api) throws Exception {
    try (EmbeddedRegistry server = start(api); Registry registry = Registry.remote(server.host())) {
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      AttachResult result = AttestFixtures.all(registry, "app", image.digest()).embedBundles(64 * 1024).attach();
      for (AttachedReferrer r : result.referrers()) {
        ImageManifest m = (ImageManifest) registry.fetchManifest("app", r.descriptor().digest().toString());
        assertThat(m.layers().get(0).dataBytes()).hasValueSatisfying(b -> assertThat(b).isEqualTo(r.bundle().bytes()));
        // The blob is pushed too, for tools that ignore descriptor data.
        assertThat(registry.hasBlob("app", m.layers().get(0).digest())).isTrue();
      }
      assertReadWithoutBlobs(registry, "app", image.digest(), result.referrers());
      assertReadBack(registry, "app", image.digest(), result.referrers());
    }
  }

  @Test
  void onlyBundlesWithinTheLimitAreEmbedded() throws Exception {
    try (EmbeddedRegistry server = start(true); Registry registry = Registry.remote(server.host())) {
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      AttachResult result = AttestFixtures.all(registry, "app", image.digest()).embedBundles(16).attach();
      for (AttachedReferrer r : result.referrers()) {
        ImageManifest m = (ImageManifest) registry.fetchManifest("app", r.descriptor().digest().toString());
        assertThat(m.layers().get(0).dataBytes()).isEmpty();
      }
      assertReadBack(registry, "app", image.digest(), result.referrers());
    }
    Registry unusable = Registry.remote("localhost:1");
    Attestations a = Attestations.on(unusable, "app", Descriptor.EMPTY.digest());
    assertThatThrownBy(() -> a.embedBundles(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 to " + Attestations.MAX_EMBEDDED_BUNDLE_BYTES);
    assertThatThrownBy(() -> a.embedBundles(Attestations.MAX_EMBEDDED_BUNDLE_BYTES + 1))
        .isInstanceOf(IllegalArgumentException.class);
    unusable.close();
  }

  /** Reading through a registry that refuses blob reads still gives every bundle, byte for byte. */
  static void assertReadWithoutBlobs(Registry registry, String repo, Digest subject, List<AttachedReferrer> pushed)
      throws Exception {
    List<DiscoveredAttestation> found = Attestations.read(RegistryViews.noBlobReads(registry), repo, subject);
    assertThat(found).hasSize(pushed.size()).allSatisfy(d -> assertThat(d.problem()).isEmpty());
    assertThat(found).extracting(DiscoveredAttestation::raw)
        .containsExactlyInAnyOrderElementsOf(pushed.stream().map(r -> r.bundle().bytes()).toList());
  }

  @Test
  void withoutRecursiveOnlyTheIndexIsAttested() throws Exception {
    try (EmbeddedRegistry server = start(true); Registry registry = Registry.remote(server.host())) {
      ImageIndex index = TestImages.pushIndex(server, "multi", null, TestImages.Format.OCI,
          List.of(Platform.parse("linux/amd64"), Platform.parse("linux/arm64")));
      AttachResult result = Attestations.on(registry, "multi", index.digest())
          .provenance(AttestFixtures.provenance()).signWith(SIGNER).attach();
      assertThat(result.referrers()).singleElement()
          .satisfies(r -> assertThat(r.subject().digest()).isEqualTo(index.digest()));
      assertThat(registry.referrers("multi", index.manifests().get(0).digest(), null)).isEmpty();
    }
  }

  @Test
  void imageRefOverloadAndSignatures() throws Exception {
    try (EmbeddedRegistry server = start(true); Registry registry = Registry.remote(server.host())) {
      ImageManifest image = TestImages.pushImage(server, "team/app", "v1");
      AttachResult sig = Signatures.on(registry, dev.attest.core.ImageRef.of(server.host(), "team/app", image.digest()))
          .signWith(SIGNER).clock(CLOCK).attach();
      AttachedReferrer r = sig.referrers().get(0);
      // cosign 3's statement: no subject name, the digest, the sign predicate type, an empty predicate.
      Statement st = r.bundle().dsseEnvelope().orElseThrow().statement();
      assertThat(new String(st.bytes(), StandardCharsets.UTF_8)).isEqualTo(
          "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"digest\":{\"sha256\":\""
              + image.digest().hex() + "\"}}],\"predicateType\":\"https://sigstore.dev/cosign/sign/v1\",\"predicate\":{}}");
      r.bundle().dsseEnvelope().orElseThrow().verify(Keys.verifier(AttestFixtures.KEY.getPublic()));

      AttachResult viaRef = Attestations.on(registry,
              dev.attest.core.ImageRef.of(server.host(), "team/app", image.digest()))
          .predicate("https://example.com/custom/v1", "{\"x\":1}".getBytes(StandardCharsets.UTF_8))
          .signWith(SIGNER).attach();
      Statement custom = viaRef.referrers().get(0).bundle().dsseEnvelope().orElseThrow().statement();
      assertThat(custom.subjects()).singleElement().satisfies(s -> {
        assertThat(s.name()).isEqualTo("team/app");
        assertThat(s.matches(image.digest())).isTrue();
      });
      assertThat(custom.predicate()).isEqualTo("{\"x\":1}".getBytes(StandardCharsets.UTF_8));
      assertThat(Attestations.read(registry, "team/app", image.digest())).hasSize(2);
    }
  }

  @Test
  void refusesAMissingImageAndPushesNothing() throws Exception {
    try (EmbeddedRegistry server = start(true); Registry registry = Registry.remote(server.host())) {
      TestImages.pushImage(server, "app", "v1");
      Digest absent = Digest.sha256("nothing".getBytes(StandardCharsets.UTF_8));
      assertThatThrownBy(() -> AttestFixtures.all(registry, "app", absent).attach())
          .isInstanceOf(NotFoundException.class)
          .hasMessageContaining("cannot attach to")
          .hasMessageContaining(absent.toString());
      assertThat(server.hasBlob("app", Descriptor.EMPTY.digest())).isFalse();
    }
  }

  @Test
  void misuseIsRefusedBeforeAnyIo() {
    Registry unusable = Registry.remote("127.0.0.1:1");
    Digest d = Digest.sha256(new byte[0]);
    assertThatThrownBy(() -> Attestations.on(unusable, "app", d).attach())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("nothing to attach");
    assertThatThrownBy(() -> Attestations.on(unusable, "app", d).imageSignature().attach())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("signWith");
    assertThatThrownBy(() -> Attestations.on(unusable, dev.attest.core.ImageRef.parse("example.com/app:v1")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has none");
    unusable.close();
  }

  /** The referrer manifests are exactly cosign 3's layout, and the fallback entries carry the annotations. */
  static void assertLayout(Registry registry, String repo, Manifest image, List<AttachedReferrer> pushed) throws Exception {
    for (AttachedReferrer r : pushed) {
      ImageManifest m = (ImageManifest) registry.fetchManifest(repo, r.descriptor().digest().toString());
      assertThat(m.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
      assertThat(m.artifactTypeField()).contains(MediaTypes.SIGSTORE_BUNDLE_V03);
      assertThat(m.config().mediaType()).isEqualTo(MediaTypes.OCI_EMPTY);
      assertThat(m.config().digest()).isEqualTo(Descriptor.EMPTY.digest());
      assertThat(m.layers()).singleElement().satisfies(l -> {
        assertThat(l.mediaType()).isEqualTo(MediaTypes.SIGSTORE_BUNDLE_V03);
        assertThat(l.digest()).isEqualTo(Digest.sha256(r.bundle().bytes()));
      });
      assertThat(m.subject()).contains(image.plainDescriptor());
      assertThat(m.annotations()).containsExactlyInAnyOrderEntriesOf(Map.of(
          Attestations.CONTENT, SigstoreBundle.CONTENT_DSSE_ENVELOPE,
          Attestations.PREDICATE_TYPE, r.predicateType(),
          Attestations.CREATED, CREATED));
      assertThat(registry.hasBlob(repo, Descriptor.EMPTY.digest())).isTrue();
    }
    Map<Digest, Descriptor> listed = registry.referrers(repo, image.digest(), null).stream()
        .collect(Collectors.toMap(Descriptor::digest, d -> d));
    for (AttachedReferrer r : pushed) {
      Descriptor entry = listed.get(r.descriptor().digest());
      assertThat(entry).isNotNull();
      assertThat(entry.artifactType()).isEqualTo(MediaTypes.SIGSTORE_BUNDLE_V03);
      assertThat(entry.annotations()).containsEntry(Attestations.PREDICATE_TYPE, r.predicateType())
          .containsEntry(Attestations.CONTENT, "dsse-envelope").containsEntry(Attestations.CREATED, CREATED);
    }
  }

  /** Reading gives back every pushed bundle, byte for byte, with its manifest digest. */
  /** A scanner's own report becomes a cosign vuln/v1 predicate, as with cosign attest --type vuln. */
  @Test
  void attachesATrivyOrGrypeReportAsACosignScan() throws Exception {
    byte[] trivy = ("{\"SchemaVersion\":2,\"CreatedAt\":\"2026-11-25T12:00:00Z\",\"Trivy\":{\"Version\":\"0.58.1\"},"
        + "\"Results\":[{\"Target\":\"app\",\"Vulnerabilities\":["
        + "{\"VulnerabilityID\":\"CVE-2026-0001\",\"PkgName\":\"x\",\"Severity\":\"HIGH\"}]}]}")
        .getBytes(StandardCharsets.UTF_8);
    byte[] grype = ("{\"matches\":[{\"vulnerability\":{\"id\":\"CVE-2026-0002\",\"severity\":\"Critical\"},"
        + "\"artifact\":{\"name\":\"y\",\"version\":\"1\"}}],"
        + "\"descriptor\":{\"name\":\"grype\",\"version\":\"0.86.1\",\"timestamp\":\"2026-11-25T12:00:00Z\"}}")
        .getBytes(StandardCharsets.UTF_8);
    try (EmbeddedRegistry server = start(true); Registry registry = Registry.remote(server.host())) {
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      for (byte[] report : List.of(trivy, grype)) {
        AttachResult r = Attestations.on(registry, "app", image.digest())
            .vulnerabilities(report).signWith(SIGNER).clock(CLOCK).attach();
        assertThat(r.referrers()).singleElement()
            .extracting(AttachedReferrer::predicateType).isEqualTo(VulnerabilityScan.COSIGN_VULN_V1);
      }
      List<VulnerabilityScan> scans = new java.util.ArrayList<>();
      for (DiscoveredAttestation d : Attestations.read(registry, "app", image.digest())) {
        Statement st = d.dsseEnvelope().orElseThrow().statement();
        scans.add(VulnerabilityScan.parse(st.predicateType(), st.predicate()));
      }
      assertThat(scans).extracting(s -> s.scannerUri().orElseThrow()).containsExactlyInAnyOrder(
          "pkg:github/aquasecurity/trivy@0.58.1", "pkg:github/anchore/grype@0.86.1");
      assertThat(scans).extracting(s -> s.findings().size()).containsExactly(1, 1);

      assertThatThrownBy(() -> Attestations.on(registry, "app", image.digest())
              .vulnerabilities("{\"bomFormat\":\"CycloneDX\"}".getBytes(StandardCharsets.UTF_8))
              .signWith(SIGNER).attach())
          .hasMessageContaining("attestation #1 (vulnerability scan report) is invalid")
          .hasMessageContaining("neither a Trivy JSON report");
    }
  }

  static void assertReadBack(Registry registry, String repo, Digest subject, List<AttachedReferrer> pushed) throws Exception {
    List<DiscoveredAttestation> found = Attestations.read(registry, repo, subject);
    assertThat(found).hasSize(pushed.size());
    Map<Digest, DiscoveredAttestation> byManifest = found.stream()
        .collect(Collectors.toMap(d -> d.manifest().digest(), d -> d));
    for (AttachedReferrer r : pushed) {
      DiscoveredAttestation d = byManifest.get(r.descriptor().digest());
      assertThat(d).as("referrer %s", r.descriptor().digest()).isNotNull();
      assertThat(d.source()).isEqualTo(Source.REFERRER);
      assertThat(d.problem()).isEmpty();
      assertThat(d.raw()).isEqualTo(r.bundle().bytes());
      assertThat(d.sigstoreBundle()).contains(r.bundle());
      assertThat(d.predicate()).contains(r.predicateType());
      assertThat(d.annotation(Attestations.CREATED)).contains(CREATED);
      DsseEnvelope env = d.dsseEnvelope().orElseThrow();
      env.verify(Keys.verifier(AttestFixtures.KEY.getPublic()));
      assertThat(env.statement().covers(subject)).isTrue();
      try (InputStream in = registry.fetchBlob(repo, d.layer())) {
        assertThat(in.readAllBytes()).isEqualTo(r.bundle().bytes());
      }
    }
  }
}
