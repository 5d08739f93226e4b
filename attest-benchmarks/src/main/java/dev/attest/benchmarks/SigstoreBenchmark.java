package dev.attest.benchmarks;

import dev.attest.verify.BlobVerifier;
import dev.sigstore.KeylessVerifier;
import dev.sigstore.TrustedRootProvider;
import dev.sigstore.VerificationOptions;
import dev.sigstore.bundle.Bundle;
import dev.sigstore.strings.StringMatcher;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Per-bundle keyless verification time of attest's pure-JDK verifier beside sigstore-java 2.0.0's
 * {@code KeylessVerifier}, in one run, on real public-good bundles (attest-verify's test vectors):
 * Rekor v1 ({@code hashedrekord} 0.0.1 with SET, inclusion proof and checkpoint) and Rekor v2
 * ({@code hashedrekord} 0.0.2 with an RFC 3161 timestamp and a C2SP checkpoint).
 *
 * <p>Cold: a fresh JVM per measurement, timing the trusted root load plus the first verification
 * (what one CLI run pays), median of {@code bench.coldRuns} JVMs. Warm: in one JVM, after {@code
 * bench.warmup} verifications, the median of {@code bench.iterations}, each parsing the bundle
 * bytes and verifying; the two verifiers alternate. attest remembers signatures that verified
 * (ADR 0029), so a warm repeat of one bundle hits that memo; the "memo off" row is attest in a
 * JVM with the memo off, every signature checked anew, alternating there with sigstore-java again
 * (whose figure from that JVM is printed beside it). A verifier that cannot verify a bundle is
 * listed with its error. Run by {@code scripts/bench-sigstore}.
 */
public final class SigstoreBenchmark {
  private SigstoreBenchmark() {}

  record Vector(String label, String folder, String san, String issuer) {}

  static final List<Vector> VECTORS = List.of(
      new Vector("v1 hashedrekord P-384", "15-keyless-ecdsa-p384-sha384",
          "untrusted-sa@sigstore-conformance.iam.gserviceaccount.com", "https://accounts.google.com"),
      new Vector("v1 hashedrekord RSA-2048", "16-keyless-rsa-pkcs1v15-2048",
          "untrusted-sa@sigstore-conformance.iam.gserviceaccount.com", "https://accounts.google.com"),
      new Vector("v2 hashedrekord + TSA", "03-rekor2-hashedrekord-prod", "brian@dehamer.com",
          "https://github.com/login/oauth"),
      new Vector("v2 hashedrekord + TSA stg", "01-rekor2-hashedrekord-staging", "jku@goto.fi",
          "https://github.com/login/oauth"));

  /** attest's signature memo (ADR 0029) off: every signature checked anew, as on distinct bundles. */
  static final String NO_MEMO = "attest, memo off";

  static Path dir = Path.of(System.getProperty("bench.vectors", "attest-verify/src/test/resources/vectors"));

  /** One verifier under test: set up from the trusted root, then verify a bundle. */
  interface Impl {
    void verify(byte[] bundle, byte[] artifact) throws Exception;
  }

  static Impl attest(Vector v) throws Exception {
    BlobVerifier verifier = BlobVerifier.keyless(dir.resolve(v.folder()).resolve("trusted_root.json"), v.san(), v.issuer());
    return (bundle, artifact) -> {
      BlobVerifier.Result r = verifier.verify(bundle, new ByteArrayInputStream(artifact));
      if (!r.valid()) {
        throw new IllegalStateException("attest refused " + v.folder() + ": " + r.reason());
      }
    };
  }

  static Impl sigstoreJava(Vector v) throws Exception {
    var root = TrustedRootProvider.from(dir.resolve(v.folder()).resolve("trusted_root.json")).get();
    KeylessVerifier verifier = KeylessVerifier.builder().trustedRootProvider(() -> root).build();
    VerificationOptions options = VerificationOptions.builder()
        .addCertificateMatchers(VerificationOptions.CertificateMatcher.fulcio()
            .issuer(StringMatcher.string(v.issuer()))
            .subjectAlternativeName(StringMatcher.string(v.san()))
            .build())
        .build();
    return (bundle, artifact) -> {
      Bundle b;
      try (Reader r = new InputStreamReader(new ByteArrayInputStream(bundle), StandardCharsets.UTF_8)) {
        b = Bundle.from(r);
      }
      byte[] digest = java.security.MessageDigest.getInstance(
          v.folder().startsWith("15") ? "SHA-384" : "SHA-256").digest(artifact);
      verifier.verify(digest, b, options);
    };
  }

  static Impl impl(String name, Vector v) throws Exception {
    return name.equals("attest") ? attest(v) : sigstoreJava(v);
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 5 && args[0].equals("--warm")) {
      // Child JVM started with the signature memo off: warm median of attest alone, in nanoseconds.
      Vector v = VECTORS.get(Integer.parseInt(args[2]));
      byte[] bundle = Files.readAllBytes(dir.resolve(v.folder()).resolve("bundle.sigstore.json"));
      byte[] artifact = Files.readAllBytes(dir.resolve(v.folder()).resolve("artifact.txt"));
      // attest alternating with sigstore-java (when it verifies the bundle), as in the main loop.
      Impl peer = null;
      try {
        peer = impl("sigstore-java", v);
        peer.verify(bundle, artifact);
      } catch (Exception e) {
        peer = null;
      }
      long[] medians = warmPair(impl(args[1], v), peer, bundle, artifact, Integer.parseInt(args[3]),
          Integer.parseInt(args[4]));
      System.out.println(medians[0] + " " + medians[1]);
      return;
    }
    if (args.length == 3 && args[0].equals("--cold")) {
      // Child JVM: trusted root load plus first verification, printed in nanoseconds.
      Vector v = VECTORS.get(Integer.parseInt(args[2]));
      byte[] bundle = Files.readAllBytes(dir.resolve(v.folder()).resolve("bundle.sigstore.json"));
      byte[] artifact = Files.readAllBytes(dir.resolve(v.folder()).resolve("artifact.txt"));
      long t0 = System.nanoTime();
      impl(args[1], v).verify(bundle, artifact);
      System.out.println(System.nanoTime() - t0);
      return;
    }
    int coldRuns = Integer.getInteger("bench.coldRuns", 5);
    int warmup = Integer.getInteger("bench.warmup", 300);
    int iterations = Integer.getInteger("bench.iterations", 500);
    System.out.printf(Locale.ROOT, "# keyless verify-blob, per bundle (cold: %d fresh JVMs; warm: median of %d after %d)%n",
        coldRuns, iterations, warmup);
    System.out.printf(Locale.ROOT, "%-26s %-16s %12s %12s%n", "bundle", "verifier", "cold ms", "warm ms");
    for (int i = 0; i < VECTORS.size(); i++) {
      Vector v = VECTORS.get(i);
      byte[] bundle = Files.readAllBytes(dir.resolve(v.folder()).resolve("bundle.sigstore.json"));
      byte[] artifact = Files.readAllBytes(dir.resolve(v.folder()).resolve("artifact.txt"));
      String[] names = {"attest", "sigstore-java"};
      Impl[] impls = new Impl[2];
      String[] failed = new String[2];
      for (int k = 0; k < 2; k++) {
        try {
          impls[k] = impl(names[k], v);
          impls[k].verify(bundle, artifact);
        } catch (Exception e) {
          failed[k] = e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).split("\n")[0];
        }
      }
      List<List<Double>> warm = List.of(new ArrayList<>(), new ArrayList<>());
      for (int n = 0; n < warmup + iterations; n++) {
        for (int k = 0; k < 2; k++) {
          if (failed[k] != null) {
            continue;
          }
          long t0 = System.nanoTime();
          impls[k].verify(bundle, artifact);
          if (n >= warmup) {
            warm.get(k).add((System.nanoTime() - t0) / 1e6);
          }
        }
      }
      for (int k = 0; k < 2; k++) {
        if (failed[k] != null) {
          System.out.printf(Locale.ROOT, "%-26s %-16s %12s %12s  (cannot verify: %s)%n", v.label(), names[k], "fails", "fails",
              failed[k]);
          continue;
        }
        List<Double> cold = new ArrayList<>();
        for (int c = 0; c < coldRuns; c++) {
          cold.add(coldRun(names[k], i) / 1e6);
        }
        System.out.printf(Locale.ROOT, "%-26s %-16s %12.1f %12.3f%n", v.label(), names[k], BenchSupport.median(cold),
            BenchSupport.median(warm.get(k)));
        if (k == 0) {
          // The memo (ADR 0029) remembers signatures that verified, so repeating one bundle
          // measures its hits; this row is every signature checked anew (as distinct bundles are).
          long[] off = warmRun("attest", i, warmup, iterations);
          System.out.printf(Locale.ROOT, "%-26s %-16s %12s %12.3f%s%n", v.label(), NO_MEMO, "-", off[0] / 1e6,
              off[1] < 0 ? "" : String.format(Locale.ROOT, "  (sigstore-java alternating in that JVM: %.3f)",
                  off[1] / 1e6));
        }
      }
    }
  }

  /** Warm medians (ns) of {@code impl} and, alternating with it, {@code peer} (-1 without one). */
  static long[] warmPair(Impl impl, Impl peer, byte[] bundle, byte[] artifact, int warmup, int iterations)
      throws Exception {
    List<Double> times = new ArrayList<>();
    List<Double> peerTimes = new ArrayList<>();
    for (int n = 0; n < warmup + iterations; n++) {
      long t0 = System.nanoTime();
      impl.verify(bundle, artifact);
      if (n >= warmup) {
        times.add((double) (System.nanoTime() - t0));
      }
      if (peer != null) {
        t0 = System.nanoTime();
        peer.verify(bundle, artifact);
        if (n >= warmup) {
          peerTimes.add((double) (System.nanoTime() - t0));
        }
      }
    }
    return new long[] {Math.round(BenchSupport.median(times)),
        peer == null ? -1 : Math.round(BenchSupport.median(peerTimes))};
  }

  private static long[] warmRun(String impl, int vector, int warmup, int iterations) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        "-Dbench.vectors=" + dir, "-Ddev.attest.verify.signatureCacheSize=0", SigstoreBenchmark.class.getName(),
        "--warm", impl, Integer.toString(vector), Integer.toString(warmup), Integer.toString(iterations))
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (p.waitFor() != 0) {
      throw new IllegalStateException(impl + " warm run failed: " + out);
    }
    String[] parts = out.split(" ");
    return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])};
  }

  private static long coldRun(String impl, int vector) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        "-Dbench.vectors=" + dir, SigstoreBenchmark.class.getName(), "--cold", impl, Integer.toString(vector))
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (p.waitFor() != 0) {
      throw new IllegalStateException(impl + " cold run failed: " + out);
    }
    return Long.parseLong(out);
  }
}
