package dev.attest.core;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The platform of an index entry.
 *
 * @see <a href="https://github.com/opencontainers/image-spec/blob/v1.1.1/image-index.md">OCI
 *     image index: platform</a>
 */
public record Platform(
    String architecture,
    String os,
    @Nullable String osVersion,
    List<String> osFeatures,
    @Nullable String variant,
    List<String> features) {

  /** Validates the components; os and architecture are required. */
  public Platform {
    requireText(architecture, "architecture");
    requireText(os, "os");
    osFeatures = List.copyOf(osFeatures);
    features = List.copyOf(features);
  }

  /** A platform with only an OS and architecture, such as {@code linux/amd64}. */
  public static Platform of(String os, String architecture) {
    return new Platform(architecture, os, null, List.of(), null, List.of());
  }

  /** Parses {@code os/arch[/variant]}, as written by docker and crane. */
  public static Platform parse(String text) {
    String[] p = text.split("/", -1);
    if (p.length < 2 || p.length > 3) {
      throw new IllegalArgumentException("platform must be os/arch[/variant]: '" + text + "'");
    }
    if (p.length == 3 && p[2].isEmpty()) {
      throw new IllegalArgumentException("platform variant after the second '/' is empty: '" + text + "'");
    }
    return new Platform(p[1], p[0], null, List.of(), p.length == 3 ? p[2] : null, List.of());
  }

  /** A copy with {@code variant}, for example {@code v8} on arm64. */
  public Platform withVariant(@Nullable String variant) {
    return new Platform(architecture, os, osVersion, osFeatures, variant, features);
  }

  private static void requireText(String s, String what) {
    Objects.requireNonNull(s, what);
    if (s.isEmpty()) {
      throw new IllegalArgumentException("platform " + what + " must not be empty");
    }
  }

  /** {@code os/arch[/variant]}. */
  @Override
  public String toString() {
    return os + "/" + architecture + (variant == null ? "" : "/" + variant);
  }
}
