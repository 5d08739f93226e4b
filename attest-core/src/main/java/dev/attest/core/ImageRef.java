package dev.attest.core;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A fully qualified image reference: {@code registry/repository[:tag][@digest]}.
 *
 * <p>{@link #parse} accepts the grammar of distribution/reference and normalises like Docker:
 * a first path element is a registry only if it contains {@code .} or {@code :}, is {@code
 * localhost}, or has uppercase letters; otherwise the registry is {@code docker.io}. {@code
 * index.docker.io} becomes {@code docker.io}, a single-element Docker Hub repository gets {@code
 * library/}, and a reference with neither tag nor digest gets the tag {@code latest}. The
 * constructor applies the same normalisation, so one image has one {@code ImageRef}.
 *
 * <p>Digests are parsed with the strict {@link Digest#parse}: only {@code sha256} and {@code
 * sha512} in lowercase hex, although the reference grammar allows more.
 *
 * <p>Every reference has a tag, a digest, or both; {@link #tag()} and {@link #digest()} are
 * {@code null} when absent. With both, the digest is what is fetched ({@link #reference()}).
 *
 * @param registry the registry host and optional port, such as {@code docker.io}, {@code
 *     ghcr.io}, {@code localhost:5000} or {@code [::1]:5000}
 * @param repository the repository path, such as {@code library/alpine}
 * @param tag the tag, or {@code null}
 * @param digest the digest, or {@code null}
 * @see <a href="https://github.com/distribution/reference/blob/main/regexp.go">distribution/reference
 *     grammar</a>
 * @see <a href="https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#pulling-manifests">OCI
 *     distribution spec: names and references</a>
 */
public record ImageRef(
    String registry, String repository, @Nullable String tag, @Nullable Digest digest) {

  /** Docker Hub, as written in canonical references. */
  public static final String DOCKER_HUB = "docker.io";

  /** The legacy name of Docker Hub, normalised to {@link #DOCKER_HUB}. */
  public static final String LEGACY_DOCKER_HUB = "index.docker.io";

  /** The tag a reference without tag or digest gets. */
  public static final String DEFAULT_TAG = "latest";

  /** The longest name ({@code registry/repository}) the grammar allows. */
  public static final int MAX_NAME_LENGTH = 255;

  /** The longest tag the grammar allows. */
  public static final int MAX_TAG_LENGTH = 128;

  /** Validates every part and applies Docker Hub normalisation. */
  public ImageRef {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(repository, "repository");
    if (registry.equals(LEGACY_DOCKER_HUB)) {
      registry = DOCKER_HUB;
    }
    checkRegistry(registry);
    checkRepository(repository);
    if (registry.equals(DOCKER_HUB) && repository.indexOf('/') < 0) {
      repository = "library/" + repository;
    }
    int nameLength = registry.length() + 1 + repository.length();
    if (nameLength > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException(
          "name longer than " + MAX_NAME_LENGTH + " characters: " + nameLength + " in '"
              + shorten(registry + "/" + repository) + "'");
    }
    if (tag != null) {
      checkTag(tag);
    }
    if (tag == null && digest == null) {
      throw new IllegalArgumentException(
          "an image reference needs a tag or a digest: " + registry + "/" + repository);
    }
  }

  /**
   * Parses {@code name[:tag][@digest]} and normalises it (see the class description).
   *
   * @throws IllegalArgumentException naming the rule that {@code text} breaks
   */
  public static ImageRef parse(String text) {
    Objects.requireNonNull(text, "reference");
    try {
      return doParse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid image reference '" + shorten(text) + "': " + e.getMessage(), e);
    }
  }

  /** A reference to {@code repository} on {@code registry} at {@code digest}. */
  public static ImageRef of(String registry, String repository, Digest digest) {
    return new ImageRef(registry, repository, null, Objects.requireNonNull(digest, "digest"));
  }

  /** A reference to {@code repository} on {@code registry} with {@code tag}. */
  public static ImageRef of(String registry, String repository, String tag) {
    return new ImageRef(registry, repository, Objects.requireNonNull(tag, "tag"), null);
  }

  private static ImageRef doParse(String text) {
    if (text.isEmpty()) {
      throw new IllegalArgumentException("reference is empty");
    }
    if (isIdentifier(text)) {
      throw new IllegalArgumentException(
          "a bare 64-character hex string is an image ID, not a repository name; write "
              + "name@sha256:<hex> for a digest");
    }
    String rest = text;
    Digest digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      String digestText = rest.substring(at + 1);
      try {
        digest = Digest.parse(digestText);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            e.getMessage() + " (references accept only sha256 or sha512 digests in lowercase hex)", e);
      }
      rest = rest.substring(0, at);
    }
    String tag = null;
    int colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
      if (tag.isEmpty()) {
        throw new IllegalArgumentException("tag after ':' is empty");
      }
    }
    if (rest.isEmpty()) {
      throw new IllegalArgumentException("repository name is empty");
    }
    if (rest.contains("://")) {
      throw new IllegalArgumentException("a reference has no URL scheme; write host/repository");
    }
    String registry;
    String repository;
    int slash = rest.indexOf('/');
    String first = slash < 0 ? "" : rest.substring(0, slash);
    if (slash >= 0
        && (first.equals("localhost")
            || first.indexOf('.') >= 0
            || first.indexOf(':') >= 0
            || hasUppercase(first))) {
      registry = first;
      repository = rest.substring(slash + 1);
    } else {
      registry = DOCKER_HUB;
      repository = rest;
    }
    if (repository.isEmpty()) {
      throw new IllegalArgumentException("repository name after '" + registry + "/' is empty");
    }
    if (tag == null && digest == null) {
      tag = DEFAULT_TAG;
    }
    return new ImageRef(registry, repository, tag, digest);
  }

  /** {@code registry/repository}, without tag or digest. */
  public String name() {
    return registry + "/" + repository;
  }

  /**
   * What goes in {@code /v2/<name>/manifests/<reference>}: the digest if there is one, else the
   * tag.
   */
  public String reference() {
    return digest != null ? digest.toString() : Objects.requireNonNull(tag);
  }

  /** A copy pinned to {@code digest}, keeping the tag. */
  public ImageRef withDigest(Digest digest) {
    return new ImageRef(registry, repository, tag, Objects.requireNonNull(digest, "digest"));
  }

  /** A copy with {@code tag}, keeping the digest. */
  public ImageRef withTag(String tag) {
    return new ImageRef(registry, repository, Objects.requireNonNull(tag, "tag"), digest);
  }

  /**
   * A copy without the tag: a pure digest reference.
   *
   * @throws IllegalStateException if this reference has no digest
   */
  public ImageRef withoutTag() {
    if (digest == null) {
      throw new IllegalStateException(
          "cannot drop the tag of " + this + ": a reference needs a tag or a digest");
    }
    return new ImageRef(registry, repository, null, digest);
  }

  /** A copy on another registry, keeping repository, tag and digest. */
  public ImageRef withRegistry(String registry) {
    return new ImageRef(registry, repository, tag, digest);
  }

  /** A copy in another repository of the same registry, keeping tag and digest. */
  public ImageRef withRepository(String repository) {
    return new ImageRef(registry, repository, tag, digest);
  }

  /**
   * Whether the registry host is {@code localhost}, an address in {@code 127.0.0.0/8} or the IPv6
   * loopback {@code [::1]}: the only registries plain HTTP is acceptable for. No name is
   * resolved.
   */
  public boolean isLocalhost() {
    String host = host(registry);
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    if (host.startsWith("[")) {
      return isIpv6Loopback(host.substring(1, host.length() - 1));
    }
    String[] octets = host.split("\\.", -1);
    if (octets.length != 4) {
      return false;
    }
    for (String o : octets) {
      if (o.isEmpty() || o.length() > 3 || !o.chars().allMatch(c -> c >= '0' && c <= '9')
          || Integer.parseInt(o) > 255) {
        return false;
      }
    }
    return octets[0].equals("127");
  }

  /** The canonical form, {@code registry/repository[:tag][@digest]}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(name());
    if (tag != null) {
      sb.append(':').append(tag);
    }
    if (digest != null) {
      sb.append('@').append(digest);
    }
    return sb.toString();
  }

  // --- grammar ---------------------------------------------------------------------------------

  private static String host(String registry) {
    if (registry.startsWith("[")) {
      return registry.substring(0, registry.indexOf(']') + 1);
    }
    int colon = registry.indexOf(':');
    return colon < 0 ? registry : registry.substring(0, colon);
  }

  /** Whether {@code address} (hex digits and colons) is {@code ::1} in any spelling. */
  private static boolean isIpv6Loopback(String address) {
    // Parsed by hand: InetAddress may fall back to a DNS lookup for text that is no literal.
    int gap = address.indexOf("::");
    if (gap >= 0 && address.indexOf("::", gap + 1) >= 0) {
      return false;
    }
    String head = gap < 0 ? address : address.substring(0, gap);
    String tail = gap < 0 ? "" : address.substring(gap + 2);
    String[] h = head.isEmpty() ? new String[0] : head.split(":", -1);
    String[] t = tail.isEmpty() ? new String[0] : tail.split(":", -1);
    int groups = h.length + t.length;
    if (gap < 0 ? groups != 8 : groups > 7) {
      return false;
    }
    int[] value = new int[8];
    for (int i = 0; i < h.length; i++) {
      if (h[i].isEmpty() || h[i].length() > 4) {
        return false;
      }
      value[i] = Integer.parseInt(h[i], 16);
    }
    for (int i = 0; i < t.length; i++) {
      if (t[i].isEmpty() || t[i].length() > 4) {
        return false;
      }
      value[8 - t.length + i] = Integer.parseInt(t[i], 16);
    }
    for (int i = 0; i < 7; i++) {
      if (value[i] != 0) {
        return false;
      }
    }
    return value[7] == 1;
  }

  /** {@code host [":" port]}, host a DNS-like name, dotted IPv4 or a bracketed IPv6 address. */
  private static void checkRegistry(String registry) {
    if (registry.isEmpty()) {
      throw new IllegalArgumentException("registry is empty");
    }
    String host;
    String port = null;
    if (registry.startsWith("[")) {
      int close = registry.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("registry '" + registry + "' opens '[' without closing ']'");
      }
      host = registry.substring(0, close + 1);
      String after = registry.substring(close + 1);
      if (!after.isEmpty()) {
        if (after.charAt(0) != ':') {
          throw new IllegalArgumentException(
              "registry '" + registry + "' has '" + after + "' after the IPv6 address; expected ':port'");
        }
        port = after.substring(1);
      }
      String address = host.substring(1, host.length() - 1);
      if (address.isEmpty()) {
        throw new IllegalArgumentException("registry IPv6 address '" + host + "' is empty");
      }
      for (int i = 0; i < address.length(); i++) {
        char c = address.charAt(i);
        if (!(isHex(c) || c == ':')) {
          throw new IllegalArgumentException(
              "registry IPv6 address '" + host + "' may contain only hex digits and ':', not '"
                  + printable(c) + "' (zone IDs and embedded IPv4 are not supported)");
        }
      }
    } else {
      int colon = registry.indexOf(':');
      host = colon < 0 ? registry : registry.substring(0, colon);
      if (colon >= 0) {
        port = registry.substring(colon + 1);
        if (port.indexOf(':') >= 0) {
          throw new IllegalArgumentException(
              "registry '" + registry + "' has more than one ':'; write IPv6 addresses in brackets, as [::1]:5000");
        }
      }
      checkHostName(host, registry);
    }
    if (port != null) {
      if (port.isEmpty()) {
        throw new IllegalArgumentException("registry '" + registry + "' has an empty port after ':'");
      }
      if (!port.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new IllegalArgumentException(
            "registry port '" + port + "' of '" + registry + "' must be decimal digits");
      }
      if (port.length() > 5 || Integer.parseInt(port) > 65535) {
        throw new IllegalArgumentException(
            "registry port '" + port + "' of '" + registry + "' is over 65535");
      }
    }
  }

  /** Dot-separated labels of letters, digits and inner '-'. */
  private static void checkHostName(String host, String registry) {
    if (host.isEmpty()) {
      throw new IllegalArgumentException("registry '" + registry + "' has an empty host name");
    }
    for (String label : host.split("\\.", -1)) {
      if (label.isEmpty()) {
        throw new IllegalArgumentException("registry host '" + host + "' has an empty label");
      }
      for (int i = 0; i < label.length(); i++) {
        char c = label.charAt(i);
        if (!(isAsciiLetterOrDigit(c) || c == '-')) {
          throw new IllegalArgumentException(
              "registry host '" + host + "' has invalid character '" + printable(c)
                  + "'; host names are letters, digits, '-' and '.'");
        }
      }
      if (label.charAt(0) == '-' || label.charAt(label.length() - 1) == '-') {
        throw new IllegalArgumentException(
            "registry host label '" + label + "' must start and end with a letter or digit");
      }
    }
  }

  /** Path components separated by '/'; see {@link #checkComponent}. */
  private static void checkRepository(String repository) {
    if (repository.isEmpty()) {
      throw new IllegalArgumentException("repository is empty");
    }
    if (hasUppercase(repository)) {
      throw new IllegalArgumentException("repository must be lowercase: '" + shorten(repository) + "'");
    }
    for (String component : repository.split("/", -1)) {
      if (component.isEmpty()) {
        throw new IllegalArgumentException(
            "repository '" + shorten(repository) + "' has an empty path component (leading, trailing or double '/')");
      }
      checkComponent(component);
    }
  }

  /**
   * {@code [a-z0-9]+ ((?:[._]|__|[-]+) [a-z0-9]+)*}: lowercase letters and digits, joined by one
   * '.', one or two '_', or any number of '-'.
   */
  private static void checkComponent(String c) {
    int i = 0;
    int n = c.length();
    while (i < n) {
      char ch = c.charAt(i);
      if (isLowerAlnum(ch)) {
        i++;
        continue;
      }
      if (ch != '.' && ch != '_' && ch != '-') {
        throw new IllegalArgumentException(
            "path component '" + shorten(c) + "' has invalid character '" + printable(ch)
                + "'; allowed are a-z, 0-9 and the separators '.', '_', '__' and '-'");
      }
      int start = i;
      while (i < n && !isLowerAlnum(c.charAt(i))) {
        char s = c.charAt(i);
        if (s != '.' && s != '_' && s != '-') {
          throw new IllegalArgumentException(
              "path component '" + shorten(c) + "' has invalid character '" + printable(s)
                  + "'; allowed are a-z, 0-9 and the separators '.', '_', '__' and '-'");
        }
        i++;
      }
      String sep = c.substring(start, i);
      if (start == 0 || i == n) {
        throw new IllegalArgumentException(
            "path component '" + shorten(c) + "' must start and end with a lowercase letter or digit");
      }
      boolean ok = sep.equals(".") || sep.equals("_") || sep.equals("__") || sep.chars().allMatch(x -> x == '-');
      if (!ok) {
        throw new IllegalArgumentException(
            "path component '" + shorten(c) + "' has invalid separator '" + sep
                + "'; allowed are '.', '_', '__' or one or more '-'");
      }
    }
  }

  /** {@code [\w][\w.-]{0,127}}. */
  private static void checkTag(String tag) {
    if (tag.isEmpty()) {
      throw new IllegalArgumentException("tag is empty");
    }
    if (tag.length() > MAX_TAG_LENGTH) {
      throw new IllegalArgumentException(
          "tag '" + shorten(tag) + "' longer than " + MAX_TAG_LENGTH + " characters (" + tag.length() + ")");
    }
    if (!isWordChar(tag.charAt(0))) {
      throw new IllegalArgumentException(
          "tag '" + tag + "' must start with a letter, digit or '_', not '" + printable(tag.charAt(0)) + "'");
    }
    for (int i = 1; i < tag.length(); i++) {
      char c = tag.charAt(i);
      if (!(isWordChar(c) || c == '.' || c == '-')) {
        throw new IllegalArgumentException(
            "tag '" + tag + "' has invalid character '" + printable(c)
                + "'; allowed are letters, digits, '_', '.' and '-'");
      }
    }
  }

  private static boolean isIdentifier(String s) {
    return s.length() == 64 && s.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  }

  private static boolean hasUppercase(String s) {
    return s.chars().anyMatch(c -> c >= 'A' && c <= 'Z');
  }

  private static boolean isLowerAlnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  }

  private static boolean isAsciiLetterOrDigit(char c) {
    return isLowerAlnum(c) || (c >= 'A' && c <= 'Z');
  }

  private static boolean isWordChar(char c) {
    return isAsciiLetterOrDigit(c) || c == '_';
  }

  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static String printable(char c) {
    return c < 0x21 || c > 0x7e ? String.format(java.util.Locale.ROOT, "\\u%04x", (int) c) : String.valueOf(c);
  }

  private static String shorten(String s) {
    return s.length() <= 100 ? s : s.substring(0, 97) + "...";
  }
}
