package dev.attest.testing;

import com.sun.net.httpserver.HttpServer;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.AttestException;
import dev.attest.core.Manifest;
import dev.attest.registry.BlobSource;
import dev.attest.registry.FallbackIndex;
import dev.attest.registry.PushOptions;
import dev.attest.registry.PushResult;
import dev.attest.registry.Registry;
import dev.attest.registry.TagListing;
import dev.attest.testing.internal.ApiError;
import dev.attest.testing.internal.BlobStore;
import dev.attest.testing.internal.DiskBlobStore;
import dev.attest.testing.internal.GuardedExecutor;
import dev.attest.testing.internal.MemoryBlobStore;
import dev.attest.testing.internal.RegistryHandler;
import dev.attest.testing.internal.RegistryState;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An in-process OCI Distribution 1.1 registry on {@code 127.0.0.1}, for tests and demos.
 *
 * <pre>{@code
 * try (EmbeddedRegistry registry = EmbeddedRegistry.builder().build().start()) {
 *   ImageManifest image = TestImages.pushImage(registry, "app", "v1");
 *   Descriptor resolved = registry.resolve("app", "v1"); // a Registry, over HTTP
 *   String ref = registry.host() + "/app@" + image.digest();
 * }
 * }</pre>
 *
 * <p>It is itself a {@link Registry}: the {@code Registry} methods go over HTTP through a client
 * of this registry, created on first use and closed with it, so they exercise the same wire path as
 * any other client. {@link #putBlob}, {@link #putManifest}, {@link #manifest}, {@link #hasBlob} and
 * {@link #tags} read and write the storage directly, without a client.
 *
 * <p>It serves manifests (by tag or digest, exact bytes, with {@code If-Match}/{@code
 * If-None-Match} on tag pushes), blobs (with {@code Range}), monolithic and chunked uploads,
 * cross-repository mounts, deletes by digest, tag and catalog listings with paging, and the
 * referrers API. With {@link Builder#referrersApi(boolean) referrersApi(false)} it behaves like
 * registry 2.8.2: the referrers endpoint answers 404 and pushes get no {@code OCI-Subject} header,
 * so clients must use the tag-schema fallback. It verifies every uploaded digest and refuses a
 * manifest whose blobs or child manifests it does not have.
 *
 * <p>Blob bytes are held in memory or as files under a directory (written to a temporary file and
 * renamed, so never half-visible); repositories, tags and manifests are kept in memory for the
 * registry's lifetime. Plain HTTP only: clients must allow insecure access to {@code 127.0.0.1}.
 *
 * @see <a href="https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md">OCI
 *     distribution spec 1.1</a>
 */
public final class EmbeddedRegistry implements Registry {
  // JDK 17's HttpServer flushes the response headers before it writes the body (JDK-6968351,
  // fixed after 17 by openjdk/jdk PR 18667), so with Nagle on, each small response waits for the
  // client's delayed ACK: 40 ms per request on Linux. TCP_NODELAY avoids it; the JDK reads this
  // property once, when its first HttpServer starts, and an explicit setting is left alone.
  static {
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private final int requestedPort;
  private final @Nullable Path directory;
  private final boolean deleteDirectory;
  private final boolean referrersApi;
  private final long maxBlobSize;
  private final int threads;
  private @Nullable HttpServer server;
  private @Nullable GuardedExecutor executor;
  private @Nullable RegistryState state;
  private @Nullable RegistryHandler handler;
  private @Nullable Path storageDir;
  private @Nullable Registry client;

  private EmbeddedRegistry(Builder b) {
    this.requestedPort = b.port;
    this.directory = b.directory;
    this.deleteDirectory = b.temporaryDirectory;
    this.referrersApi = b.referrersApi;
    boolean memory = b.directory == null && !b.temporaryDirectory;
    this.maxBlobSize = b.maxBlobSize > 0 ? b.maxBlobSize : memory ? 512L << 20 : 64L << 30;
    this.threads = b.threads;
  }

  /** A builder: a free port, in-memory storage and the referrers API on. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Binds and starts serving.
   *
   * @return this registry
   * @throws UncheckedIOException if the port cannot be bound or the storage directory created
   * @throws IllegalStateException if already started
   */
  public synchronized EmbeddedRegistry start() {
    if (server != null) {
      throw new IllegalStateException("embedded registry already started at " + host());
    }
    try {
      BlobStore store;
      if (deleteDirectory) {
        storageDir = Files.createTempDirectory("attest-registry-");
        store = new DiskBlobStore(storageDir);
      } else if (directory != null) {
        storageDir = directory;
        store = new DiskBlobStore(directory);
      } else {
        store = new MemoryBlobStore();
      }
      RegistryState st = new RegistryState(store);
      HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), requestedPort), 64);
      GuardedExecutor ex = new GuardedExecutor(threads);
      s.setExecutor(ex);
      RegistryHandler h = new RegistryHandler(st, referrersApi, maxBlobSize, ex);
      s.createContext("/", h);
      s.start();
      this.state = st;
      this.handler = h;
      this.executor = ex;
      this.server = s;
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the embedded registry: " + e.getMessage(), e);
    }
  }

  /** Stops serving, drops open uploads and, for temporary storage, deletes the directory. */
  @Override
  public synchronized void close() {
    HttpServer s = server;
    if (s == null) {
      return;
    }
    Registry c = client;
    client = null;
    if (c != null) {
      c.close();
    }
    s.stop(0);
    Objects.requireNonNull(executor).shutdownNow();
    Objects.requireNonNull(handler).cancelUploads();
    try {
      Objects.requireNonNull(state).store().close();
    } catch (IOException e) {
      // nothing useful to do while closing
    }
    server = null;
    if (deleteDirectory && storageDir != null) {
      deleteRecursively(storageDir);
    }
  }

  /** Whether {@link #start()} was called and {@link #close()} was not. */
  public synchronized boolean isRunning() {
    return server != null;
  }

  /** The bound port. */
  public int port() {
    return running().getAddress().getPort();
  }

  /** {@code 127.0.0.1:PORT}, the registry part of image references. */
  public String host() {
    return "127.0.0.1:" + port();
  }

  /** {@code http://127.0.0.1:PORT}, without a trailing slash. */
  public URI url() {
    return URI.create("http://" + host());
  }

  /** Whether the referrers API is served (otherwise it answers 404, like registry 2.8.2). */
  public boolean referrersApi() {
    return referrersApi;
  }

  /** The directory blobs are stored under, if storage is on disk. */
  public synchronized Optional<Path> storageDirectory() {
    return Optional.ofNullable(storageDir);
  }

  /**
   * The client behind this registry's {@link Registry} methods: a {@link Registry#remote(String)
   * remote} client of {@link #host()}, created on first use and closed by {@link #close()}. Do not
   * close it yourself.
   *
   * @throws IllegalStateException if the registry is not running
   */
  public synchronized Registry client() {
    running();
    if (client == null) {
      client = Registry.remote(host());
    }
    return client;
  }

  // ---- the Registry contract, over HTTP through client()

  /** {@link #host()}. */
  @Override
  public String name() {
    return host();
  }

  @Override
  public Descriptor resolve(String repository, String reference) throws AttestException {
    return client().resolve(repository, reference);
  }

  @Override
  public Manifest fetchManifest(String repository, String reference) throws AttestException {
    return client().fetchManifest(repository, reference);
  }

  @Override
  public boolean hasManifest(String repository, Digest digest) throws AttestException {
    return client().hasManifest(repository, digest);
  }

  @Override
  public PushResult pushManifest(String repository, Manifest manifest, PushOptions options) throws AttestException {
    return client().pushManifest(repository, manifest, options);
  }

  @Override
  public void tag(String repository, Descriptor manifest, String tag) throws AttestException {
    client().tag(repository, manifest, tag);
  }

  @Override
  public void delete(String repository, Digest digest) throws AttestException {
    client().delete(repository, digest);
  }

  @Override
  public InputStream fetchBlob(String repository, Descriptor blob) throws AttestException {
    return client().fetchBlob(repository, blob);
  }

  @Override
  public void pushBlob(String repository, Descriptor blob, BlobSource source) throws AttestException {
    client().pushBlob(repository, blob, source);
  }

  @Override
  public Descriptor pushBlob(String repository, String mediaType, InputStream data) throws AttestException {
    return client().pushBlob(repository, mediaType, data);
  }

  @Override
  public boolean mountBlob(String repository, Digest digest, String fromRepository) throws AttestException {
    return client().mountBlob(repository, digest, fromRepository);
  }

  @Override
  public List<Descriptor> referrers(String repository, Digest subject, @Nullable String artifactType)
      throws AttestException {
    return client().referrers(repository, subject, artifactType);
  }

  @Override
  public void uploadBlob(String repository, Descriptor blob, BlobSource source) throws AttestException {
    client().uploadBlob(repository, blob, source);
  }

  @Override
  public Optional<String> knownRepository(Digest digest) {
    return client().knownRepository(digest);
  }

  /** The client's: {@code http://127.0.0.1:PORT/}. */
  @Override
  public Optional<URI> location() {
    return client().location();
  }

  /** The client's: the tag-schema index the client writes when the referrers API is off. */
  @Override
  public Optional<FallbackIndex> fallbackIndex() {
    return client().fallbackIndex();
  }

  @Override
  public Optional<TagListing> tagListing() {
    return client().tagListing();
  }

  // ---- direct access to storage, without a client

  /** Stores {@code bytes} as a blob of {@code repository} and returns its descriptor. */
  public Descriptor putBlob(String repository, String mediaType, byte[] bytes) {
    checkName(repository);
    try {
      return state().putBlob(repository, mediaType, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Stores a manifest under its digest and, if {@code tag} is not null, tags it, with the same
   * checks as a push over HTTP.
   *
   * @throws IllegalArgumentException if the registry would refuse the push, with its reason
   */
  public <M extends Manifest> M putManifest(String repository, @Nullable String tag, M manifest) {
    checkName(repository);
    String ref = tag == null ? manifest.digest().toString() : tag;
    try {
      state().putManifest(repository, ref, manifest.bytes(), manifest.mediaType(), null, null);
    } catch (ApiError e) {
      throw new IllegalArgumentException(
          "cannot push " + manifest.digest() + " to " + repository + ": " + e.code() + " " + e.getMessage()
              + (e.detail() == null ? "" : " (" + e.detail() + ")"));
    }
    return manifest;
  }

  /** The manifest a tag or digest names in {@code repository}, if any. */
  public Optional<Manifest> manifest(String repository, String reference) {
    try {
      return Optional.of(state().manifest(repository, reference));
    } catch (ApiError e) {
      return Optional.empty();
    }
  }

  /** Whether {@code repository} holds the blob {@code digest}; read from storage directly. */
  @Override
  public boolean hasBlob(String repository, Digest digest) {
    return state().blobSize(repository, digest) >= 0;
  }

  /**
   * The tags of {@code repository} in lexical order, read from storage directly; empty if it does
   * not exist.
   */
  @Override
  public List<String> tags(String repository) {
    try {
      return state().tags(repository, null);
    } catch (ApiError e) {
      return List.of();
    }
  }

  private static void checkName(String repository) {
    if (!RegistryState.NAME.matcher(repository).matches()) {
      throw new IllegalArgumentException("invalid repository name: '" + repository + "'");
    }
  }

  private synchronized HttpServer running() {
    if (server == null) {
      throw new IllegalStateException("the embedded registry is not running; call start()");
    }
    return server;
  }

  private synchronized RegistryState state() {
    running();
    return Objects.requireNonNull(state);
  }

  private static void deleteRecursively(Path root) {
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, @Nullable IOException exc) throws IOException {
          Files.deleteIfExists(dir);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      // a leftover temporary directory is harmless
    }
  }

  @Override
  public String toString() {
    return "EmbeddedRegistry[" + (isRunning() ? host() : "stopped") + ", referrersApi=" + referrersApi + "]";
  }

  /** Settings of an {@link EmbeddedRegistry}; {@link #build()} does no I/O. */
  public static final class Builder {
    private int port;
    private @Nullable Path directory;
    private boolean temporaryDirectory;
    private boolean referrersApi = true;
    private long maxBlobSize = -1;
    private int threads = 8;

    private Builder() {}

    /** The port to bind on {@code 127.0.0.1}; 0 (the default) picks a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535: " + port);
      }
      this.port = port;
      return this;
    }

    /** Keeps blobs in heap memory (the default). */
    public Builder inMemory() {
      this.directory = null;
      this.temporaryDirectory = false;
      return this;
    }

    /** Keeps blobs as files under {@code directory}, which is created if needed and kept on close. */
    public Builder storage(Path directory) {
      this.directory = Objects.requireNonNull(directory, "directory");
      this.temporaryDirectory = false;
      return this;
    }

    /** Keeps blobs under a fresh temporary directory, deleted on close. */
    public Builder temporaryDisk() {
      this.directory = null;
      this.temporaryDirectory = true;
      return this;
    }

    /** Whether to serve the referrers API (default true); false behaves like registry 2.8.2. */
    public Builder referrersApi(boolean enabled) {
      this.referrersApi = enabled;
      return this;
    }

    /** The largest blob accepted; defaults to 512 MiB in memory and 64 GiB on disk. */
    public Builder maxBlobSize(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxBlobSize must be positive: " + bytes);
      }
      this.maxBlobSize = bytes;
      return this;
    }

    /** Worker threads (default 8). */
    public Builder threads(int threads) {
      if (threads < 1 || threads > 256) {
        throw new IllegalArgumentException("threads must be 1..256: " + threads);
      }
      this.threads = threads;
      return this;
    }

    /** A registry with these settings, not yet started. */
    public EmbeddedRegistry build() {
      return new EmbeddedRegistry(this);
    }
  }
}
