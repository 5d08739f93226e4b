package dev.attest.verify.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.ImageRef;
import dev.attest.verify.engines.EngineGlobs;
import dev.attest.verify.engines.KyvernoCel;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Glob translation against ports of each engine's matching rules: for every attest glob and every
 * reference as a Pod may write it (tag, digest, both, none; Docker Hub short and official names;
 * nested paths; ports), the engine matches whenever attest's scope covers the image (never fail
 * open), policy-controller matches exactly unless an approximation is reported, and the CEL scope
 * Kyverno's validations restate is exact.
 */
class ImageScopeTest {
  static final String D = "@sha256:" + "a".repeat(64);

  static final List<String> GLOBS = List.of(
      "ghcr.io/acme/api", "ghcr.io/acme/*", "ghcr.io/*/api", "*/acme/api", "docker.io/acme/app",
      "docker.io/library/alpine", "docker.io/*", "*", "localhost:5000/app*", "ghcr.io/acme/ap?", "d*/acme/app",
      "registry.example.com:5000/team/*/svc");

  static final List<String> NAMES = List.of(
      "ghcr.io/acme/api", "ghcr.io/acme/api-old", "ghcr.io/acme/team/api", "ghcr.io/other/api", "ghcr.io/acme/apx",
      "acme/app", "docker.io/acme/app", "index.docker.io/acme/app", "alpine", "library/alpine",
      "docker.io/library/alpine", "index.docker.io/library/alpine", "localhost:5000/app", "localhost:5000/app/x",
      "localhost/app", "registry.example.com:5000/team/a/b/svc", "registry.example.com:5000/team/svc",
      "quay.io/acme/api", "Host/acme/app");

  static List<String> forms(String name) {
    return List.of(name, name + ":1.0", name + D, name + ":1.0" + D);
  }

  static boolean attestCovers(String glob, String ref) {
    ImageRef r = ImageRef.parse(ref);
    return globMatches(glob, r.registry() + "/" + r.repository());
  }

  static boolean globMatches(String glob, String name) {
    return java.util.regex.Pattern.compile(ImageScope.re2(glob)).matcher(name).matches();
  }

  static boolean validRef(String ref) {
    try {
      ImageRef.parse(ref);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @Test
  void kyvernoGlobsNeverMissAnImageAttestCovers() {
    int covered = 0;
    for (String g : GLOBS) {
      List<String> engine = ImageScope.kyvernoGlobs(List.of(g));
      for (String n : NAMES) {
        for (String ref : forms(n)) {
          if (!validRef(ref) || !attestCovers(g, ref)) {
            continue;
          }
          covered++;
          assertThat(engine.stream().anyMatch(e -> EngineGlobs.gobwas(e, ref)))
              .as("attest glob %s covers %s; Kyverno globs %s", g, ref, engine).isTrue();
        }
      }
    }
    assertThat(covered).isGreaterThan(60);
  }

  @Test
  void policyControllerGlobsMatchExactlyOrReportTheApproximation() {
    for (String g : GLOBS) {
      ImageScope.PolicyControllerGlobs pc = ImageScope.policyControllerGlobs(List.of(g));
      for (String n : NAMES) {
        for (String ref : forms(n)) {
          if (!validRef(ref)) {
            continue;
          }
          boolean attest = attestCovers(g, ref);
          boolean engine = pc.globs().stream().anyMatch(e -> EngineGlobs.policyController(e, ref));
          if (attest) {
            assertThat(engine).as("attest glob %s covers %s; policy-controller globs %s", g, ref, pc.globs()).isTrue();
          } else if (engine) {
            assertThat(pc.approximations()).as("%s matches %s beyond attest's scope without saying so", pc.globs(), ref)
                .isNotEmpty();
          }
        }
      }
    }
    // An exact repository is no longer copied verbatim (it matched nothing: fail open).
    assertThat(ImageScope.policyControllerGlobs(List.of("ghcr.io/acme/api")).globs()).containsExactly("ghcr.io/acme/api*");
    assertThat(ImageScope.policyControllerGlobs(List.of("docker.io/acme/*")).globs()).containsExactly("index.docker.io/acme/**");
    assertThat(ImageScope.policyControllerGlobs(List.of("ghcr.io/acme/*")).approximations()).isEmpty();
  }

  @Test
  void theCelScopeIsExact() {
    KyvernoCel cel = new KyvernoCel(KyvernoCel.Engine.NONE, Instant.now());
    int checked = 0;
    for (String g : GLOBS) {
      String expr = "images.all(k, images[k].all(image, " + ImageScope.celInScope(List.of(g), "image") + "))";
      for (String n : NAMES) {
        for (String ref : forms(n)) {
          if (!validRef(ref)) {
            continue;
          }
          boolean inScope = cel.eval(expr, Map.of("containers", List.of(ref)), List.of(), List.of());
          assertThat(inScope).as("glob %s, reference %s", g, ref).isEqualTo(attestCovers(g, ref));
          checked++;
        }
      }
    }
    assertThat(checked).isGreaterThan(500);
  }

  @Test
  void derivativesOfGlobs() {
    assertThat(ImageScope.derivative("*/acme/app", "docker.io/")).containsExactlyInAnyOrder("*/acme/app", "acme/app");
    assertThat(ImageScope.derivative("ghcr.io/*", "docker.io/")).isEmpty();
    assertThat(ImageScope.derivative("d*", "docker.io/")).containsExactly("*");
  }

  @Test
  void re2RefusesWhatGoCannotCompileAndTranslatesNamedGroups() {
    assertThat(Re2.translate("a(?=b)").refusal()).contains("lookahead");
    assertThat(Re2.translate("(?<!x)y").refusal()).contains("lookbehind");
    assertThat(Re2.translate("(a)\\1").refusal()).contains("backreference");
    assertThat(Re2.translate("a++").refusal()).contains("possessive");
    assertThat(Re2.translate("(?>a)").refusal()).contains("atomic");
    assertThat(Re2.translate("[a-z&&[^b]]").refusal()).isNotNull();
    assertThat(Re2.translate("\\p{javaLowerCase}").refusal()).contains("Java character class");
    assertThat(Re2.translate("(?x)a b").refusal()).contains("inline flag 'x'");
    assertThat(Re2.translate("(?<org>acme)/x").regex()).isEqualTo("(?P<org>acme)/x");
    for (String ok : List.of("https://github\\.com/acme/.*", "[a+]+", "\\++", "(?i)abc", "a{2,3}", "[]a]", "\\Qa.b\\E")) {
      Re2.Translation t = Re2.translate(ok);
      assertThat(t.regex()).as(ok).isEqualTo(ok);
      com.google.re2j.Pattern.compile(t.regex()); // RE2 (Go's semantics, as re2j) compiles it
    }
  }
}
