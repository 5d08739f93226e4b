package dev.attest.promote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import dev.attest.core.AttestException;
import dev.attest.core.Digest;
import dev.attest.core.ImageIndex;
import dev.attest.core.ImageManifest;
import dev.attest.core.Keys;
import dev.attest.core.Manifest;
import dev.attest.core.Signer;
import dev.attest.registry.OciLayout;
import dev.attest.registry.PushOptions;

import dev.attest.registry.RemoteRegistry;
import dev.attest.registry.testing.DockerRegistry;
import dev.attest.testing.EmbeddedRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real promotions between distribution 2.8.2 servers, the embedded registry and OCI layouts, each
 * with a single-platform image, a 3-platform index whose children carry their own attestations,
 * and signatures on attestations. Skipped without the 2.8.2 binary unless {@code
 * attest.it.require=true} or {@code CI=true}.
 */
class Promotion28IT {
  static final Signer SIGNER = Keys.signer(Keys.generateP256());
  static DockerRegistry a;
  static DockerRegistry b;
  static RemoteRegistry ra;
  static RemoteRegistry rb;

  @TempDir
  Path tmp;

  @BeforeAll
  static void start() throws Exception {
    a = DockerRegistry.start();
    b = DockerRegistry.start();
    ra = RemoteRegistry.builder(a.hostPort()).build();
    rb = RemoteRegistry.builder(b.hostPort()).build();
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {ra, rb, a, b}) {
      if (c != null) {
        c.close();
      }
    }
  }

  /**
   * 2.8.2 answers NAME_UNKNOWN for a repository that has blobs but no tag (what a promotion that
   * crashed before its manifests leaves behind): the plan then asks about no small blob, but still
   * asks about a large one, so that a resumed promotion does not send it twice (issue 14).
   */
  @Test
  void aResumedPromotionIntoATaglessRepositoryDoesNotSendItsLargeLayerAgain() throws Exception {
    byte[] bigBytes = Content.random(16 << 20, 77);
    byte[] smallBytes = Content.random(10_000, 78);
    dev.attest.core.Descriptor big = dev.attest.core.Descriptor.ofBytes(dev.attest.core.MediaTypes.OCI_LAYER_TAR_GZIP,
        bigBytes);
    dev.attest.core.Descriptor small = dev.attest.core.Descriptor.ofBytes(
        dev.attest.core.MediaTypes.OCI_LAYER_TAR_GZIP, smallBytes);
    byte[] configBytes = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
    dev.attest.core.Descriptor config = dev.attest.core.Descriptor.ofBytes(dev.attest.core.MediaTypes.OCI_CONFIG,
        configBytes);
    ra.pushBlob("dev/resume", big, dev.attest.registry.BlobSource.of(bigBytes));
    ra.pushBlob("dev/resume", small, dev.attest.registry.BlobSource.of(smallBytes));
    ra.pushBlob("dev/resume", config, dev.attest.registry.BlobSource.of(configBytes));
    ImageManifest image = ImageManifest.builder().config(config).layer(big).layer(small).build();
    ra.pushManifest("dev/resume", image);
    // The crashed run's leftovers: both layers, no manifest, no tag.
    rb.pushBlob("prod/resume", big, dev.attest.registry.BlobSource.of(bigBytes));
    rb.pushBlob("prod/resume", small, dev.attest.registry.BlobSource.of(smallBytes));
    assertThatThrownBy(() -> rb.tagListing().orElseThrow().tagsUpTo("prod/resume", 1)).isInstanceOf(dev.attest.registry.NotFoundException.class)
        .satisfies(e -> assertThat(((dev.attest.registry.NotFoundException) e).errorCode()).hasValue("NAME_UNKNOWN"));

    PromotionReport r = Promotion.of(image.digest()).from(ra, "dev/resume").to(rb, "prod/resume").execute();
    assertThat(r.plan().blobs()).filteredOn(i -> i.digest().equals(big.digest())).singleElement()
        .satisfies(i -> assertThat(i.present()).isTrue());
    assertThat(r.blobsCopied()).as("the config and the small layer, sent without asking").isEqualTo(2);
    assertThat(r.bytesCopied()).isEqualTo(small.size() + config.size());
    Content.assertPromoted(ra, "dev/resume", rb, "prod/resume", image.digest());
  }

  @Test
  void betweenTwo28Servers() throws Exception {
    ImageManifest single = Content.single(ra, "dev/single", 1, 300_000);
    ImageIndex multi = Content.multi(ra, "dev/multi", 2);

    PromotionReport r1 = Promotion.of(single.digest()).from(ra, "dev/single").to(rb, "prod/single").tags("v1")
        .attestWith(SIGNER).execute();
    PromotionReport r2 = Promotion.of(multi.digest()).from(ra, "dev/multi").to(rb, "prod/multi").tags("v1")
        .attestWith(SIGNER).execute();
    assertThat(r1.writes()).isPositive();
    assertThat(r2.plan().referrers()).hasSize(10);
    Content.assertPromoted(ra, "dev/single", rb, "prod/single", single.digest());
    Content.assertPromoted(ra, "dev/multi", rb, "prod/multi", multi.digest());
    assertThat(rb.resolve("prod/multi", "v1").digest()).isEqualTo(multi.digest());

    assertThat(Promotion.of(multi.digest()).from(ra, "dev/multi").to(rb, "prod/multi").tags("v1")
        .attestWith(SIGNER).execute().writes()).isZero();
  }

  @Test
  void fromTheEmbeddedRegistryTo28() throws Exception {
    try (EmbeddedRegistry e = EmbeddedRegistry.builder().referrersApi(true).build().start();
        RemoteRegistry re = RemoteRegistry.builder(e.host()).build()) {
      ImageManifest single = Content.single(re, "dev/single", 3, 100_000);
      ImageIndex multi = Content.multi(re, "dev/multi", 4);
      Promotion.of(single.digest()).from(re, "dev/single").to(rb, "emb/single").tags("v1").execute();
      Promotion.of(multi.digest()).from(re, "dev/multi").to(rb, "emb/multi").tags("v1").execute();
      Content.assertPromoted(re, "dev/single", rb, "emb/single", single.digest());
      Content.assertPromoted(re, "dev/multi", rb, "emb/multi", multi.digest());
    }
  }

  @Test
  void from28ToAnOciLayoutAndBack() throws Exception {
    ImageManifest single = Content.single(ra, "dev/layout-single", 5, 100_000);
    ImageIndex multi = Content.multi(ra, "dev/layout-multi", 6);
    try (OciLayout layout = OciLayout.create(tmp.resolve("export"))) {
      for (Object[] c : new Object[][] {{single.digest(), "layout-single"}, {multi.digest(), "layout-multi"}}) {
        Digest d = (Digest) c[0];
        String name = (String) c[1];
        Promotion.of(d).from(ra, "dev/" + name).to(layout, "air/" + name).tags("v1").execute();
        Content.assertPromoted(ra, "dev/" + name, layout, "air/" + name, d);
        Promotion.of(d).from(layout, "air/" + name).to(rb, "back/" + name).tags("v1").execute();
        Content.assertPromoted(ra, "dev/" + name, rb, "back/" + name, d);
      }
    }
  }

  @Test
  void killingTheDestinationMidBlobThenRerunningCompletes() throws Exception {
    try (DockerRegistry d = DockerRegistry.start();
        RemoteRegistry rd = RemoteRegistry.builder(d.hostPort()).retries(1)
            .retryDelays(Duration.ofMillis(50), Duration.ofMillis(100)).build()) {
      ImageManifest img = Content.single(ra, "dev/big", 7, 48 << 20);
      AtomicBoolean killed = new AtomicBoolean();
      PromotionListener killer = e -> {
        if (e instanceof PromotionEvent.BlobProgress p && p.transferred() >= (8 << 20) && killed.compareAndSet(false, true)) {
          try {
            d.kill();
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
          }
        }
      };
      assertThatThrownBy(() -> Promotion.of(img.digest()).from(ra, "dev/big").to(rd, "prod/big").tags("v1")
          .listener(killer).execute()).isInstanceOf(AttestException.class);
      assertThat(killed).isTrue();

      d.restart();
      assertThat(PromotionTest.hasTag(rd, "prod/big", "v1")).isFalse();
      PromotionReport r = Promotion.of(img.digest()).from(ra, "dev/big").to(rd, "prod/big").tags("v1").execute();
      assertThat(r.bytesCopied()).isGreaterThanOrEqualTo(48 << 20);
      Content.assertPromoted(ra, "dev/big", rd, "prod/big", img.digest());
      assertThat(rd.resolve("prod/big", "v1").digest()).isEqualTo(img.digest());
      assertThat(Promotion.of(img.digest()).from(ra, "dev/big").to(rd, "prod/big").tags("v1").execute().writes())
          .isZero();
    }
  }

  @Test
  void aConflictingTagIsRefusedWithNothingOverwritten() throws Exception {
    ImageManifest wanted = Content.single(ra, "dev/conflict", 8, 1000);
    ImageManifest other = Content.image(rb, "prod/conflict", 9, 1000, "amd64");
    rb.pushManifest("prod/conflict", other, PushOptions.tagged("v1"));
    assertThatThrownBy(() -> Promotion.of(wanted.digest()).from(ra, "dev/conflict").to(rb, "prod/conflict")
        .tags("v1").attestWith(SIGNER).execute())
        .isInstanceOf(TagConflictException.class)
        .hasMessageContaining(other.digest().toString()).hasMessageContaining(wanted.digest().toString());
    assertThat(rb.resolve("prod/conflict", "v1").digest()).isEqualTo(other.digest());
    assertThat(rb.hasManifest("prod/conflict", wanted.digest())).isFalse();
    assertThat(rb.hasBlob("prod/conflict", wanted.layers().get(0).digest())).isFalse();
    assertThat(PromotionTest.hasTag(rb, "prod/conflict", wanted.digest().tagSchemaTag() + ".sig")).isFalse();
  }

  @Test
  void skopeoPullsWhatWasPromotedWithTheDigestKept() throws Exception {
    String skopeo = skopeo();
    ImageIndex multi = Content.multi(ra, "dev/skopeo", 10);
    ImageManifest single = Content.single(ra, "dev/skopeo", 11, 50_000);
    Promotion.of(multi.digest()).from(ra, "dev/skopeo").to(rb, "prod/skopeo").tags("multi").execute();
    Promotion.of(single.digest()).from(ra, "dev/skopeo").to(rb, "prod/skopeo").tags("single").execute();

    for (Manifest m : List.<Manifest>of(multi, single)) {
      String ref = "docker://" + b.hostPort() + "/prod/skopeo@" + m.digest();
      byte[] raw = run(skopeo, "inspect", "--raw", "--tls-verify=false", ref);
      assertThat(Digest.sha256(raw)).isEqualTo(m.digest());
      Path out = tmp.resolve("pulled-" + m.digest().hex().substring(0, 12));
      run(skopeo, "copy", "--all", "--preserve-digests", "--src-tls-verify=false", ref, "oci:" + out + ":pulled");
      try (OciLayout layout = OciLayout.open(out)) {
        assertThat(layout.resolve("any", "pulled").digest()).isEqualTo(m.digest());
      }
    }
    byte[] byTag = run(skopeo, "inspect", "--raw", "--tls-verify=false", "docker://" + b.hostPort() + "/prod/skopeo:multi");
    assertThat(Digest.sha256(byTag)).isEqualTo(multi.digest());
  }

  private static String skopeo() {
    for (String c : List.of("/usr/bin/skopeo", "/usr/local/bin/skopeo")) {
      if (Files.isExecutable(Path.of(c))) {
        return c;
      }
    }
    if (Boolean.getBoolean("attest.it.require") || "true".equals(System.getenv("CI"))) {
      fail("skopeo is required for this integration test but was not found: apt-get install skopeo");
    }
    Assumptions.assumeTrue(false, "skopeo not installed; skipping");
    return "";
  }

  private byte[] run(String... cmd) throws Exception {
    List<String> all = new ArrayList<>();
    all.add(cmd[0]);
    all.add("--insecure-policy");
    all.addAll(List.of(cmd).subList(1, cmd.length));
    Path outFile = Files.createTempFile(tmp, "skopeo", ".out");
    Path errFile = Files.createTempFile(tmp, "skopeo", ".err");
    Process p = new ProcessBuilder(all).redirectOutput(outFile.toFile()).redirectError(errFile.toFile()).start();
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("skopeo timed out: " + String.join(" ", all));
    }
    if (p.exitValue() != 0) {
      fail("skopeo failed (" + p.exitValue() + "): " + String.join(" ", all) + "\n"
          + Files.readString(errFile, StandardCharsets.UTF_8));
    }
    return Files.readAllBytes(outFile);
  }

}
