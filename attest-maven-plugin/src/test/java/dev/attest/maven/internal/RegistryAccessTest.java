package dev.attest.maven.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.registry.CredentialStore;
import java.util.Map;
import org.apache.maven.plugin.MojoExecutionException;
import org.junit.jupiter.api.Test;

class RegistryAccessTest {
  @Test
  void settingsServersAreMatchedByRegistryHostAsJibMatchesThem() throws Exception {
    CredentialStore s = RegistryAccess.fromServers(Map.of(
        "ghcr.io", new String[] {"ci", "s1"}, "registry.example.com", new String[] {"u", "s2"}, "central",
        new String[] {"m", "s3"}));
    assertThat(s.get("ghcr.io")).hasValueSatisfying(c -> assertThat(c.username()).isEqualTo("ci"));
    assertThat(s.get("registry.example.com:443")).hasValueSatisfying(c -> assertThat(c.secret()).isEqualTo("s2"));
    assertThat(s.get("docker.io")).isEmpty();
  }

  @Test
  void offlineRefusesRemoteRegistriesOnly() throws Exception {
    try (RegistryAccess a = new RegistryAccess(Map.of(), false, 0, true)) {
      assertThat(a.open("127.0.0.1:5000")).isNotNull();
      assertThat(a.open("localhost:5000")).isNotNull();
      assertThatThrownBy(() -> a.open("ghcr.io")).isInstanceOf(MojoExecutionException.class)
          .hasMessageContaining("offline");
    }
  }

  @Test
  void retriesAreBounded() {
    assertThatThrownBy(() -> new RegistryAccess(Map.of(), false, 21, false))
        .isInstanceOf(MojoExecutionException.class);
  }
}
