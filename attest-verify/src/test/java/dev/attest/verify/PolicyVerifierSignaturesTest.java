package dev.attest.verify;

import static dev.attest.verify.VerifyFixtures.SIGNER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.DsseEnvelope;
import dev.attest.core.ImageManifest;
import dev.attest.core.Keys;
import dev.attest.core.MediaTypes;
import dev.attest.core.SigstoreBundle;
import dev.attest.core.SlsaProvenance;
import dev.attest.core.Statement;
import dev.attest.core.Subject;
import dev.attest.registry.BlobSource;
import dev.attest.registry.DiscoveredAttestation;
import dev.attest.registry.PushOptions;
import dev.attest.registry.Registry;
import dev.attest.testing.EmbeddedRegistry;
import dev.attest.testing.TestImages;
import dev.attest.verify.Policy.AttestationRule;
import dev.attest.verify.VerificationReport.Check;
import dev.attest.verify.VerificationReport.Decision;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Message signatures, cosign's legacy tags, and failures inside the registry. */
class PolicyVerifierSignaturesTest {
  static final Policy SIGNED_ONLY = Policy.builder("signed")
      .trust("release", Policy.Trust.ofKeys(TrustedKey.ofSpki(VerifyFixtures.KEY.getPublic().getEncoded())))
      .signedBy("release").build();

  static VerificationReport verify(Registry registry, Policy policy, Digest d) {
    try (PolicyVerifier v = PolicyVerifier.builder(policy).registry(registry).clock(VerifyFixtures.CLOCK).build()) {
      return v.verify(registry, "app", d.toString());
    }
  }

  /** A key-based message-signature bundle over the manifest bytes, pushed as a referrer. */
  static Digest pushMessageSignature(Registry registry, ImageManifest image, byte[] signed) throws Exception {
    SigstoreBundle bundle = SigstoreBundle.ofMessageSignature(image.digest(), SIGNER.sign(signed), SIGNER.hint());
    byte[] bytes = bundle.bytes();
    Descriptor layer = Descriptor.ofBytes(MediaTypes.SIGSTORE_BUNDLE_V03, bytes);
    registry.pushBlob("app", Descriptor.EMPTY.withoutData(), BlobSource.of(Descriptor.emptyBytes()));
    registry.pushBlob("app", layer, BlobSource.of(bytes));
    ImageManifest m = ImageManifest.builder().artifactType(MediaTypes.SIGSTORE_BUNDLE_V03)
        .config(Descriptor.EMPTY.withoutData()).layer(layer).subject(image.plainDescriptor())
        .annotation("dev.sigstore.bundle.content", "message-signature").build();
    registry.pushManifest("app", m);
    return m.digest();
  }

  @Test
  void aMessageSignatureOverTheManifestVerifiesAndOneOverOtherBytesDoesNot() throws Exception {
    try (EmbeddedRegistry server = EmbeddedRegistry.builder().build().start(); Registry registry = Registry.remote(server.host())) {
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      ImageManifest other = TestImages.pushImage(server, "app", "v2");
      Digest bad = pushMessageSignature(registry, image, "not the manifest".getBytes(StandardCharsets.UTF_8));
      VerificationReport denied = verify(registry, SIGNED_ONLY, image.digest());
      assertThat(denied.decision()).isEqualTo(Decision.DENY);
      assertThat(denied.failures().get(0).reason()).contains("referrer " + bad, "message signature does not verify");

      pushMessageSignature(registry, image, image.bytes());
      assertThat(verify(registry, SIGNED_ONLY, image.digest()).decision()).isEqualTo(Decision.ALLOW);
      assertThat(verify(registry, SIGNED_ONLY, other.digest()).decision()).isEqualTo(Decision.DENY);
    }
  }

  /** A trusted key's keyDetails (ADR 0030) reach the policy verifier: an RSA-PSS signature by a key restricted to PKCS#1 v1.5 is denied. */
  @Test
  void aKeyRestrictedByKeyDetailsDeniesAnotherScheme() throws Exception {
    java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    java.security.KeyPair rsa = g.generateKeyPair();
    try (EmbeddedRegistry server = EmbeddedRegistry.builder().build().start(); Registry registry = Registry.remote(server.host())) {
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      java.security.Signature pss = java.security.Signature.getInstance("RSASSA-PSS");
      pss.setParameter(new java.security.spec.PSSParameterSpec(
          "SHA-256", "MGF1", java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
      pss.initSign(rsa.getPrivate());
      pss.update(image.bytes());
      byte[] bytes = SigstoreBundle.ofMessageSignature(image.digest(), pss.sign(), "").bytes();
      Descriptor layer = Descriptor.ofBytes(MediaTypes.SIGSTORE_BUNDLE_V03, bytes);
      registry.pushBlob("app", Descriptor.EMPTY.withoutData(), BlobSource.of(Descriptor.emptyBytes()));
      registry.pushBlob("app", layer, BlobSource.of(bytes));
      registry.pushManifest("app", ImageManifest.builder().artifactType(MediaTypes.SIGSTORE_BUNDLE_V03)
          .config(Descriptor.EMPTY.withoutData()).layer(layer).subject(image.plainDescriptor())
          .annotation("dev.sigstore.bundle.content", "message-signature").build());

      TrustedKey key = TrustedKey.ofSpki(rsa.getPublic().getEncoded());
      Policy any = Policy.builder("rsa").trust("release", Policy.Trust.ofKeys(key)).signedBy("release").build();
      assertThat(verify(registry, any, image.digest()).decision()).isEqualTo(Decision.ALLOW);
      Policy pkcs1 = Policy.builder("rsa").trust("release", Policy.Trust.ofKeys(
          key.withKeyDetails("PKIX_RSA_PKCS1V15_2048_SHA256"))).signedBy("release").build();
      VerificationReport denied = verify(registry, pkcs1, image.digest());
      assertThat(denied.decision()).isEqualTo(Decision.DENY);
      assertThat(denied.failures().get(0).reason()).contains("keyDetails allow only PKIX_RSA_PKCS1V15_2048_SHA256");
      Policy pssOnly = Policy.builder("rsa").trust("release", Policy.Trust.ofKeys(
          key.withKeyDetails("PKIX_RSA_PSS_2048_SHA256"))).signedBy("release").build();
      assertThat(verify(registry, pssOnly, image.digest()).decision()).isEqualTo(Decision.ALLOW);
    }
  }

  static byte[] simpleSigning(Digest d) {
    return ("{\"critical\":{\"identity\":{\"docker-reference\":\"registry.test/app\"},\"image\":{\"docker-manifest-digest\":\""
        + d + "\"},\"type\":\"cosign container image signature\"},\"optional\":null}").getBytes(StandardCharsets.UTF_8);
  }

  /** cosign's legacy layout: a manifest tagged sha256-<hex>.sig or .att, one layer per signature. */
  static void pushLegacy(Registry registry, Digest subject, String suffix, String mediaType, byte[] payload,
      java.util.Map<String, String> annotations) throws Exception {
    Descriptor layer = Descriptor.ofBytes(mediaType, payload).withAnnotations(annotations);
    byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
    Descriptor c = Descriptor.ofBytes(MediaTypes.OCI_CONFIG, config);
    registry.pushBlob("app", c, BlobSource.of(config));
    registry.pushBlob("app", layer, BlobSource.of(payload));
    ImageManifest m = ImageManifest.builder().config(c).layer(layer).build();
    registry.pushManifest("app", m, PushOptions.tagged(subject.tagSchemaTag() + suffix));
  }

  @Test
  void legacySigAndAttTagsVerifyWithKeys() throws Exception {
    try (EmbeddedRegistry server = EmbeddedRegistry.builder().build().start(); Registry registry = Registry.remote(server.host())) {
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      Policy policy = Policy.builder("legacy")
          .trust("release", Policy.Trust.ofKeys(TrustedKey.ofSpki(VerifyFixtures.KEY.getPublic().getEncoded())))
          .signedBy("release")
          .attestation(AttestationRule.slsa("release", VerifyFixtures.slsaRule()))
          .build();
      byte[] payload = simpleSigning(image.digest());
      String forged = Base64.getEncoder().encodeToString(Keys.signer(VerifyFixtures.OTHER_KEY).sign(payload));
      pushLegacy(registry, image.digest(), ".sig", MediaTypes.COSIGN_SIMPLE_SIGNING, payload,
          java.util.Map.of(DiscoveredAttestation.COSIGN_SIGNATURE_ANNOTATION, forged));
      Statement st = Statement.of(List.of(Subject.of("app", image.digest())), VerifyFixtures.provenance());
      byte[] envelope = DsseEnvelope.sign(st, SIGNER).json();
      pushLegacy(registry, image.digest(), ".att", MediaTypes.DSSE_ENVELOPE, envelope,
          java.util.Map.of("predicateType", SlsaProvenance.PREDICATE_TYPE));

      VerificationReport r = verify(registry, policy, image.digest());
      assertThat(r.failures()).extracting(Check::name).containsExactly("signature");
      assertThat(r.failures().get(0).reason()).contains("legacy .sig layer", "signature does not verify");
      assertThat(r.checks().get(1).reason()).contains("legacy .att layer");

      String good = Base64.getEncoder().encodeToString(SIGNER.sign(payload));
      pushLegacy(registry, image.digest(), ".sig", MediaTypes.COSIGN_SIMPLE_SIGNING, payload,
          java.util.Map.of(DiscoveredAttestation.COSIGN_SIGNATURE_ANNOTATION, good));
      assertThat(verify(registry, policy, image.digest()).decision()).isEqualTo(Decision.ALLOW);
    }
  }

  /** A registry that delegates to {@code real} except for {@code referrers}, which does what {@code referrers} says. */
  static Registry failingReferrers(Registry real, InvocationHandler referrers) {
    return (Registry) Proxy.newProxyInstance(Registry.class.getClassLoader(), new Class<?>[] {Registry.class},
        (proxy, method, args) -> {
          if (method.getName().equals("referrers")) {
            return referrers.invoke(proxy, method, args);
          }
          try {
            return method.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  @Test
  void aRuntimeExceptionInDiscoveryDeniesWithItsMessage() throws Exception {
    try (EmbeddedRegistry server = EmbeddedRegistry.builder().build().start(); Registry real = Registry.remote(server.host())) {
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      VerifyFixtures.all(real, "app", image.digest()).attach();
      Registry broken = failingReferrers(real, (p, m, a) -> {
        throw new NullPointerException("library bug");
      });
      VerificationReport r = verify(broken, VerifyFixtures.policy(), image.digest());
      assertThat(r.decision()).isEqualTo(Decision.DENY);
      assertThat(r.failures()).extracting(Check::name).contains("discovery", "signature");
      assertThat(r.failures().get(0).reason()).contains("cannot discover attestations of " + image.digest(), "library bug");
    }
  }

  @Test
  void aHangingRegistryDeniesAtTheDeadline() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    try (EmbeddedRegistry server = EmbeddedRegistry.builder().build().start(); Registry real = Registry.remote(server.host())) {
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      Registry hanging = failingReferrers(real, (p, m, a) -> {
        never.await();
        return List.of();
      });
      try (PolicyVerifier v = PolicyVerifier.builder(VerifyFixtures.policy()).registry(hanging)
          .timeout(Duration.ofMillis(300)).build()) {
        VerificationReport r = v.verify(hanging, "app", image.digest().toString());
        assertThat(r.decision()).isEqualTo(Decision.DENY);
        assertThat(r.failures()).extracting(Check::name).containsExactly("timeout");
        assertThat(r.subject()).isEqualTo(image.digest());
        assertThat(r.failures().get(0).reason()).contains("did not finish within PT0.3S");
      }
    } finally {
      never.countDown();
    }
  }

  @Test
  void theFourBundlesAreFetchedInParallel() throws Exception {
    java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(4);
    try (EmbeddedRegistry server = EmbeddedRegistry.builder().build().start(); Registry real = Registry.remote(server.host())) {
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      VerifyFixtures.all(real, "app", image.digest()).attach();
      // Each bundle download waits until all four are in flight: sequential fetching never gets there.
      Registry gated = (Registry) Proxy.newProxyInstance(Registry.class.getClassLoader(), new Class<?>[] {Registry.class},
          (proxy, method, args) -> {
            if (method.getName().equals("fetchBlob") && ((Descriptor) args[1]).mediaType().equals(MediaTypes.SIGSTORE_BUNDLE_V03)) {
              together.await(30, java.util.concurrent.TimeUnit.SECONDS);
            }
            try {
              return method.invoke(real, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
      try (PolicyVerifier v = PolicyVerifier.builder(VerifyFixtures.policy()).registry(gated).clock(VerifyFixtures.CLOCK)
          .parallelism(4).timeout(Duration.ofSeconds(60)).build()) {
        VerificationReport r = v.verify(gated, "app", image.digest().toString());
        assertThat(r.decision()).as(r.toTable()).isEqualTo(Decision.ALLOW);
      }
    }
  }

  /** A DSSE bundle referrer pushed by hand, bypassing the checks of the attach flow. */
  static Digest pushDsseReferrer(Registry registry, ImageManifest image, String payloadType, byte[] payload,
      String annotatedType) throws Exception {
    SigstoreBundle bundle = SigstoreBundle.ofDsse(DsseEnvelope.sign(payloadType, payload, SIGNER), SIGNER.hint());
    byte[] bytes = bundle.bytes();
    Descriptor layer = Descriptor.ofBytes(MediaTypes.SIGSTORE_BUNDLE_V03, bytes);
    registry.pushBlob("app", Descriptor.EMPTY.withoutData(), BlobSource.of(Descriptor.emptyBytes()));
    registry.pushBlob("app", layer, BlobSource.of(bytes));
    ImageManifest m = ImageManifest.builder().artifactType(MediaTypes.SIGSTORE_BUNDLE_V03)
        .config(Descriptor.EMPTY.withoutData()).layer(layer).subject(image.plainDescriptor())
        .annotation("dev.sigstore.bundle.content", "dsse-envelope")
        .annotation("dev.sigstore.bundle.predicateType", annotatedType).build();
    registry.pushManifest("app", m);
    return m.digest();
  }

  @Test
  void statementsAboutAnotherImageOrOfAnUnknownTypeAreRefused() throws Exception {
    Policy policy = Policy.builder("p")
        .trust("release", Policy.Trust.ofKeys(TrustedKey.ofSpki(VerifyFixtures.KEY.getPublic().getEncoded())))
        .signedBy("release")
        .attestation(AttestationRule.of(SlsaProvenance.PREDICATE_TYPE, "release"))
        .build();
    try (EmbeddedRegistry server = EmbeddedRegistry.builder().build().start(); Registry registry = Registry.remote(server.host())) {
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      ImageManifest other = TestImages.pushImage(server, "app", "v2");
      dev.attest.registry.Signatures.on(registry, "app", image.digest()).signWith(SIGNER).attach();
      Statement aboutOther = Statement.of(List.of(Subject.of("app", other.digest())), VerifyFixtures.provenance());
      Digest wrongSubject = pushDsseReferrer(registry, image, Statement.PAYLOAD_TYPE, aboutOther.bytes(),
          SlsaProvenance.PREDICATE_TYPE);
      String v2 = new String(Statement.of(List.of(Subject.of("app", image.digest())), VerifyFixtures.provenance()).bytes(),
          StandardCharsets.UTF_8).replace(Statement.TYPE_V1, "https://in-toto.io/Statement/v9");
      Digest wrongType = pushDsseReferrer(registry, image, Statement.PAYLOAD_TYPE, v2.getBytes(StandardCharsets.UTF_8),
          SlsaProvenance.PREDICATE_TYPE);
      Digest wrongPayloadType = pushDsseReferrer(registry, image, "text/plain",
          Statement.of(List.of(Subject.of("app", image.digest())), VerifyFixtures.provenance()).bytes(),
          SlsaProvenance.PREDICATE_TYPE);

      VerificationReport r = verify(registry, policy, image.digest());
      assertThat(r.decision()).isEqualTo(Decision.DENY);
      assertThat(r.failures()).extracting(Check::name).containsExactly("attestation:" + SlsaProvenance.PREDICATE_TYPE);
      String reason = r.failures().get(0).reason();
      assertThat(reason).contains("referrer " + wrongSubject + ": statement is not about " + image.digest());
      assertThat(reason).contains("referrer " + wrongType + ": the signed payload is not an in-toto statement",
          "Statement/v9");
      assertThat(reason).contains("referrer " + wrongPayloadType + ": the signed payload is not an in-toto statement",
          "payloadType");
    }
  }
}
