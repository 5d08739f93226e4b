package dev.attest.registry;

import dev.attest.core.AttestException;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import java.util.List;
import java.util.Set;

/**
 * A capability of a {@link Registry} that keeps the referrers tag-schema index {@code <alg>-<hex>}
 * of a subject (a registry without the referrers API, an OCI layout), obtained through {@link
 * Registry#fallbackIndex()}. A copier that pushes many referrers with {@link
 * PushOptions#withoutFallbackIndex()} lists them all in one update per subject instead of one
 * read-merge-write per referrer.
 *
 * <p><b>Guarantees.</b> Each update is a read-merge-write that keeps every entry it was not asked
 * to drop, including entries another writer adds meanwhile: on a remote registry by a conditional
 * write ({@code If-Match}/{@code If-None-Match}) followed by confirming reads until the change has
 * been seen twice, since a registry may ignore the condition (ADR 0008); in an OCI layout under the
 * layout's lock, so that it is atomic. When an update returns, a read of the index lists every
 * descriptor added and none dropped. Entries already listed are left as they are (their
 * annotations are not replaced). An index of more entries than the storage's bound is refused.
 * Nothing is written where the index already agrees.
 *
 * @see <a href="https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#referrers-tag-schema">referrers
 *     tag schema</a>
 */
public interface FallbackIndex {

  /**
   * Adds manifests already pushed to {@code repository} to the index of {@code subject}. Each
   * descriptor should carry the referrer's {@code artifactType} and annotations, as the referrers
   * API would list it.
   *
   * @param newSubject the caller has just pushed {@code subject}, which {@code repository} did not
   *     have: nobody else can be writing its index, so a remote registry creates an absent index
   *     after a single read and one confirmation (ADR 0016); a hint, never needed for correctness
   *     of an existing index
   * @throws IllegalArgumentException if {@code referrers} is empty
   */
  void add(String repository, Digest subject, List<Descriptor> referrers, boolean newSubject) throws AttestException;

  /**
   * Drops {@code dropping} from, and adds {@code adding} to, the index of {@code subject}, in one
   * update. A promotion that heals a destination drops entries whose manifests exist nowhere, so
   * that no index it writes lists what a client cannot fetch. Does nothing if both are empty or
   * if there is no index and nothing to add.
   */
  void update(String repository, Digest subject, List<Descriptor> adding, Set<Digest> dropping) throws AttestException;
}
