package dev.attest.promote.internal;

import dev.attest.core.AttestException;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.ImageIndex;
import dev.attest.core.ImageManifest;
import dev.attest.core.Manifest;
import dev.attest.core.MediaTypes;
import dev.attest.promote.PromotionException;
import dev.attest.promote.PromotionPlan.Item;
import dev.attest.promote.PromotionPlan.Kind;
import dev.attest.promote.PromotionPlan.TagAction;
import dev.attest.promote.PromotionPlan;
import dev.attest.promote.RepositoryRef;
import dev.attest.promote.TagConflictException;
import dev.attest.registry.Attestations;
import dev.attest.registry.NotFoundException;
import dev.attest.registry.Registry;
import dev.attest.registry.RegistryException;
import dev.attest.registry.RegistryUnreachableException;
import dev.attest.registry.TagListing;
import dev.attest.registry.UnauthorizedException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Plans a promotion: walks the graph of one digest at the source, then asks the destination which
 * items and tags it already has. Reads only.
 *
 * <p>The source is read in waves, each wave's manifests, referrers listings and legacy tags
 * fetched concurrently on at most {@code parallelism} threads; then a sequential depth-first walk
 * over what was read builds the plan, so that its order (children before their parent, referrers
 * after their subject), its bounds and its errors are those of a plain sequential walk. A read the
 * waves did not make (past a bound) is made by the walk itself.
 *
 * <p>A source that offers a {@link TagListing} is listed once ({@link TagListing#tagsUpTo}) when it has
 * at most {@value #MAX_LISTED_TAGS} tags: the legacy cosign tags and the {@code sha256-<hex>}
 * referrers indexes of every manifest are then read only where the listing shows them.
 *
 * <p>At the destination, a manifest it already has is taken to have its blobs and child manifests,
 * and a referrer it lists for its subject to be there (such a referrer's manifest is not even
 * fetched at the source; it is still walked for its own referrers), unless {@code checkEveryItem}
 * (see {@code Promotion.checkEveryItem()}).
 */
public final class Planner {

  /** A source repository with more tags than this has its tags resolved one by one. */
  static final int MAX_LISTED_TAGS = 500;

  private final RepositoryRef source;
  private final RepositoryRef destination;
  private final int maxDepth;
  private final int maxNodes;
  private final int parallelism;
  private final boolean checkEveryItem;

  private final Map<Digest, Descriptor> blobs = new LinkedHashMap<>();
  private final Map<Digest, Item> manifestItems = new LinkedHashMap<>();
  private final Map<Digest, Manifest> manifests = new LinkedHashMap<>();
  /** Referrers the destination lists for their subject: present there, not fetched (ADR 0017). */
  private final Set<Digest> listedNotFetched = new HashSet<>();
  private final Map<String, Digest> legacyTags = new LinkedHashMap<>();
  private final Deque<Digest> path = new ArrayDeque<>();
  /** Items the destination claims (lists, or holds what refers to them) but lacks. */
  private final Set<Digest> repairs = new HashSet<>();
  private int nodes;
  private @Nullable Digest root;
  /**
   * The destination lacks the root and answered that it does not know the repository ({@code
   * NAME_UNKNOWN}): it has no manifest, referrers index or tag there, and no blob below {@link
   * #ASK_ABOUT_BLOBS_FROM}, so none is asked about (issue 14). Never with {@code checkEveryItem}.
   * Registry 2.8.2 also calls a repository unknown that has manifests but no tag: the root's HEAD
   * (asked first) rules out a completed promotion of an untagged image; what a crashed one left
   * there (no tag yet) is written again by digest, which is harmless, and large blobs are still
   * asked about so that a resumed promotion does not send them twice.
   */
  private volatile boolean destinationEmpty;

  /** In a repository the destination does not know, blobs from this size on are still asked about. */
  static final long ASK_ABOUT_BLOBS_FROM = 16L << 20;

  /** The source's reads, made by the waves or by the walk: values or the failure to rethrow. */
  private final Map<Read, Result> reads = new ConcurrentHashMap<>();
  /** The destination's answers, some asked for early (about the root). */
  private final Map<Object, Result> destinationReads = new ConcurrentHashMap<>();
  /** The source repository's tags, when it has few; null to resolve tags one by one. */
  private @Nullable Set<String> listedTags;
  /** The source's listing capability, when {@link #listedTags} came from it. */
  private @Nullable TagListing listing;
  private java.util.concurrent.@Nullable Executor pool;

  public Planner(RepositoryRef source, RepositoryRef destination, int maxDepth, int maxNodes, int parallelism,
      boolean checkEveryItem) {
    this.source = source;
    this.destination = destination;
    this.maxDepth = maxDepth;
    this.maxNodes = maxNodes;
    this.parallelism = parallelism;
    this.checkEveryItem = checkEveryItem;
  }

  /**
   * Plans the promotion of {@code digest} with {@code tags}.
   *
   * @throws TagConflictException if a destination tag points at another digest
   * @throws PromotionException if the graph has a cycle or exceeds a bound
   */
  public PromotionPlan plan(Digest digest, List<String> tags) throws AttestException {
    root = digest;
    try {
      readSource(digest);
      visit(digest, Kind.MANIFEST, null, 0, null, null);
      return checkDestination(digest, tags);
    } finally {
      pool = null; // its threads are shared: nothing to stop, every task has ended
    }
  }

  // ---------------------------------------------------------------- the source, read in waves

  /** What is read from the source. */
  private sealed interface Read {}

  private record ManifestRead(Digest digest) implements Read {}

  private record ReferrersRead(Digest subject) implements Read {}

  private record TagRead(String tag) implements Read {}

  private record DestinationManifest(Digest digest) {}

  private record DestinationReferrers(Digest subject) {}

  /** A read's value (a manifest, a referrers list, a tag's descriptor or null), or its failure. */
  private record Result(@Nullable Object value, @Nullable Exception failure) {}

  /**
   * Reads the graph of {@code digest} wave by wave (each wave: the manifests found by the last
   * one, their referrers and legacy tags), concurrently within a wave, every digest once, up to
   * the depth and node bounds. Failures are kept for the walk to meet in order.
   */
  private void readSource(Digest digest) {
    // With the listing: the root's manifest and referrers (its referrers index is read without
    // waiting for the listing: an attested image has one), and what the destination has of it.
    List<Runnable> first = new ArrayList<>();
    first.add(() -> listTags());
    first.add(() -> read(new ManifestRead(digest)));
    first.add(() -> keep(reads, new ReferrersRead(digest),
        () -> source.registry().referrers(source.repository(), digest, null)));
    first.add(() -> askDestinationAboutRoot(digest));
    runConcurrently(first);
    Set<Digest> seen = new HashSet<>();
    seen.add(digest);
    Set<Digest> skipFetch = new HashSet<>();
    List<Digest> wave = List.of(digest);
    for (int depth = 0; !wave.isEmpty() && depth <= maxDepth; depth++) {
      List<Runnable> tasks = new ArrayList<>();
      for (Digest d : wave) {
        if (!skipFetch.contains(d)) {
          tasks.add(() -> read(new ManifestRead(d)));
        }
        tasks.add(() -> read(new ReferrersRead(d)));
        for (String tag : Attestations.legacyTags(d)) {
          if (mayExistAtSource(tag)) {
            tasks.add(() -> read(new TagRead(tag)));
          }
        }
      }
      runConcurrently(tasks);
      // What the destination lists for each subject with referrers, and a HEAD for each referrer
      // the source lists, all at once: a listing is a hint, not proof (a referrer's manifest may
      // have been deleted since its index was written), so each listed referrer is confirmed
      // before it is skipped, and one the destination does not list is asked about by the plan
      // anyway; neither waits for the listing (issue 14: one round trip less per wave). None in a
      // repository the destination does not know, nor when it gave no answer about the root.
      if (!checkEveryItem && !destinationEmpty && !rootUnanswered()) {
        List<Runnable> asks = new ArrayList<>();
        Set<Digest> asked = new HashSet<>();
        for (Digest d : wave) {
          Result r = reads.get(new ReferrersRead(d));
          if (r != null && r.value() instanceof List<?> list && !list.isEmpty()) {
            asks.add(() -> keep(destinationReads, new DestinationReferrers(d), () -> listedAtDestination(d)));
            for (Object o : list) {
              Digest referrer = ((Descriptor) o).digest();
              if (asked.add(referrer)) {
                asks.add(() -> keep(destinationReads, new DestinationManifest(referrer),
                    () -> manifestAtDestination(referrer)));
              }
            }
          }
        }
        runConcurrently(asks);
        for (Digest d : wave) {
          Result r = reads.get(new ReferrersRead(d));
          if (r != null && r.value() instanceof List<?> list) {
            for (Object o : list) {
              Result head = destinationReads.get(new DestinationManifest(((Descriptor) o).digest()));
              if (listedAtDestination(d, (Descriptor) o) && head != null && Boolean.TRUE.equals(head.value())) {
                skipFetch.add(((Descriptor) o).digest());
              }
            }
          }
        }
      }
      List<Digest> next = new ArrayList<>();
      for (Digest d : wave) {
        for (Digest found : found(d)) {
          if (seen.size() > maxNodes) {
            return;
          }
          if (seen.add(found)) {
            next.add(found);
          }
        }
      }
      wave = next;
    }
  }

  /**
   * Asks the destination whether it has the root (a HEAD); where it lacks it, whether it knows
   * the repository at all (see {@link #destinationEmpty}). Beside the source's first reads.
   */
  private void askDestinationAboutRoot(Digest digest) {
    keep(destinationReads, new DestinationManifest(digest), () -> manifestAtDestination(digest));
    Result head = Objects.requireNonNull(destinationReads.get(new DestinationManifest(digest)));
    if (head.failure() != null || checkEveryItem) {
      return; // the failure is thrown by the walk; a full check asks about every item
    }
    if (Boolean.FALSE.equals(head.value())) {
      destinationEmpty = repositoryUnknownAtDestination();
    }
    // Its referrers listing is asked with the HEADs of the referrers the source lists, and only
    // if the source lists some: nothing else reads it (an unattested image's re-run: no request).
  }

  /** Whether the destination gave no answer (or a failure the walk will throw) about the root. */
  private boolean rootUnanswered() {
    Result head = root == null ? null : destinationReads.get(new DestinationManifest(root));
    return head == null || head.failure() != null;
  }

  /**
   * Whether the destination answers that it does not know the repository ({@code NAME_UNKNOWN}
   * to a tag listing of one entry). Any other answer, or none, is "it may": the items are then
   * asked about one by one.
   */
  private boolean repositoryUnknownAtDestination() {
    TagListing tags = destination.registry().tagListing().orElse(null);
    if (tags == null) {
      return false;
    }
    try {
      tags.tagsUpTo(destination.repository(), 1);
      return false;
    } catch (NotFoundException e) {
      return e.errorCode().filter("NAME_UNKNOWN"::equals).isPresent();
    } catch (AttestException | RuntimeException e) {
      return false;
    }
  }

  /** The digests a read manifest leads to: children, referrers, legacy tags (none if a read failed). */
  private List<Digest> found(Digest d) {
    List<Digest> out = new ArrayList<>();
    Result m = reads.get(new ManifestRead(d));
    if (m != null && m.value() instanceof ImageIndex ix) {
      for (Descriptor c : ix.manifests()) {
        out.add(c.digest());
      }
    }
    Result r = reads.get(new ReferrersRead(d));
    if (r != null && r.value() instanceof List<?> list) {
      for (Object o : list) {
        out.add(((Descriptor) o).digest());
      }
    }
    for (String tag : Attestations.legacyTags(d)) {
      Result t = reads.get(new TagRead(tag));
      if (t != null && t.value() instanceof Descriptor legacy) {
        out.add(legacy.digest());
      }
    }
    return out;
  }

  /**
   * Lists the source repository's tags if it has few. Any failure (a registry that refuses or
   * lacks the listing) only means the tags are resolved one by one, as they would be without it.
   */
  private void listTags() {
    TagListing tags = source.registry().tagListing().orElse(null);
    if (tags == null) {
      return;
    }
    try {
      Optional<List<String>> few = tags.tagsUpTo(source.repository(), MAX_LISTED_TAGS);
      listing = tags;
      listedTags = few.<Set<String>>map(HashSet::new).orElse(null);
    } catch (AttestException | RuntimeException e) {
      listedTags = null;
    }
  }

  /** Makes a read unless it was made, keeping its value or failure. */
  private void read(Read read) {
    keep(reads, read, () -> load(read));
  }

  /** A read of the source or the destination. */
  @FunctionalInterface
  private interface Loader {
    @Nullable Object load() throws AttestException;
  }

  /** Loads {@code key} into {@code into} unless it is there, keeping its value or failure. */
  private static <K> void keep(Map<K, Result> into, K key, Loader loader) {
    if (into.containsKey(key)) {
      return;
    }
    Result result;
    try {
      result = new Result(loader.load(), null);
    } catch (AttestException | RuntimeException e) {
      result = new Result(null, e);
    }
    into.putIfAbsent(key, result);
  }

  /** The value kept for {@code key}, loaded now if it was not; a failed load throws its failure. */
  private static <K> @Nullable Object kept(Map<K, Result> from, K key, Loader loader) throws AttestException {
    keep(from, key, loader);
    Result r = Objects.requireNonNull(from.get(key));
    Exception failure = r.failure();
    if (failure instanceof AttestException ae) {
      throw ae;
    }
    if (failure instanceof RuntimeException re) {
      throw re;
    }
    return r.value();
  }

  private @Nullable Object load(Read read) throws AttestException {
    Registry src = source.registry();
    String repo = source.repository();
    if (read instanceof ManifestRead m) {
      return src.fetchManifest(repo, m.digest().toString());
    }
    if (read instanceof ReferrersRead r) {
      Set<String> listed = listedTags;
      TagListing tags = listing;
      if (listed != null && tags != null) {
        return tags.referrers(repo, r.subject(), null, listed);
      }
      return src.referrers(repo, r.subject(), null);
    }
    String tag = ((TagRead) read).tag();
    return mayExistAtSource(tag) ? resolveOrNull(source, tag) : null;
  }

  /** False when the source's tag listing (if it was read) lacks {@code tag}. */
  private boolean mayExistAtSource(String tag) {
    Set<String> listed = listedTags;
    return listed == null || listed.contains(tag);
  }

  /** The descriptor {@code tag} points at in {@code ref}, or null if there is no such tag. */
  private static @Nullable Descriptor resolveOrNull(RepositoryRef ref, String tag) throws AttestException {
    try {
      return ref.registry().resolve(ref.repository(), tag);
    } catch (NotFoundException e) {
      return null;
    }
  }

  /** The value of a read, made now if the waves did not; a failed read throws its failure. */
  private @Nullable Object value(Read read) throws AttestException {
    return kept(reads, read, () -> load(read));
  }

  private void runConcurrently(List<Runnable> tasks) {
    if (tasks.size() <= 1 || parallelism <= 1) {
      tasks.forEach(Runnable::run);
      return;
    }
    java.util.concurrent.Executor p = pool();
    List<Future<?>> futures = new ArrayList<>();
    for (Runnable t : tasks) {
      java.util.concurrent.FutureTask<Void> f = new java.util.concurrent.FutureTask<>(t, null);
      futures.add(f);
      p.execute(f);
    }
    for (Future<?> f : futures) {
      try {
        f.get();
      } catch (ExecutionException e) {
        futures.forEach(other -> other.cancel(true)); // reads only; as a pool's shutdownNow did
        // Tasks keep AttestExceptions; anything else is a bug and must not be hidden.
        Throwable c = e.getCause();
        if (c instanceof Error err) {
          throw err;
        }
        throw c instanceof RuntimeException re ? re : new IllegalStateException(c);
      } catch (InterruptedException e) {
        futures.forEach(other -> other.cancel(true));
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while planning", e);
      }
    }
  }

  private java.util.concurrent.Executor pool() {
    java.util.concurrent.Executor p = pool;
    if (p == null) {
      p = Workers.bounded(parallelism);
      pool = p;
    }
    return p;
  }

  // ---------------------------------------------------------------- the walk

  /**
   * Walks {@code digest}. With {@code listed} (its descriptor in the source's referrers listing of
   * {@code parent}, which the destination lists too), its manifest is not fetched: the destination
   * has it, identical by digest, and it vouches for its blobs. Its own referrers are still walked.
   */
  private void visit(Digest digest, Kind kind, @Nullable Digest parent, int depth, @Nullable String legacyTag,
      @Nullable Descriptor listed) throws AttestException {
    if (path.contains(digest)) {
      List<Digest> cycle = new ArrayList<>(path);
      Collections.reverse(cycle);
      cycle.add(digest);
      throw new PromotionException("the graph of " + root + " at " + source + " has a cycle: "
          + cycle.stream().map(Digest::toString).collect(Collectors.joining(" -> ")) + "; nothing was written");
    }
    if (manifestItems.containsKey(digest)) {
      return;
    }
    if (depth > maxDepth) {
      throw new PromotionException("the graph of " + root + " at " + source + " is deeper than "
          + maxDepth + " levels (at " + digest + "); nothing was written");
    }
    count(digest);
    if (listed != null) {
      manifestItems.put(digest, new Item(kind, listed.withoutData(), parent, depth, true, null));
      listedNotFetched.add(digest);
      path.push(digest);
      visitReferrers(digest, depth);
      path.pop();
      return;
    }
    Manifest m = (Manifest) Objects.requireNonNull(value(new ManifestRead(digest)));
    if (kind == Kind.REFERRER && legacyTag == null) {
      Digest subject = m.subject().map(Descriptor::digest).orElse(null);
      if (!Objects.equals(subject, parent)) {
        throw new PromotionException(source + " lists " + digest + " as a referrer of " + parent
            + ", but its subject is " + (subject == null ? "absent" : subject.toString()) + "; nothing was written");
      }
    }
    path.push(digest);
    if (m instanceof ImageManifest im) {
      for (Descriptor b : im.blobs()) {
        if (!blobs.containsKey(b.digest())) {
          count(b.digest());
          blobs.put(b.digest(), b.withoutData());
        }
      }
    } else if (m instanceof ImageIndex ix) {
      for (Descriptor child : ix.manifests()) {
        visit(child.digest(), Kind.MANIFEST, digest, depth + 1, null, null);
      }
    }
    manifestItems.put(digest, new Item(kind, m.descriptor(), parent, depth, false, legacyTag));
    manifests.put(digest, m);
    visitReferrers(digest, depth);
    path.pop();
  }

  /** Referrers after their subject: the API and the tag-schema index, then legacy cosign tags. */
  private void visitReferrers(Digest digest, int depth) throws AttestException {
    @SuppressWarnings("unchecked")
    List<Descriptor> referrers = (List<Descriptor>) Objects.requireNonNull(value(new ReferrersRead(digest)));
    for (Descriptor r : referrers) {
      boolean listed = listedAtDestination(digest, r);
      boolean confirmed = listed && Boolean.TRUE.equals(
          kept(destinationReads, new DestinationManifest(r.digest()), () -> manifestAtDestination(r.digest())));
      if (listed && !confirmed) {
        repairs.add(r.digest()); // listed by the destination, but not there
      }
      visit(r.digest(), Kind.REFERRER, digest, depth + 1, null, confirmed ? r : null);
    }
    for (String tag : Attestations.legacyTags(digest)) {
      Descriptor legacy = (Descriptor) value(new TagRead(tag));
      if (legacy == null) {
        continue;
      }
      legacyTags.put(tag, legacy.digest());
      visit(legacy.digest(), Kind.REFERRER, digest, depth + 1, tag, null);
    }
  }

  /**
   * Whether the destination's listing of {@code subject}, read while planning, lists {@code
   * referrer}: then it has that manifest (ADR 0017 decision 4), identical by digest. Never in
   * strict mode, and never for an index (a present index would not walk its children's referrers).
   */
  private boolean listedAtDestination(Digest subject, Descriptor referrer) {
    if (checkEveryItem || MediaTypes.isIndex(referrer.mediaType())) {
      return false;
    }
    Result r = destinationReads.get(new DestinationReferrers(subject));
    return r != null && r.value() instanceof Set<?> listed && listed.contains(referrer.digest());
  }

  /**
   * The destination's referrers listing of each subject, as read while planning (strict mode: none).
   * The executor need not read a listing again that already lists every referrer of its subject.
   */
  @SuppressWarnings("unchecked") // DestinationReferrers reads hold what listedAtDestination returns
  public Map<Digest, Set<Digest>> destinationListings() {
    Map<Digest, Set<Digest>> out = new HashMap<>();
    destinationReads.forEach((k, v) -> {
      if (k instanceof DestinationReferrers dr && v.value() instanceof Set<?> listed) {
        out.put(dr.subject(), (Set<Digest>) listed);
      }
    });
    return out;
  }

  private void count(Digest digest) throws PromotionException {
    if (++nodes > maxNodes) {
      throw new PromotionException("the graph of " + root + " at " + source + " has more than " + maxNodes
          + " nodes (manifests and blobs; at " + digest + "); nothing was written");
    }
  }

  // ---------------------------------------------------------------- the destination

  /**
   * Asks the destination what it has: every manifest (a HEAD; with {@code checkEveryItem} a GET,
   * so that an unreadable one counts as missing), the referrers listing of every subject, then the
   * blobs of the manifests it lacks (a present image manifest vouches for its blobs unless {@code
   * checkEveryItem}), with the tags; every round concurrently. A listed referrer was confirmed
   * while the source was read. An entry of a destination listing that the source does not list
   * (a promotion attestation, or one that points at nothing) is asked about at both ends, and
   * dropped if neither has it: where the two ends agree, this costs nothing.
   */
  private PromotionPlan checkDestination(Digest digest, List<String> tags) throws AttestException {
    Registry dst = destination.registry();
    String repo = destination.repository();
    Map<Digest, Boolean> present = new ConcurrentHashMap<>();
    listedNotFetched.forEach(d -> present.put(d, true));
    Set<Digest> subjects = new HashSet<>();
    for (Map.Entry<Digest, Manifest> e : manifests.entrySet()) {
      e.getValue().subject().map(Descriptor::digest).filter(manifestItems::containsKey).ifPresent(subjects::add);
    }
    for (Item m : manifestItems.values()) {
      if (m.kind() == Kind.REFERRER && m.legacyTag() == null && m.parent() != null) {
        subjects.add(m.parent());
      }
    }
    List<Executor.Task> checks = new ArrayList<>();
    for (Digest s : subjects) {
      checks.add(() -> listedAtDestinationOnce(s));
    }
    for (Digest d : manifestItems.keySet()) {
      if (!present.containsKey(d) && destinationEmpty && !d.equals(digest)) {
        present.put(d, false); // the repository is unknown there: nothing to ask
      } else if (!present.containsKey(d)) {
        checks.add(() -> present.put(d, checkEveryItem ? readableAtDestination(d) : (Boolean) Objects.requireNonNull(
            kept(destinationReads, new DestinationManifest(d), () -> manifestAtDestination(d)))));
      }
    }
    runChecks(checks);
    // An index the destination has, without one of its children: a damaged destination.
    for (Map.Entry<Digest, Manifest> e : manifests.entrySet()) {
      if (e.getValue() instanceof ImageIndex ix && Boolean.TRUE.equals(present.get(e.getKey()))) {
        ix.manifests().stream().map(Descriptor::digest).filter(c -> !present.getOrDefault(c, true)).forEach(repairs::add);
      }
      // A referrer the destination lacks while it has its subject: lost there, or never copied.
      if (!Boolean.TRUE.equals(present.get(e.getKey())) && e.getValue().subject().isPresent()
          && Boolean.TRUE.equals(present.get(e.getValue().subject().get().digest()))) {
        repairs.add(e.getKey());
      }
    }
    Set<Digest> impliedBlobs = new HashSet<>();
    if (!checkEveryItem) {
      for (Map.Entry<Digest, Manifest> e : manifests.entrySet()) {
        if (e.getValue() instanceof ImageManifest im && present.get(e.getKey())) {
          im.blobs().forEach(b -> impliedBlobs.add(b.digest()));
        }
      }
    }
    Map<Digest, Boolean> blobPresent = new ConcurrentHashMap<>();
    checks = new ArrayList<>();
    for (Map.Entry<Digest, Descriptor> be : blobs.entrySet()) {
      Digest b = be.getKey();
      if (impliedBlobs.contains(b)) {
        blobPresent.put(b, true);
      } else if (destinationEmpty && be.getValue().size() < ASK_ABOUT_BLOBS_FROM) {
        blobPresent.put(b, false);
      } else {
        checks.add(() -> blobPresent.put(b, presentAtDestination(() -> dst.hasBlob(repo, b))));
      }
    }
    List<PromotionPlan.Dropped> dropped = new ArrayList<>();
    checks.addAll(danglingEntries(subjects, dropped));
    // The tags, with the blobs: legacy tags found at the source, then the requested ones.
    List<String> tagNames = new ArrayList<>(legacyTags.keySet());
    List<Digest> wanted = new ArrayList<>(legacyTags.values());
    for (String t : tags) {
      tagNames.add(t);
      wanted.add(digest);
    }
    @Nullable Descriptor[] existing = new Descriptor[tagNames.size()];
    for (int i = 0; i < tagNames.size(); i++) {
      int k = i;
      if (!destinationEmpty) {
        checks.add(() -> existing[k] = resolveOrNull(destination, tagNames.get(k)));
      }
    }
    runChecks(checks);
    // A blob the destination lacks under an image manifest it has: a damaged destination.
    for (Map.Entry<Digest, Manifest> e : manifests.entrySet()) {
      if (e.getValue() instanceof ImageManifest im && Boolean.TRUE.equals(present.get(e.getKey()))) {
        im.blobs().stream().map(Descriptor::digest).filter(b -> !blobPresent.getOrDefault(b, true)).forEach(repairs::add);
      }
    }

    Map<Digest, Integer> blobDepth = new LinkedHashMap<>();
    for (Item m : manifestItems.values()) {
      if (manifests.get(m.digest()) instanceof ImageManifest im) {
        for (Descriptor b : im.blobs()) {
          blobDepth.putIfAbsent(b.digest(), m.depth() + 1);
        }
      }
    }
    List<Item> items = new ArrayList<>();
    for (Descriptor b : blobs.values()) {
      items.add(new Item(Kind.BLOB, b, null, blobDepth.getOrDefault(b.digest(), 1), blobPresent.get(b.digest()), null));
    }
    for (Item m : manifestItems.values()) {
      items.add(new Item(m.kind(), m.descriptor(), m.parent(), m.depth(), present.get(m.digest()), m.legacyTag()));
    }
    List<TagAction> actions = new ArrayList<>();
    for (int i = 0; i < tagNames.size(); i++) {
      Descriptor e = existing[i];
      Digest w = wanted.get(i);
      if (e != null && !e.digest().equals(w)) {
        throw new TagConflictException(destination.displayName(), tagNames.get(i), e.digest(), w);
      }
      actions.add(new TagAction(tagNames.get(i), w, e != null));
    }
    Set<Digest> repaired = new HashSet<>(repairs);
    repaired.removeIf(d -> !Boolean.FALSE.equals(present.get(d)) && !Boolean.FALSE.equals(blobPresent.get(d)));
    return new PromotionPlan(source.displayName(), destination.displayName(), digest, items, actions, manifests,
        repaired, dropped);
  }

  /**
   * Checks on the entries of each subject's destination listing that the source does not list:
   * one the destination has (a promotion attestation, say) is left alone; one it lacks is asked
   * of the source, and if the source lacks it too it is added to {@code dropped}.
   */
  private List<Executor.Task> danglingEntries(Set<Digest> subjects, List<PromotionPlan.Dropped> dropped) {
    List<Executor.Task> checks = new ArrayList<>();
    for (Digest s : subjects) {
      Result r = reads.get(new ReferrersRead(s));
      Set<Digest> atSource = new HashSet<>();
      if (r != null && r.value() instanceof List<?> list) {
        list.forEach(o -> atSource.add(((Descriptor) o).digest()));
      }
      for (Digest entry : listedAtDestinationOrEmpty(s)) {
        if (atSource.contains(entry)) {
          continue;
        }
        checks.add(() -> {
          if (!manifestAtDestination(entry)
              && !presentAtDestination(() -> source.registry().hasManifest(source.repository(), entry))) {
            synchronized (dropped) {
              dropped.add(new PromotionPlan.Dropped(s, entry));
            }
          }
        });
      }
    }
    return checks;
  }

  /** The destination's listing of {@code subject} as read while planning, or nothing. */
  private Set<Digest> listedAtDestinationOrEmpty(Digest subject) {
    Result r = destinationReads.get(new DestinationReferrers(subject));
    @SuppressWarnings("unchecked")
    Set<Digest> listed = r != null && r.value() instanceof Set<?> l ? (Set<Digest>) l : Set.of();
    return listed;
  }

  /** Whether the destination serves {@code d} with its digest: a GET, so an unreadable one counts as missing. */
  private boolean readableAtDestination(Digest d) throws AttestException {
    try {
      return destination.registry().fetchManifest(destination.repository(), d.toString()).digest().equals(d);
    } catch (UnauthorizedException e) {
      throw e;
    } catch (RegistryUnreachableException e) {
      noAnswer(e);
      return false;
    } catch (AttestException e) {
      return false; // missing, unreadable or not matching its digest: pushed again
    }
  }

  /** Runs {@code checks} on the plan's pool; the first failure (in list order) is thrown. */
  private void runChecks(List<Executor.Task> checks) throws AttestException {
    if (checks.size() <= 1 || parallelism <= 1) {
      for (Executor.Task a : checks) {
        a.run();
      }
      return;
    }
    Executor.runAll(checks, pool(), "asking " + destination + " what it has");
  }

  private boolean manifestAtDestination(Digest d) throws AttestException {
    return presentAtDestination(() -> destination.registry().hasManifest(destination.repository(), d));
  }

  @SuppressWarnings("unchecked")
  private Set<Digest> listedAtDestinationOnce(Digest subject) throws AttestException {
    return (Set<Digest>) Objects.requireNonNull(
        kept(destinationReads, new DestinationReferrers(subject), () -> listedAtDestination(subject)));
  }

  /**
   * The digests the destination lists as referrers of {@code subject}: through the referrers API
   * only manifests it has, and through a tag-schema index only manifests it had when the index was
   * written (registries refuse an index whose manifests are missing). Listed as nothing where it
   * cannot answer, so that each referrer is asked about.
   */
  private Set<Digest> listedAtDestination(Digest subject) throws AttestException {
    if (destinationEmpty) {
      return Set.of();
    }
    return answeredOr(() -> {
      Set<Digest> out = new HashSet<>();
      for (Descriptor d : destination.registry().referrers(destination.repository(), subject, null)) {
        out.add(d.digest());
      }
      return out;
    }, Set.of());
  }

  interface Check {
    boolean exists() throws AttestException;
  }

  /**
   * A destination that answers that it cannot serve some content (a 5xx that outlasts the
   * retries, as registry 2.8.2 gives for a blob whose upload was killed half-way) is treated as
   * not having it: writing content by digest again is safe and repairs such a registry, while
   * skipping it would not. A question that got no answer at all (connection refused or reset, a
   * timeout) says nothing about the content: it fails the plan as a {@link
   * RegistryUnreachableException}, before anything is written, as do credentials problems.
   */
  static boolean presentAtDestination(Check check) throws AttestException {
    return answeredOr(check::exists, false);
  }

  /** A question to the destination. */
  @FunctionalInterface
  private interface Question<T> {
    T ask() throws AttestException;
  }

  /**
   * The destination's answer, or {@code unanswered} when it answers that it cannot tell (see
   * {@link #presentAtDestination}); no answer and credentials problems fail the plan.
   */
  private static <T> T answeredOr(Question<T> question, T unanswered) throws AttestException {
    try {
      return question.ask();
    } catch (UnauthorizedException e) {
      throw e;
    } catch (RegistryUnreachableException e) {
      noAnswer(e);
      return unanswered;
    } catch (RegistryException e) {
      return unanswered;
    }
  }

  /**
   * Rethrows {@code e} when the registry gave no answer at all, which is not "absent" (issue 14:
   * under load a timed-out HEAD made a re-run write a manifest again, and an unreachable
   * destination was planned as empty and then written to); returns normally for an answered 5xx
   * or 429.
   */
  private static void noAnswer(RegistryUnreachableException e) throws RegistryUnreachableException {
    if (e.status().isEmpty()) {
      throw new RegistryUnreachableException("no answer while planning, so nothing was written: " + e.getMessage(), e);
    }
  }
}
