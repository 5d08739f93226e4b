package dev.attest.benchmarks;

import static dev.attest.benchmarks.BenchSupport.check;
import static dev.attest.benchmarks.BenchSupport.deleteTree;
import static dev.attest.benchmarks.BenchSupport.median;
import static dev.attest.benchmarks.BenchSupport.secs;
import static dev.attest.benchmarks.BenchSupport.time;
import static dev.attest.benchmarks.BenchSupport.writeRandom;
import dev.attest.core.AttestException;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.registry.BlobSource;
import dev.attest.registry.OciLayout;
import dev.attest.registry.Registry;
import dev.attest.registry.RemoteRegistry;
import dev.attest.registry.testing.DockerRegistry;
import dev.attest.testing.EmbeddedRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * Measures, in one run and side by side, the registry client's blob throughput against the floors
 * it cannot beat on this machine (issue 3, "Performance"):
 *
 * <ol>
 *   <li>a blob copied between two registry 2.8.2 instances by the client ({@code fetchBlob} into
 *       {@code pushBlob}, as promotion does) versus {@code curl} GET piped into {@code curl} PUT;
 *   <li>the same blob from an {@link OciLayout} into the {@link EmbeddedRegistry} (disk storage)
 *       versus {@link MessageDigest} SHA-256 over the same number of bytes in memory;
 *   <li>the client copy of (1) in a separate JVM with {@code -Xmx64m}.
 * </ol>
 *
 * <p>Every copy goes to a fresh destination (a new repository on 2.8.2, a new embedded registry),
 * so every run really transfers the bytes. Settings are system properties: {@code bench.size}
 * (bytes, default 1 GiB), {@code bench.runs} (default 3), {@code bench.chunk} and {@code
 * bench.monolithic} (client chunking, defaults of {@link RemoteRegistry.Builder#chunking}), {@code
 * bench.heap} (the child JVM's {@code -Xmx}, default 64m), {@code bench.parts} ({@code registry} for 1
 * and 3, {@code embedded} for 2; both by default), {@code bench.trace} (for 2: CPU seconds per
 * thread, machine CPU use, GC and JIT time, and the client's request trace of each copy), {@code
 * bench.variants} and {@code bench.abRuns} (for 2: extra copies interleaved per run, one per
 * variant, each with its own system properties set; for A/B tests of switches read by the code
 * under test).
 */
public final class RegistryBenchmark {
  private static final String MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar";
  private static final String SOURCE_REPO = "bench/source";

  private final long size = Long.getLong("bench.size", 1L << 30);
  private final int runs = Integer.getInteger("bench.runs", 3);
  /** Which parts to run: "registry" (1 and 3), "embedded" (2), or both (the default). */
  private final String parts = System.getProperty("bench.parts", "registry,embedded");
  /** Prints per-thread CPU time, machine CPU use and a request trace of each embedded copy. */
  private final boolean trace = Boolean.getBoolean("bench.trace");
  private final List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
  private long traceStart;
  private final Path work;

  private RegistryBenchmark(Path work) {
    this.work = work;
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("copy")) {
      childCopy(args);
      return;
    }
    Path work = Files.createTempDirectory(Paths.get(System.getProperty("java.io.tmpdir")), "attest-bench-");
    try {
      new RegistryBenchmark(work).run();
    } finally {
      deleteTree(work);
    }
  }

  private void run() throws Exception {
    Path file = work.resolve("blob");
    long t0 = System.nanoTime();
    Descriptor blob = writeRandom(file, size, MEDIA_TYPE);
    line("blob: %s, %d bytes, generated in %.1f s; %d run(s) each, fresh destination per run",
        blob.digest(), blob.size(), secs(System.nanoTime() - t0), runs);

    if (parts.contains("registry")) {
      registryToRegistry(file, blob);
    }
    if (parts.contains("embedded")) {
      layoutToEmbedded(file, blob);
    }
  }

  /** 1 and 3: between two registry 2.8.2 instances. */
  private void registryToRegistry(Path file, Descriptor blob) throws Exception {
    List<Double> client = new ArrayList<>();
    List<Double> onePut = new ArrayList<>();
    List<Double> curl = new ArrayList<>();
    List<Double> curlHash = new ArrayList<>();
    try (DockerRegistry src = DockerRegistry.start(); DockerRegistry dst = DockerRegistry.start();
        RemoteRegistry from = client(src.hostPort()); RemoteRegistry to = client(dst.hostPort());
        RemoteRegistry toOnePut = RemoteRegistry.builder(dst.hostPort()).chunking(128L << 20, Long.MAX_VALUE).build()) {
      from.pushBlob(SOURCE_REPO, blob, BlobSource.of(file));
      for (int i = 1; i <= runs; i++) {
        // Interleaved, so that load from other processes on the machine hits all alike.
        String repo = "bench/client-" + i;
        client.add(time(() -> copy(from, SOURCE_REPO, to, repo, blob)));
        check(to, repo, blob);
        String curlRepo = "bench/curl-" + i;
        curl.add(time(() -> curlCopy(src.hostPort(), dst.hostPort(), curlRepo, blob, false)));
        check(to, curlRepo, blob);
        String onePutRepo = "bench/one-put-" + i;
        onePut.add(time(() -> copy(from, SOURCE_REPO, toOnePut, onePutRepo, blob)));
        check(to, onePutRepo, blob);
        String curlHashRepo = "bench/curl-hash-" + i;
        curlHash.add(time(() -> curlCopy(src.hostPort(), dst.hostPort(), curlHashRepo, blob, true)));
        check(to, curlHashRepo, blob);
        line("run %d: client %.2f s, curl %.2f s, client one PUT %.2f s, curl + openssl sha256 %.2f s",
            i, client.get(i - 1), curl.get(i - 1), onePut.get(i - 1), curlHash.get(i - 1));
      }
      section("1. registry 2.8.2 -> registry 2.8.2", client, "client fetchBlob -> pushBlob (default chunking)",
          curl, "curl GET | curl PUT");
      summary("client, chunking(128 MiB, Long.MAX_VALUE): one PUT", onePut);
      summary("curl GET | tee >(openssl sha256) | curl PUT", curlHash);
      double ratio = median(client) / median(curl);
      line("ratio client/curl = %.3f (target <= 1.10): %s", ratio, ratio <= 1.10 ? "MET" : "MISSED");
      ratio = median(onePut) / median(curl);
      line("ratio client one PUT/curl = %.3f (target <= 1.10): %s", ratio, ratio <= 1.10 ? "MET" : "MISSED");
      line("ratio client one PUT/(curl + sha256) = %.3f", median(onePut) / median(curlHash));

      heapChild(src.hostPort(), dst.hostPort(), blob);
    }
  }

  /** 2: OCI layout -> embedded registry (disk), against SHA-256 in memory. */
  private void layoutToEmbedded(Path file, Descriptor blob) throws Exception {
    List<Double> hash = hashCeiling();
    OciLayout layout = OciLayout.create(work.resolve("layout"));
    layout.pushBlob("bench", blob, BlobSource.of(file));
    List<Double> read = new ArrayList<>();
    List<Double> embedded = new ArrayList<>();
    List<Double> curl = new ArrayList<>();
    for (int i = 1; i <= runs; i++) {
      read.add(time(() -> drain(layout.fetchBlob("bench", blob))));
      try (EmbeddedRegistry e = EmbeddedRegistry.builder().temporaryDisk().build().start();
          RemoteRegistry to = trace ? tracingClient(e.host()) : client(e.host())) {
        CpuSnapshot before = trace ? CpuSnapshot.take() : null;
        embedded.add(time(() -> copy(layout, "bench", to, "bench/embedded", blob)));
        if (before != null) {
          CpuSnapshot.take().printSince(before, embedded.get(embedded.size() - 1), size);
          printTrace();
        }
        check(to, "bench/embedded", blob);
      }
      // The embedded server's own ingest floor: curl uploading the same bytes from a file.
      try (EmbeddedRegistry e = EmbeddedRegistry.builder().temporaryDisk().build().start();
          RemoteRegistry to = client(e.host())) {
        curl.add(time(() -> curlUpload(e.host(), "bench/curl", file, blob)));
        check(to, "bench/curl", blob);
      }
      line("run %d: layout read+verify %.2f s, layout -> embedded %.2f s, curl file -> embedded %.2f s,"
          + " SHA-256 in memory %.2f s", i, read.get(i - 1), embedded.get(i - 1), curl.get(i - 1), hash.get(i - 1));
    }
    abVariants(layout, blob);
    Files.delete(file);
    section("2. OCI layout -> EmbeddedRegistry (disk)", embedded, "client layout -> embedded", hash,
        "MessageDigest SHA-256, in memory");
    summary("layout read + verify only (fetchBlob drained)", read);
    summary("curl PUT -T file -> embedded (server floor)", curl);
    double ratio = gbps(median(embedded)) / gbps(median(hash));
    line("ratio embedded/hash = %.3f of the hash ceiling (target >= 0.80): %s", ratio, ratio >= 0.80 ? "MET" : "MISSED");
  }

  /**
   * {@code -Dbench.variants=name:prop=value+prop=value;name2:...}: the layout -> embedded copy
   * once per variant per run, interleaved, each with its system properties set (and the others'
   * cleared), with the per-thread CPU trace. For A/B tests of client settings in one process.
   */
  private void abVariants(OciLayout layout, Descriptor blob) throws Exception {
    String spec = System.getProperty("bench.variants");
    if (spec == null) {
      return;
    }
    java.util.Map<String, java.util.Map<String, String>> variants = new java.util.LinkedHashMap<>();
    for (String v : spec.split(";")) {
      String[] nv = v.split(":", 2);
      java.util.Map<String, String> props = new java.util.LinkedHashMap<>();
      if (nv.length > 1 && !nv[1].isEmpty()) {
        for (String kv : nv[1].split("\\+")) {
          String[] p = kv.split("=", 2);
          props.put(p[0], p[1]);
        }
      }
      variants.put(nv[0], props);
    }
    java.util.Set<String> all = new java.util.HashSet<>();
    variants.values().forEach(m -> all.addAll(m.keySet()));
    java.util.Map<String, List<Double>> times = new java.util.LinkedHashMap<>();
    int abRuns = Integer.getInteger("bench.abRuns", runs);
    for (int i = 1; i <= abRuns; i++) {
      for (var v : variants.entrySet()) {
        all.forEach(System::clearProperty);
        v.getValue().forEach(System::setProperty);
        try (EmbeddedRegistry e = EmbeddedRegistry.builder().temporaryDisk().build().start();
            RemoteRegistry to = trace ? tracingClient(e.host()) : client(e.host())) {
          CpuSnapshot before = CpuSnapshot.take();
          double t = time(() -> copy(layout, "bench", to, "bench/embedded", blob));
          line("variant %s, run %d: %.2f s", v.getKey(), i, t);
          CpuSnapshot.take().printSince(before, t, size);
          times.computeIfAbsent(v.getKey(), k -> new ArrayList<>()).add(t);
          check(to, "bench/embedded", blob);
        }
      }
    }
    all.forEach(System::clearProperty);
    line("");
    line("## A/B variants, layout -> embedded");
    times.forEach((k, t) -> summary(k + " " + variants.get(k), t));
  }

  // ---------------------------------------------------------------- the measured operations

  private static RemoteRegistry client(String hostPort) {
    RemoteRegistry.Builder b = RemoteRegistry.builder(hostPort);
    String chunk = System.getProperty("bench.chunk");
    String mono = System.getProperty("bench.monolithic");
    if (chunk != null || mono != null) {
      b.chunking(Long.parseLong(chunk != null ? chunk : Long.toString(128L << 20)),
          Long.parseLong(mono != null ? mono : Long.toString(256L << 20)));
    }
    return b.build();
  }

  private RemoteRegistry tracingClient(String hostPort) {
    events.clear();
    traceStart = System.nanoTime();
    RemoteRegistry.Builder b = RemoteRegistry.builder(hostPort).listener(ev -> {
      if (!(ev instanceof dev.attest.registry.RegistryEvent.BlobProgress)) {
        events.add(String.format(Locale.ROOT, "  %7.3f s [%s] %s", secs(System.nanoTime() - traceStart),
            Thread.currentThread().getName(), ev));
      }
    });
    String chunk = System.getProperty("bench.chunk");
    String mono = System.getProperty("bench.monolithic");
    if (chunk != null || mono != null) {
      b.chunking(Long.parseLong(chunk != null ? chunk : Long.toString(128L << 20)),
          Long.parseLong(mono != null ? mono : Long.toString(256L << 20)));
    }
    return b.build();
  }

  private void printTrace() {
    line("request trace (seconds since the client was built):");
    synchronized (events) {
      events.forEach(e -> line("%s", e));
    }
  }

  /** CPU time of every live thread, the process and the machine, for a before/after diff. */
  private record CpuSnapshot(long nanos, java.util.Map<Long, String> names, java.util.Map<Long, Long> cpu,
      java.util.Map<Long, Long> user, long[] machine, long processTicks, long gcCount, long gcMillis, long jitMillis) {
    /** Last CPU times seen by the sampler, so that threads that end during a copy still count. */
    private static final java.util.Map<Long, long[]> SEEN = new java.util.concurrent.ConcurrentHashMap<>();
    private static final java.util.Map<Long, String> SEEN_NAMES = new java.util.concurrent.ConcurrentHashMap<>();

    static {
      Thread t = new Thread(() -> {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        while (true) {
          for (long id : mx.getAllThreadIds()) {
            long c = mx.getThreadCpuTime(id);
            long u = mx.getThreadUserTime(id);
            java.lang.management.ThreadInfo ti = mx.getThreadInfo(id);
            if (c >= 0 && ti != null) {
              SEEN.put(id, new long[] {c, u});
              SEEN_NAMES.put(id, ti.getThreadName());
            }
          }
          try {
            Thread.sleep(10);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "bench-cpu-sampler");
      t.setDaemon(true);
      t.start();
    }

    static CpuSnapshot take() throws IOException {
      java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
      java.util.Map<Long, String> names = new java.util.HashMap<>(SEEN_NAMES);
      java.util.Map<Long, Long> cpu = new java.util.HashMap<>();
      java.util.Map<Long, Long> user = new java.util.HashMap<>();
      SEEN.forEach((id, cu) -> {
        cpu.put(id, cu[0]);
        user.put(id, cu[1]);
      });
      for (java.lang.management.ThreadInfo ti : mx.getThreadInfo(mx.getAllThreadIds())) {
        if (ti != null) {
          names.put(ti.getThreadId(), ti.getThreadName());
          cpu.put(ti.getThreadId(), mx.getThreadCpuTime(ti.getThreadId()));
          user.put(ti.getThreadId(), mx.getThreadUserTime(ti.getThreadId()));
        }
      }
      String[] f = Files.readAllLines(Paths.get("/proc/stat")).get(0).trim().split("\\s+");
      long[] machine = new long[f.length - 1];
      for (int i = 1; i < f.length; i++) {
        machine[i - 1] = Long.parseLong(f[i]);
      }
      String stat = Files.readString(Paths.get("/proc/self/stat"));
      String[] p = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(p[11]) + Long.parseLong(p[12]); // utime + stime
      long gcs = 0;
      long gcMs = 0;
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        gcs += Math.max(0, gc.getCollectionCount());
        gcMs += Math.max(0, gc.getCollectionTime());
      }
      long jit = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
      return new CpuSnapshot(System.nanoTime(), names, cpu, user, machine, ticks, gcs, gcMs, jit);
    }

    void printSince(CpuSnapshot b, double wall, long bytes) {
      double gib = bytes / (double) (1L << 30);
      System.out.printf(Locale.ROOT, "  copy %.2f s wall; CPU per thread (s, and s per GiB):%n", wall);
      java.util.Map<String, Double> byName = new java.util.TreeMap<>();
      java.util.Map<String, Double> userByName = new java.util.TreeMap<>();
      for (var e : cpu.entrySet()) {
        long was = b.cpu.getOrDefault(e.getKey(), 0L);
        double d = (e.getValue() - was) / 1e9;
        String name = names.get(e.getKey());
        if (d > 0.005 && name != null && !name.equals("bench-cpu-sampler")) {
          String n = name.replaceAll("[0-9]+$", "N");
          byName.merge(n, d, Double::sum);
          userByName.merge(n, (user.get(e.getKey()) - b.user.getOrDefault(e.getKey(), 0L)) / 1e9, Double::sum);
        }
      }
      double total = 0;
      for (var e : byName.entrySet()) {
        total += e.getValue();
        double u = userByName.get(e.getKey());
        System.out.printf(Locale.ROOT, "    %-42s %6.2f s (user %5.2f, sys %5.2f)  %6.2f s/GiB%n", e.getKey(),
            e.getValue(), u, e.getValue() - u, e.getValue() / gib);
      }
      System.out.printf(Locale.ROOT, "    %-50s %6.2f s  %6.2f s/GiB%n", "(all Java threads)", total, total / gib);
      System.out.printf(Locale.ROOT, "    process utime+stime %.2f s (incl. GC/JIT); GCs %d taking %d ms; JIT %d ms%n",
          (processTicks - b.processTicks) / 100.0, gcCount - b.gcCount, gcMillis - b.gcMillis, jitMillis - b.jitMillis);
      long busy = 0;
      long all = 0;
      for (int i = 0; i < machine.length && i < 8; i++) {
        long d = machine[i] - b.machine[i];
        all += d;
        if (i != 3 && i != 4) { // idle, iowait
          busy += d;
        }
      }
      System.out.printf(Locale.ROOT, "    machine: %.0f %% of all cores busy (user %.2f s, sys %.2f s, iowait %.2f s)%n",
          100.0 * busy / Math.max(1, all), (machine[0] - b.machine[0] + machine[1] - b.machine[1]) / 100.0,
          (machine[2] - b.machine[2]) / 100.0, (machine[4] - b.machine[4]) / 100.0);
    }
  }

  /** What promotion does: the fetched (verifying) stream is the upload's source. */
  static void copy(Registry from, String fromRepo, Registry to, String toRepo, Descriptor blob) throws AttestException {
    to.pushBlob(toRepo, blob, () -> {
      try {
        return from.fetchBlob(fromRepo, blob);
      } catch (AttestException e) {
        throw new IOException(e.getMessage(), e);
      }
    });
  }

  /** The floor: curl opens a session, then GET streams straight into one PUT (chunked encoding). */
  private void curlCopy(String src, String dst, String repo, Descriptor blob, boolean hash)
      throws IOException, InterruptedException {
    Path sum = work.resolve("curl.sha256");
    Files.deleteIfExists(sum);
    String script = String.join("\n",
        "set -euo pipefail",
        // With hash: the bytes also go through openssl sha256 (SHA-NI), as a verifying copy must.
        "if [ \"$HASH\" = true ]; then exec 3> >(openssl sha256 -r > \"$SUM\"); pid=$!; else exec 3>/dev/null; fi",
        "loc=$(curl -sS -f -o /dev/null -D - -X POST \"http://$DST/v2/$REPO/blobs/uploads/\" | tr -d '\\r'"
            + " | sed -n 's/^[Ll]ocation: *//p')",
        "case \"$loc\" in http*) ;; *) loc=\"http://$DST$loc\";; esac",
        "case \"$loc\" in *\\?*) sep='&';; *) sep='?';; esac",
        "curl -sS -f \"http://$SRC/v2/$SRC_REPO/blobs/$DIGEST\" | tee /dev/fd/3 \\",
        "  | curl -sS -f -o /dev/null -X PUT -H 'Expect:' -H 'Content-Type: application/octet-stream' -T - \\",
        "      \"$loc${sep}digest=$DIGEST\"",
        "exec 3>&-",
        "if [ \"$HASH\" = true ]; then wait \"$pid\"; fi");
    shell(script, "SRC", src, "DST", dst, "SRC_REPO", SOURCE_REPO, "REPO", repo, "DIGEST", blob.digest().toString(),
        "HASH", Boolean.toString(hash), "SUM", sum.toString());
    if (hash && !Files.readString(sum).startsWith(blob.digest().hex())) {
      throw new IOException("openssl sha256 of the curl copy: " + Files.readString(sum));
    }
  }

  /** curl uploading a file into {@code dst} in one streamed PUT (Content-Length known). */
  private void curlUpload(String dst, String repo, Path file, Descriptor blob) throws IOException, InterruptedException {
    String script = String.join("\n",
        "set -euo pipefail",
        "loc=$(curl -sS -f -o /dev/null -D - -X POST \"http://$DST/v2/$REPO/blobs/uploads/\" | tr -d '\\r'"
            + " | sed -n 's/^[Ll]ocation: *//p')",
        "case \"$loc\" in http*) ;; *) loc=\"http://$DST$loc\";; esac",
        "case \"$loc\" in *\\?*) sep='&';; *) sep='?';; esac",
        "curl -sS -f -o /dev/null -X PUT -H 'Expect:' -H 'Content-Type: application/octet-stream' -T \"$FILE\" \\",
        "    \"$loc${sep}digest=$DIGEST\"");
    shell(script, "DST", dst, "REPO", repo, "FILE", file.toString(), "DIGEST", blob.digest().toString());
  }

  private static void shell(String script, String... env) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true);
    for (int i = 0; i < env.length; i += 2) {
      pb.environment().put(env[i], env[i + 1]);
    }
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("curl failed (" + p.exitValue() + "): " + out);
    }
  }

  /** SHA-256 over {@code size} random bytes in memory, after one warm-up pass. */
  private List<Double> hashCeiling() throws Exception {
    byte[] data = new byte[(int) Math.min(size, Integer.MAX_VALUE - 8)];
    new SplittableRandom(7).nextBytes(data);
    long passes = Math.max(1, size / data.length);
    MessageDigest md = Digest.Algorithm.SHA256.newMessageDigest();
    md.update(data);
    md.digest();
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      out.add(time(() -> {
        for (long p = 0; p < passes; p++) {
          md.update(data);
        }
        md.digest();
      }));
    }
    return out;
  }

  // ---------------------------------------------------------------- 3: the -Xmx64m JVM

  private void heapChild(String src, String dst, Descriptor blob) throws IOException, InterruptedException {
    String heap = System.getProperty("bench.heap", "64m");
    Path gcLog = work.resolve("gc.log");
    List<String> cmd = new ArrayList<>(List.of(
        Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + heap, "-Xlog:gc:file=" + gcLog, "-cp", System.getProperty("java.class.path")));
    for (String p : List.of("bench.chunk", "bench.monolithic")) {
      if (System.getProperty(p) != null) {
        cmd.add("-D" + p + "=" + System.getProperty(p));
      }
    }
    cmd.addAll(List.of(RegistryBenchmark.class.getName(), "copy", src, dst, SOURCE_REPO, "bench/heap",
        blob.digest().toString(), Long.toString(blob.size())));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    int code = p.waitFor();
    long pauses = Files.exists(gcLog) ? Files.readAllLines(gcLog).stream().filter(l -> l.contains("Pause")).count() : -1;
    line("");
    line("## 3. client copy 2.8.2 -> 2.8.2 in a separate JVM, -Xmx%s", heap);
    line("exit code %d: %s", code, code == 0 ? "PASSED" : "FAILED");
    line("%s", out);
    line("GC pauses logged by -Xlog:gc: %d", pauses);
  }

  /** The child JVM of {@link #heapChild}: one copy, then its memory figures on one line. */
  private static void childCopy(String[] a) throws Exception {
    Descriptor blob = Descriptor.of(MEDIA_TYPE, Digest.parse(a[5]), Long.parseLong(a[6]));
    double t;
    try (RemoteRegistry from = client(a[1]); RemoteRegistry to = client(a[2])) {
      t = time(() -> copy(from, a[3], to, a[4], blob));
      check(to, a[4], blob);
    }
    long gcCount = 0;
    long gcMillis = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      gcCount += Math.max(0, gc.getCollectionCount());
      gcMillis += Math.max(0, gc.getCollectionTime());
    }
    long peakHeap = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peakHeap += pool.getPeakUsage().getUsed();
      }
    }
    String status = Files.readString(Paths.get("/proc/self/status"));
    String hwm = status.lines().filter(l -> l.startsWith("VmHWM")).map(l -> l.replaceAll("\\s+", " ")).findFirst().orElse("VmHWM ?");
    System.out.printf(Locale.ROOT,
        "copied %d bytes in %.2f s (%.2f GB/s); max heap %d MiB; peak heap used (sum of pool peaks) %.1f MiB;"
            + " GCs %d taking %d ms; %s%n",
        blob.size(), t, gbps(t, blob.size()), Runtime.getRuntime().maxMemory() >> 20,
        peakHeap / 1048576.0, gcCount, gcMillis, hwm);
  }

  // ---------------------------------------------------------------- helpers

  private static void drain(InputStream in) throws IOException {
    try (in) {
      byte[] buf = new byte[1 << 16];
      while (in.read(buf) != -1) {
        // only reading
      }
    }
  }

  private void section(String title, List<Double> a, String aName, List<Double> b, String bName) {
    line("");
    line("## %s", title);
    summary(aName, a);
    summary(bName, b);
  }

  private void summary(String name, List<Double> s) {
    line("%-50s runs %s s; median %.2f s = %.3f GB/s", name,
        s.stream().map(x -> String.format(Locale.ROOT, "%.2f", x)).collect(Collectors.joining(" / ")),
        median(s), gbps(median(s)));
  }

  private double gbps(double seconds) {
    return gbps(seconds, size);
  }

  private static double gbps(double seconds, long bytes) {
    return bytes / 1e9 / seconds;
  }

  private void line(String format, Object... args) {
    String s = String.format(Locale.ROOT, format, args);
    System.out.println(s);
  }

}
