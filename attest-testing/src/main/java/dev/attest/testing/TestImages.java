package dev.attest.testing;

import dev.attest.core.Digest;
import dev.attest.core.ImageIndex;
import dev.attest.core.ImageManifest;
import dev.attest.core.Platform;
import dev.attest.testing.internal.RandomContent;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jspecify.annotations.Nullable;

/**
 * Pushes random images straight into an {@link EmbeddedRegistry}'s storage, without a client.
 * Layers are small uncompressed tar archives of random bytes and configs carry matching {@code
 * diff_ids}, so tools such as skopeo accept them.
 *
 * <pre>{@code
 * ImageManifest image = TestImages.pushImage(registry, "app", "v1");
 * ImageIndex index = TestImages.pushIndex(registry, "app", "multi", TestImages.Format.OCI,
 *     List.of(Platform.parse("linux/amd64"), Platform.parse("linux/arm64")));
 * }</pre>
 */
public final class TestImages {
  private static final Random RANDOM = new SecureRandom();
  private static final int LAYER_BYTES = 1024;

  private TestImages() {}

  /** Which family of media types to write. */
  public enum Format {
    /** OCI image manifest and index types. */
    OCI,
    /** Docker image manifest v2 schema 2 and manifest list types. */
    DOCKER
  }

  /** Pushes an OCI image for linux/amd64 with two random layers, tagged {@code tag}. */
  public static ImageManifest pushImage(EmbeddedRegistry registry, String repository, String tag) {
    return pushImage(registry, repository, tag, Format.OCI, 2);
  }

  /**
   * Pushes a linux/amd64 image with {@code layers} random layers.
   *
   * @param tag the tag, or null to push by digest only
   */
  public static ImageManifest pushImage(
      EmbeddedRegistry registry, String repository, @Nullable String tag, Format format, int layers) {
    checkLayers(layers);
    RandomContent.Image img = new RandomContent(RANDOM)
        .image(format == Format.DOCKER, layers, LAYER_BYTES, Platform.of("linux", "amd64"));
    return push(registry, repository, tag, img);
  }

  /**
   * Pushes an index (an OCI index or a Docker manifest list) with one random two-layer image per
   * platform, children first.
   *
   * @param tag the tag of the index, or null to push by digest only
   */
  public static ImageIndex pushIndex(
      EmbeddedRegistry registry, String repository, @Nullable String tag, Format format, List<Platform> platforms) {
    RandomContent.Index ix = new RandomContent(RANDOM).index(format == Format.DOCKER, 2, LAYER_BYTES, platforms);
    for (RandomContent.Image img : ix.images()) {
      push(registry, repository, null, img);
    }
    return registry.putManifest(repository, tag, ix.index());
  }

  private static ImageManifest push(
      EmbeddedRegistry registry, String repository, @Nullable String tag, RandomContent.Image img) {
    for (Map.Entry<Digest, byte[]> blob : img.blobs().entrySet()) {
      registry.putBlob(repository, "application/octet-stream", blob.getValue());
    }
    return registry.putManifest(repository, tag, img.manifest());
  }

  private static void checkLayers(int layers) {
    if (layers < 0 || layers > 64) {
      throw new IllegalArgumentException("layers must be 0..64: " + layers);
    }
  }
}
