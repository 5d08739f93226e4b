package dev.attest.core;

import dev.attest.core.internal.JsonValues;
import dev.attest.core.internal.OrderedMaps;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An in-toto ResourceDescriptor, as used by SLSA provenance for resolved dependencies, builder
 * dependencies and byproducts. Empty strings and maps mean "unset", as the spec says.
 *
 * @param uri where the resource is identified, for example {@code git+https://github.com/o/r@refs/heads/main}
 * @param digest algorithm to hex value, for example {@code gitCommit} or {@code sha256}; ordered
 * @param name a machine-readable name, or {@code null}
 * @param downloadLocation where the resource can be downloaded, or {@code null}
 * @param mediaType the media type of the resource, or {@code null}
 * @param annotations arbitrary JSON values as plain Java values (see {@link GenericPredicate#values()})
 * @see <a href="https://github.com/in-toto/attestation/blob/main/spec/v1/resource_descriptor.md">in-toto
 *     ResourceDescriptor</a>
 */
public record ResourceDescriptor(
    @Nullable String uri,
    Map<String, String> digest,
    @Nullable String name,
    @Nullable String downloadLocation,
    @Nullable String mediaType,
    Map<String, @Nullable Object> annotations) {

  /** Validates the components and copies the maps; see the class description. */
  public ResourceDescriptor {
    uri = blankToNull(uri);
    name = blankToNull(name);
    downloadLocation = blankToNull(downloadLocation);
    mediaType = blankToNull(mediaType);
    digest = OrderedMaps.orderedCopy(digest, "digest");
    digest.forEach(
        (k, v) -> {
          if (k.isEmpty() || v.isEmpty()) {
            throw new IllegalArgumentException("resource digest entries must be non-empty, got '" + k + "': '" + v + "'");
          }
        });
    annotations = JsonValues.copyMap(Objects.requireNonNull(annotations, "annotations"), "annotations");
  }

  /** A resource named by {@code uri} with one digest entry. */
  public static ResourceDescriptor of(String uri, String algorithm, String value) {
    return new ResourceDescriptor(uri, Map.of(algorithm, value), null, null, null, Map.of());
  }

  /** A resource with only a URI. */
  public static ResourceDescriptor ofUri(String uri) {
    return new ResourceDescriptor(uri, Map.of(), null, null, null, Map.of());
  }

  /** A copy with this name, or none when null. */
  public ResourceDescriptor withName(@Nullable String newName) {
    return new ResourceDescriptor(uri, digest, newName, downloadLocation, mediaType, annotations);
  }

  /** A copy with these digests (algorithm to hex). */
  public ResourceDescriptor withDigest(Map<String, String> newDigest) {
    return new ResourceDescriptor(uri, newDigest, name, downloadLocation, mediaType, annotations);
  }

  /** A copy with these annotations. */
  public ResourceDescriptor withAnnotations(Map<String, ?> newAnnotations) {
    return new ResourceDescriptor(
        uri, digest, name, downloadLocation, mediaType, JsonValues.copyMap(newAnnotations, "annotations"));
  }

  private static @Nullable String blankToNull(@Nullable String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
