package dev.attest.verify;

import static dev.attest.verify.VerifyFixtures.CLOCK;
import static dev.attest.verify.VerifyFixtures.SIGNER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.CycloneDxSbom;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.ImageIndex;
import dev.attest.core.ImageManifest;
import dev.attest.core.Keys;
import dev.attest.core.Platform;
import dev.attest.core.SbomComponent;
import dev.attest.core.SlsaProvenance;
import dev.attest.core.VulnerabilityScan;
import dev.attest.registry.AttachResult;
import dev.attest.registry.AttachedReferrer;
import dev.attest.registry.Attestations;
import dev.attest.registry.Registry;
import dev.attest.registry.RemoteRegistry;
import dev.attest.registry.testing.RegistryViews;
import dev.attest.testing.EmbeddedRegistry;
import dev.attest.testing.TestImages;
import dev.attest.verify.Policy.IndexSemantics;
import dev.attest.verify.VerificationReport.Check;
import dev.attest.verify.VerificationReport.Decision;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The verifier against the embedded registry, referrers API on and off. */
class PolicyVerifierTest {
  static final List<String> FOUR = List.of(
      Attestations.COSIGN_SIGN_PREDICATE_TYPE, SlsaProvenance.PREDICATE_TYPE, CycloneDxSbom.PREDICATE_TYPE,
      VulnerabilityScan.COSIGN_VULN_V1);

  static EmbeddedRegistry start(boolean api) {
    return EmbeddedRegistry.builder().referrersApi(api).build().start();
  }

  static PolicyVerifier verifier(Policy policy, Registry registry) {
    return PolicyVerifier.builder(policy).registry(registry).clock(CLOCK).build();
  }

  static String failures(VerificationReport r) {
    return r.failures().stream().map(c -> c.name() + ": " + c.reason()).collect(Collectors.joining("\n"));
  }

  static String checkName(String predicateType) {
    return predicateType.equals(Attestations.COSIGN_SIGN_PREDICATE_TYPE) ? "signature" : "attestation:" + predicateType;
  }

  @ParameterizedTest(name = "referrers API {0}")
  @ValueSource(booleans = {true, false})
  void signedFullyAttestedImagePasses(boolean api) throws Exception {
    try (EmbeddedRegistry server = start(api); Registry registry = Registry.remote(server.host());
        PolicyVerifier v = verifier(VerifyFixtures.policy(), registry)) {
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      VerifyFixtures.all(registry, "app", image.digest()).attach();

      VerificationReport r = v.verify(registry, "app", image.digest().toString());
      assertThat(r.decision()).as(r.toTable()).isEqualTo(Decision.ALLOW);
      assertThat(r.subject()).isEqualTo(image.digest());
      assertThat(r.policyHash()).isEqualTo(VerifyFixtures.policy().hash());
      assertThat(r.checks()).extracting(Check::name).containsExactly(
          "signature", "attestation:" + SlsaProvenance.PREDICATE_TYPE, "attestation:" + CycloneDxSbom.PREDICATE_TYPE,
          "attestation:" + VulnerabilityScan.COSIGN_VULN_V1);
      assertThat(r.statements()).extracting(VerificationReport.VerifiedStatement::predicateType)
          .containsExactlyInAnyOrder(SlsaProvenance.PREDICATE_TYPE, CycloneDxSbom.PREDICATE_TYPE,
              VulnerabilityScan.COSIGN_VULN_V1);
      assertThat(r.orThrow()).isSameAs(r);
    }
  }

  @ParameterizedTest(name = "referrers API {0}")
  @ValueSource(booleans = {true, false})
  void removingAnyOneReferrerDeniesNamingIt(boolean api) throws Exception {
    for (String type : FOUR) {
      try (EmbeddedRegistry server = start(api); Registry registry = Registry.remote(server.host());
          PolicyVerifier v = verifier(VerifyFixtures.policy(), registry)) {
        ImageManifest image = TestImages.pushImage(server, "app", "v1");
        AttachResult attached = VerifyFixtures.all(registry, "app", image.digest()).attach();
        AttachedReferrer gone = attached.referrers().stream().filter(x -> x.predicateType().equals(type)).findFirst().orElseThrow();
        registry.delete("app", gone.descriptor().digest());

        VerificationReport r = v.verify(registry, "app", image.digest().toString());
        assertThat(r.decision()).as(type).isEqualTo(Decision.DENY);
        assertThat(r.failures()).extracting(Check::name).as(type).contains(checkName(type));
        assertThat(failures(r)).as(type).contains(image.digest().toString());
        assertThat(r.failures()).as(type).allSatisfy(c ->
            assertThat(c.name() + c.reason()).containsAnyOf(type, gone.descriptor().digest().toString(), "signature"));
      }
    }
  }

  @ParameterizedTest(name = "referrers API {0}")
  @ValueSource(booleans = {true, false})
  void tamperingWithOneByteOfAnyBundleDeniesNamingIt(boolean api) throws Exception {
    for (String type : FOUR) {
      try (EmbeddedRegistry server = start(api); Registry registry = Registry.remote(server.host());
          PolicyVerifier v = verifier(VerifyFixtures.policy(), registry)) {
        ImageManifest image = TestImages.pushImage(server, "app", "v1");
        AttachResult attached = VerifyFixtures.all(registry, "app", image.digest()).attach();
        AttachedReferrer original = attached.referrers().stream().filter(x -> x.predicateType().equals(type)).findFirst().orElseThrow();
        ImageManifest m = (ImageManifest) registry.fetchManifest("app", original.descriptor().digest().toString());
        byte[] bundle;
        try (InputStream in = registry.fetchBlob("app", m.layers().get(0))) {
          bundle = in.readAllBytes();
        }
        // One byte of the base64 payload or signature: the JSON stays valid, the signature breaks.
        int at = new String(bundle, java.nio.charset.StandardCharsets.US_ASCII).indexOf("\"payload\":\"") + 20;
        bundle[at] = (byte) (bundle[at] == 'A' ? 'B' : 'A');
        Descriptor layer = Descriptor.ofBytes(m.layers().get(0).mediaType(), bundle);
        registry.pushBlob("app", layer, dev.attest.registry.BlobSource.of(bundle));
        ImageManifest tampered = ImageManifest.builder()
            .artifactType(m.artifactType().orElseThrow()).config(m.config()).layer(layer)
            .subject(m.subject().orElseThrow()).annotations(m.annotations()).build();
        registry.pushManifest("app", tampered);
        registry.delete("app", original.descriptor().digest());

        VerificationReport r = v.verify(registry, "app", image.digest().toString());
        assertThat(r.decision()).as(type).isEqualTo(Decision.DENY);
        assertThat(r.failures()).extracting(Check::name).as(type).contains(checkName(type));
        assertThat(failures(r)).as(type).contains("referrer " + tampered.digest());
      }
    }
  }

  @ParameterizedTest(name = "referrers API {0}")
  @ValueSource(booleans = {true, false})
  void bundlesEmbeddedInDescriptorsVerifyWithoutBlobReadsAndTamperingStillDenies(boolean api) throws Exception {
    try (EmbeddedRegistry server = start(api); Registry registry = Registry.remote(server.host());
        Registry blobless = RegistryViews.noBlobReads(registry);
        PolicyVerifier v = verifier(VerifyFixtures.policy(), blobless)) {
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      AttachResult attached = VerifyFixtures.all(registry, "app", image.digest()).embedBundles(64 * 1024).attach();
      VerificationReport ok = v.verify(blobless, "app", image.digest().toString());
      assertThat(ok.decision()).as(ok.toTable()).isEqualTo(Decision.ALLOW);

      // One byte of the embedded SBOM bundle changed: a new referrer manifest replaces the original.
      AttachedReferrer original = attached.referrers().stream()
          .filter(x -> x.predicateType().equals(dev.attest.core.CycloneDxSbom.PREDICATE_TYPE)).findFirst().orElseThrow();
      ImageManifest m = (ImageManifest) registry.fetchManifest("app", original.descriptor().digest().toString());
      byte[] bundle = m.layers().get(0).dataBytes().orElseThrow();
      int at = new String(bundle, java.nio.charset.StandardCharsets.US_ASCII).indexOf("\"payload\":\"") + 20;
      bundle[at] = (byte) (bundle[at] == 'A' ? 'B' : 'A');
      Descriptor layer = Descriptor.ofBytes(m.layers().get(0).mediaType(), bundle).withData(bundle);
      registry.pushBlob("app", layer.withoutData(), dev.attest.registry.BlobSource.of(bundle));
      ImageManifest tampered = ImageManifest.builder()
          .artifactType(m.artifactType().orElseThrow()).config(m.config()).layer(layer)
          .subject(m.subject().orElseThrow()).annotations(m.annotations()).build();
      registry.pushManifest("app", tampered);
      registry.delete("app", original.descriptor().digest());

      VerificationReport r = v.verify(blobless, "app", image.digest().toString());
      assertThat(r.decision()).as(r.toTable()).isEqualTo(Decision.DENY);
      assertThat(failures(r)).contains("referrer " + tampered.digest());
    }
  }

  @Test
  void servingTamperedBytesForTheOriginalDigestDeniesNamingTheReferrer() throws Exception {
    try (EmbeddedRegistry server = EmbeddedRegistry.builder().temporaryDisk().build().start();
        Registry registry = Registry.remote(server.host());
        PolicyVerifier v = verifier(VerifyFixtures.policy(), registry)) {
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      AttachResult attached = VerifyFixtures.all(registry, "app", image.digest()).attach();
      AttachedReferrer prov = attached.referrers().stream()
          .filter(x -> x.predicateType().equals(SlsaProvenance.PREDICATE_TYPE)).findFirst().orElseThrow();
      ImageManifest m = (ImageManifest) registry.fetchManifest("app", prov.descriptor().digest().toString());
      Digest blob = m.layers().get(0).digest();
      java.nio.file.Path file;
      try (var files = java.nio.file.Files.walk(server.storageDirectory().orElseThrow())) {
        file = files.filter(p -> p.getFileName().toString().equals(blob.hex()) || p.toString().contains(blob.hex()))
            .filter(java.nio.file.Files::isRegularFile).findFirst().orElse(null);
      }
      org.junit.jupiter.api.Assumptions.assumeTrue(file != null, "blob file not found in the embedded storage layout");
      byte[] bytes = java.nio.file.Files.readAllBytes(file);
      bytes[bytes.length / 2] ^= 1;
      java.nio.file.Files.write(file, bytes);

      VerificationReport r = v.verify(registry, "app", image.digest().toString());
      assertThat(r.decision()).as(r.toTable()).isEqualTo(Decision.DENY);
      assertThat(failures(r)).contains(prov.descriptor().digest().toString());
    }
  }

  @Test
  void warnModeWarnsWithTheSameReasons() throws Exception {
    try (EmbeddedRegistry server = start(true); Registry registry = Registry.remote(server.host());
        PolicyVerifier enforce = verifier(VerifyFixtures.policy(), registry);
        PolicyVerifier warn = verifier(VerifyFixtures.policy().withMode(Policy.Mode.WARN), registry)) {
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      Attestations.on(registry, "app", image.digest()).provenance(VerifyFixtures.provenance()).imageSignature()
          .signWith(SIGNER).attach();

      VerificationReport denied = enforce.verify(registry, "app", image.digest().toString());
      VerificationReport warned = warn.verify(registry, "app", image.digest().toString());
      assertThat(denied.decision()).isEqualTo(Decision.DENY);
      assertThat(warned.decision()).isEqualTo(Decision.WARN);
      assertThat(warned.admitted()).isTrue();
      assertThat(warned.failures()).isEqualTo(denied.failures()).hasSize(2);
    }
  }

  @Test
  void aSignatureByAnUntrustedKeyDenies() throws Exception {
    try (EmbeddedRegistry server = start(true); Registry registry = Registry.remote(server.host());
        PolicyVerifier v = verifier(VerifyFixtures.policy(), registry)) {
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      Attestations.on(registry, "app", image.digest()).provenance(VerifyFixtures.provenance())
          .sbom(VerifyFixtures.sbom()).vulnerabilities(VerifyFixtures.scan()).imageSignature()
          .signWith(Keys.signer(VerifyFixtures.OTHER_KEY)).attach();

      VerificationReport r = v.verify(registry, "app", image.digest().toString());
      assertThat(r.decision()).isEqualTo(Decision.DENY);
      assertThat(r.failures()).hasSize(4).allSatisfy(c -> assertThat(c.reason()).contains("does not verify under trust 'release'"));
    }
  }

  @Test
  void anAttestationSignedByAnotherTrustSetDoesNotCount() throws Exception {
    var other = TrustedKey.ofSpki(VerifyFixtures.OTHER_KEY.getPublic().getEncoded());
    Policy policy = Policy.builder("split")
        .trust("release", Policy.Trust.ofKeys(TrustedKey.ofSpki(VerifyFixtures.KEY.getPublic().getEncoded())))
        .trust("builder", Policy.Trust.ofKeys(other))
        .signedBy("release")
        .attestation(Policy.AttestationRule.of(SlsaProvenance.PREDICATE_TYPE, "builder"))
        .build();
    try (EmbeddedRegistry server = start(true); Registry registry = Registry.remote(server.host());
        PolicyVerifier v = verifier(policy, registry)) {
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      Attestations.on(registry, "app", image.digest()).provenance(VerifyFixtures.provenance()).imageSignature()
          .signWith(SIGNER).attach();
      VerificationReport r = v.verify(registry, "app", image.digest().toString());
      assertThat(r.decision()).isEqualTo(Decision.DENY);
      assertThat(r.failures()).extracting(Check::name).containsExactly("attestation:" + SlsaProvenance.PREDICATE_TYPE);
      assertThat(failures(r)).contains("does not verify under trust 'builder'");

      Attestations.on(registry, "app", image.digest()).provenance(VerifyFixtures.provenance())
          .signWith(Keys.signer(VerifyFixtures.OTHER_KEY)).attach();
      assertThat(v.verify(registry, "app", image.digest().toString()).decision()).isEqualTo(Decision.ALLOW);
    }
  }

  // ---------------------------------------------------------------- inputs

  @Test
  void tagsResolveToDigestsAndTagOnlyInputIsDeniedUnlessAllowed() throws Exception {
    try (EmbeddedRegistry server = start(true); Registry registry = Registry.remote(server.host());
        PolicyVerifier strict = PolicyVerifier.builder(VerifyFixtures.policy()).registries(h -> registry).clock(CLOCK).build();
        PolicyVerifier lax = PolicyVerifier.builder(VerifyFixtures.policyBuilder().allowTagOnly(true).build())
            .registries(h -> registry).clock(CLOCK).build()) {
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      VerifyFixtures.all(registry, "app", image.digest()).attach();
      String name = server.host() + "/app";

      VerificationReport tagOnly = strict.verify(name + ":v1");
      assertThat(tagOnly.decision()).isEqualTo(Decision.DENY);
      assertThat(tagOnly.subject()).isEqualTo(image.digest());
      assertThat(tagOnly.failures()).extracting(Check::name).containsExactly("input");
      assertThat(failures(tagOnly)).contains("tag-only", "@" + image.digest());

      assertThat(strict.verify(name + "@" + image.digest()).decision()).isEqualTo(Decision.ALLOW);
      assertThat(strict.verify(name + ":v1@" + image.digest()).decision()).isEqualTo(Decision.ALLOW);
      VerificationReport resolved = lax.verify(name + ":v1");
      assertThat(resolved.decision()).isEqualTo(Decision.ALLOW);
      assertThat(resolved.subject()).isEqualTo(image.digest());
      assertThat(resolved.input()).isEqualTo(name + ":v1");
    }
  }

  @Test
  void anImageOutsideThePolicyImagesIsDenied() throws Exception {
    try (EmbeddedRegistry server = start(true); Registry registry = Registry.remote(server.host())) {
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      VerifyFixtures.all(registry, "app", image.digest()).attach();
      String ref = server.host() + "/app@" + image.digest();
      try (PolicyVerifier elsewhere = PolicyVerifier.builder(VerifyFixtures.policyBuilder().image("ghcr.io/acme/*").build())
              .registries(h -> registry).clock(CLOCK).build();
          PolicyVerifier here = PolicyVerifier.builder(VerifyFixtures.policyBuilder().image(server.host() + "/ap?").build())
              .registries(h -> registry).clock(CLOCK).build()) {
        VerificationReport out = elsewhere.verify(ref);
        assertThat(out.decision()).isEqualTo(Decision.DENY);
        assertThat(out.failures()).extracting(Check::name).containsExactly("scope");
        assertThat(failures(out)).contains(server.host() + "/app is outside the images of policy release [ghcr.io/acme/*]");
        VerificationReport in = here.verify(ref);
        assertThat(in.decision()).isEqualTo(Decision.ALLOW);
        assertThat(in.checks().get(0).name()).isEqualTo("scope");
      }
    }
  }

  @Test
  void unknownImageAndBadInputDeny() throws Exception {
    try (EmbeddedRegistry server = start(true); Registry registry = Registry.remote(server.host());
        PolicyVerifier v = PolicyVerifier.builder(VerifyFixtures.policy()).registries(h -> registry).build()) {
      Digest missing = Digest.sha256(new byte[] {1});
      VerificationReport r = v.verify(server.host() + "/app@" + missing);
      assertThat(r.decision()).isEqualTo(Decision.DENY);
      assertThat(r.failures()).extracting(Check::name).containsExactly("resolve");
      assertThat(v.verify("Not a Reference!!").failures()).extracting(Check::name).containsExactly("input");
    }
  }

  @Test
  void anUnreachableRegistryDeniesWithTheReason() throws Exception {
    try (Registry dead = RemoteRegistry.builder("127.0.0.1:1").retries(0).connectTimeout(Duration.ofSeconds(1)).build();
        PolicyVerifier v = PolicyVerifier.builder(VerifyFixtures.policy()).registry(dead).build()) {
      VerificationReport r = v.verify("127.0.0.1:1/app@" + Digest.sha256(new byte[] {2}));
      assertThat(r.decision()).isEqualTo(Decision.DENY);
      assertThat(failures(r)).contains("127.0.0.1:1");
    }
  }

  @Test
  void cacheHitsAnswerWithoutTheRegistry() throws Exception {
    VerificationCache cache = VerificationCache.of(100, Duration.ofMinutes(5), Duration.ofSeconds(30), CLOCK);
    String ref;
    VerificationReport first;
    try (EmbeddedRegistry server = start(true)) {
      Registry registry = Registry.remote(server.host());
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      VerifyFixtures.all(registry, "app", image.digest()).attach();
      ref = server.host() + "/app@" + image.digest();
      try (PolicyVerifier v = PolicyVerifier.builder(VerifyFixtures.policy()).registries(h -> registry)
          .clock(CLOCK).cache(cache).build()) {
        first = v.verify(ref);
        assertThat(first.decision()).isEqualTo(Decision.ALLOW);
      }
      registry.close();
    }
    // The registry is gone: only the cache can answer.
    try (PolicyVerifier v = PolicyVerifier.builder(VerifyFixtures.policy()).registries(h -> {
      throw new IllegalStateException("no registry");
    }).clock(CLOCK).cache(cache).build()) {
      assertThat(v.verify(ref)).isEqualTo(first);
    }
  }

  /**
   * A digest allowed under an in-scope name must not be allowed, through the cache, under an
   * out-of-scope one, nor claim scope PASS for another name: the decision for a reference is the
   * same whatever the cache has seen, and out-of-scope input reaches no registry.
   */
  @Test
  void theDecisionDoesNotDependOnTheCachesHistory() throws Exception {
    Policy policy = VerifyFixtures.policyBuilder().image("*/app").build();
    try (EmbeddedRegistry server = start(true); Registry registry = Registry.remote(server.host())) {
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      VerifyFixtures.all(registry, "app", image.digest()).attach();
      String inScope = server.host() + "/app@" + image.digest();
      String outOfScope = "evil.example/other@" + image.digest();
      java.util.concurrent.atomic.AtomicInteger opened = new java.util.concurrent.atomic.AtomicInteger();
      java.util.function.Function<String, Registry> registries = h -> {
        opened.incrementAndGet();
        return registry;
      };
      VerificationReport coldOut;
      try (PolicyVerifier cold = PolicyVerifier.builder(policy).registries(registries).clock(CLOCK).build()) {
        coldOut = cold.verify(outOfScope);
      }
      assertThat(coldOut.decision()).isEqualTo(Decision.DENY);
      assertThat(coldOut.checks()).extracting(Check::name).containsExactly("scope");
      assertThat(opened).hasValue(0);

      VerificationCache cache = VerificationCache.of(100, Duration.ofMinutes(5), Duration.ofSeconds(30), CLOCK);
      try (PolicyVerifier warm = PolicyVerifier.builder(policy).registries(registries).clock(CLOCK).cache(cache).build()) {
        assertThat(warm.verify(inScope).decision()).isEqualTo(Decision.ALLOW);
        VerificationReport warmOut = warm.verify(outOfScope);
        assertThat(warmOut.decision()).isEqualTo(coldOut.decision());
        assertThat(warmOut.checks()).isEqualTo(coldOut.checks());
        // A second in-scope name for the same digest: the cached report's scope check names it.
        VerificationReport again = warm.verify(server.host() + "/app:v1@" + image.digest());
        assertThat(again.checks()).filteredOn(c -> c.name().equals("scope")).singleElement()
            .satisfies(c -> assertThat(c.reason()).startsWith(server.host() + "/app is within"));
      }
      // The caching decorator has the same rule.
      CachingImageVerifier caching;
      try (PolicyVerifier inner = PolicyVerifier.builder(policy).registries(registries).clock(CLOCK).build()) {
        caching = CachingImageVerifier.of(inner, policy,
            VerificationCache.of(100, Duration.ofMinutes(5), Duration.ofSeconds(30), CLOCK));
        assertThat(caching.verify(inScope).decision()).isEqualTo(Decision.ALLOW);
        assertThat(caching.verify(outOfScope).decision()).isEqualTo(Decision.DENY);
      }
    }
  }

  @Test
  void outOfScopeAllowAdmitsWithoutAnyRegistryCall() throws Exception {
    Policy policy = VerifyFixtures.policyBuilder().image("ghcr.io/acme/*").outOfScope(Policy.OutOfScope.ALLOW).build();
    try (PolicyVerifier v = PolicyVerifier.builder(policy).registries(h -> {
      throw new AssertionError("no registry may be opened for " + h);
    }).clock(CLOCK).build()) {
      VerificationReport r = v.verify("quay.io/other/app:1.0");
      assertThat(r.decision()).isEqualTo(Decision.ALLOW);
      assertThat(r.outOfScope()).isTrue();
      assertThat(r.subject()).isNull();
      assertThat(r.checks()).singleElement().satisfies(c -> assertThat(c.reason()).contains("outOfScope: allow"));
    }
  }

  // ---------------------------------------------------------------- index semantics

  enum Where { INDEX, PLATFORMS, INDEX_AND_ONE_PLATFORM, ONE_PLATFORM }

  Decision indexDecision(IndexSemantics semantics, Where where) throws Exception {
    try (EmbeddedRegistry server = start(true); Registry registry = Registry.remote(server.host());
        PolicyVerifier v = verifier(VerifyFixtures.policyBuilder().indexSemantics(semantics).build(), registry)) {
      ImageIndex index = TestImages.pushIndex(server, "multi", "v1", TestImages.Format.OCI,
          List.of(Platform.parse("linux/amd64"), Platform.parse("linux/arm64")));
      switch (where) {
        case INDEX -> VerifyFixtures.all(registry, "multi", index.digest()).attach();
        case PLATFORMS -> {
          for (Descriptor d : index.manifests()) {
            VerifyFixtures.all(registry, "multi", d.digest()).attach();
          }
        }
        case INDEX_AND_ONE_PLATFORM -> {
          VerifyFixtures.all(registry, "multi", index.digest()).attach();
          VerifyFixtures.all(registry, "multi", index.manifests().get(0).digest()).attach();
        }
        case ONE_PLATFORM -> VerifyFixtures.all(registry, "multi", index.manifests().get(0).digest()).attach();
      }
      VerificationReport r = v.verify(registry, "multi", index.digest().toString());
      assertThat(r.subject()).isEqualTo(index.digest());
      if (r.decision() == Decision.DENY) {
        assertThat(r.failures()).isNotEmpty();
        if (semantics != IndexSemantics.INDEX_COVERS_PLATFORMS) {
          assertThat(failures(r)).contains("[linux/");
        }
      }
      return r.decision();
    }
  }

  @Test
  void indexCoversPlatforms() throws Exception {
    assertThat(indexDecision(IndexSemantics.INDEX_COVERS_PLATFORMS, Where.INDEX)).isEqualTo(Decision.ALLOW);
    assertThat(indexDecision(IndexSemantics.INDEX_COVERS_PLATFORMS, Where.PLATFORMS)).isEqualTo(Decision.DENY);
  }

  @Test
  void eachPlatform() throws Exception {
    assertThat(indexDecision(IndexSemantics.EACH_PLATFORM, Where.PLATFORMS)).isEqualTo(Decision.ALLOW);
    assertThat(indexDecision(IndexSemantics.EACH_PLATFORM, Where.INDEX)).isEqualTo(Decision.DENY);
    assertThat(indexDecision(IndexSemantics.EACH_PLATFORM, Where.INDEX_AND_ONE_PLATFORM)).isEqualTo(Decision.DENY);
  }

  @Test
  void eitherPerPlatform() throws Exception {
    assertThat(indexDecision(IndexSemantics.EITHER, Where.INDEX)).isEqualTo(Decision.ALLOW);
    assertThat(indexDecision(IndexSemantics.EITHER, Where.PLATFORMS)).isEqualTo(Decision.ALLOW);
    assertThat(indexDecision(IndexSemantics.EITHER, Where.INDEX_AND_ONE_PLATFORM)).isEqualTo(Decision.ALLOW);
    assertThat(indexDecision(IndexSemantics.EITHER, Where.ONE_PLATFORM)).isEqualTo(Decision.DENY);
  }

  // ---------------------------------------------------------------- rules end to end

  Decision withPredicates(Attestations extra, Registry registry, Digest d, Policy policy) throws Exception {
    extra.imageSignature().signWith(SIGNER).clock(CLOCK).attach();
    try (PolicyVerifier v = verifier(policy, registry)) {
      return v.verify(registry, "app", d.toString()).decision();
    }
  }

  @Test
  void sbomWithADeniedPurlAndAStaleScanDeny() throws Exception {
    try (EmbeddedRegistry server = start(false); Registry registry = Registry.remote(server.host())) {
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      Attestations.on(registry, "app", image.digest()).provenance(VerifyFixtures.provenance())
          .sbom(VerifyFixtures.sbom(SbomComponent.of("log4j-core", "2.14.1", VerifyFixtures.LOG4J)))
          .vulnerabilities(VerifyFixtures.scan("HIGH", 1, VerifyFixtures.TRIVY, VerifyFixtures.SCANNED.minusSeconds(48 * 3600)))
          .imageSignature().signWith(SIGNER).attach();
      try (PolicyVerifier v = verifier(VerifyFixtures.policy(), registry)) {
        VerificationReport r = v.verify(registry, "app", image.digest().toString());
        assertThat(r.failures()).extracting(Check::name).containsExactly(
            "attestation:" + CycloneDxSbom.PREDICATE_TYPE, "attestation:" + VulnerabilityScan.COSIGN_VULN_V1);
        assertThat(failures(r)).contains("denied purl " + VerifyFixtures.LOG4J, "hours ago; at most 24 hours");
      }
    }
  }
}
