package dev.attest.registry.internal;

import dev.attest.core.AttestException;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.DigestMismatchException;
import dev.attest.registry.BlobSource;
import dev.attest.registry.RegistryException;
import java.io.InputStream;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongConsumer;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * The blob part of {@code RemoteRegistry}: existence, verified and resumable reads (ADR 0015),
 * pushes through {@link Uploads}, cross-repository mounts, and where this client last saw each
 * blob, to mount it from there.
 */
public final class Blobs {
  /** How many blob locations a client remembers for cross-repository mounts. */
  public static final int MAX_BLOB_LOCATIONS = 4096;

  private final Endpoint endpoint;
  private final Uploads uploads;

  /**
   * Where this client last saw each blob in this registry (pushed, mounted or found), so that a
   * push of the same blob to another repository can be a cross-repository mount; bounded, LRU.
   */
  private final Map<Digest, String> locations = Collections.synchronizedMap(
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Digest, String> eldest) {
          return size() > MAX_BLOB_LOCATIONS;
        }
      });

  public Blobs(Endpoint endpoint, Uploads uploads) {
    this.endpoint = endpoint;
    this.uploads = uploads;
  }

  public boolean has(String repository, Digest digest) throws AttestException {
    boolean found = endpoint.exists(endpoint.request(endpoint.url(repository, "blobs", digest.toString())).head().build(),
        "blob " + repository + "@" + digest);
    if (found) {
      locations.put(digest, repository);
    }
    return found;
  }

  /** Only the last {@value #MAX_BLOB_LOCATIONS} blobs are remembered; a mount from there can still be refused. */
  public Optional<String> knownRepository(Digest digest) {
    return Optional.ofNullable(locations.get(Objects.requireNonNull(digest, "digest")));
  }

  /** A verifying stream that resumes with a range request where the connection breaks. */
  public InputStream fetch(String repository, Descriptor blob) throws AttestException {
    Request get = endpoint.request(endpoint.url(repository, "blobs", blob.digest().toString())).get()
        .header("Accept-Encoding", "identity").build();
    Http http = endpoint.http();
    Response r = http.send(get, true);
    if (r.code() != 200) {
      throw Http.failure(r, "fetching blob " + repository + "@" + blob.digest());
    }
    long declared = r.body().contentLength();
    if (declared >= 0 && declared != blob.size()) {
      r.close();
      throw DigestMismatchException.size("blob " + repository + "@" + blob.digest() + " (Content-Length)",
          blob.digest(), blob.size(), declared);
    }
    LongConsumer progress = endpoint.progress(blob.digest(), blob.size(), false);
    return blob.digest().verifying(new ResumingBlobStream(http, get, r, http.retries(), progress), blob.size());
  }

  public void push(String repository, Descriptor blob, BlobSource source) throws AttestException {
    Objects.requireNonNull(source, "source");
    if (!has(repository, blob.digest())) {
      upload(repository, blob, source);
    }
  }

  /** Uploads without asking first; the registry's answer to the final PUT confirms it. */
  public void upload(String repository, Descriptor blob, BlobSource source) throws AttestException {
    Objects.requireNonNull(source, "source");
    Endpoint.checkRepository(repository);
    uploads.upload(repository, blob, source, null);
    locations.put(blob.digest(), repository);
  }

  /** Mounts, or uploads through the session the registry opened when it could not (202). */
  public void mountOrPush(String repository, Descriptor blob, String fromRepository, BlobSource source)
      throws AttestException {
    if (has(repository, blob.digest())) {
      return;
    }
    HttpUrl session = mount(repository, blob.digest(), fromRepository);
    if (session != null) {
      uploads.upload(repository, blob, source, session);
    }
    locations.put(blob.digest(), repository);
  }

  public boolean mountBlob(String repository, Digest digest, String fromRepository) throws AttestException {
    HttpUrl session = mount(repository, digest, fromRepository);
    if (session == null) {
      locations.put(digest, repository);
      return true;
    }
    // Close the session the registry opened; the caller uploads through a fresh one.
    try (Response ignored = endpoint.http().send(endpoint.request(session).delete().build(), false)) {
      // best effort
    } catch (RegistryException e) {
      // an abandoned session expires on its own
    }
    return false;
  }

  /** Null when mounted (201), else the upload session the registry opened (202). */
  private @Nullable HttpUrl mount(String repository, Digest digest, String fromRepository) throws AttestException {
    Endpoint.checkRepository(fromRepository);
    HttpUrl url = endpoint.url(repository, "blobs", "uploads", "").newBuilder()
        .addQueryParameter("mount", digest.toString()).addQueryParameter("from", fromRepository).build();
    try (Response r = endpoint.http().send(endpoint.request(url).post(RequestBody.create(new byte[0], null)).build(), true)) {
      if (r.code() == 201) {
        return null;
      }
      if (r.code() == 202) {
        return endpoint.location(r);
      }
      throw Http.failure(r, "mounting " + digest + " from " + fromRepository + " into " + repository);
    }
  }
}
