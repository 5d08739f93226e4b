package dev.attest.registry;

import dev.attest.core.AttestException;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.ImageIndex;
import dev.attest.core.ImageManifest;
import dev.attest.core.MediaTypes;
import dev.attest.core.Platform;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Small valid images for layout tests: a real empty tar layer and a config that names it. */
final class LayoutFixtures {
  private LayoutFixtures() {}

  /** Two zero blocks: the smallest valid tar archive, which tools accept as a layer. */
  static final byte[] EMPTY_TAR = new byte[1024];

  static byte[] config(String arch) {
    return ("{\"architecture\":\"" + arch + "\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
            + "\"diff_ids\":[\"" + Digest.sha256(EMPTY_TAR) + "\"]}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** Pushes the layer, a config for {@code arch} and the manifest. */
  static ImageManifest pushImage(Registry r, String repo, String arch, PushOptions options) throws AttestException {
    Descriptor layer = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, EMPTY_TAR);
    byte[] config = config(arch);
    Descriptor configDesc = Descriptor.ofBytes(MediaTypes.OCI_CONFIG, config);
    r.pushBlob(repo, layer, BlobSource.of(EMPTY_TAR));
    r.pushBlob(repo, configDesc, BlobSource.of(config));
    ImageManifest m = ImageManifest.builder().config(configDesc).layer(layer)
        .annotation("org.opencontainers.image.title", "test " + arch).build();
    r.pushManifest(repo, m, options);
    return m;
  }

  /** Pushes three platform images, children first, then their index. */
  static ImageIndex pushIndex(Registry r, String repo, PushOptions options) throws AttestException {
    ImageIndex.Builder b = ImageIndex.builder();
    for (String arch : List.of("amd64", "arm64", "s390x")) {
      ImageManifest child = pushImage(r, repo, arch, PushOptions.DEFAULT);
      b.manifest(child.plainDescriptor().withPlatform(new Platform(arch, "linux", null, List.of(), null, List.of())));
    }
    ImageIndex index = b.build();
    r.pushManifest(repo, index, options);
    return index;
  }

  /** Pushes an artifact of {@code artifactType} that refers to {@code subject}. */
  static ImageManifest pushReferrer(Registry r, String repo, Descriptor subject, String artifactType, String note,
      PushOptions options) throws AttestException {
    byte[] payload = ("{\"note\":\"" + note + "\"}").getBytes(StandardCharsets.UTF_8);
    Descriptor layer = Descriptor.ofBytes(artifactType, payload);
    r.pushBlob(repo, Descriptor.EMPTY, BlobSource.of(Descriptor.emptyBytes()));
    r.pushBlob(repo, layer, BlobSource.of(payload));
    ImageManifest m = ImageManifest.builder().artifactType(artifactType).config(Descriptor.EMPTY).layer(layer)
        .subject(subject).annotations(Map.of("note", note)).build();
    r.pushManifest(repo, m, options);
    return m;
  }
}
