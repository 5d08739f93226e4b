package dev.attest.maven;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attest.verify.Policy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's "From a Maven build": its POM snippet is the one the invoker test {@code
 * src/it/release} runs, and its workflow validates against the schema, pins its actions and runs
 * only goal lists the invoker tests run. The example policies load.
 */
class ReadmeMavenTest {
  static final Pattern BLOCK = Pattern.compile("```(xml|yaml)\\n(.*?)```", Pattern.DOTALL);

  static String section() throws IOException {
    String readme = Files.readString(Path.of(System.getProperty("attest.readme", "../README.md")));
    int start = readme.indexOf("\n## From a Maven build\n");
    assertThat(start).as("README has a 'From a Maven build' section").isPositive();
    int end = readme.indexOf("\n## ", start + 5);
    return readme.substring(start, end < 0 ? readme.length() : end);
  }

  static List<String> blocks(String lang) throws IOException {
    List<String> out = new ArrayList<>();
    Matcher m = BLOCK.matcher(section());
    while (m.find()) {
      if (m.group(1).equals(lang)) {
        out.add(m.group(2));
      }
    }
    return out;
  }

  @Test
  void thePomSnippetIsTheOneTheInvokerTestRuns() throws IOException {
    String pom = Files.readString(Path.of(System.getProperty("attest.it.dir", "src/it"), "release", "pom.xml"));
    int a = pom.indexOf("<!-- readme:begin -->");
    int b = pom.indexOf("<!-- readme:end -->");
    assertThat(a).isPositive();
    String tested = pom.substring(pom.indexOf('\n', a) + 1, b).replace("@project.version@",
        System.getProperty("attest.version", "0.1.0-SNAPSHOT"));
    assertThat(blocks("xml")).hasSize(1);
    assertThat(normalize(blocks("xml").get(0))).isEqualTo(normalize(tested));
  }

  @Test
  void theWorkflowValidatesAndRunsTestedGoals() throws IOException {
    assertThat(blocks("yaml")).hasSize(1);
    JsonNode w = WorkflowsTest.read(blocks("yaml").get(0));
    WorkflowsTest.loadSchema();
    assertThat(WorkflowsTest.validate(w)).isEmpty();
    Set<List<String>> tested = WorkflowsTest.invokerGoalLists();
    List<List<String>> run = WorkflowsTest.mavenGoalLists(w);
    assertThat(run).hasSize(2);
    assertThat(tested).containsAll(run);
    for (JsonNode step : WorkflowsTest.iterable(w.get("jobs").get("release").get("steps"))) {
      if (step.has("uses")) {
        assertThat(step.get("uses").asText()).matches(WorkflowsTest.PINNED);
      }
    }
    assertThat(w.get("jobs").get("release").get("permissions").get("id-token").asText()).isEqualTo("write");
  }

  @Test
  void theExamplePoliciesLoad() throws Exception {
    Path dir = WorkflowsTest.examples().resolve("attest");
    Policy release = Policy.load(dir.resolve("release-policy.yaml"));
    assertThat(release.name()).isEqualTo("hello-release");
    // The pull-request policy names a key the job makes; give it one to load.
    Path tmp = Files.createTempDirectory("attest-pr-policy");
    Path policyDir = Files.createDirectories(tmp.resolve(".github/attest"));
    Files.copy(dir.resolve("pr-policy.yaml"), policyDir.resolve("pr-policy.yaml"));
    Path key = Files.createDirectories(tmp.resolve("target/pr-key")).resolve("attest.pub");
    Files.writeString(key, pem());
    assertThat(Policy.load(policyDir.resolve("pr-policy.yaml")).name()).isEqualTo("hello-pull-request");
  }

  private static String pem() {
    byte[] spki = dev.attest.core.Keys.generateP256().getPublic().getEncoded();
    return "-----BEGIN PUBLIC KEY-----\n" + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(spki)
        + "\n-----END PUBLIC KEY-----\n";
  }

  private static String normalize(String s) {
    return s.strip().replaceAll("\\s+", " ");
  }
}
