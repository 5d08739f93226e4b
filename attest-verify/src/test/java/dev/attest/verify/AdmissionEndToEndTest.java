package dev.attest.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attest.core.Descriptor;
import dev.attest.core.ImageManifest;
import dev.attest.core.SlsaProvenance;
import dev.attest.registry.Attestations;
import dev.attest.registry.BlobSource;
import dev.attest.registry.Registry;
import dev.attest.testing.EmbeddedRegistry;
import dev.attest.testing.TestImages;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The admission handler with the real verifier, on images attested in the embedded registry. */
class AdmissionEndToEndTest {
  static final ObjectMapper M = new ObjectMapper();

  static byte[] podReview(String uid, String image) {
    ObjectNode root = M.createObjectNode();
    root.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
    ObjectNode req = root.putObject("request");
    req.put("uid", uid).put("operation", "CREATE").put("namespace", "shop");
    req.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
    req.putObject("resource").put("group", "").put("version", "v1").put("resource", "pods");
    ObjectNode pod = req.putObject("object");
    pod.put("apiVersion", "v1").put("kind", "Pod");
    pod.putObject("metadata").put("name", "web").put("namespace", "shop");
    pod.putObject("spec").putArray("containers").addObject().put("name", "app").put("image", image);
    try {
      return M.writeValueAsBytes(root);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void allowsTheAttestedDigestAndDeniesAMissingSbomAndATamperedProvenance() throws Exception {
    try (EmbeddedRegistry server = EmbeddedRegistry.builder().build().start();
        Registry registry = Registry.remote(server.host());
        PolicyVerifier verifier = PolicyVerifier.builder(VerifyFixtures.policy()).registries(h -> registry)
            .clock(VerifyFixtures.CLOCK).build();
        AdmissionHandler handler = AdmissionHandler.builder(verifier).timeout(Duration.ofSeconds(20)).build()) {
      // 1. Fully attested.
      ImageManifest good = TestImages.pushImage(server, "good", "v1");
      VerifyFixtures.all(registry, "good", good.digest()).attach();
      // 2. No SBOM.
      ImageManifest noSbom = TestImages.pushImage(server, "nosbom", "v1");
      Attestations.on(registry, "nosbom", noSbom.digest()).provenance(VerifyFixtures.provenance())
          .vulnerabilities(VerifyFixtures.scan()).imageSignature().signWith(VerifyFixtures.SIGNER).attach();
      // 3. Provenance replaced by a copy with one byte changed.
      ImageManifest tampered = TestImages.pushImage(server, "tampered", "v1");
      var attached = VerifyFixtures.all(registry, "tampered", tampered.digest()).attach();
      var prov = attached.referrers().stream()
          .filter(r -> r.predicateType().equals(SlsaProvenance.PREDICATE_TYPE)).findFirst().orElseThrow();
      ImageManifest m = (ImageManifest) registry.fetchManifest("tampered", prov.descriptor().digest().toString());
      byte[] bundle;
      try (InputStream in = registry.fetchBlob("tampered", m.layers().get(0))) {
        bundle = in.readAllBytes();
      }
      int at = new String(bundle, StandardCharsets.US_ASCII).indexOf("\"payload\":\"") + 40;
      bundle[at] = (byte) (bundle[at] == 'A' ? 'B' : 'A');
      Descriptor layer = Descriptor.ofBytes(m.layers().get(0).mediaType(), bundle);
      registry.pushBlob("tampered", layer, BlobSource.of(bundle));
      ImageManifest copy = ImageManifest.builder().artifactType(m.artifactType().orElseThrow()).config(m.config())
          .layer(layer).subject(m.subject().orElseThrow()).annotations(m.annotations()).build();
      registry.pushManifest("tampered", copy);
      registry.delete("tampered", prov.descriptor().digest());

      JsonNode ok = M.readTree(handler.validate(podReview("u-good", server.host() + "/good@" + good.digest())));
      assertThat(ok.at("/response/uid").asText()).isEqualTo("u-good");
      assertThat(ok.at("/response/allowed").asBoolean()).as(ok.toString()).isTrue();

      JsonNode sbom = M.readTree(handler.validate(podReview("u-sbom", server.host() + "/nosbom@" + noSbom.digest())));
      assertThat(sbom.at("/response/allowed").asBoolean()).isFalse();
      assertThat(sbom.at("/response/status/message").asText())
          .contains(server.host() + "/nosbom@" + noSbom.digest(), "https://cyclonedx.org/bom");

      JsonNode prv = M.readTree(handler.validate(podReview("u-prov", server.host() + "/tampered@" + tampered.digest())));
      assertThat(prv.at("/response/allowed").asBoolean()).isFalse();
      assertThat(prv.at("/response/status/message").asText())
          .contains(SlsaProvenance.PREDICATE_TYPE, "referrer " + copy.digest());
    }
  }
}
