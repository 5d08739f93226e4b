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
    if (in instanceof ReadAheadInputStream ahead) {
      writeFrom(ahead, sink);
      return;
    }
    byte[] buf = new byte[BUFFER];
    long left = length;
    while (length < 0 || left > 0) {
      int n = in.read(buf, 0, length < 0 ? buf.length : (int) Math.min(buf.length, left));
      if (n == -1) {
        if (length >= 0) {
          throw new IOException("blob source ended " + left + " bytes early");
        }
        break;
      }
      sink.write(buf, 0, n);
      left -= n;
      progress.accept(n);
    }
  }

  /**
   * The same, but straight from the read-ahead buffers: one copy fewer per byte. Still at most
   * {@link #BUFFER} bytes per write: okio takes its segments for a write from a per-thread pool
   * that holds 64 KiB, so larger writes allocate (and discard) segments, 8 KiB at a time.
   */
  private void writeFrom(ReadAheadInputStream ahead, BufferedSink sink) throws IOException {
    long left = length;
    while (length < 0 || left > 0) {
      int n = ahead.transfer(length < 0 ? BUFFER : (int) Math.min(BUFFER, left), sink::write);
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
}
