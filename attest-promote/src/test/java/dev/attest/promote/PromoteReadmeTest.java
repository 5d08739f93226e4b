package dev.attest.promote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.AttestException;
import dev.attest.core.ImageManifest;
import dev.attest.core.Keys;
import dev.attest.core.Signer;
import dev.attest.registry.OciLayout;
import dev.attest.registry.Registry;
import dev.attest.registry.RemoteRegistry;
import dev.attest.testing.EmbeddedRegistry;
import dev.attest.verify.ImageVerifier;
import dev.attest.verify.Policy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The code of {@code PROMOTE.md}, compiled and run; the test fails if the two drift apart. */
class PromoteReadmeTest {

  static PromotionReport promote(String digestRef, Registry dev, Registry prod, Policy policy, ImageVerifier verifier,
      Signer signer) throws AttestException {
    PromotionReport report = Promotion.of(digestRef)        // "registry.dev/acme/api@sha256:…"
        .from(dev)                                          // any Registry: remote, OciLayout, …
        .to(prod, "acme/api")
        .tags("v1.4.2")
        .gate(policy, verifier)
        .verifyAfter()
        .attestWith(signer)
        .execute();
    return report;
  }

  static PromotionPlan dryRun(String digestRef, Registry dev, Registry prod) throws AttestException {
    PromotionPlan plan = Promotion.of(digestRef).from(dev).to(prod, "acme/api").tags("v1.4.2").plan();
    System.out.print(plan.toTable());
    return plan;
  }

  static void export(String digestRef, Registry dev, Path exportDir) throws AttestException {
    Promotion.of(digestRef).from(dev).to(OciLayout.create(exportDir), "acme/api").execute();
  }

  @Test
  void theSnippetPromotes(@TempDir Path tmp) throws Exception {
    try (EmbeddedRegistry devServer = EmbeddedRegistry.builder().build().start();
        EmbeddedRegistry prodServer = EmbeddedRegistry.builder().referrersApi(false).build().start();
        Registry dev = RemoteRegistry.builder(devServer.host()).build();
        Registry prod = RemoteRegistry.builder(prodServer.host()).build()) {
      ImageManifest img = Content.single(dev, "acme/api", 1, 1000);
      String digestRef = devServer.host() + "/acme/api@" + img.digest();
      Policy policy = Verifiers.policy("prod");
      Signer signer = Keys.signer(Keys.generateP256());

      PromotionPlan plan = dryRun(digestRef, dev, prod);
      assertThat(plan.toWrite()).isNotEmpty();
      assertThat(prod.hasManifest("acme/api", img.digest())).isFalse();

      PromotionReport report = promote(digestRef, dev, prod, policy, Verifiers.allowing(policy.hash()), signer);
      assertThat(report.attestation()).isNotNull();
      assertThat(prod.resolve("acme/api", "v1.4.2").digest()).isEqualTo(img.digest());
      Content.assertPromoted(dev, "acme/api", prod, "acme/api", img.digest());

      export(digestRef, dev, tmp.resolve("export"));
      try (OciLayout layout = OciLayout.open(tmp.resolve("export"))) {
        Content.assertPromoted(dev, "acme/api", layout, "acme/api", img.digest());
      }
    }
  }

  @Test
  void theReadmeShowsThisCode() throws Exception {
    String readme = Files.readString(Path.of("PROMOTE.md"), StandardCharsets.UTF_8);
    String source = Files.readString(Path.of("src/test/java/dev/attest/promote/PromoteReadmeTest.java"),
        StandardCharsets.UTF_8);
    List<String> lines = new ArrayList<>();
    boolean in = false;
    for (String line : readme.split("\n")) {
      if (line.startsWith("```")) {
        in = line.startsWith("```java");
        continue;
      }
      if (in && !line.isBlank()) {
        lines.add(line.strip());
      }
    }
    assertThat(lines).hasSizeGreaterThan(8);
    for (String line : lines) {
      assertThat(source).as("PROMOTE.md line compiled here").contains(line);
    }
  }
}
