package dev.attest.registry;

import dev.attest.core.AttestException;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.Manifest;
import dev.attest.registry.internal.Blobs;
import dev.attest.registry.internal.Connections;
import dev.attest.registry.internal.Endpoint;
import dev.attest.registry.internal.FallbackIndexWriter;
import dev.attest.registry.internal.Http;
import dev.attest.registry.internal.Manifests;
import dev.attest.registry.internal.Referrers;
import dev.attest.registry.internal.StreamUploads;
import dev.attest.registry.internal.Tags;
import dev.attest.registry.internal.Uploads;
import java.io.InputStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import okhttp3.HttpUrl;
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
 * <p>This class is a facade: each part of the protocol lives in its own internal class (manifests,
 * blobs, uploads of known and of unknown size, tag listing, referrers, the fallback index writer),
 * and this class only wires them together and implements the {@link Registry} contract with them.
 * It offers both capabilities: {@link #fallbackIndex()} and {@link #tagListing()}.
 *
 * @see <a href="https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md">OCI
 *     distribution spec 1.1</a>
 */
public final class RemoteRegistry implements Registry {
  /** How many blob locations a client remembers for cross-repository mounts. */
  static final int MAX_BLOB_LOCATIONS = Blobs.MAX_BLOB_LOCATIONS;
  /** How many namespaces a client remembers the absence of the referrers API for. */
  static final int MAX_REFERRERS_API_MEMORY = Referrers.MAX_REFERRERS_API_MEMORY;
  /** At most this many pages are read by {@link TagListing#tagsUpTo}. */
  static final int MAX_SMALL_LISTING_PAGES = Tags.MAX_SMALL_LISTING_PAGES;
  /** Blobs from this size on are read ahead (a thread each); smaller ones are not worth it. */
  static final long READ_AHEAD_MIN = Uploads.READ_AHEAD_MIN;
  /** The shortest pause before a confirming read of a fallback index (ADR 0008). */
  static final long MIN_CYCLE_MILLIS = FallbackIndexWriter.MIN_CYCLE_MILLIS;

  private final Endpoint endpoint;
  private final Manifests manifests;
  private final Blobs blobs;
  private final StreamUploads streams;
  private final Tags tags;
  private final Referrers referrers;
  private final FallbackIndexWriter fallbackIndex;

  private RemoteRegistry(Builder b, HttpUrl base, Http http) {
    this.endpoint = new Endpoint(b.registry, base, http);
    this.manifests = new Manifests(endpoint);
    Uploads uploads = new Uploads(endpoint, b.chunkSize, b.monolithicLimit);
    this.blobs = new Blobs(endpoint, uploads);
    this.streams = new StreamUploads(endpoint, uploads, b.streamBuffer);
    this.referrers = new Referrers(endpoint, manifests, b.maxReferrers, b.maxPages, b.referrersApiMemory, b.clock);
    this.tags = new Tags(endpoint, referrers, b.maxPages, b.maxTags, b.pageSize);
    this.fallbackIndex = new FallbackIndexWriter(endpoint, manifests, b.maxReferrers);
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
    return endpoint.name();
  }

  /** The base URL, such as {@code http://127.0.0.1:5000/}. */
  @Override
  public Optional<URI> location() {
    return Optional.of(endpoint.base().uri());
  }

  // ---------------------------------------------------------------- capabilities

  /**
   * Offered always: whether the registry has the referrers API shows in each push's answer
   * ({@link PushResult#referrersApi()}); a registry with the API ignores the index, a client
   * reading it still finds it.
   */
  @Override
  public Optional<FallbackIndex> fallbackIndex() {
    return Optional.of(fallbackIndex);
  }

  /** Offered always: one listing of at most a few pages. */
  @Override
  public Optional<TagListing> tagListing() {
    return Optional.of(tags);
  }

  // ---------------------------------------------------------------- manifests

  @Override
  public Descriptor resolve(String repository, String reference) throws AttestException {
    return manifests.resolve(repository, reference);
  }

  @Override
  public Manifest fetchManifest(String repository, String reference) throws AttestException {
    return manifests.fetch(repository, reference).manifest();
  }

  @Override
  public boolean hasManifest(String repository, Digest digest) throws AttestException {
    return manifests.has(repository, digest);
  }

  @Override
  public PushResult pushManifest(String repository, Manifest manifest, PushOptions options) throws AttestException {
    Objects.requireNonNull(options, "options");
    int answer = manifests.put(repository, manifest.digest().toString(), manifest);
    boolean referrersApi = (answer & Manifests.OCI_SUBJECT) != 0;
    if (options.tag() != null) {
      manifests.put(repository, options.tag(), manifest);
    }
    boolean fallback = false;
    if (manifest.subject().isPresent() && !referrersApi && options.updateFallbackIndex()) {
      fallbackIndex.add(repository, manifest.subject().get().digest(), List.of(manifest.descriptor()), false);
      fallback = true;
    }
    return new PushResult(manifest.descriptor(), referrersApi, fallback, (answer & Manifests.CONFIRMED) != 0);
  }

  @Override
  public void tag(String repository, Descriptor manifest, String tag) throws AttestException {
    manifests.tag(repository, manifest, tag);
  }

  @Override
  public void delete(String repository, Digest digest) throws AttestException {
    manifests.delete(repository, digest);
  }

  @Override
  public List<String> tags(String repository) throws AttestException {
    return tags.all(repository);
  }

  // ---------------------------------------------------------------- blobs

  @Override
  public boolean hasBlob(String repository, Digest digest) throws AttestException {
    return blobs.has(repository, digest);
  }

  /** {@inheritDoc} Only the last 4096 blobs are remembered. */
  @Override
  public Optional<String> knownRepository(Digest digest) {
    return blobs.knownRepository(digest);
  }

  /**
   * {@inheritDoc}
   *
   * <p>The stream resumes with a range request where the connection breaks (ADR 0015).
   */
  @Override
  public InputStream fetchBlob(String repository, Descriptor blob) throws AttestException {
    return blobs.fetch(repository, blob);
  }

  @Override
  public void pushBlob(String repository, Descriptor blob, BlobSource source) throws AttestException {
    blobs.push(repository, blob, source);
  }

  @Override
  public void uploadBlob(String repository, Descriptor blob, BlobSource source) throws AttestException {
    blobs.upload(repository, blob, source);
  }

  /**
   * Mounts {@code blob} from {@code fromRepository}, or uploads it from {@code source} through the
   * session the registry opened when it could not mount (answer 202). Nothing happens if the blob
   * is already present.
   */
  public void mountOrPushBlob(String repository, Descriptor blob, String fromRepository, BlobSource source)
      throws AttestException {
    blobs.mountOrPush(repository, blob, fromRepository, source);
  }

  @Override
  public boolean mountBlob(String repository, Digest digest, String fromRepository) throws AttestException {
    return blobs.mountBlob(repository, digest, fromRepository);
  }

  @Override
  public Descriptor pushBlob(String repository, String mediaType, InputStream data) throws AttestException {
    Objects.requireNonNull(data, "data");
    return streams.push(repository, mediaType, data);
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
    return referrers.list(repository, subject, artifactType, true);
  }

  @Override
  public void close() {
    Connections.close(endpoint.http());
  }

  @Override
  public String toString() {
    return "RemoteRegistry{" + endpoint.base() + "}";
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
      HttpUrl base = Connections.baseUrl(registry, allowHttp);
      CredentialStore store = credentials != null ? credentials
          : CredentialStore.firstOf(CredentialStore.dockerConfig(), CredentialStore.anonymous());
      Http http = Connections.http(base, new Connections.Timeouts(connectTimeout, readTimeout, callTimeout),
          store, listener, retries, retryBaseDelay, maxRetryDelay);
      return new RemoteRegistry(this, base, http);
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
