package dev.attest.registry.internal.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attest.core.BoundedReads;
import dev.attest.core.Json;
import dev.attest.core.TooLargeException;
import dev.attest.registry.CredentialStore;
import dev.attest.registry.Credentials;
import dev.attest.registry.RegistryException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Credentials from a Docker CLI {@code config.json}: {@code credHelpers} (per registry), then
 * {@code credsStore} (the default helper), then inline {@code auths} entries ({@code auth} as
 * base64 {@code user:password}, {@code username}/{@code password}, {@code identitytoken}, {@code
 * registrytoken}). The file is read once, on first use; a missing file means no credentials.
 *
 * @see <a href="https://github.com/docker/cli/blob/master/cli/config/configfile/file.go">Docker
 *     CLI config file</a>
 */
public final class DockerConfigStore implements CredentialStore {

  /** Larger config files are refused. */
  public static final int MAX_CONFIG_SIZE = 1024 * 1024;

  public static final Duration DEFAULT_HELPER_TIMEOUT = Duration.ofSeconds(20);

  private final Path file;
  private final @Nullable List<Path> helperPath;
  private final Duration helperTimeout;
  private @Nullable Parsed parsed;

  /**
   * @param helperPath directories searched for {@code docker-credential-*}, or null for {@code PATH}
   */
  public DockerConfigStore(Path file, @Nullable List<Path> helperPath, Duration helperTimeout) {
    this.file = file;
    this.helperPath = helperPath == null ? null : List.copyOf(helperPath);
    this.helperTimeout = helperTimeout;
  }

  public static DockerConfigStore of(Path file) {
    return new DockerConfigStore(file, null, DEFAULT_HELPER_TIMEOUT);
  }

  /** {@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}. */
  public static DockerConfigStore ofEnvironment() {
    String dir = System.getenv("DOCKER_CONFIG");
    Path base =
        dir != null && !dir.isEmpty()
            ? Path.of(dir)
            : Path.of(System.getProperty("user.home"), ".docker");
    return of(base.resolve("config.json"));
  }

  public Path file() {
    return file;
  }

  @Override
  public Optional<Credentials> get(String registryHost) throws RegistryException {
    Parsed p = load();
    String host = RegistryHosts.normalize(registryHost);
    List<String> aliases = RegistryHosts.aliases(host);
    String serverUrl = RegistryHosts.isDockerHub(host) ? RegistryHosts.DOCKER_HUB_SERVER : host;
    String helper = null;
    for (String alias : aliases) {
      helper = p.credHelpers.get(alias);
      if (helper != null) {
        break;
      }
    }
    if (helper == null) {
      helper = p.credsStore;
    }
    if (helper != null) {
      Optional<Credentials> c = helper(helper).get(serverUrl);
      if (c.isPresent()) {
        return c;
      }
    }
    for (String alias : aliases) {
      JsonNode entry = p.auths.get(alias);
      if (entry != null) {
        return fromAuthEntry(alias, entry);
      }
    }
    return Optional.empty();
  }

  private CredentialHelper helper(String name) throws RegistryException {
    try {
      return new CredentialHelper(
          name, helperPath == null ? CredentialHelper.systemPath() : helperPath, helperTimeout);
    } catch (IllegalArgumentException e) {
      throw new RegistryException(file + ": " + e.getMessage(), e);
    }
  }

  private Optional<Credentials> fromAuthEntry(String key, JsonNode entry) throws RegistryException {
    String where = file + ": auths entry for " + key;
    if (!entry.isObject()) {
      throw new RegistryException(where + " is not an object");
    }
    String username = text(entry, "username", where);
    String password = text(entry, "password", where);
    String auth = text(entry, "auth", where);
    String identityToken = text(entry, "identitytoken", where);
    String registryToken = text(entry, "registrytoken", where);
    try {
      if (registryToken != null) {
        return Optional.of(Credentials.registryToken(registryToken));
      }
      if (auth != null) {
        byte[] decoded;
        try {
          decoded = Base64.getDecoder().decode(auth.trim());
        } catch (IllegalArgumentException e) {
          throw new RegistryException(where + " has an 'auth' that is not valid base64");
        }
        String pair = new String(decoded, StandardCharsets.UTF_8);
        int colon = pair.indexOf(':');
        if (colon < 0) {
          throw new RegistryException(where + " has an 'auth' that is not username:password");
        }
        username = pair.substring(0, colon);
        password = pair.substring(colon + 1);
      }
      if (identityToken != null) {
        Credentials c = Credentials.identityToken(identityToken);
        return Optional.of(
            username == null || username.isEmpty() || username.equals(CredentialHelper.TOKEN_USERNAME)
                ? c
                : c.withUsername(username));
      }
      if (username != null && password != null && !username.isEmpty()) {
        return Optional.of(Credentials.basic(username, password));
      }
      if (username != null || password != null) {
        throw new RegistryException(where + " has a username or a password but not both");
      }
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      throw new RegistryException(where + " is unusable: " + e.getMessage(), e);
    }
  }

  private static @Nullable String text(JsonNode n, String field, String where)
      throws RegistryException {
    JsonNode v = n.get(field);
    if (v == null || v.isNull() || (v.isTextual() && v.textValue().isEmpty())) {
      return null;
    }
    if (!v.isTextual()) {
      throw new RegistryException(where + ": '" + field + "' is not a string");
    }
    return v.textValue();
  }

  private record Parsed(Map<String, JsonNode> auths, Map<String, String> credHelpers, @Nullable String credsStore) {}

  private synchronized Parsed load() throws RegistryException {
    if (parsed != null) {
      return parsed;
    }
    byte[] bytes;
    try {
      bytes = BoundedReads.readFile(file, MAX_CONFIG_SIZE, "Docker config " + file);
    } catch (NoSuchFileException e) {
      parsed = new Parsed(Map.of(), Map.of(), null);
      return parsed;
    } catch (IOException e) {
      throw new RegistryException("cannot read Docker config " + file + ": " + e.getMessage(), e);
    } catch (TooLargeException e) {
      throw new RegistryException(e.getMessage(), e);
    }
    JsonNode root;
    try {
      root = Json.read(bytes);
    } catch (IOException e) {
      throw new RegistryException("Docker config " + file + " is not valid JSON: "
              + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()),
          e);
    }
    if (!root.isObject()) {
      throw new RegistryException("Docker config " + file + " is not a JSON object");
    }
    Map<String, JsonNode> auths = new HashMap<>();
    JsonNode a = root.get("auths");
    if (a != null && !a.isNull()) {
      if (!a.isObject()) {
        throw new RegistryException("Docker config " + file + ": 'auths' is not an object");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String key = normalizeKey(e.getKey(), "auths");
        // A more specific key (exact host) wins over a URL form of the same host.
        auths.putIfAbsent(key, e.getValue());
      }
    }
    Map<String, String> helpers = new HashMap<>();
    JsonNode h = root.get("credHelpers");
    if (h != null && !h.isNull()) {
      if (!h.isObject()) {
        throw new RegistryException("Docker config " + file + ": 'credHelpers' is not an object");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = h.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isTextual()) {
          throw new RegistryException("Docker config " + file + ": credHelpers." + e.getKey() + " is not a string");
        }
        helpers.put(normalizeKey(e.getKey(), "credHelpers"), e.getValue().textValue());
      }
    }
    String store = null;
    JsonNode s = root.get("credsStore");
    if (s != null && !s.isNull()) {
      if (!s.isTextual()) {
        throw new RegistryException("Docker config " + file + ": 'credsStore' is not a string");
      }
      store = s.textValue().isEmpty() ? null : s.textValue();
    }
    parsed = new Parsed(Map.copyOf(auths), Map.copyOf(helpers), store);
    return parsed;
  }

  private String normalizeKey(String key, String section) throws RegistryException {
    try {
      return RegistryHosts.normalize(key);
    } catch (IllegalArgumentException e) {
      throw new RegistryException("Docker config " + file + ": " + section + " has an invalid key '" + key + "'");
    }
  }

  @Override
  public String toString() {
    return "DockerConfigStore[" + file + "]";
  }
}
