package dev.attest.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.AttestException;
import dev.attest.core.Descriptor;
import dev.attest.core.ImageManifest;
import dev.attest.core.Manifest;
import dev.attest.testing.EmbeddedRegistry;
import dev.attest.testing.TestImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The example of {@code CLIENT.md} compiles, runs, and is the one printed there. */
class ReadmeExamplesTest {

  /** The CLIENT.md example, with the host and password as parameters. */
  static List<Descriptor> clientExample(String host, String password) throws AttestException {
    CredentialStore credentials = CredentialStore.dockerConfig()              // ~/.docker/config.json, helpers
        .with(host, Credentials.basic("ci-bot", password));                   // this registry: fixed
    try (RemoteRegistry registry = RemoteRegistry.builder(host).credentials(credentials).retries(3).build()) {
      Descriptor release = registry.resolve("team/app", "v1.2.0");           // tag -> digest
      Manifest manifest = registry.fetchManifest("team/app", release.digest().toString());
      List<Descriptor> sboms = registry.referrers("team/app", release.digest(), "application/spdx+json");
      sboms.forEach(d -> System.out.println(d.digest() + " " + d.annotations()));
      assertThat(manifest.digest()).isEqualTo(release.digest());
      return sboms;
    }
  }

  @Test
  void clientExampleRunsAgainstTheEmbeddedRegistry() throws Exception {
    try (EmbeddedRegistry server = EmbeddedRegistry.builder().build().start();
        RemoteRegistry setup = RemoteRegistry.builder(server.host()).credentials(CredentialStore.anonymous()).build()) {
      ImageManifest image = TestImages.pushImage(server, "team/app", "v1.2.0");
      ImageManifest sbom = TestContent.referrer(setup, "team/app", image.descriptor(), "application/spdx+json", 1);
      setup.pushManifest("team/app", sbom);

      assertThat(clientExample(server.host(), "unused")).extracting(Descriptor::digest).containsExactly(sbom.digest());
    }
  }

  @Test
  void clientMdShowsThisExample() throws IOException {
    String md = Files.readString(Path.of("../attest-registry/CLIENT.md"), StandardCharsets.UTF_8);
    int start = md.indexOf("```java\n");
    List<String> block = md.substring(start + 8, md.indexOf("```", start + 8)).lines().map(String::strip).toList();
    assertThat(block.get(0)).isEqualTo("String host = \"registry.example.com\";");
    List<String> source = Files.readAllLines(
        Path.of("src/test/java/dev/attest/registry/ReadmeExamplesTest.java"), StandardCharsets.UTF_8)
        .stream().map(String::strip).toList();
    // Every other line of the block appears in clientExample, in order.
    List<String> rest = new ArrayList<>(block.subList(1, block.size()));
    int from = source.indexOf("static List<Descriptor> clientExample(String host, String password) throws AttestException {");
    assertThat(from).isPositive();
    for (String line : rest) {
      int at = source.subList(from, source.size()).indexOf(line);
      assertThat(at).as("CLIENT.md line not in clientExample: %s", line).isNotNegative();
      from += at + 1;
    }
  }
}
