package dev.attest.promote;

import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.Manifest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Everything a promotion copies, computed before anything is written: the manifest or index,
 * every child manifest, every blob, and every referrer, recursively, deduplicated by digest.
 *
 * <p>{@link #items()} is in execution order: all blobs first, then manifests with every child
 * before its parent and every referrer after its subject. Each item says whether the destination
 * already has it ({@link Item#present()}); those are never copied.
 *
 * @param source the source repository, {@code <registry>/<repository>}
 * @param destination the destination repository, {@code <registry>/<repository>}
 * @param digest the promoted digest
 * @param items blobs then manifests, in execution order
 * @param tags the tags to write at the destination, the requested ones and the legacy cosign
 *     {@code .sig}/{@code .att} tags found at the source
 * @param manifests the exact manifests of the manifest items, by digest: of every item the
 *     destination lacks, and of every present one except a referrer the destination already lists
 *     for its subject, which is not fetched from the source (see {@code Promotion.checkEveryItem()}
 *     to fetch everything)
 */
public record PromotionPlan(
    String source,
    String destination,
    Digest digest,
    List<Item> items,
    List<TagAction> tags,
    Map<Digest, Manifest> manifests) {

  /** What an item is. */
  public enum Kind {
    /** A config or layer. */
    BLOB,
    /** The promoted manifest or index, or a child of an index. */
    MANIFEST,
    /** A manifest that refers to another one: a signature, an attestation, an SBOM. */
    REFERRER
  }

  /**
   * One node of the graph.
   *
   * @param kind what it is
   * @param descriptor its descriptor (for a manifest, with the artifact type and annotations a
   *     referrers index lists)
   * @param parent the manifest it was found from (for a referrer, its subject), or null for the
   *     promoted manifest
   * @param depth 0 for the promoted manifest, one more for each child, blob or referrer step
   * @param present true if the destination already has it
   * @param legacyTag the cosign tag ({@code sha256-<hex>.sig} or {@code .att}) it was found
   *     under, or null
   */
  public record Item(
      Kind kind, Descriptor descriptor, @Nullable Digest parent, int depth, boolean present,
      @Nullable String legacyTag) {
    /** Checks that every component is present. */
    public Item {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(descriptor, "descriptor");
      if (depth < 0) {
        throw new IllegalArgumentException("depth must be >= 0");
      }
    }

    /** The digest of the item's content. */
    public Digest digest() {
      return descriptor.digest();
    }
  }

  /**
   * A tag to write.
   *
   * @param tag the tag
   * @param digest the manifest it will point at
   * @param present true if the destination tag already points there (a no-op)
   */
  public record TagAction(String tag, Digest digest, boolean present) {
    /** Checks that every component is present. */
    public TagAction {
      Objects.requireNonNull(tag, "tag");
      Objects.requireNonNull(digest, "digest");
    }
  }

  /** Copies the lists. */
  public PromotionPlan {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(digest, "digest");
    items = List.copyOf(items);
    tags = List.copyOf(tags);
    manifests = Collections.unmodifiableMap(new LinkedHashMap<>(manifests));
    for (Item i : items) {
      if (i.kind() != Kind.BLOB && !i.present() && !manifests.containsKey(i.digest())) {
        throw new IllegalArgumentException("manifest item " + i.digest() + " has no manifest");
      }
    }
  }

  /** The blobs, in order. */
  public List<Item> blobs() {
    return items.stream().filter(i -> i.kind() == Kind.BLOB).toList();
  }

  /** The promoted manifest and its children, in order (children first). */
  public List<Item> images() {
    return items.stream().filter(i -> i.kind() == Kind.MANIFEST).toList();
  }

  /** The referrers, in order (each after its subject). */
  public List<Item> referrers() {
    return items.stream().filter(i -> i.kind() == Kind.REFERRER).toList();
  }

  /** The items the destination lacks: what a promotion would write, besides indexes and tags. */
  public List<Item> toWrite() {
    return items.stream().filter(i -> !i.present()).toList();
  }

  /** The bytes of the blobs the destination lacks. */
  public long bytesToCopy() {
    return items.stream().filter(i -> i.kind() == Kind.BLOB && !i.present()).mapToLong(i -> i.descriptor().size()).sum();
  }

  /** The exact manifest of a manifest item, if it was fetched (always for an item to write). */
  public Optional<Manifest> manifest(Digest digest) {
    return Optional.ofNullable(manifests.get(digest));
  }

  /** Whether the destination already has every item and tag. */
  public boolean complete() {
    return items.stream().allMatch(Item::present) && tags.stream().allMatch(TagAction::present);
  }

  /** A multi-line summary, one line per item, for a dry run. */
  public String toTable() {
    List<String> lines = new ArrayList<>();
    lines.add("promote " + digest + " from " + source + " to " + destination);
    for (Item i : items) {
      lines.add(String.format("  %-8s %-7s %s %12d %s", i.kind(), i.present() ? "present" : "copy",
          i.digest(), i.descriptor().size(), i.descriptor().mediaType()));
    }
    for (TagAction t : tags) {
      lines.add(String.format("  TAG      %-7s %s -> %s", t.present() ? "present" : "write", t.tag(), t.digest()));
    }
    return String.join("\n", lines) + "\n";
  }
}
