package dev.attest.registry.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attest.core.AttestException;
import dev.attest.core.Digest;
import dev.attest.core.DigestMismatchException;
import dev.attest.core.Json;
import dev.attest.core.Manifest;
import dev.attest.core.MediaTypes;
import dev.attest.registry.RegistryEvent;
import dev.attest.registry.RegistryException;
import java.io.IOException;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongConsumer;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * One remote registry as the parts of {@code RemoteRegistry} speak to it: its name, base URL and
 * HTTP client, the URLs of the distribution API, and the checks every part applies to names and
 * answers (references, announced digests, sizes, Link and Location headers).
 */
public final class Endpoint {
  private static final Pattern REPOSITORY =
      Pattern.compile("[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*");
  /** A tag, as the distribution spec allows it. */
  public static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  /** The {@code Accept} header of manifest requests. */
  public static final String ACCEPT_MANIFESTS = String.join(", ", MediaTypes.MANIFEST_TYPES);
  private static final String USER_AGENT = "attest/0.1";
  private static final long PROGRESS_STEP = 1 << 20;

  private final String name;
  private final HttpUrl base;
  private final Http http;

  public Endpoint(String name, HttpUrl base, Http http) {
    this.name = name;
    this.base = base;
    this.http = http;
  }

  public String name() {
    return name;
  }

  public HttpUrl base() {
    return base;
  }

  public Http http() {
    return http;
  }

  public Request.Builder request(HttpUrl url) {
    return new Request.Builder().url(url).header("User-Agent", USER_AGENT);
  }

  /** {@code <base>/v2/<repository>/<kind>/<rest...>}, the repository validated. */
  public HttpUrl url(String repository, String kind, String... rest) {
    checkRepository(repository);
    HttpUrl.Builder b = base.newBuilder().addPathSegment("v2");
    for (String part : repository.split("/")) {
      b.addPathSegment(part);
    }
    b.addPathSegment(kind);
    for (String s : rest) {
      b.addPathSegment(s);
    }
    return b.build();
  }

  /** HEAD: true on 200, false on 404, a failure otherwise. */
  public boolean exists(Request head, String what) throws AttestException {
    try (Response r = http.send(head, true)) {
      if (r.code() == 200) {
        return true;
      }
      if (r.code() == 404) {
        return false;
      }
      throw Http.failure(r, "checking " + what);
    }
  }

  /** Reports a transfer's progress to the listener every MiB and at its end. */
  public LongConsumer progress(@Nullable Digest digest, long total, boolean upload) {
    long[] last = {0};
    return transferred -> {
      if (transferred - last[0] >= PROGRESS_STEP || transferred == total) {
        last[0] = transferred;
        http.listener().onEvent(new RegistryEvent.BlobProgress(digest, transferred, total, upload));
      }
    };
  }

  public @Nullable HttpUrl nextLink(@Nullable String link, HttpUrl current) throws RegistryException {
    try {
      return Links.next(link, current);
    } catch (IllegalStateException e) {
      throw new RegistryException("registry " + name + " sent a bad Link header: " + e.getMessage());
    }
  }

  /** The {@code Location} of an answer, which must stay on this registry's origin. */
  public HttpUrl location(Response r) throws RegistryException {
    String loc = r.header("Location");
    HttpUrl url = loc == null ? null : r.request().url().resolve(loc);
    if (url == null) {
      throw new RegistryException(r.request().method() + " " + Http.redact(r.request().url()) + " answered " + r.code()
          + " without a usable Location header");
    }
    if (!url.host().equals(base.host()) || url.port() != base.port() || !url.scheme().equals(base.scheme())) {
      throw new RegistryException("registry " + name + " sent an upload Location on another origin: " + Http.redact(url));
    }
    return url;
  }

  /** Fails if the answer announces another digest of the same algorithm. */
  public static void checkAnnounced(Response r, Digest digest, String what) throws AttestException {
    String announced = r.header("Docker-Content-Digest");
    if (announced != null && !announced.equals(digest.toString())) {
      Digest a = parseHeaderDigest(announced, r);
      if (a.algorithm() == digest.algorithm()) {
        throw new DigestMismatchException(what + " (Docker-Content-Digest)", digest, a);
      }
    }
  }

  public static Digest parseHeaderDigest(String value, Response r) throws RegistryException {
    try {
      return Digest.parse(value.trim());
    } catch (IllegalArgumentException e) {
      throw new RegistryException(r.request().method() + " " + Http.redact(r.request().url())
          + ": bad Docker-Content-Digest: " + e.getMessage());
    }
  }

  public static long parseSize(String value, Response r) throws RegistryException {
    try {
      long n = Long.parseLong(value.trim());
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new RegistryException(Http.redact(r.request().url()) + ": bad Content-Length '" + value + "'");
    }
  }

  /** A JSON object of at most a manifest's size. */
  public JsonNode readJson(Response r, String what) throws RegistryException {
    byte[] bytes = Http.readBounded(r, Manifest.MAX_BYTES, what);
    try {
      JsonNode n = Json.read(bytes);
      if (!n.isObject()) {
        throw new RegistryException(what + " is not a JSON object");
      }
      return n;
    } catch (IOException e) {
      throw new RegistryException(what + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  public static String stripParameters(String contentType) {
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
  }

  public static void checkRepository(String repository) {
    Objects.requireNonNull(repository, "repository");
    if (repository.length() > 255 || !REPOSITORY.matcher(repository).matches()) {
      throw new IllegalArgumentException("invalid repository name '" + repository
          + "': lowercase path components separated by '/', each [a-z0-9] with '.', '_', '__' or '-' between");
    }
  }

  /** Validates; returns the digest for a digest reference, null for a tag. */
  public static @Nullable Digest checkReference(String repository, String reference) {
    checkRepository(repository);
    Objects.requireNonNull(reference, "reference");
    if (reference.indexOf(':') >= 0) {
      return Digest.parse(reference);
    }
    if (!TAG.matcher(reference).matches()) {
      throw new IllegalArgumentException("invalid tag '" + reference + "': must match " + TAG.pattern());
    }
    return null;
  }
}
