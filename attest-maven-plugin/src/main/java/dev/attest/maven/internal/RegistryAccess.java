package dev.attest.maven.internal;

import dev.attest.registry.CredentialStore;
import dev.attest.registry.Credentials;
import dev.attest.registry.Registry;
import dev.attest.registry.RemoteRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.maven.plugin.MojoExecutionException;

/**
 * Registry clients for a build: credentials from the {@code settings.xml} server whose id is the
 * registry host (as Jib reads them), then from the Docker config; plain HTTP only on loopback or
 * when the build allows insecure registries; no remote registry when Maven runs offline.
 */
public final class RegistryAccess implements AutoCloseable {
  private final CredentialStore credentials;
  private final boolean allowHttp;
  private final int retries;
  private final boolean offline;
  private final List<Registry> opened = new ArrayList<>();

  /**
   * @param servers the {@code settings.xml} servers with credentials, as id to {username, password}
   */
  public RegistryAccess(Map<String, String[]> servers, boolean allowHttp, int retries, boolean offline)
      throws MojoExecutionException {
    if (retries < 0 || retries > 20) {
      throw new MojoExecutionException("retries must be 0..20, got " + retries);
    }
    this.credentials = CredentialStore.firstOf(fromServers(servers), CredentialStore.dockerConfig());
    this.allowHttp = allowHttp;
    this.retries = retries;
    this.offline = offline;
  }

  /**
   * The servers as a credential store. Ids are matched as Jib matches them: equal to the registry
   * host, with or without the port; ids that name no registry (a Maven repository's) are never
   * asked for.
   */
  static CredentialStore fromServers(Map<String, String[]> servers) {
    Map<String, Credentials> byId = new HashMap<>();
    servers.forEach((id, up) -> byId.put(id, Credentials.basic(up[0], up[1])));
    return host -> {
      Credentials c = byId.get(host);
      if (c == null && host.indexOf(':') > 0) {
        c = byId.get(host.substring(0, host.indexOf(':')));
      }
      return Optional.ofNullable(c);
    };
  }

  /** A client of {@code host}; closed with this object. */
  public synchronized Registry open(String host) throws MojoExecutionException {
    if (offline && !isLoopback(host)) {
      throw new MojoExecutionException("Maven is offline (-o) and " + host + " is a remote registry: run without -o,"
          + " or use attest:plan to see what would be done");
    }
    RemoteRegistry.Builder b = RemoteRegistry.builder(host).retries(retries).credentials(credentials);
    if (allowHttp) {
      b.allowHttp();
    }
    Registry r = b.build();
    opened.add(r);
    return r;
  }

  /** {@link #open(String)} for a verifier's registry factory, which cannot throw checked exceptions. */
  public Registry openUnchecked(String host) {
    try {
      return open(host);
    } catch (MojoExecutionException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  static boolean isLoopback(String host) {
    String h = host;
    if (h.startsWith("[")) {
      h = h.substring(1, Math.max(1, h.indexOf(']')));
    } else if (h.indexOf(':') > 0 && h.indexOf(':') == h.lastIndexOf(':')) {
      h = h.substring(0, h.indexOf(':'));
    }
    if (h.equals("localhost")) {
      return true;
    }
    if (!h.matches("[0-9.]+") && !h.contains(":")) {
      return false; // a name: never resolved here, so no DNS lookup offline
    }
    try {
      return InetAddress.getByName(h).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  @Override
  public synchronized void close() {
    opened.forEach(Registry::close);
    opened.clear();
  }
}
