package dev.attest.registry.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongConsumer;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okio.BufferedSink;

/**
 * A request body that copies exactly {@code length} bytes (or everything, when -1) from a stream
 * as OkHttp writes it, so memory stays bounded by one buffer whatever the blob's size. It can be
 * written once: the stream does not rewind.
 */
public final class StreamBody extends RequestBody {
  private static final MediaType OCTET_STREAM = MediaType.get("application/octet-stream");
  static final int BUFFER = 64 * 1024;

  private final InputStream in;
  private final long length;
  private final LongConsumer progress;
  private boolean written;

  public StreamBody(InputStream in, long length, LongConsumer progress) {
    this.in = in;
    this.length = length;
    this.progress = progress;
  }

  @Override
  public MediaType contentType() {
    return OCTET_STREAM;
  }

  @Override
  public long contentLength() {
    return length;
  }

  @Override
  public boolean isOneShot() {
    return true;
  }

  @Override
  public void writeTo(BufferedSink sink) throws IOException {
    if (written) {
      throw new IOException("a streamed blob body cannot be sent twice");
    }
    written = true;
    // From the read-ahead buffers straight into okio (one copy fewer per byte), or through our
    // buffer. Either way at most BUFFER bytes per write: okio takes its segments for a write from
    // a per-thread pool that holds 64 KiB, so larger writes allocate (and discard) segments.
    Step step;
    if (in instanceof ReadAheadInputStream ahead) {
      step = max -> ahead.transfer(max, sink::write);
    } else {
      byte[] buf = new byte[BUFFER];
      step = max -> {
        int n = in.read(buf, 0, max);
        if (n > 0) {
          sink.write(buf, 0, n);
        }
        return n;
      };
    }
    long left = length;
    while (length < 0 || left > 0) {
      int n = step.next(length < 0 ? BUFFER : (int) Math.min(BUFFER, left));
      if (n == -1) {
        if (length >= 0) {
          throw new IOException("blob source ended " + left + " bytes early");
        }
        break;
      }
      left -= n;
      progress.accept(n);
    }
  }

  /** Moves the next bytes, at most {@code max}, into the sink; -1 at the end. */
  @FunctionalInterface
  private interface Step {
    int next(int max) throws IOException;
  }
}
