package dev.attest.promote.internal;

import dev.attest.core.AttestException;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.ImageIndex;
import dev.attest.core.ImageManifest;
import dev.attest.core.Manifest;
import dev.attest.promote.PromotionException;
import dev.attest.promote.PromotionPlan;
import dev.attest.promote.PromotionPlan.Item;
import dev.attest.promote.PromotionPlan.Kind;
import dev.attest.promote.PromotionPlan.TagAction;
import dev.attest.promote.RepositoryRef;
import dev.attest.promote.TagConflictException;
import dev.attest.registry.NotFoundException;
import dev.attest.registry.Registry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Walks the graph of one digest at the source, depth first: children before their parent,
 * referrers after their subject, every node once. Reads only; the destination is asked only
 * which items and tags it already has.
 */
public final class Planner {
  /** The legacy cosign tag suffixes: signatures and attestations. */
  static final List<String> LEGACY_SUFFIXES = List.of(".sig", ".att");

  private final RepositoryRef source;
  private final RepositoryRef destination;
  private final int maxDepth;
  private final int maxNodes;

  private final Map<Digest, Descriptor> blobs = new LinkedHashMap<>();
  private final Map<Digest, Item> manifestItems = new LinkedHashMap<>();
  private final Map<Digest, Manifest> manifests = new LinkedHashMap<>();
  private final Map<String, Digest> legacyTags = new LinkedHashMap<>();
  private final Deque<Digest> path = new ArrayDeque<>();
  private int nodes;
  private @Nullable Digest root;

  private final int parallelism;

  public Planner(RepositoryRef source, RepositoryRef destination, int maxDepth, int maxNodes, int parallelism) {
    this.source = source;
    this.destination = destination;
    this.maxDepth = maxDepth;
    this.maxNodes = maxNodes;
    this.parallelism = parallelism;
  }

  /**
   * Plans the promotion of {@code digest} with {@code tags}.
   *
   * @throws TagConflictException if a destination tag points at another digest
   * @throws PromotionException if the graph has a cycle or exceeds a bound
   */
  public PromotionPlan plan(Digest digest, List<String> tags) throws AttestException {
    root = digest;
    visit(digest, Kind.MANIFEST, null, 0, null);
    Registry dst = destination.registry();
    String repo = destination.repository();
    List<Item> items = new ArrayList<>();
    Map<Digest, Integer> blobDepth = new LinkedHashMap<>();
    for (Item m : manifestItems.values()) {
      Manifest man = manifests.get(m.digest());
      if (man instanceof ImageManifest im) {
        for (Descriptor b : im.blobs()) {
          blobDepth.putIfAbsent(b.digest(), m.depth() + 1);
        }
      }
    }
    // One HEAD per node: ask them concurrently.
    List<Descriptor> blobList = new ArrayList<>(blobs.values());
    List<Item> manifestList = new ArrayList<>(manifestItems.values());
    boolean[] present = new boolean[blobList.size() + manifestList.size()];
    List<Executor.Task> checks = new ArrayList<>();
    for (int i = 0; i < blobList.size(); i++) {
      int k = i;
      checks.add(() -> present[k] = presentAtDestination(() -> dst.hasBlob(repo, blobList.get(k).digest())));
    }
    for (int i = 0; i < manifestList.size(); i++) {
      int k = blobList.size() + i;
      Digest d = manifestList.get(i).digest();
      checks.add(() -> present[k] = presentAtDestination(() -> dst.hasManifest(repo, d)));
    }
    Executor.runAll(checks, parallelism);
    for (int i = 0; i < blobList.size(); i++) {
      Descriptor b = blobList.get(i);
      items.add(new Item(Kind.BLOB, b, null, blobDepth.getOrDefault(b.digest(), 1), present[i], null));
    }
    for (int i = 0; i < manifestList.size(); i++) {
      Item m = manifestList.get(i);
      items.add(new Item(m.kind(), m.descriptor(), m.parent(), m.depth(), present[blobList.size() + i], m.legacyTag()));
    }
    List<TagAction> actions = new ArrayList<>();
    for (Map.Entry<String, Digest> legacy : legacyTags.entrySet()) {
      actions.add(tagAction(legacy.getKey(), legacy.getValue()));
    }
    for (String t : tags) {
      actions.add(tagAction(t, digest));
    }
    return new PromotionPlan(source.displayName(), destination.displayName(), digest, items, actions, manifests);
  }

  private TagAction tagAction(String tag, Digest wanted) throws AttestException {
    Descriptor existing;
    try {
      existing = destination.registry().resolve(destination.repository(), tag);
    } catch (NotFoundException e) {
      return new TagAction(tag, wanted, false);
    }
    if (!existing.digest().equals(wanted)) {
      throw new TagConflictException(destination.displayName(), tag, existing.digest(), wanted);
    }
    return new TagAction(tag, wanted, true);
  }

  private void visit(Digest digest, Kind kind, @Nullable Digest parent, int depth, @Nullable String legacyTag)
      throws AttestException {
    if (path.contains(digest)) {
      List<Digest> cycle = new ArrayList<>(path);
      java.util.Collections.reverse(cycle);
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
    Manifest m = source.registry().fetchManifest(source.repository(), digest.toString());
    if (kind == Kind.REFERRER && legacyTag == null) {
      Digest subject = m.subject().map(Descriptor::digest).orElse(null);
      if (!java.util.Objects.equals(subject, parent)) {
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
        visit(child.digest(), Kind.MANIFEST, digest, depth + 1, null);
      }
    }
    manifestItems.put(digest, new Item(kind, m.descriptor(), parent, depth, false, legacyTag));
    manifests.put(digest, m);
    // Referrers after their subject: the API and the tag-schema index, then legacy cosign tags.
    for (Descriptor r : source.registry().referrers(source.repository(), digest, null)) {
      visit(r.digest(), Kind.REFERRER, digest, depth + 1, null);
    }
    for (String suffix : LEGACY_SUFFIXES) {
      String tag = digest.tagSchemaTag() + suffix;
      Descriptor legacy;
      try {
        legacy = source.registry().resolve(source.repository(), tag);
      } catch (NotFoundException e) {
        continue;
      }
      legacyTags.put(tag, legacy.digest());
      visit(legacy.digest(), Kind.REFERRER, digest, depth + 1, tag);
    }
    path.pop();
  }

  private void count(Digest digest) throws PromotionException {
    if (++nodes > maxNodes) {
      throw new PromotionException("the graph of " + root + " at " + source + " has more than " + maxNodes
          + " nodes (manifests and blobs; at " + digest + "); nothing was written");
    }
  }

  interface Check {
    boolean exists() throws AttestException;
  }

  /**
   * A destination that cannot answer whether it has some content (a 5xx that outlasts the
   * retries, as registry 2.8.2 gives for a blob whose upload was killed half-way) is treated as
   * not having it: writing content by digest again is safe and repairs such a registry, while
   * skipping it would not. Credentials problems still fail the plan.
   */
  static boolean presentAtDestination(Check check) throws AttestException {
    try {
      return check.exists();
    } catch (dev.attest.registry.UnauthorizedException e) {
      throw e;
    } catch (dev.attest.registry.RegistryException e) {
      return false;
    }
  }
}
