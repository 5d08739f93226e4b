package dev.attest.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.attest.core.Descriptor;
import dev.attest.core.ImageIndex;
import dev.attest.core.ImageManifest;
import dev.attest.core.Manifest;
import dev.attest.core.Platform;
import dev.attest.registry.testing.DockerRegistry;
import dev.attest.testing.EmbeddedRegistry;
import dev.attest.testing.TestImages;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * skopeo copies a 3-platform index from the embedded registry into registry 2.8.2 ({@code copy
 * --all --preserve-digests}); {@link RemoteRegistry} then finds every manifest and blob in 2.8.2
 * under the source's digests, byte for byte. Skipped without skopeo or docker-registry unless
 * {@code attest.it.require=true} or {@code CI=true}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Skopeo28IT {
  EmbeddedRegistry embedded;
  DockerRegistry server;
  RemoteRegistry source;
  RemoteRegistry target;
  String skopeo;
  @TempDir Path tmp;

  @BeforeAll
  void start() throws Exception {
    skopeo = List.of("/usr/bin/skopeo", "/usr/local/bin/skopeo").stream()
        .filter(p -> Files.isExecutable(Path.of(p))).findFirst().orElse(null);
    if (skopeo == null) {
      boolean required = Boolean.getBoolean("attest.it.require") || "true".equals(System.getenv("CI"));
      if (required) {
        fail("skopeo is required for this integration test but was not found: apt-get install skopeo");
      }
      org.junit.jupiter.api.Assumptions.assumeTrue(false, "skopeo not installed; skipping");
    }
    server = DockerRegistry.start();
    embedded = EmbeddedRegistry.builder().build().start();
    source = RemoteRegistry.builder(embedded.host()).credentials(CredentialStore.anonymous()).build();
    target = RemoteRegistry.builder(server.hostPort()).credentials(CredentialStore.anonymous()).build();
  }

  @AfterAll
  void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {source, target, embedded, server}) {
      if (c != null) {
        c.close();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(TestImages.Format.class)
  void threePlatformIndexKeepsEveryDigest(TestImages.Format format) throws Exception {
    String repo = "skopeo/" + format.name().toLowerCase(java.util.Locale.ROOT);
    ImageIndex index = TestImages.pushIndex(embedded, repo, "v1", format,
        List.of(Platform.parse("linux/amd64"), Platform.parse("linux/arm64"), Platform.parse("linux/s390x")));

    run("copy", "--all", "--preserve-digests", "--src-tls-verify=false", "--dest-tls-verify=false",
        "docker://" + embedded.host() + "/" + repo + ":v1", "docker://" + server.hostPort() + "/" + repo + ":v1");

    Manifest copied = target.fetchManifest(repo, "v1");
    assertThat(copied.digest()).isEqualTo(index.digest());
    assertThat(copied.bytes()).isEqualTo(index.bytes());
    assertThat(target.resolve(repo, "v1").digest()).isEqualTo(index.digest());
    for (Descriptor child : index.manifests()) {
      ImageManifest m = (ImageManifest) target.fetchManifest(repo, child.digest().toString());
      assertThat(m.bytes()).isEqualTo(source.fetchManifest(repo, child.digest().toString()).bytes());
      List<Descriptor> blobs = new ArrayList<>(m.layers());
      blobs.add(m.config());
      for (Descriptor b : blobs) {
        // fetchBlob verifies the digest at EOF; compare the bytes with the source's too.
        try (InputStream copiedBlob = target.fetchBlob(repo, b); InputStream original = source.fetchBlob(repo, b)) {
          assertThat(copiedBlob.readAllBytes()).isEqualTo(original.readAllBytes());
        }
      }
    }
  }

  private void run(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(skopeo, "--insecure-policy"));
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
