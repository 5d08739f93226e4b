package dev.attest.promote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.CycloneDxSbom;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.ImageIndex;
import dev.attest.core.ImageManifest;
import dev.attest.core.Keys;
import dev.attest.core.SbomComponent;
import dev.attest.core.Signer;
import dev.attest.registry.Attestations;
import dev.attest.registry.PushOptions;
import dev.attest.registry.Registry;
import dev.attest.registry.RemoteRegistry;
import dev.attest.verify.Policy;
import dev.attest.verify.PolicyVerifier;
import dev.attest.verify.TrustedKey;
import dev.attest.verify.VerificationReport;
import java.security.KeyPair;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The five ways a destination gets damaged (garbage collection, retention policies, an
 * interrupted writer), each repaired by one promotion with verification at the destination: it
 * ends verifying ALLOW with a real {@link PolicyVerifier}, every manifest and referrer
 * byte-identical to the source, no tag moved, and no index entry that points at nothing.
 * Subclasses give the registries: 2.8.2, the embedded registry with and without the referrers
 * API, and an OCI layout as the destination.
 */
abstract class HealingContract {
  static final KeyPair KEY = Keys.generateP256();
  static final Signer SIGNER = Keys.signer(KEY);
  static final AtomicInteger REPOS = new AtomicInteger();

  /** The source (a client of a registry with the referrers API) and the destination being damaged: set by subclasses. */
  RemoteRegistry source;
  Registry destination;

  enum Damage {
    DELETED_REFERRER_MANIFEST,
    DELETED_BLOB,
    DELETED_CHILD_MANIFEST,
    TRUNCATED_FALLBACK_INDEX,
    INDEX_ENTRY_POINTING_AT_NOTHING
  }

  static Policy policy() {
    return Policy.builder("heal")
        .trust("k", Policy.Trust.ofKeys(TrustedKey.ofSpki(KEY.getPublic().getEncoded())))
        .signedBy("k")
        .attestation(Policy.AttestationRule.of(CycloneDxSbom.PREDICATE_TYPE, "k"))
        .build();
  }

  @ParameterizedTest
  @EnumSource(Damage.class)
  void onePromotionRepairsTheDestination(Damage damage) throws Exception {
    RemoteRegistry src = source;
    Registry dst = destination;
    String from = "dev/heal" + REPOS.incrementAndGet();
    String to = "prod/" + from.substring(4);
    // A 2-platform image, signed, with an SBOM attestation on the index and on each platform.
    ImageManifest amd = Content.image(src, from, 1, 2048, "amd64");
    ImageManifest arm = Content.image(src, from, 2, 2048, "arm64");
    ImageIndex index = ImageIndex.builder()
        .manifest(amd.plainDescriptor().withPlatform(dev.attest.core.Platform.parse("linux/amd64")))
        .manifest(arm.plainDescriptor().withPlatform(dev.attest.core.Platform.parse("linux/arm64"))).build();
    src.pushManifest(from, index, PushOptions.tagged("v1"));
    Attestations.on(src, from, index.digest())
        .sbom(CycloneDxSbom.fromComponents(List.of(SbomComponent.of("app", "1.0", "pkg:maven/acme/app@1.0"))))
        .imageSignature().signWith(SIGNER).recursive().attach();
    Policy policy = policy();
    try (PolicyVerifier verifier = PolicyVerifier.builder(policy)
        .registries(host -> host.equals(src.name()) ? src : dst).build()) {
      promotion(src, from, dst, to, index, policy, verifier).execute();
      assertThat(verify(verifier, dst, to, index).decision()).isEqualTo(VerificationReport.Decision.ALLOW);

      Digest damaged = damage(damage, src, from, dst, to, index);

      PromotionReport healed = promotion(src, from, dst, to, index, policy, verifier).execute();
      assertThat(healed.after().admitted()).as(healed.toString()).isTrue();
      assertThat(verify(verifier, dst, to, index).decision()).isEqualTo(VerificationReport.Decision.ALLOW);
      Content.assertPromoted(src, from, dst, to, index.digest());
      assertThat(dst.resolve(to, "v1").digest()).as("no tag moved").isEqualTo(index.digest());
      assertThat(healed.tagsWritten()).isZero();
      assertNoIndexEntryPointsAtNothing(dst, to, index);
      if (damaged != null) {
        assertThat(healed.repaired()).extracting(PromotionPlan.Item::digest).as(healed.toString()).contains(damaged);
      }
      if (damage == Damage.INDEX_ENTRY_POINTING_AT_NOTHING && dropsEntries()) {
        assertThat(healed.dropped()).as(healed.toString()).isNotEmpty();
      }
      // Healed: the next run finds nothing to do.
      PromotionReport again = promotion(src, from, dst, to, index, policy, verifier).execute();
      assertThat(again.writes()).as(again.toString()).isZero();
      assertThat(again.recheck()).isNull();
    }
  }

  /** Whether the destination keeps a tag-schema index that can hold a dangling entry. */
  boolean dropsEntries() {
    return true;
  }

  private static Promotion promotion(Registry src, String from, Registry dst, String to, ImageIndex index,
      Policy policy, PolicyVerifier verifier) {
    return Promotion.of(index.digest()).from(src, from).to(dst, to).tags("v1").gate(policy, verifier).verifyAfter();
  }

  private static VerificationReport verify(PolicyVerifier verifier, Registry dst, String to, ImageIndex index) {
    return verifier.verify(dst, to, index.digest().toString());
  }

  /** Damages the destination; returns the item a repair must copy again, if any. */
  private static Digest damage(Damage damage, Registry src, String from, Registry dst, String to, ImageIndex index)
      throws Exception {
    Digest root = index.digest();
    Descriptor sbom = src.referrers(from, root, null).stream()
        .filter(d -> CycloneDxSbom.PREDICATE_TYPE.equals(d.annotations().get("dev.sigstore.bundle.predicateType")))
        .findFirst().orElseThrow();
    switch (damage) {
      case DELETED_REFERRER_MANIFEST -> {
        dst.delete(to, sbom.digest());
        return sbom.digest();
      }
      case DELETED_BLOB -> {
        ImageManifest m = (ImageManifest) src.fetchManifest(from, sbom.digest().toString());
        Digest bundle = m.layers().get(0).digest();
        dst.delete(to, bundle);
        assertThat(dst.hasBlob(to, bundle)).isFalse();
        return bundle;
      }
      case DELETED_CHILD_MANIFEST -> {
        Digest child = index.manifests().get(1).digest();
        dst.delete(to, child);
        return child;
      }
      case TRUNCATED_FALLBACK_INDEX -> {
        List<Descriptor> listed = dst.referrers(to, root, null);
        ImageIndex truncated = ImageIndex.builder().manifest(listed.get(0)).build();
        dst.pushManifest(to, truncated, PushOptions.tagged(root.tagSchemaTag()));
        return null;
      }
      case INDEX_ENTRY_POINTING_AT_NOTHING -> {
        // A referrer only the destination had, deleted there after it was indexed.
        ImageManifest stray = Content.referrer(dst, to, index.plainDescriptor(), Content.SBOM, 99);
        dst.delete(to, stray.digest());
        return null;
      }
      default -> throw new IllegalStateException();
    }
  }

  /** Every referrer the destination lists for the image and its children, it serves. */
  private static void assertNoIndexEntryPointsAtNothing(Registry dst, String to, ImageIndex index) throws Exception {
    List<Digest> subjects = new java.util.ArrayList<>(List.of(index.digest()));
    index.manifests().forEach(d -> subjects.add(d.digest()));
    for (Digest s : subjects) {
      for (Descriptor d : dst.referrers(to, s, null)) {
        assertThat(dst.hasManifest(to, d.digest())).as("%s listed for %s", d.digest(), s).isTrue();
      }
    }
  }
}
