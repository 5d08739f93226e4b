package dev.attest.registry.internal.attest;

import dev.attest.core.AttestException;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.DsseEnvelope;
import dev.attest.core.ImageManifest;
import dev.attest.core.InvalidContentException;
import dev.attest.core.Manifest;
import dev.attest.core.MediaTypes;
import dev.attest.core.SigstoreBundle;
import dev.attest.core.Statement;
import dev.attest.registry.Attestations;
import dev.attest.registry.DiscoveredAttestation;
import dev.attest.registry.DiscoveredAttestation.Source;
import dev.attest.registry.NotFoundException;
import dev.attest.registry.Registry;
import dev.attest.registry.RegistryUnreachableException;
import dev.attest.registry.UnauthorizedException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The work behind {@link Attestations#read}: referrers, then cosign's legacy tags. */
public final class Discovery {
  /** At most this many referrers are inspected. */
  static final int MAX_REFERRERS = 256;
  /** At most this many layers per manifest are read. */
  static final int MAX_LAYERS = 64;
  /** Legacy simple-signing payloads are small JSON documents. */
  static final int MAX_SIMPLE_SIGNING_BYTES = 1024 * 1024;

  /** Referrer artifact types that may hold attestations. */
  static final Set<String> ARTIFACT_TYPES = Set.of(
      SigstoreBundle.MEDIA_TYPE_V0_3,
      SigstoreBundle.MEDIA_TYPE_V0_3_ALT,
      SigstoreBundle.MEDIA_TYPE_V0_2,
      SigstoreBundle.MEDIA_TYPE_V0_1,
      MediaTypes.IN_TOTO,
      MediaTypes.DSSE_ENVELOPE);

  /** cosign's legacy tag suffixes after {@code sha256-<hex>}: signatures, then attestations. */
  private static final List<String> LEGACY_SUFFIXES = List.of(".sig", ".att");

  private Discovery() {}

  /** Whether a referrers listing entry may hold attestations, so that {@link #read} reads it. */
  public static boolean mayHoldAttestations(Descriptor referrer) {
    return referrer.artifactType() != null && ARTIFACT_TYPES.contains(referrer.artifactType());
  }

  /** Whether {@link #read} reads {@code layer} of a referrer: a Sigstore bundle or a DSSE envelope. */
  public static boolean isBundleOrEnvelope(Descriptor layer) {
    return isBundle(layer) || layer.mediaType().equals(MediaTypes.DSSE_ENVELOPE);
  }

  private static boolean isBundle(Descriptor layer) {
    return layer.mediaType().startsWith("application/vnd.dev.sigstore.bundle");
  }

  /** cosign's legacy tags of {@code subject} that {@link #read} looks up, in order. */
  public static List<String> legacyTags(Digest subject) {
    return LEGACY_SUFFIXES.stream().map(s -> subject.tagSchemaTag() + s).toList();
  }

  /** The entries of a referrers listing that {@link #read} opens, in order, at most {@value #MAX_REFERRERS}. */
  public static List<Descriptor> referrersToRead(List<Descriptor> listing) {
    return listing.stream().filter(Discovery::mayHoldAttestations).limit(MAX_REFERRERS).toList();
  }

  /** The layers of a referrer manifest that {@link #read} reads, in order, at most {@value #MAX_LAYERS}. */
  public static List<Descriptor> layersToRead(ImageManifest referrer) {
    return referrer.layers().stream().filter(Discovery::isBundleOrEnvelope).limit(MAX_LAYERS).toList();
  }

  /**
   * The layers of a referrer manifest that {@link #read} downloads: those it reads, except
   * content embedded in the descriptor and layers over {@link Attestations#MAX_BUNDLE_BYTES}.
   */
  public static List<Descriptor> layersToDownload(ImageManifest referrer) {
    return layersToRead(referrer).stream()
        .filter(l -> l.data() == null && l.size() <= Attestations.MAX_BUNDLE_BYTES)
        .toList();
  }

  public static List<DiscoveredAttestation> read(Registry registry, String repository, Digest digest)
      throws AttestException {
    List<DiscoveredAttestation> out = new ArrayList<>();
    for (Descriptor r : referrersToRead(registry.referrers(repository, digest, null))) {
      readReferrer(registry, repository, digest, r, out);
    }
    readLegacy(registry, repository, digest, Source.LEGACY_SIG, out);
    readLegacy(registry, repository, digest, Source.LEGACY_ATT, out);
    return List.copyOf(out);
  }

  private static void readReferrer(
      Registry registry, String repository, Digest subject, Descriptor r, List<DiscoveredAttestation> out)
      throws AttestException {
    Manifest m;
    try {
      m = registry.fetchManifest(repository, r.digest().toString());
    } catch (RegistryUnreachableException | UnauthorizedException e) {
      throw e;
    } catch (AttestException e) {
      out.add(failed(Source.REFERRER, r, r, "cannot fetch referrer manifest " + r.digest() + ": " + e.getMessage()));
      return;
    }
    if (!(m instanceof ImageManifest im)) {
      out.add(failed(Source.REFERRER, m.descriptor(), r, "referrer " + r.digest() + " is an index, not an image manifest"));
      return;
    }
    Descriptor at = im.descriptor();
    Descriptor subj = im.subject().orElse(null);
    if (subj == null || !subj.digest().equals(subject)) {
      // A listing that points at a manifest about something else must not pass as this image's.
      out.add(failed(Source.REFERRER, at, r, "referrer " + r.digest() + " has subject "
          + (subj == null ? "none" : subj.digest().toString()) + ", not " + subject));
      return;
    }
    for (Descriptor layer : layersToRead(im)) {
      boolean bundle = isBundle(layer);
      Map<String, String> annotations = im.annotations();
      byte[] raw;
      try {
        raw = fetch(registry, repository, layer, Attestations.MAX_BUNDLE_BYTES);
      } catch (IOException | AttestException e) {
        out.add(failed(Source.REFERRER, at, layer, annotations, e.getMessage()));
        continue;
      }
      SigstoreBundle parsed = null;
      DsseEnvelope env = null;
      String error = null;
      try {
        if (bundle) {
          parsed = SigstoreBundle.parse(raw);
          env = parsed.dsseEnvelope().orElse(null);
        } else {
          env = DsseEnvelope.parse(raw);
        }
      } catch (AttestException e) {
        error = "layer " + layer.digest() + " of referrer " + r.digest() + ": " + e.getMessage();
      }
      String type = predicateType(env, annotations.get(Attestations.PREDICATE_TYPE));
      out.add(new DiscoveredAttestation(Source.REFERRER, at, layer, raw, parsed, env, type, annotations, error));
    }
  }

  private static void readLegacy(
      Registry registry, String repository, Digest digest, Source source, List<DiscoveredAttestation> out)
      throws AttestException {
    String tag = legacyTags(digest).get(source == Source.LEGACY_SIG ? 0 : 1);
    Manifest m;
    try {
      m = registry.fetchManifest(repository, tag);
    } catch (NotFoundException e) {
      return;
    }
    if (!(m instanceof ImageManifest im)) {
      return;
    }
    Descriptor at = im.descriptor();
    int layers = 0;
    for (Descriptor layer : im.layers()) {
      boolean sig = source == Source.LEGACY_SIG && layer.mediaType().equals(MediaTypes.COSIGN_SIMPLE_SIGNING);
      boolean att = source == Source.LEGACY_ATT && layer.mediaType().equals(MediaTypes.DSSE_ENVELOPE);
      if (!sig && !att) {
        continue;
      }
      if (++layers > MAX_LAYERS) {
        break;
      }
      Map<String, String> annotations = layer.annotations();
      byte[] raw;
      try {
        raw = fetch(registry, repository, layer, sig ? MAX_SIMPLE_SIGNING_BYTES : Attestations.MAX_BUNDLE_BYTES);
      } catch (IOException | AttestException e) {
        out.add(failed(source, at, layer, annotations, e.getMessage()));
        continue;
      }
      DsseEnvelope env = null;
      String error = null;
      if (att) {
        try {
          env = DsseEnvelope.parse(raw);
        } catch (AttestException e) {
          error = "layer " + layer.digest() + " of " + tag + ": " + e.getMessage();
        }
      }
      String type = sig ? null : predicateType(env, annotations.get("predicateType"));
      out.add(new DiscoveredAttestation(source, at, layer, raw, null, env, type, annotations, error));
    }
  }

  /** The statement's predicate type when the payload is a statement, else the annotation's. */
  private static @Nullable String predicateType(@Nullable DsseEnvelope env, @Nullable String annotated) {
    if (env != null && Statement.PAYLOAD_TYPE.equals(env.payloadType())) {
      try {
        return env.statement().predicateType();
      } catch (AttestException e) {
        // Unparseable statements fall back to the annotation; verification will refuse them.
      }
    }
    return annotated;
  }

  private static byte[] fetch(Registry registry, String repository, Descriptor layer, int max)
      throws IOException, AttestException {
    if (layer.size() > max) {
      throw new InvalidContentException(
          "layer " + layer.digest() + " is " + layer.size() + " bytes, over the limit of " + max + " bytes; not downloaded");
    }
    // Content embedded in the descriptor (OCI image-spec 1.1 "data") was hashed against the digest
    // when the manifest was parsed, so it is as good as a verified blob read, without the request.
    java.util.Optional<byte[]> embedded = layer.dataBytes();
    if (embedded.isPresent()) {
      return embedded.get();
    }
    try (InputStream in = registry.fetchBlob(repository, layer)) {
      return in.readAllBytes();
    }
  }

  private static DiscoveredAttestation failed(Source source, Descriptor manifest, Descriptor layer, String error) {
    return failed(source, manifest, layer, Map.of(), error);
  }

  private static DiscoveredAttestation failed(
      Source source, Descriptor manifest, Descriptor layer, Map<String, String> annotations, @Nullable String error) {
    return new DiscoveredAttestation(
        source, manifest, layer, new byte[0], null, null, null, annotations, error == null ? "unreadable" : error);
  }
}
