package dev.attest.registry.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Reads a source on a helper thread, a few buffers ahead of the consumer, so that reading and
 * hashing the source (a {@link dev.attest.core.Digest#verifying verifying} stream over a file, in
 * a layout upload) run on one core while the consumer writes the previous bytes to a socket on
 * the other. Memory is bounded by {@code buffers × bufferSize}, whatever the blob's size.
 *
 * <p>The consumer sees the bytes the source yielded, in order, then its end. A failure of the
 * source is thrown in place of the bytes not yet handed out, and the last buffer of a source is
 * handed out only after the source has ended cleanly: for a verifying source, after its digest
 * and size matched. So a consumer streaming a request body never sends its final bytes (and never
 * completes the request) for a source that fails to verify.
 *
 * <p>{@link #close()} stops the helper and closes the source; it waits for a source read in
 * progress to return (a file read, or a network read bounded by its read timeout).
 */
public final class ReadAheadInputStream extends InputStream {
  /** Reads from the source are at most this long: a heap-array read goes through a native buffer as large. */
  private static final int SLICE = 64 * 1024;

  private static final AtomicInteger THREADS = new AtomicInteger();

  /** A filled buffer, the end ({@code length == -1}), or a failure. */
  private record Chunk(byte @Nullable [] buf, int length, @Nullable Throwable failure) {}

  private final InputStream source;
  private final BlockingQueue<byte[]> free;
  private final BlockingQueue<Chunk> filled;
  private final Thread reader;
  private @Nullable Chunk current;
  private int pos;
  private @Nullable IOException failure;
  private boolean ended;
  private boolean closed;

  /**
   * Starts reading {@code source} at once on a new daemon thread.
   *
   * @param buffers at least 2: one being consumed, the others being filled or queued
   */
  public ReadAheadInputStream(InputStream source, int bufferSize, int buffers) {
    if (bufferSize < 1 || buffers < 2) {
      throw new IllegalArgumentException("need a positive buffer size and at least 2 buffers");
    }
    this.source = source;
    this.free = new ArrayBlockingQueue<>(buffers);
    this.filled = new ArrayBlockingQueue<>(buffers + 1); // never full: the buffers, plus the end or a failure
    for (int i = 0; i < buffers; i++) {
      free.add(new byte[bufferSize]);
    }
    this.reader = new Thread(this::readAll, "attest-read-ahead-" + THREADS.incrementAndGet());
    reader.setDaemon(true);
    reader.start();
  }

  private void readAll() {
    // A filled buffer is handed out only once the next read has returned bytes or a clean end,
    // so the last bytes of a source that fails at its end (a digest mismatch) are never handed
    // out: a consumer sending them cannot complete its request with bytes that did not verify.
    @Nullable Chunk held = null;
    try (source) {
      while (true) {
        byte[] buf = free.take();
        int n = 0;
        Throwable failed = null;
        boolean end = false;
        try {
          while (n < buf.length) {
            int r = source.read(buf, n, Math.min(SLICE, buf.length - n));
            if (r < 0) {
              end = true;
              break;
            }
            n += r;
          }
        } catch (IOException | RuntimeException e) {
          failed = e;
        }
        if (failed != null) {
          filled.put(new Chunk(null, 0, failed)); // in place of the held and the partial bytes
          return;
        }
        if (n > 0) {
          if (held != null) {
            filled.put(held);
          }
          held = new Chunk(buf, n, null);
        } else {
          free.add(buf);
        }
        if (end) {
          if (held != null) {
            filled.put(held);
          }
          filled.put(new Chunk(null, -1, null));
          return;
        }
      }
    } catch (InterruptedException e) {
      // closed by the consumer
    } catch (IOException e) {
      // closing the source failed after its clean end: the consumer has everything it needs
    } catch (Error e) {
      filled.offer(new Chunk(null, 0, e));
      throw e;
    }
  }

  /** The chunk being consumed, taking the next one if needed; null at the end. */
  private @Nullable Chunk chunk() throws IOException {
    if (closed) {
      throw new IOException("stream closed");
    }
    if (failure != null) {
      throw failure;
    }
    if (ended) {
      return null;
    }
    Chunk c = current;
    if (c != null && pos < c.length()) {
      return c;
    }
    if (c != null) {
      free.add(c.buf()); // cannot overflow: there are only as many buffers as its capacity
      current = null;
    }
    try {
      c = filled.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the blob source");
    }
    Throwable t = c.failure();
    if (t != null) {
      failure = t instanceof IOException io ? io : new IOException(t.getMessage(), t);
      if (t instanceof Error err) {
        throw err;
      }
      throw failure;
    }
    if (c.length() < 0) {
      ended = true;
      return null;
    }
    current = c;
    pos = 0;
    return c;
  }

  @Override
  public int read() throws IOException {
    Chunk c = chunk();
    if (c == null) {
      return -1;
    }
    return c.buf()[pos++] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    return transfer(len, (buf, from, n) -> System.arraycopy(buf, from, b, off, n));
  }

  /** Receives bytes straight from a read-ahead buffer, valid only during the call. */
  @FunctionalInterface
  public interface ByteSink {
    void write(byte[] b, int off, int len) throws IOException;
  }

  /**
   * Hands the next bytes, at most {@code max}, to {@code sink} from the buffer they were read
   * into (no copy), like a {@link #read(byte[], int, int)} of them.
   *
   * @return how many bytes were handed over, or -1 at the end
   */
  public int transfer(int max, ByteSink sink) throws IOException {
    if (max <= 0) {
      return 0;
    }
    Chunk c = chunk();
    if (c == null) {
      return -1;
    }
    int n = Math.min(max, c.length() - pos);
    sink.write(c.buf(), pos, n);
    pos += n;
    return n;
  }

  @Override
  public int available() {
    Chunk c = current;
    return closed || failure != null || c == null ? 0 : c.length() - pos;
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    reader.interrupt();
    boolean interrupted = false;
    while (true) {
      try {
        reader.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
