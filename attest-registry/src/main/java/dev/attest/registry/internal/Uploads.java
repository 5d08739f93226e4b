package dev.attest.registry.internal;

import dev.attest.core.AttestException;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.DigestMismatchException;
import dev.attest.core.VerifyingInputStream;
import dev.attest.registry.BlobSource;
import dev.attest.registry.NotFoundException;
import dev.attest.registry.RegistryException;
import dev.attest.registry.RegistryUnreachableException;
import dev.attest.registry.UnauthorizedException;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongConsumer;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * The upload part of {@code RemoteRegistry} for blobs of known digest and size: sessions, one
 * streamed PUT or PATCH chunks, the final {@code PUT ?digest=} whose answer is the registry's check
 * of the bytes, and a restart from a new session when a step leaves the registry's state unknown.
 * Large sources are read ahead on a helper thread (see {@link ReadAheadInputStream}).
 */
public final class Uploads {
  /** Blobs from this size on are read ahead (a thread each); smaller ones are not worth it. */
  public static final long READ_AHEAD_MIN = 4L << 20;
  /** 4 × 256 KiB: 1 MiB of memory per large upload. */
  private static final int READ_AHEAD_BUFFER = 256 * 1024;
  private static final int READ_AHEAD_BUFFERS = 4;

  private final Endpoint endpoint;
  private final long chunkSize;
  private final long monolithicLimit;

  public Uploads(Endpoint endpoint, long chunkSize, long monolithicLimit) {
    this.endpoint = endpoint;
    this.chunkSize = chunkSize;
    this.monolithicLimit = monolithicLimit;
  }

  /**
   * Uploads through {@code session} (or a new one), restarting from a new session and the start
   * of the source when a step fails in a way that leaves the registry's state unknown.
   */
  public void upload(String repository, Descriptor blob, BlobSource source, @Nullable HttpUrl session)
      throws AttestException {
    Http http = endpoint.http();
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
        if (endpoint.exists(endpoint.request(endpoint.url(repository, "blobs", blob.digest().toString())).head().build(),
            "blob " + repository + "@" + blob.digest())) {
          return;
        }
        http.pause("PUT", repository + "@" + blob.digest(), attempt, http.backoff(attempt),
            "restarting upload: " + e.getMessage());
      }
    }
  }

  /** POSTs for a new upload session; its Location. */
  public HttpUrl openSession(String repository) throws AttestException {
    Request post = endpoint.request(endpoint.url(repository, "blobs", "uploads", ""))
        .post(RequestBody.create(new byte[0], null)).build();
    try (Response r = endpoint.http().send(post, false)) {
      if (r.code() != 202) {
        throw Http.failure(r, "opening an upload session in " + repository);
      }
      return endpoint.location(r);
    }
  }

  private void uploadOnce(HttpUrl session, Descriptor blob, BlobSource source) throws AttestException {
    String what = "uploading blob " + blob.digest();
    LongConsumer progress = endpoint.progress(blob.digest(), blob.size(), true);
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
          Request patch = endpoint.request(url)
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
  public HttpUrl sendChunk(Request patch, long offset, long len, String what) throws AttestException {
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
      return endpoint.location(r);
    }
  }

  /** The final {@code PUT ?digest=}: the registry refuses it unless the bytes hash to the digest. */
  public void finish(HttpUrl session, Digest digest, RequestBody body, String what) throws AttestException {
    HttpUrl url = session.newBuilder().addQueryParameter("digest", digest.toString()).build();
    try (Response r = sendBody(endpoint.request(url).put(body).build(), what)) {
      if (r.code() != 201 && r.code() != 200 && r.code() != 204) {
        throw uploadFailure(r, what);
      }
      Endpoint.checkAnnounced(r, digest, what);
    }
  }

  /** Sends an upload step once; a source whose bytes do not match is a digest mismatch, not a retry. */
  private Response sendBody(Request request, String what) throws AttestException {
    try {
      return endpoint.http().send(request, false);
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
}
