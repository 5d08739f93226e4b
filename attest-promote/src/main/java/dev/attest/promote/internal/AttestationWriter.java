package dev.attest.promote.internal;

import dev.attest.core.AttestException;
import dev.attest.core.BoundedReads;
import dev.attest.core.Descriptor;
import dev.attest.core.DsseEnvelope;
import dev.attest.core.ImageManifest;
import dev.attest.core.Keys;
import dev.attest.core.Manifest;
import dev.attest.core.MediaTypes;
import dev.attest.core.Signer;
import dev.attest.core.SigstoreBundle;
import dev.attest.core.Statement;
import dev.attest.core.Subject;
import dev.attest.promote.PromotionPredicate;
import dev.attest.promote.RepositoryRef;
import dev.attest.registry.AttachResult;
import dev.attest.registry.Attestations;
import dev.attest.registry.Registry;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/**
 * Attaches a signed promotion attestation through the public attach path ({@link Attestations}),
 * in the layout every attest attestation has (cosign 3, actions/attest): a Sigstore bundle v0.3 as
 * the single layer of an artifact manifest with an empty config. What is promotion's own is the
 * statement (its subject is named after the destination) and the check that an equivalent
 * attestation is not already there.
 */
public final class AttestationWriter {
  /** Existing promotion attestations examined for an equivalent one, at most. */
  static final int MAX_EXAMINED = 64;

  private final RepositoryRef destination;
  private int writes;

  public AttestationWriter(RepositoryRef destination) {
    this.destination = destination;
  }

  public int writes() {
    return writes;
  }

  /**
   * Attaches {@code predicate} to {@code subject} at the destination, unless an attestation of
   * the same promotion signed by the same key is already there; returns the manifest either way.
   */
  public Descriptor attach(Manifest subject, PromotionPredicate predicate, Signer signer) throws AttestException {
    Optional<Descriptor> existing = findEquivalent(subject, predicate, signer);
    if (existing.isPresent()) {
      return existing.get();
    }
    Statement statement = Statement.of(List.of(Subject.of(destination.displayName(), subject.digest())), predicate);
    AttachResult r = Attestations.on(destination.registry(), destination.repository(), subject)
        .statement(statement)
        .signWith(signer)
        .clock(Clock.fixed(predicate.promotedAt(), ZoneOffset.UTC))
        .attach();
    writes += r.writes();
    return r.referrers().get(0).descriptor();
  }

  private Optional<Descriptor> findEquivalent(Manifest subject, PromotionPredicate wanted, Signer signer)
      throws AttestException {
    Registry dst = destination.registry();
    String repo = destination.repository();
    int examined = 0;
    for (Descriptor d : dst.referrers(repo, subject.digest(), MediaTypes.SIGSTORE_BUNDLE_V03)) {
      if (!PromotionPredicate.TYPE.equals(d.annotations().get(Attestations.PREDICATE_TYPE))) {
        continue;
      }
      if (++examined > MAX_EXAMINED) {
        break;
      }
      if (matches(dst, repo, d, wanted, signer)) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }

  /** Any attestation that cannot be read or verified is not equivalent: a new one is written. */
  private static boolean matches(Registry dst, String repo, Descriptor d, PromotionPredicate wanted, Signer signer) {
    try {
      if (!(dst.fetchManifest(repo, d.digest().toString()) instanceof ImageManifest m) || m.layers().size() != 1) {
        return false;
      }
      Descriptor layer = m.layers().get(0);
      if (layer.size() > SigstoreBundle.MAX_BYTES) {
        return false;
      }
      byte[] bytes;
      try (InputStream in = dst.fetchBlob(repo, layer)) {
        bytes = BoundedReads.readAll(in, SigstoreBundle.MAX_BYTES, "promotion attestation bundle");
      }
      DsseEnvelope env = SigstoreBundle.parse(bytes).dsseEnvelope().orElse(null);
      if (env == null) {
        return false;
      }
      env.verify(Keys.verifier(signer.publicKey()));
      Statement s = env.statement();
      if (!s.predicateType().equals(PromotionPredicate.TYPE) || !s.covers(wanted.digest())) {
        return false;
      }
      return PromotionPredicate.parse(s.predicate()).samePromotion(wanted);
    } catch (AttestException | IOException | RuntimeException e) {
      return false;
    }
  }
}
