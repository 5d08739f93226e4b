package dev.attest.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CredentialsTest {

  @Test
  void toStringNeverShowsTheSecret() {
    assertThat(Credentials.basic("alice", "hunter2").toString()).contains("alice").doesNotContain("hunter2");
    assertThat(Credentials.identityToken("refresh-abc").toString()).doesNotContain("refresh-abc");
    assertThat(Credentials.registryToken("tok-abc").toString()).doesNotContain("tok-abc");
  }

  @Test
  void validates() {
    assertThatThrownBy(() -> Credentials.basic("a:b", "p")).hasMessageContaining("':'");
    assertThatThrownBy(() -> Credentials.basic("", "p")).hasMessageContaining("username is empty");
    assertThatThrownBy(() -> Credentials.basic("a", "")).hasMessageContaining("password is empty");
    assertThatThrownBy(() -> Credentials.basic("a", "p\r\nX-Evil: 1")).hasMessageContaining("control character");
    assertThatThrownBy(() -> Credentials.identityToken("has space")).hasMessageContaining("identity token");
    assertThatThrownBy(() -> new Credentials(Credentials.Kind.BASIC, null, "p")).hasMessageContaining("username");
    assertThat(Credentials.basic("a", "pä ss").secret()).isEqualTo("pä ss");
  }

  @Test
  void storesChainAndAliasDockerHub() throws Exception {
    Credentials hub = Credentials.basic("hub", "pw");
    Credentials local = Credentials.basic("me", "pw");
    CredentialStore store =
        CredentialStore.firstOf(
            CredentialStore.of(Map.of("https://index.docker.io/v1/", hub)),
            CredentialStore.anonymous().with("localhost:5000", local));
    assertThat(store.get("registry-1.docker.io")).contains(hub);
    assertThat(store.get("docker.io")).contains(hub);
    assertThat(store.get("LOCALHOST:5000")).contains(local);
    assertThat(store.get("localhost:5001")).isEmpty();
    assertThat(CredentialStore.anonymous().get("x")).isEmpty();
  }
}
