package dev.attest.registry;

import dev.attest.testing.EmbeddedRegistry;

/**
 * The {@link RegistryContract} of the embedded registry's own {@code Registry} (the {@link
 * EmbeddedRegistry} object, whose calls go over HTTP through its client), with the referrers API
 * off, as most tests that use it as a destination run it.
 */
class RegistryContractEmbeddedTest extends RegistryContract {
  EmbeddedRegistry server;

  @Override
  Registry start() {
    server = EmbeddedRegistry.builder().referrersApi(false).build().start();
    return server;
  }

  @Override
  Registry reopen() {
    return RemoteRegistry.builder(server.host()).credentials(CredentialStore.anonymous()).build();
  }

  /** Closing the Registry closed the server. */
  @Override
  void stop() {}

  @Override
  boolean referrersApi() {
    return false;
  }
}
