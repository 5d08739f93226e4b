package dev.attest.registry;

import dev.attest.testing.EmbeddedRegistry;

/** oras-java pulls from the embedded registry with the referrers API what we pushed there. */
class OrasJavaEmbeddedTest extends OrasJavaInteropContract {
  EmbeddedRegistry server;

  @Override
  String startServer() {
    server = EmbeddedRegistry.builder().referrersApi(true).build().start();
    return server.host();
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
