package dev.attest.promote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.ImageManifest;
import dev.attest.core.MediaTypes;
import dev.attest.registry.BlobSource;
import dev.attest.registry.RegistryEvent;
import dev.attest.registry.RemoteRegistry;
import dev.attest.registry.testing.DockerRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Requests per image of a fleet promotion and of its no-op re-run between two registry 2.8.2
 * servers (issue 6, target 4): images of 3 layers, the first shared, with 4 referrers each in
 * the fallback index, each to its own destination repository, several at a time as the benchmark
 * does. Prints the counts; fails if the re-run asks more than the planner needs.
 */
class PromotionRequests28IT {
  static final int IMAGES = Integer.getInteger("it.images", 6);

  @Test
  void aNoOpRerunOfAFleetAsksAboutTenRequestsPerImage() throws Exception {
    AtomicInteger srcCount = new AtomicInteger();
    AtomicInteger dstCount = new AtomicInteger();
    AtomicInteger dstWrites = new AtomicInteger();
    try (DockerRegistry a = DockerRegistry.start(); DockerRegistry b = DockerRegistry.start();
        RemoteRegistry src = RemoteRegistry.builder(a.hostPort()).listener(e -> {
          if (e instanceof RegistryEvent.RequestSent) {
            srcCount.incrementAndGet();
          }
        }).build();
        RemoteRegistry dst = RemoteRegistry.builder(b.hostPort()).listener(e -> {
          if (e instanceof RegistryEvent.RequestSent s) {
            dstCount.incrementAndGet();
            if (!s.method().equals("GET") && !s.method().equals("HEAD")) {
              dstWrites.incrementAndGet();
            }
          }
        }).build()) {
      byte[] base = Content.random(64 * 1024, 1);
      Descriptor baseLayer = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR_GZIP, base);
      List<Digest> digests = new ArrayList<>();
      for (int i = 0; i < IMAGES; i++) {
        String repo = repo("fleet", i);
        byte[] l1 = Content.random(64 * 1024, 100 + i);
        byte[] l2 = Content.random(64 * 1024, 200 + i);
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
        Descriptor c = Descriptor.ofBytes(MediaTypes.OCI_CONFIG, config);
        Descriptor d1 = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR_GZIP, l1);
        Descriptor d2 = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR_GZIP, l2);
        src.pushBlob(repo, c, BlobSource.of(config));
        src.pushBlob(repo, baseLayer, BlobSource.of(base));
        src.pushBlob(repo, d1, BlobSource.of(l1));
        src.pushBlob(repo, d2, BlobSource.of(l2));
        ImageManifest m = ImageManifest.builder().config(c).layer(baseLayer).layer(d1).layer(d2).build();
        src.pushManifest(repo, m);
        String[] types = {Content.ATTESTATION, Content.SBOM, Content.SIGNATURE, "application/vnd.test.scan+json"};
        for (int k = 0; k < types.length; k++) {
          Content.referrer(src, repo, m.plainDescriptor(), types[k], 1000L * i + k);
        }
        digests.add(m.digest());
      }

      srcCount.set(0);
      dstCount.set(0);
      List<PromotionReport> first = promote(src, dst, digests);
      int firstSrc = srcCount.getAndSet(0);
      int firstDst = dstCount.getAndSet(0);
      dstWrites.set(0);
      assertThat(first).allSatisfy(r -> assertThat(r.plan().referrers()).hasSize(4));

      long[] cpu0 = cpu();
      long w0 = System.nanoTime();
      List<PromotionReport> second = promote(src, dst, digests);
      long wall = System.nanoTime() - w0;
      long[] cpu1 = cpu();
      System.out.printf(Locale.ROOT, "no-op re-run of %d images: %.3f s wall, JVM CPU %.3f s, registries' CPU %.3f s%n",
          IMAGES, wall / 1e9, (cpu1[0] - cpu0[0]) / 1e9, (cpu1[1] - cpu0[1]) / 1e9);
      int secondSrc = srcCount.get();
      int secondDst = dstCount.get();
      assertThat(second).allSatisfy(r -> assertThat(r.writes()).isZero());
      assertThat(dstWrites.get()).isZero();
      System.out.printf(Locale.ROOT, "requests per image: first run source %.1f destination %.1f; "
          + "no-op re-run source %.1f destination %.1f%n", (double) firstSrc / IMAGES, (double) firstDst / IMAGES,
          (double) secondSrc / IMAGES, (double) secondDst / IMAGES);
      // Source: tag listing, image, its referrers index (not the 4 referrers, which the
      // destination's index lists). Destination: a HEAD for the image, its referrers index (which,
      // listing them all, is not read again by the executor), and a HEAD for each of the 4 listed
      // referrers: a listing is a hint, not proof (issue 14); the healing checks add 4 per image.
      assertThat(secondSrc).isEqualTo(3 * IMAGES);
      // Plus one referrers API probe (404, then remembered): the first run had nothing to list
      // there, each repository being unknown to the destination.
      assertThat(secondDst).isEqualTo(6 * IMAGES + 1);
      for (int i = 0; i < IMAGES; i++) {
        Content.assertPromoted(src, repo("fleet", i), dst, repo("prod", i), digests.get(i));
      }
    }
  }

  @Test
  void aNoOpRerunOfAnUnattestedImageAsksTheDestinationOnlyAboutTheImageAndItsTag() throws Exception {
    List<String> dstRequests = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (DockerRegistry a = DockerRegistry.start(); DockerRegistry b = DockerRegistry.start();
        RemoteRegistry src = RemoteRegistry.builder(a.hostPort()).build();
        RemoteRegistry dst = RemoteRegistry.builder(b.hostPort()).listener(e -> {
          if (e instanceof RegistryEvent.RequestSent s) {
            dstRequests.add(s.method() + " " + s.url().replaceFirst("^https?://[^/]+", ""));
          }
        }).build()) {
      ImageManifest plain = Content.image(src, "dev/api", 41, 4096, "amd64");
      ImageManifest tagged = Content.image(src, "dev/api", 42, 4096, "arm64");
      // Untagged and unattested: 2.8.2 calls the repository unknown (no tag) after the first run,
      // so the image's HEAD is what tells the re-run it is there.
      assertThat(Promotion.of(plain.digest()).from(src, "dev/api").to(dst, "prod/plain").execute().writes())
          .isPositive();
      assertThat(Promotion.of(tagged.digest()).from(src, "dev/api").to(dst, "prod/tagged").tags("v1").execute()
          .writes()).isPositive();

      dstRequests.clear();
      PromotionReport again = Promotion.of(plain.digest()).from(src, "dev/api").to(dst, "prod/plain").execute();
      assertThat(again.writes()).isZero();
      assertThat(dstRequests).containsExactly("HEAD /v2/prod/plain/manifests/" + plain.digest());

      dstRequests.clear();
      PromotionReport tagAgain = Promotion.of(tagged.digest()).from(src, "dev/api").to(dst, "prod/tagged")
          .tags("v1").execute();
      assertThat(tagAgain.writes()).isZero();
      assertThat(dstRequests).containsExactlyInAnyOrder("HEAD /v2/prod/tagged/manifests/" + tagged.digest(),
          "HEAD /v2/prod/tagged/manifests/v1");
      Content.assertPromoted(src, "dev/api", dst, "prod/plain", plain.digest());
      Content.assertPromoted(src, "dev/api", dst, "prod/tagged", tagged.digest());
    }
  }

  /** CPU time in ns of this JVM and of its child processes (the registries, from /proc on Linux). */
  static long[] cpu() throws Exception {
    long jvm = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
    long children = 0;
    for (ProcessHandle h : ProcessHandle.current().children().toList()) {
      java.nio.file.Path proc = java.nio.file.Path.of("/proc/" + h.pid() + "/stat");
      if (!java.nio.file.Files.exists(proc)) {
        continue;
      }
      String stat = java.nio.file.Files.readString(proc);
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      children += (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L; // clock ticks of 10 ms
    }
    return new long[] {jvm, children};
  }

  private static String repo(String namespace, int i) {
    return String.format(Locale.ROOT, "%s/app-%03d", namespace, i);
  }

  private static List<PromotionReport> promote(RemoteRegistry src, RemoteRegistry dst, List<Digest> digests)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<PromotionReport>> fs = new ArrayList<>();
      for (int i = 0; i < digests.size(); i++) {
        Digest d = digests.get(i);
        String from = repo("fleet", i);
        String to = repo("prod", i);
        fs.add(pool.submit(() -> Promotion.of(d).from(src, from).to(dst, to).execute()));
      }
      List<PromotionReport> out = new ArrayList<>();
      for (Future<PromotionReport> f : fs) {
        out.add(f.get());
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }
}
