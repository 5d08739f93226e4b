package dev.attest.core;

import dev.attest.core.internal.ManifestWriter;
import dev.attest.core.internal.OrderedMaps;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An OCI image index or a Docker manifest list: a list of manifests, usually one per platform.
 * Referrers listings and the tag-schema fallback are indexes too.
 *
 * @see <a href="https://github.com/opencontainers/image-spec/blob/v1.1.1/image-index.md">OCI
 *     image index</a>
 */
public final class ImageIndex implements Manifest {
  private final byte[] raw;
  private final Digest digest;
  private final String mediaType;
  private final List<Descriptor> manifests;
  private final @Nullable String artifactType;
  private final @Nullable Descriptor subject;
  private final Map<String, String> annotations;
  private final Map<String, String> unknownFields;

  ImageIndex(
      byte[] raw,
      String mediaType,
      List<Descriptor> manifests,
      @Nullable String artifactType,
      @Nullable Descriptor subject,
      Map<String, String> annotations,
      Map<String, String> unknownFields) {
    this.raw = raw;
    this.digest = Digest.sha256(raw);
    this.mediaType = mediaType;
    this.manifests = List.copyOf(manifests);
    this.artifactType = artifactType;
    this.subject = subject;
    this.annotations = OrderedMaps.orderedCopy(annotations, "annotations");
    this.unknownFields = OrderedMaps.orderedCopy(unknownFields, "unknownFields");
  }

  /**
   * The most bytes of an OCI image layout's {@code index.json}, which may list far more entries
   * than an index in a registry.
   */
  public static final int MAX_LAYOUT_BYTES = 16 * 1024 * 1024;

  /**
   * Parses the {@code index.json} of an OCI image layout: an OCI image index (its {@code mediaType}
   * may be absent), read as strictly as any index, up to {@link #MAX_LAYOUT_BYTES}.
   *
   * @throws InvalidContentException if it is not a valid image index
   * @see <a href="https://github.com/opencontainers/image-spec/blob/v1.1.1/image-layout.md#indexjson-file">image layout index.json</a>
   */
  public static ImageIndex parseLayoutIndex(byte[] raw) throws InvalidContentException {
    Manifest m;
    try {
      m = ManifestParser.parse(raw, MediaTypes.OCI_INDEX, MAX_LAYOUT_BYTES);
    } catch (UnsupportedContentException e) {
      throw new InvalidContentException(e.getMessage(), e);
    }
    if (!(m instanceof ImageIndex index) || !MediaTypes.OCI_INDEX.equals(index.mediaType())) {
      throw new InvalidContentException("must be an OCI image index (" + MediaTypes.OCI_INDEX + "), got " + m.mediaType());
    }
    return index;
  }

  /**
   * A new layout {@code index.json}: an OCI image index of {@code manifests} with top-level
   * {@code annotations}, up to {@link #MAX_LAYOUT_BYTES}.
   *
   * @throws IllegalArgumentException if it would be larger
   */
  public static ImageIndex layoutIndex(List<Descriptor> manifests, Map<String, String> annotations) {
    byte[] raw = ManifestWriter.index(MediaTypes.OCI_INDEX, null, manifests, null, annotations);
    if (raw.length > MAX_LAYOUT_BYTES) {
      throw new IllegalArgumentException("index.json would be " + raw.length + " bytes, over " + MAX_LAYOUT_BYTES);
    }
    return new ImageIndex(raw, MediaTypes.OCI_INDEX, manifests, null, null, annotations, Map.of());
  }

  /** A builder for a new OCI image index. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public byte[] bytes() {
    return raw.clone();
  }

  @Override
  public void writeTo(OutputStream out) throws IOException {
    out.write(raw);
  }

  @Override
  public long size() {
    return raw.length;
  }

  @Override
  public Digest digest() {
    return digest;
  }

  @Override
  public String mediaType() {
    return mediaType;
  }

  /** The entries, in document order. */
  public List<Descriptor> manifests() {
    return manifests;
  }

  @Override
  public Optional<String> artifactType() {
    return Optional.ofNullable(artifactType);
  }

  @Override
  public Optional<Descriptor> subject() {
    return Optional.ofNullable(subject);
  }

  @Override
  public Map<String, String> annotations() {
    return annotations;
  }

  @Override
  public Map<String, String> unknownFields() {
    return unknownFields;
  }

  /** The entry for {@code platform}, if there is exactly one or more (the first wins). */
  public Optional<Descriptor> forPlatform(Platform platform) {
    return manifests.stream().filter(d -> platform.equals(d.platform())).findFirst();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ImageIndex && ((ImageIndex) o).digest.equals(digest);
  }

  @Override
  public int hashCode() {
    return digest.hashCode();
  }

  @Override
  public String toString() {
    return "ImageIndex{" + mediaType + " " + digest + ", " + manifests.size() + " manifests}";
  }

  /** Builds a new index; {@link #build()} writes canonical compact JSON once. */
  public static final class Builder {
    private String mediaType = MediaTypes.OCI_INDEX;
    private final List<Descriptor> manifests = new ArrayList<>();
    private @Nullable String artifactType;
    private @Nullable Descriptor subject;
    private final Map<String, String> annotations = new LinkedHashMap<>();

    private Builder() {}

    /** OCI by default; {@link MediaTypes#DOCKER_MANIFEST_LIST} is allowed. */
    public Builder mediaType(String mediaType) {
      if (!MediaTypes.isIndex(mediaType)) {
        throw new IllegalArgumentException("not an index media type: " + mediaType);
      }
      this.mediaType = mediaType;
      return this;
    }

    /** Adds a manifest entry (with its platform, for a multi-platform image). */
    public Builder manifest(Descriptor manifest) {
      manifests.add(Objects.requireNonNull(manifest, "manifest"));
      return this;
    }

    /** Adds these manifest entries, in order. */
    public Builder manifests(List<Descriptor> manifests) {
      manifests.forEach(this::manifest);
      return this;
    }

    /** Sets {@code artifactType}; null for none. */
    public Builder artifactType(@Nullable String artifactType) {
      this.artifactType = artifactType;
      return this;
    }

    /** Sets {@code subject}, making the index a referrer of that manifest; null for none. */
    public Builder subject(@Nullable Descriptor subject) {
      this.subject = subject;
      return this;
    }

    /** Adds one annotation. */
    public Builder annotation(String key, String value) {
      annotations.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Adds these annotations. */
    public Builder annotations(Map<String, String> annotations) {
      annotations.forEach(this::annotation);
      return this;
    }

    /** Serialises the index; its bytes, and so its digest, are fixed from here on. */
    public ImageIndex build() {
      if (MediaTypes.DOCKER_MANIFEST_LIST.equals(mediaType) && (artifactType != null || subject != null)) {
        throw new IllegalArgumentException("Docker manifest lists carry neither artifactType nor subject");
      }
      byte[] raw = ManifestWriter.index(mediaType, artifactType, manifests, subject, annotations);
      if (raw.length > MAX_BYTES) {
        throw new IllegalArgumentException("index would be " + raw.length + " bytes, over " + MAX_BYTES);
      }
      return new ImageIndex(raw, mediaType, manifests, artifactType, subject, annotations, Map.of());
    }
  }
}
