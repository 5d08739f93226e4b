package dev.attest.cli.internal;

import dev.attest.core.AttestException;
import dev.attest.core.Digest;
import dev.attest.core.ImageRef;
import dev.attest.registry.OciLayout;
import dev.attest.registry.Registry;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An image named on the command line: a registry reference ({@code registry/repository[:tag][@digest]})
 * or an OCI image layout in skopeo's spelling, {@code oci:DIR}, {@code oci:DIR:TAG}, {@code
 * oci:DIR@DIGEST}, and, where the layout holds several repositories, {@code oci:DIR:REPO:TAG} or
 * {@code oci:DIR:REPO@DIGEST} (the repository as {@code io.containerd.image.name} names it).
 *
 * @param image the registry reference, or null for a layout
 * @param layout the layout directory, or null for a registry
 * @param repository the repository named, or null for a layout that named none
 * @param tag the tag, or null
 * @param digest the digest, or null
 * @param text what was given
 * @see <a href="https://github.com/containers/image/blob/main/docs/containers-transports.5.md">containers-transports(5): oci</a>
 */
record Target(@Nullable ImageRef image, @Nullable Path layout, @Nullable String repository, @Nullable String tag,
    @Nullable Digest digest, String text) {

  static final String OCI = "oci:";

  static Target parse(String text) {
    if (!text.startsWith(OCI)) {
      ImageRef ref = RegistryOptions.parseRef(text);
      return new Target(ref, null, ref.repository(), ref.tag(), ref.digest(), text);
    }
    String rest = text.substring(OCI.length());
    Digest digest = null;
    int at = rest.lastIndexOf('@');
    if (at >= 0) {
      try {
        digest = Digest.parse(rest.substring(at + 1));
      } catch (IllegalArgumentException e) {
        throw new UsageException("'" + text + "': " + e.getMessage(), e);
      }
      rest = rest.substring(0, at);
    }
    int colon = rest.indexOf(':');
    String dir = colon < 0 ? rest : rest.substring(0, colon);
    String name = colon < 0 ? null : rest.substring(colon + 1);
    if (dir.isEmpty()) {
      throw new UsageException("'" + text + "' names no directory: oci:DIR[:TAG|@DIGEST|:REPO:TAG|:REPO@DIGEST]");
    }
    String repository = null;
    String tag = null;
    if (name != null) {
      int c = name.lastIndexOf(':');
      if (c >= 0) {
        repository = name.substring(0, c);
        tag = name.substring(c + 1);
      } else if (digest != null) {
        repository = name; // oci:DIR:REPO@DIGEST
      } else {
        tag = name; // oci:DIR:TAG, as skopeo spells it
      }
      if ((repository != null && repository.isEmpty()) || (tag != null && tag.isEmpty())) {
        throw new UsageException("'" + text + "': empty repository or tag; oci:DIR[:TAG|@DIGEST|:REPO:TAG|:REPO@DIGEST]");
      }
    }
    return new Target(null, Path.of(dir), repository, tag, digest, text);
  }

  boolean isLayout() {
    return layout != null;
  }

  /** The registry, or the layout (created if {@code create}); the caller closes it. */
  Registry open(RegistryOptions options, boolean create) throws AttestException {
    if (image != null) {
      return options.open(image);
    }
    Path dir = layout;
    return create ? OciLayout.create(dir) : OciLayout.open(dir);
  }

  /**
   * The repository: the one named, else the one the layout's tags name, else {@code fallback}
   * (for a layout whose tags name none, every repository sees its tags).
   *
   * @throws UsageException if the layout holds several repositories and none was named
   */
  String repositoryIn(String fallback) throws AttestException {
    if (repository != null) {
      return repository;
    }
    // The layout this target names, read again by its directory: no cast of the Registry.
    List<String> repos = layout != null ? OciLayout.open(layout).repositories() : List.of();
    if (repos.size() > 1) {
      throw new UsageException(text + " holds several repositories (" + String.join(", ", repos)
          + "): name one, as oci:DIR:REPO:TAG or oci:DIR:REPO@DIGEST");
    }
    return repos.isEmpty() ? fallback : repos.get(0);
  }

  /** The digest named, or the one the tag points at. */
  Digest digestIn(Registry registry, String repo) throws AttestException {
    if (image != null) {
      return RegistryOptions.digestOf(registry, image);
    }
    if (digest != null) {
      return digest;
    }
    if (tag == null) {
      throw new UsageException(text + " names no tag or digest");
    }
    return registry.resolve(repo, tag).digest();
  }

  /** A name for output: registry/repository, or oci:DIR:REPO. */
  String name(String repo) {
    return image != null ? image.name() : OCI + layout + ":" + repo;
  }
}
