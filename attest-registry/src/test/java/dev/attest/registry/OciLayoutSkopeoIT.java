package dev.attest.registry;

import static dev.attest.registry.LayoutFixtures.pushImage;
import static dev.attest.registry.LayoutFixtures.pushIndex;
import static dev.attest.registry.LayoutFixtures.pushReferrer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.attest.core.ImageIndex;
import dev.attest.core.ImageManifest;
import dev.attest.core.Manifest;
import dev.attest.core.MediaTypes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layouts written by {@link OciLayout} are read by skopeo, and copied by it digest for digest. */
class OciLayoutSkopeoIT {
  private static final Path SKOPEO = Path.of("/usr/bin/skopeo");
  private static final String REPO = "team/app";

  @TempDir Path dir;

  @BeforeAll
  static void needsSkopeo() {
    boolean present = Files.isExecutable(SKOPEO);
    boolean required = Boolean.getBoolean("attest.it.require") || "true".equals(System.getenv("CI"));
    if (!present && required) {
      fail("skopeo is required for this integration test but " + SKOPEO
          + " is missing: apt-get install skopeo");
    }
    assumeTrue(present, "skopeo is not installed (apt-get install skopeo); skipping");
  }

  @Test
  void skopeoReadsAndCopiesATaggedImage() throws Exception {
    Path src = dir.resolve("src");
    Path dst = dir.resolve("dst");
    ImageManifest image;
    try (OciLayout layout = OciLayout.create(src)) {
      image = pushImage(layout, REPO, "amd64", PushOptions.tagged("v1"));
    }

    byte[] raw = skopeo("inspect", "--raw", "oci:" + src + ":v1");
    assertThat(raw).isEqualTo(image.bytes());

    skopeo("copy", "--all", "--preserve-digests", "oci:" + src + ":v1", "oci:" + dst + ":v1");
    try (OciLayout copy = OciLayout.open(dst)) {
      Manifest copied = copy.fetchManifest(REPO, "v1"); // skopeo's tags belong to every repository
      assertThat(copied.digest()).isEqualTo(image.digest());
      assertThat(copied.bytes()).isEqualTo(image.bytes());
    }
  }

  @Test
  void skopeoCopiesAMultiPlatformIndexAndSeesTheReferrersIndex() throws Exception {
    Path src = dir.resolve("src");
    Path dst = dir.resolve("dst");
    ImageIndex index;
    ImageManifest referrer;
    try (OciLayout layout = OciLayout.create(src)) {
      index = pushIndex(layout, REPO, PushOptions.tagged("multi"));
      referrer = pushReferrer(layout, REPO, index.plainDescriptor(), MediaTypes.SIGSTORE_BUNDLE_V03, "sig",
          PushOptions.DEFAULT);
    }
    String fallbackTag = index.digest().tagSchemaTag();

    assertThat(skopeo("inspect", "--raw", "oci:" + src + ":multi")).isEqualTo(index.bytes());
    byte[] fallback = skopeo("inspect", "--raw", "oci:" + src + ":" + fallbackTag);
    assertThat(((ImageIndex) Manifest.parse(fallback)).manifests()).containsExactly(referrer.descriptor());

    // Copying the referrers index itself is not checked: skopeo 1.9.3 says an index of OCI 1.1
    // artifacts "must be converted" and refuses under --preserve-digests (a skopeo limitation).
    skopeo("copy", "--all", "--preserve-digests", "oci:" + src + ":multi", "oci:" + dst + ":multi");
    try (OciLayout copy = OciLayout.open(dst)) {
      assertThat(copy.resolve(REPO, "multi").digest()).isEqualTo(index.digest());
      assertThat(copy.fetchManifest(REPO, "multi").bytes()).isEqualTo(index.bytes());
      for (var child : index.manifests()) {
        assertThat(copy.fetchManifest(REPO, child.digest().toString()).digest()).isEqualTo(child.digest());
      }
    }
  }

  private static byte[] skopeo(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(SKOPEO.toString());
    cmd.add("--insecure-policy");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.PIPE).start();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("skopeo " + String.join(" ", args) + " did not finish in 120 s");
    }
    if (p.exitValue() != 0) {
      fail("skopeo " + String.join(" ", args) + " failed with " + p.exitValue() + ": "
          + new String(err, StandardCharsets.UTF_8));
    }
    return out;
  }
}
