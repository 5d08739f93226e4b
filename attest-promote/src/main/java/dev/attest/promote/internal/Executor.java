package dev.attest.promote.internal;

import dev.attest.core.AttestException;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.ImageIndex;
import dev.attest.core.Manifest;
import dev.attest.core.DaemonThreads;
import dev.attest.core.VerifyingInputStream;
import dev.attest.promote.PromotionEvent;
import dev.attest.promote.PromotionException;
import dev.attest.promote.PromotionListener;
import dev.attest.promote.PromotionPlan.Item;
import dev.attest.promote.PromotionPlan.Kind;
import dev.attest.promote.PromotionPlan.TagAction;
import dev.attest.promote.PromotionPlan;
import dev.attest.promote.RepositoryRef;
import dev.attest.registry.BlobSource;
import dev.attest.registry.FallbackIndex;
import dev.attest.registry.PushOptions;
import dev.attest.registry.PushResult;
import dev.attest.registry.Registry;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;

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
  private final @Nullable SharedTransfers shared;

  private final AtomicInteger blobsCopied = new AtomicInteger();
  private final AtomicInteger blobsMounted = new AtomicInteger();
  private final AtomicLong bytesCopied = new AtomicLong();
  private final AtomicInteger manifestsWritten = new AtomicInteger();
  private final AtomicInteger indexUpdates = new AtomicInteger();
  private final AtomicInteger tagsWritten = new AtomicInteger();
  /** Index entries dropped because their manifests exist at neither end. */
  private final AtomicInteger entriesDropped = new AtomicInteger();

  /** What a run wrote so far: a snapshot, so that no caller can change the counts. */
  public record Counts(int blobsCopied, int blobsMounted, long bytesCopied, int manifestsWritten, int indexUpdates,
      int tagsWritten, int entriesDropped) {}

  /** A snapshot of the counts. */
  public Counts counts() {
    return new Counts(blobsCopied.get(), blobsMounted.get(), bytesCopied.get(), manifestsWritten.get(),
        indexUpdates.get(), tagsWritten.get(), entriesDropped.get());
  }
  /** Whether the destination answered a manifest push with {@code OCI-Subject} (it has the referrers API). */
  private volatile boolean referrersApi;
  /** Whether a referrer pushed by this run was not answered with {@code OCI-Subject}. */
  private volatile boolean noReferrersApi;
  /** The destination's referrers listing of each subject, as the planner read it. */
  private Map<Digest, Set<Digest>> listedAtPlan = Map.of();
  /** Manifests whose push the registry answered with their digest: no check afterwards. */
  private final Set<Digest> confirmed = ConcurrentHashMap.newKeySet();
  /** Manifests the plan did not fetch (present referrers), fetched from the source if needed. */
  private final Map<Digest, Manifest> fetched = new ConcurrentHashMap<>();

  /** With {@code shared}, blob transfers are bounded and deduplicated with the other promotions of a fleet. */
  public Executor(RepositoryRef source, RepositoryRef destination, int parallelism, PromotionListener listener,
      @Nullable SharedTransfers shared) {
    this.source = source;
    this.destination = destination;
    this.parallelism = parallelism;
    this.listener = listener;
    this.shared = shared;
  }

  /**
   * Copies content, updates referrers indexes and writes legacy tags; not the requested tags.
   * Manifests go in dependency levels (an index's children, then the index; a subject, then its
   * referrers), each level concurrently. The referrers indexes, the legacy tags and the check of
   * what was written then run together: the index updates of a registry without the referrers
   * API mostly wait (ADR 0008), and neither the tags nor the check depend on them.
   * {@code listedAtPlan} is what the destination listed as referrers of each subject while
   * planning: a listing that has every referrer of its subject, where this run writes none, is not
   * read again.
   */
  public void copy(PromotionPlan plan, List<String> requestedTags, Map<Digest, Set<Digest>> listedAtPlan)
      throws AttestException {
    this.listedAtPlan = Map.copyOf(listedAtPlan);
    copyBlobs(plan);
    Registry dst = destination.registry();
    String repo = destination.repository();
    for (List<Item> level : manifestLevels(plan)) {
      List<Task> pushes = new ArrayList<>();
      for (Item item : level) {
        pushes.add(() -> {
          Manifest m = manifest(plan, item.digest());
          PushResult pushed = dst.pushManifest(repo, m, PushOptions.DEFAULT.withoutFallbackIndex());
          if (pushed.confirmed() && pushed.descriptor().digest().equals(item.digest())) {
            confirmed.add(item.digest());
          }
          if (pushed.referrersApi()) {
            referrersApi = true;
          } else if (m.subject().isPresent()) {
            noReferrersApi = true;
          }
          manifestsWritten.incrementAndGet();
          listener.onEvent(new PromotionEvent.ManifestWritten(item.descriptor()));
        });
      }
      runAll(pushes);
    }
    List<Task> last = new ArrayList<>(indexUpdates(plan));
    int waiting = last.size();
    for (TagAction t : plan.tags()) {
      if (!t.present() && !requestedTags.contains(t.tag())) {
        last.add(() -> writeTag(plan, t));
      }
    }
    last.addAll(checks(plan));
    runAll(last, parallelism + waiting);
  }

  /**
   * The manifests to push, in levels: each level only needs the levels before it (the children
   * of an index, the subject of a referrer), in plan order within a level.
   */
  public static List<List<Item>> manifestLevels(PromotionPlan plan) {
    Map<Digest, Integer> level = new HashMap<>();
    List<List<Item>> levels = new ArrayList<>();
    for (Item item : plan.items()) {
      if (item.kind() == Kind.BLOB || item.present()) {
        continue;
      }
      Manifest m = plan.manifest(item.digest()).orElseThrow();
      int l = 0;
      List<Digest> needs = new ArrayList<>();
      if (m instanceof ImageIndex ix) {
        ix.manifests().forEach(c -> needs.add(c.digest()));
      }
      m.subject().ifPresent(s -> needs.add(s.digest()));
      if (item.parent() != null && item.kind() == Kind.REFERRER) {
        // A legacy cosign signature names its subject by tag, not by a subject field.
        needs.add(item.parent());
      }
      for (Digest d : needs) {
        Integer before = level.get(d);
        if (before != null) {
          l = Math.max(l, before + 1);
        }
      }
      level.put(item.digest(), l);
      while (levels.size() <= l) {
        levels.add(new ArrayList<>());
      }
      levels.get(l).add(item);
    }
    return levels;
  }

  /** Writes the requested tags the destination lacks. */
  public void writeRequestedTags(PromotionPlan plan, List<String> requestedTags) throws AttestException {
    for (TagAction t : plan.tags()) {
      if (!t.present() && requestedTags.contains(t.tag())) {
        writeTag(plan, t);
      }
    }
  }

  private void writeTag(PromotionPlan plan, TagAction t) throws AttestException {
    Manifest m = manifest(plan, t.digest());
    destination.registry().tag(destination.repository(), m.plainDescriptor(), t.tag());
    tagsWritten.incrementAndGet();
    listener.onEvent(new PromotionEvent.TagWritten(t.tag(), t.digest()));
  }

  /**
   * One task per subject with referrers (subjects have distinct indexes): lists each referrer in
   * its subject's index at the destination, once every manifest is there.
   */
  private List<Task> indexUpdates(PromotionPlan plan) throws AttestException {
    Map<Digest, List<Item>> bySubject = new LinkedHashMap<>();
    for (Item item : plan.referrers()) {
      // A referrer the plan did not fetch was listed by the source for its subject, its parent.
      Optional<Manifest> m = plan.manifest(item.digest());
      Digest subject = m.isPresent() ? m.get().subject().map(Descriptor::digest).orElse(null)
          : item.legacyTag() == null ? item.parent() : null;
      if (subject != null) {
        bySubject.computeIfAbsent(subject, k -> new ArrayList<>()).add(item);
      }
    }
    Set<Digest> absentAtPlan = new HashSet<>();
    for (Item item : plan.items()) {
      if (item.kind() != Kind.BLOB && !item.present()) {
        absentAtPlan.add(item.digest());
      }
    }
    Map<Digest, Set<Digest>> drops = new LinkedHashMap<>();
    for (PromotionPlan.Dropped d : plan.dropped()) {
      drops.computeIfAbsent(d.subject(), k -> new HashSet<>()).add(d.entry());
      bySubject.computeIfAbsent(d.subject(), k -> new ArrayList<>());
    }
    List<Task> tasks = new ArrayList<>();
    for (Map.Entry<Digest, List<Item>> e : bySubject.entrySet()) {
      Set<Digest> drop = drops.getOrDefault(e.getKey(), Set.of());
      tasks.add(() -> {
        if (!drop.isEmpty()) {
          // Rewritten without the entries that point at nothing, with every referrer listed.
          List<Descriptor> all = new ArrayList<>();
          for (Item item : e.getValue()) {
            all.add(plan.manifest(item.digest()).map(Manifest::descriptor).orElse(item.descriptor()));
          }
          Optional<FallbackIndex> index = destination.registry().fallbackIndex();
          if (index.isPresent()) {
            index.get().update(destination.repository(), e.getKey(), all, drop);
          }
          entriesDropped.addAndGet(drop.size());
          return;
        }
        if (!e.getValue().isEmpty()) {
          updateIndex(plan, e.getKey(), e.getValue(), absentAtPlan);
        }
      });
    }
    return tasks;
  }

  private void updateIndex(PromotionPlan plan, Digest subject, List<Item> referrers, Set<Digest> absentAtPlan)
      throws AttestException {
    Registry dst = destination.registry();
    String repo = destination.repository();
    // A destination that keeps a tag-schema index and did not index this run's referrers itself.
    Optional<FallbackIndex> index = dst.fallbackIndex();
    boolean fallback = index.isPresent() && noReferrersApi && !referrersApi;
    boolean wroteOne = referrers.stream().anyMatch(r -> absentAtPlan.contains(r.digest()));
    Set<Digest> plannedListing = listedAtPlan.get(subject);
    List<Item> missing;
    if (fallback && wroteOne && plannedListing != null
        && referrers.stream().allMatch(r -> plannedListing.contains(r.digest()))) {
      return; // referrers pushed again (a repair) that the index already lists
    } else if (fallback && wroteOne) {
      // This run pushed a referrer, so the index lacks it: merge them all in one update, which
      // leaves entries already listed as they are, without listing the referrers first.
      missing = referrers;
    } else {
      Set<Digest> planned = listedAtPlan.get(subject);
      if (!wroteOne && planned != null && referrers.stream().allMatch(r -> planned.contains(r.digest()))) {
        return; // the planner's listing has them all (a no-op re-run): nothing to add, no read
      }
      // Every referrer was there already (a resumed promotion): list only those the index lacks.
      Set<Digest> listed = new HashSet<>();
      for (Descriptor d : dst.referrers(repo, subject, null)) {
        listed.add(d.digest());
      }
      missing = referrers.stream().filter(item -> !listed.contains(item.digest())).toList();
      if (missing.isEmpty()) {
        return;
      }
    }
    // A registry without the referrers API (2.8): one race-safe index update for all of them,
    // not one read-write-confirm cycle per referrer; a subject this run created has no index
    // anyone else writes, so it is created with a single confirmation (ADR 0016).
    if (fallback) {
      List<Descriptor> descriptors = new ArrayList<>();
      for (Item item : missing) {
        descriptors.add(plan.manifest(item.digest()).map(Manifest::descriptor).orElse(item.descriptor()));
      }
      index.get().add(repo, subject, descriptors, absentAtPlan.contains(subject));
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
  private List<Task> checks(PromotionPlan plan) {
    Registry dst = destination.registry();
    String repo = destination.repository();
    List<Task> checks = new ArrayList<>();
    // Blobs are not asked about again: a blob upload or a mount that answered true returns only
    // once the destination itself has checked the bytes against the digest (the Registry
    // contract's confirmed writes: a registry's answer to the final "PUT ?digest=" or to the
    // mount, a layout's verified write). Manifests are resolved: digest and size.
    for (Item item : plan.items()) {
      // Items the plan found present were just checked by digest there (HEAD); check what this
      // run wrote, so that a re-run of a completed promotion asks no more than the plan did.
      if (item.present() || item.kind() == Kind.BLOB) {
        continue;
      }
      if (item.kind() != Kind.BLOB && confirmed.contains(item.digest())) {
        continue; // a 201 naming its digest: the registry's own answer is the check (issue 14)
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
    return checks;
  }

  /**
   * The manifest of a plan item; one the plan did not fetch (a referrer present at the
   * destination) is fetched from the source by digest, which the rare paths that need it (a
   * legacy tag, a push to list it again) may.
   */
  private Manifest manifest(PromotionPlan plan, Digest digest) throws AttestException {
    Optional<Manifest> planned = plan.manifest(digest);
    if (planned.isPresent()) {
      return planned.get();
    }
    Manifest m = fetched.get(digest);
    if (m == null) {
      m = source.registry().fetchManifest(source.repository(), digest.toString());
      if (!m.digest().equals(digest)) {
        throw new PromotionException(source + " serves " + m.digest() + " for manifest " + digest);
      }
      fetched.put(digest, m);
    }
    return m;
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
    ExecutorService pool = Executors.newFixedThreadPool(threads, DaemonThreads.named("attest-promote"));
    try {
      runAll(tasks, pool, "transferring");
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Runs {@code tasks} on {@code pool} and waits for them all; the first failure in list order
   * keeps the tasks not yet started from starting, waits for those running, and is thrown as it
   * was ({@code doing} names the work in the message of an interruption). Running tasks are not
   * interrupted: a write cut off half-way might land or not, and a caller that meets the failure
   * must know that no write of this run is still in flight (a re-run then plans from a settled
   * destination).
   *
   * <p>Tasks are not cancelled through their futures: {@code Future.cancel} on a running task
   * makes {@code get()} return at once while the task goes on, so a failed run used to return
   * with a push still in flight, which a re-run's plan could see as absent and write again (the
   * PromotionTest flake of issue 14). Each task counts itself down when it ends or is skipped.
   */
  static void runAll(List<Task> tasks, ExecutorService pool, String doing) throws AttestException {
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(tasks.size());
    List<Future<Void>> futures = new ArrayList<>();
    for (Task t : tasks) {
      try {
        futures.add(pool.submit(() -> {
          try {
            if (!stop.get()) {
              t.run();
            }
            return null;
          } catch (Throwable e) {
            stop.set(true);
            throw e;
          } finally {
            ended.countDown();
          }
        }));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        stop.set(true);
        for (int i = futures.size(); i < tasks.size(); i++) {
          ended.countDown();
        }
        awaitEnded(ended);
        throw new PromotionException("while " + doing + ": no thread to run a task on", e);
      }
    }
    try {
      for (Future<Void> f : futures) {
        try {
          f.get();
        } catch (ExecutionException e) {
          stop.set(true);
          ended.await(); // every task has run to its end or been skipped: nothing in flight
          throw e;
        }
      }
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof AttestException ae) {
        throw ae;
      }
      if (c instanceof RuntimeException re) {
        throw re;
      }
      if (c instanceof Error err) {
        throw err;
      }
      throw new PromotionException("while " + doing + ": " + c, c);
    } catch (InterruptedException e) {
      stop.set(true);
      futures.forEach(f -> f.cancel(true));
      Thread.currentThread().interrupt();
      throw new PromotionException("interrupted while " + doing, e);
    }
  }

  private static void awaitEnded(java.util.concurrent.CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void copyBlob(Descriptor blob) throws AttestException {
    listener.onEvent(new PromotionEvent.BlobStarted(blob));
    Registry dst = destination.registry();
    String repo = destination.repository();
    if (sameStorage() && dst.mountBlob(repo, blob.digest(), source.repository())) {
      mounted(blob);
      return;
    }
    // Another repository of the destination that this client has already given the blob (an
    // earlier promotion of a fleet sharing a base layer): mount it there instead of copying again.
    String known = dst.knownRepository(blob.digest()).orElse(null);
    if (known != null && !known.equals(repo) && dst.mountBlob(repo, blob.digest(), known)) {
      mounted(blob);
      return;
    }
    if (shared == null) {
      transfer(blob);
      return;
    }
    // In a fleet, a blob another promotion is copying to the same registry is waited for and
    // mounted from there: the fleet's shared base layer is copied once, not once per promotion.
    CompletableFuture<String> mine = new CompletableFuture<>();
    CompletableFuture<String> other = shared.claim(dst, blob.digest(), mine);
    if (other != null) {
      String from = awaitQuietly(other);
      if (repo.equals(from)) {
        // Another promotion of the fleet into this same repository has just copied it.
        listener.onEvent(new PromotionEvent.BlobDone(blob, PromotionEvent.Transfer.PRESENT));
        return;
      }
      if (from != null && dst.mountBlob(repo, blob.digest(), from)) {
        mounted(blob);
        return;
      }
      transfer(blob);
      return;
    }
    try {
      transfer(blob);
    } catch (AttestException | RuntimeException e) {
      shared.failed(dst, blob.digest(), mine, e);
      throw e;
    }
    shared.copied(mine, repo);
  }

  private void mounted(Descriptor blob) {
    blobsMounted.incrementAndGet();
    listener.onEvent(new PromotionEvent.BlobDone(blob, PromotionEvent.Transfer.MOUNTED));
  }

  /** The repository another promotion copied a blob to, or null if its copy failed. */
  private static @Nullable String awaitQuietly(CompletableFuture<String> other) throws PromotionException {
    try {
      return other.get();
    } catch (ExecutionException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PromotionException("interrupted while waiting for a blob another promotion copies", e);
    }
  }

  /** Streams a blob from the source to the destination, within the fleet's bound on transfers. */
  private void transfer(Descriptor blob) throws AttestException {
    if (shared != null) {
      try {
        shared.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new PromotionException("interrupted while waiting to transfer " + blob.digest(), e);
      }
    }
    try {
      stream(blob);
    } finally {
      if (shared != null) {
        shared.release();
      }
    }
  }

  private void stream(Descriptor blob) throws AttestException {
    Registry dst = destination.registry();
    String repo = destination.repository();
    Registry src = source.registry();
    // The fetched stream goes to the destination as it is: it verifies the digest itself, and a
    // destination that sees it unwrapped does not hash every byte again. Progress is counted by
    // the verifying stream's own hook, not by a wrapper that would hide it.
    boolean counting = listener != PromotionListener.NONE;
    BlobSource from = () -> {
      try {
        InputStream in = src.fetchBlob(source.repository(), blob);
        if (!counting) {
          return in;
        }
        if (in instanceof VerifyingInputStream v) {
          v.onProgress(progress(blob));
          return v;
        }
        return new Counting(in, blob);
      } catch (AttestException e) {
        throw new IOException("cannot read blob " + blob.digest() + " from " + source + ": " + e.getMessage(), e);
      }
    };
    // The plan has just asked whether the destination has it: no second HEAD.
    dst.uploadBlob(repo, blob, from);
    blobsCopied.incrementAndGet();
    bytesCopied.addAndGet(blob.size());
    listener.onEvent(new PromotionEvent.BlobDone(blob, PromotionEvent.Transfer.COPIED));
  }

  /** Reports a blob's progress every {@value #PROGRESS_STEP} bytes and at its end. */
  private LongConsumer progress(Descriptor blob) {
    long[] reported = {0};
    return read -> {
      if (read - reported[0] >= PROGRESS_STEP || read == blob.size()) {
        reported[0] = read;
        listener.onEvent(new PromotionEvent.BlobProgress(blob.digest(), read, blob.size()));
      }
    };
  }

  /** Whether blobs can be mounted: both sides are one registry (or one layout). */
  private boolean sameStorage() {
    return destination.registry().sameStorage(source.registry());
  }

  /** Reports progress as a source stream that does not verify is read. */
  private final class Counting extends FilterInputStream {
    private final LongConsumer progress;
    private long read;

    Counting(InputStream in, Descriptor blob) {
      super(in);
      this.progress = progress(blob);
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
      progress.accept(read);
    }
  }
}
