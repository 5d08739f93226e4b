package dev.attest.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.core.ImageManifest;
import dev.attest.core.MediaTypes;
import dev.attest.registry.testing.DockerRegistry;
import org.junit.jupiter.api.Test;

/**
 * The {@link RemoteRegistryContract} against the real distribution 2.8.2 server (no referrers
 * API: the tag-schema fallback), plus a kill and restart.
 */
class RemoteRegistry28IT extends RemoteRegistryContract {
  DockerRegistry server;

  @Override
  RemoteRegistry.Builder startServer() throws Exception {
    server = DockerRegistry.start();
    return RemoteRegistry.builder(server.hostPort()).credentials(CredentialStore.anonymous());
  }

  @Override
  void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Override
  boolean referrersApi() {
    return false;
  }

  @Test
  void contentSurvivesAKillAndRestart() throws Exception {
    String repo = "it/restart";
    ImageManifest m = TestContent.pushImage(registry, repo, MediaTypes.OCI_MANIFEST, 404);
    server.kill();
    try (RemoteRegistry noRetries = RemoteRegistry.builder(server.hostPort()).retries(0).build()) {
      assertThatThrownBy(() -> noRetries.hasManifest(repo, m.digest())).isInstanceOf(RegistryUnreachableException.class);
    }
    server.restart();
    assertThat(registry.fetchManifest(repo, m.digest().toString()).bytes()).isEqualTo(m.bytes());
  }
}
