package dev.attest.verify.internal;

import dev.attest.core.Digest;
import java.util.Optional;

/** Just enough of image reference syntax for admission: the digest part and the name part. */
public final class ImageRefs {
  private ImageRefs() {}

  /**
   * The digest of a pinned reference ({@code name[:tag]@<alg>:<hex>}).
   *
   * @throws IllegalArgumentException if the part after '@' is not a valid digest
   */
  public static Optional<Digest> digest(String ref) {
    int at = ref.lastIndexOf('@');
    if (at < 0) {
      return Optional.empty();
    }
    return Optional.of(Digest.parse(ref.substring(at + 1)));
  }

  /** The reference without its tag and digest: {@code host:5000/app:1@sha256:..} gives {@code host:5000/app}. */
  public static String name(String ref) {
    int at = ref.indexOf('@');
    String s = at < 0 ? ref : ref.substring(0, at);
    int slash = s.lastIndexOf('/');
    int colon = s.lastIndexOf(':');
    return colon > slash ? s.substring(0, colon) : s;
  }

  /** {@code name@digest}. */
  public static String pin(String ref, Digest digest) {
    return name(ref) + "@" + digest;
  }
}
