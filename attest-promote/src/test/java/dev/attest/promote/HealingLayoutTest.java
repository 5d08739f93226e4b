package dev.attest.promote;

import dev.attest.registry.OciLayout;
import dev.attest.registry.RemoteRegistry;
import dev.attest.testing.EmbeddedRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The damage scenarios with an {@link OciLayout} destination: the same promotion code as for a
 * registry (the layout offers the same capabilities through the {@code Registry} contract), so
 * its referrers indexes are rewritten in one update per subject and repaired like a registry's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HealingLayoutTest extends HealingContract {
  EmbeddedRegistry srcServer;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    srcServer = EmbeddedRegistry.builder().inMemory().referrersApi(true).build().start();
    source = RemoteRegistry.builder(srcServer.host()).build();
    destination = OciLayout.create(dir.resolve("layout"));
  }

  @AfterAll
  void stop() {
    source.close();
    destination.close();
    srcServer.close();
  }

  /** A layout's delete also unlists what it deletes from its indexes: nothing is left dangling. */
  @Override
  boolean dropsEntries() {
    return false;
  }
}
