package dev.attest.verify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.attest.core.CycloneDxSbom;
import dev.attest.core.SlsaProvenance;
import dev.attest.core.VulnerabilityScan;
import dev.attest.verify.Policy.AttestationRule;
import dev.attest.verify.Policy.KeylessIdentity;
import dev.attest.verify.Policy.SbomRule;
import dev.attest.verify.Policy.Severity;
import dev.attest.verify.Policy.SlsaRule;
import dev.attest.verify.Policy.Trust;
import dev.attest.verify.Policy.VulnerabilityRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Renders a {@link Policy} for the admission engines people already run, as YAML.
 *
 * <p>What an engine cannot express is either carried in its own policy language (CEL for Kyverno,
 * Rego for the policy-controller) or listed, one rule per line, in the annotation {@value
 * #NOT_ENFORCED_ANNOTATION} of the output: a rule listed there is <em>not enforced</em> by that
 * engine. Every output carries {@value #POLICY_HASH_ANNOTATION}.
 */
public final class PolicyExport {
  private PolicyExport() {}

  /** Lists, one per line, the rules the exported resource does not enforce. */
  public static final String NOT_ENFORCED_ANNOTATION = "attest.dev/not-enforced";

  /** The {@link Policy#hash()} of the exported policy. */
  public static final String POLICY_HASH_ANNOTATION = "attest.dev/policy-hash";

  /** Kyverno's ImageValidatingPolicy API version as of Kyverno 1.19. */
  public static final String KYVERNO_API_VERSION = "policies.kyverno.io/v1";

  /** The sigstore policy-controller API version. */
  public static final String POLICY_CONTROLLER_API_VERSION = "policy.sigstore.dev/v1beta1";

  private static final ObjectMapper YAML =
      YAMLMapper.builder()
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
          .disable(YAMLGenerator.Feature.SPLIT_LINES)
          .build();

  private static final Pattern CEL_IDENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  // --- Kyverno ---------------------------------------------------------------------------

  /**
   * A Kyverno {@code ImageValidatingPolicy} ({@value #KYVERNO_API_VERSION}) for Pods.
   *
   * @see <a href="https://kyverno.io/docs/policy-types/image-validating-policy/">Kyverno:
   *     ImageValidatingPolicy</a>
   */
  public static String kyverno(Policy p) {
    List<String> notEnforced = new ArrayList<>();
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("validationActions", p.mode() == Policy.Mode.ENFORCE ? List.of("Deny") : List.of("Warn", "Audit"));
    spec.put("matchConstraints", Map.of("resourceRules", List.of(ordered(
        "apiGroups", List.of(""), "apiVersions", List.of("v1"),
        "operations", List.of("CREATE", "UPDATE"), "resources", List.of("pods")))));
    List<Object> globs = new ArrayList<>();
    for (String g : p.images().isEmpty() ? List.of("*") : p.images()) {
      globs.add(Map.of("glob", g));
    }
    spec.put("matchImageReferences", globs);

    Map<String, List<String>> attestorsByTrust = new LinkedHashMap<>();
    List<Object> attestors = new ArrayList<>();
    for (Map.Entry<String, Trust> e : p.trust().entrySet()) {
      String base = celName(e.getKey());
      Trust t = e.getValue();
      List<String> names = new ArrayList<>();
      for (int i = 0; i < t.publicKeys().size(); i++) {
        String n = base + "_key" + i;
        names.add(n);
        attestors.add(ordered("name", n, "cosign", Map.of("key", Map.of("data", t.publicKeys().get(i).toPem()))));
      }
      if (!t.keyless().isEmpty()) {
        String n = base + "_keyless";
        names.add(n);
        List<Object> ids = new ArrayList<>();
        for (KeylessIdentity id : t.keyless()) {
          ids.add(identity(id));
          extensionNotes(id, "Kyverno", notEnforced);
        }
        attestors.add(ordered("name", n, "cosign", Map.of("keyless", Map.of("identities", ids))));
        notEnforced.add("trust " + e.getKey() + ": the trusted root " + t.trustedRoot()
            + " is not carried; Kyverno uses its own configured Sigstore roots");
      }
      attestorsByTrust.put(e.getKey(), names);
    }
    spec.put("attestors", attestors);

    List<Object> attestations = new ArrayList<>();
    List<Object> validations = new ArrayList<>();
    validations.add(ordered(
        "expression", "images.containers.map(image, verifyImageSignatures(image, "
            + attestorList(attestorsByTrust.get(p.signatureTrust())) + ")).all(e, e > 0)",
        "message", "image is not signed by trust '" + p.signatureTrust() + "'"));
    for (AttestationRule a : p.attestations()) {
      String name = attestationName(a);
      attestations.add(ordered("name", name, "intoto", Map.of("type", a.predicateType())));
      validations.add(ordered(
          "expression", "images.containers.map(image, verifyAttestationSignatures(image, attestations." + name
              + ", " + attestorList(attestorsByTrust.get(a.trust())) + ")).all(e, e > 0)",
          "message", "no " + a.predicateType() + " attestation signed by trust '" + a.trust() + "'"));
      String payload = "extractPayload(image, attestations." + name + ")";
      if (a.slsa() != null) {
        kyvernoSlsa(a.slsa(), payload, validations, notEnforced);
      }
      if (a.sbom() != null) {
        notEnforced.add(a.predicateType() + ": SBOM schema validation");
        if (!a.sbom().denyPurls().isEmpty()) {
          notEnforced.add(a.predicateType() + ": purl deny-list " + a.sbom().denyPurls());
        }
        if (!a.sbom().denyLicenses().isEmpty()) {
          notEnforced.add(a.predicateType() + ": license deny-list " + a.sbom().denyLicenses());
        }
      }
      if (a.vulnerabilities() != null) {
        kyvernoVulns(a, payload, validations, notEnforced);
      }
    }
    if (!attestations.isEmpty()) {
      spec.put("attestations", attestations);
    }
    spec.put("validations", validations);
    commonNotes(p, notEnforced);
    notEnforced.add("only images.containers are checked; initContainers and ephemeralContainers are not");

    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("apiVersion", KYVERNO_API_VERSION);
    doc.put("kind", "ImageValidatingPolicy");
    doc.put("metadata", metadata(p.name(), p, notEnforced));
    doc.put("spec", spec);
    return yaml(doc);
  }

  private static void kyvernoSlsa(SlsaRule s, String payload, List<Object> validations, List<String> notEnforced) {
    validations.add(ordered(
        "expression", "images.containers.map(image, " + payload + ".runDetails.builder.id in "
            + celList(s.builderIds()) + ").all(e, e)",
        "message", "SLSA provenance is not from an allowed builder " + s.builderIds()));
    validations.add(ordered(
        "expression", "images.containers.map(image, " + payload + ".buildDefinition.buildType in "
            + celList(s.buildTypes()) + ").all(e, e)",
        "message", "SLSA buildType is not one of " + s.buildTypes()));
    Map<String, String> expected = slsaExpectations(s);
    for (Map.Entry<String, String> e : expected.entrySet()) {
      String path = e.getKey();
      if (!path.chars().allMatch(c -> c == '.' || Character.isLetterOrDigit(c) || c == '_')
          || !List.of(path.split("\\.")).stream().allMatch(x -> CEL_IDENT.matcher(x).matches())) {
        notEnforced.add("SLSA externalParameters." + path + " == " + e.getValue() + " (not a CEL path)");
        continue;
      }
      validations.add(ordered(
          "expression", "images.containers.map(image, " + payload + ".buildDefinition.externalParameters."
              + path + " == " + celString(e.getValue()) + ").all(e, e)",
          "message", "SLSA externalParameters." + path + " is not " + e.getValue()));
    }
    if (s.strict()) {
      notEnforced.add("SLSA strict: unknown external parameters are not rejected");
    }
  }

  private static void kyvernoVulns(AttestationRule a, String payload, List<Object> validations, List<String> notEnforced) {
    VulnerabilityRule v = a.vulnerabilities();
    boolean trivy = a.predicateType().equals(VulnerabilityScan.COSIGN_VULN_V1);
    for (Map.Entry<Severity, Integer> e : v.maxCounts().entrySet()) {
      if (e.getValue() == 0 && trivy) {
        validations.add(ordered(
            "expression", "images.containers.map(image, " + payload + ".scanner.result.Results.all(r, "
                + "!has(r.Vulnerabilities) || r.Vulnerabilities.all(v, v.Severity != '" + e.getKey() + "'))).all(e, e)",
            "message", "the vulnerability scan reports " + e.getKey() + " findings (Trivy result format)"));
      } else {
        notEnforced.add(a.predicateType() + ": at most " + e.getValue() + " " + e.getKey() + " findings");
      }
    }
    if (v.maxAgeHours() != null) {
      notEnforced.add(a.predicateType() + ": scan finished at most " + v.maxAgeHours() + " h ago");
    }
    if (!v.scannerUris().isEmpty()) {
      validations.add(ordered(
          "expression", "images.containers.map(image, " + payload + ".scanner.uri in "
              + celList(v.scannerUris()) + ").all(e, e)",
          "message", "the vulnerability scanner is not one of " + v.scannerUris()));
    }
  }

  // --- policy-controller ------------------------------------------------------------------

  /**
   * Sigstore policy-controller {@code ClusterImagePolicy} resources ({@value
   * #POLICY_CONTROLLER_API_VERSION}), as a multi-document YAML stream: one for the image signature
   * and one per required attestation. The policy-controller admits an image only when every
   * matching ClusterImagePolicy passes, while any one authority within a policy suffices; one
   * resource per requirement therefore keeps "signature AND each attestation".
   *
   * @see <a href="https://docs.sigstore.dev/policy-controller/overview/">Sigstore: policy-controller</a>
   */
  public static String policyController(Policy p) {
    StringBuilder out = new StringBuilder();
    List<String> common = new ArrayList<>();
    commonNotes(p, common);
    {
      List<String> notes = new ArrayList<>(common);
      Map<String, Object> spec = cipSpec(p, p.signatureTrust(), null, notes);
      out.append(yaml(cip(p.name() + "-signature", p, spec, notes)));
    }
    for (AttestationRule a : p.attestations()) {
      List<String> notes = new ArrayList<>(common);
      Map<String, Object> spec = cipSpec(p, a.trust(), a, notes);
      out.append(yaml(cip(p.name() + "-" + attestationName(a).toLowerCase(Locale.ROOT), p, spec, notes)));
    }
    return out.toString();
  }

  private static Map<String, Object> cip(String name, Policy p, Map<String, Object> spec, List<String> notes) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("apiVersion", POLICY_CONTROLLER_API_VERSION);
    doc.put("kind", "ClusterImagePolicy");
    doc.put("metadata", metadata(name, p, notes));
    doc.put("spec", spec);
    return doc;
  }

  private static Map<String, Object> cipSpec(Policy p, String trustName, AttestationRule a, List<String> notes) {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("mode", p.mode() == Policy.Mode.ENFORCE ? "enforce" : "warn");
    List<Object> images = new ArrayList<>();
    for (String g : p.images().isEmpty() ? List.of("**") : p.images()) {
      images.add(Map.of("glob", g));
    }
    spec.put("images", images);
    Trust t = p.trust().get(trustName);
    List<Object> authorities = new ArrayList<>();
    List<Object> atts = a == null ? null : List.of(attestationPolicy(a, notes));
    for (int i = 0; i < t.publicKeys().size(); i++) {
      Map<String, Object> auth = new LinkedHashMap<>();
      auth.put("name", dnsLabel(trustName) + "-key-" + i);
      auth.put("key", ordered("data", t.publicKeys().get(i).toPem(), "hashAlgorithm", "sha256"));
      if (atts != null) {
        auth.put("attestations", atts);
      }
      authorities.add(auth);
    }
    if (!t.keyless().isEmpty()) {
      List<Object> ids = new ArrayList<>();
      for (KeylessIdentity id : t.keyless()) {
        ids.add(identity(id));
        extensionNotes(id, "the policy-controller", notes);
      }
      Map<String, Object> auth = new LinkedHashMap<>();
      auth.put("name", dnsLabel(trustName) + "-keyless");
      String rootRef = dnsLabel(p.name() + "-" + trustName);
      auth.put("keyless", ordered("trustRootRef", rootRef, "identities", ids));
      if (atts != null) {
        auth.put("attestations", atts);
      }
      authorities.add(auth);
      notes.add("keyless trust needs a TrustRoot named " + rootRef + " made from " + t.trustedRoot());
    }
    spec.put("authorities", authorities);
    return spec;
  }

  private static Map<String, Object> attestationPolicy(AttestationRule a, List<String> notes) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", attestationName(a));
    m.put("predicateType", a.predicateType());
    List<String> body = new ArrayList<>();
    if (a.slsa() != null) {
      SlsaRule s = a.slsa();
      body.add("input.predicate.runDetails.builder.id == " + regoArray(s.builderIds()) + "[_]");
      body.add("input.predicate.buildDefinition.buildType == " + regoArray(s.buildTypes()) + "[_]");
      for (Map.Entry<String, String> e : slsaExpectations(s).entrySet()) {
        StringBuilder ref = new StringBuilder("input.predicate.buildDefinition.externalParameters");
        for (String part : e.getKey().split("\\.")) {
          ref.append('[').append(regoString(part)).append(']');
        }
        body.add(ref + " == " + regoString(e.getValue()));
      }
      if (s.strict()) {
        notes.add("SLSA strict: unknown external parameters are not rejected");
      }
    }
    List<String> extra = new ArrayList<>();
    if (a.sbom() != null) {
      SbomRule s = a.sbom();
      notes.add(a.predicateType() + ": SBOM schema validation");
      if (!s.denyPurls().isEmpty()) {
        List<String> regexes = s.denyPurls().stream().map(PolicyExport::globToRe2).toList();
        extra.add("denied_purl {\n  p := input.predicate.components[_].purl\n  regex.match("
            + regoArray(regexes) + "[_], p)\n}");
        body.add("not denied_purl");
      }
      if (!s.denyLicenses().isEmpty()) {
        extra.add("denied_license {\n  input.predicate.components[_].licenses[_].license.id == "
            + regoArray(s.denyLicenses()) + "[_]\n}");
        body.add("not denied_license");
      }
    }
    if (a.vulnerabilities() != null) {
      VulnerabilityRule v = a.vulnerabilities();
      if (a.predicateType().equals(VulnerabilityScan.COSIGN_VULN_V1)) {
        extra.add("severity_count(s) := n {\n"
            + "  trivy := [x | x := input.predicate.scanner.result.Results[_].Vulnerabilities[_]; upper(x.Severity) == s]\n"
            + "  grype := [x | x := input.predicate.scanner.result.matches[_]; upper(x.vulnerability.severity) == s]\n"
            + "  n := count(trivy) + count(grype)\n}");
        v.maxCounts().forEach((sev, max) -> body.add("severity_count(\"" + sev + "\") <= " + max));
      } else if (!v.maxCounts().isEmpty()) {
        notes.add(a.predicateType() + ": per-severity maximum counts " + v.maxCounts());
      }
      if (v.maxAgeHours() != null) {
        body.add("time.now_ns() - time.parse_rfc3339_ns(input.predicate.metadata.scanFinishedOn) <= "
            + v.maxAgeHours() + " * 3600 * 1000000000");
      }
      if (!v.scannerUris().isEmpty()) {
        body.add("input.predicate.scanner.uri == " + regoArray(v.scannerUris()) + "[_]");
      }
    }
    if (!body.isEmpty()) {
      StringBuilder rego = new StringBuilder("package sigstore\n\ndefault isCompliant = false\n\n");
      for (String e : extra) {
        rego.append(e).append("\n\n");
      }
      rego.append("isCompliant {\n");
      for (String b : body) {
        rego.append("  ").append(b).append('\n');
      }
      rego.append("}\n");
      m.put("policy", ordered("type", "rego", "data", rego.toString()));
    }
    return m;
  }

  // --- shared -----------------------------------------------------------------------------

  /** The SLSA expectations as externalParameters paths (GitHub buildType: workflow.repository, workflow.ref). */
  private static Map<String, String> slsaExpectations(SlsaRule s) {
    Map<String, String> m = new LinkedHashMap<>();
    if (s.sourceRepository() != null) {
      m.put("workflow.repository", s.sourceRepository());
    }
    if (s.sourceRef() != null) {
      m.put("workflow.ref", s.sourceRef());
    }
    m.putAll(s.externalParameters());
    return m;
  }

  private static void commonNotes(Policy p, List<String> notes) {
    notes.add("index semantics " + p.indexSemantics() + " (the engine applies its own)");
    if (!p.allowTagOnly()) {
      notes.add("tag-only references are not rejected; the engine resolves tags itself");
    }
  }

  private static void extensionNotes(KeylessIdentity id, String engine, List<String> notes) {
    id.requiredExtensions().forEach((oid, value) -> {
      if (!oid.equals(KeylessIdentity.OID_ISSUER_V2)) {
        notes.add("keyless identity " + id.issuer() + ": certificate extension " + oid + " == " + value
            + " (" + engine + " cannot match Fulcio extensions)");
      }
    });
  }

  private static Map<String, Object> identity(KeylessIdentity id) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("issuer", id.issuer());
    if (id.subject() != null) {
      m.put("subject", id.subject());
    } else {
      // Both engines match regexes unanchored (Go regexp); anchor it to keep attest's semantics.
      m.put("subjectRegExp", "^(?:" + id.subjectRegExp() + ")$");
    }
    return m;
  }

  private static Map<String, Object> metadata(String name, Policy p, List<String> notEnforced) {
    Map<String, Object> ann = new LinkedHashMap<>();
    ann.put(POLICY_HASH_ANNOTATION, p.hash().toString());
    if (!notEnforced.isEmpty()) {
      ann.put(NOT_ENFORCED_ANNOTATION, String.join("\n", notEnforced.stream().distinct().toList()) + "\n");
    }
    return ordered("name", dnsSubdomain(name), "annotations", ann);
  }

  private static String attestationName(AttestationRule a) {
    if (a.slsa() != null || a.predicateType().equals(SlsaProvenance.PREDICATE_TYPE)) {
      return "slsa";
    }
    if (a.sbom() != null || a.predicateType().startsWith(CycloneDxSbom.PREDICATE_TYPE)) {
      return "sbom";
    }
    if (a.vulnerabilities() != null) {
      return "vulns";
    }
    return "att" + Integer.toHexString(a.predicateType().hashCode() & 0x7fffffff);
  }

  private static String attestorList(List<String> names) {
    return "[" + String.join(", ", names.stream().map(n -> "attestors." + n).toList()) + "]";
  }

  private static String celName(String s) {
    String n = s.replaceAll("[^A-Za-z0-9_]", "_");
    return Character.isDigit(n.charAt(0)) ? "t_" + n : n;
  }

  private static String dnsLabel(String s) {
    String n = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("^-+|-+$", "");
    return n.isEmpty() ? "x" : n.length() > 63 ? n.substring(0, 63) : n;
  }

  private static String dnsSubdomain(String s) {
    return s.length() > 253 ? s.substring(0, 253) : s;
  }

  private static String celString(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  private static String celList(List<String> l) {
    return "[" + String.join(", ", l.stream().map(PolicyExport::celString).toList()) + "]";
  }

  private static String regoString(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static String regoArray(List<String> l) {
    return "[" + String.join(", ", l.stream().map(PolicyExport::regoString).toList()) + "]";
  }

  /** An anchored RE2 regex for a glob: {@code *} any run, {@code ?} one character. */
  static String globToRe2(String glob) {
    StringBuilder sb = new StringBuilder("^");
    for (char c : glob.toCharArray()) {
      switch (c) {
        case '*' -> sb.append(".*");
        case '?' -> sb.append('.');
        default -> {
          if ("\\.[]{}()<>+-=!^$|".indexOf(c) >= 0) {
            sb.append('\\');
          }
          sb.append(c);
        }
      }
    }
    return sb.append('$').toString();
  }

  private static Map<String, Object> ordered(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  private static String yaml(Object doc) {
    try {
      return YAML.writeValueAsString(doc);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
