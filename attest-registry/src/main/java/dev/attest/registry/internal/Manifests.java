package dev.attest.registry.internal;

import static dev.attest.registry.internal.Endpoint.ACCEPT_MANIFESTS;
import static dev.attest.registry.internal.Endpoint.checkReference;
import static dev.attest.registry.internal.Endpoint.parseHeaderDigest;
import static dev.attest.registry.internal.Endpoint.stripParameters;

import dev.attest.core.AttestException;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.DigestMismatchException;
import dev.attest.core.Manifest;
import dev.attest.registry.NotFoundException;
import dev.attest.registry.RegistryException;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * The manifest part of {@code RemoteRegistry}: resolve, fetch (verified against the digest asked
 * for, or the one announced for a tag), exact-bytes push, tag and delete.
 */
public final class Manifests {
  /** The answer to a push named the referrers API's {@code OCI-Subject}. */
  public static final int OCI_SUBJECT = 1;
  /** The answer to a push was a 201 whose {@code Docker-Content-Digest} names the digest pushed. */
  public static final int CONFIRMED = 2;

  private final Endpoint endpoint;

  public Manifests(Endpoint endpoint) {
    this.endpoint = endpoint;
  }

  /** A fetched manifest and its {@code ETag}, for a conditional rewrite. */
  public record Fetched(Manifest manifest, @Nullable String etag) {}

  public Descriptor resolve(String repository, String reference) throws AttestException {
    @Nullable Digest asked = checkReference(repository, reference);
    Request head = endpoint.request(endpoint.url(repository, "manifests", reference)).head()
        .header("Accept", ACCEPT_MANIFESTS).build();
    try (Response r = endpoint.http().send(head, true)) {
      if (r.code() == 404) {
        throw new NotFoundException("manifest " + repository + ":" + reference + " not found on " + endpoint.name());
      }
      String digest = r.header("Docker-Content-Digest");
      String type = r.header("Content-Type");
      String length = r.header("Content-Length");
      if (r.code() == 200 && digest != null && type != null && length != null) {
        Digest d = parseHeaderDigest(digest, r);
        if (asked != null && !asked.equals(d)) {
          throw new DigestMismatchException("manifest " + repository + "@" + asked + " (HEAD Docker-Content-Digest)", asked, d);
        }
        long size = Endpoint.parseSize(length, r);
        if (size > Manifest.MAX_BYTES) {
          throw new RegistryException("manifest " + repository + ":" + reference + " is " + size + " bytes, over the limit");
        }
        return Descriptor.of(stripParameters(type), d, size);
      }
    }
    // HEAD gave no usable digest: fetch, which hashes.
    return fetch(repository, reference).manifest().plainDescriptor();
  }

  public Fetched fetch(String repository, String reference) throws AttestException {
    @Nullable Digest asked = checkReference(repository, reference);
    Request get = endpoint.request(endpoint.url(repository, "manifests", reference)).get()
        .header("Accept", ACCEPT_MANIFESTS).build();
    Response r = endpoint.http().send(get, true);
    String what = "manifest " + repository + (asked != null ? "@" : ":") + reference;
    if (r.code() != 200) {
      throw Http.failure(r, "fetching " + what);
    }
    String type = r.header("Content-Type");
    String headerDigest = r.header("Docker-Content-Digest");
    String etag = r.header("ETag");
    byte[] bytes = Http.readBounded(r, Manifest.MAX_BYTES, what);
    Digest expected = asked;
    if (expected == null && headerDigest != null) {
      expected = parseHeaderDigest(headerDigest, r);
    }
    if (expected != null) {
      expected.verify(bytes, what);
    }
    if (asked != null && headerDigest != null && !headerDigest.equals(asked.toString())) {
      // The bytes are what we asked for; a registry naming another digest is confused.
      Digest announced = parseHeaderDigest(headerDigest, r);
      if (announced.algorithm() == asked.algorithm()) {
        throw new DigestMismatchException(what + " (Docker-Content-Digest)", asked, announced);
      }
    }
    return new Fetched(Manifest.parse(bytes, type == null ? null : stripParameters(type)), etag);
  }

  public boolean has(String repository, Digest digest) throws AttestException {
    return endpoint.exists(endpoint.request(endpoint.url(repository, "manifests", digest.toString())).head()
        .header("Accept", ACCEPT_MANIFESTS).build(), "manifest " + repository + "@" + digest);
  }

  /**
   * PUTs exact bytes; returns {@link #OCI_SUBJECT} if the registry answered {@code OCI-Subject},
   * and {@link #CONFIRMED} if it answered 201 with {@code Docker-Content-Digest} naming the digest.
   */
  public int put(String repository, String reference, Manifest manifest) throws AttestException {
    checkReference(repository, reference);
    Request.Builder put = endpoint.request(endpoint.url(repository, "manifests", reference))
        .put(RequestBody.create(manifest.bytes(), MediaType.get(manifest.mediaType())));
    try (Response r = endpoint.http().send(put.build(), true)) {
      if (r.code() != 201 && r.code() != 200 && r.code() != 202) {
        throw Http.failure(r, "pushing manifest " + manifest.digest() + " to " + repository + ":" + reference);
      }
      Endpoint.checkAnnounced(r, manifest.digest(), "pushed manifest " + repository + "@" + manifest.digest());
      boolean confirmed = r.code() == 201 && manifest.digest().toString().equals(r.header("Docker-Content-Digest"));
      return (r.header("OCI-Subject") != null ? OCI_SUBJECT : 0) | (confirmed ? CONFIRMED : 0);
    }
  }

  public void tag(String repository, Descriptor manifest, String tag) throws AttestException {
    if (!Endpoint.TAG.matcher(tag).matches()) {
      throw new IllegalArgumentException("invalid tag '" + tag + "'");
    }
    put(repository, tag, fetch(repository, manifest.digest().toString()).manifest());
  }

  /** Deletes a manifest, or else a blob, by digest. */
  public void delete(String repository, Digest digest) throws AttestException {
    Http http = endpoint.http();
    Request del = endpoint.request(endpoint.url(repository, "manifests", digest.toString())).delete().build();
    Response r = http.send(del, true);
    if (r.code() == 202 || r.code() == 200 || r.code() == 204) {
      r.close();
      return;
    }
    if (r.code() != 404) {
      throw Http.failure(r, "deleting manifest " + repository + "@" + digest);
    }
    r.close();
    try (Response b = http.send(endpoint.request(endpoint.url(repository, "blobs", digest.toString())).delete().build(), true)) {
      if (b.code() == 404) {
        throw new NotFoundException("nothing to delete: neither a manifest nor a blob " + repository + "@" + digest
            + " on " + endpoint.name());
      }
      if (b.code() != 202 && b.code() != 200 && b.code() != 204) {
        throw Http.failure(b, "deleting blob " + repository + "@" + digest);
      }
    }
  }
}
