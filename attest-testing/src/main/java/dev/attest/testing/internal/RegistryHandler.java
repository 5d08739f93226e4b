package dev.attest.testing.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.attest.core.BoundedReads;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.ImageIndex;
import dev.attest.core.Manifest;
import dev.attest.core.MediaTypes;
import dev.attest.core.Json;
import dev.attest.core.TooLargeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Routes the OCI distribution API onto {@link RegistryState}.
 *
 * @see <a href="https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md">OCI
 *     distribution spec 1.1</a>
 */
public final class RegistryHandler implements HttpHandler {
  private static final String NAME = RegistryState.NAME.pattern();
  private static final Pattern MANIFEST = Pattern.compile("/v2/(" + NAME + ")/manifests/([^/]+)");
  private static final Pattern UPLOADS = Pattern.compile("/v2/(" + NAME + ")/blobs/uploads/?");
  private static final Pattern UPLOAD = Pattern.compile("/v2/(" + NAME + ")/blobs/uploads/([0-9a-f-]{36})");
  private static final Pattern BLOB = Pattern.compile("/v2/(" + NAME + ")/blobs/([^/]+)");
  private static final Pattern TAGS = Pattern.compile("/v2/(" + NAME + ")/tags/list");
  private static final Pattern REFERRERS = Pattern.compile("/v2/(" + NAME + ")/referrers/([^/]+)");
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");
  private static final Pattern CONTENT_RANGE = Pattern.compile("(?:bytes )?(\\d+)-(\\d+)(?:/\\S+)?");

  /** Upload sessions open at once; more are refused so that abandoned ones cannot pile up. */
  private static final int MAX_UPLOADS = 1024;

  /** Page size cap for tag and catalog listings. */
  private static final int MAX_PAGE = 1000;

  private final RegistryState state;
  private final GuardedExecutor executor;
  private final boolean referrersApi;
  private final long maxBlobSize;
  private final ConcurrentMap<String, Session> uploads = new ConcurrentHashMap<>();

  private record Session(String repo, BlobStore.Upload upload) {}

  public RegistryHandler(RegistryState state, boolean referrersApi, long maxBlobSize, GuardedExecutor executor) {
    this.executor = executor;
    this.state = state;
    this.referrersApi = referrersApi;
    this.maxBlobSize = maxBlobSize;
  }

  /** Drops every open upload. */
  public void cancelUploads() {
    uploads.values().forEach(s -> s.upload().cancel());
    uploads.clear();
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    if (!executor.enterHandler()) {
      ex.close();
      return;
    }
    try (ex) {
      ex.getResponseHeaders().set("Docker-Distribution-API-Version", "registry/2.0");
      try {
        route(ex);
      } catch (ApiError e) {
        error(ex, e);
      } catch (TooLargeException e) {
        error(ex, new ApiError(413, "SIZE_INVALID", e.getMessage()));
      } catch (RuntimeException e) {
        // A bug: answer 500 rather than hang up, if the status line has not gone out yet.
        error(ex, new ApiError(500, "UNKNOWN", "internal error: " + e));
      }
    } catch (IOException | RuntimeException e) {
      // The client went away or the handler failed after the status line; nothing left to tell.
    }
  }

  private void route(HttpExchange ex) throws IOException, ApiError, TooLargeException {
    String path = ex.getRequestURI().getRawPath();
    String method = ex.getRequestMethod();
    Matcher m;
    if (path.equals("/v2/") || path.equals("/v2")) {
      requireMethod(method, "GET", "HEAD");
      json(ex, 200, Json.MAPPER.createObjectNode());
    } else if (path.equals("/v2/_catalog")) {
      requireMethod(method, "GET");
      catalog(ex);
    } else if ((m = TAGS.matcher(path)).matches()) {
      requireMethod(method, "GET");
      tags(ex, m.group(1));
    } else if ((m = MANIFEST.matcher(path)).matches()) {
      manifest(ex, method, m.group(1), m.group(2));
    } else if ((m = UPLOADS.matcher(path)).matches()) {
      requireMethod(method, "POST");
      startUpload(ex, m.group(1));
    } else if ((m = UPLOAD.matcher(path)).matches()) {
      upload(ex, method, m.group(1), m.group(2));
    } else if ((m = BLOB.matcher(path)).matches()) {
      blob(ex, method, m.group(1), m.group(2));
    } else if (referrersApi && (m = REFERRERS.matcher(path)).matches()) {
      requireMethod(method, "GET");
      referrers(ex, m.group(1), m.group(2));
    } else {
      // What Go's mux answers, and so what registry 2.8.2 answers for the referrers API.
      byte[] body = "404 page not found\n".getBytes(StandardCharsets.US_ASCII);
      ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      send(ex, 404, body);
    }
  }

  private static void requireMethod(String method, String... allowed) throws ApiError {
    for (String a : allowed) {
      if (a.equals(method)) {
        return;
      }
    }
    throw ApiError.unsupported("method " + method + " is not allowed here");
  }

  // ---- manifests

  private void manifest(HttpExchange ex, String method, String repo, String reference)
      throws IOException, ApiError {
    switch (method) {
      case "GET", "HEAD" -> {
        Manifest mf = state.manifest(repo, reference);
        byte[] bytes = mf.bytes();
        Digest digest = RegistryState.isDigest(reference) ? RegistryState.parseDigest(reference) : mf.digest();
        Headers h = ex.getResponseHeaders();
        h.set("Content-Type", mf.mediaType());
        h.set("Docker-Content-Digest", digest.toString());
        h.set("ETag", "\"" + digest + "\"");
        sendBytesOrHead(ex, 200, bytes);
      }
      case "PUT" -> {
        byte[] body = readBounded(ex.getRequestBody(), Manifest.MAX_BYTES);
        Headers rq = ex.getRequestHeaders();
        Manifest mf = state.putManifest(
            repo, reference, body, rq.getFirst("Content-Type"), rq.getFirst("If-Match"), rq.getFirst("If-None-Match"));
        Digest digest = RegistryState.isDigest(reference) ? RegistryState.parseDigest(reference) : mf.digest();
        Headers h = ex.getResponseHeaders();
        h.set("Location", "/v2/" + repo + "/manifests/" + digest);
        h.set("Docker-Content-Digest", digest.toString());
        if (referrersApi && mf.subject().isPresent()) {
          h.set("OCI-Subject", mf.subject().get().digest().toString());
        }
        send(ex, 201, null);
      }
      case "DELETE" -> {
        if (!RegistryState.isDigest(reference)) {
          throw new ApiError(400, "UNSUPPORTED", "delete by tag is not supported; delete by digest", reference);
        }
        state.deleteManifest(repo, RegistryState.parseDigest(reference));
        send(ex, 202, null);
      }
      default -> throw ApiError.unsupported("method " + method + " is not allowed on manifests");
    }
  }

  private static byte[] readBounded(InputStream in, int max) throws IOException, ApiError {
    try {
      return BoundedReads.readAll(in, max, "manifest");
    } catch (TooLargeException e) {
      throw ApiError.manifestInvalid(e.getMessage());
    }
  }

  // ---- blobs

  private void blob(HttpExchange ex, String method, String repo, String digestText) throws IOException, ApiError {
    Digest digest = RegistryState.parseDigest(digestText);
    switch (method) {
      case "GET", "HEAD" -> {
        long size = state.blobSize(repo, digest);
        if (size < 0) {
          throw ApiError.blobUnknown(digest.toString());
        }
        Headers h = ex.getResponseHeaders();
        h.set("Content-Type", "application/octet-stream");
        h.set("Docker-Content-Digest", digest.toString());
        h.set("ETag", "\"" + digest + "\"");
        h.set("Accept-Ranges", "bytes");
        long start = 0;
        long end = size - 1;
        int status = 200;
        String range = ex.getRequestHeaders().getFirst("Range");
        if (range != null) {
          Matcher rm = RANGE.matcher(range.trim());
          long s;
          long e;
          if (!rm.matches() || (rm.group(1).isEmpty() && rm.group(2).isEmpty())) {
            s = -1;
            e = -1;
          } else if (rm.group(1).isEmpty()) { // suffix: the last N bytes
            long n = Long.parseLong(rm.group(2));
            s = Math.max(0, size - n);
            e = size - 1;
          } else {
            s = Long.parseLong(rm.group(1));
            e = rm.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(rm.group(2)), size - 1);
          }
          if (s < 0 || s >= size || e < s) {
            h.set("Content-Range", "bytes */" + size);
            throw new ApiError(416, "BLOB_UNKNOWN", "range not satisfiable", range);
          }
          start = s;
          end = e;
          status = 206;
          h.set("Content-Range", "bytes " + start + "-" + end + "/" + size);
        }
        long length = end - start + 1;
        if (method.equals("HEAD")) {
          h.set("Content-Length", Long.toString(length));
          ex.sendResponseHeaders(status, -1);
          return;
        }
        try (InputStream in = state.store().open(digest, start)) {
          if (length == 0) {
            ex.sendResponseHeaders(status, -1);
            return;
          }
          ex.sendResponseHeaders(status, length);
          try (OutputStream out = ex.getResponseBody()) {
            copy(in, out, length);
          }
        }
      }
      case "DELETE" -> {
        state.deleteBlob(repo, digest);
        send(ex, 202, null);
      }
      default -> throw ApiError.unsupported("method " + method + " is not allowed on blobs");
    }
  }

  private static void copy(InputStream in, OutputStream out, long length) throws IOException {
    byte[] buf = new byte[64 * 1024];
    long left = length;
    while (left > 0) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (r < 0) {
        throw new IOException("blob ended " + left + " bytes early");
      }
      out.write(buf, 0, r);
      left -= r;
    }
  }

  // ---- uploads

  private void startUpload(HttpExchange ex, String repo) throws IOException, ApiError, TooLargeException {
    Map<String, String> q = query(ex);
    String mount = q.get("mount");
    if (mount != null) {
      Digest digest = RegistryState.parseDigest(mount);
      String from = q.get("from");
      if (from != null && state.mount(repo, digest, from)) {
        blobCreated(ex, repo, digest);
        return;
      }
      // Unknown blob or no source: open an ordinary upload, as the spec and 2.8.2 do.
    }
    String digestParam = q.get("digest");
    if (digestParam != null) {
      Digest digest = RegistryState.parseDigest(digestParam);
      BlobStore.Upload upload = state.store().newUpload();
      try {
        upload.append(ex.getRequestBody(), maxBlobSize);
      } catch (IOException | TooLargeException e) {
        upload.cancel();
        throw e;
      }
      finish(ex, repo, upload, digest);
      return;
    }
    if (uploads.size() >= MAX_UPLOADS) {
      throw new ApiError(429, "TOOMANYREQUESTS", "too many open uploads (" + MAX_UPLOADS + ")");
    }
    String id = UUID.randomUUID().toString();
    uploads.put(id, new Session(repo, state.store().newUpload()));
    uploadAccepted(ex, repo, id, 0, 202);
  }

  private void upload(HttpExchange ex, String method, String repo, String id) throws IOException, ApiError, TooLargeException {
    Session s = uploads.get(id);
    if (s == null || !s.repo().equals(repo)) {
      throw ApiError.uploadUnknown(id);
    }
    switch (method) {
      case "GET" -> uploadAccepted(ex, repo, id, s.upload().size(), 204);
      case "DELETE" -> {
        if (uploads.remove(id, s)) {
          s.upload().cancel();
        }
        send(ex, 204, null);
      }
      case "PATCH" -> {
        synchronized (s) {
          if (uploads.get(id) != s) {
            throw ApiError.uploadUnknown(id);
          }
          long size = s.upload().size();
          String cr = ex.getRequestHeaders().getFirst("Content-Range");
          if (cr != null) {
            Matcher m = CONTENT_RANGE.matcher(cr.trim());
            if (!m.matches() || Long.parseLong(m.group(1)) != size) {
              // Stricter than 2.8.2, which appends regardless: a wrong offset is a client bug.
              setRange(ex, size);
              ex.getResponseHeaders().set("Location", uploadLocation(repo, id));
              throw new ApiError(416, "BLOB_UPLOAD_INVALID",
                  "Content-Range '" + cr + "' does not start at the upload's size " + size, cr);
            }
          }
          appendOrDrop(id, s, ex.getRequestBody());
          uploadAccepted(ex, repo, id, s.upload().size(), 202);
        }
      }
      case "PUT" -> {
        Digest digest = RegistryState.parseDigest(requireParam(ex, "digest"));
        synchronized (s) {
          if (!uploads.remove(id, s)) {
            throw ApiError.uploadUnknown(id);
          }
          try {
            s.upload().append(ex.getRequestBody(), maxBlobSize);
          } catch (IOException | TooLargeException e) {
            s.upload().cancel();
            throw e;
          }
          finish(ex, repo, s.upload(), digest);
        }
      }
      default -> throw ApiError.unsupported("method " + method + " is not allowed on uploads");
    }
  }

  private void appendOrDrop(String id, Session s, InputStream body) throws IOException, TooLargeException {
    try {
      s.upload().append(body, maxBlobSize);
    } catch (IOException | TooLargeException e) {
      uploads.remove(id, s);
      s.upload().cancel();
      throw e;
    }
  }

  private void finish(HttpExchange ex, String repo, BlobStore.Upload upload, Digest expected)
      throws IOException, ApiError {
    Digest actual = upload.commit(expected);
    if (!actual.equals(expected)) {
      throw new ApiError(400, "DIGEST_INVALID",
          "provided digest did not match uploaded content: expected " + expected + ", got " + actual,
          expected.toString());
    }
    state.linkBlob(repo, expected);
    blobCreated(ex, repo, expected);
  }

  private static void blobCreated(HttpExchange ex, String repo, Digest digest) throws IOException {
    Headers h = ex.getResponseHeaders();
    h.set("Location", "/v2/" + repo + "/blobs/" + digest);
    h.set("Docker-Content-Digest", digest.toString());
    send(ex, 201, null);
  }

  private static void uploadAccepted(HttpExchange ex, String repo, String id, long size, int status)
      throws IOException {
    Headers h = ex.getResponseHeaders();
    h.set("Location", uploadLocation(repo, id));
    h.set("Docker-Upload-UUID", id);
    setRange(ex, size);
    send(ex, status, null);
  }

  private static void setRange(HttpExchange ex, long size) {
    // An empty upload reports "0-0", as distribution does.
    ex.getResponseHeaders().set("Range", "0-" + Math.max(0, size - 1));
  }

  private static String uploadLocation(String repo, String id) {
    return "/v2/" + repo + "/blobs/uploads/" + id;
  }

  // ---- listings

  private void tags(HttpExchange ex, String repo) throws IOException, ApiError {
    Map<String, String> q = query(ex);
    List<String> all = state.tags(repo, q.get("last"));
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("name", repo);
    page(ex, body.putArray("tags"), all, q, "/v2/" + repo + "/tags/list");
    json(ex, 200, body);
  }

  private void catalog(HttpExchange ex) throws IOException, ApiError {
    Map<String, String> q = query(ex);
    List<String> all = state.repositories(q.get("last"));
    ObjectNode body = Json.MAPPER.createObjectNode();
    page(ex, body.putArray("repositories"), all, q, "/v2/_catalog");
    json(ex, 200, body);
  }

  private static void page(HttpExchange ex, ArrayNode out, List<String> all, Map<String, String> q, String path)
      throws ApiError {
    int n = MAX_PAGE;
    String nParam = q.get("n");
    if (nParam != null) {
      try {
        n = Math.min(Integer.parseInt(nParam), MAX_PAGE);
      } catch (NumberFormatException e) {
        throw new ApiError(400, "PAGINATION_NUMBER_INVALID", "invalid number of results requested", nParam);
      }
      if (n < 0) {
        throw new ApiError(400, "PAGINATION_NUMBER_INVALID", "invalid number of results requested", nParam);
      }
    }
    List<String> page = all.subList(0, Math.min(n, all.size()));
    page.forEach(out::add);
    if (page.size() < all.size() && !page.isEmpty()) {
      String last = page.get(page.size() - 1);
      ex.getResponseHeaders().set("Link",
          "<" + path + "?n=" + n + "&last=" + java.net.URLEncoder.encode(last, StandardCharsets.UTF_8)
              + ">; rel=\"next\"");
    }
  }

  private void referrers(HttpExchange ex, String repo, String digestText) throws IOException, ApiError {
    Digest subject = RegistryState.parseDigest(digestText);
    String artifactType = query(ex).get("artifactType");
    List<Descriptor> found = state.referrers(repo, subject, artifactType);
    byte[] body = ImageIndex.builder().manifests(found).build().bytes();
    Headers h = ex.getResponseHeaders();
    h.set("Content-Type", MediaTypes.OCI_INDEX);
    if (artifactType != null) {
      h.set("OCI-Filters-Applied", "artifactType");
    }
    send(ex, 200, body);
  }

  // ---- plumbing

  private static String requireParam(HttpExchange ex, String name) throws ApiError {
    String v = query(ex).get(name);
    if (v == null) {
      throw ApiError.digestInvalid("query parameter '" + name + "' is required");
    }
    return v;
  }

  private static Map<String, String> query(HttpExchange ex) {
    Map<String, String> out = new LinkedHashMap<>();
    String raw = ex.getRequestURI().getRawQuery();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.putIfAbsent(k, v);
    }
    return out;
  }

  private static void json(HttpExchange ex, int status, Object node) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "application/json");
    send(ex, status, Json.MAPPER.writeValueAsBytes(node));
  }

  private static void sendBytesOrHead(HttpExchange ex, int status, byte[] body) throws IOException {
    if (ex.getRequestMethod().equals("HEAD")) {
      ex.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
      ex.sendResponseHeaders(status, -1);
    } else {
      send(ex, status, body);
    }
  }

  private static void send(HttpExchange ex, int status, byte @Nullable [] body) throws IOException {
    if (body == null || body.length == 0 || ex.getRequestMethod().equals("HEAD")) {
      if (ex.getRequestMethod().equals("HEAD") && body != null) {
        ex.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
      }
      ex.sendResponseHeaders(status, -1);
      return;
    }
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private static void error(HttpExchange ex, ApiError e) throws IOException {
    ObjectNode body = Json.MAPPER.createObjectNode();
    ObjectNode err = body.putArray("errors").addObject();
    err.put("code", e.code());
    err.put("message", e.getMessage());
    Object detail = e.detail();
    if (detail != null) {
      err.set("detail", Json.MAPPER.valueToTree(detail));
    } else {
      err.putNull("detail");
    }
    json(ex, e.status(), body);
  }
}
