package example;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What one attest module costs a consumer: the jars of its runtime classpath as Maven resolves it
 * through the BOM, their number and total size (MB = 10^6 bytes). Printed for every module and
 * written to target/footprint.txt; bounded where the build sets footprint.max.*.
 */
class FootprintTest {

  @Test
  void runtimeClasspath() throws IOException {
    String module = System.getProperty("attest.module");
    String cp = Files.readString(Path.of(System.getProperty("footprint.classpath")), StandardCharsets.UTF_8).strip();
    List<Path> jars = new ArrayList<>();
    for (String entry : cp.split(java.io.File.pathSeparator)) {
      if (!entry.isBlank()) {
        jars.add(Path.of(entry));
      }
    }
    jars.sort(Comparator.comparingLong(FootprintTest::size).reversed());
    long bytes = jars.stream().mapToLong(FootprintTest::size).sum();
    StringBuilder report = new StringBuilder();
    // The consumer's runtime classpath: the module's own jar and everything it brings.
    int count = jars.size();
    String summary = String.format("%s runtime classpath: %d jars, %.1f MB (%d bytes)", module, count, bytes / 1e6, bytes);
    report.append(summary).append('\n');
    for (Path jar : jars) {
      report.append(String.format("  %8.2f MB  %s%n", size(jar) / 1e6, jar.getFileName()));
    }
    System.out.print(report);
    Files.writeString(Path.of("target", "footprint.txt"), report, StandardCharsets.UTF_8);

    int maxJars = Integer.parseInt(System.getProperty("footprint.max.jars", "0"));
    int maxMb = Integer.parseInt(System.getProperty("footprint.max.mb", "0"));
    if (maxJars > 0) {
      assertTrue(count <= maxJars, summary + ": more than " + maxJars + " jars");
    }
    if (maxMb > 0) {
      assertTrue(bytes <= maxMb * 1_000_000L, summary + ": more than " + maxMb + " MB");
    }
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
