package dev.attest.registry;

import static dev.attest.registry.AttestFixtures.SIGNER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.DsseEnvelope;
import dev.attest.core.ImageManifest;
import dev.attest.core.MediaTypes;
import dev.attest.core.SigstoreBundle;
import dev.attest.core.SlsaProvenance;
import dev.attest.core.Statement;
import dev.attest.core.Subject;
import dev.attest.registry.DiscoveredAttestation.Source;
import dev.attest.testing.EmbeddedRegistry;
import dev.attest.testing.TestImages;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading cosign's legacy tags, and referrers that are too big or about something else. */
class AttestationsReadTest {

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Descriptor push(Registry r, String repo, String mediaType, byte[] bytes) throws Exception {
    Descriptor d = Descriptor.ofBytes(mediaType, bytes);
    r.pushBlob(repo, d, BlobSource.of(bytes));
    return d;
  }

  @Test
  void legacySignatureAndAttestationTags() throws Exception {
    try (EmbeddedRegistry server = EmbeddedRegistry.builder().build().start();
        Registry registry = Registry.remote(server.host())) {
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      Digest d = image.digest();
      Descriptor config = push(registry, "app", MediaTypes.OCI_CONFIG, utf8("{\"architecture\":\"\",\"os\":\"\"}"));

      // cosign's .sig: a simple-signing payload per layer, signature and certificate in annotations.
      byte[] payload = utf8("{\"critical\":{\"identity\":{\"docker-reference\":\"example.com/app\"},\"image\":"
          + "{\"docker-manifest-digest\":\"" + d + "\"},\"type\":\"cosign container image signature\"},\"optional\":null}");
      byte[] sig = SIGNER.sign(payload);
      Descriptor sigLayer = push(registry, "app", MediaTypes.COSIGN_SIMPLE_SIGNING, payload)
          .withAnnotation(DiscoveredAttestation.COSIGN_SIGNATURE_ANNOTATION, Base64.getEncoder().encodeToString(sig))
          .withAnnotation(DiscoveredAttestation.COSIGN_CERTIFICATE_ANNOTATION, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
          .withAnnotation(DiscoveredAttestation.COSIGN_CHAIN_ANNOTATION, "")
          .withAnnotation(DiscoveredAttestation.COSIGN_BUNDLE_ANNOTATION, "{\"SignedEntryTimestamp\":\"AA==\",\"Payload\":{}}");
      registry.pushManifest("app", ImageManifest.builder().config(config).layer(sigLayer).build(),
          PushOptions.tagged(d.tagSchemaTag() + ".sig"));

      // cosign's .att: DSSE envelopes, the predicate type in a layer annotation.
      Statement st = Statement.of(List.of(Subject.of("example.com/app", d)), AttestFixtures.provenance());
      byte[] env = DsseEnvelope.sign(st, SIGNER).json();
      Descriptor attLayer = push(registry, "app", MediaTypes.DSSE_ENVELOPE, env)
          .withAnnotation("predicateType", SlsaProvenance.PREDICATE_TYPE);
      registry.pushManifest("app", ImageManifest.builder().config(config).layer(attLayer).build(),
          PushOptions.tagged(d.tagSchemaTag() + ".att"));

      List<DiscoveredAttestation> found = Attestations.read(registry, "app", d);
      assertThat(found).hasSize(2);
      DiscoveredAttestation s = found.stream().filter(f -> f.source() == Source.LEGACY_SIG).findFirst().orElseThrow();
      assertThat(s.raw()).isEqualTo(payload);
      assertThat(s.annotation(DiscoveredAttestation.COSIGN_SIGNATURE_ANNOTATION))
          .contains(Base64.getEncoder().encodeToString(sig));
      assertThat(s.annotation(DiscoveredAttestation.COSIGN_CERTIFICATE_ANNOTATION)).isPresent();
      assertThat(s.annotation(DiscoveredAttestation.COSIGN_BUNDLE_ANNOTATION)).isPresent();
      assertThat(s.sigstoreBundle()).isEmpty();
      assertThat(s.problem()).isEmpty();

      DiscoveredAttestation a = found.stream().filter(f -> f.source() == Source.LEGACY_ATT).findFirst().orElseThrow();
      assertThat(a.raw()).isEqualTo(env);
      assertThat(a.predicate()).contains(SlsaProvenance.PREDICATE_TYPE);
      assertThat(a.dsseEnvelope().orElseThrow().statement()).isEqualTo(st);
      assertThat(a.manifest().digest()).isEqualTo(registry.resolve("app", d.tagSchemaTag() + ".att").digest());
    }
  }

  @Test
  void oversizedBundleIsListedWithAnErrorAndNotDownloaded() throws Exception {
    try (EmbeddedRegistry server = EmbeddedRegistry.builder().build().start();
        Registry registry = Registry.remote(server.host())) {
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      byte[] big = new byte[Attestations.MAX_BUNDLE_BYTES + 1];
      Descriptor layer = push(registry, "app", MediaTypes.SIGSTORE_BUNDLE_V03, big);
      registry.pushBlob("app", Descriptor.EMPTY, BlobSource.of(Descriptor.emptyBytes()));
      ImageManifest m = ImageManifest.builder().artifactType(MediaTypes.SIGSTORE_BUNDLE_V03)
          .config(Descriptor.EMPTY).layer(layer).subject(image.plainDescriptor()).build();
      registry.pushManifest("app", m);

      List<DiscoveredAttestation> found = Attestations.read(registry, "app", image.digest());
      assertThat(found).singleElement().satisfies(f -> {
        assertThat(f.problem()).hasValueSatisfying(p -> assertThat(p)
            .contains("is " + big.length + " bytes, over the limit of " + Attestations.MAX_BUNDLE_BYTES));
        assertThat(f.raw()).isEmpty();
        assertThat(f.sigstoreBundle()).isEmpty();
      });
    }
  }

  @Test
  void fallbackEntryAboutAnotherImageIsFlagged() throws Exception {
    try (EmbeddedRegistry server = EmbeddedRegistry.builder().referrersApi(false).build().start();
        Registry registry = Registry.remote(server.host())) {
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      ImageManifest other = TestImages.pushImage(server, "app", "v2");
      AttachResult r = Attestations.on(registry, "app", other.digest())
          .provenance(AttestFixtures.provenance()).signWith(SIGNER).attach();
      // Someone lists the other image's referrer in this image's fallback index.
      dev.attest.core.ImageIndex index = dev.attest.core.ImageIndex.builder()
          .manifest(r.referrers().get(0).descriptor()).build();
      registry.pushManifest("app", index, PushOptions.tagged(image.digest().tagSchemaTag()));

      List<DiscoveredAttestation> found = Attestations.read(registry, "app", image.digest());
      assertThat(found).singleElement().satisfies(f -> {
        assertThat(f.problem()).hasValueSatisfying(p -> assertThat(p)
            .contains("has subject " + other.digest() + ", not " + image.digest()));
        assertThat(f.sigstoreBundle()).isEmpty();
      });
    }
  }

  @Test
  void nothingFoundIsEmpty() throws Exception {
    try (EmbeddedRegistry server = EmbeddedRegistry.builder().build().start();
        Registry registry = Registry.remote(server.host())) {
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      assertThat(Attestations.read(registry, "app", image.digest())).isEmpty();
      // A bundle referrer with a corrupt layer is reported, not thrown.
      byte[] junk = utf8("{\"mediaType\":\"" + SigstoreBundle.MEDIA_TYPE_V0_3 + "\"}");
      Descriptor layer = push(registry, "app", MediaTypes.SIGSTORE_BUNDLE_V03, junk);
      registry.pushBlob("app", Descriptor.EMPTY, BlobSource.of(Descriptor.emptyBytes()));
      registry.pushManifest("app", ImageManifest.builder().artifactType(MediaTypes.SIGSTORE_BUNDLE_V03)
          .config(Descriptor.EMPTY).layer(layer).subject(image.plainDescriptor()).build());
      assertThat(Attestations.read(registry, "app", image.digest())).singleElement().satisfies(f -> {
        assertThat(f.raw()).isEqualTo(junk);
        assertThat(f.problem()).hasValueSatisfying(p -> assertThat(p).contains("layer " + layer.digest()));
      });
    }
  }
}
