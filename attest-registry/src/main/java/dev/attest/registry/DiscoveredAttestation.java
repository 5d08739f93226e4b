package dev.attest.registry;

import dev.attest.core.Descriptor;
import dev.attest.core.DsseEnvelope;
import dev.attest.core.SigstoreBundle;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An attestation or signature found on an image by {@link Attestations#read}. Nothing in it is
 * verified: signatures, certificates and statement subjects are for attest-verify to check.
 *
 * <p>Only the exact bytes ({@link #raw()}) are authoritative; the parsed views and the
 * annotations are conveniences. An item that could not be fetched or parsed (too big, malformed)
 * is still listed, with {@link #error()} saying why and no parsed views, so that a verifier can
 * report it rather than silently miss it.
 *
 * @param source where it was found
 * @param manifest the manifest that holds it: the referrer manifest, or the legacy {@code .sig} /
 *     {@code .att} tag's manifest
 * @param layer the layer holding {@link #raw()}
 * @param raw the layer's exact bytes (a Sigstore bundle, a DSSE envelope or a simple-signing
 *     payload); empty when {@link #error()} is set before download
 * @param bundle the parsed Sigstore bundle (referrers with a bundle layer), or null
 * @param envelope the DSSE envelope (inside the bundle, or the legacy attestation layer), or null
 * @param predicateType the statement's predicate type if the payload parses, else the
 *     annotation's, or null
 * @param annotations the referrer manifest's annotations (for referrers) or the layer's (for
 *     legacy tags, where cosign puts the signature, certificate, chain and Rekor bundle)
 * @param error why this item could not be read, or null
 */
public record DiscoveredAttestation(
    Source source,
    Descriptor manifest,
    Descriptor layer,
    byte[] raw,
    @Nullable SigstoreBundle bundle,
    @Nullable DsseEnvelope envelope,
    @Nullable String predicateType,
    Map<String, String> annotations,
    @Nullable String error) {

  /** The legacy cosign signature annotation: the base64 signature over the simple-signing payload. */
  public static final String COSIGN_SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";
  /** The legacy cosign annotation with the signing certificate (PEM). */
  public static final String COSIGN_CERTIFICATE_ANNOTATION = "dev.sigstore.cosign/certificate";
  /** The legacy cosign annotation with the certificate chain (PEM). */
  public static final String COSIGN_CHAIN_ANNOTATION = "dev.sigstore.cosign/chain";
  /** The legacy cosign annotation with the Rekor bundle (JSON: SignedEntryTimestamp and payload). */
  public static final String COSIGN_BUNDLE_ANNOTATION = "dev.sigstore.cosign/bundle";

  /** Where an attestation was found. */
  public enum Source {
    /** A referrer (referrers API or the {@code <alg>-<hex>} fallback tag index). */
    REFERRER,
    /** A layer of cosign's legacy {@code sha256-<hex>.sig} signature tag. */
    LEGACY_SIG,
    /** A layer of cosign's legacy {@code sha256-<hex>.att} attestation tag. */
    LEGACY_ATT
  }

  /** Validates the components and copies the bytes. */
  public DiscoveredAttestation {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(manifest, "manifest");
    Objects.requireNonNull(layer, "layer");
    raw = Objects.requireNonNull(raw, "raw").clone();
    annotations = Map.copyOf(annotations);
  }

  /** The exact layer bytes. A fresh copy. */
  @Override
  public byte[] raw() {
    return raw.clone();
  }

  /** The parsed Sigstore bundle, if this is a bundle referrer that parsed. */
  public Optional<SigstoreBundle> sigstoreBundle() {
    return Optional.ofNullable(bundle);
  }

  /** The DSSE envelope, if there is one and it parsed. */
  public Optional<DsseEnvelope> dsseEnvelope() {
    return Optional.ofNullable(envelope);
  }

  /** The predicate type, if known. */
  public Optional<String> predicate() {
    return Optional.ofNullable(predicateType);
  }

  /** Why this item could not be read, if it could not. */
  public Optional<String> problem() {
    return Optional.ofNullable(error);
  }

  /** The annotation {@code key}, if present. */
  public Optional<String> annotation(String key) {
    return Optional.ofNullable(annotations.get(key));
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof DiscoveredAttestation d
        && source == d.source
        && manifest.equals(d.manifest)
        && layer.equals(d.layer)
        && Arrays.equals(raw, d.raw);
  }

  @Override
  public int hashCode() {
    return Objects.hash(source, manifest, layer, Arrays.hashCode(raw));
  }

  @Override
  public String toString() {
    return "DiscoveredAttestation[" + source + " " + manifest.digest() + " layer " + layer.digest()
        + (predicateType == null ? "" : " " + predicateType) + (error == null ? "" : " error: " + error) + "]";
  }
}
