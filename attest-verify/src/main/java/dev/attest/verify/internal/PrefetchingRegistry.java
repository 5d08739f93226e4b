package dev.attest.verify.internal;

import dev.attest.core.AttestException;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.ImageManifest;
import dev.attest.core.Manifest;
import dev.attest.registry.Attestations;
import dev.attest.registry.BlobSource;
import dev.attest.registry.PushOptions;
import dev.attest.registry.PushResult;
import dev.attest.registry.Registry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;

/**
 * A read-through view of a registry for one verification: when the referrers of a subject are
 * listed, every bundle referrer's manifest and bundle layers are fetched at once on a bounded
 * executor, and the sequential reads of {@link Attestations#read} are then answered from those
 * fetches. Everything the delegate verifies (manifest digests, blob digests at EOF) stays verified:
 * blobs are read to the end before they are handed out, and a failure is handed out as it happened.
 */
public final class PrefetchingRegistry implements Registry {
  private final Registry delegate;
  private final Executor executor;
  private final Map<String, Future<Manifest>> manifests = new ConcurrentHashMap<>();
  private final Map<Digest, Future<byte[]>> blobs = new ConcurrentHashMap<>();
  private final Map<String, Future<List<Descriptor>>> listings = new ConcurrentHashMap<>();

  public PrefetchingRegistry(Registry delegate, Executor executor) {
    this.delegate = delegate;
    this.executor = executor;
  }

  /**
   * Starts listing the referrers of {@code subject} (and prefetching what they point at) without
   * waiting; a later {@link #referrers} call for the same subject takes the result. Used to
   * overlap discovery with the fetch of the subject's own manifest.
   */
  public void startReferrers(String repository, Digest subject) {
    listing(repository, subject, null);
  }

  @Override
  public List<Descriptor> referrers(String repository, Digest subject, @Nullable String artifactType)
      throws AttestException {
    return await(listing(repository, subject, artifactType));
  }

  private Future<List<Descriptor>> listing(String repository, Digest subject, @Nullable String artifactType) {
    String key = key(repository, subject.toString()) + "|" + (artifactType == null ? "" : artifactType);
    return listings.computeIfAbsent(key, k -> {
      if (artifactType == null) {
        // cosign's legacy tags are looked up after the referrers are read; ask for them now.
        for (String tag : Attestations.legacyTags(subject)) {
          manifests.computeIfAbsent(key(repository, tag), m -> CompletableFuture.supplyAsync(
              () -> unchecked(() -> delegate.fetchManifest(repository, tag)), executor));
        }
      }
      return CompletableFuture.supplyAsync(() -> {
        List<Descriptor> list = unchecked(() -> delegate.referrers(repository, subject, artifactType));
        for (Descriptor r : Attestations.referrersToRead(list)) {
          manifests.computeIfAbsent(key(repository, r.digest().toString()),
              m -> CompletableFuture.supplyAsync(() -> prefetchReferrer(repository, r), executor));
        }
        return list;
      }, executor);
    });
  }

  private Manifest prefetchReferrer(String repository, Descriptor r) {
    Manifest m = unchecked(() -> delegate.fetchManifest(repository, r.digest().toString()));
    if (m instanceof ImageManifest im) {
      for (Descriptor layer : Attestations.layersToDownload(im)) {
        blobs.computeIfAbsent(layer.digest(), d -> CompletableFuture.supplyAsync(() -> read(repository, layer), executor));
      }
    }
    return m;
  }

  @Override
  public Manifest fetchManifest(String repository, String reference) throws AttestException {
    Future<Manifest> f = manifests.get(key(repository, reference));
    return f == null ? delegate.fetchManifest(repository, reference) : await(f);
  }

  @Override
  public InputStream fetchBlob(String repository, Descriptor blob) throws AttestException {
    Future<byte[]> f = blobs.get(blob.digest());
    if (f == null) {
      return delegate.fetchBlob(repository, blob);
    }
    try {
      return new ByteArrayInputStream(await(f));
    } catch (BlobFailure e) {
      IOException cause = e.getCause();
      // As the delegate's stream would: the failure surfaces when the stream is read.
      return new InputStream() {
        @Override
        public int read() throws IOException {
          throw cause;
        }
      };
    }
  }

  private byte[] read(String repository, Descriptor layer) {
    try (InputStream in = unchecked(() -> delegate.fetchBlob(repository, layer))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new BlobFailure(e);
    }
  }

  private static String key(String repository, String reference) {
    return repository + "@" + reference;
  }

  /** A blob read that failed with an I/O error (including a digest mismatch at EOF). */
  private static final class BlobFailure extends UncheckedIOException {
    private static final long serialVersionUID = 1L;

    BlobFailure(IOException e) {
      super(e.getMessage(), e);
    }
  }

  /** An {@link AttestException} carried through a future. */
  private static final class Carried extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Carried(AttestException e) {
      super(e.getMessage(), e);
    }
  }

  private interface Call<T> {
    T call() throws AttestException;
  }

  private static <T> T unchecked(Call<T> c) {
    try {
      return c.call();
    } catch (AttestException e) {
      throw new Carried(e);
    }
  }

  private static <T> T await(Future<T> f) throws AttestException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while fetching", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof Carried carried) {
        throw (AttestException) carried.getCause();
      }
      if (c instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(c);
    }
  }

  // ---- everything else goes straight to the delegate

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public Descriptor resolve(String repository, String reference) throws AttestException {
    return delegate.resolve(repository, reference);
  }

  @Override
  public boolean hasManifest(String repository, Digest digest) throws AttestException {
    return delegate.hasManifest(repository, digest);
  }

  @Override
  public PushResult pushManifest(String repository, Manifest manifest, PushOptions options) throws AttestException {
    throw new UnsupportedOperationException("verification does not write");
  }

  @Override
  public void tag(String repository, Descriptor manifest, String tag) {
    throw new UnsupportedOperationException("verification does not write");
  }

  @Override
  public void delete(String repository, Digest digest) {
    throw new UnsupportedOperationException("verification does not write");
  }

  @Override
  public List<String> tags(String repository) throws AttestException {
    return delegate.tags(repository);
  }

  @Override
  public boolean hasBlob(String repository, Digest digest) throws AttestException {
    return delegate.hasBlob(repository, digest);
  }

  @Override
  public void pushBlob(String repository, Descriptor blob, BlobSource source) {
    throw new UnsupportedOperationException("verification does not write");
  }

  @Override
  public Descriptor pushBlob(String repository, String mediaType, InputStream data) {
    throw new UnsupportedOperationException("verification does not write");
  }

  @Override
  public boolean mountBlob(String repository, Digest digest, String fromRepository) {
    throw new UnsupportedOperationException("verification does not write");
  }

  /** Does not close the delegate, which belongs to the caller. */
  @Override
  public void close() {}
}
