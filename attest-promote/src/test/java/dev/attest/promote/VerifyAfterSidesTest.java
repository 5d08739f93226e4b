package dev.attest.promote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.core.Digest;
import dev.attest.core.ImageManifest;
import dev.attest.core.Keys;
import dev.attest.registry.OciLayout;
import dev.attest.registry.Signatures;
import dev.attest.testing.EmbeddedRegistry;
import dev.attest.testing.TestImages;
import dev.attest.verify.ImageVerifier;
import dev.attest.verify.Policy;
import dev.attest.verify.PolicyVerifier;
import dev.attest.verify.TrustedKey;
import dev.attest.verify.VerificationReport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gate and verify-after check the side they are about, whatever registry the verifier was
 * built for: the promotion passes each side's {@code Registry}, not a host name.
 */
class VerifyAfterSidesTest {
  EmbeddedRegistry dev;
  EmbeddedRegistry prod;
  KeyPair key;
  Policy policy;
  ImageManifest image;

  @BeforeEach
  void setUp() throws Exception {
    dev = EmbeddedRegistry.builder().build().start();
    prod = EmbeddedRegistry.builder().referrersApi(false).build().start();
    key = Keys.generateP256();
    String pem = new String(Keys.writePublicKeyPem(key.getPublic()), StandardCharsets.US_ASCII);
    policy = Policy.builder("prod").trust("k", Policy.Trust.ofKeys(TrustedKey.fromPem(pem))).signedBy("k").build();
    image = TestImages.pushImage(dev, "acme/api", "v1");
    Signatures.on(dev, "acme/api", image.digest()).signWith(Keys.signer(key)).attach();
  }

  @AfterEach
  void tearDown() {
    dev.close();
    prod.close();
  }

  private Promotion promotion(ImageVerifier verifier, List<String> deleted) {
    return Promotion.of(image.digest()).from(dev, "acme/api").to(prod, "acme/api").tags("v1")
        .gate(policy, verifier).verifyAfter()
        .listener(e -> {
          // Once the signature is copied and listed in the fallback index, delete it at the destination.
          if (e instanceof PromotionEvent.ReferrerIndexed r && !deleted.isEmpty() && deleted.get(0).equals("armed")) {
            try {
              prod.delete("acme/api", r.referrer());
              deleted.set(0, r.referrer().toString());
            } catch (Exception ex) {
              throw new IllegalStateException(ex);
            }
          }
        });
  }

  @Test
  void aDestinationWithADeletedReferrerDeniesEvenWithAVerifierBuiltForTheSource() throws Exception {
    // Had verify-after looked at the source (where the signature is intact), it would have allowed
    // at once. It denied at the destination, so the promotion re-checked and repaired the
    // destination (ADR 0019) and verified there once more.
    try (PolicyVerifier verifier = PolicyVerifier.builder(policy).registry(dev).build()) {
      List<String> deleted = new ArrayList<>(List.of("armed"));
      PromotionReport report = promotion(verifier, deleted).execute();
      assertThat(deleted.get(0)).startsWith("sha256:");
      assertThat(report.gate().admitted()).isTrue();
      assertThat(report.recheck()).as("verify-after denied at the destination").isNotNull();
      assertThat(report.repaired()).extracting(i -> i.digest().toString()).contains(deleted.get(0));
      assertThat(report.after().admitted()).isTrue();
      assertThat(report.after().input()).startsWith(prod.host() + "/acme/api@");
      assertThat(prod.hasManifest("acme/api", Digest.parse(deleted.get(0)))).isTrue();
      assertThat(prod.tags("acme/api")).contains("v1");
    }
  }

  @Test
  void theSameVerifierAdmitsAnIntactDestination() throws Exception {
    try (PolicyVerifier verifier = PolicyVerifier.builder(policy).registry(dev).build()) {
      PromotionReport report = promotion(verifier, new ArrayList<>(List.of("not armed"))).execute();
      assertThat(report.gate().admitted()).isTrue();
      assertThat(report.after().admitted()).isTrue();
      assertThat(report.after().input()).startsWith(prod.host() + "/acme/api@");
      assertThat(prod.tags("acme/api")).contains("v1");
    }
  }

  @Test
  void aVerifierThatCannotServeTheDestinationIsRefusedBeforeAnyWrite(@TempDir Path dir) throws Exception {
    ImageVerifier referencesOnly = ref -> VerificationReport.denied(ref, null, policy.hash(), "test", "unused",
        java.time.Instant.now());
    try (OciLayout layout = OciLayout.create(dir.resolve("layout"))) {
      assertThatThrownBy(() -> Promotion.of(image.digest()).from(dev, "acme/api").to(layout, "acme/api")
          .gate(policy, referencesOnly).verifyAfter().execute())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("cannot verify at the destination");
      assertThat(layout.hasManifest("acme/api", image.digest())).isFalse();
    }
  }
}
