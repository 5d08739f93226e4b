package dev.attest.registry.internal.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.attest.registry.CredentialStore;
import dev.attest.registry.Credentials;
import dev.attest.registry.RegistryException;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerConfigStoreTest {

  @TempDir Path dir;

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private Path config(String json) throws Exception {
    Path f = dir.resolve("config.json");
    Files.writeString(f, json);
    return f;
  }

  @Test
  void readsEveryInlineCredentialForm() throws Exception {
    Path f =
        config(
            """
            {"auths": {
              "a.example": {"auth": "%s"},
              "https://b.example:5000/v1/": {"username": "bob", "password": "pw-b"},
              "c.example": {"identitytoken": "idt-c"},
              "d.example": {"username": "dan", "identitytoken": "idt-d"},
              "e.example": {"registrytoken": "rt-e"},
              "https://index.docker.io/v1/": {"auth": "%s"},
              "empty.example": {}
            }, "HttpHeaders": {"User-Agent": "x"}}
            """
                .formatted(b64("alice:pw:with:colons"), b64("hubuser:hubpw")));
    CredentialStore s = CredentialStore.dockerConfig(f);
    assertThat(s.get("a.example")).contains(Credentials.basic("alice", "pw:with:colons"));
    assertThat(s.get("b.example:5000")).contains(Credentials.basic("bob", "pw-b"));
    assertThat(s.get("c.example")).contains(Credentials.identityToken("idt-c"));
    assertThat(s.get("d.example")).contains(Credentials.identityToken("idt-d").withUsername("dan"));
    assertThat(s.get("e.example")).contains(Credentials.registryToken("rt-e"));
    assertThat(s.get("docker.io")).contains(Credentials.basic("hubuser", "hubpw"));
    assertThat(s.get("registry-1.docker.io")).contains(Credentials.basic("hubuser", "hubpw"));
    assertThat(s.get("empty.example")).isEmpty();
    assertThat(s.get("b.example")).isEmpty();
    assertThat(s.get("unknown.example")).isEmpty();
  }

  @Test
  void missingFileMeansAnonymous() throws Exception {
    assertThat(CredentialStore.dockerConfig(dir.resolve("nope.json")).get("a.example")).isEmpty();
  }

  @Test
  void malformedEntriesAreClearErrorsWithoutSecrets() throws Exception {
    assertThatThrownBy(() -> CredentialStore.dockerConfig(config("{\"auths\": [")).get("a"))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("not valid JSON");
    CredentialStore s =
        CredentialStore.dockerConfig(
            config(
                "{\"auths\": {\"a.example\": {\"auth\": \"%s\"}, \"b.example\": {\"auth\": \"!!notbase64-secret\"}}}"
                    .formatted(b64("nocolon-secret"))));
    assertThatThrownBy(() -> s.get("a.example"))
        .hasMessageContaining("a.example")
        .hasMessageContaining("not username:password")
        .hasMessageNotContaining("nocolon-secret");
    assertThatThrownBy(() -> s.get("b.example"))
        .hasMessageContaining("not valid base64")
        .hasMessageNotContaining("notbase64-secret");
    assertThatThrownBy(() -> CredentialStore.dockerConfig(config("{\"auths\": {\"a\": {\"auth\": 1}}}")).get("a"))
        .hasMessageContaining("'auth' is not a string");
  }

  private static final String HELPER =
      """
      #!/bin/sh
      [ "$1" = get ] || exit 9
      read -r host || true
      case "$host" in
        helper.example) echo '{"ServerURL":"helper.example","Username":"hu","Secret":"hs"}' ;;
        token.example) echo '{"ServerURL":"token.example","Username":"<token>","Secret":"idtok"}' ;;
        https://index.docker.io/v1/) echo '{"ServerURL":"https://index.docker.io/v1/","Username":"hub","Secret":"hubsecret"}' ;;
        broken.example) echo 'the keychain is locked' >&2; exit 3 ;;
        huge.example) head -c 70000 /dev/zero | tr '\\0' a ;;
        *) echo 'credentials not found in native keychain'; exit 1 ;;
      esac
      """;

  private CredentialStore withHelper(String json) throws Exception {
    assumeTrue(File.separatorChar == '/', "POSIX shell needed");
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path exe = bin.resolve("docker-credential-test");
    Files.writeString(exe, HELPER);
    assertThat(exe.toFile().setExecutable(true)).isTrue();
    return new DockerConfigStore(config(json), List.of(dir.resolve("empty"), bin), Duration.ofSeconds(20));
  }

  @Test
  void credentialHelpersPerRegistryAndByDefault() throws Exception {
    CredentialStore s =
        withHelper(
            """
            {"credHelpers": {"helper.example": "test", "token.example": "test", "broken.example": "test",
                             "huge.example": "test", "missing.example": "absent"},
             "credsStore": "test",
             "auths": {"fallback.example": {"auth": "%s"}}}
            """
                .formatted(b64("fb:fbpw")));
    assertThat(s.get("helper.example")).contains(Credentials.basic("hu", "hs"));
    assertThat(s.get("token.example")).contains(Credentials.identityToken("idtok"));
    // Docker Hub is asked for under its canonical server URL.
    assertThat(s.get("docker.io")).contains(Credentials.basic("hub", "hubsecret"));
    // The default helper has nothing: the inline entry answers.
    assertThat(s.get("fallback.example")).contains(Credentials.basic("fb", "fbpw"));
    assertThat(s.get("other.example")).isEmpty();
    assertThatThrownBy(() -> s.get("broken.example"))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("docker-credential-test failed with exit status 3")
        .hasMessageContaining("the keychain is locked");
    assertThatThrownBy(() -> s.get("huge.example")).hasMessageContaining("more than 65536 bytes");
    assertThatThrownBy(() -> s.get("missing.example"))
        .hasMessageContaining("docker-credential-absent not found");
  }

  @Test
  void helperNamesCannotEscapeTheSearchPath() throws Exception {
    CredentialStore s = withHelper("{\"credsStore\": \"../bin/test\"}");
    assertThatThrownBy(() -> s.get("helper.example")).hasMessageContaining("invalid credential helper name");
  }
}
