package dev.attest.registry;

import dev.attest.registry.internal.auth.DockerConfigStore;
import dev.attest.registry.internal.auth.RegistryHosts;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the registry client finds credentials for a registry host. It is asked only when a
 * registry challenges a request, so reading files or running credential helpers happens then,
 * never when the store is created.
 *
 * <pre>{@code
 * CredentialStore creds = CredentialStore.firstOf(
 *     CredentialStore.anonymous().with("registry.example.com", Credentials.basic("ci", secret)),
 *     CredentialStore.dockerConfig());
 * }</pre>
 *
 * @see <a href="https://docs.docker.com/reference/cli/docker/login/#credential-stores">Docker
 *     credential stores and helpers</a>
 */
@FunctionalInterface
public interface CredentialStore {

  /**
   * The credentials for {@code registryHost}, a host with an optional port such as {@code
   * ghcr.io} or {@code localhost:5000}; empty for anonymous access.
   *
   * @throws RegistryException if the store cannot be read, such as a malformed {@code
   *     config.json} or a failing credential helper
   */
  Optional<Credentials> get(String registryHost) throws RegistryException;

  /** A copy that answers {@code credentials} for {@code registryHost} and asks this store otherwise. */
  default CredentialStore with(String registryHost, Credentials credentials) {
    return firstOf(of(Map.of(registryHost, credentials)), this);
  }

  /** No credentials for any registry. */
  static CredentialStore anonymous() {
    return host -> Optional.empty();
  }

  /**
   * Fixed credentials by registry host. Keys may be written as Docker writes them ({@code
   * https://index.docker.io/v1/}, {@code host:port}); Docker Hub's names are aliases of each
   * other.
   */
  static CredentialStore of(Map<String, Credentials> byHost) {
    Map<String, Credentials> normalized = new HashMap<>();
    byHost.forEach(
        (k, v) -> {
          Objects.requireNonNull(v, "credentials");
          if (normalized.put(RegistryHosts.normalize(k), v) != null) {
            throw new IllegalArgumentException("two entries for registry " + k);
          }
        });
    Map<String, Credentials> copy = Map.copyOf(normalized);
    return host -> {
      for (String alias : RegistryHosts.aliases(host)) {
        Credentials c = copy.get(alias);
        if (c != null) {
          return Optional.of(c);
        }
      }
      return Optional.empty();
    };
  }

  /** Asks each store in turn and answers the first credentials found. */
  static CredentialStore firstOf(CredentialStore... stores) {
    List<CredentialStore> list = List.of(stores);
    return host -> {
      for (CredentialStore s : list) {
        Optional<Credentials> c = s.get(host);
        if (c.isPresent()) {
          return c;
        }
      }
      return Optional.empty();
    };
  }

  /**
   * The Docker CLI's credentials: {@code $DOCKER_CONFIG/config.json}, else {@code
   * ~/.docker/config.json}, with {@code auths}, {@code credHelpers} and {@code credsStore}
   * helpers ({@code docker-credential-<name>} on the {@code PATH}). A missing file means no
   * credentials.
   */
  static CredentialStore dockerConfig() {
    return DockerConfigStore.ofEnvironment();
  }

  /** The Docker CLI's credentials from the {@code config.json} at {@code configJson}. */
  static CredentialStore dockerConfig(Path configJson) {
    return DockerConfigStore.of(configJson);
  }
}
