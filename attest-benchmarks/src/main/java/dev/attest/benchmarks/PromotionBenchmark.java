package dev.attest.benchmarks;

import static dev.attest.benchmarks.BenchSupport.check;
import static dev.attest.benchmarks.BenchSupport.deleteTree;
import static dev.attest.benchmarks.BenchSupport.median;
import static dev.attest.benchmarks.BenchSupport.secs;
import static dev.attest.benchmarks.BenchSupport.time;
import static dev.attest.benchmarks.BenchSupport.writeRandom;
import dev.attest.core.AttestException;
import dev.attest.core.CycloneDxSbom;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.ImageManifest;
import dev.attest.core.Keys;
import dev.attest.core.MediaTypes;
import dev.attest.core.SbomComponent;
import dev.attest.core.Signer;
import dev.attest.core.SlsaProvenance;
import dev.attest.core.VulnerabilityScan;
import dev.attest.promote.Promotion;
import dev.attest.promote.PromotionReport;
import dev.attest.registry.Attestations;
import dev.attest.registry.BlobSource;
import dev.attest.registry.Registry;
import dev.attest.registry.RemoteRegistry;
import dev.attest.registry.testing.DockerRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Issue 6, "Performance": {@code Promotion} between two registry 2.8.2 instances, side by side in
 * one run with the floors and with skopeo 1.9.3.
 *
 * <ol>
 *   <li>a 1 GiB single-layer image with 4 referrers (provenance, SBOM, vulnerability scan, image
 *       signature): promotion vs curl GET piped into PUT of the layer vs {@code skopeo copy --all
 *       --preserve-digests} of the image only; every run to a fresh destination repository;
 *   <li>a 4 GiB layer promoted in a child JVM with {@code -Xmx64m};
 *   <li>a fleet of 100 images (3 layers of 4 MiB, one shared by all, and 4 referrers each):
 *       parallel promotions in one process vs a loop of {@code skopeo copy};
 *   <li>the same fleet promotion again, which must write nothing.
 * </ol>
 *
 * <p>System properties: {@code bench.size} (part 1, default 1 GiB), {@code bench.bigSize} (part
 * 2, default 4 GiB), {@code bench.runs} (default 3), {@code bench.images} (default 100), {@code
 * bench.layer} (default 4 MiB), {@code bench.pool} (promotions at once in the fleet, default {@code PromotionFleet.DEFAULT_CONCURRENCY}), {@code
 * bench.heap} (default 64m), {@code bench.parts} (any of {@code single,memory,fleet,index}), {@code
 * bench.warmup} (bytes of the warm-up promotion before part 1, default 64 MiB, 0 for none), {@code
 * bench.transfers} (blobs streamed at once by the fleet), {@code bench.fleetWarmup} (images of
 * an unrelated fleet promoted before part 3, default 0), {@code bench.trace}.
 */
public final class PromotionBenchmark {
  private static final Signer SIGNER = Keys.signer(Keys.generateP256());

  private final long size = Long.getLong("bench.size", 1L << 30);
  private final long bigSize = Long.getLong("bench.bigSize", 4L << 30);
  private final int runs = Integer.getInteger("bench.runs", 3);
  private final int images = Integer.getInteger("bench.images", 100);
  private final int layer = Integer.getInteger("bench.layer", 4 << 20);
  private final int pool = Integer.getInteger("bench.pool", dev.attest.promote.PromotionFleet.DEFAULT_CONCURRENCY);
  private final int transfers = Integer.getInteger("bench.transfers", dev.attest.promote.PromotionFleet.DEFAULT_TRANSFERS);
  private final String parts = System.getProperty("bench.parts", "single,memory,fleet");
  private final boolean trace = Boolean.getBoolean("bench.trace");
  private final Path work;
  private RequestCounter fromCalls = new RequestCounter();
  private RequestCounter toCalls = new RequestCounter();

  private PromotionBenchmark(Path work) {
    this.work = work;
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("promote")) {
      childPromote(args);
      return;
    }
    Path work = Files.createTempDirectory(Paths.get(System.getProperty("java.io.tmpdir")), "attest-pbench-");
    RequestCounter fromCalls = new RequestCounter();
    RequestCounter toCalls = new RequestCounter();
    try (DockerRegistry src = DockerRegistry.start(); DockerRegistry dst = DockerRegistry.start();
        RemoteRegistry from = RemoteRegistry.builder(src.hostPort()).listener(fromCalls).build();
        RemoteRegistry to = RemoteRegistry.builder(dst.hostPort()).listener(toCalls).build()) {
      PromotionBenchmark b = new PromotionBenchmark(work);
      b.fromCalls = fromCalls;
      b.toCalls = toCalls;
      b.line("registries: source %s, destination %s (2.8.2, filesystem storage, loopback)", src.hostPort(),
          dst.hostPort());
      if (b.parts.contains("single")) {
        b.single(src, dst, from, to);
      }
      if (b.parts.contains("memory")) {
        b.memory(src, dst, from);
      }
      if (b.parts.contains("fleet")) {
        b.fleet(src, dst, from, to);
      }
      if (b.parts.contains("index")) {
        b.index(to);
      }
    } finally {
      deleteTree(work);
    }
  }

  // ---------------------------------------------------------------- 1: 1 GiB + 4 referrers

  private void single(DockerRegistry src, DockerRegistry dst, RemoteRegistry from, RemoteRegistry to)
      throws Exception {
    Path file = work.resolve("layer-1g");
    long t0 = System.nanoTime();
    Descriptor blob = writeRandom(file, size, MediaTypes.OCI_LAYER_TAR_GZIP);
    ImageManifest image = pushImage(from, "dev/big", List.of(blob), List.of(BlobSource.of(file)), 1);
    Files.delete(file);
    attach(from, "dev/big", image.digest());
    line("");
    line("## 1. %d-byte single-layer image + 4 referrers, 2.8.2 -> 2.8.2 (set up in %.1f s)", size,
        secs(System.nanoTime() - t0));
    line("image %s, layer %s", image.digest(), blob.digest());
    warmUp(from, dst);
    List<Double> attest = new ArrayList<>();
    List<Double> curl = new ArrayList<>();
    List<Double> skopeo = new ArrayList<>();
    for (int i = 1; i <= runs; i++) {
      // Interleaved, so that the machine's other load hits all three alike; fresh repositories.
      String repo = "prod/big-" + i;
      PromotionReport[] r = new PromotionReport[1];
      // A fresh destination client per run: a client remembers where it pushed a blob and would
      // mount the layer from the previous run's repository (skopeo gets a fresh cache likewise).
      try (RemoteRegistry fresh = RemoteRegistry.builder(dst.hostPort()).build()) {
        attest.add(time(() -> r[0] = Promotion.of(image.digest()).from(from, "dev/big").to(fresh, repo).execute()));
      }
      if (r[0].plan().referrers().size() != 4 || r[0].bytesCopied() < size || r[0].blobsMounted() != 0) {
        throw new IllegalStateException("unexpected promotion: " + r[0]);
      }
      check(to, repo, blob);
      String curlRepo = "curl/big-" + i;
      curl.add(time(() -> curlCopy(src.hostPort(), "dev/big", dst.hostPort(), curlRepo, blob)));
      check(to, curlRepo, blob);
      String skopeoRepo = "skopeo/big-" + i;
      Path cache = Files.createDirectories(work.resolve("skopeo-cache-" + i));
      skopeo.add(time(() -> skopeoCopy(cache, src.hostPort() + "/dev/big@" + image.digest(),
          dst.hostPort() + "/" + skopeoRepo + ":v1")));
      check(to, skopeoRepo, blob);
      if (!to.resolve(skopeoRepo, "v1").digest().equals(image.digest())) {
        throw new IllegalStateException("skopeo changed the digest");
      }
      line("run %d: attest %.2f s (%d writes, %d bytes), curl %.2f s, skopeo %.2f s", i, attest.get(i - 1),
          r[0].writes(), r[0].bytesCopied(), curl.get(i - 1), skopeo.get(i - 1));
    }
    if (Boolean.getBoolean("bench.trace")) {
      trace(dst, from, image.digest());
    }
    summary("attest Promotion (image + 4 referrers)", attest);
    summary("curl GET | curl PUT (layer only)", curl);
    summary("skopeo copy --all --preserve-digests (image only)", skopeo);
    double r = median(attest) / median(curl);
    line("ratio attest/curl = %.3f (target <= 1.10): %s", r, r <= 1.10 ? "MET" : "MISSED");
    r = median(attest) / median(skopeo);
    line("ratio attest/skopeo = %.3f (target < 1): %s", r, r < 1 ? "MET" : "MISSED");
  }

  /**
   * An embeddable library runs in a long-lived JVM: before the measured runs, one promotion of a
   * different image ({@code bench.warmup} bytes, 64 MiB by default, + 4 referrers) to its own
   * repository, so that class loading and the JIT of the copy and hash paths are not billed to
   * the first measured run. Nothing of it can be reused by the measured runs (other blobs, other
   * repositories, a fresh destination client each).
   */
  private void warmUp(RemoteRegistry from, DockerRegistry dst) throws Exception {
    long bytes = Long.getLong("bench.warmup", 64L << 20);
    if (bytes <= 0) {
      return;
    }
    Path file = work.resolve("layer-warm");
    Descriptor blob = writeRandom(file, bytes, MediaTypes.OCI_LAYER_TAR_GZIP);
    ImageManifest image = pushImage(from, "dev/warm", List.of(blob), List.of(BlobSource.of(file)), 3);
    Files.delete(file);
    attach(from, "dev/warm", image.digest());
    try (RemoteRegistry fresh = RemoteRegistry.builder(dst.hostPort()).build()) {
      double t = time(() -> Promotion.of(image.digest()).from(from, "dev/warm").to(fresh, "warm/app").execute());
      line("warm-up: one promotion of another %d-byte image + 4 referrers in %.2f s (not counted)", bytes, t);
    }
  }

  /**
   * One more promotion, with a listener noting when each phase ended (the executor counts bytes
   * on the source's verifying stream, so the listener costs no second hash).
   */
  private void trace(DockerRegistry dst, RemoteRegistry from, Digest digest) throws Exception {
    long start = System.nanoTime();
    Map<String, Double> at = new java.util.concurrent.ConcurrentSkipListMap<>();
    try (RemoteRegistry fresh = RemoteRegistry.builder(dst.hostPort()).build()) {
      Promotion.of(digest).from(from, "dev/big").to(fresh, "trace/big").listener(e -> {
        double t = secs(System.nanoTime() - start);
        String phase = e instanceof dev.attest.promote.PromotionEvent.Planned ? "1 planned"
            : e instanceof dev.attest.promote.PromotionEvent.BlobDone ? "2 blobs done"
            : e instanceof dev.attest.promote.PromotionEvent.ManifestWritten ? "3 manifests written"
            : e instanceof dev.attest.promote.PromotionEvent.ReferrerIndexed ? "4 referrers indexed" : null;
        if (phase != null) {
          at.merge(phase, t, Math::max);
        }
      }).execute();
    }
    at.put("5 returned", secs(System.nanoTime() - start));
    line("trace (one promotion with a listener): %s", at.entrySet().stream()
        .map(e -> String.format(Locale.ROOT, "%s at %.2f s", e.getKey().substring(2), e.getValue()))
        .collect(Collectors.joining(", ")));
  }

  // ---------------------------------------------------------------- 2: 4 GiB in -Xmx64m

  private void memory(DockerRegistry src, DockerRegistry dst, RemoteRegistry from) throws Exception {
    Path file = work.resolve("layer-4g");
    long t0 = System.nanoTime();
    Descriptor blob = writeRandom(file, bigSize, MediaTypes.OCI_LAYER_TAR_GZIP);
    ImageManifest image = pushImage(from, "dev/huge", List.of(blob), List.of(BlobSource.of(file)), 2);
    Files.delete(file);
    attach(from, "dev/huge", image.digest());
    String heap = System.getProperty("bench.heap", "64m");
    line("");
    line("## 2. %d-byte layer (+ 4 referrers) promoted in a separate JVM, -Xmx%s (set up in %.1f s)", bigSize, heap,
        secs(System.nanoTime() - t0));
    Path gcLog = work.resolve("gc.log");
    List<String> cmd = List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + heap, "-Xlog:gc:file=" + gcLog, "-cp", System.getProperty("java.class.path"),
        PromotionBenchmark.class.getName(), "promote", src.hostPort(), "dev/huge", dst.hostPort(), "prod/huge",
        image.digest().toString());
    line("command: java -Xmx%s -Xlog:gc:file=<tmp>/gc.log -cp <class path> %s promote <src> dev/huge <dst> prod/huge %s",
        heap, PromotionBenchmark.class.getName(), image.digest());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    int code = p.waitFor();
    long pauses = Files.exists(gcLog) ? Files.readAllLines(gcLog).stream().filter(l -> l.contains("Pause")).count() : -1;
    line("exit code %d: %s", code, code == 0 ? "PASSED" : "FAILED");
    line("%s", out);
    line("GC pauses logged: %d", pauses);
  }

  private static void childPromote(String[] a) throws Exception {
    PromotionReport r;
    double t;
    try (RemoteRegistry from = RemoteRegistry.builder(a[1]).build();
        RemoteRegistry to = RemoteRegistry.builder(a[3]).build()) {
      Digest d = Digest.parse(a[5]);
      PromotionReport[] box = new PromotionReport[1];
      t = time(() -> box[0] = Promotion.of(d).from(from, a[2]).to(to, a[4]).execute());
      r = box[0];
    }
    long peakHeap = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peakHeap += pool.getPeakUsage().getUsed();
      }
    }
    String hwm = Files.readString(Paths.get("/proc/self/status")).lines().filter(l -> l.startsWith("VmHWM"))
        .map(l -> l.replaceAll("\\s+", " ")).findFirst().orElse("VmHWM ?");
    System.out.printf(Locale.ROOT, "promoted %d bytes in %.2f s (%.3f GB/s), %d writes; max heap %d MiB;"
            + " peak heap used (sum of pool peaks) %.1f MiB; %s%n", r.bytesCopied(), t, r.bytesCopied() / 1e9 / t,
        r.writes(), Runtime.getRuntime().maxMemory() >> 20, peakHeap / 1048576.0, hwm);
  }

  // ---------------------------------------------------------------- 3 and 4: the fleet

  private void fleet(DockerRegistry src, DockerRegistry dst, RemoteRegistry from, RemoteRegistry to)
      throws Exception {
    long t0 = System.nanoTime();
    SplittableRandom random = new SplittableRandom(42);
    byte[] base = bytes(random, layer);
    Descriptor baseDesc = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR_GZIP, base);
    List<Digest> digests = new ArrayList<>();
    // Set up in parallel: attaching 4 referrers on 2.8.2 waits on fallback-index confirmations.
    ExecutorService setup = Executors.newFixedThreadPool(pool);
    try {
      List<Future<Digest>> fs = new ArrayList<>();
      for (int i = 0; i < images; i++) {
        long seed = random.nextLong();
        int n = i;
        fs.add(setup.submit(() -> {
          SplittableRandom own = new SplittableRandom(seed);
          byte[] l1 = bytes(own, layer);
          byte[] l2 = bytes(own, layer);
          String repo = String.format(Locale.ROOT, "fleet/app-%03d", n);
          ImageManifest m = pushImage(from, repo,
              List.of(baseDesc, Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR_GZIP, l1),
                  Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR_GZIP, l2)),
              List.of(BlobSource.of(base), BlobSource.of(l1), BlobSource.of(l2)), 1000 + n);
          attach(from, repo, m.digest());
          return m.digest();
        }));
      }
      for (Future<Digest> f : fs) {
        digests.add(f.get());
      }
    } finally {
      setup.shutdownNow();
    }
    int warm = Integer.getInteger("bench.fleetWarmup", 0);
    List<Digest> warmDigests = new ArrayList<>();
    byte[] warmBase = bytes(random, layer);
    Descriptor warmBaseDesc = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR_GZIP, warmBase);
    for (int i = 0; i < warm; i++) {
      String repo = String.format(Locale.ROOT, "warm/app-%03d", i);
      byte[] l1 = bytes(random, layer);
      byte[] l2 = bytes(random, layer);
      ImageManifest m = pushImage(from, repo, List.of(warmBaseDesc, Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR_GZIP, l1),
          Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR_GZIP, l2)),
          List.of(BlobSource.of(warmBase), BlobSource.of(l1), BlobSource.of(l2)), 5000 + i);
      attach(from, repo, m.digest());
      warmDigests.add(m.digest());
    }
    line("");
    line("## 3. fleet: %d images x 3 layers of %d bytes (one shared) + 4 referrers each (set up in %.1f s)", images,
        layer, secs(System.nanoTime() - t0));
    if (warm > 0) {
      // As in part 1: a long-lived JVM has compiled the promotion paths before; these images
      // share nothing with the fleet (their own base layer, their own repositories).
      List<Promotion> ps = new ArrayList<>();
      for (int i = 0; i < warm; i++) {
        String repo = String.format(Locale.ROOT, "app-%03d", i);
        ps.add(Promotion.of(warmDigests.get(i)).from(from, "warm/" + repo).to(to, "warm-fleet/" + repo));
      }
      double t = time(() -> dev.attest.promote.PromotionFleet.of(ps).concurrency(pool).transfers(transfers).execute());
      line("warm-up: a fleet of %d other images promoted in %.2f s (not counted)", warm, t);
    }

    // skopeo first: the loop a user would write, one blob-info cache for the whole loop.
    Path cache = Files.createDirectories(work.resolve("skopeo-cache-fleet"));
    Cpu cpu = new Cpu();
    double skopeo = time(() -> {
      for (int i = 0; i < images; i++) {
        String repo = String.format(Locale.ROOT, "app-%03d", i);
        skopeoCopy(cache, src.hostPort() + "/fleet/" + repo + "@" + digests.get(i),
            dst.hostPort() + "/skopeo-fleet/" + repo + ":v1");
      }
    });
    line("skopeo loop (images only, %d x skopeo copy): %.2f s; CPU %s", images, skopeo, cpu.since());

    PromotionReport[] first = new PromotionReport[images];
    FleetTrace phases = new FleetTrace(images);
    fromCalls.reset();
    toCalls.reset();
    fromCalls.trace = phases;
    toCalls.trace = phases;
    cpu = new Cpu();
    double attest = time(() -> promoteFleet(from, to, digests, first, phases));
    String attestCpu = cpu.since();
    double firstJvm = cpu.jvmSeconds();
    long firstSrcRequests = fromCalls.total();
    long firstDstRequests = toCalls.total();
    long writes = Arrays.stream(first).mapToLong(PromotionReport::writes).sum();
    long bytes = Arrays.stream(first).mapToLong(PromotionReport::bytesCopied).sum();
    int blobs = Arrays.stream(first).mapToInt(PromotionReport::blobsCopied).sum();
    line("attest, %d promotions in one process, %d at a time: %.2f s (%d writes, %d blobs, %d bytes); CPU %s", images,
        pool, attest, writes, blobs, bytes, attestCpu);
    for (int i = 0; i < images; i++) {
      if (first[i].plan().referrers().size() != 4) {
        throw new IllegalStateException("expected 4 referrers: " + first[i]);
      }
    }
    if (trace) {
      phases.print(this);
      line("source requests (first fleet run): %s", fromCalls);
      line("destination requests (first fleet run): %s", toCalls);
    }
    perImage(images, firstSrcRequests, firstDstRequests, firstJvm, 25);
    double r = skopeo / attest;
    line("speed-up attest vs skopeo loop = %.2fx (target >= 1.6): %s", r, r >= 1.6 ? "MET" : "MISSED");

    PromotionReport[] second = new PromotionReport[images];
    fromCalls.reset();
    toCalls.reset();
    FleetTrace phases2 = new FleetTrace(images);
    fromCalls.trace = phases2;
    toCalls.trace = phases2;
    cpu = new Cpu();
    double again = time(() -> promoteFleet(from, to, digests, second, phases2));
    String againCpu = cpu.since();
    double againJvm = cpu.jvmSeconds();
    long againSrcRequests = fromCalls.total();
    long againDstRequests = toCalls.total();
    long healingHeads = Arrays.stream(second).mapToLong(p -> p.plan().referrers().size()).sum();
    long writes2 = Arrays.stream(second).mapToLong(PromotionReport::writes).sum();
    if (writes2 != 0) {
      throw new IllegalStateException("the second fleet promotion wrote " + writes2 + " times");
    }
    line("");
    line("## 4. the same fleet promotion again: %.2f s, %d writes; CPU %s", again, writes2, againCpu);
    if (trace) {
      phases2.print(this);
      line("source requests (second fleet run): %s", fromCalls);
      line("destination requests (second fleet run): %s", toCalls);
    }
    perImage(images, againSrcRequests, againDstRequests, againJvm, Integer.MAX_VALUE);
    line("healing checks in the second run: %d destination HEADs of listed referrers (%.1f per image)",
        healingHeads, (double) healingHeads / images);
    r = again / attest;
    line("ratio second/first = %.3f (target < 0.06): %s", r, r < 0.06 ? "MET" : "MISSED");
  }

  /** Requests and client CPU per promoted image, against the issue 14 targets. */
  private void perImage(int images, long src, long dst, double jvmSeconds, int dstTarget) {
    double perDst = (double) dst / images;
    double ms = jvmSeconds * 1000 / images;
    line("per image: source %.1f requests, destination %.1f requests%s; client CPU %.1f ms (target <= 60): %s",
        (double) src / images, perDst, dstTarget == Integer.MAX_VALUE ? ""
            : String.format(Locale.ROOT, " (target <= %d: %s)", dstTarget, perDst <= dstTarget ? "MET" : "MISSED"),
        ms, ms <= 60 ? "MET" : "MISSED");
  }

  /** The fleet through {@code PromotionFleet}: {@code bench.pool} promotions, {@code bench.transfers} blobs at once. */
  private void promoteFleet(Registry from, Registry to, List<Digest> digests, PromotionReport[] out,
      FleetTrace phases) throws Exception {
    List<Promotion> promotions = new ArrayList<>();
    for (int i = 0; i < digests.size(); i++) {
      String repo = String.format(Locale.ROOT, "app-%03d", i);
      Promotion p = Promotion.of(digests.get(i)).from(from, "fleet/" + repo).to(to, "attest-fleet/" + repo);
      if (trace) {
        p.listener(phases.listener(i));
      }
      promotions.add(p);
    }
    List<PromotionReport> reports = dev.attest.promote.PromotionFleet.of(promotions).concurrency(pool)
        .transfers(transfers).execute();
    for (int i = 0; i < out.length; i++) {
      out[i] = reports.get(i);
    }
  }

  /**
   * Per promotion of a fleet, when each phase ended (from the promotion's start): planned, blobs
   * done, manifests written, referrers indexed, returned.
   */
  private static final class FleetTrace {
    private static final String[] PHASES = {"plan", "blobs", "manifests", "index", "rest"};
    private final long[][] at;

    FleetTrace(int n) {
      at = new long[n][6];
    }

    dev.attest.promote.PromotionListener listener(int n) {
      long[] t = at[n];
      return e -> {
        int phase = e instanceof dev.attest.promote.PromotionEvent.Planned ? 1
            : e instanceof dev.attest.promote.PromotionEvent.BlobDone ? 2
            : e instanceof dev.attest.promote.PromotionEvent.ManifestWritten ? 3
            : e instanceof dev.attest.promote.PromotionEvent.ReferrerIndexed ? 4 : 0;
        if (phase > 0) {
          synchronized (t) {
            t[phase] = Math.max(t[phase], System.nanoTime());
          }
        }
      };
    }


    private static final Pattern SOURCE = Pattern.compile("/v2/fleet/app-(\\d+)/");
    private static final Pattern DESTINATION = Pattern.compile("/v2/attest-fleet/app-(\\d+)/");

    /** A promotion starts with its first request to the source and ends with its last answer from the destination. */
    void onRequest(String url, boolean answered) {
      long now = System.nanoTime();
      java.util.regex.Matcher m = (answered ? DESTINATION : SOURCE).matcher(url);
      if (!m.find()) {
        return;
      }
      int n = Integer.parseInt(m.group(1));
      if (n >= at.length) {
        return;
      }
      long[] t = at[n];
      synchronized (t) {
        if (answered) {
          t[5] = Math.max(t[5], now);
        } else if (t[0] == 0) {
          t[0] = now;
        }
      }
    }

    /** Median and mean duration of each phase; a phase with no event takes no time. */
    void print(PromotionBenchmark b) {
      if (at.length == 0 || at[0][0] == 0) {
        return;
      }
      StringBuilder out = new StringBuilder();
      double total = 0;
      for (int p = 1; p <= 5; p++) {
        List<Double> d = new ArrayList<>();
        for (long[] t : at) {
          long prev = t[0];
          for (int q = 1; q < p; q++) {
            prev = Math.max(prev, t[q]);
          }
          d.add(t[p] == 0 ? 0 : Math.max(0, t[p] - prev) / 1e6);
        }
        double mean = d.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        total += mean;
        out.append(String.format(Locale.ROOT, "%s median %.0f / mean %.0f ms; ", PHASES[p - 1], median(d), mean));
      }
      b.line("fleet phases per promotion: %stotal mean %.0f ms", out, total);
    }
  }

  /**
   * CPU time used since construction by this JVM, by the registries (child processes still
   * running) and by children already reaped (skopeo, curl), from /proc.
   */
  private static final class Cpu {
    private final double jvm = jvmCpu();
    private final double jvmSys = selfStat(12);
    private final double registries = registriesCpu();
    private final double reaped = reapedCpu();
    private final Map<Long, double[]> threads = threads();

    /** This JVM's CPU seconds since this was made. */
    double jvmSeconds() {
      return jvmCpu() - jvm;
    }

    String since() {
      double total = jvmCpu() - jvm;
      // Per kind of JVM thread (JIT, GC, ...), from /proc/self/task; exited threads are "exited".
      Map<String, Double> byKind = new java.util.TreeMap<>();
      double alive = 0;
      Map<Long, double[]> now = threads();
      for (Map.Entry<Long, double[]> e : now.entrySet()) {
        double[] before = threads.get(e.getKey());
        double d = e.getValue()[0] - (before == null ? 0 : before[0]);
        alive += d;
        byKind.merge(kindName(e.getValue()), d, Double::sum);
      }
      byKind.put("exited", Math.max(0, total - alive));
      String kinds = byKind.entrySet().stream().filter(e -> e.getValue() >= 0.05)
          .sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
          .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue())).collect(Collectors.joining(", "));
      return String.format(Locale.ROOT,
          "JVM %.2f s (%.2f s in the kernel; by thread: %s), registries %.2f s, other processes %.2f s",
          total, selfStat(12) - jvmSys, kinds, registriesCpu() - registries, reapedCpu() - reaped);
    }

    private static final Map<Long, String> NAMES = new java.util.concurrent.ConcurrentHashMap<>();

    private static String kindName(double[] v) {
      return NAMES.getOrDefault((long) v[1], "?");
    }

    /** tid -> {cpu seconds, tid}; names kept in NAMES, digits stripped. */
    private static Map<Long, double[]> threads() {
      Map<Long, double[]> out = new java.util.HashMap<>();
      try (Stream<Path> tasks = Files.list(Paths.get("/proc/self/task"))) {
        for (Path t : (Iterable<Path>) tasks::iterator) {
          try {
            String stat = Files.readString(t.resolve("stat"));
            String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9#]+", "").trim();
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long tid = Long.parseLong(t.getFileName().toString());
            NAMES.put(tid, comm);
            out.put(tid, new double[] {(Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0, tid});
          } catch (IOException | RuntimeException e) {
            // exited meanwhile
          }
        }
      } catch (IOException e) {
        // no /proc
      }
      return out;
    }

    /** A clock-tick field of /proc/self/stat, counted from the field after the command, in seconds. */
    private static double selfStat(int field) {
      try {
        String stat = Files.readString(Paths.get("/proc/self/stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[field]) / 100.0;
      } catch (IOException | RuntimeException e) {
        return 0;
      }
    }

    private static double jvmCpu() {
      return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
          .getProcessCpuTime() / 1e9;
    }

    private static double registriesCpu() {
      return ProcessHandle.current().children()
          .filter(p -> p.info().command().orElse("").contains("registry"))
          .mapToDouble(p -> p.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0)).sum();
    }

    /** cutime + cstime of /proc/self/stat: children waited for. */
    private static double reapedCpu() {
      try {
        String stat = Files.readString(Paths.get("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[13]) + Long.parseLong(f[14])) / 100.0;
      } catch (IOException | RuntimeException e) {
        return 0;
      }
    }
  }

  /** Counts requests by method and kind of path, with their summed time to the response headers. */
  private static final class RequestCounter implements dev.attest.registry.RegistryListener {
    private final Map<String, long[]> counts = new java.util.concurrent.ConcurrentSkipListMap<>();
    volatile FleetTrace trace;

    /** Every answered request since the last reset. */
    long total() {
      return counts.values().stream().mapToLong(c -> {
        synchronized (c) {
          return c[0];
        }
      }).sum();
    }

    @Override
    public void onEvent(dev.attest.registry.RegistryEvent e) {
      FleetTrace t = trace;
      if (t != null && e instanceof dev.attest.registry.RegistryEvent.RequestSent q) {
        t.onRequest(q.url(), false);
      }
      if (e instanceof dev.attest.registry.RegistryEvent.ResponseReceived r) {
        if (t != null) {
          t.onRequest(r.url(), true);
        }
        long[] c = counts.computeIfAbsent(r.method() + " " + kind(r.url()) + " " + r.status(), k -> new long[2]);
        synchronized (c) {
          c[0]++;
          c[1] += r.elapsed().toNanos();
        }
      }
    }

    private static String kind(String url) {
      String path = url.replaceFirst("\\?.*", "");
      if (path.contains("/blobs/uploads")) {
        return url.contains("mount=") ? "blob-mount" : "blob-upload";
      }
      if (path.contains("/blobs/")) {
        return "blob";
      }
      if (path.contains("/referrers/")) {
        return "referrers";
      }
      String ref = path.substring(path.lastIndexOf('/') + 1);
      if (path.contains("/manifests/")) {
        return ref.startsWith("sha256:") ? "manifest@digest"
            : ref.matches("sha256-[0-9a-f]{64}") ? "fallback-index" : "manifest:tag";
      }
      return "other";
    }

    void reset() {
      counts.clear();
    }

    @Override
    public String toString() {
      return counts.entrySet().stream().map(e -> String.format(Locale.ROOT, "%s x%d (%.1f ms)", e.getKey(),
          e.getValue()[0], e.getValue()[1] / 1e6 / Math.max(1, e.getValue()[0]))).collect(Collectors.joining(", "));
    }
  }

  // ---------------------------------------------------------------- 5: the fallback index alone

  /**
   * The fallback-index update of one fleet image (4 referrers of a subject just pushed to a fresh
   * repository), as ADR 0008 does it for any subject and as ADR 0016 does it for a subject the
   * caller created, interleaved {@code bench.runs} x 10 times on the destination 2.8.2.
   */
  private void index(RemoteRegistry to) throws Exception {
    line("");
    line("## 5. fallback index of a new subject with 4 referrers (2.8.2), ADR 0008 vs ADR 0016, interleaved");
    List<Double> full = new ArrayList<>();
    List<Double> fresh = new ArrayList<>();
    for (int i = 0; i < runs * 10; i++) {
      for (boolean newSubject : new boolean[] {false, true}) {
        String repo = String.format(Locale.ROOT, "index/%s-%03d", newSubject ? "new" : "full", i);
        byte[] tiny = ("layer " + repo).getBytes(StandardCharsets.UTF_8);
        ImageManifest subject = pushImage(to, repo, List.of(Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR_GZIP, tiny)),
            List.of(BlobSource.of(tiny)), 9000 + i);
        List<Descriptor> referrers = new ArrayList<>();
        to.pushBlob(repo, Descriptor.EMPTY, BlobSource.of(Descriptor.emptyBytes()));
        for (int k = 0; k < 4; k++) {
          byte[] payload = ("{\"k\":" + k + ",\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8);
          Descriptor layer = Descriptor.ofBytes("application/json", payload);
          to.pushBlob(repo, layer, BlobSource.of(payload));
          ImageManifest r = ImageManifest.builder().config(Descriptor.EMPTY.withoutData()).layer(layer)
              .artifactType("application/vnd.test+json").subject(subject.plainDescriptor()).build();
          to.pushManifest(repo, r, dev.attest.registry.PushOptions.DEFAULT.withoutFallbackIndex());
          referrers.add(r.descriptor());
        }
        double t = time(() -> to.fallbackIndex().orElseThrow().add(repo, subject.digest(), referrers, newSubject));
        (newSubject ? fresh : full).add(t * 1000);
        if (to.referrers(repo, subject.digest(), null).size() != 4) {
          throw new IllegalStateException("the index of " + repo + " lacks referrers");
        }
      }
    }
    line("ADR 0008 (any subject): median %.0f ms, mean %.0f ms (n=%d)", median(full),
        full.stream().mapToDouble(Double::doubleValue).average().orElse(0), full.size());
    line("ADR 0016 (new subject): median %.0f ms, mean %.0f ms (n=%d)", median(fresh),
        fresh.stream().mapToDouble(Double::doubleValue).average().orElse(0), fresh.size());
  }

  // ---------------------------------------------------------------- content

  private static ImageManifest pushImage(Registry r, String repo, List<Descriptor> layers, List<BlobSource> sources,
      long seed) throws AttestException {
    byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\"},\"seed\":" + seed
        + "}").getBytes(StandardCharsets.UTF_8);
    Descriptor c = Descriptor.ofBytes(MediaTypes.OCI_CONFIG, config);
    r.pushBlob(repo, c, BlobSource.of(config));
    ImageManifest.Builder b = ImageManifest.builder().config(c);
    for (int i = 0; i < layers.size(); i++) {
      r.pushBlob(repo, layers.get(i), sources.get(i));
      b.layer(layers.get(i));
    }
    ImageManifest m = b.build();
    r.pushManifest(repo, m);
    return m;
  }

  /** The 4 referrers: SLSA provenance, CycloneDX SBOM, vulnerability scan, image signature. */
  private static void attach(Registry r, String repo, Digest digest) throws Exception {
    SlsaProvenance provenance = SlsaProvenance.fromGitHubActions(Map.ofEntries(
        Map.entry("GITHUB_SERVER_URL", "https://github.com"),
        Map.entry("GITHUB_REPOSITORY", "acme/app"),
        Map.entry("GITHUB_WORKFLOW_REF", "acme/app/.github/workflows/release.yml@refs/tags/v1"),
        Map.entry("GITHUB_REF", "refs/tags/v1"),
        Map.entry("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567"),
        Map.entry("GITHUB_RUN_ID", "42"),
        Map.entry("GITHUB_RUN_ATTEMPT", "1"),
        Map.entry("GITHUB_EVENT_NAME", "push"),
        Map.entry("GITHUB_REPOSITORY_ID", "7"),
        Map.entry("GITHUB_REPOSITORY_OWNER_ID", "8")));
    CycloneDxSbom sbom = CycloneDxSbom.fromComponents(List.of(
        SbomComponent.of("jackson-databind", "2.23.0", "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.23.0")));
    String trivy = "{\"SchemaVersion\":2,\"Results\":[{\"Target\":\"app\",\"Vulnerabilities\":["
        + "{\"VulnerabilityID\":\"CVE-2026-0001\",\"PkgName\":\"x\",\"Severity\":\"HIGH\"}]}]}";
    VulnerabilityScan scan = VulnerabilityScan.cosignBuilder(trivy.getBytes(StandardCharsets.UTF_8))
        .scanner("pkg:github/aquasecurity/trivy@0.60.0", "0.60.0")
        .scanFinishedOn(Instant.parse("2026-11-25T12:00:00Z"))
        .build();
    Attestations.on(r, repo, digest).provenance(provenance).sbom(sbom).vulnerabilities(scan).imageSignature()
        .signWith(SIGNER).attach();
  }

  // ---------------------------------------------------------------- the other tools

  /** The floor: curl opens an upload session, then GET streams straight into one PUT. */
  private static void curlCopy(String src, String srcRepo, String dst, String repo, Descriptor blob)
      throws IOException, InterruptedException {
    String script = String.join("\n",
        "set -euo pipefail",
        "loc=$(curl -sS -f -o /dev/null -D - -X POST \"http://$DST/v2/$REPO/blobs/uploads/\" | tr -d '\\r'"
            + " | sed -n 's/^[Ll]ocation: *//p')",
        "case \"$loc\" in http*) ;; *) loc=\"http://$DST$loc\";; esac",
        "case \"$loc\" in *\\?*) sep='&';; *) sep='?';; esac",
        "curl -sS -f \"http://$SRC/v2/$SRC_REPO/blobs/$DIGEST\" \\",
        "  | curl -sS -f -o /dev/null -X PUT -H 'Expect:' -H 'Content-Type: application/octet-stream' -T - \\",
        "      \"$loc${sep}digest=$DIGEST\"");
    shell(script, "SRC", src, "DST", dst, "SRC_REPO", srcRepo, "REPO", repo, "DIGEST", blob.digest().toString());
  }

  /**
   * skopeo with its blob-info cache bound to {@code cache} in a private mount namespace: skopeo
   * (as root) keeps that cache in /var/lib/containers/cache, shared machine-wide, and would
   * otherwise mount a blob it uploaded to another repository of the destination in an earlier run.
   */
  private static void skopeoCopy(Path cache, String from, String to) throws IOException, InterruptedException {
    String script = String.join("\n",
        "set -euo pipefail",
        "mkdir -p /var/lib/containers/cache",
        "mount --bind \"$CACHE\" /var/lib/containers/cache",
        "exec /usr/bin/skopeo copy --all --preserve-digests --src-tls-verify=false --dest-tls-verify=false -q"
            + " \"docker://$FROM\" \"docker://$TO\"");
    ProcessBuilder pb = new ProcessBuilder("unshare", "-m", "bash", "-c", script).redirectErrorStream(true);
    pb.environment().putAll(Map.of("CACHE", cache.toString(), "FROM", from, "TO", to));
    run(pb, "skopeo");
  }

  private static void shell(String script, String... env) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true);
    for (int i = 0; i < env.length; i += 2) {
      pb.environment().put(env[i], env[i + 1]);
    }
    run(pb, "curl");
  }

  private static void run(ProcessBuilder pb, String what) throws IOException, InterruptedException {
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException(what + " failed (" + p.exitValue() + "): " + out);
    }
  }

  // ---------------------------------------------------------------- helpers

  private static byte[] bytes(SplittableRandom random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private void summary(String name, List<Double> s) {
    line("%-52s runs %s s; median %.2f s = %.3f GB/s", name,
        s.stream().map(x -> String.format(Locale.ROOT, "%.2f", x)).collect(Collectors.joining(" / ")),
        median(s), size / 1e9 / median(s));
  }

  private void line(String format, Object... args) {
    System.out.println(String.format(Locale.ROOT, format, args));
    System.out.flush();
  }

}
