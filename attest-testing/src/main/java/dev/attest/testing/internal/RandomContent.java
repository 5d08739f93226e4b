package dev.attest.testing.internal;

import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.ImageIndex;
import dev.attest.core.ImageManifest;
import dev.attest.core.MediaTypes;
import dev.attest.core.Platform;
import dev.attest.core.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random but well-formed images: uncompressed tar layers with one random file each, and a config
 * whose {@code rootfs.diff_ids} match them, so that tools that inspect images accept them.
 */
public final class RandomContent {
  private final Random random;

  public RandomContent(Random random) {
    this.random = random;
  }

  /** An image: its manifest and every blob it needs, config first. */
  public record Image(ImageManifest manifest, Map<Digest, byte[]> blobs) {}

  /** An index, its child images, and every blob they need. */
  public record Index(ImageIndex index, List<Image> images) {}

  public Image image(boolean docker, int layers, int layerBytes, Platform platform) {
    Map<Digest, byte[]> blobs = new LinkedHashMap<>();
    List<Descriptor> layerDescs = new ArrayList<>();
    List<String> diffIds = new ArrayList<>();
    String layerType = docker ? "application/vnd.docker.image.rootfs.diff.tar" : MediaTypes.OCI_LAYER_TAR;
    for (int i = 0; i < layers; i++) {
      byte[] data = new byte[layerBytes];
      random.nextBytes(data);
      byte[] tar = tar("layer" + i + "-" + Long.toHexString(random.nextLong()) + ".bin", data);
      Descriptor d = Descriptor.ofBytes(layerType, tar);
      layerDescs.add(d);
      diffIds.add(d.digest().toString());
      blobs.put(d.digest(), tar);
    }
    ObjectNode config = Json.MAPPER.createObjectNode();
    config.put("architecture", platform.architecture());
    config.put("os", platform.os());
    if (platform.variant() != null) {
      config.put("variant", platform.variant());
    }
    config.putObject("config").putArray("Cmd").add("/layer0.bin");
    ObjectNode rootfs = config.putObject("rootfs");
    rootfs.put("type", "layers");
    diffIds.forEach(rootfs.putArray("diff_ids")::add);
    byte[] configBytes;
    try {
      configBytes = Json.MAPPER.writeValueAsBytes(config);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    Descriptor cfg = Descriptor.ofBytes(docker ? MediaTypes.DOCKER_CONFIG : MediaTypes.OCI_CONFIG, configBytes);
    Map<Digest, byte[]> ordered = new LinkedHashMap<>();
    ordered.put(cfg.digest(), configBytes);
    ordered.putAll(blobs);
    ImageManifest manifest = ImageManifest.builder()
        .mediaType(docker ? MediaTypes.DOCKER_MANIFEST : MediaTypes.OCI_MANIFEST)
        .config(cfg)
        .layers(layerDescs)
        .build();
    return new Image(manifest, ordered);
  }

  public Index index(boolean docker, int layers, int layerBytes, List<Platform> platforms) {
    if (platforms.isEmpty()) {
      throw new IllegalArgumentException("an index needs at least one platform");
    }
    List<Image> images = new ArrayList<>();
    ImageIndex.Builder b = ImageIndex.builder()
        .mediaType(docker ? MediaTypes.DOCKER_MANIFEST_LIST : MediaTypes.OCI_INDEX);
    for (Platform p : platforms) {
      Image img = image(docker, layers, layerBytes, p);
      images.add(img);
      b.manifest(img.manifest().plainDescriptor().withPlatform(p));
    }
    return new Index(b.build(), images);
  }

  /** A POSIX ustar archive holding one regular file. */
  static byte[] tar(String name, byte[] data) {
    byte[] header = new byte[512];
    put(header, 0, name, 100);
    put(header, 100, "0000644", 8);
    put(header, 108, "0000000", 8);
    put(header, 116, "0000000", 8);
    put(header, 124, String.format("%011o", data.length), 12);
    put(header, 136, "00000000000", 12);
    for (int i = 148; i < 156; i++) {
      header[i] = ' ';
    }
    header[156] = '0';
    put(header, 257, "ustar", 6);
    put(header, 263, "00", 2);
    int sum = 0;
    for (byte b : header) {
      sum += b & 0xff;
    }
    put(header, 148, String.format("%06o", sum), 7);
    header[155] = ' ';
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(header);
    out.writeBytes(data);
    out.writeBytes(new byte[(512 - data.length % 512) % 512]);
    out.writeBytes(new byte[1024]);
    return out.toByteArray();
  }

  private static void put(byte[] header, int offset, String s, int max) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, header, offset, Math.min(b.length, max));
  }
}
