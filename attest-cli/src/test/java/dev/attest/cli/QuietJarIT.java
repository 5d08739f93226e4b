package dev.attest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.cli.PackagedJar.Run;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged CLI prints what it means to and nothing else: the demo (which validates an SBOM
 * schema, so loads cyclonedx-core-java's JSON schema validator and through it SLF4J) writes no
 * SLF4J warning and nothing at all to standard error.
 */
class QuietJarIT {
  @TempDir Path dir;

  @Test
  void theDemoPrintsNoLoggingNoise() throws Exception {
    Run r = new PackagedJar(dir).run("demo").succeeds();
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).doesNotContain("SLF4J").contains("Demo OK");
  }
}
