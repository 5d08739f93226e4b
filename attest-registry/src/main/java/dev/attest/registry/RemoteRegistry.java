package dev.attest.registry;

import dev.attest.core.AttestException;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.DigestMismatchException;
import dev.attest.core.ImageIndex;
import dev.attest.core.Manifest;
import dev.attest.core.MediaTypes;
import dev.attest.core.Json;
import dev.attest.core.VerifyingInputStream;
import dev.attest.registry.internal.AuthReplayException;
import dev.attest.registry.internal.CoalescingSocketFactory;
import dev.attest.registry.internal.Http;
import dev.attest.registry.internal.Links;
import dev.attest.registry.internal.ReadAheadInputStream;
import dev.attest.registry.internal.ResumingBlobStream;
import dev.attest.registry.internal.StreamBody;
import dev.attest.registry.internal.auth.AuthInterceptor;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * A remote registry spoken to over the OCI Distribution API 1.1, with the referrers tag-schema
 * fallback for registries that lack the referrers API (such as distribution 2.8).
 *
 * <pre>{@code
 * try (Registry r = RemoteRegistry.builder("127.0.0.1:5000").retries(3).build()) {
 *   Manifest m = r.fetchManifest("app", "v1");
 * }
 * }</pre>
 *
 * <p>Authentication answers the registry's challenge: anonymous, Basic, or a Bearer token from
 * the challenge's realm (cached by registry and scope), with credentials from {@link
 * Builder#credentials(CredentialStore)}, by default the Docker CLI's {@code config.json}. A
 * refusal is an {@link UnauthorizedException} naming the registry.
 *
 * <p>HTTPS is used except for {@code localhost}, {@code 127.0.0.0/8} and {@code [::1]}, which are
 * spoken to over plain HTTP, and for other hosts only after {@link Builder#allowHttp()}. A URL
 * such as {@code https://localhost:5000} picks the scheme explicitly.
 *
 * <p>Idempotent requests are retried with exponential backoff and jitter on 429, 5xx and
 * connection failures, honouring {@code Retry-After}. Uploads are never resumed blindly: a
 * failed upload is restarted from a new session. Every size and count read from the registry is
 * bounded. Progress and traces go to a {@link RegistryListener}.
 *
 * @see <a href="https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md">OCI
 *     distribution spec 1.1</a>
 */
public final class RemoteRegistry implements Registry {
  private static final Pattern REPOSITORY =
      Pattern.compile("[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  private static final String ACCEPT_MANIFESTS = String.join(", ", MediaTypes.MANIFEST_TYPES);
  private static final String USER_AGENT = "attest/0.1";
  private static final long PROGRESS_STEP = 1 << 20;
  /** How many blob locations a client remembers for cross-repository mounts. */
  static final int MAX_BLOB_LOCATIONS = 4096;

  /** Attempts at adding a referrer to a fallback index before giving up. */
  private static final int FALLBACK_ATTEMPTS = 40;
  /** How many namespaces a client remembers the absence of the referrers API for. */
  static final int MAX_REFERRERS_API_MEMORY = 1024;
  /** At most this many pages are read by {@link #tagsUpTo}. */
  static final int MAX_SMALL_LISTING_PAGES = 5;

  private final String name;
  private final HttpUrl base;
  private final Http http;
  private final RegistryListener listener;

  /** Blobs from this size on are read ahead (a thread each); smaller ones are not worth it. */
  static final long READ_AHEAD_MIN = 4L << 20;
  /** 4 × 256 KiB: 1 MiB of memory per large upload. */
  private static final int READ_AHEAD_BUFFER = 256 * 1024;
  private static final int READ_AHEAD_BUFFERS = 4;

  private final long chunkSize;
  private final long monolithicLimit;
  private final int streamBuffer;
  private final int maxReferrers;
  private final int maxPages;
  private final int maxTags;
  private final int pageSize;
  /**
   * Where this client last saw each blob in this registry (pushed, mounted or found), so that a
   * push of the same blob to another repository can be a cross-repository mount; bounded, LRU.
   */
  private final Map<Digest, String> blobLocations = java.util.Collections.synchronizedMap(
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Digest, String> eldest) {
          return size() > MAX_BLOB_LOCATIONS;
        }
      });

  /**
   * When the referrers API last answered 404 (the route does not exist, as on distribution 2.8),
   * by namespace (the repository's first path component), in {@link #clock} millis: within
   * {@link #referrersApiMemory} of that answer, listings of that namespace read only the
   * tag-schema index. See docs/adr/0017-referrers-api-memory.md.
   */
  private final Map<String, Long> noReferrersApi = new ConcurrentHashMap<>();
  private final Duration referrersApiMemory;
  private final Clock clock;

  private RemoteRegistry(Builder b, HttpUrl base, Http http) {
    this.name = b.registry;
    this.base = base;
    this.http = http;
    this.listener = b.listener;
    this.chunkSize = b.chunkSize;
    this.monolithicLimit = b.monolithicLimit;
    this.streamBuffer = b.streamBuffer;
    this.maxReferrers = b.maxReferrers;
    this.maxPages = b.maxPages;
    this.maxTags = b.maxTags;
    this.pageSize = b.pageSize;
    this.referrersApiMemory = b.referrersApiMemory;
    this.clock = b.clock;
  }

  /**
   * Starts configuring a client of {@code registry}: a host with an optional port, such as {@code
   * ghcr.io} or {@code 127.0.0.1:5000}, or a URL {@code http(s)://host[:port]}.
   */
  public static Builder builder(String registry) {
    return new Builder(registry);
  }

  @Override
  public String name() {
    return name;
  }

  /** The base URL, such as {@code http://127.0.0.1:5000/}. */
  @Override
  public Optional<java.net.URI> location() {
    return Optional.of(base.uri());
  }

  /** Offered always: whether the registry has the referrers API shows in each push's answer. */
  @Override
  public Optional<FallbackIndex> fallbackIndex() {
    return Optional.of(fallbackIndex);
  }

  @Override
  public Optional<TagListing> tagListing() {
    return Optional.of(tagListing);
  }

  private final FallbackIndex fallbackIndex = new FallbackIndex() {
    @Override
    public void add(String repository, Digest subject, List<Descriptor> referrers, boolean newSubject)
        throws AttestException {
      addToFallbackIndex(repository, subject, referrers, newSubject);
    }

    @Override
    public void update(String repository, Digest subject, List<Descriptor> adding, Set<Digest> dropping)
        throws AttestException {
      updateFallbackIndex(repository, subject, adding, dropping);
    }
  };

  private final TagListing tagListing = new TagListing() {
    @Override
    public Optional<List<String>> tagsUpTo(String repository, int max) throws AttestException {
      return RemoteRegistry.this.tagsUpTo(repository, max);
    }

    @Override
    public List<Descriptor> referrers(String repository, Digest subject, @Nullable String artifactType,
        java.util.Collection<String> listedTags) throws AttestException {
      return RemoteRegistry.this.referrers(repository, subject, artifactType, listedTags.contains(subject.tagSchemaTag()));
    }
  };

  // ---------------------------------------------------------------- manifests

  @Override
  public Descriptor resolve(String repository, String reference) throws AttestException {
    @Nullable Digest asked = checkReference(repository, reference);
    Request head = request(url(repository, "manifests", reference)).head().header("Accept", ACCEPT_MANIFESTS).build();
    try (Response r = http.send(head, true)) {
      if (r.code() == 404) {
        throw new NotFoundException("manifest " + repository + ":" + reference + " not found on " + name);
      }
      String digest = r.header("Docker-Content-Digest");
      String type = r.header("Content-Type");
      String length = r.header("Content-Length");
      if (r.code() == 200 && digest != null && type != null && length != null) {
        Digest d = parseHeaderDigest(digest, r);
        if (asked != null && !asked.equals(d)) {
          throw new DigestMismatchException("manifest " + repository + "@" + asked + " (HEAD Docker-Content-Digest)", asked, d);
        }
        long size = parseSize(length, r);
        if (size > Manifest.MAX_BYTES) {
          throw new RegistryException("manifest " + repository + ":" + reference + " is " + size + " bytes, over the limit");
        }
        return Descriptor.of(stripParameters(type), d, size);
      }
    }
    // HEAD gave no usable digest: fetch, which hashes.
    return fetchManifest(repository, reference).plainDescriptor();
  }

  @Override
  public Manifest fetchManifest(String repository, String reference) throws AttestException {
    return fetchManifestWithTag(repository, reference).manifest();
  }

  private record Fetched(Manifest manifest, @Nullable String etag) {}

  private Fetched fetchManifestWithTag(String repository, String reference) throws AttestException {
    @Nullable Digest asked = checkReference(repository, reference);
    Request get = request(url(repository, "manifests", reference)).get().header("Accept", ACCEPT_MANIFESTS).build();
    Response r = http.send(get, true);
    String what = "manifest " + repository + (asked != null ? "@" : ":") + reference;
    if (r.code() != 200) {
      throw Http.failure(r, "fetching " + what);
    }
    String type = r.header("Content-Type");
    String headerDigest = r.header("Docker-Content-Digest");
    String etag = r.header("ETag");
    byte[] bytes = Http.readBounded(r, Manifest.MAX_BYTES, what);
    Digest expected = asked;
    if (expected == null && headerDigest != null) {
      expected = parseHeaderDigest(headerDigest, r);
    }
    if (expected != null) {
      expected.verify(bytes, what);
    }
    if (asked != null && headerDigest != null && !headerDigest.equals(asked.toString())) {
      // The bytes are what we asked for; a registry naming another digest is confused.
      Digest announced = parseHeaderDigest(headerDigest, r);
      if (announced.algorithm() == asked.algorithm()) {
        throw new DigestMismatchException(what + " (Docker-Content-Digest)", asked, announced);
      }
    }
    return new Fetched(Manifest.parse(bytes, type == null ? null : stripParameters(type)), etag);
  }

  @Override
  public boolean hasManifest(String repository, Digest digest) throws AttestException {
    return exists(request(url(repository, "manifests", digest.toString())).head()
        .header("Accept", ACCEPT_MANIFESTS).build(), "manifest " + repository + "@" + digest);
  }

  @Override
  public PushResult pushManifest(String repository, Manifest manifest, PushOptions options) throws AttestException {
    Objects.requireNonNull(options, "options");
    int answer = putManifest(repository, manifest.digest().toString(), manifest, null);
    boolean referrersApi = (answer & OCI_SUBJECT) != 0;
    if (options.tag() != null) {
      putManifest(repository, options.tag(), manifest, null);
    }
    boolean fallback = false;
    if (manifest.subject().isPresent() && !referrersApi && options.updateFallbackIndex()) {
      addToFallbackIndex(repository, manifest.subject().get().digest(), manifest.descriptor());
      fallback = true;
    }
    return new PushResult(manifest.descriptor(), referrersApi, fallback, (answer & CONFIRMED) != 0);
  }

  private static final int OCI_SUBJECT = 1;
  private static final int CONFIRMED = 2;

  /**
   * PUTs exact bytes; returns {@link #OCI_SUBJECT} if the registry answered {@code OCI-Subject},
   * and {@link #CONFIRMED} if it answered 201 with {@code Docker-Content-Digest} naming the digest.
   */
  private int putManifest(String repository, String reference, Manifest manifest, @Nullable String ifMatch)
      throws AttestException {
    checkReference(repository, reference);
    Request.Builder put = request(url(repository, "manifests", reference))
        .put(RequestBody.create(manifest.bytes(), MediaType.get(manifest.mediaType())));
    try (Response r = http.send(put.build(), true)) {
      if (r.code() != 201 && r.code() != 200 && r.code() != 202) {
        throw Http.failure(r, "pushing manifest " + manifest.digest() + " to " + repository + ":" + reference);
      }
      checkAnnounced(r, manifest.digest(), "pushed manifest " + repository + "@" + manifest.digest());
      boolean confirmed = r.code() == 201 && manifest.digest().toString().equals(r.header("Docker-Content-Digest"));
      return (r.header("OCI-Subject") != null ? OCI_SUBJECT : 0) | (confirmed ? CONFIRMED : 0);
    }
  }

  @Override
  public void tag(String repository, Descriptor manifest, String tag) throws AttestException {
    if (!TAG.matcher(tag).matches()) {
      throw new IllegalArgumentException("invalid tag '" + tag + "'");
    }
    putManifest(repository, tag, fetchManifest(repository, manifest.digest().toString()), null);
  }

  @Override
  public void delete(String repository, Digest digest) throws AttestException {
    Request del = request(url(repository, "manifests", digest.toString())).delete().build();
    Response r = http.send(del, true);
    if (r.code() == 202 || r.code() == 200 || r.code() == 204) {
      r.close();
      return;
    }
    if (r.code() != 404) {
      throw Http.failure(r, "deleting manifest " + repository + "@" + digest);
    }
    r.close();
    try (Response b = http.send(request(url(repository, "blobs", digest.toString())).delete().build(), true)) {
      if (b.code() == 404) {
        throw new NotFoundException("nothing to delete: neither a manifest nor a blob " + repository + "@" + digest + " on " + name);
      }
      if (b.code() != 202 && b.code() != 200 && b.code() != 204) {
        throw Http.failure(b, "deleting blob " + repository + "@" + digest);
      }
    }
  }

  @Override
  public List<String> tags(String repository) throws AttestException {
    checkRepository(repository);
    List<String> tags = new ArrayList<>();
    HttpUrl next = url(repository, "tags", "list").newBuilder().addQueryParameter("n", Integer.toString(pageSize)).build();
    for (int page = 0; next != null; page++) {
      if (page >= maxPages) {
        throw new RegistryException("tags of " + repository + " span more than " + maxPages + " pages");
      }
      next = readTagPage(repository, next, tags, maxTags, true);
    }
    return List.copyOf(tags);
  }

  /**
   * Every tag of {@code repository} if it has at most {@code max}, else empty; reads at most a few
   * pages, and stops as soon as the listing exceeds {@code max}. For a caller that would otherwise
   * resolve several tags one by one (such as the cosign {@code sha256-<hex>.sig} tags and the
   * {@code sha256-<hex>} referrers indexes of every manifest it plans) and can treat a tag this
   * listing lacks as absent; above {@code max}, it resolves them one by one instead.
   *
   * @param max the most tags wanted, 1 to 10,000
   * @see <a href="https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#listing-tags">listing tags</a>
   */
  private Optional<List<String>> tagsUpTo(String repository, int max) throws AttestException {
    checkRepository(repository);
    if (max < 1 || max > 10_000) {
      throw new IllegalArgumentException("max must be 1..10000: " + max);
    }
    List<String> tags = new ArrayList<>();
    // One more than wanted, so that a full first page says "too many" without a second request.
    int n = Math.min(pageSize, max + 1);
    HttpUrl next = url(repository, "tags", "list").newBuilder().addQueryParameter("n", Integer.toString(n)).build();
    for (int page = 0; next != null; page++) {
      if (page >= MAX_SMALL_LISTING_PAGES) {
        return Optional.empty();
      }
      next = readTagPage(repository, next, tags, max + 1, false);
      if (tags.size() > max) {
        return Optional.empty();
      }
    }
    return Optional.of(List.copyOf(tags));
  }

  /** Reads one page of a tag listing into {@code tags}, at most {@code limit} in all; the next page or null. */
  private @Nullable HttpUrl readTagPage(String repository, HttpUrl current, List<String> tags, int limit,
      boolean failOverLimit) throws AttestException {
    Response r = http.send(request(current).get().build(), true);
    if (r.code() != 200) {
      throw Http.failure(r, "listing tags of " + repository);
    }
    String link = r.header("Link");
    JsonNode n = readJson(r, "tag list of " + repository);
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
    return nextLink(link, current);
  }

  // ---------------------------------------------------------------- blobs

  @Override
  public boolean hasBlob(String repository, Digest digest) throws AttestException {
    boolean found = exists(request(url(repository, "blobs", digest.toString())).head().build(),
        "blob " + repository + "@" + digest);
    if (found) {
      blobLocations.put(digest, repository);
    }
    return found;
  }

  /**
   * A repository of this registry in which this client last pushed, mounted or found {@code
   * digest}, to mount it from (as docker and skopeo remember blob locations); empty if none is
   * remembered. Only the last 4096 blobs are remembered, and a blob may
   * have been deleted since: a mount from here can still be refused.
   */
  @Override
  public Optional<String> knownRepository(Digest digest) {
    return Optional.ofNullable(blobLocations.get(Objects.requireNonNull(digest, "digest")));
  }

  @Override
  public InputStream fetchBlob(String repository, Descriptor blob) throws AttestException {
    Request get = request(url(repository, "blobs", blob.digest().toString())).get()
        .header("Accept-Encoding", "identity").build();
    Response r = http.send(get, true);
    if (r.code() != 200) {
      throw Http.failure(r, "fetching blob " + repository + "@" + blob.digest());
    }
    long declared = r.body().contentLength();
    if (declared >= 0 && declared != blob.size()) {
      r.close();
      throw DigestMismatchException.size("blob " + repository + "@" + blob.digest() + " (Content-Length)",
          blob.digest(), blob.size(), declared);
    }
    LongConsumer progress = progress(blob.digest(), blob.size(), false);
    return blob.digest().verifying(new ResumingBlobStream(http, get, r, http.retries(), progress), blob.size());
  }

  @Override
  public void pushBlob(String repository, Descriptor blob, BlobSource source) throws AttestException {
    Objects.requireNonNull(source, "source");
    if (!hasBlob(repository, blob.digest())) {
      uploadBlob(repository, blob, source);
    }
  }

  /**
   * Uploads {@code blob} from {@code source} without first asking whether {@code repository} has
   * it, for a caller that has just asked (a promotion's plan): {@link #pushBlob(String,
   * Descriptor, BlobSource)} minus one HEAD. Uploading a blob that is already there is harmless.
   */
  @Override
  public void uploadBlob(String repository, Descriptor blob, BlobSource source) throws AttestException {
    Objects.requireNonNull(source, "source");
    checkRepository(repository);
    upload(repository, blob, source, null);
    blobLocations.put(blob.digest(), repository);
  }

  /**
   * Mounts {@code blob} from {@code fromRepository}, or uploads it from {@code source} through the
   * session the registry opened when it could not mount (answer 202). Nothing happens if the blob
   * is already present.
   */
  public void mountOrPushBlob(String repository, Descriptor blob, String fromRepository, BlobSource source)
      throws AttestException {
    if (hasBlob(repository, blob.digest())) {
      return;
    }
    HttpUrl session = mount(repository, blob.digest(), fromRepository);
    if (session != null) {
      upload(repository, blob, source, session);
    }
    blobLocations.put(blob.digest(), repository);
  }

  @Override
  public boolean mountBlob(String repository, Digest digest, String fromRepository) throws AttestException {
    HttpUrl session = mount(repository, digest, fromRepository);
    if (session == null) {
      blobLocations.put(digest, repository);
      return true;
    }
    // Close the session the registry opened; the caller uploads through a fresh one.
    try (Response ignored = http.send(request(session).delete().build(), false)) {
      // best effort
    } catch (RegistryException e) {
      // an abandoned session expires on its own
    }
    return false;
  }

  /** Null when mounted (201), else the upload session the registry opened (202). */
  private @Nullable HttpUrl mount(String repository, Digest digest, String fromRepository) throws AttestException {
    checkRepository(fromRepository);
    HttpUrl url = url(repository, "blobs", "uploads", "").newBuilder()
        .addQueryParameter("mount", digest.toString()).addQueryParameter("from", fromRepository).build();
    try (Response r = http.send(request(url).post(RequestBody.create(new byte[0], null)).build(), true)) {
      if (r.code() == 201) {
        return null;
      }
      if (r.code() == 202) {
        return location(r);
      }
      throw Http.failure(r, "mounting " + digest + " from " + fromRepository + " into " + repository);
    }
  }

  /**
   * Uploads through {@code session} (or a new one), restarting from a new session and the start
   * of the source when a step fails in a way that leaves the registry's state unknown.
   */
  private void upload(String repository, Descriptor blob, BlobSource source, @Nullable HttpUrl session)
      throws AttestException {
    int attempts = http.retries() + 1;
    boolean replayed = false;
    for (int attempt = 1; ; attempt++) {
      try {
        HttpUrl s = session != null ? session : openSession(repository);
        session = null;
        uploadOnce(s, blob, source);
        return;
      } catch (AuthReplayException e) {
        // The token expired mid-upload and the streamed body is spent; the new token is cached.
        if (replayed) {
          throw new UnauthorizedException(e.getMessage());
        }
        replayed = true;
        attempt--;
      } catch (RegistryUnreachableException e) {
        if (attempt >= attempts) {
          throw e;
        }
        // The last PUT may have landed even though its answer was lost.
        if (hasBlob(repository, blob.digest())) {
          return;
        }
        http.pause("PUT", repository + "@" + blob.digest(), attempt, http.backoff(attempt),
            "restarting upload: " + e.getMessage());
      }
    }
  }

  private HttpUrl openSession(String repository) throws AttestException {
    Request post = request(url(repository, "blobs", "uploads", "")).post(RequestBody.create(new byte[0], null)).build();
    try (Response r = http.send(post, false)) {
      if (r.code() != 202) {
        throw Http.failure(r, "opening an upload session in " + repository);
      }
      return location(r);
    }
  }

  private void uploadOnce(HttpUrl session, Descriptor blob, BlobSource source) throws AttestException {
    String what = "uploading blob " + blob.digest();
    LongConsumer progress = progress(blob.digest(), blob.size(), true);
    long[] sent = {0};
    LongConsumer counted = n -> progress.accept(sent[0] += n);
    InputStream raw;
    try {
      raw = source.open();
    } catch (IOException e) {
      throw new RegistryException(what + ": cannot open its source: " + e.getMessage(), e);
    }
    // A source that already verifies this blob (fetchBlob of another registry or a layout, as in
    // promotion) is not hashed twice: SHA-256 is the copy's main CPU cost.
    boolean verified = raw instanceof VerifyingInputStream v && v.verifies(blob.digest(), blob.size());
    InputStream checked = verified ? raw : blob.digest().verifying(raw, blob.size());
    // A large blob's source is read and hashed on a helper thread while this one writes to the
    // socket (see ReadAheadInputStream); the verification still ends the stream, before the last
    // request completes.
    InputStream bytes = checked;
    if (blob.size() >= READ_AHEAD_MIN) {
      try {
        bytes = new ReadAheadInputStream(checked, READ_AHEAD_BUFFER, READ_AHEAD_BUFFERS);
      } catch (RuntimeException | Error e) { // e.g. no thread could be started
        closeQuietly(checked);
        throw e;
      }
    }
    try (InputStream in = bytes) {
      HttpUrl url = session;
      if (blob.size() > monolithicLimit) {
        long offset = 0;
        while (offset < blob.size()) {
          long len = Math.min(chunkSize, blob.size() - offset);
          boolean last = offset + len == blob.size();
          Request patch = request(url)
              .patch(new EndCheckingBody(new StreamBody(in, len, counted), in, last))
              .header("Content-Range", offset + "-" + (offset + len - 1))
              .build();
          url = sendChunk(patch, offset, len, what);
          offset += len;
        }
        finish(url, blob.digest(), RequestBody.create(new byte[0], null), what);
      } else {
        finish(url, blob.digest(), new EndCheckingBody(new StreamBody(in, blob.size(), counted), in, true), what);
      }
    } catch (IOException e) {
      throw new RegistryException(what + ": closing its source failed: " + e.getMessage(), e);
    }
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException e) {
      // already failing
    }
  }

  /** Sends one PATCH and checks that the registry now holds exactly {@code 0..offset+len-1}. */
  private HttpUrl sendChunk(Request patch, long offset, long len, String what) throws AttestException {
    try (Response r = sendBody(patch, what)) {
      if (r.code() != 202) {
        throw uploadFailure(r, what + " (chunk at " + offset + ")");
      }
      String range = r.header("Range");
      String want = "0-" + (offset + len - 1);
      if (range != null && !range.equals(want) && !range.equals("bytes=" + want)) {
        // The registry holds other bytes than we sent: the session is unusable.
        throw new RegistryUnreachableException(what + ": after the chunk at " + offset + " the registry reports Range "
            + range + ", expected " + want);
      }
      return location(r);
    }
  }

  private void finish(HttpUrl session, Digest digest, RequestBody body, String what) throws AttestException {
    HttpUrl url = session.newBuilder().addQueryParameter("digest", digest.toString()).build();
    try (Response r = sendBody(request(url).put(body).build(), what)) {
      if (r.code() != 201 && r.code() != 200 && r.code() != 204) {
        throw uploadFailure(r, what);
      }
      checkAnnounced(r, digest, what);
    }
  }

  /** Sends an upload step once; a source whose bytes do not match is a digest mismatch, not a retry. */
  private Response sendBody(Request request, String what) throws AttestException {
    try {
      return http.send(request, false);
    } catch (RegistryUnreachableException e) {
      DigestMismatchException mismatch = DigestMismatchException.in(e).orElse(null);
      if (mismatch != null) {
        throw mismatch;
      }
      Throwable c = e.getCause();
      while (c != null && !(c instanceof SourceEndException)) {
        c = c.getCause();
      }
      if (c != null) {
        throw new RegistryException(what + ": " + c.getMessage(), e);
      }
      throw e;
    }
  }

  /** A stale or failed session is restartable; other refusals are not. */
  private static RegistryException uploadFailure(Response r, String what) {
    RegistryException e = Http.failure(r, what);
    if (e instanceof NotFoundException) {
      return new RegistryUnreachableException(what + ": the upload session was lost (" + e.getMessage() + ")");
    }
    return e;
  }

  /** Thrown when a source is longer than declared. */
  private static final class SourceEndException extends IOException {
    private static final long serialVersionUID = 1L;

    SourceEndException(String message) {
      super(message);
    }
  }

  /** After the last bytes, reads once more so that the verifying stream checks digest and size. */
  private static final class EndCheckingBody extends RequestBody {
    private final StreamBody body;
    private final InputStream in;
    private final boolean last;

    EndCheckingBody(StreamBody body, InputStream in, boolean last) {
      this.body = body;
      this.in = in;
      this.last = last;
    }

    @Override
    public @Nullable MediaType contentType() {
      return body.contentType();
    }

    @Override
    public long contentLength() {
      return body.contentLength();
    }

    @Override
    public boolean isOneShot() {
      return true;
    }

    @Override
    public void writeTo(okio.BufferedSink sink) throws IOException {
      body.writeTo(sink);
      if (last && in.read() != -1) {
        throw new SourceEndException("the source has more bytes than the declared size");
      }
    }
  }

  @Override
  public Descriptor pushBlob(String repository, String mediaType, InputStream data) throws AttestException {
    Objects.requireNonNull(data, "data");
    MessageDigest md = Digest.Algorithm.SHA256.newMessageDigest();
    String what = "uploading a stream to " + repository;
    LongConsumer progress = progress(null, -1, true);
    byte[] buf = new byte[streamBuffer];
    HttpUrl url = openSessionRetrying(repository);
    long offset = 0;
    try {
      while (true) {
        int n = data.readNBytes(buf, 0, buf.length);
        md.update(buf, 0, n);
        if (offset == 0 && n < buf.length) {
          // It all fitted in one buffer: a single PUT.
          Digest d = Digest.fromHash(Digest.Algorithm.SHA256, md.digest());
          finish(url, d, RequestBody.create(buf, MediaType.get("application/octet-stream"), 0, n), what);
          progress.accept(n);
          return Descriptor.of(mediaType, d, n);
        }
        if (n > 0) {
          url = sendBufferedChunk(url, buf, n, offset, what);
          offset += n;
          progress.accept(offset);
        }
        if (n < buf.length) {
          break;
        }
      }
    } catch (IOException e) {
      throw new RegistryException(what + ": reading the stream failed: " + e.getMessage(), e);
    }
    Digest d = Digest.fromHash(Digest.Algorithm.SHA256, md.digest());
    finish(url, d, RequestBody.create(new byte[0], null), what);
    return Descriptor.of(mediaType, d, offset);
  }

  /**
   * Sends a chunk held in memory. A stream cannot be re-read, so after a failed PATCH the
   * session's offset is asked for ({@code GET} on the upload URL): the chunk is sent again only if
   * none of it landed, and skipped if all of it did; anything else fails.
   */
  private HttpUrl sendBufferedChunk(HttpUrl url, byte[] buf, int n, long offset, String what) throws AttestException {
    for (int attempt = 1; ; attempt++) {
      Request patch = request(url).patch(RequestBody.create(buf, MediaType.get("application/octet-stream"), 0, n))
          .header("Content-Range", offset + "-" + (offset + n - 1)).build();
      try {
        return sendChunk(patch, offset, n, what);
      } catch (RegistryUnreachableException e) {
        if (attempt > http.retries()) {
          throw e;
        }
        http.pause("PATCH", Http.redact(url), attempt, http.backoff(attempt), e.getMessage());
        Request status = request(url).get().build();
        try (Response r = http.send(status, true)) {
          if (r.code() != 204 && r.code() != 200) {
            throw Http.failure(r, what + ": asking the upload offset after a failed chunk");
          }
          String range = r.header("Range", "");
          String end = range.startsWith("bytes=") ? range.substring(6) : range;
          long landed = end.isEmpty() ? -1 : parseRangeEnd(end, r);
          if (landed == offset + n - 1) {
            return location(r);
          }
          // distribution answers "0-0" for an empty session; if a byte did land, the final
          // PUT fails on its digest, so guessing "empty" cannot corrupt the blob.
          boolean nothingLanded = landed == offset - 1 || (offset == 0 && landed == 0);
          if (!nothingLanded) {
            throw new RegistryException(what + ": after a failed chunk at " + offset + " the registry holds bytes 0-"
                + landed + "; a stream cannot be re-read, so the upload cannot continue", e);
          }
          if (r.header("Location") != null) {
            url = location(r);
          }
        }
      }
    }
  }

  private static long parseRangeEnd(String range, Response r) throws RegistryException {
    int dash = range.indexOf('-');
    try {
      if (dash <= 0 || Long.parseLong(range.substring(0, dash).trim()) != 0) {
        throw new NumberFormatException();
      }
      return Long.parseLong(range.substring(dash + 1).trim());
    } catch (NumberFormatException e) {
      throw new RegistryException(Http.redact(r.request().url()) + ": bad Range header '" + range + "'");
    }
  }

  /** Nothing has been read from the stream yet, so opening a session may be retried. */
  private HttpUrl openSessionRetrying(String repository) throws AttestException {
    for (int attempt = 1; ; attempt++) {
      try {
        return openSession(repository);
      } catch (RegistryUnreachableException e) {
        if (attempt > http.retries()) {
          throw e;
        }
        http.pause("POST", repository, attempt, http.backoff(attempt), e.getMessage());
      }
    }
  }

  // ---------------------------------------------------------------- referrers

  /**
   * {@inheritDoc}
   *
   * <p>A 404 from the referrers API (as from distribution 2.8, which has no such route) is
   * remembered for the repository's namespace for {@link Builder#referrersApiMemory(Duration)}, 5
   * minutes by default; meanwhile listings in that namespace read only the tag-schema index.
   */
  @Override
  public List<Descriptor> referrers(String repository, Digest subject, @Nullable String artifactType)
      throws AttestException {
    return referrers(repository, subject, artifactType, true);
  }

  private List<Descriptor> referrers(String repository, Digest subject, @Nullable String artifactType,
      boolean readFallback) throws AttestException {
    Map<Digest, Descriptor> found = new LinkedHashMap<>();
    referrersApi(repository, subject, artifactType, found);
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
      throw new RegistryException(subject + " has more than " + maxReferrers + " referrers on " + name);
    }
    found.putIfAbsent(d.digest(), d);
  }

  /** Reads the referrers API into {@code found}; false if the registry has none (404). */
  private boolean referrersApi(String repository, Digest subject, @Nullable String artifactType,
      Map<Digest, Descriptor> found) throws AttestException {
    if (referrersApiKnownAbsent(repository)) {
      return false;
    }
    HttpUrl.Builder u = url(repository, "referrers", subject.toString()).newBuilder();
    if (artifactType != null) {
      u.addQueryParameter("artifactType", artifactType);
    }
    HttpUrl next = u.build();
    for (int page = 0; next != null; page++) {
      if (page >= maxPages) {
        throw new RegistryException("referrers of " + subject + " span more than " + maxPages + " pages");
      }
      HttpUrl current = next;
      Response r = http.send(request(current).get().header("Accept", MediaTypes.OCI_INDEX).build(), true);
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
      Manifest m = Manifest.parse(bytes, type == null ? null : stripParameters(type));
      if (!(m instanceof ImageIndex index)) {
        throw new RegistryException("referrers of " + subject + ": the registry answered a " + m.mediaType() + ", not an index");
      }
      boolean filtered = filters != null && List.of(filters.split("\\s*,\\s*")).contains("artifactType");
      for (Descriptor d : index.manifests()) {
        if (artifactType == null || filtered || artifactType.equals(d.artifactType())) {
          add(found, d, subject);
        }
      }
      next = nextLink(link, current);
    }
    noReferrersApi.remove(namespace(repository));
    return true;
  }

  /** Whether the referrers API of {@code repository}'s namespace answered 404 recently enough. */
  private boolean referrersApiKnownAbsent(String repository) {
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

  private Fetched fallbackIndex(String repository, Digest subject) throws AttestException {
    try {
      return fetchManifestWithTag(repository, subject.tagSchemaTag());
    } catch (NotFoundException e) {
      return new Fetched(EMPTY_INDEX, null);
    }
  }

  private static final Manifest EMPTY_INDEX = ImageIndex.builder().build();

  /**
   * Adds {@code referrer} to the tag-schema index of {@code subject}: read, merge, conditional
   * write ({@code If-Match} on the ETag read, {@code If-None-Match: *} when creating), then
   * re-read until the referrer has been seen twice, since a registry may ignore the condition and
   * a concurrent writer holding an older copy may overwrite ours (ADR 0008).
   */
  private void addToFallbackIndex(String repository, Digest subject, Descriptor referrer) throws AttestException {
    addToFallbackIndex(repository, subject, List.of(referrer), false);
  }

  /**
   * {@link FallbackIndex#add}: {@code newSubject} says that the caller has just pushed {@code
   * subject} to {@code repository}, where it did not exist before. If the index is then absent
   * too, it is created after a single read (a "not found" is not read again) and confirmed once,
   * not twice: nobody could have been writing the index of a manifest the repository did not have
   * (ADR 0016). If an index is found, the full procedure of ADR 0008 applies.
   */
  private void addToFallbackIndex(String repository, Digest subject, List<Descriptor> referrers, boolean newSubject)
      throws AttestException {
    if (referrers.isEmpty()) {
      throw new IllegalArgumentException("no referrers to add to the index of " + subject);
    }
    updateFallbackIndex(repository, subject, referrers, Set.of(), newSubject);
  }

  /** {@link FallbackIndex#update}: nothing is written if the index already agrees. */
  private void updateFallbackIndex(String repository, Digest subject, List<Descriptor> adding, Set<Digest> dropping)
      throws AttestException {
    if (adding.isEmpty() && dropping.isEmpty()) {
      return;
    }
    updateFallbackIndex(repository, subject, adding, dropping, false);
  }

  private void updateFallbackIndex(String repository, Digest subject, List<Descriptor> referrers,
      Set<Digest> dropping, boolean newSubject) throws AttestException {
    List<Descriptor> adding = referrers.stream().map(Descriptor::withoutData).distinct()
        .filter(d -> !dropping.contains(d.digest())).toList();
    String tag = subject.tagSchemaTag();
    int confirmations = 0;
    int needed = 2;
    long cycleMillis = 0;
    for (int attempt = 1; attempt <= FALLBACK_ATTEMPTS; attempt++) {
      // The read-modify-write time, from the first read (with its pause when a "not found" is
      // read again) to the write landing: the pauses below are never shorter (ADR 0008).
      long start = System.nanoTime();
      Fetched current = readFallbackForUpdate(repository, tag, newSubject && attempt == 1);
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
      ImageIndex next = merged.build();
      Request.Builder put = request(url(repository, "manifests", tag))
          .put(RequestBody.create(next.bytes(), MediaType.get(next.mediaType())));
      if (current != null && current.etag() != null) {
        put.header("If-Match", current.etag());
      } else if (current == null) {
        put.header("If-None-Match", "*");
      }
      try (Response r = http.send(put.build(), true)) {
        if (r.code() == 412) {
          http.listener().onEvent(new RegistryEvent.Retrying("PUT", Http.redact(r.request().url()), attempt,
              Duration.ZERO, "412: the referrers index changed meanwhile"));
        } else if (r.code() != 201 && r.code() != 200 && r.code() != 202) {
          throw Http.failure(r, "updating the referrers index " + repository + ":" + tag);
        }
      }
      // The pauses follow the slowest read-modify-write seen, never shorter than MIN_CYCLE_MILLIS.
      cycleMillis = Math.min(5_000, Math.max(cycleMillis, (System.nanoTime() - start) / 1_000_000));
      long c = Math.max(cycleMillis, MIN_CYCLE_MILLIS);
      sleepJitter(c, 2 * c + 20L * attempt);
    }
    throw new RegistryException("could not update the referrers index with " + adding.stream()
        .map(d -> d.digest().toString()).collect(Collectors.joining(", ")) + " (dropping " + dropping.size()
        + " entries) in the referrers index " + repository + ":"
        + tag + " after " + FALLBACK_ATTEMPTS + " attempts (concurrent writers kept overwriting it)");
  }

  /** The shortest pause before a confirming read of a fallback index (ADR 0008). */
  static final long MIN_CYCLE_MILLIS = 50;

  /**
   * The current fallback index, or null if there is none. A "not found" is read twice (unless
   * {@code once}): some registries (2.8 on a filesystem) briefly miss a tag while another writer
   * rewrites it, and creating a fresh index then would drop every other referrer.
   */
  private @Nullable Fetched readFallbackForUpdate(String repository, String tag, boolean once) throws AttestException {
    for (int i = 0; ; i++) {
      try {
        return fetchManifestWithTag(repository, tag);
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

  // ---------------------------------------------------------------- plumbing

  @Override
  public void close() {
    OkHttpClient c = http.client();
    c.dispatcher().executorService().shutdown();
    c.connectionPool().evictAll();
  }

  @Override
  public String toString() {
    return "RemoteRegistry{" + base + "}";
  }

  private Request.Builder request(HttpUrl url) {
    return new Request.Builder().url(url).header("User-Agent", USER_AGENT);
  }

  private HttpUrl url(String repository, String kind, String... rest) {
    checkRepository(repository);
    HttpUrl.Builder b = base.newBuilder().addPathSegment("v2");
    for (String part : repository.split("/")) {
      b.addPathSegment(part);
    }
    b.addPathSegment(kind);
    for (String s : rest) {
      b.addPathSegment(s);
    }
    return b.build();
  }

  private boolean exists(Request head, String what) throws AttestException {
    try (Response r = http.send(head, true)) {
      if (r.code() == 200) {
        return true;
      }
      if (r.code() == 404) {
        return false;
      }
      throw Http.failure(r, "checking " + what);
    }
  }

  private LongConsumer progress(@Nullable Digest digest, long total, boolean upload) {
    long[] last = {0};
    return transferred -> {
      if (transferred - last[0] >= PROGRESS_STEP || transferred == total) {
        last[0] = transferred;
        listener.onEvent(new RegistryEvent.BlobProgress(digest, transferred, total, upload));
      }
    };
  }

  private @Nullable HttpUrl nextLink(@Nullable String link, HttpUrl current) throws RegistryException {
    try {
      return Links.next(link, current);
    } catch (IllegalStateException e) {
      throw new RegistryException("registry " + name + " sent a bad Link header: " + e.getMessage());
    }
  }

  private HttpUrl location(Response r) throws RegistryException {
    String loc = r.header("Location");
    HttpUrl url = loc == null ? null : r.request().url().resolve(loc);
    if (url == null) {
      throw new RegistryException(r.request().method() + " " + Http.redact(r.request().url()) + " answered " + r.code()
          + " without a usable Location header");
    }
    if (!url.host().equals(base.host()) || url.port() != base.port() || !url.scheme().equals(base.scheme())) {
      throw new RegistryException("registry " + name + " sent an upload Location on another origin: " + Http.redact(url));
    }
    return url;
  }

  private static void checkAnnounced(Response r, Digest digest, String what) throws AttestException {
    String announced = r.header("Docker-Content-Digest");
    if (announced != null && !announced.equals(digest.toString())) {
      Digest a = parseHeaderDigest(announced, r);
      if (a.algorithm() == digest.algorithm()) {
        throw new DigestMismatchException(what + " (Docker-Content-Digest)", digest, a);
      }
    }
  }

  private static Digest parseHeaderDigest(String value, Response r) throws RegistryException {
    try {
      return Digest.parse(value.trim());
    } catch (IllegalArgumentException e) {
      throw new RegistryException(r.request().method() + " " + Http.redact(r.request().url())
          + ": bad Docker-Content-Digest: " + e.getMessage());
    }
  }

  private static long parseSize(String value, Response r) throws RegistryException {
    try {
      long n = Long.parseLong(value.trim());
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new RegistryException(Http.redact(r.request().url()) + ": bad Content-Length '" + value + "'");
    }
  }

  private JsonNode readJson(Response r, String what) throws RegistryException {
    byte[] bytes = Http.readBounded(r, Manifest.MAX_BYTES, what);
    try {
      JsonNode n = Json.read(bytes);
      if (!n.isObject()) {
        throw new RegistryException(what + " is not a JSON object");
      }
      return n;
    } catch (IOException e) {
      throw new RegistryException(what + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  private static String stripParameters(String contentType) {
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
  }

  private static void checkRepository(String repository) {
    Objects.requireNonNull(repository, "repository");
    if (repository.length() > 255 || !REPOSITORY.matcher(repository).matches()) {
      throw new IllegalArgumentException("invalid repository name '" + repository
          + "': lowercase path components separated by '/', each [a-z0-9] with '.', '_', '__' or '-' between");
    }
  }

  /** Validates; returns the digest for a digest reference, null for a tag. */
  private static @Nullable Digest checkReference(String repository, String reference) {
    checkRepository(repository);
    Objects.requireNonNull(reference, "reference");
    if (reference.indexOf(':') >= 0) {
      return Digest.parse(reference);
    }
    if (!TAG.matcher(reference).matches()) {
      throw new IllegalArgumentException("invalid tag '" + reference + "': must match " + TAG.pattern());
    }
    return null;
  }

  static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.equals("localhost") || h.equals("::1") || h.equals("[::1]") || h.equals("0:0:0:0:0:0:0:1")) {
      return true;
    }
    return h.matches("127\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)");
  }

  /** Configures a {@link RemoteRegistry}; nothing connects before {@link #build()}. */
  public static final class Builder {
    private final String registry;
    private RegistryListener listener = RegistryListener.NONE;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration readTimeout = Duration.ofSeconds(60);
    private Duration callTimeout = Duration.ZERO;
    private int retries = 4;
    private Duration retryBaseDelay = Duration.ofMillis(200);
    private Duration maxRetryDelay = Duration.ofSeconds(30);
    private boolean allowHttp;
    private long chunkSize = 128L << 20;
    private long monolithicLimit = 256L << 20;
    private int streamBuffer = 8 << 20;
    private int maxReferrers = 10_000;
    private int maxPages = 1_000;
    private int maxTags = 100_000;
    private int pageSize = 1_000;
    private @Nullable CredentialStore credentials;
    private Duration referrersApiMemory = Duration.ofMinutes(5);
    private Clock clock = Clock.systemUTC();

    private Builder(String registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * Where credentials come from when the registry asks for them; by default the Docker CLI's
     * ({@link CredentialStore#dockerConfig()}), read only when a registry first answers 401, and
     * anonymous where it has none. Use {@link CredentialStore#anonymous()} to never send any.
     */
    public Builder credentials(CredentialStore credentials) {
      this.credentials = Objects.requireNonNull(credentials, "credentials");
      return this;
    }

    /** Where progress and trace events go; none by default. */
    public Builder listener(RegistryListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Time allowed to open a connection; 10 s by default. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = nonNegative(timeout, "connectTimeout");
      return this;
    }

    /** Longest silence while reading or writing; 60 s by default. */
    public Builder readTimeout(Duration timeout) {
      this.readTimeout = nonNegative(timeout, "readTimeout");
      return this;
    }

    /** Overall limit on one HTTP call including its body; none (zero) by default, as blobs are large. */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = nonNegative(timeout, "callTimeout");
      return this;
    }

    /** How many times a failed idempotent request or an upload is tried again; 4 by default. */
    public Builder retries(int retries) {
      if (retries < 0 || retries > 20) {
        throw new IllegalArgumentException("retries must be 0..20: " + retries);
      }
      this.retries = retries;
      return this;
    }

    /**
     * The backoff: the first retry waits about {@code base}, doubling each time, never more than
     * {@code max}; {@code Retry-After} is capped at {@code max} too. 200 ms and 30 s by default.
     */
    public Builder retryDelays(Duration base, Duration max) {
      this.retryBaseDelay = nonNegative(base, "base");
      this.maxRetryDelay = nonNegative(max, "max");
      return this;
    }

    /** Speak plain HTTP to this registry even though it is not a loopback address. */
    public Builder allowHttp() {
      this.allowHttp = true;
      return this;
    }

    /**
     * Blobs of known size larger than {@code monolithicLimit} bytes are sent in PATCH chunks of
     * {@code chunkSize} bytes, smaller ones in one PUT. Both are streamed, so neither costs
     * memory. 128 MiB and 256 MiB by default (on 2.8.2, one PUT ingests fastest; 8 MiB chunks
     * took about twice as long).
     */
    public Builder chunking(long chunkSize, long monolithicLimit) {
      if (chunkSize < 1 || monolithicLimit < 0) {
        throw new IllegalArgumentException("chunk size must be positive and the limit >= 0");
      }
      this.chunkSize = chunkSize;
      this.monolithicLimit = monolithicLimit;
      return this;
    }

    /**
     * Streams of unknown size are held in memory one buffer at a time and sent as PATCH chunks of
     * that size; 8 MiB by default. A stream that fits in one buffer is sent in one PUT.
     */
    public Builder streamBuffer(int bytes) {
      if (bytes < 1 || bytes > (256 << 20)) {
        throw new IllegalArgumentException("stream buffer must be 1 B..256 MiB: " + bytes);
      }
      this.streamBuffer = bytes;
      return this;
    }

    /** Bounds on what the registry may send: referrers per subject, pages per listing, tags per repository. */
    public Builder limits(int maxReferrers, int maxPages, int maxTags) {
      if (maxReferrers < 1 || maxPages < 1 || maxTags < 1) {
        throw new IllegalArgumentException("limits must be positive");
      }
      this.maxReferrers = maxReferrers;
      this.maxPages = maxPages;
      this.maxTags = maxTags;
      return this;
    }

    /**
     * How long a 404 from the referrers API (a registry without it, such as distribution 2.8) is
     * remembered, per namespace (the first path component of a repository), before it is asked
     * again; 5 minutes by default. Meanwhile {@link RemoteRegistry#referrers} reads only the
     * tag-schema index there, which saves a request per listing but would miss, for up to this
     * long, a referrer pushed through a referrers API that appeared meanwhile (an upgrade).
     * {@link Duration#ZERO} asks every time.
     */
    public Builder referrersApiMemory(Duration ttl) {
      this.referrersApiMemory = nonNegative(ttl, "referrersApiMemory");
      return this;
    }

    /** The clock of {@link #referrersApiMemory(Duration)}; for tests. */
    Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How many tags to ask for per page ({@code n}); 1,000 by default. */
    public Builder pageSize(int pageSize) {
      if (pageSize < 1 || pageSize > 10_000) {
        throw new IllegalArgumentException("page size must be 1..10000: " + pageSize);
      }
      this.pageSize = pageSize;
      return this;
    }

    /**
     * Creates the client.
     *
     * @throws IllegalArgumentException if the registry name is malformed, or names plain HTTP to
     *     a non-loopback host without {@link #allowHttp()}
     */
    public RemoteRegistry build() {
      HttpUrl base = baseUrl();
      OkHttpClient.Builder c = new OkHttpClient.Builder()
          .connectTimeout(connectTimeout.toMillis(), TimeUnit.MILLISECONDS)
          .readTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS)
          .writeTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS)
          .callTimeout(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
          // We retry ourselves, and only what is safe to retry.
          .retryOnConnectionFailure(false)
          .followSslRedirects(!"https".equals(base.scheme()));
      c.addInterceptor(new AuthInterceptor(credentialStore(), tokenClient(), Clock.systemUTC()));
      // Coalesces OkHttp's 8 KiB socket writes (see CoalescingSocketFactory).
      c.socketFactory(new CoalescingSocketFactory());
      Http http = new Http(c.build(), listener, retries, retryBaseDelay, maxRetryDelay);
      return new RemoteRegistry(this, base, http);
    }

    private CredentialStore credentialStore() {
      return credentials != null ? credentials
          : CredentialStore.firstOf(CredentialStore.dockerConfig(), CredentialStore.anonymous());
    }

    /** Token requests get the same timeouts and are reported to the listener like the others. */
    private OkHttpClient tokenClient() {
      RegistryListener l = listener;
      Interceptor events = chain -> {
        Request r = chain.request();
        String url = Http.redact(r.url().newBuilder().query(null).build());
        l.onEvent(new RegistryEvent.RequestSent(r.method(), url));
        long start = System.nanoTime();
        Response response = chain.proceed(r);
        l.onEvent(new RegistryEvent.ResponseReceived(r.method(), url, response.code(),
            Duration.ofNanos(System.nanoTime() - start)));
        return response;
      };
      return new OkHttpClient.Builder()
          .connectTimeout(connectTimeout.toMillis(), TimeUnit.MILLISECONDS)
          .readTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS)
          .callTimeout(callTimeout.isZero() ? 60_000 : callTimeout.toMillis(), TimeUnit.MILLISECONDS)
          .addInterceptor(events)
          .build();
    }

    private HttpUrl baseUrl() {
      String r = registry.trim();
      boolean explicit = r.startsWith("http://") || r.startsWith("https://");
      HttpUrl parsed = HttpUrl.parse(explicit ? r : "https://" + r);
      if (parsed == null || !(parsed.encodedPath().equals("/") || parsed.encodedPath().isEmpty())
          || parsed.query() != null || !parsed.username().isEmpty() || r.isEmpty()) {
        throw new IllegalArgumentException("invalid registry '" + registry + "': expected host[:port] or http(s)://host[:port]");
      }
      boolean loopback = isLoopback(parsed.host());
      if (explicit) {
        if ("http".equals(parsed.scheme()) && !loopback && !allowHttp) {
          throw new IllegalArgumentException("plain HTTP to " + parsed.host() + " needs allowHttp(); it is only implied for loopback addresses");
        }
        return parsed;
      }
      return (loopback || allowHttp) ? parsed.newBuilder().scheme("http").port(portOf(r, parsed)).build() : parsed;
    }

    /** Keeps an explicit port; otherwise the default of the scheme chosen later. */
    private static int portOf(String r, HttpUrl parsed) {
      String hostPort = r.endsWith("]") ? "" : r.substring(r.lastIndexOf(']') + 1);
      return hostPort.contains(":") || (!r.contains("]") && r.contains(":")) ? parsed.port() : 80;
    }

    private static Duration nonNegative(Duration d, String what) {
      Objects.requireNonNull(d, what);
      if (d.isNegative()) {
        throw new IllegalArgumentException(what + " must not be negative");
      }
      return d;
    }
  }
}
