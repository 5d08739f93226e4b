package dev.attest.registry;

import dev.attest.testing.EmbeddedRegistry;

/** The {@link RegistryContract} of {@link RemoteRegistry} on the embedded registry without the referrers API (the tag-schema fallback). */
class RegistryContractRemoteOnEmbeddedFallbackTest extends RegistryContract {
  EmbeddedRegistry server;

  @Override
  Registry start() {
    server = EmbeddedRegistry.builder().referrersApi(false).build().start();
    return reopen();
  }

  @Override
  Registry reopen() {
    return RemoteRegistry.builder(server.host()).credentials(CredentialStore.anonymous()).build();
  }

  @Override
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Override
  boolean referrersApi() {
    return false;
  }
}
