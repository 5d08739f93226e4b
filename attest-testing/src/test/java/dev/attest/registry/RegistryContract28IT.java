package dev.attest.registry;

import dev.attest.registry.testing.DockerRegistry;

/**
 * The {@link RegistryContract} of {@link RemoteRegistry} on the real distribution 2.8.2 (Debian's
 * {@code docker-registry}; no referrers API). Fails instead of skipping when the binary is missing
 * and {@code attest.it.require=true}.
 */
class RegistryContract28IT extends RegistryContract {
  DockerRegistry server;

  @Override
  Registry start() throws Exception {
    server = DockerRegistry.start();
    return reopen();
  }

  @Override
  Registry reopen() {
    return RemoteRegistry.builder(server.hostPort()).credentials(CredentialStore.anonymous()).build();
  }

  @Override
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Override
  boolean referrersApi() {
    return false;
  }
}
