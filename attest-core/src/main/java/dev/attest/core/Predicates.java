package dev.attest.core;

import java.util.Objects;

/**
 * Parses a predicate by its type into the typed view attest has for it, or a {@link
 * GenericPredicate} for any other type.
 *
 * <ul>
 *   <li>{@value SlsaProvenance#PREDICATE_TYPE}: {@link SlsaProvenance};
 *   <li>types starting with {@value CycloneDxSbom#PREDICATE_TYPE}: {@link CycloneDxSbom} (size
 *       limit {@link CycloneDxSbom#DEFAULT_MAX_BYTES});
 *   <li>{@value VulnerabilityScan#COSIGN_VULN_V1} (with or without {@code https://}) and {@value
 *       VulnerabilityScan#IN_TOTO_VULNS_V02}: {@link VulnerabilityScan}.
 * </ul>
 *
 * <p>A known type whose body does not fit its format is an error, never a silent fallback to
 * {@link GenericPredicate}: callers that only need the bytes can call {@link
 * GenericPredicate#of(String, byte[])} themselves.
 */
public final class Predicates {
  private Predicates() {}

  /**
   * The typed predicate for {@code predicateType}, or a {@link GenericPredicate}.
   *
   * @throws InvalidContentException if {@code json} is not a JSON object or does not fit its type
   * @throws UnsupportedContentException if it is a known type in a version or shape attest does
   *     not read (a CycloneDX 1.7 BOM, a cosign scan of an unknown scanner)
   */
  public static Predicate parse(String predicateType, byte[] json)
      throws InvalidContentException, UnsupportedContentException {
    Objects.requireNonNull(predicateType, "predicateType");
    Objects.requireNonNull(json, "json");
    if (SlsaProvenance.PREDICATE_TYPE.equals(predicateType)) {
      return SlsaProvenance.parse(json);
    }
    if (CycloneDxSbom.isCycloneDxType(predicateType)) {
      return CycloneDxSbom.parse(predicateType, json, CycloneDxSbom.DEFAULT_MAX_BYTES);
    }
    if (VulnerabilityScan.isVulnerabilityType(predicateType)) {
      return VulnerabilityScan.parse(predicateType, json);
    }
    return GenericPredicate.of(predicateType, json);
  }
}
