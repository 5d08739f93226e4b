package dev.attest.registry.internal;

import dev.attest.core.AttestException;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.registry.RegistryException;
import dev.attest.registry.RegistryUnreachableException;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.function.LongConsumer;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The upload part of {@code RemoteRegistry} for a stream of unknown size: hashed on the way, held
 * one buffer at a time, sent in one PUT when it fits in a buffer and in PATCH chunks otherwise. A
 * stream cannot be re-read, so a failed chunk is resent only when the registry says none of it
 * landed.
 */
public final class StreamUploads {
  private static final MediaType OCTET_STREAM = MediaType.get("application/octet-stream");

  private final Endpoint endpoint;
  private final Uploads uploads;
  private final int streamBuffer;

  public StreamUploads(Endpoint endpoint, Uploads uploads, int streamBuffer) {
    this.endpoint = endpoint;
    this.uploads = uploads;
    this.streamBuffer = streamBuffer;
  }

  public Descriptor push(String repository, String mediaType, InputStream data) throws AttestException {
    MessageDigest md = Digest.Algorithm.SHA256.newMessageDigest();
    String what = "uploading a stream to " + repository;
    LongConsumer progress = endpoint.progress(null, -1, true);
    byte[] buf = new byte[streamBuffer];
    HttpUrl url = openSessionRetrying(repository);
    long offset = 0;
    try {
      while (true) {
        int n = data.readNBytes(buf, 0, buf.length);
        md.update(buf, 0, n);
        if (offset == 0 && n < buf.length) {
          // It all fitted in one buffer: a single PUT.
          Digest d = Digest.fromHash(Digest.Algorithm.SHA256, md.digest());
          uploads.finish(url, d, RequestBody.create(buf, OCTET_STREAM, 0, n), what);
          progress.accept(n);
          return Descriptor.of(mediaType, d, n);
        }
        if (n > 0) {
          url = sendBufferedChunk(url, buf, n, offset, what);
          offset += n;
          progress.accept(offset);
        }
        if (n < buf.length) {
          break;
        }
      }
    } catch (IOException e) {
      throw new RegistryException(what + ": reading the stream failed: " + e.getMessage(), e);
    }
    Digest d = Digest.fromHash(Digest.Algorithm.SHA256, md.digest());
    uploads.finish(url, d, RequestBody.create(new byte[0], null), what);
    return Descriptor.of(mediaType, d, offset);
  }

  /**
   * Sends a chunk held in memory. After a failed PATCH the session's offset is asked for ({@code
   * GET} on the upload URL): the chunk is sent again only if none of it landed, and skipped if all
   * of it did; anything else fails.
   */
  private HttpUrl sendBufferedChunk(HttpUrl url, byte[] buf, int n, long offset, String what) throws AttestException {
    Http http = endpoint.http();
    for (int attempt = 1; ; attempt++) {
      Request patch = endpoint.request(url).patch(RequestBody.create(buf, OCTET_STREAM, 0, n))
          .header("Content-Range", offset + "-" + (offset + n - 1)).build();
      try {
        return uploads.sendChunk(patch, offset, n, what);
      } catch (RegistryUnreachableException e) {
        if (attempt > http.retries()) {
          throw e;
        }
        http.pause("PATCH", Http.redact(url), attempt, http.backoff(attempt), e.getMessage());
        Request status = endpoint.request(url).get().build();
        try (Response r = http.send(status, true)) {
          if (r.code() != 204 && r.code() != 200) {
            throw Http.failure(r, what + ": asking the upload offset after a failed chunk");
          }
          String range = r.header("Range", "");
          String end = range.startsWith("bytes=") ? range.substring(6) : range;
          long landed = end.isEmpty() ? -1 : parseRangeEnd(end, r);
          if (landed == offset + n - 1) {
            return endpoint.location(r);
          }
          // distribution answers "0-0" for an empty session; if a byte did land, the final
          // PUT fails on its digest, so guessing "empty" cannot corrupt the blob.
          boolean nothingLanded = landed == offset - 1 || (offset == 0 && landed == 0);
          if (!nothingLanded) {
            throw new RegistryException(what + ": after a failed chunk at " + offset + " the registry holds bytes 0-"
                + landed + "; a stream cannot be re-read, so the upload cannot continue", e);
          }
          if (r.header("Location") != null) {
            url = endpoint.location(r);
          }
        }
      }
    }
  }

  private static long parseRangeEnd(String range, Response r) throws RegistryException {
    int dash = range.indexOf('-');
    try {
      if (dash <= 0 || Long.parseLong(range.substring(0, dash).trim()) != 0) {
        throw new NumberFormatException();
      }
      return Long.parseLong(range.substring(dash + 1).trim());
    } catch (NumberFormatException e) {
      throw new RegistryException(Http.redact(r.request().url()) + ": bad Range header '" + range + "'");
    }
  }

  /** Nothing has been read from the stream yet, so opening a session may be retried. */
  private HttpUrl openSessionRetrying(String repository) throws AttestException {
    Http http = endpoint.http();
    for (int attempt = 1; ; attempt++) {
      try {
        return uploads.openSession(repository);
      } catch (RegistryUnreachableException e) {
        if (attempt > http.retries()) {
          throw e;
        }
        http.pause("POST", repository, attempt, http.backoff(attempt), e.getMessage());
      }
    }
  }
}
