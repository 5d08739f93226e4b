package dev.attest.registry.internal;

import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;

/** Reads RFC 8288 {@code Link} headers for pagination. */
public final class Links {
  private Links() {}

  /**
   * The {@code rel="next"} target of {@code header}, resolved against {@code base}; null if there
   * is none. A target on another scheme, host or port is refused, so that credentials and
   * requests never leave the registry.
   *
   * @throws IllegalStateException if the link points elsewhere or is malformed
   */
  public static @Nullable HttpUrl next(@Nullable String header, HttpUrl base) {
    if (header == null) {
      return null;
    }
    for (String part : header.split(",(?=\\s*<)")) {
      String p = part.trim();
      int lt = p.indexOf('<');
      int gt = p.indexOf('>');
      if (lt != 0 || gt < 0) {
        continue;
      }
      String params = p.substring(gt + 1);
      if (!params.matches("(?i).*;\\s*rel\\s*=\\s*\"?([^\";]*\\s)?next(\\s[^\";]*)?\"?\\s*(;.*)?")) {
        continue;
      }
      HttpUrl url = base.resolve(p.substring(1, gt).trim());
      if (url == null) {
        throw new IllegalStateException("malformed Link target: " + p);
      }
      if (!url.scheme().equals(base.scheme()) || !url.host().equals(base.host()) || url.port() != base.port()) {
        throw new IllegalStateException("Link points to another origin: " + url);
      }
      return url;
    }
    return null;
  }
}
