package dev.attest.registry;

import dev.attest.registry.testing.DockerRegistry;

/** oras-java pulls from registry 2.8.2 what we pushed there (referrers through the fallback tag). */
class OrasJava28IT extends OrasJavaInteropContract {
  DockerRegistry server;

  @Override
  String startServer() throws Exception {
    server = DockerRegistry.start();
    return server.hostPort();
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
}
