package dev.attest.promote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.core.AttestException;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.ImageManifest;
import dev.attest.core.MediaTypes;
import dev.attest.core.VerifyingInputStream;
import dev.attest.promote.PromotionPlan.Item;
import dev.attest.promote.internal.Executor;
import dev.attest.registry.BlobSource;
import dev.attest.registry.Registry;
import dev.attest.registry.RemoteRegistry;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Many promotions in one process: shared transfers, the shared base layer, failures; and the executor's order. */
class PromotionFleetTest extends TwoRegistries {
  /** {@code n} images in dev/app-i sharing one base layer, each with an attestation. */
  List<ImageManifest> fleet(int n, byte[] base) throws AttestException {
    Descriptor baseLayer = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR_GZIP, base);
    List<ImageManifest> images = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String repo = "dev/app-" + i;
      byte[] config = ("{\"os\":\"linux\",\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
      byte[] own = Content.random(5_000, 100 + i);
      Descriptor c = Descriptor.ofBytes(MediaTypes.OCI_CONFIG, config);
      Descriptor l = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR_GZIP, own);
      src.pushBlob(repo, c, BlobSource.of(config));
      src.pushBlob(repo, baseLayer, BlobSource.of(base));
      src.pushBlob(repo, l, BlobSource.of(own));
      ImageManifest m = ImageManifest.builder().config(c).layer(baseLayer).layer(l).build();
      src.pushManifest(repo, m);
      Content.referrer(src, repo, m.plainDescriptor(), Content.ATTESTATION, 200 + i);
      images.add(m);
    }
    return images;
  }

  List<Promotion> promotions(List<ImageManifest> images, Registry to) {
    List<Promotion> list = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      list.add(Promotion.of(images.get(i).digest()).from(src, "dev/app-" + i).to(to, "prod/app-" + i));
    }
    return list;
  }

  @Test
  void aBlobSharedByTheFleetIsCopiedOnceAndMountedByTheOthers() throws Exception {
    byte[] base = Content.random(300_000, 7);
    List<ImageManifest> images = fleet(6, base);
    Digest baseDigest = Digest.sha256(base);
    // Not a RemoteRegistry: it remembers nothing, so only the fleet can know where the base is.
    Map<Digest, AtomicInteger> pushes = new ConcurrentHashMap<>();
    Registry plain = countingPushes(dst, pushes);

    List<PromotionReport> reports = PromotionFleet.of(promotions(images, plain)).concurrency(6).transfers(3).execute();

    assertThat(reports).hasSize(6);
    assertThat(pushes.get(baseDigest)).hasValue(1);
    // The empty config of the attestations is shared too.
    assertThat(pushes.get(Descriptor.EMPTY.digest())).hasValue(1);
    assertThat(reports.stream().mapToInt(PromotionReport::blobsMounted).sum()).isEqualTo(10);
    for (int i = 0; i < images.size(); i++) {
      assertThat(reports.get(i).plan().digest()).isEqualTo(images.get(i).digest());
      Content.assertPromoted(src, "dev/app-" + i, dst, "prod/app-" + i, images.get(i).digest());
    }
    assertThat(PromotionFleet.of(promotions(images, dst)).execute()).allMatch(r -> r.writes() == 0);
  }

  @Test
  void promotionsIntoOneRepositoryCopyASharedBlobOnce() throws Exception {
    byte[] base = Content.random(50_000, 11);
    List<ImageManifest> images = fleet(3, base);
    Map<Digest, AtomicInteger> pushes = new ConcurrentHashMap<>();
    Registry plain = countingPushes(dst, pushes);
    List<Promotion> list = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      list.add(Promotion.of(images.get(i).digest()).from(src, "dev/app-" + i).to(plain, "prod/all"));
    }
    List<PromotionReport> reports = PromotionFleet.of(list).concurrency(3).execute();

    assertThat(pushes.get(Digest.sha256(base))).hasValue(1);
    assertThat(reports.stream().mapToInt(PromotionReport::blobsMounted).sum()).isZero();
    for (ImageManifest m : images) {
      assertThat(dst.hasManifest("prod/all", m.digest())).isTrue();
    }
  }

  @Test
  void blobTransfersAcrossTheFleetAreBounded() throws Exception {
    List<ImageManifest> images = fleet(4, Content.random(1000, 8));
    AtomicInteger now = new AtomicInteger();
    AtomicInteger max = new AtomicInteger();
    Registry slow = new DelegatingRegistry(dst) {
      @Override
      public void pushBlob(String repository, Descriptor blob, BlobSource source) throws AttestException {
        max.accumulateAndGet(now.incrementAndGet(), Math::max);
        try {
          Thread.sleep(20);
          super.pushBlob(repository, blob, source);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          now.decrementAndGet();
        }
      }
    };
    List<Promotion> list = promotions(images, slow);
    list.forEach(p -> p.parallelism(4));
    PromotionFleet.of(list).concurrency(4).transfers(2).execute();
    assertThat(max.get()).isBetween(1, 2);
  }

  @Test
  void everyPromotionRunsAndTheFirstFailureIsThrownWithTheOthers() throws Exception {
    List<ImageManifest> images = fleet(3, Content.random(1000, 9));
    List<Promotion> list = new ArrayList<>(promotions(images, dst));
    Digest absent = Digest.sha256("nothing".getBytes(StandardCharsets.UTF_8));
    list.add(1, Promotion.of(absent).from(src, "dev/app-0").to(dst, "prod/missing-1"));
    list.add(Promotion.of(absent).from(src, "dev/app-0").to(dst, "prod/missing-2"));

    assertThatThrownBy(() -> PromotionFleet.of(list).concurrency(2).execute())
        .isInstanceOf(AttestException.class)
        .satisfies(e -> assertThat(e.getSuppressed()).hasSize(1));
    for (int i = 0; i < images.size(); i++) {
      Content.assertPromoted(src, "dev/app-" + i, dst, "prod/app-" + i, images.get(i).digest());
    }
    assertThatThrownBy(() -> PromotionFleet.of(List.of(list.get(0), list.get(0))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PromotionFleet.of(list).concurrency(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PromotionFleet.of(list).transfers(65)).isInstanceOf(IllegalArgumentException.class);
    assertThat(PromotionFleet.of(List.of()).execute()).isEmpty();
  }

  /**
   * With a listener the executor counts bytes on the source's verifying stream itself, so the
   * destination still sees a verifying stream and does not hash every byte a second time.
   */
  @Test
  void aListenerDoesNotHideTheVerifyingStream() throws Exception {
    ImageManifest img = Content.image(src, "dev/api", 14, 3 * 1024 * 1024 + 5, "amd64");
    List<Boolean> verifying = new CopyOnWriteArrayList<>();
    Registry seeing = new DelegatingRegistry(dst) {
      @Override
      public void pushBlob(String repository, Descriptor blob, BlobSource source) throws AttestException {
        InputStream in;
        try {
          in = source.open();
        } catch (java.io.IOException e) {
          throw new AttestException(e.getMessage(), e);
        }
        verifying.add(in instanceof VerifyingInputStream v && v.verifies(blob.digest(), blob.size()));
        super.pushBlob(repository, blob, () -> in);
      }
    };
    List<Long> progress = new CopyOnWriteArrayList<>();
    Descriptor layer = img.layers().get(0);
    Promotion.of(img.digest()).from(src, "dev/api").to(seeing, "prod/api").listener(e -> {
      if (e instanceof PromotionEvent.BlobProgress p && p.digest().equals(layer.digest())) {
        progress.add(p.transferred());
      }
    }).execute();

    assertThat(verifying).hasSize(2).containsOnly(true);
    assertThat(progress).hasSizeGreaterThanOrEqualTo(3).isSorted().endsWith(layer.size());
  }

  /** Manifests are pushed in levels: each after what it needs, independent ones together. */
  @Test
  void manifestsArePushedInDependencyLevels() throws Exception {
    ImageManifest single = Content.single(src, "dev/api", 50, 1000);
    PromotionPlan plan = Promotion.of(single.digest()).from(src, "dev/api").to(dst, "prod/api").plan();
    List<List<Item>> levels = Executor.manifestLevels(plan);

    // The image; its attestation and its legacy signature; the signature on the attestation.
    assertThat(levels).extracting(List::size).containsExactly(1, 2, 1);
    assertThat(levels.get(0).get(0).digest()).isEqualTo(single.digest());
    Map<Digest, Integer> level = new HashMap<>();
    for (int l = 0; l < levels.size(); l++) {
      for (Item i : levels.get(l)) {
        level.put(i.digest(), l);
      }
    }
    for (Item i : plan.referrers()) {
      assertThat(level.get(i.digest())).isGreaterThan(level.get(i.parent()));
    }

    dev.attest.core.ImageIndex index = Content.multi(src, "dev/multi", 3);
    PromotionPlan multi = Promotion.of(index.digest()).from(src, "dev/multi").to(dst, "prod/multi").plan();
    Map<Digest, Integer> at = new HashMap<>();
    List<List<Item>> ml = Executor.manifestLevels(multi);
    for (int l = 0; l < ml.size(); l++) {
      for (Item i : ml.get(l)) {
        at.put(i.digest(), l);
      }
    }
    assertThat(at).hasSize(multi.images().size() + multi.referrers().size());
    for (Item child : multi.images()) {
      if (!child.digest().equals(index.digest())) {
        assertThat(at.get(child.digest())).isLessThan(at.get(index.digest()));
      }
    }
    for (Item r : multi.referrers()) {
      assertThat(at.get(r.digest())).isGreaterThan(at.get(r.parent()));
    }
  }

  /**
   * Against a RemoteRegistry each blob and manifest is asked about at most once, by the plan: the
   * upload needs no second HEAD, and the registry's acknowledgement of the upload (a blob's final
   * PUT, a manifest PUT answered 201 with its Docker-Content-Digest) is its check (issue 14). In a
   * repository the destination has (another image there), every item is asked about once.
   */
  @Test
  void eachBlobAndManifestIsAskedAboutOnceByThePlanAndTheRegistrysAnswerIsTheCheck() throws Exception {
    ImageManifest single = Content.single(src, "dev/api", 60, 10_000);
    Promotion.of(Content.single(src, "dev/other", 61, 1000).digest()).from(src, "dev/other").to(dst, "prod/api")
        .execute();
    List<String> heads = new CopyOnWriteArrayList<>();
    try (RemoteRegistry counted = RemoteRegistry.builder(dstServer.host()).listener(e -> {
      if (e instanceof dev.attest.registry.RegistryEvent.ResponseReceived r && r.method().equals("HEAD")) {
        heads.add(r.url().contains("/blobs/") ? "blob" : r.url().contains("/manifests/sha256:") ? "manifest" : "tag");
      }
    }).build()) {
      PromotionReport r = Promotion.of(single.digest()).from(src, "dev/api").to(counted, "prod/api").execute();
      int blobs = r.plan().blobs().size();
      int manifests = r.plan().images().size() + r.plan().referrers().size();
      assertThat(r.blobsCopied()).isEqualTo(r.plan().blobs().stream().filter(i -> !i.present()).count());
      assertThat(heads.stream().filter("blob"::equals).count()).isEqualTo(blobs);
      // The plan's HEAD of each; no check after the push (before issue 14: a second HEAD each).
      assertThat(heads.stream().filter("manifest"::equals).count()).isEqualTo(manifests);
    }
    Content.assertPromoted(src, "dev/api", dst, "prod/api", single.digest());
  }

  /**
   * A repository the destination answers it does not know ({@code NAME_UNKNOWN}) holds nothing:
   * after the HEAD of the image (absent) and one tag listing, no blob, manifest, referrers index
   * or tag is asked about there; everything is copied, and a re-run writes nothing (issue 14).
   */
  @Test
  void inARepositoryTheDestinationDoesNotKnowNothingElseIsAskedAbout() throws Exception {
    ImageManifest single = Content.single(src, "dev/api", 60, 10_000);
    List<String> asked = new CopyOnWriteArrayList<>();
    try (RemoteRegistry counted = RemoteRegistry.builder(dstServer.host()).listener(e -> {
      if (e instanceof dev.attest.registry.RegistryEvent.ResponseReceived r
          && (r.method().equals("HEAD") || r.method().equals("GET"))) {
        asked.add(r.method() + " " + r.url() + " " + r.status());
      }
    }).build()) {
      PromotionReport r = Promotion.of(single.digest()).from(src, "dev/api").to(counted, "prod/new").tags("v1")
          .execute();
      assertThat(r.plan().referrers()).isNotEmpty();
      assertThat(r.blobsCopied()).isEqualTo(r.plan().blobs().size());
      assertThat(r.manifestsWritten()).isEqualTo(r.plan().images().size() + r.plan().referrers().size());
      // Asked while planning: the image (404), the tag listing (404 NAME_UNKNOWN); then the
      // executor's read of the new subject's referrers index (ADR 0016) and its confirmation.
      assertThat(asked).filteredOn(a -> a.startsWith("HEAD")).hasSize(1)
          .allMatch(a -> a.contains("/manifests/" + single.digest()) && a.endsWith(" 404"));
      assertThat(asked).filteredOn(a -> a.contains("/tags/list")).hasSize(1).allMatch(a -> a.endsWith(" 404"));
      assertThat(asked).filteredOn(a -> a.contains("/blobs/")).isEmpty();
      PromotionReport again = Promotion.of(single.digest()).from(src, "dev/api").to(counted, "prod/new").tags("v1")
          .execute();
      assertThat(again.writes()).isZero();
    }
    Content.assertPromoted(src, "dev/api", dst, "prod/new", single.digest());
  }

  /** {@code registry}, counting blob pushes by digest; not a RemoteRegistry, so it remembers no blob. */
  static Registry countingPushes(Registry registry, Map<Digest, AtomicInteger> pushes) {
    return new DelegatingRegistry(registry) {
      @Override
      public void pushBlob(String repository, Descriptor blob, BlobSource source) throws AttestException {
        pushes.computeIfAbsent(blob.digest(), k -> new AtomicInteger()).incrementAndGet();
        super.pushBlob(repository, blob, source);
      }
    };
  }
}
