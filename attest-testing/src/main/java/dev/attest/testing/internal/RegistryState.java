package dev.attest.testing.internal;

import dev.attest.core.AttestException;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.ImageIndex;
import dev.attest.core.ImageManifest;
import dev.attest.core.Manifest;
import dev.attest.core.MediaTypes;
import dev.attest.core.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Repositories, their blob links, manifests and tags. Metadata lives in memory under one lock;
 * blob bytes live in the {@link BlobStore} and are streamed outside the lock.
 */
public final class RegistryState {
  /** Repository names, per the distribution spec's grammar. */
  public static final Pattern NAME =
      Pattern.compile("[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*)*");

  public static final Pattern TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");

  private final BlobStore store;
  private final TreeMap<String, Repo> repos = new TreeMap<>();

  private static final class Repo {
    final Set<Digest> blobs = new HashSet<>();
    final Map<Digest, Manifest> manifests = new LinkedHashMap<>();
    final TreeMap<String, Digest> tags = new TreeMap<>();
  }

  public RegistryState(BlobStore store) {
    this.store = store;
  }

  public BlobStore store() {
    return store;
  }

  /** The size of a blob linked into {@code repo}, or -1. */
  public synchronized long blobSize(String repo, Digest digest) {
    Repo r = repos.get(repo);
    return r != null && r.blobs.contains(digest) ? store.size(digest) : -1;
  }

  public synchronized boolean repoExists(String repo) {
    return repos.containsKey(repo);
  }

  /** Links a stored blob into {@code repo}. */
  public synchronized void linkBlob(String repo, Digest digest) {
    repos.computeIfAbsent(repo, k -> new Repo()).blobs.add(digest);
  }

  /** Stores and links {@code bytes}. */
  public Descriptor putBlob(String repo, String mediaType, byte[] bytes) throws IOException {
    Descriptor d = Descriptor.ofBytes(mediaType, bytes);
    if (store.size(d.digest()) != d.size()) {
      store.put(d.digest(), bytes);
    }
    linkBlob(repo, d.digest());
    return d;
  }

  /** Unlinks a blob, and drops its bytes once no repository links it. */
  public void deleteBlob(String repo, Digest digest) throws ApiError, IOException {
    synchronized (this) {
      Repo r = repos.get(repo);
      if (r == null || !r.blobs.remove(digest)) {
        throw ApiError.blobUnknown(digest.toString());
      }
      for (Repo other : repos.values()) {
        if (other.blobs.contains(digest)) {
          return;
        }
      }
    }
    store.delete(digest);
  }

  /** Cross-repository mount: links a blob of {@code from} into {@code repo} if it is there. */
  public synchronized boolean mount(String repo, Digest digest, String from) {
    Repo source = repos.get(from);
    if (source == null || !source.blobs.contains(digest) || store.size(digest) < 0) {
      return false;
    }
    linkBlob(repo, digest);
    return true;
  }

  /** The manifest {@code reference} (a tag or a digest) names in {@code repo}. */
  public synchronized Manifest manifest(String repo, String reference) throws ApiError {
    Repo r = repos.get(repo);
    if (r == null) {
      throw ApiError.nameUnknown(repo);
    }
    Digest digest = isDigest(reference) ? parseDigest(reference) : r.tags.get(reference);
    Manifest m = digest == null ? null : r.manifests.get(digest);
    if (m == null) {
      throw ApiError.manifestUnknown(reference);
    }
    return m;
  }

  /**
   * Validates and stores a manifest, as {@code PUT /v2/<name>/manifests/<reference>}.
   *
   * @param ifMatch the {@code If-Match} header, honoured for tag references
   * @param ifNoneMatch the {@code If-None-Match} header; {@code *} means create only
   */
  public Manifest putManifest(
      String repo, String reference, byte[] body, @Nullable String contentType,
      @Nullable String ifMatch, @Nullable String ifNoneMatch) throws ApiError {
    if (body.length > Manifest.MAX_BYTES) {
      throw ApiError.manifestInvalid("manifest is over the " + Manifest.MAX_BYTES + " byte limit");
    }
    Manifest m;
    try {
      m = Manifest.parse(body, contentType);
    } catch (AttestException e) {
      throw ApiError.manifestInvalid(e.getMessage());
    }
    String ct = contentType == null ? null : contentType.split(";", 2)[0].trim();
    String field = mediaTypeField(body);
    if (ct == null || ct.isEmpty()) {
      throw ApiError.manifestInvalid("a manifest PUT needs a Content-Type");
    }
    if (field != null && !field.equals(ct)) {
      throw ApiError.manifestInvalid(
          "Content-Type '" + ct + "' does not match the manifest's mediaType '" + field + "'");
    }
    if (field == null && !MediaTypes.isManifest(ct)) {
      throw ApiError.manifestInvalid("Content-Type '" + ct + "' is not a manifest media type");
    }
    Digest key = m.digest();
    boolean byDigest = isDigest(reference);
    if (byDigest) {
      Digest ref = parseDigest(reference);
      if (!ref.matches(body)) {
        throw ApiError.digestInvalid(
            "manifest hashes to " + Digest.of(ref.algorithm(), body) + ", not to the reference " + ref);
      }
      key = ref;
    } else if (!TAG.matcher(reference).matches()) {
      throw new ApiError(400, "TAG_INVALID", "invalid tag", reference);
    }
    synchronized (this) {
      Repo r = repos.get(repo);
      checkReferences(r, m);
      if (!byDigest) {
        Digest current = r == null ? null : r.tags.get(reference);
        checkPreconditions(reference, current, ifMatch, ifNoneMatch);
      }
      if (r == null) {
        r = new Repo();
        repos.put(repo, r);
      }
      r.manifests.put(key, m);
      if (!byDigest) {
        r.tags.put(reference, key);
      }
    }
    return m;
  }

  private static void checkPreconditions(
      String tag, @Nullable Digest current, @Nullable String ifMatch, @Nullable String ifNoneMatch)
      throws ApiError {
    if (ifMatch != null) {
      boolean ok = current != null && (ifMatch.trim().equals("*") || etagList(ifMatch).contains(current.toString()));
      if (!ok) {
        throw new ApiError(412, "DENIED",
            "If-Match failed: tag " + tag + " is " + (current == null ? "absent" : "at " + current), ifMatch);
      }
    }
    if (ifNoneMatch != null && current != null
        && (ifNoneMatch.trim().equals("*") || etagList(ifNoneMatch).contains(current.toString()))) {
      throw new ApiError(412, "DENIED", "If-None-Match failed: tag " + tag + " is at " + current, ifNoneMatch);
    }
  }

  private static List<String> etagList(String header) {
    List<String> out = new ArrayList<>();
    for (String part : header.split(",")) {
      String t = part.trim();
      if (t.startsWith("W/")) {
        t = t.substring(2);
      }
      if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) {
        t = t.substring(1, t.length() - 1);
      }
      out.add(t);
    }
    return out;
  }

  private void checkReferences(@Nullable Repo r, Manifest m) throws ApiError {
    if (m instanceof ImageManifest im) {
      List<Descriptor> blobs = new ArrayList<>();
      blobs.add(im.config());
      blobs.addAll(im.layers());
      for (Descriptor d : blobs) {
        if (!d.urls().isEmpty()) {
          continue; // foreign layers live elsewhere, as distribution allows
        }
        long size = r != null && r.blobs.contains(d.digest()) ? store.size(d.digest()) : -1;
        if (size < 0) {
          throw new ApiError(400, "MANIFEST_BLOB_UNKNOWN", "blob unknown to registry", d.digest().toString());
        }
        if (size != d.size()) {
          throw ApiError.manifestInvalid(
              "descriptor of " + d.digest() + " says " + d.size() + " bytes, the blob is " + size);
        }
      }
    } else if (m instanceof ImageIndex ix) {
      for (Descriptor d : ix.manifests()) {
        if (r == null || !r.manifests.containsKey(d.digest())) {
          throw new ApiError(400, "MANIFEST_UNKNOWN", "manifest unknown", d.digest().toString());
        }
      }
    }
  }

  /** Deletes a manifest by digest, and every tag pointing at it. */
  public synchronized void deleteManifest(String repo, Digest digest) throws ApiError {
    Repo r = repos.get(repo);
    if (r == null) {
      throw ApiError.nameUnknown(repo);
    }
    if (r.manifests.remove(digest) == null) {
      throw ApiError.manifestUnknown(digest.toString());
    }
    r.tags.values().removeIf(digest::equals);
  }

  /** Tags in lexical order, after {@code last}. */
  public synchronized List<String> tags(String repo, @Nullable String last) throws ApiError {
    Repo r = repos.get(repo);
    if (r == null) {
      throw ApiError.nameUnknown(repo);
    }
    return List.copyOf(last == null ? r.tags.keySet() : r.tags.tailMap(last, false).keySet());
  }

  /** Repository names in lexical order, after {@code last}. */
  public synchronized List<String> repositories(@Nullable String last) {
    return List.copyOf(last == null ? repos.keySet() : repos.tailMap(last, false).keySet());
  }

  /** Descriptors of every manifest in {@code repo} whose subject is {@code subject}. */
  public synchronized List<Descriptor> referrers(String repo, Digest subject, @Nullable String artifactType) {
    Repo r = repos.get(repo);
    List<Descriptor> out = new ArrayList<>();
    if (r == null) {
      return out;
    }
    Map<Digest, Boolean> seen = new HashMap<>();
    for (Map.Entry<Digest, Manifest> e : r.manifests.entrySet()) {
      Manifest m = e.getValue();
      Optional<Descriptor> s = m.subject();
      if (s.isPresent() && s.get().digest().equals(subject) && seen.put(e.getKey(), true) == null) {
        Descriptor d = m.descriptor();
        if (artifactType == null || artifactType.equals(d.artifactType())) {
          out.add(d);
        }
      }
    }
    return out;
  }

  public static boolean isDigest(String reference) {
    return reference.indexOf(':') > 0;
  }

  static Digest parseDigest(String text) throws ApiError {
    try {
      return Digest.parse(text);
    } catch (IllegalArgumentException e) {
      throw ApiError.digestInvalid(e.getMessage());
    }
  }

  private static @Nullable String mediaTypeField(byte[] body) {
    try {
      JsonNode n = Json.read(body).get("mediaType");
      return n != null && n.isTextual() ? n.textValue() : null;
    } catch (IOException e) {
      return null;
    }
  }
}
