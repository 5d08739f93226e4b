package dev.attest.maven;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code attest} command line the example workflows run, run with the packaged CLI
 * ({@code attest-cli/target/attest.jar}, as a separate process) and the workflow's own arguments
 * and policy files: a guessed subcommand or flag exits 2 and fails here, and the files the
 * admission workflow renders hold the kinds the cluster's engines read.
 */
class WorkflowCommandsTest {
  /** {@code java -jar "$ATTEST_JAR" ...} or {@code java -jar some/attest.jar ...}, or a bare {@code attest ...}. */
  static final Pattern ATTEST = Pattern.compile(
      "(?m)(?:java\\s+-jar\\s+(?:\"\\$\\{?ATTEST_JAR}?\"|\\S*attest\\.jar)|^\\s*attest)\\s+([^\\n]*)");
  static final Pattern VAR = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)}?");
  static final String IMAGE = "ghcr.io/acme/attest@sha256:" + "ab".repeat(32);

  @TempDir Path work;

  /** One command line of a step: its arguments after the CLI and the file its stdout goes to. */
  record Invocation(Path workflow, String step, List<String> args, String stdoutFile) {}

  static Path cliJar() {
    Path jar = Path.of(System.getProperty("attest.cli.jar", "../attest-cli/target/attest.jar"));
    assertThat(jar).as("the packaged CLI (build attest-cli first)").isRegularFile();
    return jar;
  }

  /** The attest command lines of every workflow, {@code $VARS} resolved from the workflow, job and step env. */
  static List<Invocation> invocations(Map<String, String> overrides) throws IOException {
    List<Invocation> out = new ArrayList<>();
    for (Path p : WorkflowsTest.workflows()) {
      JsonNode w = WorkflowsTest.read(Files.readString(p));
      for (JsonNode job : WorkflowsTest.iterable(w.get("jobs"))) {
        for (JsonNode step : WorkflowsTest.iterable(job.path("steps"))) {
          Map<String, String> env = new HashMap<>();
          for (JsonNode scope : List.of(w.path("env"), job.path("env"), step.path("env"))) {
            WorkflowsTest.entries(scope.isMissingNode() ? WorkflowsTest.YAML.createObjectNode() : scope)
                .forEach(e -> env.put(e.getKey(), e.getValue().asText()));
          }
          env.putAll(overrides);
          Matcher m = ATTEST.matcher(step.path("run").asText().replace("\\\n", " "));
          while (m.find()) {
            List<String> words = words(m.group(1), env);
            String target = null;
            int redirect = words.indexOf(">");
            if (redirect >= 0) {
              target = words.get(redirect + 1);
              words = words.subList(0, redirect);
            }
            out.add(new Invocation(p, step.path("name").asText(step.toString()), List.copyOf(words), target));
          }
        }
      }
    }
    return out;
  }

  /** Shell words up to the end of the command ({@code ;}, {@code |}, {@code &&}), quotes removed, variables expanded. */
  static List<String> words(String line, Map<String, String> env) {
    List<String> words = new ArrayList<>();
    StringBuilder w = new StringBuilder();
    boolean inWord = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '"' || c == '\'') {
        int end = line.indexOf(c, i + 1);
        assertThat(end).as("closing quote in: " + line).isPositive();
        String quoted = line.substring(i + 1, end);
        w.append(c == '"' ? expand(quoted, env) : quoted);
        inWord = true;
        i = end;
      } else if (Character.isWhitespace(c)) {
        if (inWord) {
          words.add(w.toString());
          w.setLength(0);
          inWord = false;
        }
      } else if (c == ';' || c == '|' || c == '&') {
        break;
      } else if (c == '>') {
        if (inWord) {
          words.add(w.toString());
          w.setLength(0);
          inWord = false;
        }
        words.add(">");
      } else {
        int end = i;
        while (end < line.length() && !Character.isWhitespace(line.charAt(end)) && "\"';|&>".indexOf(line.charAt(end)) < 0) {
          end++;
        }
        w.append(expand(line.substring(i, end), env));
        inWord = true;
        i = end - 1;
      }
    }
    if (inWord) {
      words.add(w.toString());
    }
    return words;
  }

  static String expand(String s, Map<String, String> env) {
    Matcher m = VAR.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String v = env.get(m.group(1));
      assertThat(v).as("$" + m.group(1) + " is set in the workflow's env").isNotNull();
      m.appendReplacement(out, Matcher.quoteReplacement(v));
    }
    m.appendTail(out);
    return out.toString();
  }

  record Run(int exit, String stdout, String stderr) {}

  Run attest(List<String> args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", cliJar().toAbsolutePath().toString()));
    cmd.addAll(args);
    Path stdout = Files.createTempFile(work, "out", ".txt");
    Path stderr = Files.createTempFile(work, "err", ".txt");
    Process p = new ProcessBuilder(cmd).directory(work.toFile())
        .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("attest " + args + " did not finish in 120 s");
    }
    return new Run(p.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
        Files.readString(stderr, StandardCharsets.UTF_8));
  }

  /** The user's repository as the workflows see it: {@code attest/} copied to {@code .github/attest/}. */
  void checkout() throws IOException {
    Path from = WorkflowsTest.examples().resolve("attest");
    Path to = work.resolve(".github/attest");
    Files.createDirectories(to);
    try (Stream<Path> s = Files.list(from)) {
      for (Path f : s.toList()) {
        Files.copy(f, to.resolve(f.getFileName().toString()));
      }
    }
  }

  static Set<String> kinds(String yaml) throws IOException {
    Set<String> kinds = new LinkedHashSet<>();
    try (MappingIterator<JsonNode> docs = WorkflowsTest.YAML.readerFor(JsonNode.class).readValues(yaml)) {
      while (docs.hasNext()) {
        JsonNode d = docs.next();
        if (d != null && !d.isMissingNode() && !d.isNull()) {
          kinds.add(d.path("kind").asText());
        }
      }
    }
    return kinds;
  }

  @Test
  void everyAttestCommandLineOfTheWorkflowsRunsWithTheRealCli() throws Exception {
    checkout();
    List<Invocation> all = invocations(Map.of("ATTEST_IMAGE", IMAGE));
    assertThat(all).as("attest command lines in the workflows").hasSizeGreaterThanOrEqualTo(3);
    Map<String, Set<String>> rendered = new HashMap<>();
    for (Invocation i : all) {
      Run r = attest(i.args());
      assertThat(r.exit()).as(i.workflow() + " step '" + i.step() + "': attest " + i.args() + "\n" + r.stderr())
          .isZero();
      if (i.stdoutFile() != null) {
        rendered.put(i.stdoutFile(), kinds(r.stdout()));
      }
    }
    assertThat(rendered.get("target/admission/kyverno.yaml")).containsOnly("ImageValidatingPolicy");
    assertThat(rendered.get("target/admission/policy-controller.yaml")).containsOnly("ClusterImagePolicy");
    assertThat(rendered.get("target/admission/attest-admission.yaml")).containsExactlyInAnyOrder(
        "ServiceAccount", "ConfigMap", "Secret", "Deployment", "Service", "PodDisruptionBudget",
        "ValidatingWebhookConfiguration");
  }

  @Test
  void theAdmissionWorkflowRendersWhatItUploadsAndItsApplyJobApplies() throws IOException {
    Path p = WorkflowsTest.examples().resolve("admission.yml");
    JsonNode w = WorkflowsTest.read(Files.readString(p));
    String upload = null;
    for (JsonNode step : WorkflowsTest.iterable(w.get("jobs").get("render").get("steps"))) {
      if (step.path("uses").asText().startsWith("actions/upload-artifact@")) {
        upload = step.get("with").get("path").asText();
      }
    }
    assertThat(upload).isEqualTo("target/admission/");
    for (Invocation i : invocations(Map.of())) {
      if (i.workflow().equals(p)) {
        assertThat(i.stdoutFile()).as(i.step()).startsWith(upload);
      }
    }
    String apply = w.get("jobs").get("apply").get("steps").toString();
    assertThat(apply).contains("kubectl apply --dry-run=server").contains("kubectl apply -n attest-system -f admission/");
    assertThat(w.get("jobs").get("apply").get("environment").asText()).isEqualTo("production");
  }

  @Test
  void aGuessedFlagOrAMissingRequiredOneFailsTheCheck() throws Exception {
    checkout();
    List<Invocation> all = invocations(Map.of("ATTEST_IMAGE", IMAGE));
    Invocation manifests = all.stream().filter(i -> i.args().subList(0, 2).equals(List.of("admission", "manifests")))
        .findFirst().orElseThrow();
    List<String> guessed = new ArrayList<>(manifests.args());
    guessed.add("--output-dir");
    guessed.add("target/admission");
    assertThat(attest(guessed).exit()).isEqualTo(2);
    // What the workflow ran before the command existed: no --image.
    assertThat(attest(List.of("admission", "manifests", "--policy", ".github/attest/release-policy.yaml")).exit())
        .isEqualTo(2);
    assertThat(attest(List.of("policy", "export", "--policy", ".github/attest/release-policy.yaml", "--to", "gatekeeper"))
        .exit()).isEqualTo(2);
  }

  @Test
  void commandLinesAreSplitLikeTheShellDoes() {
    Map<String, String> env = Map.of("POLICY", "p y.yaml", "ATTEST_JAR", "a.jar");
    assertThat(words("policy export --policy \"$POLICY\" --to kyverno --strict > out/k.yaml && echo", env))
        .containsExactly("policy", "export", "--policy", "p y.yaml", "--to", "kyverno", "--strict", ">", "out/k.yaml");
    Matcher m = ATTEST.matcher("x\njava -jar \"$ATTEST_JAR\" admission manifests --policy '$P'\n");
    assertThat(m.find()).isTrue();
    assertThat(words(m.group(1), env)).containsExactly("admission", "manifests", "--policy", "$P");
  }
}
