package dev.attest.registry;

import dev.attest.core.Descriptor;

/**
 * What a manifest push did.
 *
 * @param descriptor the pushed manifest
 * @param referrersApi true if the registry answered with {@code OCI-Subject}, so it indexes the
 *     referrer itself
 * @param fallbackIndexUpdated true if the subject's tag-schema index was updated to list it
 */
public record PushResult(Descriptor descriptor, boolean referrersApi, boolean fallbackIndexUpdated) {}
