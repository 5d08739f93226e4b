package dev.attest.maven;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The example workflows in {@code examples/github-actions/} and the README's: valid against
 * SchemaStore's published GitHub workflow schema, actions pinned by full commit SHA, minimal
 * permissions per job ({@code id-token: write} only where signing happens), and every Maven step
 * running the goals of one of the invoker tests' invocations, so that what CI proves is what the
 * workflows run.
 */
class WorkflowsTest {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final Pattern PINNED = Pattern.compile("[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}");
  static final Pattern MVNW = Pattern.compile("\\./mvnw\\s+([^\\n;&|]*)");
  static final Pattern GOAL = Pattern.compile("^(?:[a-z][a-z-]*|[a-z0-9.-]+:[a-zA-Z-]+(?:@[a-z-]+)?)$");

  static Schema schema;

  @BeforeAll
  static void loadSchema() throws IOException {
    try (InputStream in = WorkflowsTest.class.getResourceAsStream("/schemastore/github-workflow.json")) {
      assertThat(in).as("the vendored schema").isNotNull();
      schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7).getSchema(in);
    }
  }

  static Path examples() {
    return Path.of(System.getProperty("attest.examples.dir", "../examples/github-actions"));
  }

  static List<Path> workflows() throws IOException {
    try (Stream<Path> s = Files.list(examples())) {
      return s.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
    }
  }

  static JsonNode read(String yaml) throws IOException {
    return YAML.readTree(new StringReader(yaml));
  }

  static List<String> validate(JsonNode workflow) {
    return schema.validate(workflow).stream().map(Error::toString).toList();
  }

  @Test
  void theFourWorkflowsExist() throws IOException {
    assertThat(workflows()).extracting(p -> p.getFileName().toString())
        .containsExactlyInAnyOrder("pull-request.yml", "release.yml", "fleet-release.yml", "admission.yml");
  }

  @Test
  void everyWorkflowValidatesAgainstTheSchema() throws IOException {
    for (Path p : workflows()) {
      assertThat(validate(read(Files.readString(p)))).as(p.toString()).isEmpty();
    }
  }

  @Test
  void theSchemaCatchesBrokenWorkflows() throws IOException {
    ObjectNode w = (ObjectNode) read(Files.readString(examples().resolve("release.yml")));
    ((ObjectNode) w.get("jobs").get("build")).remove("runs-on");
    assertThat(validate(w)).isNotEmpty();
    ObjectNode v = (ObjectNode) read(Files.readString(examples().resolve("release.yml")));
    ((ObjectNode) v.get("jobs").get("build").get("permissions")).put("id-token", "admin");
    assertThat(validate(v)).isNotEmpty();
  }

  @Test
  void actionsArePinnedByFullCommitSha() throws IOException {
    for (Path p : workflows()) {
      for (JsonNode job : iterable(read(Files.readString(p)).get("jobs"))) {
        for (JsonNode step : iterable(job.path("steps"))) {
          if (step.has("uses")) {
            assertThat(step.get("uses").asText()).as(p + ": " + step).matches(PINNED);
          }
        }
      }
    }
  }

  @Test
  void permissionsAreMinimalPerJob() throws IOException {
    for (Path p : workflows()) {
      JsonNode w = read(Files.readString(p));
      assertThat(w.get("permissions")).as(p + ": no default permissions at the top").isNotNull();
      assertThat(w.get("permissions").size()).as(p + ": top-level permissions: {}").isZero();
      for (Map.Entry<String, JsonNode> job : entries(w.get("jobs"))) {
        JsonNode perms = job.getValue().get("permissions");
        assertThat(perms).as(p + " job " + job.getKey() + " declares its permissions").isNotNull();
        String steps = job.getValue().path("steps").toString();
        boolean signs = steps.contains("attest:sign") || steps.contains("attest:attest");
        boolean keyless = signs && !steps.contains("-Dattest.key=");
        assertThat(perms.path("id-token").asText("none")).as(p + " job " + job.getKey() + ": id-token")
            .isEqualTo(keyless ? "write" : "none");
        for (Map.Entry<String, JsonNode> perm : entries(perms)) {
          if (perm.getValue().asText().equals("write")) {
            assertThat(perm.getKey()).as(p + " job " + job.getKey() + " writes only where it must")
                .isIn("id-token", "packages");
          }
        }
      }
    }
  }

  @Test
  void releaseWritesTheDigestToTheSummaryAndTheDeployments() throws IOException {
    JsonNode w = read(Files.readString(examples().resolve("release.yml")));
    for (String env : List.of("staging", "production")) {
      JsonNode job = w.get("jobs").get(env);
      assertThat(job.get("environment").get("name").asText()).isEqualTo(env);
      assertThat(job.get("environment").get("url").asText()).contains("needs.build.outputs.digest");
      assertThat(job.get("steps").toString()).contains("GITHUB_STEP_SUMMARY").contains("@$DIGEST");
    }
    assertThat(w.get("jobs").get("production").get("needs").toString()).contains("staging");
  }

  @Test
  void everyMavenStepRunsTheGoalsOfAnInvokerTest() throws IOException {
    Set<List<String>> tested = invokerGoalLists();
    assertThat(tested).isNotEmpty();
    int steps = 0;
    for (Path p : workflows()) {
      for (List<String> goals : mavenGoalLists(read(Files.readString(p)))) {
        assertThat(tested).as(p + " runs ./mvnw " + goals + "; the invoker tests run " + tested).contains(goals);
        steps++;
      }
    }
    assertThat(steps).isGreaterThanOrEqualTo(8);
  }

  /** The goal lists of every {@code invoker.goals[.N]} of the invoker tests, options dropped. */
  static Set<List<String>> invokerGoalLists() throws IOException {
    Set<List<String>> out = new HashSet<>();
    Path its = Path.of(System.getProperty("attest.it.dir", "src/it"));
    try (Stream<Path> s = Files.list(its)) {
      for (Path dir : s.filter(Files::isDirectory).toList()) {
        Path f = dir.resolve("invoker.properties");
        if (!Files.isRegularFile(f)) {
          continue;
        }
        Properties props = new Properties();
        try (var r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
          props.load(r);
        }
        for (String k : props.stringPropertyNames()) {
          if (k.startsWith("invoker.goals")) {
            out.add(goals(props.getProperty(k)));
          }
        }
      }
    }
    return out;
  }

  /** The goal lists of every {@code ./mvnw} command the steps of {@code workflow} run. */
  static List<List<String>> mavenGoalLists(JsonNode workflow) {
    List<List<String>> out = new ArrayList<>();
    for (JsonNode job : iterable(workflow.get("jobs"))) {
      for (JsonNode step : iterable(job.path("steps"))) {
        // Shell continuations put one command on several lines; folded YAML (>-) already joined them.
        Matcher m = MVNW.matcher(step.path("run").asText().replace("\\\n", " "));
        while (m.find()) {
          // Building the attest CLI from attest's own sources is not a goal of the user's project.
          if (!m.group(1).contains("-pl attest-cli")) {
            out.add(goals(m.group(1)));
          }
        }
      }
    }
    return out;
  }

  static List<String> goals(String commandLine) {
    List<String> goals = new ArrayList<>();
    for (String word : commandLine.trim().split("\\s+")) {
      if (!word.startsWith("-") && GOAL.matcher(word).matches()) {
        goals.add(word);
      }
    }
    return goals;
  }

  @Test
  void goalListsIgnoreOptions() {
    assertThat(goals("-B -q attest:verify -Dattest.image=\"$X@$D\" -Dattest.policy=p.yaml"))
        .containsExactly("attest:verify");
  }

  @Test
  void mavenStepsAreFoundInFoldedAndContinuedRunBlocks() throws IOException {
    JsonNode w = read("jobs:\n  a:\n    steps:\n      - run: >-\n          ./mvnw -B package cyclonedx:makeBom\n"
        + "          -Dimage=x\n      - run: |\n          if ./mvnw -q attest:verify \\\n            -Dx=y; then echo ok; fi\n");
    assertThat(mavenGoalLists(w)).containsExactly(List.of("package", "cyclonedx:makeBom"), List.of("attest:verify"));
  }

  static Iterable<JsonNode> iterable(JsonNode n) {
    List<JsonNode> l = new ArrayList<>();
    n.elements().forEachRemaining(l::add);
    return l;
  }

  static List<Map.Entry<String, JsonNode>> entries(JsonNode n) {
    Map<String, JsonNode> m = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      m.put(e.getKey(), e.getValue());
    }
    return new ArrayList<>(m.entrySet());
  }
}
