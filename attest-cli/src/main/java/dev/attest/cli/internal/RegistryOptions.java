package dev.attest.cli.internal;

import dev.attest.core.ImageRef;
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
    if (retries < 0 || retries > 20) {
      throw new UsageException("--retries must be 0..20, got " + retries);
    }
    RemoteRegistry.Builder b = RemoteRegistry.builder(ref.registry()).retries(retries);
    if (plainHttp) {
      b.allowHttp();
    }
    return b.build();
  }

  static ImageRef parseRef(String text) {
    try {
      return ImageRef.parse(text);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage(), e);
    }
  }
}
