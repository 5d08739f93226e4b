package dev.attest.verify;

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
}
