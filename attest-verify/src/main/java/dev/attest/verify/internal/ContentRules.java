package dev.attest.verify.internal;

import dev.attest.core.AttestException;
import dev.attest.core.CycloneDxSbom;
import dev.attest.core.SbomComponent;
import dev.attest.core.Severity;
import dev.attest.core.SlsaProvenance;
import dev.attest.core.VulnerabilityScan;
import dev.attest.verify.Policy.SbomRule;
import dev.attest.verify.Policy.SlsaRule;
import dev.attest.verify.Policy.VulnerabilityRule;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The content rules of a policy, applied to a verified statement's predicate bytes. Each method
 * returns null when the predicate passes, else every problem found, for a person to act on.
 */
public final class ContentRules {
  /** A scan finished this far in the future is clock skew; further is refused. */
  static final Duration MAX_FUTURE_SKEW = Duration.ofMinutes(5);

  private ContentRules() {}

  /** SLSA v1: builder id, buildType, source repository and ref, external parameters, strictness. */
  public static @Nullable String slsa(SlsaRule rule, byte[] predicate) {
    SlsaProvenance p;
    try {
      p = SlsaProvenance.parse(predicate);
    } catch (AttestException e) {
      return "provenance is not valid SLSA v1: " + e.getMessage();
    }
    List<String> problems = new ArrayList<>();
    if (!rule.builderIds().contains(p.builderId())) {
      problems.add("builder id '" + p.builderId() + "' is not allowed; allowed: " + rule.builderIds());
    }
    if (!rule.buildTypes().contains(p.buildType())) {
      problems.add("buildType '" + p.buildType() + "' is not allowed; allowed: " + rule.buildTypes());
    }
    Map<String, @Nullable Object> ext = p.buildDefinition().externalParameters();
    if (rule.sourceRepository() != null) {
      expect(problems, ext, "workflow.repository", rule.sourceRepository(), "source repository");
    }
    if (rule.sourceRef() != null) {
      expect(problems, ext, "workflow.ref", rule.sourceRef(), "source ref");
    }
    for (Map.Entry<String, String> e : rule.externalParameters().entrySet()) {
      expect(problems, ext, e.getKey(), e.getValue(), "external parameter");
    }
    if (rule.strict()) {
      Set<String> named = new LinkedHashSet<>(rule.externalParameters().keySet());
      if (rule.sourceRepository() != null) {
        named.add("workflow.repository");
      }
      if (rule.sourceRef() != null) {
        named.add("workflow.ref");
      }
      List<String> leaves = new ArrayList<>();
      leaves("", ext, leaves, 0);
      for (String leaf : leaves) {
        if (!named.contains(leaf)) {
          problems.add("unknown external parameter '" + leaf + "' (the policy is strict; name it in"
              + " externalParameters or turn strict off)");
        }
      }
    }
    return problems.isEmpty() ? null : String.join("; ", problems);
  }

  private static void expect(
      List<String> problems, Map<String, @Nullable Object> ext, String path, String expected, String what) {
    Object v = at(ext, path);
    if (v == null) {
      problems.add(what + " externalParameters." + path + " is missing, expected '" + expected + "'");
    } else if (v instanceof Map || v instanceof List) {
      problems.add(what + " externalParameters." + path + " is a structure, expected '" + expected + "'");
    } else if (!expected.equals(String.valueOf(v))) {
      problems.add(what + " externalParameters." + path + " is '" + v + "', expected '" + expected + "'");
    }
  }

  private static @Nullable Object at(Map<String, @Nullable Object> root, String path) {
    Object cur = root;
    for (String part : path.split("\\.", -1)) {
      if (!(cur instanceof Map<?, ?> m)) {
        return null;
      }
      cur = m.get(part);
    }
    return cur;
  }

  private static void leaves(String prefix, Map<?, ?> m, List<String> out, int depth) {
    for (Map.Entry<?, ?> e : m.entrySet()) {
      String path = prefix.isEmpty() ? String.valueOf(e.getKey()) : prefix + "." + e.getKey();
      if (e.getValue() instanceof Map<?, ?> child && !child.isEmpty() && depth < 32) {
        leaves(path, child, out, depth + 1);
      } else {
        out.add(path);
      }
    }
  }

  /** CycloneDX: schema-valid, no denied purl, no denied license. */
  public static @Nullable String sbom(@Nullable SbomRule rule, String predicateType, byte[] predicate) {
    CycloneDxSbom bom;
    try {
      bom = CycloneDxSbom.parse(predicate);
    } catch (AttestException e) {
      return "SBOM (" + predicateType + ") is not a valid CycloneDX BOM: " + e.getMessage();
    }
    if (rule == null) {
      return null;
    }
    List<String> problems = new ArrayList<>();
    for (SbomComponent c : bom.components()) {
      if (c.purl() != null && rule.deniesPurl(c.purl())) {
        problems.add("component " + c.name() + " has denied purl " + c.purl());
      }
      for (String license : c.licenses()) {
        for (String id : rule.denyLicenses()) {
          if (license.equals(id) || List.of(license.split("[\\s()]+")).contains(id)) {
            problems.add("component " + c.name() + " has denied license " + id
                + (license.equals(id) ? "" : " (in '" + license + "')"));
          }
        }
      }
    }
    return problems.isEmpty() ? null : String.join("; ", problems);
  }

  /** Vulnerabilities: counts per severity, scan age from {@code scanFinishedOn}, scanner allow-list. */
  public static @Nullable String vulnerabilities(
      VulnerabilityRule rule, String predicateType, byte[] predicate, Instant now) {
    VulnerabilityScan scan;
    try {
      scan = VulnerabilityScan.parse(predicateType, predicate);
    } catch (AttestException e) {
      return "vulnerability scan is not valid " + predicateType + ": " + e.getMessage();
    }
    List<String> problems = new ArrayList<>();
    for (Map.Entry<Severity, Integer> e : rule.maxCounts().entrySet()) {
      int n = scan.count(e.getKey());
      if (n > e.getValue()) {
        problems.add(n + " " + e.getKey() + " findings, at most " + e.getValue() + " allowed");
      }
    }
    if (rule.maxAgeHours() != null) {
      Instant finished = scan.scanFinishedOn();
      Duration age = Duration.between(finished, now);
      if (age.compareTo(Duration.ofHours(rule.maxAgeHours())) > 0) {
        problems.add("scan finished at " + finished + ", " + age.toHours() + " hours ago; at most "
            + rule.maxAgeHours() + " hours allowed: rescan the image");
      } else if (age.negated().compareTo(MAX_FUTURE_SKEW) > 0) {
        problems.add("scan claims to finish at " + finished + ", in the future (now " + now + ")");
      }
    }
    if (!rule.scannerUris().isEmpty()) {
      String uri = scan.scannerUri().orElse(null);
      if (uri == null) {
        problems.add("scan names no scanner URI; allowed: " + rule.scannerUris());
      } else if (!rule.scannerUris().contains(uri)) {
        problems.add("scanner '" + uri + "' is not allowed; allowed: " + rule.scannerUris());
      }
    }
    return problems.isEmpty() ? null : String.join("; ", problems);
  }
}
