package dev.attest.promote.internal;

import dev.attest.core.AttestException;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.Manifest;
import dev.attest.promote.PromotionEvent;
import dev.attest.promote.PromotionException;
import dev.attest.promote.PromotionListener;
import dev.attest.promote.PromotionPlan;
import dev.attest.promote.PromotionPlan.Item;
import dev.attest.promote.PromotionPlan.Kind;
import dev.attest.promote.PromotionPlan.TagAction;
import dev.attest.promote.RepositoryRef;
import dev.attest.registry.BlobSource;
import dev.attest.registry.OciLayout;
import dev.attest.registry.PushOptions;
import dev.attest.registry.PushResult;
import dev.attest.registry.Registry;
import dev.attest.registry.RemoteRegistry;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Carries out a {@link PromotionPlan}: blobs in parallel on a bounded pool, then manifests in plan
 * order (children before parents, referrers after subjects) without touching referrers indexes,
 * then the referrers indexes, then legacy tags; counts every write.
 */
public final class Executor {
  private static final long PROGRESS_STEP = 1 << 20;

  private final RepositoryRef source;
  private final RepositoryRef destination;
  private final int parallelism;
  private final PromotionListener listener;

  public final AtomicInteger blobsCopied = new AtomicInteger();
  public final AtomicInteger blobsMounted = new AtomicInteger();
  public final AtomicLong bytesCopied = new AtomicLong();
  public final AtomicInteger manifestsWritten = new AtomicInteger();
  public final AtomicInteger indexUpdates = new AtomicInteger();
  public final AtomicInteger tagsWritten = new AtomicInteger();
  /** Whether the destination answered a manifest push with {@code OCI-Subject} (it has the referrers API). */
  private volatile boolean referrersApi;
  /** Whether a referrer pushed by this run was not answered with {@code OCI-Subject}. */
  private volatile boolean noReferrersApi;

  public Executor(RepositoryRef source, RepositoryRef destination, int parallelism, PromotionListener listener) {
    this.source = source;
    this.destination = destination;
    this.parallelism = parallelism;
    this.listener = listener;
  }

  /** Copies content, updates referrers indexes and writes legacy tags; not the requested tags. */
  public void copy(PromotionPlan plan, List<String> requestedTags) throws AttestException {
    copyBlobs(plan);
    Registry dst = destination.registry();
    String repo = destination.repository();
    for (Item item : plan.items()) {
      if (item.kind() == Kind.BLOB) {
        continue;
      }
      if (item.present()) {
        continue;
      }
      Manifest m = manifest(plan, item.digest());
      PushResult pushed = dst.pushManifest(repo, m, PushOptions.DEFAULT.withoutFallbackIndex());
      if (pushed.referrersApi()) {
        referrersApi = true;
      } else if (m.subject().isPresent()) {
        noReferrersApi = true;
      }
      manifestsWritten.incrementAndGet();
      listener.onEvent(new PromotionEvent.ManifestWritten(item.descriptor()));
    }
    updateReferrersIndexes(plan);
    writeTags(plan, tag -> !requestedTags.contains(tag));
    check(plan);
  }

  /** Writes the requested tags the destination lacks. */
  public void writeRequestedTags(PromotionPlan plan, List<String> requestedTags) throws AttestException {
    writeTags(plan, requestedTags::contains);
  }

  private void writeTags(PromotionPlan plan, java.util.function.Predicate<String> which) throws AttestException {
    for (TagAction t : plan.tags()) {
      if (t.present() || !which.test(t.tag())) {
        continue;
      }
      Manifest m = manifest(plan, t.digest());
      destination.registry().tag(destination.repository(), m.plainDescriptor(), t.tag());
      tagsWritten.incrementAndGet();
      listener.onEvent(new PromotionEvent.TagWritten(t.tag(), t.digest()));
    }
  }

  /**
   * Lists each referrer in its subject's index at the destination, last, once every manifest is
   * there. The registry has no public "add these descriptors to the index" call, so a referrer
   * missing from its subject's listing is pushed again with the default options: the same bytes
   * (a no-op for the registry), then the registry's race-safe conditional index update.
   */
  private void updateReferrersIndexes(PromotionPlan plan) throws AttestException {
    Map<Digest, List<Item>> bySubject = new LinkedHashMap<>();
    for (Item item : plan.referrers()) {
      Manifest m = manifest(plan, item.digest());
      if (m.subject().isPresent()) {
        bySubject.computeIfAbsent(m.subject().get().digest(), k -> new ArrayList<>()).add(item);
      }
    }
    // Subjects have distinct indexes: update them concurrently; one subject's referrers in turn.
    List<Task> tasks = new ArrayList<>();
    for (Map.Entry<Digest, List<Item>> e : bySubject.entrySet()) {
      tasks.add(() -> updateIndex(plan, e.getKey(), e.getValue()));
    }
    runAll(tasks);
  }

  private void updateIndex(PromotionPlan plan, Digest subject, List<Item> referrers) throws AttestException {
    Registry dst = destination.registry();
    String repo = destination.repository();
    Set<Digest> listed = new HashSet<>();
    for (Descriptor d : dst.referrers(repo, subject, null)) {
      listed.add(d.digest());
    }
    List<Item> missing = referrers.stream().filter(item -> !listed.contains(item.digest())).toList();
    if (missing.isEmpty()) {
      return;
    }
    // A registry without the referrers API (2.8): one race-safe index update for all of them,
    // not one read-write-confirm cycle per referrer.
    if (dst instanceof RemoteRegistry remote && noReferrersApi && !referrersApi) {
      List<Descriptor> descriptors = new ArrayList<>();
      for (Item item : missing) {
        descriptors.add(manifest(plan, item.digest()).descriptor());
      }
      remote.addToFallbackIndex(repo, subject, descriptors);
      for (Item item : missing) {
        indexUpdates.incrementAndGet();
        listener.onEvent(new PromotionEvent.ReferrerIndexed(subject, item.digest()));
      }
      return;
    }
    for (Item item : missing) {
      PushResult r = dst.pushManifest(repo, manifest(plan, item.digest()), PushOptions.DEFAULT);
      indexUpdates.incrementAndGet();
      if (r.fallbackIndexUpdated() || r.referrersApi()) {
        listener.onEvent(new PromotionEvent.ReferrerIndexed(subject, item.digest()));
      }
    }
  }

  /** Checks that the destination has every item this run wrote, with the planned digest and size. */
  private void check(PromotionPlan plan) throws AttestException {
    Registry dst = destination.registry();
    String repo = destination.repository();
    List<Task> checks = new ArrayList<>();
    for (Item item : plan.items()) {
      // Items the plan found present were just checked by digest there (HEAD); check what this
      // run wrote, so that a re-run of a completed promotion asks no more than the plan did.
      if (item.present()) {
        continue;
      }
      checks.add(() -> {
        if (item.kind() == Kind.BLOB) {
          if (!dst.hasBlob(repo, item.digest())) {
            throw new PromotionException("after the copy, " + destination + " lacks blob " + item.digest());
          }
          return;
        }
        Descriptor d = dst.resolve(repo, item.digest().toString());
        if (!d.digest().equals(item.digest()) || d.size() != item.descriptor().size()) {
          throw new PromotionException("after the copy, " + destination + " serves " + d.digest() + " (" + d.size()
              + " bytes) for manifest " + item.digest() + " (" + item.descriptor().size() + " bytes)");
        }
      });
    }
    runAll(checks);
  }

  private static Manifest manifest(PromotionPlan plan, Digest digest) throws PromotionException {
    return plan.manifest(digest).orElseThrow(() -> new PromotionException("the plan has no manifest " + digest));
  }

  // ---------------------------------------------------------------- blobs

  private void copyBlobs(PromotionPlan plan) throws AttestException {
    List<Item> todo = new ArrayList<>();
    for (Item b : plan.blobs()) {
      if (b.present()) {
        listener.onEvent(new PromotionEvent.BlobDone(b.descriptor(), PromotionEvent.Transfer.PRESENT));
      } else {
        todo.add(b);
      }
    }
    if (todo.isEmpty()) {
      return;
    }
    List<Task> tasks = new ArrayList<>();
    for (Item b : todo) {
      tasks.add(() -> copyBlob(b.descriptor()));
    }
    runAll(tasks);
  }

  /** A unit of work that may fail with an {@link AttestException}. */
  @FunctionalInterface
  interface Task {
    void run() throws AttestException;
  }

  /**
   * Runs {@code tasks} on at most {@code parallelism} threads; the first failure cancels the rest
   * and is thrown.
   */
  private void runAll(List<Task> tasks) throws AttestException {
    runAll(tasks, parallelism);
  }

  static void runAll(List<Task> tasks, int parallelism) throws AttestException {
    int threads = Math.min(parallelism, tasks.size());
    if (threads <= 1) {
      for (Task t : tasks) {
        t.run();
      }
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads, daemon());
    try {
      List<Future<Void>> futures = new ArrayList<>();
      for (Task t : tasks) {
        futures.add(pool.submit(() -> {
          t.run();
          return null;
        }));
      }
      for (Future<Void> f : futures) {
        try {
          f.get();
        } catch (ExecutionException e) {
          pool.shutdownNow();
          Throwable c = e.getCause();
          if (c instanceof AttestException ae) {
            throw ae;
          }
          if (c instanceof RuntimeException re) {
            throw re;
          }
          throw new PromotionException("a transfer failed: " + c, c);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new PromotionException("interrupted while transferring", e);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static ThreadFactory daemon() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "attest-promote-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private void copyBlob(Descriptor blob) throws AttestException {
    listener.onEvent(new PromotionEvent.BlobStarted(blob));
    Registry dst = destination.registry();
    String repo = destination.repository();
    if (sameStorage() && dst.mountBlob(repo, blob.digest(), source.repository())) {
      blobsMounted.incrementAndGet();
      listener.onEvent(new PromotionEvent.BlobDone(blob, PromotionEvent.Transfer.MOUNTED));
      return;
    }
    // Another repository of the destination that this client has already given the blob (an
    // earlier promotion of a fleet sharing a base layer): mount it there instead of copying again.
    if (dst instanceof RemoteRegistry remote) {
      String known = remote.knownRepository(blob.digest()).orElse(null);
      if (known != null && !known.equals(repo) && remote.mountBlob(repo, blob.digest(), known)) {
        blobsMounted.incrementAndGet();
        listener.onEvent(new PromotionEvent.BlobDone(blob, PromotionEvent.Transfer.MOUNTED));
        return;
      }
    }
    Registry src = source.registry();
    // Without a listener the fetched stream goes to the destination as it is: it verifies the
    // digest itself, and a destination that sees it unwrapped does not hash every byte again.
    boolean counting = listener != PromotionListener.NONE;
    BlobSource from = () -> {
      try {
        InputStream in = src.fetchBlob(source.repository(), blob);
        return counting ? new Counting(in, blob) : in;
      } catch (AttestException e) {
        throw new IOException("cannot read blob " + blob.digest() + " from " + source + ": " + e.getMessage(), e);
      }
    };
    dst.pushBlob(repo, blob, from);
    blobsCopied.incrementAndGet();
    bytesCopied.addAndGet(blob.size());
    listener.onEvent(new PromotionEvent.BlobDone(blob, PromotionEvent.Transfer.COPIED));
  }

  /** Whether blobs can be mounted: both sides are one registry (or one layout). */
  private boolean sameStorage() {
    Registry s = source.registry();
    Registry d = destination.registry();
    if (s == d) {
      return true;
    }
    if (s instanceof RemoteRegistry && d instanceof RemoteRegistry) {
      return s.name().equals(d.name());
    }
    if (s instanceof OciLayout sl && d instanceof OciLayout dl) {
      return sl.directory().equals(dl.directory());
    }
    return false;
  }

  /** Reports progress as the source stream is read. */
  private final class Counting extends FilterInputStream {
    private final Descriptor blob;
    private long read;
    private long reported;

    Counting(InputStream in, Descriptor blob) {
      super(in);
      this.blob = blob;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        advance(1);
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      int n = super.read(buf, off, len);
      if (n > 0) {
        advance(n);
      }
      return n;
    }

    private void advance(long n) {
      read += n;
      if (read - reported >= PROGRESS_STEP || read == blob.size()) {
        reported = read;
        listener.onEvent(new PromotionEvent.BlobProgress(blob.digest(), read, blob.size()));
      }
    }
  }
}
