package dev.attest.verify;

import dev.attest.core.Digest;
import dev.attest.core.ImageRef;
import dev.attest.registry.Registry;

/**
 * Verifies one image against a policy. This is the seam between the admission and caching code
 * and the verifier proper.
 *
 * <p>An implementation resolves a tag to a digest before anything else and names that digest in
 * the report. It returns a denying report for a policy failure and for anything it cannot check
 * (an unreachable registry, a malformed attestation), as {@link PolicyVerifier#verify(String)}
 * does, so it declares no checked exception. An unchecked exception from an implementation is a
 * bug; callers such as {@link AdmissionHandler} still turn it into a deny.
 */
@FunctionalInterface
public interface ImageVerifier {

  /**
   * Verifies {@code imageReference}, e.g. {@code ghcr.io/acme/api@sha256:...} or {@code ghcr.io/acme/api:1.2}.
   *
   * @param imageReference the image to verify, by digest or by tag
   * @return the report; never null, and denying when the image could not be checked
   */
  VerificationReport verify(String imageReference);

  /**
   * Verifies {@code digest} in {@code repository} on {@code registry}: the object form, which the
   * promotion gate and verify-after use so that a verifier reads the side it is given and never maps
   * a host name back to a registry. An implementation that reads registries itself ({@link
   * PolicyVerifier}) verifies on {@code registry}. This default, for verifiers that only take
   * references, flattens to {@code name/repository@digest} and calls {@link #verify(String)}.
   *
   * @return the report; never null, and denying when the image could not be checked
   */
  default VerificationReport verify(Registry registry, String repository, Digest digest) {
    return verify(registry.name() + "/" + repository + "@" + digest);
  }

  /**
   * Whether {@link #verify(Registry, String, Digest)} can verify on {@code registry}. A promotion
   * refuses, before any I/O, a gate whose verifier cannot serve its source or (with verify-after)
   * its destination. The default, for verifiers that only take references, serves a registry whose
   * {@link Registry#name() name} is a registry host (not, for example, an OCI layout's {@code
   * oci:/path}).
   */
  default boolean serves(Registry registry) {
    try {
      ImageRef.parse(registry.name() + "/r@" + Digest.sha256(new byte[0]));
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
