package dev.attest.registry;

/** The {@link RemoteRegistryContract} against the embedded registry without the referrers API (like 2.8.2): the tag-schema fallback. */
class RemoteRegistryOnEmbeddedFallbackTest extends RemoteRegistryContract {
  EmbeddedRegistry server;

  @Override
  RemoteRegistry.Builder startServer() {
    server = EmbeddedRegistry.builder().referrersApi(false).build().start();
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
    return false;
  }
}
