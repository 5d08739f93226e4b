package dev.attest.core;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A manifest or an index, parsed from exact bytes that it keeps. Its digest is always the digest
 * of those bytes; nothing is ever re-serialised, so fields this version does not know survive
 * every copy.
 *
 * @see <a href="https://github.com/opencontainers/image-spec/blob/v1.1.1/manifest.md">OCI image
 *     manifest</a>
 * @see <a href="https://github.com/opencontainers/image-spec/blob/v1.1.1/image-index.md">OCI
 *     image index</a>
 */
public sealed interface Manifest permits ImageManifest, ImageIndex {

  /** Manifests over 4 MiB are refused, as registries do. */
  int MAX_BYTES = 4 * 1024 * 1024;

  /**
   * Parses a manifest or index, deciding its kind from its {@code mediaType} field, or from
   * {@code contentType} when the field is absent (OCI makes it optional).
   *
   * @param contentType the media type the bytes were served or declared with, if any
   * @throws InvalidContentException if the bytes are malformed, inconsistent or over 4 MiB
   * @throws UnsupportedContentException if the media type is not a manifest type attest reads
   */
  static Manifest parse(byte[] raw, @Nullable String contentType)
      throws InvalidContentException, UnsupportedContentException {
    return ManifestParser.parse(raw, contentType);
  }

  /** Parses bytes that carry their own {@code mediaType} field. */
  static Manifest parse(byte[] raw) throws InvalidContentException, UnsupportedContentException {
    return ManifestParser.parse(raw, null);
  }

  /**
   * Parses {@code raw} after checking that it hashes to {@code expected}.
   *
   * @throws DigestMismatchException naming both digests if it does not
   */
  static Manifest parse(byte[] raw, @Nullable String contentType, Digest expected)
      throws InvalidContentException, UnsupportedContentException, DigestMismatchException {
    if (raw.length > MAX_BYTES) {
      throw new InvalidContentException(
          "manifest " + expected + " is " + raw.length + " bytes, over the " + MAX_BYTES + " byte limit");
    }
    expected.verify(raw, "manifest");
    return ManifestParser.parse(raw, contentType);
  }

  /** A copy of the exact bytes. */
  byte[] bytes();

  /** Writes the exact bytes. */
  void writeTo(OutputStream out) throws IOException;

  /** The digest of {@link #bytes()}. */
  Digest digest();

  /** The number of bytes. */
  default long size() {
    return bytes().length;
  }

  /** The media type: the {@code mediaType} field or, when absent, the type it was served as. */
  String mediaType();

  /** The artifact type as a referrers listing reports it. */
  Optional<String> artifactType();

  /** The manifest this one refers to, for a referrer. */
  Optional<Descriptor> subject();

  /** Manifest-level annotations, in document order. */
  Map<String, String> annotations();

  /** Top-level fields this version does not model, as raw JSON text, in document order. */
  Map<String, String> unknownFields();

  /**
   * The descriptor that points at this content, carrying the artifact type and annotations a
   * referrers index entry needs.
   */
  default Descriptor descriptor() {
    return new Descriptor(
        mediaType(), digest(), size(), artifactType().orElse(null), annotations(), null, null,
        java.util.List.of(), Map.of());
  }

  /** A plain descriptor, without artifact type or annotations, as used for index children. */
  default Descriptor plainDescriptor() {
    return Descriptor.of(mediaType(), digest(), size());
  }
}
