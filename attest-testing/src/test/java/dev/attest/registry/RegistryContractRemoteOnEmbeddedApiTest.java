package dev.attest.registry;

import dev.attest.testing.EmbeddedRegistry;

/** The {@link RegistryContract} of {@link RemoteRegistry} on the embedded registry with the referrers API. */
class RegistryContractRemoteOnEmbeddedApiTest extends RegistryContract {
  EmbeddedRegistry server;

  @Override
  Registry start() {
    server = EmbeddedRegistry.builder().referrersApi(true).build().start();
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
    return true;
  }
}
