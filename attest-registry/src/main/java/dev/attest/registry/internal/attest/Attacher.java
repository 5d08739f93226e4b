package dev.attest.registry.internal.attest;

import dev.attest.core.AttestException;
import dev.attest.core.CycloneDxSbom;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.DsseEnvelope;
import dev.attest.core.ImageIndex;
import dev.attest.core.ImageManifest;
import dev.attest.core.InvalidContentException;
import dev.attest.core.Manifest;
import dev.attest.core.MediaTypes;
import dev.attest.core.Predicate;
import dev.attest.core.Predicates;
import dev.attest.core.SigstoreBundle;
import dev.attest.core.Signer;
import dev.attest.core.Statement;
import dev.attest.core.Subject;
import dev.attest.core.UnsupportedContentException;
import dev.attest.core.VulnerabilityScan;
import dev.attest.registry.AttachResult;
import dev.attest.registry.AttachedReferrer;
import dev.attest.registry.Attestations;
import dev.attest.registry.BlobSource;
import dev.attest.registry.NotFoundException;
import dev.attest.registry.PushResult;
import dev.attest.registry.Registry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The work behind {@link Attestations#attach()}: validate, sign, then push blobs, then manifests. */
public final class Attacher {
  /** Platform manifests of nested indexes are followed this deep. */
  static final int MAX_DEPTH = 4;
  /** At most this many subjects (an index and its manifests) in one attach. */
  static final int MAX_TARGETS = 256;

  private Attacher() {}

  /** Something to attach. */
  public sealed interface Item permits TypedPredicate, RawPredicate, ScannerReport, GivenStatement, GivenBundle, ImageSignature {}

  /** A typed predicate, made into a statement per subject and signed. */
  public record TypedPredicate(Predicate predicate) implements Item {}

  /** A predicate as JSON bytes, validated at attach. */
  public record RawPredicate(String predicateType, byte[] json) implements Item {}

  /** A Trivy or Grype JSON report, attached as a cosign vuln/v1 predicate; validation converts it. */
  public record ScannerReport(byte[] json) implements Item {}

  /** A statement made by the caller, signed as it is. */
  public record GivenStatement(Statement statement) implements Item {}

  /** A bundle signed elsewhere, pushed as it is. */
  public record GivenBundle(byte[] json) implements Item {}

  /** cosign 3's image signature statement. */
  public record ImageSignature() implements Item {}

  private record Pending(Descriptor subject, String predicateType, SigstoreBundle bundle) {}

  /**
   * Validates, signs and pushes {@code items} for {@code digest}; {@code known}, when not null, is
   * that manifest as the caller just read or pushed it, so it is not fetched again.
   */
  public static AttachResult attach(
      Registry registry,
      String repository,
      Digest digest,
      @Nullable Manifest known,
      List<Item> items,
      @Nullable Signer signer,
      boolean recursive,
      Clock clock,
      int embedLimit)
      throws AttestException {
    if (items.isEmpty()) {
      throw new IllegalStateException("nothing to attach: add a predicate, statement, bundle or imageSignature()");
    }
    boolean needsSigner = items.stream().anyMatch(i -> !(i instanceof GivenBundle));
    if (needsSigner && signer == null) {
      throw new IllegalStateException("statements must be signed: call signWith(signer) before attach()");
    }
    // 1. Validate what needs no registry.
    List<Item> checked = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      checked.add(validate(items.get(i), i));
    }
    // 2. The subjects: the image must exist with exactly this digest.
    List<Descriptor> targets = new ArrayList<>();
    collectTargets(registry, repository, digest, known, recursive, 0, targets);
    // 3. Sign everything.
    String created = DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
    List<Pending> pending = new ArrayList<>();
    for (Descriptor target : targets) {
      for (int i = 0; i < checked.size(); i++) {
        pending.add(sign(checked.get(i), i, repository, target, signer));
      }
    }
    List<ImageManifest> manifests = new ArrayList<>();
    for (Pending p : pending) {
      manifests.add(referrerManifest(p, created, embedLimit));
    }
    // 4. Push blobs, then manifests, so that no manifest names a missing blob.
    int writes = 0;
    Descriptor config = Descriptor.EMPTY.withoutData();
    if (!registry.hasBlob(repository, config.digest())) {
      registry.pushBlob(repository, config, BlobSource.of(Descriptor.emptyBytes()));
      writes++;
    }
    for (int i = 0; i < pending.size(); i++) {
      byte[] bytes = pending.get(i).bundle().bytes();
      registry.pushBlob(repository, manifests.get(i).layers().get(0).withoutData(), BlobSource.of(bytes));
      writes++;
    }
    List<AttachedReferrer> out = new ArrayList<>();
    for (int i = 0; i < pending.size(); i++) {
      ImageManifest m = manifests.get(i);
      PushResult pushed = registry.pushManifest(repository, m);
      writes += pushed.fallbackIndexUpdated() ? 2 : 1;
      Pending p = pending.get(i);
      out.add(new AttachedReferrer(m.descriptor(), p.subject(), p.predicateType(), p.bundle()));
    }
    return new AttachResult(out, writes);
  }

  /** The referrer manifest, in the shape cosign 3's WriteAttestationNewBundleFormat writes. */
  static ImageManifest referrerManifest(Pending p, String created, int embedLimit) {
    byte[] bytes = p.bundle().bytes();
    Descriptor layer = Descriptor.ofBytes(MediaTypes.SIGSTORE_BUNDLE_V03, bytes);
    if (bytes.length <= embedLimit) {
      layer = layer.withData(bytes);
    }
    Map<String, String> annotations = new LinkedHashMap<>();
    // In the key order Go's encoding/json writes cosign's map.
    annotations.put(Attestations.CONTENT, p.bundle().contentKind());
    annotations.put(Attestations.PREDICATE_TYPE, p.predicateType());
    annotations.put(Attestations.CREATED, created);
    return ImageManifest.builder()
        .artifactType(MediaTypes.SIGSTORE_BUNDLE_V03)
        .config(Descriptor.EMPTY.withoutData())
        .layer(layer)
        .subject(p.subject())
        .annotations(annotations)
        .build();
  }

  private static String what(Item item, int index) {
    String kind;
    if (item instanceof TypedPredicate t) {
      kind = "predicate " + t.predicate().predicateType();
    } else if (item instanceof RawPredicate r) {
      kind = "predicate " + r.predicateType();
    } else if (item instanceof ScannerReport) {
      kind = "vulnerability scan report";
    } else if (item instanceof GivenStatement s) {
      kind = "statement of " + s.statement().predicateType();
    } else if (item instanceof GivenBundle) {
      kind = "pre-signed bundle";
    } else {
      kind = "image signature";
    }
    return "attestation #" + (index + 1) + " (" + kind + ")";
  }

  private static Item validate(Item item, int index) throws InvalidContentException {
    String what = what(item, index);
    if (item instanceof TypedPredicate t) {
      checkPredicateSize(what, t.predicate().json().length);
    } else if (item instanceof RawPredicate r) {
      checkPredicateSize(what, r.json().length);
      try {
        if (CycloneDxSbom.isCycloneDxType(r.predicateType())) {
          CycloneDxSbom.parse(r.json(), Attestations.MAX_PREDICATE_BYTES);
        } else {
          Predicates.parse(r.predicateType(), r.json());
        }
      } catch (InvalidContentException | UnsupportedContentException e) {
        throw new InvalidContentException(what + " is invalid: " + e.getMessage(), e);
      }
    } else if (item instanceof ScannerReport r) {
      checkPredicateSize(what, r.json().length);
      try {
        return validate(new TypedPredicate(VulnerabilityScan.cosignBuilder(r.json()).build()), index);
      } catch (InvalidContentException | UnsupportedContentException | IllegalStateException e) {
        throw new InvalidContentException(what + " is invalid: " + e.getMessage(), e);
      }
    } else if (item instanceof GivenStatement s) {
      checkPredicateSize(what, s.statement().bytes().length);
    } else if (item instanceof GivenBundle b) {
      checkBundle(what, b.json().length);
      SigstoreBundle bundle;
      try {
        bundle = SigstoreBundle.parse(b.json());
      } catch (InvalidContentException | UnsupportedContentException e) {
        throw new InvalidContentException(what + " is invalid: " + e.getMessage(), e);
      }
      if (!SigstoreBundle.MEDIA_TYPE_V0_3.equals(bundle.mediaType())) {
        throw new InvalidContentException(
            what + " has media type '" + bundle.mediaType() + "'; referrers carry " + SigstoreBundle.MEDIA_TYPE_V0_3);
      }
      DsseEnvelope env = bundle.dsseEnvelope().orElseThrow(
          () -> new InvalidContentException(what + " holds a message signature; attestations need a DSSE envelope"));
      try {
        env.singleSignature();
        env.statement();
      } catch (InvalidContentException | UnsupportedContentException e) {
        throw new InvalidContentException(what + " is invalid: " + e.getMessage(), e);
      }
    }
    return item;
  }

  private static void checkPredicateSize(String what, long size) throws InvalidContentException {
    if (size > Attestations.MAX_PREDICATE_BYTES) {
      throw new InvalidContentException(
          what + " is " + size + " bytes, over the limit of " + Attestations.MAX_PREDICATE_BYTES
              + " bytes (bundles must stay under " + Attestations.MAX_BUNDLE_BYTES + " bytes)");
    }
  }

  private static void checkBundle(String what, long size) throws InvalidContentException {
    if (size > Attestations.MAX_BUNDLE_BYTES) {
      throw new InvalidContentException(
          what + " is a " + size + "-byte bundle, over the limit of " + Attestations.MAX_BUNDLE_BYTES + " bytes");
    }
  }

  private static void collectTargets(Registry registry, String repository, Digest digest, @Nullable Manifest known,
      boolean recursive, int depth, List<Descriptor> out) throws AttestException {
    Manifest m;
    try {
      m = known != null ? known : registry.fetchManifest(repository, digest.toString());
    } catch (NotFoundException e) {
      throw new NotFoundException(
          "cannot attach to " + registry.name() + "/" + repository + "@" + digest + ": no such manifest", e);
    }
    if (!m.digest().equals(digest)) {
      // Registry implementations verify this already; never attach to something else.
      throw new InvalidContentException("asked for manifest " + digest + " but got " + m.digest());
    }
    if (out.size() >= MAX_TARGETS) {
      throw new InvalidContentException("more than " + MAX_TARGETS + " manifests to attach to under " + digest);
    }
    out.add(m.plainDescriptor());
    if (recursive && m instanceof ImageIndex index) {
      if (depth >= MAX_DEPTH) {
        throw new InvalidContentException("indexes nested deeper than " + MAX_DEPTH + " under " + digest);
      }
      for (Descriptor child : index.manifests()) {
        if (MediaTypes.isManifest(child.mediaType())) {
          collectTargets(registry, repository, child.digest(), null, true, depth + 1, out);
        }
      }
    }
  }

  private static Pending sign(Item item, int index, String repository, Descriptor target, @Nullable Signer signer)
      throws AttestException {
    String what = what(item, index);
    Digest d = target.digest();
    List<Subject> subjects = List.of(Subject.of(repository, d));
    Statement statement;
    if (item instanceof TypedPredicate t) {
      statement = Statement.of(subjects, t.predicate());
    } else if (item instanceof RawPredicate r) {
      try {
        statement = Statement.of(subjects, r.predicateType(), r.json());
      } catch (IllegalArgumentException e) {
        throw new InvalidContentException(what + " is invalid: " + e.getMessage(), e);
      }
    } else if (item instanceof GivenStatement s) {
      requireSubject(what, s.statement(), d);
      statement = s.statement();
    } else if (item instanceof GivenBundle b) {
      SigstoreBundle bundle = SigstoreBundle.parse(b.json());
      Statement st = bundle.dsseEnvelope().orElseThrow().statement();
      requireSubject(what, st, d);
      return new Pending(target, st.predicateType(), bundle);
    } else if (item instanceof ScannerReport) {
      throw new IllegalStateException(what + " was not validated");
    } else {
      statement = cosignSignStatement(d);
    }
    if (signer == null) {
      throw new IllegalStateException("no signer");
    }
    DsseEnvelope envelope = DsseEnvelope.sign(statement, signer);
    SigstoreBundle bundle = SigstoreBundle.ofDsse(envelope, signer.hint());
    checkBundle(what, bundle.bytes().length);
    return new Pending(target, statement.predicateType(), bundle);
  }

  private static void requireSubject(String what, Statement statement, Digest d) throws InvalidContentException {
    if (!statement.covers(d)) {
      List<String> names = statement.subjects().stream().map(s -> s.name() + " " + s.digest()).toList();
      throw new InvalidContentException(
          what + ": the statement's subjects " + names + " do not include the image digest " + d);
    }
  }

  /**
   * The statement cosign 3 signs for an image ({@code signDigestBundle}): no subject name, the
   * digest, predicate type {@value Attestations#COSIGN_SIGN_PREDICATE_TYPE} and an empty predicate.
   */
  public static Statement cosignSignStatement(Digest d) throws AttestException {
    String json = "{\"_type\":\"" + Statement.TYPE_V1 + "\",\"subject\":[{\"digest\":{\""
        + d.algorithm().id() + "\":\"" + d.hex() + "\"}}],\"predicateType\":\""
        + Attestations.COSIGN_SIGN_PREDICATE_TYPE + "\",\"predicate\":{}}";
    return Statement.parse(json.getBytes(StandardCharsets.US_ASCII));
  }
}
