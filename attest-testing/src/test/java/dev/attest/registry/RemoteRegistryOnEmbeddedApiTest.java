package dev.attest.registry;

import dev.attest.testing.EmbeddedRegistry;

/** The {@link RemoteRegistryContract} against the embedded registry with the referrers API. */
class RemoteRegistryOnEmbeddedApiTest extends RemoteRegistryContract {
  EmbeddedRegistry server;

  @Override
  RemoteRegistry.Builder startServer() {
    server = EmbeddedRegistry.builder().referrersApi(true).build().start();
    return RemoteRegistry.builder(server.host()).credentials(CredentialStore.anonymous());
  }

  @Override
  void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Override
  boolean referrersApi() {
    return true;
  }
}
