package dev.attest.core;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attest.core.internal.CycloneDxSchemas;
import dev.attest.core.internal.JsonValues;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.cyclonedx.Version;
import org.cyclonedx.exception.GeneratorException;
import org.cyclonedx.generators.BomGeneratorFactory;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.model.Hash;
import org.cyclonedx.model.License;
import org.cyclonedx.model.LicenseChoice;
import org.cyclonedx.model.license.Expression;
import org.jspecify.annotations.Nullable;

/**
 * A CycloneDX SBOM predicate: the BOM JSON document as-is, validated against the JSON schema of
 * its own declared {@code specVersion} before it can be attested.
 *
 * <p>Validation goes through cyclonedx-core-java, which bundles the JSON schemas of CycloneDX
 * 1.2 to 1.6 (JSON BOMs start at 1.2). Any other {@code specVersion}, including 1.7, is refused
 * with {@link UnsupportedContentException} rather than being checked against a schema it was not
 * written for. BOMs over {@link #DEFAULT_MAX_BYTES} (or the given limit) are refused.
 *
 * @see <a href="https://github.com/in-toto/attestation/blob/main/spec/predicates/cyclonedx.md">in-toto
 *     CycloneDX predicate</a>
 * @see <a href="https://cyclonedx.org/docs/1.6/json/">CycloneDX 1.6 JSON reference</a>
 */
public final class CycloneDxSbom implements Predicate {

  /** {@value}; types that start with it (such as {@code .../bom/v1.4}) are read as CycloneDX. */
  public static final String PREDICATE_TYPE = "https://cyclonedx.org/bom";

  /** 64 MiB. */
  public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;

  /** How many schema errors an exception message lists before summarising the rest. */
  private static final int MAX_LISTED_ERRORS = 20;

  private static final Map<String, Version> JSON_VERSIONS =
      Map.of(
          "1.2", Version.VERSION_12,
          "1.3", Version.VERSION_13,
          "1.4", Version.VERSION_14,
          "1.5", Version.VERSION_15,
          "1.6", Version.VERSION_16);

  private final String predicateType;
  private final byte[] json;
  private final String specVersion;
  private final List<SbomComponent> components;

  private CycloneDxSbom(String predicateType, byte[] json, String specVersion, List<SbomComponent> components) {
    this.predicateType = predicateType;
    this.json = json;
    this.specVersion = specVersion;
    this.components = components;
  }

  /** Whether {@code predicateType} names a CycloneDX BOM (prefix {@value #PREDICATE_TYPE}). */
  public static boolean isCycloneDxType(@Nullable String predicateType) {
    return predicateType != null && predicateType.startsWith(PREDICATE_TYPE);
  }

  /**
   * Takes an existing CycloneDX JSON BOM, byte for byte, after validating it.
   *
   * @throws InvalidContentException if it is over {@link #DEFAULT_MAX_BYTES}, not strict JSON,
   *     not a CycloneDX BOM, or breaks the schema of its {@code specVersion} (the message lists
   *     the schema errors)
   * @throws UnsupportedContentException if its {@code specVersion} is not 1.2 to 1.6
   */
  public static CycloneDxSbom parse(byte[] bomJson) throws InvalidContentException, UnsupportedContentException {
    return parse(bomJson, DEFAULT_MAX_BYTES);
  }

  /** As {@link #parse(byte[])}, with a size limit of {@code maxBytes}. */
  public static CycloneDxSbom parse(byte[] bomJson, long maxBytes)
      throws InvalidContentException, UnsupportedContentException {
    return parse(PREDICATE_TYPE, bomJson, maxBytes);
  }

  /** Reads a BOM of at most {@code maxBytes} from {@code in} (not closed) and parses it. */
  public static CycloneDxSbom read(InputStream in, long maxBytes)
      throws IOException, InvalidContentException, UnsupportedContentException {
    checkLimit(maxBytes);
    return parse(BoundedReads.readAll(in, Math.min(BoundedReads.MAX_ARRAY, maxBytes), "CycloneDX BOM"), maxBytes);
  }

  static CycloneDxSbom parse(String predicateType, byte[] bomJson, long maxBytes)
      throws InvalidContentException, UnsupportedContentException {
    Objects.requireNonNull(bomJson, "bomJson");
    checkLimit(maxBytes);
    if (bomJson.length > maxBytes) {
      throw new TooLargeException("CycloneDX BOM", bomJson.length, maxBytes);
    }
    byte[] copy = bomJson.clone();
    JsonNode root = JsonValues.readObject(copy, "CycloneDX BOM");
    String format = JsonValues.optText(root, "bomFormat", "CycloneDX BOM");
    if (!"CycloneDX".equals(format)) {
      throw new InvalidContentException(
          "not a CycloneDX JSON BOM: bomFormat is " + (format == null ? "missing" : "'" + format + "'") + ", expected 'CycloneDX'");
    }
    String specVersion = JsonValues.reqText(root, "specVersion", "CycloneDX BOM");
    Version version = JSON_VERSIONS.get(specVersion);
    if (version == null) {
      throw new UnsupportedContentException(
          "CycloneDX specVersion '" + specVersion + "' is not supported: attest validates CycloneDX JSON "
              + "1.2 to 1.6 against their own schemas and will not check a " + specVersion
              + " BOM against another version's schema");
    }
    List<String> errors;
    try {
      errors = CycloneDxSchemas.errors(copy, root, version);
    } catch (IOException e) {
      throw new InvalidContentException("CycloneDX " + specVersion + " BOM could not be validated: " + e.getMessage(), e);
    }
    if (!errors.isEmpty()) {
      StringBuilder sb =
          new StringBuilder("CycloneDX BOM is invalid against the CycloneDX ")
              .append(specVersion)
              .append(" JSON schema (")
              .append(errors.size())
              .append(errors.size() == 1 ? " error):" : " errors):");
      for (int i = 0; i < Math.min(errors.size(), MAX_LISTED_ERRORS); i++) {
        sb.append("\n  - ").append(errors.get(i));
      }
      if (errors.size() > MAX_LISTED_ERRORS) {
        sb.append("\n  ... and ").append(errors.size() - MAX_LISTED_ERRORS).append(" more");
      }
      throw new InvalidContentException(sb.toString());
    }
    List<SbomComponent> components = new ArrayList<>();
    try {
      collect(JsonValues.optArray(root, "components", "bom"), "bom.components", components);
    } catch (IllegalArgumentException e) {
      throw new InvalidContentException("CycloneDX BOM: " + e.getMessage(), e);
    }
    return new CycloneDxSbom(predicateType, copy, specVersion, List.copyOf(components));
  }

  /**
   * Builds a CycloneDX 1.6 JSON BOM listing {@code components} (each of type {@code library}),
   * and validates it like {@link #parse(byte[])}.
   *
   * @throws InvalidContentException if the generated BOM breaks the 1.6 schema, for example with
   *     a license id that is not an SPDX id or a malformed hash
   * @throws IllegalArgumentException if a component has an expression among other licenses
   */
  public static CycloneDxSbom fromComponents(List<SbomComponent> components) throws InvalidContentException {
    Bom bom = new Bom();
    for (SbomComponent c : components) {
      Component cc = new Component();
      cc.setType(Component.Type.LIBRARY);
      cc.setName(c.name());
      cc.setVersion(c.version());
      cc.setPurl(c.purl());
      if (!c.hashes().isEmpty()) {
        List<Hash> hashes = new ArrayList<>();
        c.hashes().forEach((alg, value) -> hashes.add(new Hash(alg, value)));
        cc.setHashes(hashes);
      }
      if (!c.licenses().isEmpty()) {
        LicenseChoice choice = new LicenseChoice();
        for (String l : c.licenses()) {
          if (l.contains(" ")) {
            if (c.licenses().size() != 1) {
              throw new IllegalArgumentException(
                  "component " + c.name() + ": the SPDX expression '" + l + "' must be its only license");
            }
            choice.setExpression(new Expression(l));
          } else {
            License lic = new License();
            lic.setId(l);
            choice.addLicense(lic);
          }
        }
        cc.setLicenses(choice);
      }
      bom.addComponent(cc);
    }
    byte[] bytes;
    try {
      bytes = BomGeneratorFactory.createJson(Version.VERSION_16, bom).toJsonString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    } catch (GeneratorException e) {
      throw new InvalidContentException("cannot generate a CycloneDX 1.6 BOM: " + e.getMessage(), e);
    }
    try {
      return parse(bytes, Long.MAX_VALUE);
    } catch (UnsupportedContentException e) {
      throw new IllegalStateException("generated a BOM of an unsupported version", e);
    }
  }

  private static void collect(JsonNode array, String where, List<SbomComponent> out) throws InvalidContentException {
    int i = 0;
    for (JsonNode c : array) {
      String at = where + "[" + i++ + "]";
      if (!c.isObject()) {
        throw new InvalidContentException(at + " must be a JSON object");
      }
      Map<String, String> hashes = new LinkedHashMap<>();
      for (JsonNode h : JsonValues.optArray(c, "hashes", at)) {
        String alg = h.isObject() ? JsonValues.optText(h, "alg", at + ".hashes") : null;
        String content = h.isObject() ? JsonValues.optText(h, "content", at + ".hashes") : null;
        if (alg != null && content != null) {
          hashes.put(alg, content);
        }
      }
      List<String> licenses = new ArrayList<>();
      for (JsonNode l : JsonValues.optArray(c, "licenses", at)) {
        if (!l.isObject()) {
          continue;
        }
        String expression = JsonValues.optText(l, "expression", at + ".licenses");
        if (expression != null) {
          licenses.add(expression);
        }
        JsonNode lic = JsonValues.optObject(l, "license", at + ".licenses");
        if (lic != null) {
          String id = JsonValues.optText(lic, "id", at + ".licenses.license");
          String name = JsonValues.optText(lic, "name", at + ".licenses.license");
          if (id != null) {
            licenses.add(id);
          } else if (name != null) {
            licenses.add(name);
          }
        }
      }
      out.add(
          new SbomComponent(
              JsonValues.reqText(c, "name", at),
              JsonValues.optText(c, "version", at),
              JsonValues.optText(c, "purl", at),
              hashes,
              licenses));
      collect(JsonValues.optArray(c, "components", at), at + ".components", out);
    }
  }

  private static void checkLimit(long maxBytes) {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
    }
  }

  @Override
  public String predicateType() {
    return predicateType;
  }

  @Override
  public byte[] json() {
    return json.clone();
  }

  /** The declared {@code specVersion}, for example {@code 1.6}; the schema it was validated against. */
  public String specVersion() {
    return specVersion;
  }

  /** Every component, nested ones included (depth first, in document order). */
  public List<SbomComponent> components() {
    return components;
  }

  /** Equal when the JSON bytes (and predicate type) are identical, not merely equivalent. */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof CycloneDxSbom s && s.predicateType.equals(predicateType) && Arrays.equals(s.json, json);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(json);
  }

  @Override
  public String toString() {
    return "CycloneDxSbom[specVersion=" + specVersion + ", " + components.size() + " components]";
  }
}
