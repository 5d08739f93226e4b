package dev.attest.registry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The {@link RegistryContract} of {@link OciLayout}. */
class RegistryContractOciLayoutTest extends RegistryContract {
  Path dir;

  @Override
  Registry start() throws Exception {
    dir = Files.createTempDirectory("attest-contract-layout-");
    return OciLayout.create(dir.resolve("layout"));
  }

  @Override
  Registry reopen() throws Exception {
    return OciLayout.open(dir.resolve("layout"));
  }

  @Override
  void stop() throws Exception {
    if (dir != null) {
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Override
  boolean referrersApi() {
    return false;
  }
}
