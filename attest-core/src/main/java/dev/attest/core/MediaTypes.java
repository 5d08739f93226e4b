package dev.attest.core;

import java.util.List;

/**
 * Media types of the OCI image spec, the Docker image manifest v2 schema 2, and the artifact
 * types attest reads and writes.
 *
 * @see <a href="https://github.com/opencontainers/image-spec/blob/v1.1.1/media-types.md">OCI
 *     media types</a>
 */
public final class MediaTypes {
  private MediaTypes() {}

  /** {@value} */
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  /** {@value} */
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  /** {@value} */
  public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  /** The empty descriptor's media type, for artifacts without a config. */
  public static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";
  /** {@value} */
  public static final String OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";
  /** {@value} */
  public static final String OCI_LAYER_TAR_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
  /** {@value} */
  public static final String OCI_LAYER_TAR_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
  /** {@value} */
  public static final String OCI_LAYER_NONDISTRIBUTABLE_TAR_GZIP =
      "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";

  /** {@value} */
  public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  /** {@value} */
  public static final String DOCKER_MANIFEST_LIST =
      "application/vnd.docker.distribution.manifest.list.v2+json";
  /** {@value} */
  public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
  /** {@value} */
  public static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
  /** {@value} */
  public static final String DOCKER_FOREIGN_LAYER_GZIP =
      "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

  /** A Sigstore bundle v0.3, the artifact type and layer type cosign 3 and actions/attest write. */
  public static final String SIGSTORE_BUNDLE_V03 = "application/vnd.dev.sigstore.bundle.v0.3+json";
  /** A DSSE envelope layer, as in cosign's legacy {@code .att} tags. */
  public static final String DSSE_ENVELOPE = "application/vnd.dsse.envelope.v1+json";
  /** The in-toto payload type inside DSSE. */
  public static final String IN_TOTO = "application/vnd.in-toto+json";
  /** cosign's legacy simple-signing payload layer, as in {@code .sig} tags. */
  public static final String COSIGN_SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";

  /**
   * Every manifest type attest reads, in the order sent in {@code Accept}. All four must be
   * named: registry 2.8.2 hides OCI content unless its type is accepted, and answers a Docker
   * list request with one platform's manifest if only the Docker v2 manifest type is accepted.
   */
  public static final List<String> MANIFEST_TYPES =
      List.of(OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST);

  /** Whether {@code mediaType} is an image index or a Docker manifest list. */
  public static boolean isIndex(String mediaType) {
    return OCI_INDEX.equals(mediaType) || DOCKER_MANIFEST_LIST.equals(mediaType);
  }

  /** Whether {@code mediaType} is an image manifest (OCI or Docker v2). */
  public static boolean isImageManifest(String mediaType) {
    return OCI_MANIFEST.equals(mediaType) || DOCKER_MANIFEST.equals(mediaType);
  }

  /** Whether {@code mediaType} names a manifest or an index, rather than a blob. */
  public static boolean isManifest(String mediaType) {
    return MANIFEST_TYPES.contains(mediaType);
  }
}
