package dev.attest.registry.internal;

import dev.attest.core.AttestException;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.ImageIndex;
import dev.attest.core.Manifest;
import dev.attest.core.MediaTypes;
import dev.attest.registry.NotFoundException;
import dev.attest.registry.RegistryException;
import dev.attest.registry.RegistryUnreachableException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import okhttp3.HttpUrl;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * The referrers listing part of {@code RemoteRegistry}: the union of the referrers API and the
 * tag-schema index, with the memory of a registry that lacks the API (ADR 0017).
 */
public final class Referrers {
  /** How many namespaces a client remembers the absence of the referrers API for. */
  public static final int MAX_REFERRERS_API_MEMORY = 1024;

  private static final Manifest EMPTY_INDEX = ImageIndex.builder().build();

  private final Endpoint endpoint;
  private final Manifests manifests;
  private final int maxReferrers;
  private final int maxPages;
  private final Duration referrersApiMemory;
  private final Clock clock;

  /**
   * When the referrers API last answered 404 (the route does not exist, as on distribution 2.8),
   * by namespace (the repository's first path component), in {@link #clock} millis: within
   * {@link #referrersApiMemory} of that answer, listings of that namespace read only the
   * tag-schema index. See docs/adr/0017-referrers-api-memory.md.
   */
  private final Map<String, Long> noReferrersApi = new ConcurrentHashMap<>();
  /** Namespaces whose referrers API has answered a listing: listings there never wait for a probe. */
  private final Set<String> apiSeen = ConcurrentHashMap.newKeySet();
  /** The referrers API listing in flight per namespace not yet known to have the route. */
  private final Map<String, CompletableFuture<Void>> probes = new ConcurrentHashMap<>();

  public Referrers(Endpoint endpoint, Manifests manifests, int maxReferrers, int maxPages,
      Duration referrersApiMemory, Clock clock) {
    this.endpoint = endpoint;
    this.manifests = manifests;
    this.maxReferrers = maxReferrers;
    this.maxPages = maxPages;
    this.referrersApiMemory = referrersApiMemory;
    this.clock = clock;
  }

  /** The bound on referrers per subject, which an index update must respect too. */
  public int maxReferrers() {
    return maxReferrers;
  }

  /** The referrers API's listing and, if {@code readFallback}, the tag-schema index's, deduplicated. */
  public List<Descriptor> list(String repository, Digest subject, @Nullable String artifactType,
      boolean readFallback) throws AttestException {
    Map<Digest, Descriptor> found = new LinkedHashMap<>();
    readApi(repository, subject, artifactType, found);
    ImageIndex fallback = !readFallback ? null
        : fallbackIndex(repository, subject).manifest() instanceof ImageIndex i ? i : null;
    if (fallback != null) {
      for (Descriptor d : fallback.manifests()) {
        if (artifactType == null || artifactType.equals(d.artifactType())) {
          add(found, d, subject);
        }
      }
    }
    return List.copyOf(found.values());
  }

  private void add(Map<Digest, Descriptor> found, Descriptor d, Digest subject) throws RegistryException {
    if (!found.containsKey(d.digest()) && found.size() >= maxReferrers) {
      throw new RegistryException(subject + " has more than " + maxReferrers + " referrers on " + endpoint.name());
    }
    found.putIfAbsent(d.digest(), d);
  }

  /** Reads the referrers API into {@code found}; false if the registry has none (404). */
  private boolean readApi(String repository, Digest subject, @Nullable String artifactType,
      Map<Digest, Descriptor> found) throws AttestException {
    if (knownAbsent(repository)) {
      return false;
    }
    // Until a namespace is known to have the route, one listing asks at a time and the others
    // wait for its answer: the 16 promotions a fleet starts at once would otherwise each ask a
    // registry without the API (2.8.2) and each get its 404 (issue 14).
    String ns = namespace(repository);
    CompletableFuture<Void> probe = null;
    if (!apiSeen.contains(ns)) {
      CompletableFuture<Void> mine = new CompletableFuture<>();
      CompletableFuture<Void> other = probes.putIfAbsent(ns, mine);
      if (other == null) {
        probe = mine;
      } else {
        awaitProbe(other, subject);
        if (knownAbsent(repository)) {
          return false;
        }
      }
    }
    try {
      return readApiPages(repository, subject, artifactType, found);
    } finally {
      if (probe != null) {
        probes.remove(ns, probe);
        probe.complete(null);
      }
    }
  }

  private static void awaitProbe(CompletableFuture<Void> probe, Digest subject) throws RegistryUnreachableException {
    try {
      probe.get();
    } catch (ExecutionException e) {
      // never completed exceptionally
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryUnreachableException("interrupted while listing the referrers of " + subject, e);
    }
  }

  private boolean readApiPages(String repository, Digest subject, @Nullable String artifactType,
      Map<Digest, Descriptor> found) throws AttestException {
    HttpUrl.Builder u = endpoint.url(repository, "referrers", subject.toString()).newBuilder();
    if (artifactType != null) {
      u.addQueryParameter("artifactType", artifactType);
    }
    HttpUrl next = u.build();
    for (int page = 0; next != null; page++) {
      if (page >= maxPages) {
        throw new RegistryException("referrers of " + subject + " span more than " + maxPages + " pages");
      }
      HttpUrl current = next;
      Response r = endpoint.http().send(endpoint.request(current).get().header("Accept", MediaTypes.OCI_INDEX).build(), true);
      if (r.code() == 404 && page == 0) {
        rememberIfRouteAbsent(repository, r);
        return false;
      }
      if (r.code() != 200) {
        throw Http.failure(r, "listing referrers of " + subject);
      }
      String link = r.header("Link");
      String filters = r.header("OCI-Filters-Applied");
      String type = r.header("Content-Type");
      byte[] bytes = Http.readBounded(r, Manifest.MAX_BYTES, "referrers of " + subject);
      Manifest m = Manifest.parse(bytes, type == null ? null : Endpoint.stripParameters(type));
      if (!(m instanceof ImageIndex index)) {
        throw new RegistryException("referrers of " + subject + ": the registry answered a " + m.mediaType() + ", not an index");
      }
      boolean filtered = filters != null && List.of(filters.split("\\s*,\\s*")).contains("artifactType");
      for (Descriptor d : index.manifests()) {
        if (artifactType == null || filtered || artifactType.equals(d.artifactType())) {
          add(found, d, subject);
        }
      }
      next = endpoint.nextLink(link, current);
    }
    noReferrersApi.remove(namespace(repository));
    if (apiSeen.size() >= MAX_REFERRERS_API_MEMORY) {
      apiSeen.clear();
    }
    apiSeen.add(namespace(repository));
    return true;
  }

  /** Whether the referrers API of {@code repository}'s namespace answered 404 recently enough. */
  private boolean knownAbsent(String repository) {
    String ns = namespace(repository);
    Long since = noReferrersApi.get(ns);
    if (since == null) {
      return false;
    }
    long age = clock.millis() - since;
    if (age >= 0 && age < referrersApiMemory.toMillis()) {
      return true;
    }
    // Time to ask again: the registry may have been upgraded.
    noReferrersApi.remove(ns, since);
    return false;
  }

  /**
   * Remembers a 404 from the referrers API, unless its body is a registry error naming the
   * repository or the subject as unknown: a registry that says so has the route (even though the
   * spec forbids a 404 there), and may list referrers in other repositories.
   */
  private void rememberIfRouteAbsent(String repository, Response r) {
    byte[] body;
    try (r) {
      body = Http.errorBody(r);
    }
    if (body == null || referrersApiMemory.isZero()) {
      return;
    }
    for (Http.ApiError e : Http.apiErrors(body)) {
      if (e.code().equals("NAME_UNKNOWN") || e.code().equals("MANIFEST_UNKNOWN")) {
        return;
      }
    }
    if (noReferrersApi.size() >= MAX_REFERRERS_API_MEMORY) {
      noReferrersApi.clear();
    }
    noReferrersApi.put(namespace(repository), clock.millis());
  }

  /** The first path component of a repository: what path-routing registry front ends route by. */
  private static String namespace(String repository) {
    int slash = repository.indexOf('/');
    return slash < 0 ? repository : repository.substring(0, slash);
  }

  private Manifests.Fetched fallbackIndex(String repository, Digest subject) throws AttestException {
    try {
      return manifests.fetch(repository, subject.tagSchemaTag());
    } catch (NotFoundException e) {
      return new Manifests.Fetched(EMPTY_INDEX, null);
    }
  }
}
