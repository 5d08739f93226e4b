package dev.attest.promote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.AttestException;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.ImageIndex;
import dev.attest.core.ImageManifest;
import dev.attest.registry.Registry;
import dev.attest.registry.RegistryEvent;
import dev.attest.registry.RemoteRegistry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * What planning costs in requests, between two embedded registries without the referrers API (as
 * registry 2.8.2): a no-op re-run of a fleet promotion must stay cheap (issue 6, target 4).
 */
class PlanningRequestsTest extends TwoRegistries {
  final List<String> srcRequests = new CopyOnWriteArrayList<>();
  final List<String> dstRequests = new CopyOnWriteArrayList<>();

  @Override
  boolean sourceHasReferrersApi() {
    return false;
  }

  @Override
  RemoteRegistry.Builder client(RemoteRegistry.Builder builder, boolean source) {
    List<String> into = source ? srcRequests : dstRequests;
    return builder.listener(e -> record(e, into));
  }

  private static void record(RegistryEvent e, List<String> into) {
    if (e instanceof RegistryEvent.RequestSent s) {
      into.add(s.method() + " " + s.url().replaceFirst("^https?://[^/]+", ""));
    }
  }

  /** A fleet image: a config, a layer, and 4 referrers in the fallback index. */
  private ImageManifest fleetImage(String repo, int n) throws Exception {
    ImageManifest img = Content.image(src, repo, 100 + n, 2048, "amd64");
    String[] types = {Content.ATTESTATION, Content.SBOM, Content.SIGNATURE, "application/vnd.test.scan+json"};
    for (int i = 0; i < types.length; i++) {
      Content.referrer(src, repo, img.plainDescriptor(), types[i], 1000L * n + i);
    }
    return img;
  }

  private static long count(List<String> requests, Predicate<String> which) {
    return requests.stream().filter(which).count();
  }

  @Test
  void aNoOpRerunOfAFleetAsksLittle() throws Exception {
    int images = 3;
    List<Digest> digests = new ArrayList<>();
    for (int i = 0; i < images; i++) {
      digests.add(fleetImage("fleet/app-" + i, i).digest());
    }
    for (int i = 0; i < images; i++) {
      PromotionReport first = Promotion.of(digests.get(i)).from(src, "fleet/app-" + i).to(dst, "prod/app-" + i)
          .execute();
      assertThat(first.plan().referrers()).hasSize(4);
      assertThat(first.writes()).isPositive();
    }
    srcRequests.clear();
    dstRequests.clear();

    for (int i = 0; i < images; i++) {
      PromotionReport again = Promotion.of(digests.get(i)).from(src, "fleet/app-" + i).to(dst, "prod/app-" + i)
          .execute();
      assertThat(again.writes()).isZero();
      assertThat(again.plan().complete()).isTrue();
      assertThat(again.plan().referrers()).hasSize(4);
    }
    // Per image, at the source: one tag listing, the image and its referrers index; not the 4
    // referrers, which the destination's index lists (present, identical by digest). The
    // referrers API (404) was remembered from the first run, and no legacy .sig/.att tag or
    // referrers index of a referrer is asked for, as the listing has none.
    // (Before: 5 requests for each of the 5 manifests; then 7, with the 4 referrers.)
    assertThat(srcRequests).as("source requests").hasSize(3 * images);
    assertThat(count(srcRequests, r -> r.contains("/manifests/sha256:"))).as("manifest GETs").isEqualTo(images);
    for (Digest d : digests) {
      assertThat(srcRequests).anyMatch(r -> r.endsWith("/manifests/" + d));
    }
    assertThat(count(srcRequests, r -> r.contains("/tags/list"))).isEqualTo(images);
    assertThat(count(srcRequests, r -> r.contains("/referrers/"))).isZero();
    assertThat(count(srcRequests, r -> r.endsWith(".sig") || r.endsWith(".att"))).isZero();
    // At the destination: a HEAD for the image, its referrers index, and a HEAD for each of the
    // 4 referrers the index lists (a listing is a hint, not proof: issue 14); the image's blobs and
    // the referrers' are implied by their manifests. The executor does not read the index again,
    // as the plan's reading lists every referrer. The healing checks add 4 HEADs per image.
    // (Before: a HEAD for each of 14 items, and the referrers API and index; then 2.)
    // The first run never listed referrers there (each repository was unknown to the
    // destination: nothing to list), so this run asks the referrers API once (404, remembered).
    assertThat(count(dstRequests, r -> r.startsWith("HEAD"))).isEqualTo(5 * images);
    assertThat(count(dstRequests, r -> r.contains("/referrers/"))).isOne();
    assertThat(dstRequests).as("destination requests").hasSize(6 * images + 1);
    assertThat(count(dstRequests, r -> !r.startsWith("GET") && !r.startsWith("HEAD"))).as("writes").isZero();
  }

  @Test
  void aNoOpRerunOfAnUnattestedImageAsksTheDestinationOnlyAboutTheImageAndItsTag() throws Exception {
    ImageManifest plain = Content.image(src, "dev/api", 31, 2048, "amd64");
    ImageManifest tagged = Content.image(src, "dev/api", 32, 2048, "arm64");
    Promotion.of(plain.digest()).from(src, "dev/api").to(dst, "prod/plain").execute();
    Promotion.of(tagged.digest()).from(src, "dev/api").to(dst, "prod/tagged").tags("v1").execute();
    dstRequests.clear();

    PromotionReport again = Promotion.of(plain.digest()).from(src, "dev/api").to(dst, "prod/plain").execute();
    assertThat(again.writes()).isZero();
    assertThat(again.plan().complete()).isTrue();
    // The source lists no referrer of the image: nothing reads the destination's listing of it,
    // so it is not asked (before: its referrers API probe and its sha256-<hex> index, both 404).
    assertThat(dstRequests).containsExactly("HEAD /v2/prod/plain/manifests/" + plain.digest());

    dstRequests.clear();
    PromotionReport tagAgain = Promotion.of(tagged.digest()).from(src, "dev/api").to(dst, "prod/tagged").tags("v1")
        .execute();
    assertThat(tagAgain.writes()).isZero();
    assertThat(tagAgain.tagsWritten()).isZero();
    assertThat(dstRequests).containsExactlyInAnyOrder("HEAD /v2/prod/tagged/manifests/" + tagged.digest(),
        "HEAD /v2/prod/tagged/manifests/v1");
  }

  @Test
  void theListedReferrersAreConfirmedWithoutWaitingForTheListing() throws Exception {
    ImageManifest img = fleetImage("dev/api", 4);
    Promotion.of(img.digest()).from(src, "dev/api").to(dst, "prod/api").execute();
    Set<Digest> referrers = new HashSet<>();
    src.referrers("dev/api", img.digest(), null).forEach(d -> referrers.add(d.digest()));
    CountDownLatch headed = new CountDownLatch(1);
    AtomicBoolean listingWaited = new AtomicBoolean();
    Registry slowListing = new DelegatingRegistry(dst) {
      @Override
      public boolean hasManifest(String repository, Digest digest) throws AttestException {
        if (referrers.contains(digest)) {
          headed.countDown();
        }
        return super.hasManifest(repository, digest);
      }

      @Override
      public List<Descriptor> referrers(String repository, Digest subject, @Nullable String artifactType)
          throws AttestException {
        // A slow listing: the HEADs of the referrers the source lists go out meanwhile. A bound,
        // not a timing: a planner that waits for the listing first would wait here in vain.
        try {
          listingWaited.set(!headed.await(20, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return super.referrers(repository, subject, artifactType);
      }
    };
    PromotionPlan plan = Promotion.of(img.digest()).from(src, "dev/api").to(slowListing, "prod/api").plan();
    assertThat(listingWaited).as("the listing waited for a HEAD that never came").isFalse();
    assertThat(plan.complete()).isTrue();
    assertThat(plan.referrers()).hasSize(4).allSatisfy(r -> assertThat(r.present()).isTrue());
    // Present, listed and confirmed: not fetched at the source.
    assertThat(plan.referrers()).allSatisfy(r -> assertThat(plan.manifest(r.digest())).isEmpty());
  }

  @Test
  void checkEveryItemAsksAboutEveryItemAndFindsWhatIsGone() throws Exception {
    ImageManifest img = fleetImage("dev/api", 1);
    Promotion.of(img.digest()).from(src, "dev/api").to(dst, "prod/api").execute();
    // Deleted piecemeal at the destination: a layer, and a referrer left in its subject's index.
    Descriptor layer = img.layers().get(0);
    dst.delete("prod/api", layer.digest());
    Digest sbom = src.referrers("dev/api", img.digest(), Content.SBOM).get(0).digest();
    dst.delete("prod/api", sbom);
    assertThat(dst.referrers("prod/api", img.digest(), null)).extracting(Descriptor::digest).contains(sbom);
    dstRequests.clear();

    // By default the image vouches for its blobs, but the index does not vouch for the referrer:
    // its HEAD finds it gone, a repair.
    PromotionPlan implied = Promotion.of(img.digest()).from(src, "dev/api").to(dst, "prod/api").plan();
    assertThat(implied.toWrite()).extracting(PromotionPlan.Item::digest).containsExactly(sbom);
    assertThat(implied.toRepair()).extracting(PromotionPlan.Item::digest).containsExactly(sbom);
    assertThat(count(dstRequests, r -> r.startsWith("HEAD") && r.contains("/blobs/") && r.endsWith(layer.digest().toString())))
        .isZero();

    dstRequests.clear();
    PromotionReport strict = Promotion.of(img.digest()).from(src, "dev/api").to(dst, "prod/api").checkEveryItem()
        .execute();
    // config, layer, the referrers' shared empty config and their 4 payloads; 5 manifests
    assertThat(count(dstRequests, r -> r.startsWith("HEAD") && r.contains("/blobs/"))).isGreaterThanOrEqualTo(7);
    assertThat(strict.plan().toWrite()).extracting(PromotionPlan.Item::digest)
        .containsExactlyInAnyOrder(layer.digest(), sbom);
    assertThat(strict.blobsCopied()).isEqualTo(1);
    assertThat(strict.manifestsWritten()).isEqualTo(1);
    assertThat(dst.hasBlob("prod/api", layer.digest())).isTrue();
    assertThat(dst.hasManifest("prod/api", sbom)).isTrue();
  }

  @Test
  void everyManifestIsConfirmedOnceAndAManifestVouchesForItsBlobs() throws Exception {
    ImageIndex index = Content.multi(src, "dev/api", 5);
    Promotion.of(index.digest()).from(src, "dev/api").to(dst, "prod/api").execute();
    // A run that died between writing a child's SBOM and indexing it, then lost the SBOM: its
    // manifest is gone and the child's index does not list it.
    Digest child = index.manifests().get(1).digest();
    Digest sbom = src.referrers("dev/api", child, Content.SBOM).get(0).digest();
    dst.delete("prod/api", sbom);
    ImageIndex.Builder without = ImageIndex.builder();
    for (Descriptor d : dst.referrers("prod/api", child, null)) {
      if (!d.digest().equals(sbom)) {
        without.manifest(d);
      }
    }
    dstServer.putManifest("prod/api", child.tagSchemaTag(), without.build());
    dstRequests.clear();

    PromotionPlan plan = Promotion.of(index.digest()).from(src, "dev/api").to(dst, "prod/api").plan();
    assertThat(plan.toWrite()).extracting(PromotionPlan.Item::digest).containsExactly(sbom);
    List<String> manifestHeads = dstRequests.stream()
        .filter(r -> r.startsWith("HEAD") && r.contains("/manifests/sha256:")).toList();
    // Every manifest once (a listing and a present index are hints, not proof: issue 14): the
    // index, its 3 children, the 9 listed referrers and the SBOM no listing names.
    assertThat(manifestHeads).hasSize(14).doesNotHaveDuplicates();
    assertThat(manifestHeads).anyMatch(r -> r.endsWith(sbom.toString()));
    // ...and the SBOM's two blobs: its payload and its empty config (the listed referrers that
    // share it are not fetched, so their blobs are not known to the plan).
    assertThat(count(dstRequests, r -> r.startsWith("HEAD") && r.contains("/blobs/"))).isEqualTo(2);
    Promotion.of(index.digest()).from(src, "dev/api").to(dst, "prod/api").execute();
    Content.assertPromoted(src, "dev/api", dst, "prod/api", index.digest());
  }

  @Test
  void theConcurrentWalkPlansInTheSameOrderAsASequentialOne() throws Exception {
    ImageIndex index = Content.multi(src, "dev/api", 7);
    ImageManifest single = Content.single(src, "dev/api", 8, 1000);
    for (Digest d : List.of(index.digest(), single.digest())) {
      PromotionPlan sequential = Promotion.of(d).from(src, "dev/api").to(dst, "prod/api").parallelism(1).plan();
      for (int i = 0; i < 3; i++) {
        PromotionPlan concurrent = Promotion.of(d).from(src, "dev/api").to(dst, "prod/api").parallelism(16).plan();
        assertThat(concurrent).isEqualTo(sequential);
      }
      PromotionTest.assertOrdered(sequential);
    }
  }

  @Test
  void aSourceWithManyTagsHasItsLegacyTagsResolvedOneByOne() throws Exception {
    ImageManifest single = Content.single(src, "dev/api", 9, 1000);
    ImageManifest other = Content.image(src, "dev/api", 10, 100, "arm64");
    for (int i = 0; i < 501; i++) {
      srcServer.putManifest("dev/api", "t" + i, other);
    }
    srcRequests.clear();
    PromotionPlan plan = Promotion.of(single.digest()).from(src, "dev/api").to(dst, "prod/api").plan();
    String sig = single.digest().tagSchemaTag() + ".sig";
    assertThat(plan.referrers()).extracting(PromotionPlan.Item::legacyTag).contains(sig);
    assertThat(plan.tags()).extracting(PromotionPlan.TagAction::tag).containsExactly(sig);
    // The listing gave up after its first page (501 tags > 500); each legacy tag was asked for.
    assertThat(count(srcRequests, r -> r.contains("/tags/list"))).isEqualTo(1);
    // the image, its attestation, the signature on that, and the legacy signature
    assertThat(count(srcRequests, r -> r.endsWith(".att"))).isEqualTo(4);
  }

  private List<String> manifestGets(List<String> requests) {
    return requests.stream().filter(r -> r.startsWith("GET") && r.contains("/manifests/sha256:")).toList();
  }

  @Test
  void aReferrerAddedAtTheSourceAfterThePromotionIsTheOnlyOneFetchedAndCopied() throws Exception {
    ImageManifest img = fleetImage("dev/api", 1);
    Promotion.of(img.digest()).from(src, "dev/api").to(dst, "prod/api").execute();
    ImageManifest scan = Content.referrer(src, "dev/api", img.plainDescriptor(), "application/vnd.test.vex+json", 77);
    srcRequests.clear();

    PromotionReport again = Promotion.of(img.digest()).from(src, "dev/api").to(dst, "prod/api").execute();
    assertThat(manifestGets(srcRequests)).as("source manifest GETs")
        .containsExactlyInAnyOrder("GET /v2/dev/api/manifests/" + img.digest(),
            "GET /v2/dev/api/manifests/" + scan.digest());
    assertThat(again.plan().referrers()).hasSize(5);
    assertThat(again.plan().toWrite()).filteredOn(i -> i.kind() != PromotionPlan.Kind.BLOB)
        .extracting(PromotionPlan.Item::digest).containsExactly(scan.digest());
    assertThat(again.manifestsWritten()).isEqualTo(1);
    assertThat(dst.referrers("prod/api", img.digest(), null)).extracting(Descriptor::digest).contains(scan.digest())
        .hasSize(5);
    Content.assertPromoted(src, "dev/api", dst, "prod/api", img.digest());
  }

  @Test
  void aSignatureOnAPresentAttestationIsStillFound() throws Exception {
    ImageManifest img = fleetImage("dev/api", 2);
    Promotion.of(img.digest()).from(src, "dev/api").to(dst, "prod/api").execute();
    Descriptor attestation = src.referrers("dev/api", img.digest(), Content.ATTESTATION).get(0);
    // A signature on the attestation, added at the source after the promotion.
    ImageManifest sig = Content.referrer(src, "dev/api", attestation.withoutData(), Content.SIGNATURE, 88);
    srcRequests.clear();

    PromotionReport again = Promotion.of(img.digest()).from(src, "dev/api").to(dst, "prod/api").execute();
    // The attestation is listed at the destination: not fetched, but walked for its referrers.
    assertThat(manifestGets(srcRequests)).doesNotContain("GET /v2/dev/api/manifests/" + attestation.digest())
        .contains("GET /v2/dev/api/manifests/" + sig.digest());
    assertThat(again.plan().toWrite()).filteredOn(i -> i.kind() != PromotionPlan.Kind.BLOB)
        .extracting(PromotionPlan.Item::digest).containsExactly(sig.digest());
    assertThat(again.manifestsWritten()).isEqualTo(1);
    assertThat(dst.referrers("prod/api", attestation.digest(), null)).extracting(Descriptor::digest)
        .containsExactly(sig.digest());

    // Once copied, both are present and neither is fetched; the signature is still in the plan.
    srcRequests.clear();
    PromotionReport third = Promotion.of(img.digest()).from(src, "dev/api").to(dst, "prod/api").execute();
    assertThat(third.writes()).isZero();
    assertThat(third.plan().complete()).isTrue();
    assertThat(third.plan().referrers()).extracting(PromotionPlan.Item::digest).contains(sig.digest())
        .hasSize(5);
    assertThat(third.plan().referrers()).filteredOn(i -> i.digest().equals(sig.digest()))
        .extracting(PromotionPlan.Item::parent).containsExactly(attestation.digest());
    assertThat(manifestGets(srcRequests)).containsExactly("GET /v2/dev/api/manifests/" + img.digest());
    Content.assertPromoted(src, "dev/api", dst, "prod/api", img.digest());
  }

  @Test
  void checkEveryItemFetchesEveryManifestAtTheSource() throws Exception {
    ImageManifest img = fleetImage("dev/api", 3);
    Promotion.of(img.digest()).from(src, "dev/api").to(dst, "prod/api").execute();
    srcRequests.clear();
    PromotionPlan strict = Promotion.of(img.digest()).from(src, "dev/api").to(dst, "prod/api").checkEveryItem().plan();
    assertThat(strict.complete()).isTrue();
    assertThat(manifestGets(srcRequests)).hasSize(5);
    for (PromotionPlan.Item r : strict.referrers()) {
      assertThat(strict.manifest(r.digest())).isPresent();
    }
    // By default the referrers are present without their manifests.
    PromotionPlan plain = Promotion.of(img.digest()).from(src, "dev/api").to(dst, "prod/api").plan();
    assertThat(plain.referrers()).hasSize(4).allSatisfy(r -> {
      assertThat(r.present()).isTrue();
      assertThat(plain.manifest(r.digest())).isEmpty();
    });
  }
}
