package dev.attest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.InstanceofCheck;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.AccessTarget;
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
import java.util.HashSet;
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
 * <p>No back doors around the {@code Registry} contract (ADR 0031): outside the module that
 * declares it, no code tests for ({@code instanceof}) or casts to a class that implements {@code
 * Registry}, and main code uses such a class only through its static factories (and builders),
 * the methods {@code Registry} declares, and the few accessors listed in {@link
 * #IMPLEMENTATION_API}; promotion and verification never name one at all.
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

  // ---------------------------------------------------------------- the Registry contract

  private static final String REGISTRY = "dev.attest.registry.Registry";

  /**
   * What main code of another module may call on a {@code Registry} implementation besides its
   * static factories and the {@code Registry} methods: accessors that are not storage operations
   * (where a layout is, which repositories its tags name) and the embedded registry's test-support
   * API (serving, its address, its storage seen directly).
   */
  static final Map<String, Set<String>> IMPLEMENTATION_API = Map.of(
      "dev.attest.registry.OciLayout", Set.of("directory", "repositories"),
      "dev.attest.testing.EmbeddedRegistry", Set.of("start", "host", "port", "url", "isRunning", "referrersApi",
          "storageDirectory", "client", "putBlob", "putManifest", "manifest"));

  /** Modules whose main code uses storage only through the contract: no implementation class at all. */
  static final Set<String> CONTRACT_ONLY = Set.of("verify", "promote");

  private static boolean implementsRegistry(JavaClass c) {
    return !c.isInterface() && !c.getName().equals(REGISTRY) && c.isAssignableTo(REGISTRY);
  }

  /** Name and parameter types of every method of Registry, AutoCloseable and Object. */
  private static Set<String> contractMethods(JavaClasses classes) {
    Set<String> out = new HashSet<>();
    for (JavaMethod m : classes.get(REGISTRY).getAllMethods()) {
      out.add(signature(m.getName(), m.getRawParameterTypes()));
    }
    for (java.lang.reflect.Method m : Object.class.getMethods()) {
      out.add(m.getName() + java.util.Arrays.stream(m.getParameterTypes()).map(Class::getName).toList());
    }
    return out;
  }

  private static String signature(String name, List<JavaClass> parameters) {
    return name + parameters.stream().map(JavaClass::getName).toList();
  }

  /** Why {@code origin} may not test for {@code type}; empty if it may (same module, or not an implementation). */
  static Optional<String> instanceofViolation(String originPackage, JavaClass type) {
    Optional<String> from = module(originPackage);
    Optional<String> to = module(type.getPackageName());
    if (!implementsRegistry(type) || from.isEmpty() || to.isEmpty() || from.equals(to)) {
      return Optional.empty();
    }
    return Optional.of("tests for " + type.getSimpleName() + ", a Registry implementation of attest-" + to.get()
        + ": use the Registry contract and its capabilities (fallbackIndex(), tagListing()) instead");
  }

  private static ArchCondition<JavaClass> noInstanceofOfRegistryImplementations() {
    return new ArchCondition<>("test for no Registry implementation of another module") {
      @Override
      public void check(JavaClass c, ConditionEvents events) {
        if (isFixture(c)) {
          return;
        }
        for (JavaCodeUnit u : c.getCodeUnits()) {
          for (InstanceofCheck check : u.getInstanceofChecks()) {
            instanceofViolation(c.getPackageName(), check.getRawType()).ifPresent(w ->
                events.add(SimpleConditionEvent.violated(check, check.getSourceCodeLocation() + ": " + w)));
          }
        }
      }
    };
  }

  private static ArchCondition<JavaClass> useRegistryImplementationsOnlyThroughTheContract(Set<String> contract) {
    return new ArchCondition<>("use another module's Registry implementation only through factories and the contract") {
      @Override
      public void check(JavaClass c, ConditionEvents events) {
        Optional<String> from = module(c.getPackageName());
        if (isFixture(c) && !c.getSimpleName().equals("BackDoor")) {
          return;
        }
        for (JavaAccess<?> a : c.getAccessesFromSelf()) {
          JavaClass owner = a.getTargetOwner();
          Optional<String> to = module(owner.getPackageName());
          if (!implementsRegistry(owner) || from.isEmpty() || to.isEmpty() || from.equals(to)) {
            continue;
          }
          AccessTarget target = a.getTarget();
          if (CONTRACT_ONLY.contains(from.get())) {
            events.add(SimpleConditionEvent.violated(a, a.getDescription() + ": attest-" + from.get()
                + " uses storage only through the Registry contract"));
            continue;
          }
          Optional<? extends JavaMember> member = target.resolveMember();
          boolean isStatic = member.map(m -> m.getModifiers().contains(JavaModifier.STATIC)).orElse(false);
          boolean isContract = member.filter(m -> m instanceof JavaMethod).map(m -> (JavaMethod) m)
              .map(m -> contract.contains(signature(m.getName(), m.getRawParameterTypes()))).orElse(false);
          boolean listed = IMPLEMENTATION_API.getOrDefault(owner.getName(), Set.of()).contains(target.getName());
          if (!isStatic && !isContract && !listed && !target.getName().equals("<init>")) {
            events.add(SimpleConditionEvent.violated(a, a.getDescription() + ": " + owner.getSimpleName()
                + "." + target.getName() + " is neither a factory nor part of the Registry contract"));
          }
        }
      }
    };
  }

  @Test
  void noCodeTestsForAnotherModulesRegistryImplementation() throws IOException {
    for (String output : List.of("target/classes", "target/test-classes")) {
      ArchRuleDefinition.classes().that().resideInAPackage("dev.attest..")
          .should(noInstanceofOfRegistryImplementations())
          .allowEmptyShould(true)
          .check(classes(output));
    }
  }

  @Test
  void mainCodeUsesOtherModulesRegistryImplementationsOnlyThroughFactoriesAndTheContract() throws IOException {
    JavaClasses main = classes("target/classes");
    ArchRuleDefinition.classes().that().resideInAPackage("dev.attest..")
        .should(useRegistryImplementationsOnlyThroughTheContract(contractMethods(main)))
        .check(main);
  }

  /** Casts leave no trace ArchUnit reads unless a member is used; the sources are scanned for them too. */
  @Test
  void noSourceCastsToAnotherModulesRegistryImplementation() throws IOException {
    Map<String, String> implementations = Map.of("RemoteRegistry", "registry", "OciLayout", "registry",
        "EmbeddedRegistry", "testing");
    Pattern cast = Pattern.compile("\\(\\s*(RemoteRegistry|OciLayout|EmbeddedRegistry)\\s*\\)\\s*[A-Za-z_(]"
        + "|instanceof\\s+(RemoteRegistry|OciLayout|EmbeddedRegistry)\\b");
    Pattern pkg = Pattern.compile("^package\\s+([a-z0-9_.]+)\\s*;", Pattern.MULTILINE);
    List<String> violations = new ArrayList<>();
    for (Path f : sources()) {
      if (f.getFileName().toString().equals("ArchitectureTest.java")) {
        continue; // its fixture below is the back door the rules must find
      }
      String text = Files.readString(f);
      Matcher p = pkg.matcher(text);
      Optional<String> from = p.find() ? module(p.group(1)) : Optional.empty();
      Matcher m = cast.matcher(text);
      while (m.find() && from.isPresent()) {
        String type = m.group(1) != null ? m.group(1) : m.group(2);
        if (!implementations.get(type).equals(from.get())) {
          violations.add(f + ": " + m.group());
        }
      }
    }
    assertThat(violations).isEmpty();
  }

  /** The back door below, which only {@link #theRegistryRulesFindABackDoor} may look at. */
  private static boolean isFixture(JavaClass c) {
    return c.getName().startsWith(ArchitectureTest.class.getName() + "$");
  }

  /** What the rules must refuse: a test for an implementation class and a call of its own method. */
  static final class BackDoor {
    boolean isLayout(dev.attest.registry.Registry r) {
      return r instanceof dev.attest.registry.OciLayout;
    }

    void mount(dev.attest.registry.RemoteRegistry r) throws dev.attest.core.AttestException {
      r.mountOrPushBlob("a", dev.attest.core.Descriptor.EMPTY, "b", dev.attest.registry.BlobSource.of(new byte[0]));
    }

    String name(dev.attest.registry.RemoteRegistry r) {
      return r.name(); // part of the contract: allowed
    }
  }

  @Test
  void theRegistryRulesFindABackDoor() {
    JavaClasses classes = new ClassFileImporter().importClasses(BackDoor.class, dev.attest.registry.Registry.class,
        dev.attest.registry.RemoteRegistry.class, dev.attest.registry.OciLayout.class);
    JavaClass remote = classes.get(dev.attest.registry.RemoteRegistry.class);
    assertThat(instanceofViolation("dev.attest.promote.internal", remote)).isPresent();
    assertThat(instanceofViolation("dev.attest.registry", remote)).isEmpty();
    assertThat(instanceofViolation("dev.attest.promote", classes.get(dev.attest.registry.Registry.class))).isEmpty();

    ConditionEvents instanceofs = com.tngtech.archunit.lang.ConditionEvents.Factory.create();
    JavaClass backDoor = classes.get(BackDoor.class);
    for (JavaCodeUnit u : backDoor.getCodeUnits()) {
      for (InstanceofCheck check : u.getInstanceofChecks()) {
        instanceofViolation(backDoor.getPackageName(), check.getRawType())
            .ifPresent(w -> instanceofs.add(SimpleConditionEvent.violated(check, w)));
      }
    }
    assertThat(instanceofs.getViolating()).hasSize(1);

    ConditionEvents accesses = com.tngtech.archunit.lang.ConditionEvents.Factory.create();
    useRegistryImplementationsOnlyThroughTheContract(contractMethods(classes)).check(backDoor, accesses);
    assertThat(accesses.getViolating()).hasSize(1);
    assertThat(accesses.getViolating().iterator().next().getDescriptionLines().get(0)).contains("mountOrPushBlob");
  }

  private static List<Path> sources() throws IOException {
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
    return sources;
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
