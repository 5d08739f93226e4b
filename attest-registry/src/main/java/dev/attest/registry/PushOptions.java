package dev.attest.registry;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How to push a manifest.
 *
 * @param tag also point this tag at the manifest, or null
 * @param updateFallbackIndex update the subject's tag-schema index when the registry has no
 *     referrers API; promotion turns this off to update all fallback indexes last
 */
public record PushOptions(@Nullable String tag, boolean updateFallbackIndex) {
  /** No tag; the fallback index is written where the registry lacks the referrers API. */
  public static final PushOptions DEFAULT = new PushOptions(null, true);

  /** Validates the tag, if any. */
  public PushOptions {
    if (tag != null) {
      Objects.requireNonNull(tag);
      if (!tag.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")) {
        throw new IllegalArgumentException("invalid tag '" + tag + "': must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
      }
    }
  }

  /** Push by digest and also under {@code tag}. */
  public static PushOptions tagged(String tag) {
    return new PushOptions(tag, true);
  }

  /** A copy that also tags the manifest; null for no tag. */
  public PushOptions withTag(@Nullable String tag) {
    return new PushOptions(tag, updateFallbackIndex);
  }

  /** A copy that never writes the {@code sha256-<hex>} fallback index for a referrer. */
  public PushOptions withoutFallbackIndex() {
    return new PushOptions(tag, false);
  }
}
