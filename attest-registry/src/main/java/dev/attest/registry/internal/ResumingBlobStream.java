package dev.attest.registry.internal;

import dev.attest.registry.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongConsumer;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The body of a blob GET that, when the connection breaks mid-stream, asks again for the rest
 * with {@code Range: bytes=<offset>-} (a bounded number of times) and carries on. It does not
 * verify: the caller wraps it in {@link dev.attest.core.Digest#verifying}, so that resumed bytes
 * are hashed like the others.
 */
public final class ResumingBlobStream extends InputStream {
  private final Http http;
  private final Request request;
  private final int maxResumes;
  private final LongConsumer progress;
  private Response response;
  private InputStream in;
  private long position;
  private int resumes;
  private boolean closed;

  public ResumingBlobStream(Http http, Request request, Response first, int maxResumes, LongConsumer progress) {
    this.http = http;
    this.request = request;
    this.response = first;
    this.in = first.body().byteStream();
    this.maxResumes = maxResumes;
    this.progress = progress;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n == -1 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (closed) {
      throw new IOException("stream closed");
    }
    while (true) {
      try {
        int n = in.read(b, off, len);
        if (n > 0) {
          position += n;
          progress.accept(position);
        }
        return n;
      } catch (IOException e) {
        if (resumes >= maxResumes) {
          throw new IOException(
              "blob download broke at byte " + position + " after " + resumes + " resumptions: " + Http.describe(e), e);
        }
        resumes++;
        resume(e);
      }
    }
  }

  private void resume(IOException cause) throws IOException {
    response.close();
    Request ranged = request.newBuilder().header("Range", "bytes=" + position + "-").build();
    Response next;
    try {
      http.pause(request.method(), Http.redact(request.url()), resumes, http.backoff(resumes), Http.describe(cause));
      next = http.send(ranged, true);
    } catch (RegistryException e) {
      throw new IOException("resuming the blob download at byte " + position + " failed: " + e.getMessage(), e);
    }
    int code = next.code();
    if (code == 206) {
      String range = next.header("Content-Range", "");
      if (!range.startsWith("bytes " + position + "-")) {
        next.close();
        throw new IOException("resuming at byte " + position + ": the registry answered Content-Range '" + range + "'");
      }
      response = next;
      in = next.body().byteStream();
    } else if (code == 200) {
      // No range support: read again from the start and drop what was already passed on.
      response = next;
      in = next.body().byteStream();
      long skip = position;
      byte[] buf = new byte[StreamBody.BUFFER];
      while (skip > 0) {
        int n = in.read(buf, 0, (int) Math.min(buf.length, skip));
        if (n == -1) {
          throw new IOException("the blob ended before byte " + position + " when fetched again");
        }
        skip -= n;
      }
    } else {
      RegistryException f = Http.failure(next, "resuming blob download");
      throw new IOException(f.getMessage(), f);
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      response.close();
    }
  }
}
