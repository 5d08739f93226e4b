package dev.attest.registry;

import dev.attest.core.AttestException;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A capability of a {@link Registry} whose small repositories are cheap to list in full, obtained
 * through {@link Registry#tagListing()}. A caller that would otherwise resolve many tags one by one
 * (the cosign {@code sha256-<hex>.sig} tags and the {@code sha256-<hex>} referrers indexes of
 * every manifest a promotion plans) lists the repository once and reads only the tags the listing
 * has.
 *
 * <p><b>Guarantees.</b> A listing is a snapshot: a tag created after it is missing from it, so a
 * caller may treat a tag the listing lacks as absent only where missing a tag created meanwhile is
 * harmless (it would have been missed a moment earlier too). Every tag the listing has existed
 * when it was read. Bounded: a few pages at most.
 *
 * @see <a href="https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#listing-tags">listing tags</a>
 */
public interface TagListing {

  /**
   * Every tag of {@code repository} if it has at most {@code max}, else empty; stops reading as
   * soon as the listing exceeds {@code max} (or spans more than a few pages). A repository the
   * storage does not know: an empty list, or a {@link NotFoundException} whose {@code
   * errorCode()} is {@code NAME_UNKNOWN} from a registry that answers so.
   *
   * @param max the most tags wanted, 1 to 10,000
   */
  Optional<List<String>> tagsUpTo(String repository, int max) throws AttestException;

  /**
   * As {@link Registry#referrers(String, Digest, String)}, for a caller that has just listed the
   * tags of {@code repository} with {@link #tagsUpTo}: the tag-schema index of {@code subject} is
   * read only if {@code listedTags} has it. The referrers API, where the registry has one, is asked
   * as usual.
   */
  List<Descriptor> referrers(String repository, Digest subject, @Nullable String artifactType,
      Collection<String> listedTags) throws AttestException;
}
