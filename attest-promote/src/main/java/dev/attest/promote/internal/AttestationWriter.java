package dev.attest.promote.internal;

import dev.attest.core.AttestException;
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
import dev.attest.registry.BlobSource;
import dev.attest.registry.PushResult;
import dev.attest.registry.Registry;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * Attaches a signed promotion attestation as a referrer, in the layout of cosign 3 and
 * actions/attest: a Sigstore bundle v0.3 as the single layer of an artifact manifest with an empty
 * config.
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
    Registry dst = destination.registry();
    String repo = destination.repository();
    Statement statement = Statement.of(List.of(Subject.of(destination.displayName(), subject.digest())), predicate);
    DsseEnvelope envelope = DsseEnvelope.sign(statement, signer);
    SigstoreBundle bundle = SigstoreBundle.ofDsse(envelope, signer.hint());
    byte[] bundleBytes = bundle.bytes();
    Descriptor config = Descriptor.EMPTY.withoutData();
    if (!dst.hasBlob(repo, config.digest())) {
      dst.pushBlob(repo, config, BlobSource.of(Descriptor.emptyBytes()));
      writes++;
    }
    Descriptor layer = Descriptor.ofBytes(MediaTypes.SIGSTORE_BUNDLE_V03, bundleBytes);
    dst.pushBlob(repo, layer, BlobSource.of(bundleBytes));
    writes++;
    ImageManifest m = ImageManifest.builder()
        .artifactType(MediaTypes.SIGSTORE_BUNDLE_V03)
        .config(config)
        .layer(layer)
        .subject(subject.plainDescriptor())
        .annotation("dev.sigstore.bundle.content", SigstoreBundle.CONTENT_DSSE_ENVELOPE)
        .annotation("dev.sigstore.bundle.predicateType", PromotionPredicate.TYPE)
        .annotation("org.opencontainers.image.created", predicate.promotedAt().toString())
        .build();
    PushResult r = dst.pushManifest(repo, m);
    writes += r.fallbackIndexUpdated() ? 2 : 1;
    return m.descriptor();
  }

  private Optional<Descriptor> findEquivalent(Manifest subject, PromotionPredicate wanted, Signer signer)
      throws AttestException {
    Registry dst = destination.registry();
    String repo = destination.repository();
    int examined = 0;
    for (Descriptor d : dst.referrers(repo, subject.digest(), MediaTypes.SIGSTORE_BUNDLE_V03)) {
      if (!PromotionPredicate.TYPE.equals(d.annotations().get("dev.sigstore.bundle.predicateType"))) {
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
        bytes = in.readAllBytes();
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
