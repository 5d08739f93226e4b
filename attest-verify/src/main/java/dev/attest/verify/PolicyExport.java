package dev.attest.verify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.attest.core.BoundedReads;
import dev.attest.core.Digest;
import dev.attest.verify.Policy.AttestationRule;
import dev.attest.verify.Policy.KeylessIdentity;
import dev.attest.verify.Policy.SbomRule;
import dev.attest.core.Severity;
import dev.attest.core.TooLargeException;
import dev.attest.verify.Policy.SlsaRule;
import dev.attest.verify.Policy.Trust;
import dev.attest.verify.Policy.VulnerabilityRule;
import dev.attest.verify.internal.ImageScope;
import dev.attest.verify.internal.ImageScope.Cel;
import dev.attest.verify.internal.Re2;
import dev.attest.verify.internal.sigstore.TrustedRoot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Renders a {@link Policy} for the admission engines people already run, as YAML, so that each
 * admits the images attest admits.
 *
 * <p>Each export returns the documents and two lists. {@link Export#dropped() dropped} names every
 * rule the engine does not enforce (it would admit what attest denies): the CLI prints it on
 * stderr and {@code --strict} refuses to export when it is not empty. {@link Export#notes() notes}
 * name what the engine does more strictly than attest (it may deny what attest admits) and what
 * the cluster must provide. Both lists are also in the annotations {@value #NOT_ENFORCED_ANNOTATION}
 * and {@value #NOTES_ANNOTATION}. No local file path appears in an export; the trusted root is
 * carried inline (Kyverno) or named by its digest (policy-controller).
 *
 * <p>Both engines match image globs against the reference as the Pod writes it; the globs are
 * rewritten so each engine covers, in tag and digest form and Docker Hub short names included,
 * the images the policy's {@link Policy#images() globs} cover (never fewer). Kyverno's CEL then
 * restates the exact scope. The out-of-scope choice ({@link Policy#outOfScope()}) is the same as
 * attest's: denied by a CEL rule in Kyverno, and by policy-controller's {@code no-match-policy}.
 */
public final class PolicyExport {
  private PolicyExport() {}

  /** Lists, one per line, the rules the exported resource does not enforce. */
  public static final String NOT_ENFORCED_ANNOTATION = "attest.dev/not-enforced";

  /** Lists, one per line, where the engine is stricter than attest and what it needs from the cluster. */
  public static final String NOTES_ANNOTATION = "attest.dev/notes";

  /** The {@link Policy#hash()} of the exported policy. */
  public static final String POLICY_HASH_ANNOTATION = "attest.dev/policy-hash";

  /** Kyverno's ImageValidatingPolicy API version as of Kyverno 1.19. */
  public static final String KYVERNO_API_VERSION = "policies.kyverno.io/v1";

  /** The sigstore policy-controller API version. */
  public static final String POLICY_CONTROLLER_API_VERSION = "policy.sigstore.dev/v1beta1";

  /** SBOM components are checked this many levels deep in CEL, which cannot recurse. */
  static final int SBOM_DEPTH = 4;


  /**
   * One export.
   *
   * @param yaml the documents, a multi-document YAML stream
   * @param dropped the rules the engine does not enforce, one sentence each
   * @param notes where the engine is stricter than attest, and what the cluster must provide
   */
  public record Export(String yaml, List<String> dropped, List<String> notes) {
    public Export {
      Objects.requireNonNull(yaml, "yaml");
      dropped = List.copyOf(new LinkedHashSet<>(dropped));
      notes = List.copyOf(new LinkedHashSet<>(notes));
    }
  }

  private static final ObjectMapper YAML =
      YAMLMapper.builder()
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
          .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
          .disable(YAMLGenerator.Feature.SPLIT_LINES)
          .build();

  private static final Pattern CEL_IDENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** The YAML of {@link #toKyverno}. */
  public static String kyverno(Policy p) {
    return toKyverno(p).yaml();
  }

  /** The YAML of {@link #toPolicyController}. */
  public static String policyController(Policy p) {
    return toPolicyController(p).yaml();
  }

  // --- Kyverno ---------------------------------------------------------------------------

  /**
   * A Kyverno {@code ImageValidatingPolicy} ({@value #KYVERNO_API_VERSION}) for Pods (Kyverno
   * generates the rules for their controllers). In-toto payloads are read as the Statement
   * Kyverno's {@code extractPayload} returns ({@code .predicate...}); every image of the Pod that
   * the policy covers is checked ({@code images} holds containers, init and ephemeral containers).
   *
   * @see <a href="https://kyverno.io/docs/policy-types/image-validating-policy/">Kyverno:
   *     ImageValidatingPolicy</a>
   */
  public static Export toKyverno(Policy p) {
    List<String> dropped = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("validationActions", p.mode() == Policy.Mode.ENFORCE ? List.of("Deny") : List.of("Warn", "Audit"));
    spec.put("matchConstraints", Map.of("resourceRules", List.of(ordered(
        "apiGroups", List.of(""), "apiVersions", List.of("v1"),
        "operations", List.of("CREATE", "UPDATE"), "resources", List.of("pods")))));
    boolean denyOutside = !p.images().isEmpty() && p.outOfScope() == Policy.OutOfScope.DENY;
    List<Object> globs = new ArrayList<>();
    for (String g : denyOutside ? List.of("*") : ImageScope.kyvernoGlobs(p.images())) {
      globs.add(Map.of("glob", g));
    }
    spec.put("matchImageReferences", globs);
    String inScope = ImageScope.celInScope(p.images(), "image");

    Map<String, List<String>> attestorsByTrust = new LinkedHashMap<>();
    List<Object> attestors = new ArrayList<>();
    for (Map.Entry<String, Trust> e : p.trust().entrySet()) {
      String base = uniqueName(e.getKey(), '_');
      Trust t = e.getValue();
      List<String> names = new ArrayList<>();
      for (int i = 0; i < t.publicKeys().size(); i++) {
        String n = base + "_key" + i;
        names.add(n);
        Map<String, Object> cosign = new LinkedHashMap<>();
        cosign.put("key", Map.of("data", t.publicKeys().get(i).toPem()));
        keyDetailsDrop(e.getKey(), i, t, "Kyverno", dropped);
        Map<String, Object> ctlog = kyvernoCtlog(t.keyTransparencyLog(), null);
        if (!ctlog.isEmpty()) {
          cosign.put("ctlog", ctlog);
        }
        if (t.keyTransparencyLog() == LogRequirement.REQUIRED || t.signedTimestamps() > 0) {
          // The Rekor keys and TSA certificates to verify the entry and timestamps against.
          cosign.put("trustedRoot", Map.of("value", trustedRoot(t)));
        }
        attestors.add(ordered("name", n, "cosign", cosign));
      }
      if (t.signedTimestamps() > 0) {
        // cosign verifies an RFC 3161 timestamp where present; it needs one only where nothing else
        // gives a verified time: a keyless certificate with the log ignored. Anything else is a drop.
        boolean required = t.publicKeys().isEmpty() && t.keylessTransparencyLog() == LogRequirement.IGNORED;
        if (!required || t.signedTimestamps() > 1) {
          dropped.add("trust " + e.getKey() + ": signedTimestamps " + t.signedTimestamps() + " (Kyverno verifies a"
              + " timestamp where present against the trusted root's TSAs"
              + (required ? ", and requires one, not " + t.signedTimestamps() : ", but does not require one") + ")");
        }
      }
      if (!t.keyless().isEmpty()) {
        List<Object> ids = identities(e.getKey(), t, "Kyverno", dropped);
        if (!ids.isEmpty()) {
          String n = base + "_keyless";
          names.add(n);
          Map<String, Object> cosign = new LinkedHashMap<>();
          cosign.put("keyless", Map.of("identities", ids));
          Map<String, Object> ctlog = kyvernoCtlog(t.keylessTransparencyLog(),
              t.certificateTransparency() != null ? t.certificateTransparency() : LogRequirement.REQUIRED);
          if (!ctlog.isEmpty()) {
            cosign.put("ctlog", ctlog);
          }
          cosign.put("trustedRoot", Map.of("value", trustedRoot(t)));
          attestors.add(ordered("name", n, "cosign", cosign));
        }
      }
      optionalDrops(e.getKey(), t, "Kyverno", "ignores the log (insecureIgnoreTlog), so a bad entry is not refused",
          "ignores SCTs (insecureIgnoreSCT), so a bad one is not refused", dropped);
      attestorsByTrust.put(e.getKey(), names);
    }
    spec.put("attestors", attestors);

    List<Object> attestations = new ArrayList<>();
    List<Object> validations = new ArrayList<>();
    if (denyOutside) {
      validations.add(ordered(
          "expression", "images.all(k, images[k].all(image, " + inScope + "))",
          "message", "an image is outside the images of policy " + p.name() + " " + p.images()
              + ": no policy applies to it (outOfScope: deny)"));
    }
    if (!p.allowTagOnly()) {
      validations.add(ordered(
          "expression", forEachImage(inScope, "image.contains('@')"),
          "message", "an image is not pinned by digest; policy " + p.name() + " does not allow tag-only references"));
    }
    validations.add(ordered(
        "expression", forEachImage(inScope, signedBy(attestorsByTrust.get(p.signatureTrust()),
            "verifyImageSignatures(image, ")),
        "message", "an image is not signed by trust '" + p.signatureTrust() + "'"));
    for (AttestationRule a : p.attestations()) {
      String name = attestationName(a);
      attestations.add(ordered("name", name, "intoto", Map.of("type", a.predicateType())));
      String verified = signedBy(attestorsByTrust.get(a.trust()),
          "verifyAttestationSignatures(image, attestations." + name + ", ");
      validations.add(ordered(
          "expression", forEachImage(inScope, verified),
          "message", "no " + a.predicateType() + " attestation signed by trust '" + a.trust() + "'"));
      for (String[] rule : contentRules(a, dropped)) {
        validations.add(ordered(
            "expression", forEachImage(inScope, verified + " && cel.bind(s, extractPayload(image, attestations."
                + name + "), " + rule[0] + ")"),
            "message", a.predicateType() + ": " + rule[1]));
      }
    }
    if (!attestations.isEmpty()) {
      spec.put("attestations", attestations);
    }
    spec.put("validations", validations);
    commonDrops(p, dropped, notes);
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("apiVersion", KYVERNO_API_VERSION);
    doc.put("kind", "ImageValidatingPolicy");
    doc.put("metadata", metadata(p.name(), p, dropped, notes));
    doc.put("spec", spec);
    return new Export(yaml(doc), dropped, notes);
  }

  /**
   * A Kyverno cosign attestor's {@code ctlog}: cosign either requires the log entry (SCT) or
   * ignores it. attest's {@code optional} (verified where present) has no equivalent; it maps to
   * ignoring, the closest mapping that still admits what attest admits (attest's key-signed
   * bundles carry no entry), and {@link #optionalDrops} reports it.
   */
  private static Map<String, Object> kyvernoCtlog(LogRequirement tlog, @Nullable LogRequirement sct) {
    Map<String, Object> ctlog = new LinkedHashMap<>();
    if (tlog != LogRequirement.REQUIRED) {
      ctlog.put("insecureIgnoreTlog", true);
    }
    if (sct != null && sct != LogRequirement.REQUIRED) {
      ctlog.put("insecureIgnoreSCT", true);
    }
    return ctlog;
  }

  /** A key's named algorithm (ADR 0030), which neither engine can restrict a key to. */
  private static void keyDetailsDrop(String trustName, int i, Trust t, String engine, List<String> dropped) {
    String details = t.publicKeys().get(i).keyDetails();
    if (details != null) {
      dropped.add("trust " + trustName + ": publicKeys[" + i + "].keyDetails " + details + " (" + engine
          + " accepts the key's usual algorithms; it cannot restrict the key to one)");
    }
  }

  /** The {@code optional} requirements (verified where present) of {@code t} that {@code engine} cannot carry. */
  private static void optionalDrops(String trustName, Trust t, String engine, String tlogHow, String sctHow,
      List<String> dropped) {
    boolean keyOptional = !t.publicKeys().isEmpty() && t.trustedRoot() != null
        && t.keyTransparencyLog() == LogRequirement.OPTIONAL;
    boolean keylessOptional = !t.keyless().isEmpty() && t.keylessTransparencyLog() == LogRequirement.OPTIONAL;
    if (keyOptional || keylessOptional) {
      dropped.add("trust " + trustName + ": transparencyLog optional (an entry, where present, is verified): "
          + engine + " " + tlogHow);
    }
    if (!t.keyless().isEmpty() && t.certificateTransparency() == LogRequirement.OPTIONAL) {
      dropped.add("trust " + trustName + ": certificateTransparency optional (an SCT, where present, is verified): "
          + engine + " " + sctHow);
    }
  }

  private static String forEachImage(String inScope, String check) {
    return "images.all(k, images[k].all(image, !(" + inScope + ") || (" + check + ")))";
  }

  private static String signedBy(@Nullable List<String> attestorNames, String call) {
    if (attestorNames == null || attestorNames.isEmpty()) {
      return "false";
    }
    return call + "[" + String.join(", ", attestorNames.stream().map(n -> "attestors." + n).toList()) + "]) > 0";
  }

  /** CEL conditions over {@code s}, the Statement, each with a message; drops what CEL cannot say. */
  static List<String[]> contentRules(AttestationRule a, List<String> dropped) {
    List<String[]> out = new ArrayList<>();
    if (a.slsa() != null) {
      SlsaRule s = a.slsa();
      out.add(new String[] {present("s", "predicate", "runDetails", "builder", "id") + " && "
          + at("s", "predicate", "runDetails", "builder", "id") + " in " + Cel.list(s.builderIds()),
          "SLSA provenance is not from an allowed builder " + s.builderIds()});
      out.add(new String[] {present("s", "predicate", "buildDefinition", "buildType") + " && "
          + at("s", "predicate", "buildDefinition", "buildType") + " in " + Cel.list(s.buildTypes()),
          "SLSA buildType is not one of " + s.buildTypes()});
      for (Map.Entry<String, String> e : slsaExpectations(s).entrySet()) {
        List<String> keys = new ArrayList<>(List.of("predicate", "buildDefinition", "externalParameters"));
        keys.addAll(List.of(e.getKey().split("\\.", -1)));
        String[] k = keys.toArray(new String[0]);
        String v = at("s", k);
        out.add(new String[] {present("s", k) + " && " + v + " != null && type(" + v + ") != map && type(" + v
            + ") != list && string(" + v + ") == " + Cel.string(e.getValue()),
            "SLSA externalParameters." + e.getKey() + " is not " + e.getValue()});
      }
      if (s.strict()) {
        dropped.add(a.predicateType() + ": strict external parameters (unknown ones are not rejected)");
      }
    }
    if (a.predicateType().startsWith(dev.attest.core.CycloneDxSbom.PREDICATE_TYPE)) {
      dropped.add(a.predicateType() + ": CycloneDX schema validation of the SBOM");
    }
    if (a.sbom() != null && (!a.sbom().denyPurls().isEmpty() || !a.sbom().denyLicenses().isEmpty())) {
      out.add(new String[] {sbomCel(a.sbom()), "a component has a denied purl " + a.sbom().denyPurls()
          + " or license " + a.sbom().denyLicenses()});
      dropped.add(a.predicateType() + ": SBOM components nested deeper than " + SBOM_DEPTH + " levels");
    }
    if (a.vulnerabilities() != null) {
      VulnerabilityRule v = a.vulnerabilities();
      boolean cosign = a.predicateType().equals(dev.attest.core.VulnerabilityScan.COSIGN_VULN_V1);
      for (Map.Entry<Severity, Integer> e : v.maxCounts().entrySet()) {
        if (cosign) {
          out.add(new String[] {vulnCountCel(e.getKey(), e.getValue()),
              "more than " + e.getValue() + " " + e.getKey() + " findings (Trivy or Grype report)"});
        } else {
          dropped.add(a.predicateType() + ": at most " + e.getValue() + " " + e.getKey()
              + " findings (severities derived from CVSS scores)");
        }
      }
      if (v.maxAgeHours() != null) {
        String fin = "s.predicate.metadata.scanFinishedOn";
        out.add(new String[] {present("s", "predicate", "metadata", "scanFinishedOn")
            + " && !time_before(time_add(" + fin + ", '" + v.maxAgeHours() + "h'), time_now())"
            + " && !time_after(" + fin + ", time_add(time_now(), '5m'))",
            "the scan finished more than " + v.maxAgeHours() + " h ago, or in the future"});
      }
      if (!v.scannerUris().isEmpty()) {
        out.add(new String[] {present("s", "predicate", "scanner", "uri") + " && s.predicate.scanner.uri in "
            + Cel.list(v.scannerUris()), "the scanner is not one of " + v.scannerUris()});
      }
    }
    return out;
  }

  /** CEL: every key on the path exists, each step a map. */
  private static String present(String root, String... keys) {
    List<String> conds = new ArrayList<>();
    StringBuilder cur = new StringBuilder(root);
    for (String k : keys) {
      conds.add("type(" + cur + ") == map && " + Cel.string(k) + " in " + cur);
      cur.append(step(k));
    }
    return "(" + String.join(" && ", conds) + ")";
  }

  private static String at(String root, String... keys) {
    StringBuilder cur = new StringBuilder(root);
    for (String k : keys) {
      cur.append(step(k));
    }
    return cur.toString();
  }

  private static String step(String key) {
    return CEL_IDENT.matcher(key).matches() && !CEL_RESERVED.contains(key) ? "." + key : "[" + Cel.string(key) + "]";
  }

  private static final Set<String> CEL_RESERVED = Set.of("true", "false", "null", "in", "as", "break", "const",
      "continue", "else", "for", "function", "if", "import", "let", "loop", "package", "namespace", "return",
      "var", "void", "while");

  private static String sbomCel(SbomRule rule) {
    List<String> purlRes = rule.denyPurls().stream().map(ImageScope::re2).toList();
    List<String> licenseRes = rule.denyLicenses().stream()
        .map(id -> "(^|[\\t\\n\\x0B\\f\\r ()])" + literal(id) + "($|[\\t\\n\\x0B\\f\\r ()])").toList();
    String denied = "cel.bind(dl, " + Cel.list(licenseRes) + ", cel.bind(dp, " + Cel.list(purlRes) + ", ";
    return denied + componentsOk("s.predicate", 0) + "))";
  }

  /** CEL: no component under {@code parent} (to {@link #SBOM_DEPTH} levels) has a denied purl or license. */
  private static String componentsOk(String parent, int depth) {
    String c = "c" + depth;
    String licenseOk = "(!has(" + c + ".licenses) || type(" + c + ".licenses) != list || " + c + ".licenses.all(l, "
        + "type(l) != map || ("
        + "(!has(l.expression) || type(l.expression) != string || !dl.exists(r, l.expression.matches(r))) && "
        + "(!has(l.license) || type(l.license) != map || ("
        + "has(l.license.id) && type(l.license.id) == string ? !dl.exists(r, l.license.id.matches(r)) : "
        + "(!has(l.license.name) || type(l.license.name) != string || !dl.exists(r, l.license.name.matches(r))))))))";
    String purlOk = "(!has(" + c + ".purl) || type(" + c + ".purl) != string || !dp.exists(r, " + c + ".purl.matches(r)))";
    String nested = depth + 1 < SBOM_DEPTH ? " && " + componentsOk(c, depth + 1) : "";
    return "(type(" + parent + ") != map || !has(" + parent + ".components) || type(" + parent + ".components) != list || "
        + parent + ".components.all(" + c + ", type(" + c + ") != map || (" + purlOk + " && " + licenseOk + nested + ")))";
  }

  private static String vulnCountCel(Severity sev, int max) {
    List<String> names = switch (sev) {
      case CRITICAL -> List.of("critical");
      case HIGH -> List.of("high", "important");
      case MEDIUM -> List.of("medium", "moderate");
      case LOW -> List.of("low");
      // VulnerabilityRule refuses to limit these.
      case NEGLIGIBLE, UNKNOWN -> throw new IllegalArgumentException("severity " + sev + " cannot be limited");
    };
    String is = "type(x) == string && x.trim().lowerAscii() in " + Cel.list(names);
    String trivy = "(has(r.Results) && type(r.Results) == list ? r.Results.map(t, type(t) == map && has(t.Vulnerabilities)"
        + " && type(t.Vulnerabilities) == list ? t.Vulnerabilities.filter(v, type(v) == map && has(v.Severity)"
        + " && cel.bind(x, v.Severity, " + is + ")).size() : 0).sum() : 0)";
    String grype = "r.matches.filter(m, type(m) == map && has(m.vulnerability) && type(m.vulnerability) == map"
        + " && has(m.vulnerability.severity) && cel.bind(x, m.vulnerability.severity, " + is + ")).size()";
    return present("s", "predicate", "scanner", "result") + " && cel.bind(r, s.predicate.scanner.result, type(r) == map"
        + " && ((has(r.Results) || (has(r.SchemaVersion) && has(r.ArtifactName))) ? " + trivy + " <= " + max
        + " : has(r.matches) && type(r.matches) == list && " + grype + " <= " + max + "))";
  }

  /** An RE2 (and Java) regex matching {@code s} literally. */
  private static String literal(String s) {
    return ImageScope.escape(s, "\\.[]{}()*+?^$|");
  }

  // --- policy-controller ------------------------------------------------------------------

  /**
   * Sigstore policy-controller {@code ClusterImagePolicy} resources ({@value
   * #POLICY_CONTROLLER_API_VERSION}), as a multi-document YAML stream: one for the image signature
   * and one per required attestation, each with a unique name. The policy-controller admits an
   * image only when every matching ClusterImagePolicy passes, while any one authority within a
   * policy suffices; one resource per requirement therefore keeps "signature AND each
   * attestation". Authorities read Sigstore bundles ({@code signatureFormat: bundle}), as attest
   * attaches them; content rules are Rego over the Statement.
   *
   * @see <a href="https://docs.sigstore.dev/policy-controller/overview/">Sigstore: policy-controller</a>
   */
  public static Export toPolicyController(Policy p) {
    StringBuilder out = new StringBuilder();
    List<String> dropped = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    ImageScope.PolicyControllerGlobs globs = ImageScope.policyControllerGlobs(p.images());
    notes.addAll(globs.approximations());
    if (!p.images().isEmpty()) {
      notes.add("images outside the policy's globs fall to policy-controller's no-match-policy (ConfigMap"
          + " config-policy-controller): set it to " + (p.outOfScope() == Policy.OutOfScope.DENY ? "deny" : "allow")
          + " to match outOfScope: " + p.outOfScope().name().toLowerCase(Locale.ROOT));
    }
    commonDrops(p, dropped, notes);
    if (!p.allowTagOnly()) {
      dropped.add("tag-only references are not rejected: policy-controller resolves tags to digests itself");
    }
    Set<String> docNames = new LinkedHashSet<>();
    List<Map<String, Object>> docs = new ArrayList<>();
    docs.add(cip(docName(p.name() + "-signature", docNames), p, cipSpec(p, p.signatureTrust(), null, globs, dropped,
        notes)));
    for (AttestationRule a : p.attestations()) {
      docs.add(cip(docName(p.name() + "-" + attestationName(a).replace('_', '-'), docNames), p,
          cipSpec(p, a.trust(), a, globs, dropped, notes)));
    }
    for (Map<String, Object> d : docs) {
      d.put("metadata", metadata((String) d.remove("name"), p, dropped, notes));
      Object spec = d.remove("spec");
      d.put("spec", spec);
      out.append(yaml(d));
    }
    return new Export(out.toString(), dropped, notes);
  }

  private static String docName(String wanted, Set<String> taken) {
    String n = dnsSubdomain(wanted);
    for (int i = 2; !taken.add(n); i++) {
      n = dnsSubdomain(wanted + "-" + i);
    }
    return n;
  }

  private static Map<String, Object> cip(String name, Policy p, Map<String, Object> spec) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("apiVersion", POLICY_CONTROLLER_API_VERSION);
    doc.put("kind", "ClusterImagePolicy");
    doc.put("name", name);
    doc.put("spec", spec);
    return doc;
  }

  private static Map<String, Object> cipSpec(Policy p, String trustName, @Nullable AttestationRule a,
      ImageScope.PolicyControllerGlobs globs, List<String> dropped, List<String> notes) {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("mode", p.mode() == Policy.Mode.ENFORCE ? "enforce" : "warn");
    List<Object> images = new ArrayList<>();
    for (String g : globs.globs()) {
      images.add(Map.of("glob", g));
    }
    spec.put("images", images);
    Trust t = Objects.requireNonNull(p.trust().get(trustName));
    List<Object> authorities = new ArrayList<>();
    List<Object> atts = a == null ? null : List.of(attestationPolicy(a, dropped));
    String base = uniqueName(trustName, '-').toLowerCase(Locale.ROOT);
    String rootRef = dnsLabel(p.name() + "-" + base);
    for (int i = 0; i < t.publicKeys().size(); i++) {
      Map<String, Object> auth = new LinkedHashMap<>();
      auth.put("name", base + "-key-" + i);
      auth.put("key", ordered("data", t.publicKeys().get(i).toPem(), "hashAlgorithm", "sha256"));
      keyDetailsDrop(trustName, i, t, "policy-controller", dropped);
      if (t.trustedRoot() != null && t.keyTransparencyLog() == LogRequirement.REQUIRED) {
        auth.put("ctlog", Map.of("trustRootRef", rootRef));
      }
      if (t.signedTimestamps() > 0) {
        auth.put("rfc3161timestamp", Map.of("trustRootRef", rootRef));
      }
      auth.put("signatureFormat", "bundle");
      if (atts != null) {
        auth.put("attestations", atts);
      }
      authorities.add(auth);
      if (t.keyTransparencyLog() != LogRequirement.REQUIRED) {
        notes.add("trust " + trustName + ": policy-controller looks key-signed bundles up in a transparency log"
            + " (no field turns that off); attest's key-signed bundles carry no log entry, so sign with one or"
            + " these authorities deny");
      }
    }
    if (t.signedTimestamps() > 1) {
      dropped.add("trust " + trustName + ": signedTimestamps " + t.signedTimestamps()
          + " (policy-controller verifies one timestamp against the TrustRoot's TSAs, not a count)");
    }
    if (!t.keyless().isEmpty() && t.keylessTransparencyLog() == LogRequirement.IGNORED) {
      dropped.add("trust " + trustName + ": transparencyLog ignored: policy-controller cannot ignore the log for"
          + " keyless authorities, so signatures with no entry (a private Sigstore instance) are denied");
    }
    optionalDrops(trustName, t, "policy-controller", "requires an entry, so signatures without one are denied",
        "ignores SCTs (keyless.insecureIgnoreSCT), so a bad one is not refused", dropped);
    if (t.signedTimestamps() > 0 || t.trustedRoot() != null && !t.keyless().isEmpty()) {
      notes.add("trust " + trustName + ": authorities need a TrustRoot named " + rootRef
          + " made from the trust's trusted_root.json (" + trustedRootDigest(t) + ")");
    }
    if (!t.keyless().isEmpty()) {
      List<Object> ids = identities(trustName, t, "policy-controller", dropped);
      if (!ids.isEmpty()) {
        Map<String, Object> auth = new LinkedHashMap<>();
        auth.put("name", base + "-keyless");
        Map<String, Object> keyless = ordered("trustRootRef", rootRef, "identities", ids);
        if (t.certificateTransparency() != null && t.certificateTransparency() != LogRequirement.REQUIRED) {
          keyless.put("insecureIgnoreSCT", true);
        }
        auth.put("keyless", keyless);
        auth.put("ctlog", Map.of("trustRootRef", rootRef));
        if (t.signedTimestamps() > 0) {
          auth.put("rfc3161timestamp", Map.of("trustRootRef", rootRef));
        }
        auth.put("signatureFormat", "bundle");
        if (atts != null) {
          auth.put("attestations", atts);
        }
        authorities.add(auth);
      }
    }
    if (authorities.isEmpty()) {
      authorities.add(ordered("name", base + "-none", "static", ordered("action", "fail",
          "message", "no signer of trust " + trustName + " can be expressed for policy-controller")));
    }
    spec.put("authorities", authorities);
    return spec;
  }

  private static Map<String, Object> attestationPolicy(AttestationRule a, List<String> dropped) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", attestationName(a).replace('_', '-'));
    m.put("predicateType", a.predicateType());
    List<String> body = new ArrayList<>();
    List<String> extra = new ArrayList<>();
    if (a.slsa() != null) {
      SlsaRule s = a.slsa();
      body.add("input.predicate.runDetails.builder.id == " + regoArray(s.builderIds()) + "[_]");
      body.add("input.predicate.buildDefinition.buildType == " + regoArray(s.buildTypes()) + "[_]");
      for (Map.Entry<String, String> e : slsaExpectations(s).entrySet()) {
        StringBuilder ref = new StringBuilder("input.predicate.buildDefinition.externalParameters");
        for (String part : e.getKey().split("\\.", -1)) {
          ref.append('[').append(regoString(part)).append(']');
        }
        body.add("format_int_or_string(" + ref + ") == " + regoString(e.getValue()));
      }
      if (!slsaExpectations(s).isEmpty()) {
        extra.add("format_int_or_string(x) := x {\n  is_string(x)\n}\n\nformat_int_or_string(x) := sprintf(\"%v\", [x]) {\n"
            + "  not is_string(x)\n  not is_object(x)\n  not is_array(x)\n  not is_null(x)\n}");
      }
      if (s.strict()) {
        dropped.add(a.predicateType() + ": strict external parameters (unknown ones are not rejected)");
      }
    }
    if (a.predicateType().startsWith(dev.attest.core.CycloneDxSbom.PREDICATE_TYPE)) {
      dropped.add(a.predicateType() + ": CycloneDX schema validation of the SBOM");
    }
    if (a.sbom() != null) {
      SbomRule s = a.sbom();
      if (!s.denyPurls().isEmpty() || !s.denyLicenses().isEmpty()) {
        extra.add("component[c] {\n  walk(input.predicate, [path, c])\n  count(path) >= 2\n"
            + "  path[count(path) - 2] == \"components\"\n  is_object(c)\n}");
      }
      if (!s.denyPurls().isEmpty()) {
        List<String> regexes = s.denyPurls().stream().map(ImageScope::re2).toList();
        extra.add("denied_purl {\n  some c\n  component[c]\n  regex.match(" + regoArray(regexes) + "[_], c.purl)\n}");
        body.add("not denied_purl");
      }
      if (!s.denyLicenses().isEmpty()) {
        List<String> res = s.denyLicenses().stream()
            .map(id -> "(^|[\\t\\n\\x0B\\f\\r ()])" + literal(id) + "($|[\\t\\n\\x0B\\f\\r ()])").toList();
        extra.add("license_text(l) := l.expression\n\nlicense_text(l) := l.license.id\n\n"
            + "license_text(l) := l.license.name {\n  not l.license.id\n}\n\n"
            + "denied_license {\n  some c\n  component[c]\n  regex.match(" + regoArray(res)
            + "[_], license_text(c.licenses[_]))\n}");
        body.add("not denied_license");
      }
    }
    if (a.vulnerabilities() != null) {
      VulnerabilityRule v = a.vulnerabilities();
      if (a.predicateType().equals(dev.attest.core.VulnerabilityScan.COSIGN_VULN_V1)) {
        extra.add("severity_names := {\"CRITICAL\": {\"critical\"}, \"HIGH\": {\"high\", \"important\"},"
            + " \"MEDIUM\": {\"medium\", \"moderate\"}, \"LOW\": {\"low\"}}\n\n"
            + "severity_count(s) := n {\n"
            + "  trivy := [x | x := input.predicate.scanner.result.Results[_].Vulnerabilities[_];"
            + " severity_names[s][lower(trim_space(x.Severity))]]\n"
            + "  grype := [x | x := input.predicate.scanner.result.matches[_];"
            + " severity_names[s][lower(trim_space(x.vulnerability.severity))]]\n"
            + "  n := count(trivy) + count(grype)\n}");
        v.maxCounts().forEach((sev, max) -> body.add("severity_count(\"" + sev + "\") <= " + max));
      } else if (!v.maxCounts().isEmpty()) {
        dropped.add(a.predicateType() + ": per-severity maximum counts " + v.maxCounts()
            + " (severities derived from CVSS scores)");
      }
      if (v.maxAgeHours() != null) {
        body.add("time.now_ns() - time.parse_rfc3339_ns(input.predicate.metadata.scanFinishedOn) <= "
            + v.maxAgeHours() + " * 3600 * 1000000000");
        body.add("time.parse_rfc3339_ns(input.predicate.metadata.scanFinishedOn) - time.now_ns() <= 300 * 1000000000");
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

  /** Identities the engine can check, each subject regex anchored and in RE2; drops the rest. */
  private static List<Object> identities(String trustName, Trust t, String engine, List<String> dropped) {
    List<Object> ids = new ArrayList<>();
    for (KeylessIdentity id : t.keyless()) {
      id.requiredExtensions().forEach((oid, value) -> {
        if (!oid.equals(KeylessIdentity.OID_ISSUER_V2)) {
          dropped.add("trust " + trustName + ", identity " + id.issuer() + ": certificate extension " + oid
              + " == " + value + " (" + engine + " cannot match Fulcio extensions)");
        }
      });
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("issuer", id.issuer());
      if (id.subject() != null) {
        m.put("subject", id.subject());
      } else {
        Re2.Translation tr = Re2.translate(Objects.requireNonNull(id.subjectRegExp()));
        if (tr.regex() == null) {
          // Leaving the identity out accepts fewer signers than attest: closed, but reported.
          dropped.add("trust " + trustName + ", identity " + id.issuer() + ": subjectRegExp '" + id.subjectRegExp()
              + "' uses " + tr.refusal() + "; the identity is left out, so its signatures are not accepted");
          continue;
        }
        // Both engines match regexes unanchored (Go regexp); anchor it to keep attest's whole-match semantics.
        m.put("subjectRegExp", "^(?:" + tr.regex() + ")$");
      }
      ids.add(m);
    }
    return ids;
  }

  private static void commonDrops(Policy p, List<String> dropped, List<String> notes) {
    switch (p.indexSemantics()) {
      case EACH_PLATFORM -> dropped.add("index semantics EACH_PLATFORM: the engine checks the digest the Pod"
          + " names, not each platform manifest of an index");
      case EITHER -> notes.add("index semantics EITHER: the engine accepts only attestations on the digest the Pod"
          + " names (for an index, on the index)");
      default -> { }
    }
  }

  private static String trustedRoot(Trust t) {
    try {
      java.nio.file.Path root = Objects.requireNonNull(t.trustedRoot());
      return new String(BoundedReads.readFile(root, TrustedRoot.MAX_BYTES, "the trusted root " + root),
          StandardCharsets.UTF_8);
    } catch (TooLargeException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the trusted root " + t.trustedRoot() + ": " + e.getMessage(), e);
    }
  }

  private static String trustedRootDigest(Trust t) {
    return Digest.sha256(trustedRoot(t).getBytes(StandardCharsets.UTF_8)).toString();
  }

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

  private static Map<String, Object> metadata(String name, Policy p, List<String> dropped, List<String> notes) {
    Map<String, Object> ann = new LinkedHashMap<>();
    ann.put(POLICY_HASH_ANNOTATION, p.hash().toString());
    if (!dropped.isEmpty()) {
      ann.put(NOT_ENFORCED_ANNOTATION, String.join("\n", dropped.stream().distinct().toList()) + "\n");
    }
    if (!notes.isEmpty()) {
      ann.put(NOTES_ANNOTATION, String.join("\n", notes.stream().distinct().toList()) + "\n");
    }
    return ordered("name", dnsSubdomain(name), "annotations", ann);
  }

  /**
   * A stable name unique per predicate type: its kind and the first 8 hex digits of the SHA-256
   * of the type, e.g. {@code sbom_3f1c9a0b}. Predicate types are unique within a policy.
   */
  static String attestationName(AttestationRule a) {
    String kind;
    if (a.predicateType().equals(dev.attest.core.SlsaProvenance.PREDICATE_TYPE) || a.slsa() != null) {
      kind = "slsa";
    } else if (a.predicateType().startsWith(dev.attest.core.CycloneDxSbom.PREDICATE_TYPE)) {
      kind = "sbom";
    } else if (a.vulnerabilities() != null || a.predicateType().equals(dev.attest.core.VulnerabilityScan.COSIGN_VULN_V1)
        || a.predicateType().equals(dev.attest.core.VulnerabilityScan.IN_TOTO_VULNS_V02)) {
      kind = "vulns";
    } else {
      kind = "att";
    }
    return kind + "_" + hash8(a.predicateType());
  }

  /**
   * A name made of letters, digits and {@code sep}; when that changed the trust name (so that
   * {@code a-b} and {@code a_b} would meet), the first 8 hex digits of its SHA-256 follow.
   */
  static String uniqueName(String trustName, char sep) {
    String n = trustName.replaceAll("[^A-Za-z0-9]", String.valueOf(sep));
    String sepRe = sep == '-' ? "-" : "_";
    n = n.replaceAll("^" + sepRe + "+|" + sepRe + "+$", "");
    boolean changed = !n.equals(trustName) || n.isEmpty() || Character.isDigit(n.charAt(0));
    if (n.isEmpty() || Character.isDigit(n.charAt(0))) {
      n = "t" + sep + n;
    }
    if (n.length() > 40) {
      n = n.substring(0, 40);
      changed = true;
    }
    return changed ? n + sep + hash8(trustName) : n;
  }

  private static String hash8(String s) {
    return Digest.sha256(s.getBytes(StandardCharsets.UTF_8)).hex().substring(0, 8);
  }

  private static String dnsLabel(String s) {
    String n = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("^-+|-+$", "");
    if (n.length() > 63) {
      n = n.substring(0, 54) + "-" + hash8(s);
    }
    return n.isEmpty() ? "x" : n;
  }

  private static String dnsSubdomain(String s) {
    String n = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-").replaceAll("^[-.]+|[-.]+$", "");
    return n.length() > 253 ? n.substring(0, 244) + "-" + hash8(s) : n;
  }

  private static String regoString(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static String regoArray(List<String> l) {
    return "[" + String.join(", ", l.stream().map(PolicyExport::regoString).toList()) + "]";
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
