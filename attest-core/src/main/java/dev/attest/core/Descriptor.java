package dev.attest.core;

import dev.attest.core.internal.OrderedMaps;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An OCI content descriptor: what a piece of content is, its digest and its exact size.
 *
 * <p>Maps keep their insertion order. Fields this version does not know are kept in {@link
 * #unknownFields()} as raw JSON text, so that a descriptor copied into a new manifest loses
 * nothing.
 *
 * @see <a href="https://github.com/opencontainers/image-spec/blob/v1.1.1/descriptor.md">OCI
 *     content descriptors</a>
 */
public record Descriptor(
    String mediaType,
    Digest digest,
    long size,
    @Nullable String artifactType,
    Map<String, String> annotations,
    @Nullable Platform platform,
    @Nullable String data,
    List<String> urls,
    Map<String, String> unknownFields) {

  /** The fields of a descriptor in the image spec; {@link #unknownFields()} holds any others. */
  static final Set<String> FIELDS =
      Set.of("mediaType", "digest", "size", "urls", "annotations", "data", "platform", "artifactType");

  /** The empty JSON object {@code {}}, used as the config of artifacts. */
  public static final Descriptor EMPTY =
      new Descriptor(
          MediaTypes.OCI_EMPTY,
          Digest.parse("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"),
          2,
          null,
          Map.of(),
          null,
          "e30=",
          List.of(),
          Map.of());

  /** The bytes of {@link #EMPTY}. */
  public static byte[] emptyBytes() {
    return "{}".getBytes(StandardCharsets.US_ASCII);
  }

  /** Validates the components and copies the maps; see the class description. */
  public Descriptor {
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(digest, "digest");
    checkMediaType(mediaType, "mediaType");
    if (artifactType != null) {
      checkMediaType(artifactType, "artifactType");
    }
    if (size < 0) {
      throw new IllegalArgumentException("descriptor size must not be negative: " + size + " for " + digest);
    }
    annotations = OrderedMaps.orderedCopy(annotations, "annotations");
    unknownFields = OrderedMaps.orderedCopy(unknownFields, "unknownFields");
    checkUnknownFields(unknownFields);
    urls = List.copyOf(urls);
    if (data != null) {
      byte[] bytes;
      try {
        bytes = Base64.getDecoder().decode(data);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("descriptor data of " + digest + " is not valid base64", e);
      }
      // Java's decoder accepts missing padding and stray low bits; one content, one spelling.
      if (!Base64.getEncoder().encodeToString(bytes).equals(data)) {
        throw new IllegalArgumentException(
            "descriptor data of " + digest + " is not canonical padded base64 (RFC 4648 section 4)");
      }
      if (bytes.length != size) {
        throw new IllegalArgumentException(
            "descriptor data of " + digest + " is " + bytes.length + " bytes but size says " + size);
      }
      if (!digest.matches(bytes)) {
        throw new IllegalArgumentException(
            "descriptor data does not hash to " + digest + " (it hashes to "
                + Digest.of(digest.algorithm(), bytes) + ")");
      }
    }
  }

  /** A plain descriptor. */
  public static Descriptor of(String mediaType, Digest digest, long size) {
    return new Descriptor(mediaType, digest, size, null, Map.of(), null, null, List.of(), Map.of());
  }

  /** A descriptor of {@code bytes}, hashed with SHA-256. */
  public static Descriptor ofBytes(String mediaType, byte[] bytes) {
    return of(mediaType, Digest.sha256(bytes), bytes.length);
  }

  /** The embedded content, decoded, when {@code data} is set (it was checked on construction). */
  public Optional<byte[]> dataBytes() {
    return data == null ? Optional.empty() : Optional.of(Base64.getDecoder().decode(data));
  }

  /** A copy with this {@code artifactType}, or none when null. */
  public Descriptor withArtifactType(@Nullable String artifactType) {
    return new Descriptor(mediaType, digest, size, artifactType, annotations, platform, data, urls, unknownFields);
  }

  /** A copy with these annotations instead of its own. */
  public Descriptor withAnnotations(Map<String, String> annotations) {
    return new Descriptor(mediaType, digest, size, artifactType, annotations, platform, data, urls, unknownFields);
  }

  /** A copy with one more annotation (or a replaced value), keeping order. */
  public Descriptor withAnnotation(String key, String value) {
    Map<String, String> m = new LinkedHashMap<>(annotations);
    m.put(key, value);
    return withAnnotations(m);
  }

  /** A copy with this platform, or none when null (as in an index entry versus a subject). */
  public Descriptor withPlatform(@Nullable Platform platform) {
    return new Descriptor(mediaType, digest, size, artifactType, annotations, platform, data, urls, unknownFields);
  }

  /** A copy that embeds {@code bytes} as {@code data}; they must be the described content. */
  public Descriptor withData(byte[] bytes) {
    return new Descriptor(
        mediaType, digest, size, artifactType, annotations, platform,
        Base64.getEncoder().encodeToString(bytes), urls, unknownFields);
  }

  /** A copy without embedded data. */
  public Descriptor withoutData() {
    return new Descriptor(mediaType, digest, size, artifactType, annotations, platform, null, urls, unknownFields);
  }

  /** The annotation {@code key}, if present. */
  public Optional<String> annotation(String key) {
    return Optional.ofNullable(annotations.get(key));
  }

  /**
   * RFC 6838 section 4.2: {@code type "/" subtype}, each a restricted name of 1 to 127
   * characters that starts with a letter or digit. OCI allows no parameters.
   */
  private static void checkMediaType(String mt, String field) {
    int slash = mt.indexOf('/');
    if (slash <= 0 || slash == mt.length() - 1 || mt.indexOf('/', slash + 1) >= 0) {
      throw new IllegalArgumentException(field + " must be type/subtype: '" + mt + "'");
    }
    checkRestrictedName(mt, 0, slash, field);
    checkRestrictedName(mt, slash + 1, mt.length(), field);
  }

  private static void checkRestrictedName(String mt, int from, int to, String field) {
    if (to - from > 127) {
      throw new IllegalArgumentException(
          field + " has a type or subtype longer than 127 characters: '" + mt + "'");
    }
    for (int i = from; i < to; i++) {
      char c = mt.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (i == from && !alnum) {
        throw new IllegalArgumentException(
            field + " type and subtype must start with a letter or digit: '" + mt + "'");
      }
      if (!alnum && "!#$&-^_.+".indexOf(c) < 0) {
        throw new IllegalArgumentException(field + " has an invalid character at " + i + ": '" + mt + "'");
      }
    }
  }

  /** Unknown fields are written back verbatim, so each must be one JSON value under a new name. */
  private static void checkUnknownFields(Map<String, String> unknownFields) {
    for (Map.Entry<String, String> e : unknownFields.entrySet()) {
      if (FIELDS.contains(e.getKey())) {
        throw new IllegalArgumentException(
            "unknown field '" + e.getKey() + "' is a descriptor field; set it through its component");
      }
      try {
        Json.read(e.getValue().getBytes(StandardCharsets.UTF_8));
      } catch (IOException | RuntimeException ex) {
        throw new IllegalArgumentException(
            "unknown field '" + e.getKey() + "' is not one JSON value: " + ex.getMessage(), ex);
      }
    }
  }

  @Override
  public String toString() {
    return mediaType + " " + digest + " (" + size + " bytes)";
  }
}
