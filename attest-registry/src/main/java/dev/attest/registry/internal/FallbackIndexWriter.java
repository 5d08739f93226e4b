package dev.attest.registry.internal;

import dev.attest.core.AttestException;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.ImageIndex;
import dev.attest.registry.FallbackIndex;
import dev.attest.registry.NotFoundException;
import dev.attest.registry.RegistryEvent;
import dev.attest.registry.RegistryException;
import dev.attest.registry.RegistryUnreachableException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * The {@link FallbackIndex} of {@code RemoteRegistry}: race-safe read-merge-write of the
 * tag-schema index {@code <alg>-<hex>}. Read, merge, conditional write ({@code If-Match} on the
 * ETag read, {@code If-None-Match: *} when creating), then re-read until the change has been seen
 * twice, since a registry may ignore the condition and a concurrent writer holding an older copy
 * may overwrite ours (ADR 0008); once for an index this caller creates for a subject it has just
 * pushed (ADR 0016).
 */
public final class FallbackIndexWriter implements FallbackIndex {
  /** Attempts at updating a fallback index before giving up. */
  private static final int ATTEMPTS = 40;
  /** The shortest pause before a confirming read of a fallback index (ADR 0008). */
  public static final long MIN_CYCLE_MILLIS = 50;

  private final Endpoint endpoint;
  private final Manifests manifests;
  private final int maxReferrers;

  public FallbackIndexWriter(Endpoint endpoint, Manifests manifests, int maxReferrers) {
    this.endpoint = endpoint;
    this.manifests = manifests;
    this.maxReferrers = maxReferrers;
  }

  @Override
  public void add(String repository, Digest subject, List<Descriptor> referrers, boolean newSubject)
      throws AttestException {
    if (referrers.isEmpty()) {
      throw new IllegalArgumentException("no referrers to add to the index of " + subject);
    }
    update(repository, subject, referrers, Set.of(), newSubject);
  }

  @Override
  public void update(String repository, Digest subject, List<Descriptor> adding, Set<Digest> dropping)
      throws AttestException {
    if (adding.isEmpty() && dropping.isEmpty()) {
      return;
    }
    update(repository, subject, adding, dropping, false);
  }

  private void update(String repository, Digest subject, List<Descriptor> referrers,
      Set<Digest> dropping, boolean newSubject) throws AttestException {
    List<Descriptor> adding = referrers.stream().map(Descriptor::withoutData).distinct()
        .filter(d -> !dropping.contains(d.digest())).toList();
    String tag = subject.tagSchemaTag();
    int confirmations = 0;
    int needed = 2;
    long cycleMillis = 0;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      // The read-modify-write time, from the first read (with its pause when a "not found" is
      // read again) to the write landing: the pauses below are never shorter (ADR 0008).
      long start = System.nanoTime();
      Manifests.Fetched current = readForUpdate(repository, tag, newSubject && attempt == 1);
      ImageIndex index = null;
      if (current == null && adding.isEmpty()) {
        return; // no index, and nothing to add to one
      }
      if (current != null) {
        if (!(current.manifest() instanceof ImageIndex i)) {
          throw new RegistryException("tag " + repository + ":" + tag + " holds a " + current.manifest().mediaType()
              + ", not the referrers index of " + subject);
        }
        index = i;
        Set<Digest> listed = i.manifests().stream().map(Descriptor::digest).collect(Collectors.toSet());
        if (adding.stream().allMatch(d -> listed.contains(d.digest())) && dropping.stream().noneMatch(listed::contains)) {
          if (confirmations == 0 && attempt == 1 && !dropping.isEmpty()) {
            return; // nothing to drop or add: the index already agrees, and this run wrote nothing
          }
          if (++confirmations >= needed) {
            return;
          }
          sleepJitter(Math.max(cycleMillis, MIN_CYCLE_MILLIS), 3 * Math.max(cycleMillis, MIN_CYCLE_MILLIS));
          continue;
        }
        long missing = adding.stream().filter(d -> !listed.contains(d.digest())).count();
        if (i.manifests().size() + missing > maxReferrers) {
          throw new RegistryException("the referrers index of " + subject + " already has " + i.manifests().size()
              + " entries; " + missing + " more would exceed " + maxReferrers);
        }
      }
      // One confirmation only for an index created by the first write for a new subject; any
      // other state (an index found, a retry after a lost write) means someone else writes here.
      needed = newSubject && attempt == 1 && current == null ? 1 : 2;
      confirmations = 0;
      write(repository, tag, merge(index, adding, dropping), current, attempt);
      // The pauses follow the slowest read-modify-write seen, never shorter than MIN_CYCLE_MILLIS.
      cycleMillis = Math.min(5_000, Math.max(cycleMillis, (System.nanoTime() - start) / 1_000_000));
      long c = Math.max(cycleMillis, MIN_CYCLE_MILLIS);
      sleepJitter(c, 2 * c + 20L * attempt);
    }
    throw new RegistryException("could not update the referrers index with " + adding.stream()
        .map(d -> d.digest().toString()).collect(Collectors.joining(", ")) + " (dropping " + dropping.size()
        + " entries) in the referrers index " + repository + ":"
        + tag + " after " + ATTEMPTS + " attempts (concurrent writers kept overwriting it)");
  }

  /** {@code index} without {@code dropping}, with those of {@code adding} it lacks appended. */
  private static ImageIndex merge(@Nullable ImageIndex index, List<Descriptor> adding, Set<Digest> dropping) {
    ImageIndex.Builder merged = ImageIndex.builder();
    if (index != null) {
      merged.manifests(index.manifests().stream().filter(d -> !dropping.contains(d.digest())).toList())
          .annotations(index.annotations());
    }
    Set<Digest> present = index == null ? Set.of()
        : index.manifests().stream().map(Descriptor::digest).collect(Collectors.toSet());
    for (Descriptor d : adding) {
      if (!present.contains(d.digest())) {
        merged.manifest(d);
      }
    }
    return merged.build();
  }

  /** A conditional PUT; a 412 (changed meanwhile) is reported and left to the next attempt. */
  private void write(String repository, String tag, ImageIndex next, Manifests.@Nullable Fetched current, int attempt)
      throws AttestException {
    Request.Builder put = endpoint.request(endpoint.url(repository, "manifests", tag))
        .put(RequestBody.create(next.bytes(), MediaType.get(next.mediaType())));
    if (current != null && current.etag() != null) {
      put.header("If-Match", current.etag());
    } else if (current == null) {
      put.header("If-None-Match", "*");
    }
    try (Response r = endpoint.http().send(put.build(), true)) {
      if (r.code() == 412) {
        endpoint.http().listener().onEvent(new RegistryEvent.Retrying("PUT", Http.redact(r.request().url()), attempt,
            Duration.ZERO, "412: the referrers index changed meanwhile"));
      } else if (r.code() != 201 && r.code() != 200 && r.code() != 202) {
        throw Http.failure(r, "updating the referrers index " + repository + ":" + tag);
      }
    }
  }

  /**
   * The current fallback index, or null if there is none. A "not found" is read twice (unless
   * {@code once}): some registries (2.8 on a filesystem) briefly miss a tag while another writer
   * rewrites it, and creating a fresh index then would drop every other referrer.
   */
  private Manifests.@Nullable Fetched readForUpdate(String repository, String tag, boolean once)
      throws AttestException {
    for (int i = 0; ; i++) {
      try {
        return manifests.fetch(repository, tag);
      } catch (NotFoundException e) {
        if (i >= 1 || once) {
          return null;
        }
        sleepJitter(20, 80);
      }
    }
  }

  private static void sleepJitter(long minMillis, long maxMillis) throws RegistryUnreachableException {
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(minMillis, maxMillis + 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryUnreachableException("interrupted while updating a referrers index", e);
    }
  }
}
