package dev.attest.registry;

import dev.attest.core.Descriptor;
import dev.attest.core.SigstoreBundle;
import java.util.Objects;

/**
 * One referrer that {@link Attestations#attach()} or {@link Signatures#attach()} pushed.
 *
 * @param descriptor the referrer manifest, with its artifact type and annotations
 * @param subject the image manifest or index it refers to
 * @param predicateType the in-toto predicate type of the statement in the bundle
 * @param bundle the Sigstore bundle pushed as the manifest's single layer, with its exact bytes
 */
public record AttachedReferrer(Descriptor descriptor, Descriptor subject, String predicateType, SigstoreBundle bundle) {
  /** Checks that every component is present. */
  public AttachedReferrer {
    Objects.requireNonNull(descriptor, "descriptor");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(predicateType, "predicateType");
    Objects.requireNonNull(bundle, "bundle");
  }
}
