package dev.attest.benchmarks;

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
import dev.attest.registry.Attestations;
import dev.attest.registry.BlobSource;
import dev.attest.registry.PushOptions;
import dev.attest.registry.Registry;
import dev.attest.registry.RemoteRegistry;
import dev.attest.registry.testing.DockerRegistry;
import dev.attest.testing.EmbeddedRegistry;
import dev.attest.verify.AdmissionHandler;
import dev.attest.verify.AdmissionServer;
import dev.attest.verify.Policy;
import dev.attest.verify.Policy.AttestationRule;
import dev.attest.verify.Policy.SbomRule;
import dev.attest.core.Severity;
import dev.attest.verify.Policy.SlsaRule;
import dev.attest.verify.Policy.Trust;
import dev.attest.verify.Policy.VulnerabilityRule;
import dev.attest.verify.PolicyVerifier;
import dev.attest.verify.TrustedKey;
import dev.attest.verify.VerificationCache;
import dev.attest.verify.VerificationReport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Measures the verifier of issue 5 ("Performance (benchmarks)") in one run: an image with a
 * signature and three attestations (SLSA provenance, CycloneDX SBOM, vulnerability scan), all
 * signed with one P-256 key and checked by a {@link PolicyVerifier} with the full policy.
 *
 * <ol>
 *   <li><b>cold</b>: verifications without a cache (so every one lists the referrers and fetches
 *       and checks every manifest and bundle), against the {@link EmbeddedRegistry} and against
 *       registry 2.8.2 on loopback, interleaved; median, p90, p99 after a warm-up;
 *   <li><b>cached</b>: the same verifier calls with a {@link VerificationCache}, every one a hit;
 *   <li><b>admission</b>: an {@link AdmissionServer} with TLS (a self-signed certificate made
 *       here) and the cached verifier, loaded from a child JVM ({@code VerifyBenchmark load ...}) by
 *       a few HTTP/1.1 keep-alive {@link HttpClient} clients POSTing AdmissionReviews of Pods for 8
 *       distinct images by digest; reviews/s and errors (anything but 200 and {@code allowed:true}).
 * </ol>
 *
 * <p>System properties: {@code bench.parts} (default {@code cold,cached,admission}), {@code
 * bench.warmup} / {@code bench.iterations} (cold, default 400 / 200 per registry), {@code
 * bench.hits} (cached, default 100000), {@code bench.clients} (default 4), {@code bench.seconds}
 * (measured admission seconds, default 20), {@code bench.warmupSeconds} (default 10).
 */
public final class VerifyBenchmark {
  private static final int IMAGES = 8;
  private static final Instant SCANNED = Instant.parse("2026-11-25T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(SCANNED.plusSeconds(3600), ZoneOffset.UTC);
  private static final String TRIVY = "pkg:github/aquasecurity/trivy@0.60.0";

  private final String parts = System.getProperty("bench.parts", "cold,cached,admission");
  private final int warmup = Integer.getInteger("bench.warmup", 400);
  private final int iterations = Integer.getInteger("bench.iterations", 200);
  private final int hits = Integer.getInteger("bench.hits", 100_000);
  private final int clients = Integer.getInteger("bench.clients", 4);
  private final int seconds = Integer.getInteger("bench.seconds", 20);
  private final int warmupSeconds = Integer.getInteger("bench.warmupSeconds", 10);

  private final KeyPair key = Keys.generateP256();
  private final Signer signer = Keys.signer(key);
  private final SlsaProvenance provenance = SlsaProvenance.fromGitHubActions(env());
  private final Policy policy;

  private VerifyBenchmark() {
    SlsaProvenance.GitHubWorkflow w = provenance.gitHubWorkflow().orElseThrow();
    policy = Policy.builder("bench")
        .trust("release", Trust.ofKeys(TrustedKey.ofSpki(key.getPublic().getEncoded())))
        .signedBy("release")
        .attestation(AttestationRule.slsa("release", SlsaRule.builders(provenance.builderId())
            .withSource(w.repository(), w.ref())))
        .attestation(AttestationRule.sbom("release",
            new SbomRule(List.of("pkg:maven/org.apache.logging.log4j/*@2.14*"), List.of("AGPL-3.0-only"))))
        .attestation(AttestationRule.vulnerabilities("release",
            VulnerabilityRule.maxCounts(Map.of(Severity.CRITICAL, 0, Severity.HIGH, 5))
                .withMaxAgeHours(24).withScannerUris(TRIVY)))
        .build();
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("load")) {
      load(args);
      return;
    }
    new VerifyBenchmark().run();
  }

  private void run() throws Exception {
    try (EmbeddedRegistry embedded = EmbeddedRegistry.builder().build().start();
        Registry embeddedClient = Registry.remote(embedded.host())) {
      List<String> embeddedRefs = attestedImages(embeddedClient, embedded.host(), "bench/app", false);
      if (parts.contains("cold")) {
        try (DockerRegistry docker = DockerRegistry.start();
            Registry dockerClient = RemoteRegistry.builder(docker.hostPort()).build()) {
          List<String> dockerRefs = attestedImages(dockerClient, docker.hostPort(), "bench/app", false);
          // The same images with every bundle also embedded in its descriptor (Attestations.embedBundles).
          List<String> embeddedInline = attestedImages(embeddedClient, embedded.host(), "bench/inline", true);
          List<String> dockerInline = attestedImages(dockerClient, docker.hostPort(), "bench/inline", true);
          cold(embeddedClient, embeddedRefs, dockerClient, dockerRefs, embeddedInline, dockerInline);
        }
      }
      if (parts.contains("cached")) {
        cached(embeddedClient, embeddedRefs);
      }
      if (parts.contains("admission")) {
        admission(embeddedClient, embeddedRefs);
      }
    }
  }

  // ------------------------------------------------------------------ fixtures

  private static Map<String, String> env() {
    String repo = "acme/app";
    String ref = "refs/tags/v1";
    return Map.ofEntries(
        Map.entry("GITHUB_SERVER_URL", "https://github.com"),
        Map.entry("GITHUB_REPOSITORY", repo),
        Map.entry("GITHUB_WORKFLOW_REF", repo + "/.github/workflows/release.yml@" + ref),
        Map.entry("GITHUB_REF", ref),
        Map.entry("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567"),
        Map.entry("GITHUB_RUN_ID", "42"),
        Map.entry("GITHUB_RUN_ATTEMPT", "1"),
        Map.entry("GITHUB_EVENT_NAME", "push"),
        Map.entry("GITHUB_REPOSITORY_ID", "7"),
        Map.entry("GITHUB_REPOSITORY_OWNER_ID", "8"));
  }

  /** Pushes {@link #IMAGES} small images to {@code bench/app}, each with a signature and three attestations. */
  private List<String> attestedImages(Registry registry, String host, String repo, boolean inline) throws Exception {
    CycloneDxSbom sbom = CycloneDxSbom.fromComponents(List.of(
        SbomComponent.of("jackson-databind", "2.23.0", "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.23.0")
            .withLicenses(List.of("Apache-2.0"))));
    String trivy = "{\"SchemaVersion\":2,\"Results\":[{\"Target\":\"app\",\"Vulnerabilities\":["
        + "{\"VulnerabilityID\":\"CVE-2026-0001\",\"PkgName\":\"x\",\"Severity\":\"HIGH\"}]}]}";
    VulnerabilityScan scan = VulnerabilityScan.cosignBuilder(trivy.getBytes(StandardCharsets.UTF_8))
        .scanner(TRIVY, "0.60.0").scanFinishedOn(SCANNED).build();
    List<String> refs = new ArrayList<>();
    for (int i = 0; i < IMAGES; i++) {
      byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":" + i + "}")
          .getBytes(StandardCharsets.UTF_8);
      byte[] layer = new byte[2048];
      new Random(i).nextBytes(layer);
      Descriptor c = Descriptor.ofBytes(MediaTypes.OCI_CONFIG, config);
      Descriptor l = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR_GZIP, layer);
      registry.pushBlob(repo, c, BlobSource.of(config));
      registry.pushBlob(repo, l, BlobSource.of(layer));
      ImageManifest m = ImageManifest.builder().mediaType(MediaTypes.OCI_MANIFEST).config(c).layer(l).build();
      registry.pushManifest(repo, m, PushOptions.tagged("v" + i));
      Attestations a = Attestations.on(registry, repo, m.digest()).provenance(provenance).sbom(sbom)
          .vulnerabilities(scan).imageSignature().signWith(signer).clock(CLOCK);
      if (inline) {
        a.embedBundles(64 * 1024);
      }
      a.attach();
      refs.add(host + "/" + repo + "@" + m.digest());
    }
    return refs;
  }

  private PolicyVerifier.Builder verifier(Registry registry) {
    return PolicyVerifier.builder(policy).registries(h -> registry).clock(CLOCK);
  }

  /** Registry calls by method: count and total nanoseconds (for -Dbench.trace=true). */
  private static final class Trace {
    final Map<String, long[]> calls = new java.util.concurrent.ConcurrentHashMap<>();

    Registry wrap(Registry r) {
      return (Registry) java.lang.reflect.Proxy.newProxyInstance(Registry.class.getClassLoader(),
          new Class<?>[] {Registry.class}, (proxy, m, a) -> {
            long s = System.nanoTime();
            try {
              return m.invoke(r, a);
            } catch (java.lang.reflect.InvocationTargetException e) {
              throw e.getCause();
            } finally {
              long d = System.nanoTime() - s;
              long[] c = calls.computeIfAbsent(m.getName(), k -> new long[2]);
              synchronized (c) {
                c[0]++;
                c[1] += d;
              }
            }
          });
    }

    void reset() {
      calls.clear();
    }

    void print(String what, int verifications) {
      calls.forEach((m, c) -> System.out.printf(Locale.ROOT, "  %s: %s %.1f calls/verification, mean %.2f ms%n",
          what, m, c[0] / (double) verifications, c[1] / 1e6 / c[0]));
    }
  }

  private static void allow(VerificationReport r) {
    if (r.decision() != VerificationReport.Decision.ALLOW) {
      throw new IllegalStateException("expected ALLOW:\n" + r.toTable());
    }
  }

  // ------------------------------------------------------------------ 1. cold

  private void cold(Registry embedded, List<String> embeddedRefs, Registry docker, List<String> dockerRefs,
      List<String> embeddedInline, List<String> dockerInline) {
    System.out.println("# cold verification (no cache), load average " + loadavg());
    boolean trace = Boolean.getBoolean("bench.trace");
    Trace te0 = new Trace();
    Trace td0 = new Trace();
    try (PolicyVerifier e = verifier(trace ? te0.wrap(embedded) : embedded).build();
        PolicyVerifier d = verifier(trace ? td0.wrap(docker) : docker).build()) {
      List<List<String>> refs = List.of(embeddedRefs, dockerRefs, embeddedInline, dockerInline);
      List<PolicyVerifier> verifiers = List.of(e, d, e, d);
      long t0 = System.nanoTime();
      for (int i = 0; i < warmup; i++) {
        for (int k = 0; k < refs.size(); k++) {
          allow(verifiers.get(k).verify(refs.get(k).get(i % IMAGES)));
        }
      }
      System.out.printf(Locale.ROOT, "warm-up: %d x %d verifications in %.1f s%n", refs.size(), warmup,
          (System.nanoTime() - t0) / 1e9);
      te0.reset();
      td0.reset();
      long[][] t = new long[refs.size()][iterations];
      // Interleaved, so that outside load hits all alike.
      for (int i = 0; i < iterations; i++) {
        for (int k = 0; k < refs.size(); k++) {
          long s = System.nanoTime();
          VerificationReport r = verifiers.get(k).verify(refs.get(k).get(i % IMAGES));
          t[k][i] = System.nanoTime() - s;
          allow(r);
        }
      }
      report("cold, embedded registry", t[0]);
      report("cold, registry 2.8.2", t[1]);
      report("cold, embedded registry, bundles in descriptors", t[2]);
      report("cold, registry 2.8.2, bundles in descriptors", t[3]);
      if (trace) {
        te0.print("embedded (both layouts)", 2 * iterations);
        td0.print("2.8.2 (both layouts)", 2 * iterations);
      }
    }
    System.out.println("load average " + loadavg());
    System.out.println();
  }

  // ------------------------------------------------------------------ 2. cached

  private void cached(Registry embedded, List<String> refs) {
    System.out.println("# cached verification, load average " + loadavg());
    try (PolicyVerifier v = verifier(embedded).cache(VerificationCache.defaults()).build()) {
      for (String ref : refs) {
        allow(v.verify(ref)); // fills the cache
      }
      for (int i = 0; i < 2 * hits; i++) {
        allow(v.verify(refs.get(i % IMAGES)));
      }
      long[] t = new long[hits];
      for (int i = 0; i < hits; i++) {
        long s = System.nanoTime();
        VerificationReport r = v.verify(refs.get(i % IMAGES));
        t[i] = System.nanoTime() - s;
        allow(r);
      }
      report("cached (hits)", t);
    }
    System.out.println("load average " + loadavg());
    System.out.println();
  }

  private static void report(String what, long[] nanos) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    System.out.printf(Locale.ROOT,
        "%s: n=%d  min %.3f ms  median %.3f ms  p90 %.3f ms  p99 %.3f ms  p99.9 %.3f ms  max %.3f ms"
            + "  mean %.3f ms%n",
        what, s.length, s[0] / 1e6, pct(s, 0.50), pct(s, 0.90), pct(s, 0.99), pct(s, 0.999), s[s.length - 1] / 1e6,
        Arrays.stream(s).average().orElse(0) / 1e6);
  }

  private static double pct(long[] sorted, double p) {
    int i = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
  }

  // ------------------------------------------------------------------ 3. admission

  private void admission(Registry embedded, List<String> refs) throws Exception {
    System.out.println("# admission over HTTPS, load average " + loadavg());
    Path dir = Files.createTempDirectory("attest-vbench-tls");
    try {
      selfSigned(dir);
      try (PolicyVerifier v = verifier(embedded).cache(VerificationCache.defaults()).build();
          AdmissionHandler handler = AdmissionHandler.builder(v).build();
          AdmissionServer server = AdmissionServer.builder(handler).tls(dir.resolve("tls.crt"), dir.resolve("tls.key"))
              .bind("127.0.0.1", 0).start()) {
        List<String> cmd = new ArrayList<>(List.of(
            Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"),
            VerifyBenchmark.class.getName(), "load", "https://127.0.0.1:" + server.port() + "/validate",
            dir.resolve("tls.crt").toString(), Integer.toString(clients), Integer.toString(warmupSeconds),
            Integer.toString(seconds)));
        cmd.addAll(refs);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          long cpu0 = 0;
          for (String line; (line = r.readLine()) != null; ) {
            // The child marks its measured window, so that the server's CPU time covers the same one.
            if (line.equals("MEASURE-START")) {
              cpu0 = processCpuNanos();
            } else if (line.startsWith("MEASURE-END ")) {
              long reviews = Long.parseLong(line.substring("MEASURE-END ".length()));
              double cpu = (processCpuNanos() - cpu0) / 1e9;
              System.out.printf(Locale.ROOT, "server JVM CPU in the measured window: %.2f s = %.3f ms per review%n",
                  cpu, reviews == 0 ? 0 : cpu * 1e3 / reviews);
            } else {
              System.out.println(line);
            }
          }
        } finally {
          if (p.waitFor() != 0) {
            System.out.println("load generator exited with " + p.exitValue());
          }
          p.destroyForcibly();
        }
      }
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
    System.out.println("load average " + loadavg());
  }

  /** A self-signed P-256 certificate for localhost and 127.0.0.1: {@code tls.crt} and a PKCS#8 {@code tls.key}. */
  private static void selfSigned(Path dir) throws Exception {
    KeyPair keys = Keys.generateP256();
    Instant now = Instant.now();
    X500Name name = new X500Name("CN=attest-admission-bench");
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
        Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(1))), name, keys.getPublic());
    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
        new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
    X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    StringWriter pem = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(pem)) {
      w.writeObject(cert);
    }
    Files.writeString(dir.resolve("tls.crt"), pem.toString());
    Files.writeString(dir.resolve("tls.key"), "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(keys.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n");
  }

  private static byte[] podReview(int n, String image) {
    String json = "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{"
        + "\"uid\":\"bench-" + n + "\",\"operation\":\"CREATE\",\"namespace\":\"shop\","
        + "\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},"
        + "\"resource\":{\"group\":\"\",\"version\":\"v1\",\"resource\":\"pods\"},"
        + "\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-" + n
        + "\",\"namespace\":\"shop\"},\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"" + image + "\"}]}}}}";
    return json.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The load generator (child JVM): {@code load <url> <cert.pem> <clients> <warm-up s> <measured s>
   * <image>...}. Each client thread POSTs reviews in a loop over one shared HTTP/1.1 client
   * (keep-alive pool); a response counts only if it is 200 with {@code "allowed":true}.
   */
  private static void load(String[] args) throws Exception {
    URI url = URI.create(args[1]);
    int clients = Integer.parseInt(args[3]);
    int warm = Integer.parseInt(args[4]);
    int measured = Integer.parseInt(args[5]);
    List<String> images = List.of(args).subList(6, args.length);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (var in = Files.newInputStream(Path.of(args[2]))) {
      trust.setCertificateEntry("server", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(ctx)
        .connectTimeout(Duration.ofSeconds(10)).build();
    List<byte[]> bodies = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      bodies.add(podReview(i, images.get(i)));
    }
    AtomicBoolean measuring = new AtomicBoolean();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong ok = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicLong warmCount = new AtomicLong();
    List<String> firstErrors = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      int offset = c;
      Thread t = new Thread(() -> {
        for (int i = offset; !stop.get(); i++) {
          byte[] body = bodies.get(i % bodies.size());
          boolean good;
          String why = "";
          try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(url)
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(15))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            good = r.statusCode() == 200 && r.body().contains("\"allowed\":true");
            why = r.statusCode() + " " + r.body();
          } catch (Exception e) {
            good = false;
            why = e.toString();
          }
          if (measuring.get()) {
            if (good) {
              ok.incrementAndGet();
            } else {
              errors.incrementAndGet();
            }
          } else {
            warmCount.incrementAndGet();
          }
          if (!good) {
            if (firstErrors.size() < 3) {
              firstErrors.add(why);
            }
          }
        }
      }, "load-" + c);
      t.start();
      threads.add(t);
    }
    Thread.sleep(warm * 1000L);
    long warmDone = warmCount.get();
    long cpu0 = processCpuNanos();
    System.out.println("MEASURE-START");
    System.out.flush();
    measuring.set(true);
    long t0 = System.nanoTime();
    Thread.sleep(measured * 1000L);
    measuring.set(false);
    long elapsed = System.nanoTime() - t0;
    long good = ok.get();
    long bad = errors.get();
    double cpu = (processCpuNanos() - cpu0) / 1e9;
    System.out.println("MEASURE-END " + (good + bad));
    System.out.flush();
    stop.set(true);
    for (Thread t : threads) {
      t.join(20_000);
    }
    System.out.printf(Locale.ROOT, "load generator: %d clients, HTTP/1.1 keep-alive, %d images, warm-up %d s "
        + "(%d reviews)%n", clients, images.size(), warm, warmDone);
    System.out.printf(Locale.ROOT, "admission: %d allowed reviews in %.2f s = %.0f reviews/s, errors %d%n",
        good, elapsed / 1e9, good / (elapsed / 1e9), bad);
    System.out.printf(Locale.ROOT, "load generator JVM CPU in the measured window: %.2f s = %.3f ms per review%n",
        cpu, good + bad == 0 ? 0 : cpu * 1e3 / (good + bad));
    for (String e : firstErrors) {
      System.out.println("error: " + e.substring(0, Math.min(300, e.length())));
    }
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static String loadavg() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (Exception e) {
      return "?";
    }
  }
}
