package dev.attest.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.ImageIndex;
import dev.attest.core.Manifest;
import dev.attest.core.MediaTypes;
import dev.attest.core.Platform;
import dev.attest.testing.internal.RandomContent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * skopeo copies images into the embedded registry and out again, keeping every digest. Skipped
 * without skopeo unless {@code attest.it.require=true} or {@code CI=true}.
 */
class EmbeddedRegistrySkopeoIT {
  private static final String OCI_REF_NAME = "org.opencontainers.image.ref.name";

  @RegisterExtension
  static final EmbeddedRegistryExtension REGISTRY = EmbeddedRegistryExtension.create().temporaryDisk();

  private static String skopeo;

  @TempDir Path tmp;

  @BeforeAll
  static void findSkopeo() {
    for (String candidate : List.of("/usr/bin/skopeo", "/usr/local/bin/skopeo")) {
      if (Files.isExecutable(Path.of(candidate))) {
        skopeo = candidate;
        return;
      }
    }
    boolean required = Boolean.getBoolean("attest.it.require") || "true".equals(System.getenv("CI"));
    if (required) {
      fail("skopeo is required for this integration test but was not found: apt-get install skopeo");
    }
    Assumptions.assumeTrue(false, "skopeo not installed (apt-get install skopeo); skipping");
  }

  @Test
  void copiesSingleImageInAndOutKeepingDigest() throws Exception {
    RandomContent.Image image = new RandomContent(new Random(1)).image(false, 2, 4096, Platform.of("linux", "amd64"));
    Path source = tmp.resolve("src");
    Map<Digest, byte[]> blobs = new java.util.LinkedHashMap<>(image.blobs());
    blobs.put(image.manifest().digest(), image.manifest().bytes());
    writeLayout(source, blobs, image.manifest().plainDescriptor(), "v1");

    String remote = "docker://" + REGISTRY.host() + "/skopeo/single:v1";
    run("copy", "--all", "--preserve-digests", "--dest-tls-verify=false", "oci:" + source + ":v1", remote);
    assertThat(REGISTRY.registry().manifest("skopeo/single", "v1")).contains(image.manifest());

    Path out = tmp.resolve("out");
    run("copy", "--all", "--preserve-digests", "--src-tls-verify=false", remote, "oci:" + out + ":v1");
    assertThat(layoutDigest(out, "v1")).isEqualTo(image.manifest().digest());
    for (Digest d : blobs.keySet()) {
      assertThat(Files.readAllBytes(out.resolve("blobs/sha256/" + d.hex()))).isEqualTo(blobs.get(d));
    }
  }

  @Test
  void copiesThreePlatformIndexInAndOutKeepingDigests() throws Exception {
    List<Platform> platforms =
        List.of(Platform.parse("linux/amd64"), Platform.parse("linux/arm64"), Platform.parse("linux/s390x"));
    RandomContent.Index ix = new RandomContent(new Random(2)).index(false, 2, 2048, platforms);
    Map<Digest, byte[]> blobs = new java.util.LinkedHashMap<>();
    for (RandomContent.Image img : ix.images()) {
      blobs.putAll(img.blobs());
      blobs.put(img.manifest().digest(), img.manifest().bytes());
    }
    blobs.put(ix.index().digest(), ix.index().bytes());
    Path source = tmp.resolve("src");
    writeLayout(source, blobs, ix.index().plainDescriptor(), "multi");

    String remote = "docker://" + REGISTRY.host() + "/skopeo/multi:multi";
    run("copy", "--all", "--preserve-digests", "--dest-tls-verify=false", "oci:" + source + ":multi", remote);
    Manifest pushed = REGISTRY.registry().manifest("skopeo/multi", "multi").orElseThrow();
    assertThat(pushed.digest()).isEqualTo(ix.index().digest());
    for (RandomContent.Image img : ix.images()) {
      assertThat(REGISTRY.registry().manifest("skopeo/multi", img.manifest().digest().toString())).isPresent();
    }

    Path out = tmp.resolve("out");
    run("copy", "--all", "--preserve-digests", "--src-tls-verify=false", remote, "oci:" + out + ":multi");
    assertThat(layoutDigest(out, "multi")).isEqualTo(ix.index().digest());
    for (Digest d : blobs.keySet()) {
      assertThat(out.resolve("blobs/sha256/" + d.hex())).exists();
    }
  }

  @Test
  void copiesDockerManifestListBetweenRepositories() throws Exception {
    EmbeddedRegistry registry = REGISTRY.registry();
    ImageIndex list = TestImages.pushIndex(registry, "docker/src", "v1", TestImages.Format.DOCKER,
        List.of(Platform.parse("linux/amd64"), Platform.parse("linux/arm64")));
    run("copy", "--all", "--preserve-digests", "--src-tls-verify=false", "--dest-tls-verify=false",
        "docker://" + registry.host() + "/docker/src:v1", "docker://" + registry.host() + "/docker/dst:v1");
    Manifest copied = registry.manifest("docker/dst", "v1").orElseThrow();
    assertThat(copied.digest()).isEqualTo(list.digest());
    assertThat(copied.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST_LIST);
  }

  private static void writeLayout(Path dir, Map<Digest, byte[]> blobs, Descriptor top, String tag) throws IOException {
    Path blobDir = Files.createDirectories(dir.resolve("blobs/sha256"));
    for (Map.Entry<Digest, byte[]> e : blobs.entrySet()) {
      Files.write(blobDir.resolve(e.getKey().hex()), e.getValue());
    }
    Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    ImageIndex index = ImageIndex.builder().manifest(top.withAnnotation(OCI_REF_NAME, tag)).build();
    Files.write(dir.resolve("index.json"), index.bytes());
  }

  private static Digest layoutDigest(Path dir, String tag) throws Exception {
    ImageIndex index = (ImageIndex) Manifest.parse(Files.readAllBytes(dir.resolve("index.json")));
    List<Digest> found = new ArrayList<>();
    for (Descriptor d : index.manifests()) {
      if (tag.equals(d.annotations().get(OCI_REF_NAME))) {
        found.add(d.digest());
      }
    }
    assertThat(found).as("index.json entries tagged " + tag).hasSize(1);
    return found.get(0);
  }

  private void run(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(skopeo);
    cmd.add("--insecure-policy");
    cmd.addAll(List.of(args));
    Path log = Files.createTempFile(tmp, "skopeo", ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("skopeo timed out: " + String.join(" ", cmd) + "\n" + Files.readString(log, StandardCharsets.UTF_8));
    }
    if (p.exitValue() != 0) {
      fail("skopeo failed (" + p.exitValue() + "): " + String.join(" ", cmd) + "\n"
          + Files.readString(log, StandardCharsets.UTF_8));
    }
  }
}
