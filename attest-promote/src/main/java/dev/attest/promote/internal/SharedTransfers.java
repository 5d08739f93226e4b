package dev.attest.promote.internal;

import dev.attest.core.Digest;
import dev.attest.registry.Registry;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.jspecify.annotations.Nullable;

/**
 * What the promotions of one fleet share: a bound on the blob transfers streaming at once (so
 * memory is bounded by buffers however many promotions run), and which blob each destination
 * registry has received or is receiving from one of them, in which repository, so that the others
 * mount it there instead of copying it again (a base layer shared by the whole fleet is copied
 * once).
 */
public final class SharedTransfers {
  private final Semaphore permits;
  private final Map<Key, CompletableFuture<String>> blobs = new ConcurrentHashMap<>();

  /** A blob in one destination registry; registry clients compare by identity. */
  private record Key(Registry registry, Digest digest) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.registry == registry && k.digest.equals(digest);
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(registry) * 31 + digest.hashCode();
    }
  }

  public SharedTransfers(int transfers) {
    if (transfers < 1) {
      throw new IllegalArgumentException("transfers must be >= 1: " + transfers);
    }
    this.permits = new Semaphore(transfers, true);
  }

  /**
   * Claims the copy of {@code digest} into {@code registry}: null if the caller is the first and
   * must copy it, then report with {@link #copied} or {@link #failed}; otherwise the repository
   * (when it completes) where another promotion copied it.
   */
  @Nullable CompletableFuture<String> claim(Registry registry, Digest digest, CompletableFuture<String> mine) {
    return blobs.putIfAbsent(new Key(registry, digest), mine);
  }

  void copied(CompletableFuture<String> mine, String repository) {
    mine.complete(repository);
  }

  /** The copy failed: the next promotion needing the blob copies it itself. */
  void failed(Registry registry, Digest digest, CompletableFuture<String> mine, Throwable cause) {
    blobs.remove(new Key(registry, digest), mine);
    mine.completeExceptionally(cause);
  }

  void acquire() throws InterruptedException {
    permits.acquire();
  }

  void release() {
    permits.release();
  }
}
