/**
 * Fail-closed verification of OCI images: the {@link dev.attest.verify.Policy} model, the
 * {@link dev.attest.verify.VerificationReport}, a {@link dev.attest.verify.VerificationCache},
 * the {@link dev.attest.verify.ImageVerifier} seam, Kubernetes admission and policy export.
 */
@NullMarked
package dev.attest.verify;

import org.jspecify.annotations.NullMarked;
