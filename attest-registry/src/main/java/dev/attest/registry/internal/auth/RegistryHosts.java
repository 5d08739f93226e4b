package dev.attest.registry.internal.auth;

import java.util.List;
import java.util.Locale;
import okhttp3.HttpUrl;

/** Registry host names as credential stores key them. */
public final class RegistryHosts {
  private RegistryHosts() {}

  /** The key Docker uses for Docker Hub in {@code config.json} and with credential helpers. */
  public static final String DOCKER_HUB_SERVER = "https://index.docker.io/v1/";

  private static final List<String> DOCKER_HUB =
      List.of("index.docker.io", "docker.io", "registry-1.docker.io");

  /**
   * {@code https://Host:5000/v2/} becomes {@code host:5000}: scheme and path dropped, lower case,
   * as Docker's {@code ConvertToHostname} does.
   */
  public static String normalize(String server) {
    String s = server.trim();
    String lower = s.toLowerCase(Locale.ROOT);
    if (lower.startsWith("https://")) {
      s = s.substring(8);
    } else if (lower.startsWith("http://")) {
      s = s.substring(7);
    }
    int slash = s.indexOf('/');
    if (slash >= 0) {
      s = s.substring(0, slash);
    }
    if (s.isEmpty()) {
      throw new IllegalArgumentException("no registry host in '" + server + "'");
    }
    return s.toLowerCase(Locale.ROOT);
  }

  /** The names under which credentials for {@code host} may be stored, most specific first. */
  public static List<String> aliases(String host) {
    String h = normalize(host);
    if (isDockerHub(h)) {
      return DOCKER_HUB;
    }
    return List.of(h);
  }

  public static boolean isDockerHub(String host) {
    return DOCKER_HUB.contains(normalize(host));
  }

  /** {@code host} or {@code host:port} (port only when not the scheme's default), as a key. */
  public static String of(HttpUrl url) {
    String host = url.host().indexOf(':') >= 0 ? "[" + url.host() + "]" : url.host();
    return url.port() == HttpUrl.defaultPort(url.scheme()) ? host : host + ":" + url.port();
  }

  /** Whether {@code url} names this machine without DNS: localhost, 127.0.0.0/8 or ::1. */
  public static boolean isLoopback(HttpUrl url) {
    String h = url.host();
    if (h.equals("localhost") || h.equals("::1")) {
      return true;
    }
    // OkHttp canonicalises IPv4 literals, so a dotted prefix check is exact.
    return h.startsWith("127.") && h.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
  }
}
