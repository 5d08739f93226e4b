package dev.attest.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.CycloneDxSbom;
import dev.attest.core.Descriptor;
import dev.attest.core.ImageManifest;
import dev.attest.core.MediaTypes;
import dev.attest.core.SlsaProvenance;
import dev.attest.core.VulnerabilityScan;
import dev.attest.registry.AttachResult;
import dev.attest.registry.AttachedReferrer;
import dev.attest.registry.Attestations;
import dev.attest.registry.BlobSource;
import dev.attest.registry.PushOptions;
import dev.attest.registry.Registry;
import dev.attest.registry.RemoteRegistry;
import dev.attest.registry.testing.DockerRegistry;
import dev.attest.verify.VerificationReport.Check;
import dev.attest.verify.VerificationReport.Decision;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The verifier against the real distribution 2.8.2 (no referrers API: the fallback tag index).
 * Skipped without the binary unless {@code attest.it.require=true} or {@code CI=true}.
 */
class PolicyVerifier28IT {

  static ImageManifest pushImage(Registry r, String repo, String tag, long seed) throws Exception {
    byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":" + seed + "}").getBytes(StandardCharsets.UTF_8);
    byte[] layer = new byte[2048];
    new Random(seed).nextBytes(layer);
    Descriptor c = Descriptor.ofBytes(MediaTypes.OCI_CONFIG, config);
    Descriptor l = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR_GZIP, layer);
    r.pushBlob(repo, c, BlobSource.of(config));
    r.pushBlob(repo, l, BlobSource.of(layer));
    ImageManifest m = ImageManifest.builder().mediaType(MediaTypes.OCI_MANIFEST).config(c).layer(l).build();
    r.pushManifest(repo, m, PushOptions.tagged(tag));
    return m;
  }

  @Test
  void aSignedFullyAttestedImagePassesAndLosingAnyReferrerDenies() throws Exception {
    try (DockerRegistry server = DockerRegistry.start();
        Registry registry = RemoteRegistry.builder(server.hostPort()).build();
        PolicyVerifier v = PolicyVerifier.builder(VerifyFixtures.policy()).registries(h -> registry)
            .clock(VerifyFixtures.CLOCK).build()) {
      ImageManifest image = pushImage(registry, "it/app", "v1", 1);
      AttachResult attached = VerifyFixtures.all(registry, "it/app", image.digest()).attach();

      VerificationReport ok = v.verify(server.hostPort() + "/it/app@" + image.digest());
      assertThat(ok.decision()).as(ok.toTable()).isEqualTo(Decision.ALLOW);
      assertThat(ok.statements()).hasSize(3);
      VerificationReport byTag = v.verify(server.hostPort() + "/it/app:v1");
      assertThat(byTag.subject()).isEqualTo(image.digest());
      assertThat(byTag.failures()).extracting(Check::name).containsExactly("input");

      int n = 2;
      for (String type : List.of(Attestations.COSIGN_SIGN_PREDICATE_TYPE, SlsaProvenance.PREDICATE_TYPE,
          CycloneDxSbom.PREDICATE_TYPE, VulnerabilityScan.COSIGN_VULN_V1)) {
        ImageManifest other = pushImage(registry, "it/app", "v" + n, n++);
        AttachResult a = VerifyFixtures.all(registry, "it/app", other.digest()).attach();
        AttachedReferrer gone = a.referrers().stream().filter(r -> r.predicateType().equals(type)).findFirst().orElseThrow();
        registry.delete("it/app", gone.descriptor().digest());
        VerificationReport r = v.verify(server.hostPort() + "/it/app@" + other.digest());
        assertThat(r.decision()).as(type).isEqualTo(Decision.DENY);
        assertThat(r.failures().stream().map(c -> c.name() + " " + c.reason()).toList().toString())
            .as(type).contains(gone.descriptor().digest().toString());
      }
      assertThat(attached.referrers()).hasSize(4);
    }
  }
}
