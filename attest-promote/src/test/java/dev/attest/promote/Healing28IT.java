package dev.attest.promote;

import dev.attest.registry.RemoteRegistry;
import dev.attest.registry.testing.DockerRegistry;
import dev.attest.testing.EmbeddedRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** The damage scenarios with a real distribution 2.8.2 destination (delete enabled, no referrers API). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Healing28IT extends HealingContract {
  EmbeddedRegistry srcServer;
  DockerRegistry dstServer;

  @BeforeAll
  void start() throws Exception {
    srcServer = EmbeddedRegistry.builder().inMemory().referrersApi(true).build().start();
    dstServer = DockerRegistry.start();
    source = RemoteRegistry.builder(srcServer.host()).build();
    destination = RemoteRegistry.builder(dstServer.hostPort()).build();
  }

  @AfterAll
  void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {source, destination, srcServer, dstServer}) {
      if (c != null) {
        c.close();
      }
    }
  }
}
