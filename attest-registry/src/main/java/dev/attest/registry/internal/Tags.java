package dev.attest.registry.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attest.core.AttestException;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.registry.RegistryException;
import dev.attest.registry.TagListing;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import okhttp3.HttpUrl;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * The tag listing part of {@code RemoteRegistry}: every tag (paged, bounded), and the {@link
 * TagListing} capability (a small repository listed in at most a few pages).
 */
public final class Tags implements TagListing {
  /** At most this many pages are read by {@link #tagsUpTo}. */
  public static final int MAX_SMALL_LISTING_PAGES = 5;

  private final Endpoint endpoint;
  private final Referrers referrers;
  private final int maxPages;
  private final int maxTags;
  private final int pageSize;

  public Tags(Endpoint endpoint, Referrers referrers, int maxPages, int maxTags, int pageSize) {
    this.endpoint = endpoint;
    this.referrers = referrers;
    this.maxPages = maxPages;
    this.maxTags = maxTags;
    this.pageSize = pageSize;
  }

  /** Every tag of {@code repository}, following pagination; fails over the bounds. */
  public List<String> all(String repository) throws AttestException {
    Endpoint.checkRepository(repository);
    List<String> tags = new ArrayList<>();
    HttpUrl next = endpoint.url(repository, "tags", "list").newBuilder()
        .addQueryParameter("n", Integer.toString(pageSize)).build();
    for (int page = 0; next != null; page++) {
      if (page >= maxPages) {
        throw new RegistryException("tags of " + repository + " span more than " + maxPages + " pages");
      }
      next = readPage(repository, next, tags, maxTags, true);
    }
    return List.copyOf(tags);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Asks for one more tag than wanted, so that a full first page says "too many" without a
   * second request; reads at most {@value #MAX_SMALL_LISTING_PAGES} pages.
   */
  @Override
  public Optional<List<String>> tagsUpTo(String repository, int max) throws AttestException {
    Endpoint.checkRepository(repository);
    if (max < 1 || max > 10_000) {
      throw new IllegalArgumentException("max must be 1..10000: " + max);
    }
    List<String> tags = new ArrayList<>();
    int n = Math.min(pageSize, max + 1);
    HttpUrl next = endpoint.url(repository, "tags", "list").newBuilder()
        .addQueryParameter("n", Integer.toString(n)).build();
    for (int page = 0; next != null; page++) {
      if (page >= MAX_SMALL_LISTING_PAGES) {
        return Optional.empty();
      }
      next = readPage(repository, next, tags, max + 1, false);
      if (tags.size() > max) {
        return Optional.empty();
      }
    }
    return Optional.of(List.copyOf(tags));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Planning a promotion this way costs one listing per repository instead of one request per
   * manifest for indexes that mostly do not exist.
   */
  @Override
  public List<Descriptor> referrers(String repository, Digest subject, @Nullable String artifactType,
      Collection<String> listedTags) throws AttestException {
    return referrers.list(repository, subject, artifactType, listedTags.contains(subject.tagSchemaTag()));
  }

  /** Reads one page of a tag listing into {@code tags}, at most {@code limit} in all; the next page or null. */
  private @Nullable HttpUrl readPage(String repository, HttpUrl current, List<String> tags, int limit,
      boolean failOverLimit) throws AttestException {
    Response r = endpoint.http().send(endpoint.request(current).get().build(), true);
    if (r.code() != 200) {
      throw Http.failure(r, "listing tags of " + repository);
    }
    String link = r.header("Link");
    JsonNode n = endpoint.readJson(r, "tag list of " + repository);
    JsonNode list = n.get("tags");
    if (list != null && !list.isNull()) {
      if (!list.isArray()) {
        throw new RegistryException("tag list of " + repository + ": 'tags' is not an array");
      }
      for (JsonNode t : list) {
        if (!t.isTextual()) {
          throw new RegistryException("tag list of " + repository + ": a tag is not a string");
        }
        if (tags.size() >= limit) {
          if (failOverLimit) {
            throw new RegistryException(repository + " has more than " + limit + " tags");
          }
          return null;
        }
        tags.add(t.asText());
      }
    }
    return endpoint.nextLink(link, current);
  }
}
