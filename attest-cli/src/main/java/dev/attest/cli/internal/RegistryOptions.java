package dev.attest.cli.internal;

import dev.attest.core.AttestException;
import dev.attest.core.Digest;
import dev.attest.core.ImageRef;
import dev.attest.registry.Registry;
import dev.attest.registry.CredentialStore;
import dev.attest.registry.RemoteRegistry;
import picocli.CommandLine.Option;

/** How to reach a registry: shared by the commands that take an image reference. */
final class RegistryOptions {

  @Option(
      names = {"--insecure", "--plain-http"},
      description =
          "Speak plain HTTP to a registry that is not on localhost or 127.0.0.0/8 (those always use"
              + " plain HTTP).")
  boolean plainHttp;

  @Option(
      names = "--retries",
      paramLabel = "N",
      defaultValue = "4",
      description = "Retries of a failed idempotent request (default: ${DEFAULT-VALUE}).")
  int retries = 4;

  /** A client of the registry {@code ref} names. */
  RemoteRegistry open(ImageRef ref) {
    return open(ref.registry());
  }

  /**
   * A client of {@code host}, with the Docker CLI's credentials ({@code $DOCKER_CONFIG/config.json}
   * or {@code ~/.docker/config.json}, asked only when the registry challenges).
   */
  RemoteRegistry open(String host) {
    if (retries < 0 || retries > 20) {
      throw new UsageException("--retries must be 0..20, got " + retries);
    }
    RemoteRegistry.Builder b =
        RemoteRegistry.builder(host).retries(retries).credentials(CredentialStore.dockerConfig());
    if (plainHttp) {
      b.allowHttp();
    }
    return b.build();
  }

  /** The digest {@code ref} names, resolving its tag on {@code registry} if it has no digest. */
  static Digest digestOf(Registry registry, ImageRef ref) throws AttestException {
    Digest d = ref.digest();
    return d != null ? d : registry.resolve(ref.repository(), ref.reference()).digest();
  }

  static ImageRef parseRef(String text) {
    try {
      return ImageRef.parse(text);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage(), e);
    }
  }
}
