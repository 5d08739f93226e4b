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
 * An OCI image manifest or a Docker v2 schema 2 manifest: a config and layers, optionally an
 * artifact type and a subject.
 *
 * @see <a href="https://github.com/opencontainers/image-spec/blob/v1.1.1/manifest.md">OCI image
 *     manifest</a>
 */
public final class ImageManifest implements Manifest {
  private final byte[] raw;
  private final Digest digest;
  private final String mediaType;
  private final Descriptor config;
  private final List<Descriptor> layers;
  private final @Nullable String artifactType;
  private final @Nullable Descriptor subject;
  private final Map<String, String> annotations;
  private final Map<String, String> unknownFields;

  /** Used by the parser and the builder; both hand over bytes they no longer touch. */
  ImageManifest(
      byte[] raw,
      String mediaType,
      Descriptor config,
      List<Descriptor> layers,
      @Nullable String artifactType,
      @Nullable Descriptor subject,
      Map<String, String> annotations,
      Map<String, String> unknownFields) {
    this.raw = raw;
    this.digest = Digest.sha256(raw);
    this.mediaType = mediaType;
    this.config = config;
    this.layers = List.copyOf(layers);
    this.artifactType = artifactType;
    this.subject = subject;
    this.annotations = OrderedMaps.orderedCopy(annotations, "annotations");
    this.unknownFields = OrderedMaps.orderedCopy(unknownFields, "unknownFields");
  }

  /** A builder for a new OCI image manifest. */
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

  /** The config descriptor. */
  public Descriptor config() {
    return config;
  }

  /** The layer descriptors, in order. */
  public List<Descriptor> layers() {
    return layers;
  }

  /**
   * The {@code artifactType} field or, when absent, the config media type, which is how the
   * referrers API reports the artifact type of a manifest.
   */
  @Override
  public Optional<String> artifactType() {
    if (artifactType != null) {
      return Optional.of(artifactType);
    }
    return Optional.of(config.mediaType());
  }

  /** The {@code artifactType} field itself, if set. */
  public Optional<String> artifactTypeField() {
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

  /** The config and then the layers: every blob this manifest needs. */
  public List<Descriptor> blobs() {
    List<Descriptor> all = new ArrayList<>(layers.size() + 1);
    all.add(config);
    all.addAll(layers);
    return all;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ImageManifest && ((ImageManifest) o).digest.equals(digest);
  }

  @Override
  public int hashCode() {
    return digest.hashCode();
  }

  @Override
  public String toString() {
    return "ImageManifest{" + mediaType + " " + digest + ", " + layers.size() + " layers"
        + (subject == null ? "" : ", subject " + subject.digest()) + "}";
  }

  /**
   * Builds a new manifest. {@link #build()} writes canonical compact JSON once; the result keeps
   * those bytes.
   */
  public static final class Builder {
    private String mediaType = MediaTypes.OCI_MANIFEST;
    private @Nullable Descriptor config;
    private final List<Descriptor> layers = new ArrayList<>();
    private @Nullable String artifactType;
    private @Nullable Descriptor subject;
    private final Map<String, String> annotations = new LinkedHashMap<>();

    private Builder() {}

    /** OCI by default; {@link MediaTypes#DOCKER_MANIFEST} is allowed for Docker images. */
    public Builder mediaType(String mediaType) {
      if (!MediaTypes.isImageManifest(mediaType)) {
        throw new IllegalArgumentException("not an image manifest media type: " + mediaType);
      }
      this.mediaType = mediaType;
      return this;
    }

    /** Sets the config descriptor (required; {@link Descriptor#EMPTY} for an artifact). */
    public Builder config(Descriptor config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /** Adds a layer. */
    public Builder layer(Descriptor layer) {
      layers.add(Objects.requireNonNull(layer, "layer"));
      return this;
    }

    /** Adds these layers, in order. */
    public Builder layers(List<Descriptor> layers) {
      layers.forEach(this::layer);
      return this;
    }

    /** Sets {@code artifactType}; null for none. */
    public Builder artifactType(@Nullable String artifactType) {
      this.artifactType = artifactType;
      return this;
    }

    /** Sets {@code subject}, making the manifest a referrer of that manifest; null for none. */
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

    /**
     * Writes the manifest.
     *
     * @throws IllegalArgumentException if the config is missing, if an empty config has no
     *     artifact type (image spec 1.1 requires one), or if the result exceeds 4 MiB
     */
    public ImageManifest build() {
      if (config == null) {
        throw new IllegalArgumentException("a manifest needs a config; use Descriptor.EMPTY for artifacts");
      }
      if (MediaTypes.OCI_EMPTY.equals(config.mediaType()) && artifactType == null) {
        throw new IllegalArgumentException("artifactType must be set when the config is the empty descriptor");
      }
      if (MediaTypes.DOCKER_MANIFEST.equals(mediaType) && (artifactType != null || subject != null)) {
        throw new IllegalArgumentException("Docker v2 manifests carry neither artifactType nor subject");
      }
      byte[] raw = ManifestWriter.manifest(mediaType, artifactType, config, layers, subject, annotations);
      if (raw.length > MAX_BYTES) {
        throw new IllegalArgumentException("manifest would be " + raw.length + " bytes, over " + MAX_BYTES);
      }
      return new ImageManifest(raw, mediaType, config, layers, artifactType, subject, annotations, Map.of());
    }
  }
}
