package dev.attest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The architecture, checked on every module of the build (ADR 0027): dependencies point one way,
 * core &lt;- registry &lt;- verify &lt;- promote &lt;- cli, with the test-support module
 * attest-testing beside verify (only the CLI and tests use it); and a module's {@code .internal}
 * packages are private to it. A module's name is the third part of its package, {@code
 * dev.attest.<module>}; a module not in {@link #ALLOWED} (the Maven plugin, the benchmarks) may use
 * every listed module's public API, and no listed module may depend on it.
 *
 * <p>It reads the compiled classes of every {@code attest-*} module built so far (this module is
 * built after all the library modules), and, so that a module built later is covered too, the
 * {@code import} lines of every module's sources.
 */
class ArchitectureTest {

  /** For each module, the attest modules its main code may depend on. */
  static final Map<String, Set<String>> ALLOWED = Map.of(
      "core", Set.of(),
      "registry", Set.of("core"),
      "testing", Set.of("core", "registry"),
      "verify", Set.of("core", "registry"),
      "promote", Set.of("core", "registry", "verify"),
      "cli", Set.of("core", "registry", "testing", "verify", "promote"));

  private static final Pattern MODULE = Pattern.compile("^dev\\.attest\\.([a-z0-9]+)(\\..*)?$");
  private static final Pattern IMPORT =
      Pattern.compile("^import\\s+(?:static\\s+)?(dev\\.attest\\.[a-z0-9]+(?:\\.[A-Za-z0-9_]+)*)\\s*;", Pattern.MULTILINE);

  private static final Path ROOT = Path.of("..");

  static Optional<String> module(String packageName) {
    Matcher m = MODULE.matcher(packageName);
    return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
  }

  private static boolean isInternal(String packageName, String module) {
    String internal = "dev.attest." + module + ".internal";
    return packageName.equals(internal) || packageName.startsWith(internal + ".");
  }

  /** Why code in {@code origin} may not use {@code target}; empty if it may. */
  static Optional<String> internalViolation(String origin, String target) {
    Optional<String> from = module(origin);
    Optional<String> to = module(target);
    if (from.isEmpty() || to.isEmpty() || from.get().equals(to.get())) {
      return Optional.empty();
    }
    if (isInternal(target, to.get())) {
      return Optional.of("uses " + target + ", internal to attest-" + to.get());
    }
    return Optional.empty();
  }

  /** Why main code in {@code origin} may not depend on {@code target}; empty if it may. */
  static Optional<String> layerViolation(String origin, String target) {
    Optional<String> from = module(origin);
    Optional<String> to = module(target);
    if (from.isEmpty() || to.isEmpty() || from.get().equals(to.get())) {
      return Optional.empty();
    }
    Set<String> allowed = ALLOWED.get(from.get());
    if (allowed == null) {
      // A module outside the chain (plugin, benchmarks) may use every listed module, not another outsider.
      return ALLOWED.containsKey(to.get())
          ? Optional.empty()
          : Optional.of("depends on attest-" + to.get() + ", a module no other module may depend on");
    }
    return allowed.contains(to.get())
        ? Optional.empty()
        : Optional.of("attest-" + from.get() + " depends on attest-" + to.get()
            + " against core <- registry <- verify <- promote <- cli (testing: core, registry)");
  }

  private static List<Path> moduleDirs(String output) throws IOException {
    try (Stream<Path> dirs = Files.list(ROOT)) {
      return dirs.filter(d -> d.getFileName().toString().startsWith("attest-"))
          .map(d -> d.resolve(output))
          .filter(Files::isDirectory)
          .sorted()
          .toList();
    }
  }

  private static JavaClasses classes(String output) throws IOException {
    List<Path> dirs = moduleDirs(output);
    assertThat(dirs).as("compiled modules under " + output).isNotEmpty();
    return new ClassFileImporter().importPaths(dirs);
  }

  private static ArchCondition<JavaClass> respect(String what, boolean layers) {
    return new ArchCondition<>(what) {
      @Override
      public void check(JavaClass c, ConditionEvents events) {
        for (Dependency d : c.getDirectDependenciesFromSelf()) {
          String target = d.getTargetClass().getPackageName();
          Optional<String> why = internalViolation(c.getPackageName(), target);
          if (why.isEmpty() && layers) {
            why = layerViolation(c.getPackageName(), target);
          }
          why.ifPresent(w -> events.add(SimpleConditionEvent.violated(d, d.getDescription() + ": " + w)));
        }
      }
    };
  }

  @Test
  void mainCodeKeepsTheLayeringAndOtherModulesInternalsPrivate() throws IOException {
    ArchRule rule = ArchRuleDefinition.classes().that().resideInAPackage("dev.attest..")
        .should(respect("depend only down the module chain and on no other module's .internal", true));
    rule.check(classes("target/classes"));
  }

  @Test
  void testCodeUsesNoOtherModulesInternals() throws IOException {
    ArchRule rule = ArchRuleDefinition.classes().that().resideInAPackage("dev.attest..")
        .should(respect("use no other module's .internal", false))
        .allowEmptyShould(true);
    rule.check(classes("target/test-classes"));
  }

  /** Covers modules the reactor builds after this one, whose classes do not exist yet. */
  @Test
  void noSourceImportsAnotherModulesInternals() throws IOException {
    List<String> violations = new ArrayList<>();
    List<Path> sources = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(ROOT)) {
      for (Path d : dirs.filter(p -> p.getFileName().toString().startsWith("attest-")).toList()) {
        Path src = d.resolve("src");
        if (Files.isDirectory(src)) {
          try (Stream<Path> files = Files.walk(src)) {
            files.filter(f -> f.toString().endsWith(".java")).forEach(sources::add);
          }
        }
      }
    }
    assertThat(sources).hasSizeGreaterThan(100);
    Pattern pkg = Pattern.compile("^package\\s+([a-z0-9_.]+)\\s*;", Pattern.MULTILINE);
    for (Path f : sources) {
      String text = Files.readString(f);
      Matcher p = pkg.matcher(text);
      if (!p.find()) {
        continue;
      }
      Matcher m = IMPORT.matcher(text);
      while (m.find()) {
        String imported = m.group(1);
        String target = imported.substring(0, imported.lastIndexOf('.'));
        internalViolation(p.group(1), target).ifPresent(w -> violations.add(f + ": " + w));
      }
    }
    assertThat(violations).isEmpty();
  }

  @Test
  void theRulesRefuseWhatTheyShould() {
    assertThat(internalViolation("dev.attest.verify", "dev.attest.core.internal")).isPresent();
    assertThat(internalViolation("dev.attest.promote.internal", "dev.attest.registry.internal.attest")).isPresent();
    assertThat(internalViolation("dev.attest.verify.internal", "dev.attest.verify.internal.keyless")).isEmpty();
    assertThat(internalViolation("dev.attest.verify", "dev.attest.core")).isEmpty();
    assertThat(internalViolation("dev.attest.maven", "dev.attest.promote.internal")).isPresent();

    assertThat(layerViolation("dev.attest.registry", "dev.attest.verify")).isPresent();
    assertThat(layerViolation("dev.attest.core", "dev.attest.registry")).isPresent();
    assertThat(layerViolation("dev.attest.verify", "dev.attest.testing")).isPresent();
    assertThat(layerViolation("dev.attest.promote", "dev.attest.cli")).isPresent();
    assertThat(layerViolation("dev.attest.promote", "dev.attest.verify")).isEmpty();
    assertThat(layerViolation("dev.attest.cli", "dev.attest.testing")).isEmpty();
    assertThat(layerViolation("dev.attest.maven", "dev.attest.promote")).isEmpty();
    assertThat(layerViolation("dev.attest.cli", "dev.attest.maven")).isPresent();
    assertThat(layerViolation("dev.attest.maven", "dev.attest.benchmarks")).isPresent();
  }
}
