package dev.attest.benchmarks;

import dev.attest.core.AttestException;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.registry.Registry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Helpers shared by the benchmarks: timing, medians, random blobs, checks and clean-up. */
final class BenchSupport {
  private BenchSupport() {}

  @FunctionalInterface
  interface Op {
    void run() throws Exception;
  }

  static void check(Registry r, String repo, Descriptor blob) throws AttestException {
    if (!r.hasBlob(repo, blob.digest())) {
      throw new IllegalStateException(repo + " lacks " + blob.digest() + " after the copy");
    }
  }

  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  static double median(List<Double> s) {
    double[] a = s.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(a);
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }

  static double secs(long nanos) {
    return nanos / (double) TimeUnit.SECONDS.toNanos(1);
  }

  /** Seconds taken by {@code op}. */
  static double time(Op op) throws Exception {
    long t = System.nanoTime();
    op.run();
    return secs(System.nanoTime() - t);
  }

  /** Writes {@code size} random (incompressible) bytes to {@code file}; their descriptor. */
  static Descriptor writeRandom(Path file, long size, String mediaType) throws IOException {
    MessageDigest md = Digest.Algorithm.SHA256.newMessageDigest();
    SplittableRandom random = new SplittableRandom();
    byte[] buf = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long left = size; left > 0; ) {
        int n = (int) Math.min(buf.length, left);
        random.nextBytes(buf);
        md.update(buf, 0, n);
        out.write(buf, 0, n);
        left -= n;
      }
    }
    return Descriptor.of(mediaType, Digest.fromHash(Digest.Algorithm.SHA256, md.digest()), size);
  }
}
