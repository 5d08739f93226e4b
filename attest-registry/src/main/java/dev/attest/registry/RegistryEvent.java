package dev.attest.registry;

import dev.attest.core.Digest;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Something a {@link RemoteRegistry} did, for a {@link RegistryListener}. URLs never carry
 * credentials; headers are not reported.
 */
public sealed interface RegistryEvent {

  /** A request is about to be sent. */
  record RequestSent(String method, String url) implements RegistryEvent {
    /** Checks that every component is present. */
    public RequestSent {
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(url, "url");
    }
  }

  /** A response arrived (its body may still be streaming). */
  record ResponseReceived(String method, String url, int status, Duration elapsed) implements RegistryEvent {
    /** Checks that every component is present. */
    public ResponseReceived {
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(elapsed, "elapsed");
    }
  }

  /**
   * A failed step will be tried again after {@code delay}.
   *
   * @param attempt the attempt that failed, from 1
   * @param reason the status or error that caused the retry
   */
  record Retrying(String method, String url, int attempt, Duration delay, String reason) implements RegistryEvent {
    /** Checks that every component is present. */
    public Retrying {
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(delay, "delay");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * Bytes of a blob moved.
   *
   * @param digest the blob's digest, or null while an upload of unknown content is still hashing
   * @param transferred bytes so far
   * @param total the blob's size, or -1 if unknown
   * @param upload true for a push, false for a fetch
   */
  record BlobProgress(@Nullable Digest digest, long transferred, long total, boolean upload)
      implements RegistryEvent {}
}
