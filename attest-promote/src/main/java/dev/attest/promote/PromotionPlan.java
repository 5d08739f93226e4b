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
import java.util.Set;
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
 * @param repairs the items the destination lacks although it claims them: a referrer its
 *     referrers listing or tag-schema index lists, a child of an index it has, a blob of a manifest
 *     it has (a destination damaged by garbage collection or a retention policy); they are copied
 *     again, and are a subset of the items not present
 * @param dropped entries of the destination's referrers indexes whose manifests exist at neither
 *     end; the index this promotion rewrites omits them (found with {@code checkEveryItem})
 */
public record PromotionPlan(
    String source,
    String destination,
    Digest digest,
    List<Item> items,
    List<TagAction> tags,
    Map<Digest, Manifest> manifests,
    Set<Digest> repairs,
    List<Dropped> dropped) {

  /** A plan of an undamaged destination: nothing to repair, nothing to drop. */
  public PromotionPlan(String source, String destination, Digest digest, List<Item> items, List<TagAction> tags,
      Map<Digest, Manifest> manifests) {
    this(source, destination, digest, items, tags, manifests, Set.of(), List.of());
  }

  /** What the destination has of an item, as {@code attest tree}, the plan and the report show it. */
  public enum Status {
    /** The destination has it. */
    PRESENT,
    /** The destination lacks it: copied. */
    MISSING,
    /** The destination claims it but lacks it: copied again. */
    REPAIR
  }

  /**
   * An entry of a destination referrers index that points at nothing.
   *
   * @param subject the subject whose index lists it
   * @param entry the manifest digest listed, which neither end has
   */
  public record Dropped(Digest subject, Digest entry) {
    public Dropped {
      Objects.requireNonNull(subject, "subject");
      Objects.requireNonNull(entry, "entry");
    }
  }

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
    repairs = Set.copyOf(repairs);
    dropped = List.copyOf(dropped);
    for (Item i : items) {
      if (i.kind() != Kind.BLOB && !i.present() && !manifests.containsKey(i.digest())) {
        throw new IllegalArgumentException("manifest item " + i.digest() + " has no manifest");
      }
      if (i.present() && repairs.contains(i.digest())) {
        throw new IllegalArgumentException("item " + i.digest() + " is present and cannot be repaired");
      }
    }
  }

  /** Whether the destination has {@code item}, lacks it, or lacks it while claiming it. */
  public Status status(Item item) {
    return item.present() ? Status.PRESENT : repairs.contains(item.digest()) ? Status.REPAIR : Status.MISSING;
  }

  /** The items the destination claims but lacks, in order: what this promotion repairs. */
  public List<Item> toRepair() {
    return items.stream().filter(i -> status(i) == Status.REPAIR).toList();
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

  /** Whether the destination already has every item and tag, and no index entry is to be dropped. */
  public boolean complete() {
    return items.stream().allMatch(Item::present) && tags.stream().allMatch(TagAction::present) && dropped.isEmpty();
  }

  /** A multi-line summary, one line per item, for a dry run. */
  public String toTable() {
    List<String> lines = new ArrayList<>();
    lines.add("promote " + digest + " from " + source + " to " + destination);
    for (Item i : items) {
      lines.add(String.format("  %-8s %-7s %s %12d %s", i.kind(), label(status(i)),
          i.digest(), i.descriptor().size(), i.descriptor().mediaType()));
    }
    for (Dropped d : dropped) {
      lines.add(String.format("  INDEX    %-7s %s (listed for %s, exists at neither end)", "drop", d.entry(), d.subject()));
    }
    for (TagAction t : tags) {
      lines.add(String.format("  TAG      %-7s %s -> %s", t.present() ? "present" : "write", t.tag(), t.digest()));
    }
    lines.add(summary());
    return String.join("\n", lines) + "\n";
  }

  /** One line: how many items are present, missing, to repair, and index entries to drop. */
  public String summary() {
    long present = items.stream().filter(Item::present).count();
    return "  " + present + " present, " + (items.size() - present - repairs.size()) + " missing, "
        + repairs.size() + " to repair, " + dropped.size() + " index entries to drop";
  }

  /** The word the table uses for a status: present, copy or repair. */
  public static String label(Status status) {
    return switch (status) {
      case PRESENT -> "present";
      case MISSING -> "copy";
      case REPAIR -> "repair";
    };
  }
}
