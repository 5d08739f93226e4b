package dev.attest.registry;

import dev.attest.core.Descriptor;

/**
 * What a manifest push did.
 *
 * @param descriptor the pushed manifest
 * @param referrersApi true if the registry answered with {@code OCI-Subject}, so it indexes the
 *     referrer itself
 * @param fallbackIndexUpdated true if the subject's tag-schema index was updated to list it
 * @param confirmed true if the registry's own answer proves it stored the manifest under its
 *     digest (a 201 with {@code Docker-Content-Digest} naming it): a caller need not ask again
 */
public record PushResult(Descriptor descriptor, boolean referrersApi, boolean fallbackIndexUpdated,
    boolean confirmed) {

  /** A push whose answer did not confirm the digest. */
  public PushResult(Descriptor descriptor, boolean referrersApi, boolean fallbackIndexUpdated) {
    this(descriptor, referrersApi, fallbackIndexUpdated, false);
  }
}
