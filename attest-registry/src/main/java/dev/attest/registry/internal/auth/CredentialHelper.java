package dev.attest.registry.internal.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attest.core.Json;
import dev.attest.registry.Credentials;
import dev.attest.registry.RegistryException;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Runs a Docker credential helper: {@code docker-credential-<name> get} with the server on stdin,
 * answering {@code {"ServerURL","Username","Secret"}} on stdout.
 *
 * @see <a href="https://github.com/docker/docker-credential-helpers">docker-credential-helpers</a>
 */
public final class CredentialHelper {

  /** Helper output larger than this is refused; real answers are a few hundred bytes. */
  public static final int MAX_OUTPUT = 64 * 1024;

  /** Docker's marker username meaning the secret is an identity token. */
  static final String TOKEN_USERNAME = "<token>";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  private final String name;
  private final List<Path> searchPath;
  private final Duration timeout;

  /**
   * @param name the suffix after {@code docker-credential-}
   * @param searchPath directories searched for the executable, in order
   */
  public CredentialHelper(String name, List<Path> searchPath, Duration timeout) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid credential helper name '" + name + "'");
    }
    this.name = name;
    this.searchPath = List.copyOf(searchPath);
    this.timeout = timeout;
  }

  /** The directories of the {@code PATH} environment variable. */
  public static List<Path> systemPath() {
    String path = System.getenv("PATH");
    List<Path> dirs = new ArrayList<>();
    if (path != null) {
      for (String d : path.split(Pattern.quote(File.pathSeparator))) {
        if (!d.isEmpty()) {
          dirs.add(Path.of(d));
        }
      }
    }
    return dirs;
  }

  public String executableName() {
    return "docker-credential-" + name;
  }

  /** The helper's credentials for {@code serverUrl}, empty if it has none. */
  public Optional<Credentials> get(String serverUrl) throws RegistryException {
    Path exe = locate();
    Process p;
    try {
      p = new ProcessBuilder(exe.toString(), "get").start();
    } catch (IOException e) {
      throw new RegistryException("cannot run credential helper " + exe + ": " + e.getMessage(), e);
    }
    try {
      CompletableFuture<Bounded> out = drain(p.getInputStream());
      CompletableFuture<Bounded> err = drain(p.getErrorStream());
      try (OutputStream in = p.getOutputStream()) {
        in.write(serverUrl.getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        // The helper may exit without reading stdin; its exit status tells what happened.
      }
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new RegistryException(
            "credential helper " + executableName() + " did not answer within " + timeout.toSeconds() + " s");
      }
      Bounded stdout = out.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      Bounded stderr = err.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (stdout.overflow) {
        throw new RegistryException(
            "credential helper " + executableName() + " wrote more than " + MAX_OUTPUT + " bytes");
      }
      String text = new String(stdout.bytes, StandardCharsets.UTF_8).trim();
      if (p.exitValue() != 0) {
        if (text.contains("credentials not found")) {
          return Optional.empty();
        }
        String why = text.isEmpty() ? new String(stderr.bytes, StandardCharsets.UTF_8).trim() : text;
        throw new RegistryException(
            "credential helper "
                + executableName()
                + " failed with exit status "
                + p.exitValue()
                + " for "
                + serverUrl
                + (why.isEmpty() ? "" : ": " + abbreviate(why)));
      }
      return Optional.of(parse(stdout.bytes, serverUrl));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException("interrupted while running " + executableName(), e);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new RegistryException("cannot read the output of " + executableName() + ": " + e, e);
    } finally {
      p.destroyForcibly();
    }
  }

  private Credentials parse(byte[] out, String serverUrl) throws RegistryException {
    JsonNode n;
    try {
      n = Json.read(out);
    } catch (IOException e) {
      throw new RegistryException(executableName() + " answered invalid JSON for " + serverUrl, e);
    }
    String user = text(n, "Username");
    String secret = text(n, "Secret");
    if (secret == null || secret.isEmpty()) {
      throw new RegistryException(executableName() + " answered no Secret for " + serverUrl);
    }
    try {
      if (user == null || user.isEmpty() || user.equals(TOKEN_USERNAME)) {
        return Credentials.identityToken(secret);
      }
      return Credentials.basic(user, secret);
    } catch (IllegalArgumentException e) {
      throw new RegistryException(executableName() + " answered unusable credentials for " + serverUrl + ": " + e.getMessage(), e);
    }
  }

  private @Nullable String text(JsonNode n, String field) throws RegistryException {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new RegistryException(executableName() + " answered a non-string " + field);
    }
    return v.textValue();
  }

  private Path locate() throws RegistryException {
    for (Path dir : searchPath) {
      Path exe = dir.resolve(executableName());
      if (Files.isRegularFile(exe) && Files.isExecutable(exe)) {
        return exe;
      }
    }
    throw new RegistryException(
        "credential helper " + executableName() + " not found in " + searchPath);
  }

  private record Bounded(byte[] bytes, boolean overflow) {}

  private static CompletableFuture<Bounded> drain(InputStream in) {
    CompletableFuture<Bounded> f = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              ByteArrayOutputStream buf = new ByteArrayOutputStream();
              boolean overflow = false;
              byte[] chunk = new byte[8192];
              try (in) {
                int n;
                while ((n = in.read(chunk)) > 0) {
                  // Keep draining past the limit so the helper never blocks on a full pipe.
                  if (buf.size() + n > MAX_OUTPUT) {
                    overflow = true;
                  } else {
                    buf.write(chunk, 0, n);
                  }
                }
                f.complete(new Bounded(buf.toByteArray(), overflow));
              } catch (IOException e) {
                f.completeExceptionally(e);
              }
            },
            "credential-helper-reader");
    t.setDaemon(true);
    t.start();
    return f;
  }

  private static String abbreviate(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "...";
  }
}
