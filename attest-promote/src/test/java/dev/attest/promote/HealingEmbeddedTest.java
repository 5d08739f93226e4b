package dev.attest.promote;

import dev.attest.testing.EmbeddedRegistry;
import dev.attest.registry.RemoteRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.TestInstance;

/** The damage scenarios on the embedded registry, with and without the referrers API. */
class HealingEmbeddedTest {

  /** A source with the referrers API and a destination in the given mode, for the class. */
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  abstract static class Embedded extends HealingContract {
    EmbeddedRegistry srcServer;
    EmbeddedRegistry dstServer;

    abstract boolean referrersApi();

    @BeforeAll
    void start() {
      srcServer = EmbeddedRegistry.builder().inMemory().referrersApi(true).build().start();
      dstServer = EmbeddedRegistry.builder().inMemory().referrersApi(referrersApi()).build().start();
      source = RemoteRegistry.builder(srcServer.host()).build();
      destination = RemoteRegistry.builder(dstServer.host()).build();
    }

    @AfterAll
    void stop() {
      source.close();
      destination.close();
      srcServer.close();
      dstServer.close();
    }
  }

  @Nested
  class WithReferrersApi extends Embedded {
    @Override
    boolean referrersApi() {
      return true;
    }

    @Override
    boolean dropsEntries() {
      return false; // the API lists only manifests it has: nothing dangles
    }
  }

  @Nested
  class WithoutReferrersApi extends Embedded {
    @Override
    boolean referrersApi() {
      return false;
    }
  }
}
