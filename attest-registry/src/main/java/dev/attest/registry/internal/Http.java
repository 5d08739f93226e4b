package dev.attest.registry.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attest.core.BoundedReads;
import dev.attest.core.Json;
import dev.attest.core.TooLargeException;
import dev.attest.registry.NotFoundException;
import dev.attest.registry.RegistryEvent;
import dev.attest.registry.RegistryException;
import dev.attest.registry.RegistryListener;
import dev.attest.registry.RegistryUnreachableException;
import dev.attest.registry.UnauthorizedException;
import dev.attest.registry.internal.auth.AuthFailure;
import dev.attest.registry.internal.auth.AuthIOException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ThreadLocalRandom;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * Sends requests with retries on 429, 5xx and connection failures (for idempotent steps only),
 * honouring {@code Retry-After}, and maps error answers to the exception tree.
 */
public final class Http {
  /** Error bodies are read only this far. */
  static final int MAX_ERROR_BODY = 8 * 1024;

  private final OkHttpClient client;
  private final RegistryListener listener;
  private final int retries;
  private final Duration baseDelay;
  private final Duration maxDelay;

  public Http(OkHttpClient client, RegistryListener listener, int retries, Duration baseDelay, Duration maxDelay) {
    this.client = client;
    this.listener = listener;
    this.retries = retries;
    this.baseDelay = baseDelay;
    this.maxDelay = maxDelay;
  }

  public OkHttpClient client() {
    return client;
  }

  public RegistryListener listener() {
    return listener;
  }

  public int retries() {
    return retries;
  }

  /**
   * Sends {@code request}. When {@code retryable}, a 429, a 5xx or an I/O failure is retried with
   * backoff; the last such answer is returned (or its failure thrown as unreachable). Any other
   * answer is returned open: the caller closes it.
   *
   * <p>A 401 that the authentication interceptor gave up on is thrown as {@link
   * UnauthorizedException}. If it gave up only because the body could not be replayed (the token
   * is now cached), the request is sent once more when its body can be; a one-shot body throws
   * {@link AuthReplayException} instead, for the caller to restart from its source.
   */
  public Response send(Request request, boolean retryable) throws RegistryException {
    int attempts = retryable ? retries + 1 : 1;
    boolean authResent = false;
    for (int attempt = 1; ; attempt++) {
      String method = request.method();
      String url = redact(request.url());
      listener.onEvent(new RegistryEvent.RequestSent(method, url));
      long start = System.nanoTime();
      Response response;
      try {
        response = client.newCall(request).execute();
      } catch (AuthIOException e) {
        // The credential store failed: not a connection problem, so not retried.
        throw e.registryException();
      } catch (IOException e) {
        // Pooled connections may all be dead (a restarted server): do not reuse them.
        client.connectionPool().evictAll();
        if (attempt >= attempts) {
          throw new RegistryUnreachableException(
              method + " " + url + " failed" + (attempts > 1 ? " after " + attempts + " attempts" : "")
                  + ": " + describe(e), e);
        }
        pause(method, url, attempt, backoff(attempt), describe(e));
        continue;
      }
      int code = response.code();
      listener.onEvent(new RegistryEvent.ResponseReceived(method, url, code, Duration.ofNanos(System.nanoTime() - start)));
      AuthFailure auth = code == 401 ? AuthFailure.of(response).orElse(null) : null;
      if (auth != null) {
        String detail;
        try (response) {
          detail = errorDetail(response);
        }
        String msg = auth.message() + "; " + method + " " + url + " answered 401" + (detail.isEmpty() ? "" : " " + detail);
        if (!auth.retryable() || authResent) {
          throw new UnauthorizedException(msg);
        }
        if (request.body() != null && request.body().isOneShot()) {
          throw new AuthReplayException(msg);
        }
        authResent = true;
        attempt--;
        continue;
      }
      if (isTransient(code) && attempt < attempts) {
        Duration delay = retryAfter(response.header("Retry-After"), Instant.now());
        response.close();
        pause(method, url, attempt, delay != null ? delay : backoff(attempt), "HTTP " + code);
        continue;
      }
      return response;
    }
  }

  /** Whether a status is worth retrying: 429 and 5xx other than 501 and 505. */
  public static boolean isTransient(int code) {
    return code == 429 || (code >= 500 && code != 501 && code != 505);
  }

  /** Sleeps before attempt {@code attempt + 1}, telling the listener. */
  public void pause(String method, String url, int attempt, Duration delay, String reason)
      throws RegistryUnreachableException {
    listener.onEvent(new RegistryEvent.Retrying(method, url, attempt, delay, reason));
    try {
      Thread.sleep(delay.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryUnreachableException("interrupted while waiting to retry " + method + " " + url, e);
    }
  }

  /** Exponential backoff with jitter: a random delay in [d/2, d], d = base * 2^(attempt-1), capped. */
  public Duration backoff(int attempt) {
    long base = Math.max(1, baseDelay.toMillis());
    long d = base << Math.min(attempt - 1, 20);
    d = Math.min(d, maxDelay.toMillis());
    long half = Math.max(1, d / 2);
    return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(d - half + 1));
  }

  /**
   * The delay a {@code Retry-After} value asks for, in delta-seconds or as an HTTP date, capped at
   * the maximum delay; null if absent or unreadable.
   */
  public @Nullable Duration retryAfter(@Nullable String value, Instant now) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String v = value.trim();
    Duration d;
    if (v.chars().allMatch(Character::isDigit)) {
      d = v.length() > 9 ? maxDelay : Duration.ofSeconds(Long.parseLong(v));
    } else {
      try {
        d = Duration.between(now, ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
      } catch (DateTimeParseException e) {
        return null;
      }
      if (d.isNegative()) {
        d = Duration.ZERO;
      }
    }
    return d.compareTo(maxDelay) > 0 ? maxDelay : d;
  }

  /**
   * Throws the exception an unexpected answer calls for and closes it: 401 and 403 are
   * unauthorized, 404 not found, 429 and 5xx unreachable, anything else a registry error. The
   * message names the request and the registry's error code and message.
   */
  public static RegistryException failure(Response response, String what) {
    try (response) {
      int code = response.code();
      byte[] body = errorBody(response);
      java.util.List<ApiError> errors = body == null ? java.util.List.of() : apiErrors(body);
      String detail = errorDetail(body, errors);
      String msg = what + ": " + response.request().method() + " " + redact(response.request().url())
          + " answered " + code + (detail.isEmpty() ? "" : " " + detail);
      String errorCode = errors.isEmpty() || errors.get(0).code().isEmpty() ? null : errors.get(0).code();
      if (code == 401 || code == 403) {
        return new UnauthorizedException(msg);
      }
      if (code == 404) {
        return new NotFoundException(msg, errorCode, null);
      }
      if (isTransient(code)) {
        return new RegistryUnreachableException(msg, code);
      }
      return new RegistryException(msg, errorCode, null);
    }
  }

  /** One entry of an OCI distribution error body ({@code {"errors":[{"code":…,"message":…}]}}). */
  public record ApiError(String code, String message) {}

  /** The start of an error response's body, at most {@link #MAX_ERROR_BODY} bytes; null if unreadable. */
  public static byte @Nullable [] errorBody(Response response) {
    try (InputStream in = response.body().byteStream()) {
      return in.readNBytes(MAX_ERROR_BODY); // only the start: the rest is not read
    } catch (IOException e) {
      return null;
    }
  }

  /** The errors listed in an OCI error body; empty when it is not one (not JSON, no {@code errors}). */
  public static java.util.List<ApiError> apiErrors(byte[] body) {
    java.util.List<ApiError> out = new java.util.ArrayList<>();
    try {
      JsonNode errors = Json.read(body).get("errors");
      if (errors != null && errors.isArray()) {
        for (JsonNode e : errors) {
          out.add(new ApiError(e.path("code").asText(""), e.path("message").asText("")));
        }
      }
    } catch (IOException | RuntimeException notJson) {
      // Go's "404 page not found" and the like.
    }
    return out;
  }

  /** The registry's error code and message, from an OCI error body, or a short text excerpt. */
  static String errorDetail(Response response) {
    byte[] body = errorBody(response);
    return errorDetail(body, body == null ? java.util.List.of() : apiErrors(body));
  }

  private static String errorDetail(byte @Nullable [] body, java.util.List<ApiError> errors) {
    if (body == null || body.length == 0) {
      return "";
    }
    if (!errors.isEmpty()) {
      ApiError e = errors.get(0);
      return "(" + e.code() + (e.message().isEmpty() ? "" : ": " + e.message()) + ")";
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(body.length, 200); i++) {
      int c = body[i] & 0xff;
      sb.append(c >= 0x20 && c < 0x7f ? (char) c : ' ');
    }
    return "(" + sb.toString().trim() + ")";
  }

  /**
   * Reads a whole body, failing as soon as it exceeds {@code max} bytes, whatever {@code
   * Content-Length} said.
   */
  public static byte[] readBounded(Response response, int max, String what) throws RegistryException {
    long declared = response.body().contentLength();
    if (declared > max) {
      response.close();
      throw new RegistryException(what + " is " + declared + " bytes, over the " + max + " byte limit");
    }
    try (InputStream in = response.body().byteStream()) {
      return BoundedReads.readAll(in, max, what);
    } catch (TooLargeException e) {
      throw new RegistryException(e.getMessage(), e);
    } catch (IOException e) {
      throw new RegistryUnreachableException("reading " + what + " failed: " + describe(e), e);
    }
  }

  /** The URL for messages: without user info, and with only the path for upload sessions. */
  public static String redact(HttpUrl url) {
    HttpUrl.Builder b = url.newBuilder().username("").password("");
    return b.build().toString();
  }

  public static String describe(IOException e) {
    if (e instanceof InterruptedIOException && !(e instanceof java.net.SocketTimeoutException)) {
      return "timed out (" + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")";
    }
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }
}
