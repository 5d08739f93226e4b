package dev.attest.promote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.AttestException;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.ImageIndex;
import dev.attest.core.ImageManifest;
import dev.attest.core.Manifest;
import dev.attest.core.MediaTypes;
import dev.attest.core.Platform;
import dev.attest.registry.BlobSource;
import dev.attest.registry.NotFoundException;
import dev.attest.registry.PushOptions;
import dev.attest.registry.Registry;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/** Images with referrers for promotion tests, pushed through the {@link Registry} API. */
final class Content {
  static final String ATTESTATION = "application/vnd.dev.sigstore.bundle.v0.3+json";
  static final String SIGNATURE = "application/vnd.dev.cosign.artifact.sig.v1+json";
  static final String SBOM = "application/spdx+json";

  private Content() {}

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** A linux image of one config and one random layer of {@code layerBytes}. */
  static ImageManifest image(Registry r, String repo, long seed, int layerBytes, String arch) throws AttestException {
    byte[] config = ("{\"architecture\":\"" + arch + "\",\"os\":\"linux\",\"seed\":" + seed + "}")
        .getBytes(StandardCharsets.UTF_8);
    byte[] layer = random(layerBytes, seed);
    Descriptor c = Descriptor.ofBytes(MediaTypes.OCI_CONFIG, config);
    Descriptor l = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR_GZIP, layer);
    r.pushBlob(repo, c, BlobSource.of(config));
    r.pushBlob(repo, l, BlobSource.of(layer));
    ImageManifest m = ImageManifest.builder().config(c).layer(l).build();
    r.pushManifest(repo, m);
    return m;
  }

  /** An artifact referring to {@code subject}, pushed with the fallback index updated. */
  static ImageManifest referrer(Registry r, String repo, Descriptor subject, String artifactType, long seed)
      throws AttestException {
    r.pushBlob(repo, Descriptor.EMPTY.withoutData(), BlobSource.of(Descriptor.emptyBytes()));
    byte[] payload = ("{\"seed\":" + seed + ",\"type\":\"" + artifactType + "\"}").getBytes(StandardCharsets.UTF_8);
    Descriptor layer = Descriptor.ofBytes("application/json", payload);
    r.pushBlob(repo, layer, BlobSource.of(payload));
    ImageManifest m = ImageManifest.builder()
        .config(Descriptor.EMPTY.withoutData())
        .layer(layer)
        .artifactType(artifactType)
        .subject(subject)
        .annotation("dev.attest.test.seed", Long.toString(seed))
        .build();
    r.pushManifest(repo, m);
    return m;
  }

  /** A cosign 2 style signature manifest under the legacy tag {@code sha256-<hex>.sig}. */
  static ImageManifest legacySignature(Registry r, String repo, Digest subject, long seed) throws AttestException {
    byte[] config = ("{\"seed\":" + seed + "}").getBytes(StandardCharsets.UTF_8);
    byte[] payload = ("{\"critical\":{\"image\":{\"docker-manifest-digest\":\"" + subject + "\"}}}")
        .getBytes(StandardCharsets.UTF_8);
    Descriptor c = Descriptor.ofBytes(MediaTypes.OCI_CONFIG, config);
    Descriptor l = Descriptor.ofBytes(MediaTypes.COSIGN_SIMPLE_SIGNING, payload)
        .withAnnotation("dev.cosignproject.cosign/signature", "MEUCIQ" + seed);
    r.pushBlob(repo, c, BlobSource.of(config));
    r.pushBlob(repo, l, BlobSource.of(payload));
    ImageManifest m = ImageManifest.builder().config(c).layer(l).build();
    r.pushManifest(repo, m, PushOptions.tagged(subject.tagSchemaTag() + ".sig"));
    return m;
  }

  /**
   * A single-platform image with an attestation, a signature on that attestation and a legacy
   * cosign signature tag.
   */
  static ImageManifest single(Registry r, String repo, long seed, int layerBytes) throws AttestException {
    ImageManifest img = image(r, repo, seed, layerBytes, "amd64");
    ImageManifest att = referrer(r, repo, img.plainDescriptor(), ATTESTATION, seed + 1);
    referrer(r, repo, att.plainDescriptor(), SIGNATURE, seed + 2);
    legacySignature(r, repo, img.digest(), seed + 3);
    return img;
  }

  /**
   * A 3-platform index whose children each carry an attestation (itself signed) and an SBOM, with
   * an attestation on the index too.
   */
  static ImageIndex multi(Registry r, String repo, long seed) throws AttestException {
    String[] arch = {"amd64", "arm64", "s390x"};
    ImageIndex.Builder b = ImageIndex.builder();
    ImageManifest[] children = new ImageManifest[3];
    for (int i = 0; i < 3; i++) {
      children[i] = image(r, repo, seed + 10 * i, 4096, arch[i]);
      b.manifest(children[i].plainDescriptor().withPlatform(Platform.parse("linux/" + arch[i])));
    }
    ImageIndex index = b.build();
    r.pushManifest(repo, index);
    for (int i = 0; i < 3; i++) {
      ImageManifest att = referrer(r, repo, children[i].plainDescriptor(), ATTESTATION, seed + 10 * i + 1);
      referrer(r, repo, att.plainDescriptor(), SIGNATURE, seed + 10 * i + 2);
      referrer(r, repo, children[i].plainDescriptor(), SBOM, seed + 10 * i + 3);
    }
    referrer(r, repo, index.plainDescriptor(), ATTESTATION, seed + 100);
    return index;
  }

  /**
   * Walks the source graph independently of the planner and asserts that the destination has
   * every manifest byte-identical, every blob, every referrer listed for the same subject and every
   * legacy tag on the same digest. Returns the manifests seen.
   */
  static Set<Digest> assertPromoted(Registry src, String srcRepo, Registry dst, String dstRepo, Digest root)
      throws AttestException {
    Set<Digest> seen = new HashSet<>();
    walk(src, srcRepo, dst, dstRepo, root, seen);
    return seen;
  }

  private static void walk(Registry src, String srcRepo, Registry dst, String dstRepo, Digest d, Set<Digest> seen)
      throws AttestException {
    if (!seen.add(d)) {
      return;
    }
    Manifest m = src.fetchManifest(srcRepo, d.toString());
    Manifest copy = dst.fetchManifest(dstRepo, d.toString());
    assertThat(copy.bytes()).as("manifest %s", d).isEqualTo(m.bytes());
    assertThat(copy.digest()).isEqualTo(d);
    if (m instanceof ImageManifest im) {
      for (Descriptor b : im.blobs()) {
        assertThat(dst.hasBlob(dstRepo, b.digest())).as("blob %s of %s", b.digest(), d).isTrue();
      }
    } else {
      for (Descriptor child : ((ImageIndex) m).manifests()) {
        walk(src, srcRepo, dst, dstRepo, child.digest(), seen);
      }
    }
    List<Digest> srcRefs = src.referrers(srcRepo, d, null).stream().map(Descriptor::digest).toList();
    List<Digest> dstRefs = dst.referrers(dstRepo, d, null).stream().map(Descriptor::digest).toList();
    assertThat(dstRefs).as("referrers of %s at the destination", d).containsAll(srcRefs);
    for (Digest r : srcRefs) {
      walk(src, srcRepo, dst, dstRepo, r, seen);
    }
    for (String suffix : List.of(".sig", ".att")) {
      String tag = d.tagSchemaTag() + suffix;
      Descriptor legacy;
      try {
        legacy = src.resolve(srcRepo, tag);
      } catch (NotFoundException e) {
        continue;
      }
      assertThat(dst.resolve(dstRepo, tag).digest()).as("legacy tag %s", tag).isEqualTo(legacy.digest());
      walk(src, srcRepo, dst, dstRepo, legacy.digest(), seen);
    }
  }
}
