package dev.attest.core;

import dev.attest.core.internal.OrderedMaps;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One component of a software bill of materials, without any CycloneDX type: what policy
 * deny-lists match on.
 *
 * @param name the component name
 * @param version its version, or {@code null}
 * @param purl its package URL, or {@code null}
 * @param hashes CycloneDX hash algorithm name (for example {@code SHA-256}) to lowercase hex; ordered
 * @param licenses SPDX license ids, license names or SPDX expressions, as the BOM gives them. When
 *     building a BOM, an entry without a space is written as a license {@code id} and one with a
 *     space as an {@code expression}; an expression must then be the only entry
 * @see <a href="https://cyclonedx.org/docs/1.6/json/#components">CycloneDX 1.6 components</a>
 */
public record SbomComponent(
    String name,
    @Nullable String version,
    @Nullable String purl,
    Map<String, String> hashes,
    List<String> licenses) {

  /** Validates the components and copies the collections. */
  public SbomComponent {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("component name must not be empty");
    }
    if (version != null && version.isEmpty()) {
      version = null;
    }
    if (purl != null && purl.isEmpty()) {
      purl = null;
    }
    hashes = OrderedMaps.orderedCopy(hashes, "hashes");
    licenses = List.copyOf(licenses);
  }

  /** A component with a name, version and package URL, and no hashes or licenses. */
  public static SbomComponent of(String name, @Nullable String version, @Nullable String purl) {
    return new SbomComponent(name, version, purl, Map.of(), List.of());
  }

  /** A copy with these hashes (CycloneDX algorithm name to hex). */
  public SbomComponent withHashes(Map<String, String> newHashes) {
    return new SbomComponent(name, version, purl, newHashes, licenses);
  }

  /** A copy with these SPDX license ids or expressions. */
  public SbomComponent withLicenses(List<String> newLicenses) {
    return new SbomComponent(name, version, purl, hashes, newLicenses);
  }
}
