package dev.attest.verify.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.attest.core.BoundedReads;
import dev.attest.core.Digest;
import dev.attest.core.Json;
import dev.attest.verify.Policy;
import dev.attest.verify.Policy.AttestationRule;
import dev.attest.verify.Policy.KeylessIdentity;
import dev.attest.verify.Policy.SbomRule;
import dev.attest.core.Severity;
import dev.attest.core.TooLargeException;
import dev.attest.verify.Policy.SlsaRule;
import dev.attest.verify.LogRequirement;
import dev.attest.verify.Policy.Trust;
import dev.attest.verify.Policy.VulnerabilityRule;
import dev.attest.verify.PolicyException;
import dev.attest.verify.TrustedKey;
import dev.attest.verify.internal.sigstore.TrustedRoot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Reads policy documents (YAML or JSON) into {@link Policy} and writes the canonical JSON form
 * that {@link Policy#hash()} is computed over. Every error names the path of the offending value.
 */
public final class PolicyCodec {
  private PolicyCodec() {}

  /** Policy documents larger than this are refused. */
  public static final int MAX_DOCUMENT_BYTES = 1024 * 1024;

  private static final ObjectMapper YAML = yamlMapper();

  private static final ObjectMapper CANONICAL =
      JsonMapper.builder().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

  private static ObjectMapper yamlMapper() {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(20);
    options.setCodePointLimit(MAX_DOCUMENT_BYTES);
    options.setNestingDepthLimit(Json.MAX_DEPTH);
    YAMLFactory factory =
        YAMLFactory.builder()
            .loaderOptions(options)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(Json.MAX_DEPTH).build())
            .build();
    return YAMLMapper.builder(factory).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
  }

  /** Parses YAML or JSON. */
  public static Policy parse(byte[] document, Path baseDir) throws PolicyException {
    if (document.length > MAX_DOCUMENT_BYTES) {
      throw new PolicyException("policy: larger than " + MAX_DOCUMENT_BYTES + " bytes");
    }
    JsonNode root;
    try {
      root = isJson(document) ? Json.read(document) : YAML.readTree(document);
    } catch (IOException | RuntimeException e) {
      throw new PolicyException("policy: not valid " + (isJson(document) ? "JSON" : "YAML") + ": "
          + firstLine(e.getMessage()), e);
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw new PolicyException("policy: empty document");
    }
    try {
      return new Reader(baseDir).policy(root);
    } catch (IllegalArgumentException e) {
      throw new PolicyException("policy: " + e.getMessage(), e);
    }
  }

  private static boolean isJson(byte[] doc) {
    for (byte b : doc) {
      if (b == ' ' || b == '\t' || b == '\r' || b == '\n') {
        continue;
      }
      return b == '{';
    }
    return false;
  }

  private static String firstLine(@Nullable String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  // --- canonical form ---------------------------------------------------------------------

  /** The canonical JSON bytes: sorted keys, no whitespace, defaults written out. */
  public static byte[] canonical(Policy p) {
    return canonical(p, false);
  }

  /**
   * The bytes {@link Policy#hash()} covers: the canonical form, except that each trusted root is
   * written as the SHA-256 of its file's bytes instead of its path, so that the same policy in
   * another directory hashes the same and an edited root changes the hash.
   */
  public static byte[] hashInput(Policy p) {
    return canonical(p, true);
  }

  private static byte[] canonical(Policy p, boolean forHash) {
    Map<String, Object> m = new TreeMap<>();
    m.put("name", p.name());
    m.put("mode", p.mode().name());
    m.put("images", p.images());
    m.put("allowTagOnly", p.allowTagOnly());
    if (p.outOfScope() != Policy.OutOfScope.DENY) {
      // Written only when not the default, so policies from before the field keep their hash.
      m.put("outOfScope", p.outOfScope().name());
    }
    m.put("indexSemantics", p.indexSemantics().name());
    Map<String, Object> trust = new TreeMap<>();
    p.trust().forEach((k, v) -> trust.put(k, trust(v, forHash)));
    m.put("trust", trust);
    m.put("signature", Map.of("trust", p.signatureTrust()));
    List<Object> atts = new ArrayList<>();
    for (AttestationRule a : p.attestations()) {
      Map<String, Object> am = new TreeMap<>();
      am.put("predicateType", a.predicateType());
      am.put("trust", a.trust());
      if (a.slsa() != null) {
        SlsaRule s = a.slsa();
        Map<String, Object> sm = new TreeMap<>();
        sm.put("builderIds", s.builderIds());
        sm.put("buildTypes", s.buildTypes());
        putIfSet(sm, "sourceRepository", s.sourceRepository());
        putIfSet(sm, "sourceRef", s.sourceRef());
        sm.put("externalParameters", new TreeMap<>(s.externalParameters()));
        sm.put("strict", s.strict());
        am.put("slsa", sm);
      }
      if (a.sbom() != null) {
        am.put("sbom", Map.of("denyPurls", a.sbom().denyPurls(), "denyLicenses", a.sbom().denyLicenses()));
      }
      if (a.vulnerabilities() != null) {
        VulnerabilityRule v = a.vulnerabilities();
        Map<String, Object> vm = new TreeMap<>();
        Map<String, Object> max = new TreeMap<>();
        v.maxCounts().forEach((k, n) -> max.put(k.name(), n));
        vm.put("max", max);
        putIfSet(vm, "maxAgeHours", v.maxAgeHours());
        vm.put("scannerUris", v.scannerUris());
        am.put("vulnerabilities", vm);
      }
      atts.add(am);
    }
    m.put("attestations", atts);
    try {
      return CANONICAL.writeValueAsBytes(m);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialise a policy", e);
    }
  }

  private static Map<String, Object> trust(Trust t, boolean forHash) {
    Map<String, Object> m = new TreeMap<>();
    List<Object> keys = new ArrayList<>();
    for (TrustedKey k : t.publicKeys()) {
      // keyDetails written only when set, so that a policy without it keeps its hash.
      keys.add(k.keyDetails() == null ? Map.of("pem", k.toPem()) : Map.of("pem", k.toPem(), "keyDetails", k.keyDetails()));
    }
    m.put("publicKeys", keys);
    List<Object> ids = new ArrayList<>();
    for (KeylessIdentity id : t.keyless()) {
      Map<String, Object> im = new TreeMap<>();
      im.put("issuer", id.issuer());
      putIfSet(im, "subject", id.subject());
      putIfSet(im, "subjectRegExp", id.subjectRegExp());
      putIfSet(im, "sourceRepositoryUri", id.sourceRepositoryUri());
      putIfSet(im, "sourceRepositoryRef", id.sourceRepositoryRef());
      putIfSet(im, "buildSignerUri", id.buildSignerUri());
      putIfSet(im, "runnerEnvironment", id.runnerEnvironment());
      ids.add(im);
    }
    m.put("keyless", ids);
    if (t.trustedRoot() != null) {
      m.put("trustedRoot", forHash ? rootContentHash(t.trustedRoot()) : t.trustedRoot().toString());
    }
    // Written only when set, so that a policy without them keeps its hash.
    if (t.transparencyLog() != null) {
      m.put("transparencyLog", t.transparencyLog().spelling());
    }
    if (t.certificateTransparency() != null) {
      m.put("certificateTransparency", t.certificateTransparency().spelling());
    }
    if (t.signedTimestamps() != 0) {
      m.put("signedTimestamps", t.signedTimestamps());
    }
    return m;
  }

  /** {@code sha256:<hex>} of the root's bytes; an unreadable root hashes as its path, and verification denies. */
  private static String rootContentHash(Path root) {
    try {
      return Digest.sha256(BoundedReads.readFile(root, TrustedRoot.MAX_BYTES, "trusted root " + root)).toString();
    } catch (TooLargeException e) {
      return "too-large:" + root.toAbsolutePath();
    } catch (IOException e) {
      return "unreadable:" + root.toAbsolutePath();
    }
  }

  private static void putIfSet(Map<String, Object> m, String k, @Nullable Object v) {
    if (v != null) {
      m.put(k, v);
    }
  }

  // --- reading ----------------------------------------------------------------------------

  private static final class Reader {
    private final Path baseDir;

    Reader(Path baseDir) {
      this.baseDir = baseDir;
    }

    Policy policy(JsonNode root) throws PolicyException {
      ObjectNode o = object(root, "", "policy");
      keys(o, "", Set.of("name", "mode", "images", "trust", "signature", "attestations", "indexSemantics", "allowTagOnly",
          "outOfScope"));
      String name = string(o, "", "name", true);
      Policy.Mode mode = enumValue(o, "", "mode", Policy.Mode.class, Policy.Mode.ENFORCE);
      List<String> images = strings(o, "", "images");
      Map<String, Trust> trust = new LinkedHashMap<>();
      ObjectNode to = object(required(o, "", "trust"), "", "trust");
      if (to.isEmpty()) {
        throw new PolicyException("trust: declare at least one trust set");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = to.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        trust.put(e.getKey(), trust(e.getValue(), "trust." + e.getKey()));
      }
      ObjectNode sig = object(required(o, "", "signature"), "", "signature");
      keys(sig, "signature", Set.of("trust"));
      String sigTrust = string(sig, "signature", "trust", true);
      checkRef(trust, sigTrust, "signature.trust");
      List<AttestationRule> atts = new ArrayList<>();
      JsonNode an = o.get("attestations");
      if (an != null) {
        list(an, "attestations");
        for (int i = 0; i < an.size(); i++) {
          String path = "attestations[" + i + "]";
          AttestationRule a = attestation(an.get(i), path);
          checkRef(trust, a.trust(), path + ".trust");
          atts.add(a);
        }
      }
      Policy.IndexSemantics idx =
          enumValue(o, "", "indexSemantics", Policy.IndexSemantics.class, Policy.IndexSemantics.EITHER);
      boolean allowTagOnly = bool(o, "", "allowTagOnly", false);
      Policy.OutOfScope outOfScope =
          enumValue(o, "", "outOfScope", Policy.OutOfScope.class, Policy.OutOfScope.DENY);
      return new Policy(name, mode, images, trust, sigTrust, atts, idx, allowTagOnly, outOfScope);
    }

    private static void checkRef(Map<String, Trust> trust, String ref, String path) throws PolicyException {
      if (!trust.containsKey(ref)) {
        throw new PolicyException(path + ": unknown trust '" + ref + "'; declared: " + trust.keySet());
      }
    }

    Trust trust(JsonNode n, String path) throws PolicyException {
      ObjectNode o = object(n, path, null);
      keys(o, path, Set.of("publicKeys", "keyless", "trustedRoot", "transparencyLog", "certificateTransparency",
          "signedTimestamps"));
      List<TrustedKey> keys = new ArrayList<>();
      JsonNode kn = o.get("publicKeys");
      if (kn != null) {
        list(kn, path + ".publicKeys");
        for (int i = 0; i < kn.size(); i++) {
          keys.add(key(kn.get(i), path + ".publicKeys[" + i + "]"));
        }
      }
      List<KeylessIdentity> ids = new ArrayList<>();
      JsonNode in = o.get("keyless");
      if (in != null) {
        list(in, path + ".keyless");
        for (int i = 0; i < in.size(); i++) {
          ids.add(identity(in.get(i), path + ".keyless[" + i + "]"));
        }
      }
      String root = string(o, path, "trustedRoot", false);
      LogRequirement tlog = requirement(o, path, "transparencyLog");
      LogRequirement sct = requirement(o, path, "certificateTransparency");
      int timestamps = o.has("signedTimestamps") ? integer(o.get("signedTimestamps"), path + ".signedTimestamps") : 0;
      try {
        return new Trust(keys, ids, root == null ? null : baseDir.resolve(root).normalize(), tlog, sct, timestamps);
      } catch (IllegalArgumentException e) {
        throw new PolicyException(path + ": " + e.getMessage(), e);
      }
    }

    private static @Nullable LogRequirement requirement(ObjectNode o, String path, String field)
        throws PolicyException {
      String v = string(o, path, field, false);
      if (v == null) {
        return null;
      }
      try {
        return LogRequirement.parse(v);
      } catch (IllegalArgumentException e) {
        throw new PolicyException(path + "." + field + ": " + e.getMessage(), e);
      }
    }

    TrustedKey key(JsonNode n, String path) throws PolicyException {
      ObjectNode o = object(n, path, null);
      keys(o, path, Set.of("pem", "path", "keyDetails"));
      String pem = string(o, path, "pem", false);
      String file = string(o, path, "path", false);
      String details = string(o, path, "keyDetails", false);
      if ((pem == null) == (file == null)) {
        throw new PolicyException(path + ": set exactly one of 'pem' and 'path'");
      }
      try {
        return (pem != null ? TrustedKey.fromPem(pem) : TrustedKey.load(baseDir.resolve(file))).withKeyDetails(details);
      } catch (IllegalArgumentException | IOException e) {
        throw new PolicyException(path + ": " + e.getMessage(), e);
      }
    }

    KeylessIdentity identity(JsonNode n, String path) throws PolicyException {
      ObjectNode o = object(n, path, null);
      keys(o, path, Set.of("issuer", "subject", "subjectRegExp", "sourceRepositoryUri",
          "sourceRepositoryRef", "buildSignerUri", "runnerEnvironment"));
      try {
        return new KeylessIdentity(
            string(o, path, "issuer", true),
            string(o, path, "subject", false),
            string(o, path, "subjectRegExp", false),
            string(o, path, "sourceRepositoryUri", false),
            string(o, path, "sourceRepositoryRef", false),
            string(o, path, "buildSignerUri", false),
            string(o, path, "runnerEnvironment", false));
      } catch (IllegalArgumentException e) {
        throw new PolicyException(path + ": " + e.getMessage(), e);
      }
    }

    AttestationRule attestation(JsonNode n, String path) throws PolicyException {
      ObjectNode o = object(n, path, null);
      keys(o, path, Set.of("predicateType", "trust", "slsa", "sbom", "vulnerabilities"));
      String type = string(o, path, "predicateType", true);
      String trust = string(o, path, "trust", true);
      SlsaRule slsa = o.has("slsa") ? slsa(o.get("slsa"), path + ".slsa") : null;
      SbomRule sbom = o.has("sbom") ? sbom(o.get("sbom"), path + ".sbom") : null;
      VulnerabilityRule vuln =
          o.has("vulnerabilities") ? vulnerabilities(o.get("vulnerabilities"), path + ".vulnerabilities") : null;
      try {
        return new AttestationRule(type, trust, slsa, sbom, vuln);
      } catch (IllegalArgumentException e) {
        throw new PolicyException(path + ": " + e.getMessage(), e);
      }
    }

    SlsaRule slsa(JsonNode n, String path) throws PolicyException {
      ObjectNode o = object(n, path, null);
      keys(o, path, Set.of("builderIds", "buildTypes", "sourceRepository", "sourceRef", "externalParameters", "strict"));
      required(o, path, "builderIds");
      Map<String, String> ext = new LinkedHashMap<>();
      JsonNode en = o.get("externalParameters");
      if (en != null) {
        flatten(object(en, path + ".externalParameters", null), "", path + ".externalParameters", ext);
      }
      try {
        return new SlsaRule(
            strings(o, path, "builderIds"),
            strings(o, path, "buildTypes"),
            string(o, path, "sourceRepository", false),
            string(o, path, "sourceRef", false),
            ext,
            bool(o, path, "strict", false));
      } catch (IllegalArgumentException e) {
        throw new PolicyException(path + ": " + e.getMessage(), e);
      }
    }

    private static void flatten(ObjectNode o, String prefix, String path, Map<String, String> out)
        throws PolicyException {
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String key = prefix + e.getKey();
        String p = path + "." + e.getKey();
        if (e.getValue().isObject()) {
          flatten((ObjectNode) e.getValue(), key + ".", p, out);
        } else if (e.getValue().isTextual()) {
          if (out.put(key, e.getValue().textValue()) != null) {
            throw new PolicyException(p + ": given twice");
          }
        } else {
          throw new PolicyException(p + ": expected a string or a mapping, got " + kind(e.getValue()));
        }
      }
    }

    SbomRule sbom(JsonNode n, String path) throws PolicyException {
      ObjectNode o = object(n, path, null);
      keys(o, path, Set.of("denyPurls", "denyLicenses"));
      try {
        return new SbomRule(strings(o, path, "denyPurls"), strings(o, path, "denyLicenses"));
      } catch (IllegalArgumentException e) {
        throw new PolicyException(path + ": " + e.getMessage(), e);
      }
    }

    VulnerabilityRule vulnerabilities(JsonNode n, String path) throws PolicyException {
      ObjectNode o = object(n, path, null);
      keys(o, path, Set.of("max", "maxAgeHours", "scannerUris"));
      Map<Severity, Integer> max = new EnumMap<>(Severity.class);
      JsonNode mn = o.get("max");
      if (mn != null) {
        ObjectNode mo = object(mn, path + ".max", null);
        for (Iterator<Map.Entry<String, JsonNode>> it = mo.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          String p = path + ".max." + e.getKey();
          Severity s = null;
          for (Severity limited : VulnerabilityRule.LIMITED) {
            if (limited.name().equals(e.getKey().toUpperCase(Locale.ROOT))) {
              s = limited;
            }
          }
          if (s == null) {
            throw new PolicyException(p + ": unknown severity; expected CRITICAL, HIGH, MEDIUM or LOW");
          }
          if (max.put(s, integer(e.getValue(), p)) != null) {
            throw new PolicyException(p + ": severity given twice");
          }
        }
      }
      Integer age = o.has("maxAgeHours") ? integer(o.get("maxAgeHours"), path + ".maxAgeHours") : null;
      try {
        return new VulnerabilityRule(max, age, strings(o, path, "scannerUris"));
      } catch (IllegalArgumentException e) {
        throw new PolicyException(path + ": " + e.getMessage(), e);
      }
    }

    // --- typed access with paths ---

    private static String at(String path, String key) {
      return path.isEmpty() ? key : path + "." + key;
    }

    private static ObjectNode object(JsonNode n, String path, @Nullable String what) throws PolicyException {
      if (!n.isObject()) {
        String where = path.isEmpty() ? (what == null ? "policy" : what) : path;
        throw new PolicyException(where + ": expected a mapping, got " + kind(n));
      }
      return (ObjectNode) n;
    }

    private static void list(JsonNode n, String path) throws PolicyException {
      if (!n.isArray()) {
        throw new PolicyException(path + ": expected a list, got " + kind(n));
      }
      if (n.size() > 1000) {
        throw new PolicyException(path + ": more than 1000 entries");
      }
    }

    private static JsonNode required(ObjectNode o, String path, String key) throws PolicyException {
      JsonNode n = o.get(key);
      if (n == null || n.isNull()) {
        throw new PolicyException(at(path, key) + ": required");
      }
      return n;
    }

    private static void keys(ObjectNode o, String path, Set<String> allowed) throws PolicyException {
      for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!allowed.contains(k)) {
          throw new PolicyException(at(path, k) + ": unknown key; expected one of " + new java.util.TreeSet<>(allowed));
        }
      }
    }

    private static @Nullable String string(ObjectNode o, String path, String key, boolean required)
        throws PolicyException {
      JsonNode n = required ? required(o, path, key) : o.get(key);
      if (n == null) {
        return null;
      }
      if (!n.isTextual()) {
        throw new PolicyException(at(path, key) + ": expected a string, got " + kind(n));
      }
      return n.textValue();
    }

    private static List<String> strings(ObjectNode o, String path, String key) throws PolicyException {
      JsonNode n = o.get(key);
      if (n == null) {
        return List.of();
      }
      String p = at(path, key);
      list(n, p);
      List<String> out = new ArrayList<>();
      for (int i = 0; i < n.size(); i++) {
        if (!n.get(i).isTextual()) {
          throw new PolicyException(p + "[" + i + "]: expected a string, got " + kind(n.get(i)));
        }
        out.add(n.get(i).textValue());
      }
      return out;
    }

    private static boolean bool(ObjectNode o, String path, String key, boolean dflt) throws PolicyException {
      JsonNode n = o.get(key);
      if (n == null) {
        return dflt;
      }
      if (!n.isBoolean()) {
        throw new PolicyException(at(path, key) + ": expected true or false, got " + kind(n));
      }
      return n.booleanValue();
    }

    private static int integer(JsonNode n, String path) throws PolicyException {
      if (!n.isIntegralNumber() || !n.canConvertToInt()) {
        throw new PolicyException(path + ": expected an integer, got " + kind(n));
      }
      return n.intValue();
    }

    private static <E extends Enum<E>> E enumValue(ObjectNode o, String path, String key, Class<E> type, E dflt)
        throws PolicyException {
      String s = string(o, path, key, false);
      if (s == null) {
        return dflt;
      }
      for (E e : type.getEnumConstants()) {
        if (e.name().equalsIgnoreCase(s.replace('-', '_'))) {
          return e;
        }
      }
      List<String> names = new ArrayList<>();
      for (E e : type.getEnumConstants()) {
        names.add(e.name().toLowerCase(Locale.ROOT));
      }
      throw new PolicyException(at(path, key) + ": '" + s + "' is not one of " + names);
    }

    private static String kind(JsonNode n) {
      if (n.isObject()) {
        return "a mapping";
      }
      if (n.isArray()) {
        return "a list";
      }
      if (n.isTextual()) {
        return "a string";
      }
      if (n.isBoolean()) {
        return "a boolean";
      }
      if (n.isNumber()) {
        return "a number";
      }
      if (n.isNull()) {
        return "null";
      }
      return n.getNodeType().name().toLowerCase(Locale.ROOT);
    }
  }
}
