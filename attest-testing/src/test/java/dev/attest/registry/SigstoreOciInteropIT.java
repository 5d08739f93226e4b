package dev.attest.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.Digest;
import dev.attest.core.DsseEnvelope;
import dev.attest.core.ImageManifest;
import dev.attest.core.MediaTypes;
import dev.attest.core.SigstoreBundle;
import dev.attest.core.SlsaProvenance;
import dev.attest.core.Statement;
import dev.attest.core.Subject;
import dev.attest.registry.DiscoveredAttestation.Source;
import dev.attest.registry.testing.DockerRegistry;
import dev.attest.testing.EmbeddedRegistry;
import dev.attest.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * We read what {@code @sigstore/oci}'s {@code attachArtifactToImage} (the writer behind
 * actions/attest) writes: on the embedded registry with the referrers API, without it, and on
 * registry 2.8.2, which has none (so the {@code sha256-<hex>} fallback tag is used).
 */
class SigstoreOciInteropIT {
  static NodeInterop node;

  @TempDir Path tmp;

  @BeforeAll
  static void requireNode() {
    node = NodeInterop.require();
  }

  @Test
  void embeddedWithReferrersApi() throws Exception {
    try (EmbeddedRegistry server = EmbeddedRegistry.builder().referrersApi(true).build().start();
        Registry registry = Registry.remote(server.host())) {
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      attachAndRead(registry, server.host(), "app", image.digest(), false);
    }
  }

  @Test
  void embeddedWithoutReferrersApi() throws Exception {
    try (EmbeddedRegistry server = EmbeddedRegistry.builder().referrersApi(false).build().start();
        Registry registry = Registry.remote(server.host())) {
      ImageManifest image = TestImages.pushImage(server, "app", "v1");
      attachAndRead(registry, server.host(), "app", image.digest(), true);
    }
  }

  @Test
  void registry282() throws Exception {
    try (DockerRegistry server = DockerRegistry.start();
        Registry registry = RemoteRegistry.builder(server.hostPort()).build()) {
      ImageManifest image = TestContent.pushImage(registry, "it/oci", MediaTypes.OCI_MANIFEST, 3);
      attachAndRead(registry, server.hostPort(), "it/oci", image.digest(), true);
    }
  }

  private void attachAndRead(Registry registry, String host, String repo, Digest image, boolean fallback)
      throws Exception {
    Statement st = Statement.of(List.of(Subject.of(host + "/" + repo, image)), AttestFixtures.provenance());
    SigstoreBundle bundle =
        SigstoreBundle.ofDsse(DsseEnvelope.sign(st, AttestFixtures.SIGNER), AttestFixtures.SIGNER.hint());
    Path file = Files.write(tmp.resolve("bundle.json"), bundle.bytes());

    NodeInterop.Run run = node.run("attach.mjs", host + "/" + repo, image.toString(), file.toString(),
        SlsaProvenance.PREDICATE_TYPE);
    assertThat(run.exitCode()).as(run.output()).isZero();

    List<DiscoveredAttestation> found = Attestations.read(registry, repo, image);
    assertThat(found).singleElement().satisfies(d -> {
      assertThat(d.source()).isEqualTo(Source.REFERRER);
      assertThat(d.problem()).isEmpty();
      assertThat(d.raw()).isEqualTo(bundle.bytes());
      assertThat(d.sigstoreBundle()).contains(bundle);
      assertThat(d.layer().mediaType()).isEqualTo(MediaTypes.SIGSTORE_BUNDLE_V03);
      assertThat(d.predicate()).contains(SlsaProvenance.PREDICATE_TYPE);
      assertThat(d.annotation(Attestations.CONTENT)).contains("dsse-envelope");
      assertThat(d.annotation(Attestations.PREDICATE_TYPE)).contains(SlsaProvenance.PREDICATE_TYPE);
      assertThat(d.annotation(Attestations.CREATED)).isPresent();
      assertThat(d.manifest().artifactType()).isEqualTo(MediaTypes.SIGSTORE_BUNDLE_V03);
      assertThat(run.output()).contains(d.manifest().digest().toString());
    });
    assertThat(registry.tags(repo).contains(image.tagSchemaTag())).as("fallback tag").isEqualTo(fallback);
    if (fallback) {
      // The fallback index entry carries the annotations too.
      assertThat(registry.referrers(repo, image, null)).singleElement().satisfies(e -> {
        assertThat(e.artifactType()).isEqualTo(MediaTypes.SIGSTORE_BUNDLE_V03);
        assertThat(e.annotations()).containsEntry(Attestations.PREDICATE_TYPE, SlsaProvenance.PREDICATE_TYPE);
      });
    }
  }
}
