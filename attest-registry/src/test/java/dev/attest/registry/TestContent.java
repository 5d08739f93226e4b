package dev.attest.registry;

import dev.attest.core.AttestException;
import dev.attest.core.Descriptor;
import dev.attest.core.ImageIndex;
import dev.attest.core.ImageManifest;
import dev.attest.core.MediaTypes;
import dev.attest.core.Platform;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Random images and artifacts for tests. */
final class TestContent {
  private TestContent() {}

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** Pushes a config and one layer, then an image manifest of the given media type. */
  static ImageManifest pushImage(Registry r, String repo, String mediaType, long seed) throws AttestException {
    byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":" + seed + "}").getBytes(StandardCharsets.UTF_8);
    byte[] layer = random(2048, seed);
    boolean docker = MediaTypes.DOCKER_MANIFEST.equals(mediaType);
    Descriptor c = Descriptor.ofBytes(docker ? MediaTypes.DOCKER_CONFIG : MediaTypes.OCI_CONFIG, config);
    Descriptor l = Descriptor.ofBytes(docker ? MediaTypes.DOCKER_LAYER_GZIP : MediaTypes.OCI_LAYER_TAR_GZIP, layer);
    r.pushBlob(repo, c, BlobSource.of(config));
    r.pushBlob(repo, l, BlobSource.of(layer));
    ImageManifest m = ImageManifest.builder().mediaType(mediaType).config(c).layer(l).build();
    r.pushManifest(repo, m);
    return m;
  }

  /** An artifact manifest referring to {@code subject}, with an empty config (which it pushes). */
  static ImageManifest referrer(Registry r, String repo, Descriptor subject, String artifactType, int n)
      throws AttestException {
    r.pushBlob(repo, Descriptor.EMPTY, BlobSource.of(Descriptor.emptyBytes()));
    byte[] payload = ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8);
    Descriptor layer = Descriptor.ofBytes("application/json", payload);
    r.pushBlob(repo, layer, BlobSource.of(payload));
    return ImageManifest.builder()
        .config(Descriptor.EMPTY.withoutData())
        .layer(layer)
        .artifactType(artifactType)
        .subject(subject)
        .annotation("dev.attest.n", Integer.toString(n))
        .build();
  }

  static ImageIndex index(ImageManifest... children) {
    String[] arch = {"amd64", "arm64", "s390x"};
    ImageIndex.Builder b = ImageIndex.builder();
    for (int i = 0; i < children.length; i++) {
      b.manifest(children[i].plainDescriptor().withPlatform(platform(arch[i % arch.length])));
    }
    return b.build();
  }

  static Platform platform(String arch) {
    return Platform.parse("linux/" + arch);
  }
}
