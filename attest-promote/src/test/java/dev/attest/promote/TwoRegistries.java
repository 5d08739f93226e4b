package dev.attest.promote;

import dev.attest.registry.RemoteRegistry;
import dev.attest.testing.EmbeddedRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the promotion tests: a fresh source and destination embedded registry per test, each
 * with a client. The destination has no referrers API (as registry 2.8.2).
 */
abstract class TwoRegistries {
  EmbeddedRegistry srcServer;
  EmbeddedRegistry dstServer;
  RemoteRegistry src;
  RemoteRegistry dst;

  /** Whether the source serves the referrers API; it does unless a test class says otherwise. */
  boolean sourceHasReferrersApi() {
    return true;
  }

  /** Lets a test class configure the clients (a listener, for instance). */
  RemoteRegistry.Builder client(RemoteRegistry.Builder builder, boolean source) {
    return builder;
  }

  @BeforeEach
  final void startRegistries() {
    srcServer = EmbeddedRegistry.builder().referrersApi(sourceHasReferrersApi()).build().start();
    dstServer = EmbeddedRegistry.builder().referrersApi(false).build().start();
    src = client(RemoteRegistry.builder(srcServer.host()), true).build();
    dst = client(RemoteRegistry.builder(dstServer.host()), false).build();
  }

  @AfterEach
  final void stopRegistries() {
    src.close();
    dst.close();
    srcServer.close();
    dstServer.close();
  }
}
