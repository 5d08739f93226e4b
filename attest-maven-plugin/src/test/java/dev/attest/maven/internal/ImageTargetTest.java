package dev.attest.maven.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.core.Digest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.maven.plugin.MojoExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageTargetTest {
  static final String D1 = "sha256:" + "a".repeat(64);
  static final String D2 = "sha256:" + "b".repeat(64);

  @TempDir Path dir;

  Path json() {
    return dir.resolve("jib-image.json");
  }

  Path digest() {
    return dir.resolve("jib-image.digest");
  }

  @Test
  void readsJibsImageJson() throws Exception {
    Files.writeString(json(), "{\"image\":\"127.0.0.1:5000/acme/hello\",\"imageId\":\"" + D2 + "\",\"imageDigest\":\""
        + D1 + "\",\"tags\":[\"latest\"],\"imagePushed\":true}");
    ImageTarget t = ImageTarget.resolve(null, null, json(), digest());
    assertThat(t.ref().registry()).isEqualTo("127.0.0.1:5000");
    assertThat(t.ref().repository()).isEqualTo("acme/hello");
    assertThat(t.digest()).isEqualTo(Digest.parse(D1));
    assertThat(t.source()).endsWith("jib-image.json");
  }

  @Test
  void theImageParameterNamesTheRepositoryAndJibTheDigest() throws Exception {
    Files.writeString(digest(), D1 + "\n");
    ImageTarget t = ImageTarget.resolve("registry.example.com/acme/hello", null, json(), digest());
    assertThat(t.ref().registry()).isEqualTo("registry.example.com");
    assertThat(t.digest()).isEqualTo(Digest.parse(D1));
  }

  @Test
  void twoDifferentDigestsFail() throws Exception {
    Files.writeString(digest(), D1);
    assertThatThrownBy(() -> ImageTarget.resolve("r.example/acme/hello@" + D2, null, json(), digest()))
        .isInstanceOf(MojoExecutionException.class).hasMessageContaining("two digests");
    assertThatThrownBy(() -> ImageTarget.resolve("r.example/acme/hello", D2, json(), digest()))
        .isInstanceOf(MojoExecutionException.class).hasMessageContaining("two digests");
  }

  @Test
  void aTagAloneIsKeptForResolutionAndNothingAtAllFails() throws Exception {
    ImageTarget t = ImageTarget.resolve("r.example/acme/hello:1.0", null, json(), digest());
    assertThat(t.digest()).isNull();
    assertThatThrownBy(() -> ImageTarget.resolve(null, null, json(), digest()))
        .isInstanceOf(MojoExecutionException.class).hasMessageContaining("run jib:build first");
  }

  @Test
  void garbageInJibsFilesFails() throws Exception {
    Files.writeString(digest(), "latest");
    assertThatThrownBy(() -> ImageTarget.resolve("r.example/acme/hello", null, json(), digest()))
        .isInstanceOf(MojoExecutionException.class).hasMessageContaining("not an image digest");
    Files.writeString(json(), "[1]");
    assertThatThrownBy(() -> ImageTarget.resolve(null, null, json(), digest()))
        .isInstanceOf(MojoExecutionException.class).hasMessageContaining("Jib's JSON object");
  }
}
