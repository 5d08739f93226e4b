package dev.attest.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A tiny java.net.http client for driving the embedded registry in tests. */
final class Http {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

  private final URI base;

  Http(EmbeddedRegistry registry) {
    this.base = registry.url();
  }

  HttpRequest.Builder request(String pathAndQuery) {
    return HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(Duration.ofSeconds(30));
  }

  HttpResponse<byte[]> send(HttpRequest.Builder b) {
    try {
      return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  HttpResponse<java.io.InputStream> sendStreaming(HttpRequest.Builder b) {
    try {
      return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  HttpResponse<byte[]> get(String path, String... headers) {
    HttpRequest.Builder b = request(path).GET();
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b);
  }

  HttpResponse<byte[]> head(String path) {
    return send(request(path).method("HEAD", HttpRequest.BodyPublishers.noBody()));
  }

  HttpResponse<byte[]> delete(String path) {
    return send(request(path).DELETE());
  }

  HttpResponse<byte[]> post(String path, byte[] body) {
    return send(request(path).POST(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  HttpResponse<byte[]> put(String path, byte[] body, String... headers) {
    HttpRequest.Builder b = request(path).PUT(HttpRequest.BodyPublishers.ofByteArray(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b);
  }

  HttpResponse<byte[]> patch(String path, byte[] body, String... headers) {
    HttpRequest.Builder b = request(path).method("PATCH", HttpRequest.BodyPublishers.ofByteArray(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b);
  }

  static String header(HttpResponse<?> r, String name) {
    return r.headers().firstValue(name).orElse(null);
  }
}
