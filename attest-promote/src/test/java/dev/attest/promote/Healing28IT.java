package dev.attest.promote;

import dev.attest.testing.EmbeddedRegistry;
import dev.attest.registry.RemoteRegistry;
import dev.attest.registry.testing.DockerRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The damage scenarios with a real distribution 2.8.2 destination (delete enabled, no referrers API). */
class Healing28IT extends HealingContract {
  static EmbeddedRegistry srcServer;
  static DockerRegistry dstServer;
  static RemoteRegistry src;
  static RemoteRegistry dst;

  @BeforeAll
  static void start() throws Exception {
    srcServer = EmbeddedRegistry.builder().inMemory().referrersApi(true).build().start();
    dstServer = DockerRegistry.start();
    src = RemoteRegistry.builder(srcServer.host()).build();
    dst = RemoteRegistry.builder(dstServer.hostPort()).build();
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {src, dst, srcServer, dstServer}) {
      if (c != null) {
        c.close();
      }
    }
  }

  @Override
  RemoteRegistry source() {
    return src;
  }

  @Override
  RemoteRegistry destination() {
    return dst;
  }
}
