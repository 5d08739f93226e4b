package dev.attest.verify;

import dev.attest.core.AttestException;

/**
 * Verifies one image against a policy. This is the seam between the admission and caching code
 * and the verifier proper.
 *
 * <p>An implementation resolves a tag to a digest before anything else and names that digest in
 * the report. It returns a denying report for a policy failure; it throws only when it cannot
 * decide at all, and callers such as {@link AdmissionHandler} turn that into a deny.
 */
@FunctionalInterface
public interface ImageVerifier {

  /**
   * Verifies {@code imageReference}, e.g. {@code ghcr.io/acme/api@sha256:...} or {@code ghcr.io/acme/api:1.2}.
   *
   * @throws AttestException when no decision could be made (registry unreachable, ...)
   */
  VerificationReport verify(String imageReference) throws AttestException;
}
