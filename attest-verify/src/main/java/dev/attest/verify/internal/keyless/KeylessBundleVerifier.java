package dev.attest.verify.internal.keyless;

import dev.attest.core.AttestException;
import dev.attest.core.BoundedReads;
import dev.attest.core.Digest;
import dev.attest.core.DsseEnvelope;
import dev.attest.core.InvalidContentException;
import dev.attest.core.SigstoreBundle;
import dev.attest.core.SigstoreBundle.TlogEntry;
import dev.attest.core.SigstoreBundle.VerificationMaterial;
import dev.attest.core.Statement;
import dev.attest.verify.LogRequirement;
import dev.attest.verify.Policy.KeylessIdentity;
import dev.attest.verify.internal.sigstore.CertificateAuthority;
import dev.attest.verify.internal.sigstore.CertificateChains;
import dev.attest.verify.internal.sigstore.Certificates;
import dev.attest.verify.internal.sigstore.Rfc3161;
import dev.attest.verify.internal.sigstore.Scts;
import dev.attest.verify.internal.sigstore.SignatureAlgorithm;
import dev.attest.verify.internal.sigstore.TrustedRoot;
import dev.attest.verify.internal.sigstore.VerificationFailure;
import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Verifies Sigstore bundles (v0.1 to v0.3) offline against a {@code trusted_root.json}, in pure
 * JDK code (ADR 0022, ADR 0023): keyless bundles (a Fulcio certificate) and, through {@link
 * #verifyWithKey}, the log entries and timestamps of key-signed bundles.
 *
 * <ul>
 *   <li>an identity is required: exact issuer and exact or fully-anchored SAN, never "any"; the
 *       GitHub (Fulcio) extensions are matched, read from the certificate;
 *   <li>the signature is checked with the algorithm of the certificate's key (every Sigstore
 *       {@code PublicKeyDetails} entry), over the artifact digest that algorithm uses, or over the
 *       DSSE PAE of the exact payload bytes; the in-toto statement's type, predicate type and
 *       subject are checked by attest's strict parser;
 *   <li>every transparency log entry is checked against the content it logs and against the
 *       trusted log: inclusion proof, signed checkpoint, SET ({@link TransparencyLogs});
 *   <li>every RFC 3161 timestamp is verified against the trusted timestamp authorities;
 *   <li>at least one verified time (a SET-backed integrated time or a timestamp) is required, and
 *       the certificate must be valid, and chain to a trusted CA, at every verified time;
 *   <li>the embedded SCT is verified against the trusted CT logs;
 *   <li>whether a log entry and an SCT are required, and how many timestamps, is a {@link
 *       SigstoreOptions} choice: by default both are required and no timestamp is;
 *   <li>every failure, and every runtime exception, becomes a denial with a reason.
 * </ul>
 *
 * @see <a href="https://docs.sigstore.dev/about/security/">Sigstore verification</a>
 * @see <a href="https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_bundle.proto">Sigstore bundle</a>
 * @see <a href="https://github.com/sigstore/architecture-docs/blob/main/client-spec.md">Sigstore client spec</a>
 */
public final class KeylessBundleVerifier {
  private static final String SCT_OID = "1.3.6.1.4.1.11129.2.4.2";

  private final TrustedRoot root;

  private KeylessBundleVerifier(TrustedRoot root) {
    this.root = root;
  }

  /**
   * A verifier trusting exactly the CAs, CT logs, transparency logs and timestamp authorities of
   * the {@code trusted_root.json} at {@code trustedRoot}. Nothing is fetched.
   *
   * @throws InvalidContentException if the trusted root cannot be read or is not valid
   */
  public static KeylessBundleVerifier of(Path trustedRoot) throws InvalidContentException {
    Objects.requireNonNull(trustedRoot, "trustedRoot");
    try {
      // Bounded before and while reading: a file that grows after the size check is still refused.
      return new KeylessBundleVerifier(TrustedRoot.parse(
          BoundedReads.readFile(trustedRoot, TrustedRoot.MAX_BYTES, "trusted root " + trustedRoot)));
    } catch (IOException | VerificationFailure | RuntimeException e) {
      throw new InvalidContentException("cannot load trusted root " + trustedRoot + ": " + messages(e), e);
    }
  }

  /**
   * Whether {@code c} is, byte for byte, a certificate of one of the trusted root's CAs
   * ({@link java.security.cert.Certificate#equals} compares the encoded forms, and so does
   * attest's own {@code DerCertificate}).
   */
  private boolean listedByTheRoot(X509Certificate c) {
    return root.certificateAuthorities().stream().anyMatch(ca -> ca.chain().contains(c));
  }

  /** The trusted root this verifier trusts. */
  public TrustedRoot trustedRoot() {
    return root;
  }

  /** A verifier of an already parsed trusted root. */
  public static KeylessBundleVerifier of(TrustedRoot trustedRoot) {
    return new KeylessBundleVerifier(Objects.requireNonNull(trustedRoot, "trustedRoot"));
  }

  /**
   * Verifies a DSSE bundle carrying an in-toto statement about {@code image}, with the default
   * requirements ({@link SigstoreOptions#KEYLESS}).
   *
   * @param bundleJson the bundle's exact bytes
   * @param image the image digest the statement must name as a subject (sha256)
   * @param predicateType the predicate type the statement must have
   * @param identity the required certificate identity; null is refused
   */
  public KeylessResult verifyDsse(
      byte[] bundleJson, Digest image, String predicateType, @Nullable KeylessIdentity identity) {
    return verifyDsse(bundleJson, image, predicateType, identity, SigstoreOptions.KEYLESS);
  }

  /** {@link #verifyDsse(byte[], Digest, String, KeylessIdentity)} under {@code options}. */
  public KeylessResult verifyDsse(byte[] bundleJson, Digest image, String predicateType,
      @Nullable KeylessIdentity identity, SigstoreOptions options) {
    try {
      if (predicateType == null || predicateType.isEmpty()) {
        return KeylessResult.denied("refusing to verify a DSSE bundle without an expected predicate type");
      }
      if (image == null) {
        return KeylessResult.denied("no bundle or no digest to verify against");
      }
      return verify(bundleJson, ArtifactDigests.of(image), predicateType, identity, true, options);
    } catch (RuntimeException e) {
      return KeylessResult.denied("keyless verification failed on malformed input: " + messages(e));
    }
  }

  /**
   * Verifies a DSSE bundle whatever its payload: the signature over the PAE, the logs, timestamps,
   * chain and identity, but not what the payload says. The result carries the payload, which the
   * caller must check.
   */
  public KeylessResult verifyDsseEnvelope(byte[] bundleJson, @Nullable KeylessIdentity identity,
      SigstoreOptions options) {
    try {
      return verify(bundleJson, null, null, identity, true, options);
    } catch (RuntimeException e) {
      return KeylessResult.denied("keyless verification failed on malformed input: " + messages(e));
    }
  }

  /**
   * Verifies a message-signature bundle over the artifact with digest {@code artifact}, with the
   * default requirements. Only the SHA-256 is known, so a bundle signed with a key whose
   * algorithm hashes otherwise (P-384, P-521) is refused; use {@link
   * #verifyMessageSignature(byte[], ArtifactDigests, KeylessIdentity, SigstoreOptions)}.
   *
   * @param bundleJson the bundle's exact bytes
   * @param artifact the signed artifact's sha256 digest
   * @param identity the required certificate identity; null is refused
   */
  public KeylessResult verifyMessageSignature(byte[] bundleJson, Digest artifact, @Nullable KeylessIdentity identity) {
    if (artifact == null) {
      return KeylessResult.denied("no bundle or no digest to verify against");
    }
    return verifyMessageSignature(bundleJson, ArtifactDigests.of(artifact), identity, SigstoreOptions.KEYLESS);
  }

  /** Verifies a message-signature bundle over the artifact whose digests are {@code artifact}. */
  public KeylessResult verifyMessageSignature(byte[] bundleJson, ArtifactDigests artifact,
      @Nullable KeylessIdentity identity, SigstoreOptions options) {
    try {
      return verify(bundleJson, artifact, null, identity, false, options);
    } catch (RuntimeException e) {
      return KeylessResult.denied("keyless verification failed on malformed input: " + messages(e));
    }
  }

  /**
   * The log entries and timestamps of a bundle signed by {@code key}, checked against this trusted
   * root under {@code options}, and the signature itself: null if everything holds, else the
   * reason. The caller checks what a DSSE statement must say.
   */
  public @Nullable String verifyWithKey(
      SigstoreBundle bundle, PublicKey key, @Nullable ArtifactDigests artifact, SigstoreOptions options) {
    return keyed(bundle, key, artifact, root, options);
  }

  /** {@link #keyed(SigstoreBundle, PublicKey, ArtifactDigests, TrustedRoot, SigstoreOptions, SignatureAlgorithm)} with no key details. */
  public static @Nullable String keyed(SigstoreBundle bundle, PublicKey key, @Nullable ArtifactDigests artifact,
      @Nullable TrustedRoot root, SigstoreOptions options) {
    return keyed(bundle, key, artifact, root, options, null);
  }

  /**
   * A key-signed bundle's signature, and, when {@code root} is given, its log entries and
   * timestamps under {@code options}: null if everything holds, else the reason. Without a root,
   * log entries cannot be checked, so {@link LogRequirement#REQUIRED} and required timestamps are
   * refused. {@code keyDetails}, when the trust names the key's algorithm (protobuf-specs {@code
   * PublicKeyDetails}), is the only algorithm a signature may have; without it, {@link
   * SignatureAlgorithm#candidates}.
   */
  public static @Nullable String keyed(SigstoreBundle bundle, PublicKey key, @Nullable ArtifactDigests artifact,
      @Nullable TrustedRoot root, SigstoreOptions options, @Nullable SignatureAlgorithm keyDetails) {
    try {
      if (bundle.verificationMaterial().kind() != VerificationMaterial.Kind.PUBLIC_KEY) {
        return "the bundle is signed with a certificate (" + bundle.verificationMaterial().kind()
            + "); verify it keyless, with a certificate identity and OIDC issuer";
      }
      LogEntryBodies.Signed signed = signedWithKey(bundle, key, artifact, keyDetails);
      if (root == null) {
        if (options.tlog() == LogRequirement.REQUIRED) {
          return "a transparency log entry is required, but no trusted root was given to verify it against";
        }
        if (options.minTimestamps() > 0) {
          return options.minTimestamps() + " signed timestamps are required, but no trusted root was given to verify"
              + " them against";
        }
        return null;
      }
      new Times(bundle, signed, root, options).collect();
      return null;
    } catch (VerificationFailure e) {
      return e.getMessage();
    } catch (RuntimeException e) {
      return "verification failed on malformed input: " + messages(e);
    }
  }

  /**
   * As {@link #verifyDsse(byte[], Digest, String, KeylessIdentity, SigstoreOptions)}, {@link
   * #verifyDsseEnvelope} ({@code predicateType} null and {@code image} null) or {@link
   * #verifyMessageSignature(byte[], ArtifactDigests, KeylessIdentity, SigstoreOptions)} ({@code dsse}
   * false), for a bundle the caller already parsed from its exact bytes.
   */
  public KeylessResult verifyParsed(SigstoreBundle bundle, @Nullable ArtifactDigests artifact,
      @Nullable String predicateType, @Nullable KeylessIdentity identity, boolean dsse, SigstoreOptions options) {
    try {
      if (bundle == null) {
        return KeylessResult.denied("no bundle or no digest to verify against");
      }
      if (dsse && predicateType != null && artifact == null) {
        return KeylessResult.denied("no bundle or no digest to verify against");
      }
      return verify(bundle, artifact, predicateType, identity, dsse, options);
    } catch (RuntimeException e) {
      return KeylessResult.denied("keyless verification failed on malformed input: " + messages(e));
    }
  }

  private KeylessResult verify(
      byte[] bundleJson,
      @Nullable ArtifactDigests artifact,
      @Nullable String predicateType,
      @Nullable KeylessIdentity identity,
      boolean dsse,
      SigstoreOptions options) {
    if (identity == null) {
      return identityMissing();
    }
    if (bundleJson == null) {
      return KeylessResult.denied("no bundle or no digest to verify against");
    }
    SigstoreBundle bundle;
    try {
      bundle = SigstoreBundle.parse(bundleJson);
    } catch (AttestException e) {
      return KeylessResult.denied("malformed Sigstore bundle: " + e.getMessage());
    }
    return verify(bundle, artifact, predicateType, identity, dsse, options);
  }

  private static KeylessResult identityMissing() {
    return KeylessResult.denied(
        "refusing to verify a keyless bundle without an expected OIDC issuer and SAN: empty identity options accept"
            + " anyone");
  }

  private KeylessResult verify(
      SigstoreBundle bundle,
      @Nullable ArtifactDigests artifact,
      @Nullable String predicateType,
      @Nullable KeylessIdentity identity,
      boolean dsse,
      SigstoreOptions options) {
    if (identity == null) {
      return identityMissing();
    }
    Optional<DsseEnvelope> envelope = bundle.dsseEnvelope();
    if (dsse && envelope.isEmpty()) {
      return KeylessResult.denied("expected a DSSE bundle, got a message-signature bundle");
    }
    if (!dsse && bundle.messageSignature().isEmpty()) {
      return KeylessResult.denied("expected a message-signature bundle, got a DSSE bundle");
    }
    VerificationMaterial vm = bundle.verificationMaterial();
    if (vm.kind() == VerificationMaterial.Kind.PUBLIC_KEY) {
      return KeylessResult.denied("bundle is signed with a public key, not a Fulcio certificate");
    }
    List<X509Certificate> presented = new ArrayList<>();
    try {
      for (byte[] der : vm.certificates()) {
        presented.add(certificate(der));
      }
    } catch (CertificateException e) {
      return KeylessResult.denied("bundle certificate is not a valid X.509 certificate: " + e.getMessage());
    }
    X509Certificate leaf = presented.get(0);
    if (vm.kind() == VerificationMaterial.Kind.X509_CERTIFICATE_CHAIN
        && !"0.1".equals(bundle.version()) && !"0.2".equals(bundle.version())) {
      // protobuf-specs Bundle: from v0.3 the signing certificate is the single `certificate`.
      return KeylessResult.denied("a v" + bundle.version() + " bundle must carry its signing certificate as"
          + " 'certificate'; 'x509CertificateChain' is for v0.1 and v0.2 bundles only");
    }
    // A v0.1/v0.2 chain may carry intermediates and even the root (sigstore-js 1.x bundles, such as
    // npm provenance of 2023, end with the Sigstore root): they add no trust, since the path is
    // built from the trusted root only. A self-signed certificate the trusted root does not list is
    // a foreign trust anchor, though: a deny (sigstore-conformance bundle-with-root-cert_fail
    // appends another instance's root; the bundle spec says a chain MUST NOT carry one).
    for (int i = 1; i < presented.size(); i++) {
      X509Certificate c = presented.get(i);
      if (c.getSubjectX500Principal().equals(c.getIssuerX500Principal()) && !listedByTheRoot(c)) {
        return KeylessResult.denied("the bundle's certificate chain includes a root certificate ("
            + c.getSubjectX500Principal() + ", self-signed) that the trusted root does not list: a bundle"
            + " must not bring its own trust anchor");
      }
    }

    // Identity, read from the certificate.
    CertificateIdentity actual;
    try {
      actual = identityOf(leaf);
    } catch (InvalidContentException e) {
      return KeylessResult.denied(e.getMessage());
    }
    String identityProblem = identityProblem(actual, identity);
    if (identityProblem != null) {
      return KeylessResult.denied(identityProblem);
    }

    try {
      PublicKey key = leaf.getPublicKey();
      List<SignatureAlgorithm> algs;
      try {
        algs = SignatureAlgorithm.candidates(key, dsse);
      } catch (VerificationFailure e) {
        return KeylessResult.denied("certificate key is not supported: " + e.getMessage());
      }
      // The signature, over exact bytes, with the certificate's key.
      LogEntryBodies.Signed signed = signedAny(bundle, algs, key, leaf.getEncoded(), true, artifact, null);
      if (dsse) {
        String problem = predicateType == null
            ? null
            : statementProblem(envelope.orElseThrow(), Objects.requireNonNull(artifact).primary(), predicateType);
        if (problem != null) {
          return KeylessResult.denied(problem);
        }
      }

      // Logs and timestamps: every verified time.
      Times times = new Times(bundle, signed, root, options);
      times.collect();
      if (times.all.isEmpty()) {
        return KeylessResult.denied("the bundle has no verified time: no signed entry timestamp from a transparency"
            + " log and no RFC 3161 timestamp, so the certificate's validity cannot be checked");
      }
      for (Instant t : times.all) {
        String validity = validityProblem(leaf, t, times.integrated.contains(t));
        if (validity != null) {
          return KeylessResult.denied(validity);
        }
      }
      // The chain to a trusted CA, valid at every verified time.
      List<X509Certificate> path = null;
      for (Instant t : times.all) {
        try {
          path = CertificateChains.verify(presented, root.certificateAuthorities(), t);
        } catch (VerificationFailure e) {
          return KeylessResult.denied("Fulcio certificate was not valid: " + e.getMessage());
        }
      }
      String sct = sctProblem(leaf, presented, Objects.requireNonNull(path), options.sct());
      if (sct != null) {
        return KeylessResult.denied(sct);
      }
      return KeylessResult.allowed(
          "verified " + (dsse ? "DSSE" : "message signature") + " bundle signed by " + actual.san() + " (issuer "
              + actual.issuer() + "), " + times.describe(),
          dsse ? envelope.orElseThrow().payload() : null,
          actual);
    } catch (VerificationFailure e) {
      return KeylessResult.denied(e.getMessage());
    } catch (CertificateException e) {
      return KeylessResult.denied("bundle certificate cannot be encoded: " + e.getMessage());
    }
  }

  /**
   * {@link #signed} with a trusted key: with the algorithm its trust names ({@code keyDetails}),
   * else with each of {@link SignatureAlgorithm#candidates} in turn. A v2 log entry must then name
   * the algorithm that verified.
   */
  private static LogEntryBodies.Signed signedWithKey(SigstoreBundle bundle, PublicKey key,
      @Nullable ArtifactDigests artifact, @Nullable SignatureAlgorithm keyDetails) throws VerificationFailure {
    if (keyDetails != null) {
      keyDetails.checkKey(key);
      return signedAny(bundle, List.of(keyDetails), key, key.getEncoded(), false, artifact,
          "the trusted key's keyDetails allow only " + keyDetails);
    }
    return signedAny(bundle, SignatureAlgorithm.candidates(key, bundle.dsseEnvelope().isPresent()), key,
        key.getEncoded(), false, artifact, null);
  }

  /** {@link #signed} with the first of {@code algs} that verifies; else every reason, and {@code note}. */
  private static LogEntryBodies.Signed signedAny(SigstoreBundle bundle, List<SignatureAlgorithm> algs, PublicKey key,
      byte[] signerDer, boolean certificate, @Nullable ArtifactDigests artifact, @Nullable String note)
      throws VerificationFailure {
    VerificationFailure first = null;
    StringBuilder reasons = new StringBuilder();
    for (SignatureAlgorithm alg : algs) {
      try {
        return signed(bundle, alg, key, signerDer, certificate, artifact);
      } catch (VerificationFailure f) {
        if (first == null) {
          first = f;
          reasons.append(f.getMessage());
        } else {
          reasons.append("; nor as ").append(alg).append(": ").append(f.getMessage());
        }
      }
    }
    if (first == null) {
      throw new VerificationFailure("no signature algorithm to verify with");
    }
    if (note != null) {
      reasons.append(" (").append(note).append(")");
    }
    throw algs.size() == 1 && note == null ? first : new VerificationFailure(reasons.toString(), first);
  }

  /** Checks the bundle's signature with {@code key} and says what a log entry must record. */
  static LogEntryBodies.Signed signed(SigstoreBundle bundle, SignatureAlgorithm alg, PublicKey key,
      byte[] signerDer, boolean certificate, @Nullable ArtifactDigests artifact) throws VerificationFailure {
    String who = certificate ? "certificate's" : "trusted";
    Optional<DsseEnvelope> env = bundle.dsseEnvelope();
    if (env.isPresent()) {
      DsseEnvelope e = env.get();
      if (e.signatures().size() != 1) {
        throw new VerificationFailure("DSSE envelope has " + e.signatures().size() + " signatures, expected exactly one");
      }
      byte[] sig = e.signatures().get(0).sig();
      if (!alg.verify(key, e.pae(), sig)) {
        throw new VerificationFailure("DSSE payload does not match the signature: DSSE signature does not verify"
            + " over the envelope's PAE with the " + who + " key (" + alg + ")");
      }
      String hash = alg.digestAlgorithm() == null ? "SHA-512" : alg.digestAlgorithm();
      return new LogEntryBodies.Signed(alg, hash, sig, signerDer, key.getEncoded(), certificate, null, e);
    }
    SigstoreBundle.MessageSignature ms = bundle.messageSignature().orElseThrow();
    if (artifact == null) {
      throw new VerificationFailure("no artifact digest to verify the message signature against");
    }
    String hash = alg.digestAlgorithm();
    if (hash == null) {
      throw new VerificationFailure(alg + " signs the artifact itself, not its digest; attest verifies message"
          + " signatures over digests only");
    }
    boolean ecdsa = alg.name().startsWith("PKIX_ECDSA_");
    Optional<String> named = ms.digestAlgorithm();
    if (ecdsa && named.isPresent()) {
      // ECDSA signs whichever digest the signer chose; sigstore-python 1.x and 2.x signed SHA-256
      // with P-384 keys. The bundle names it, and the log entry must name the same.
      String h = LogEntryBodies.jcaHash(named.get());
      if (h == null) {
        throw new VerificationFailure("bundle message digest algorithm '" + named.get() + "' is not SHA2_256,"
            + " SHA2_384 or SHA2_512");
      }
      hash = h;
    }
    byte[] digest = artifact.get(hash);
    if (digest == null) {
      throw new VerificationFailure("the signature covers the artifact's " + hash + " digest, which is unknown here"
          + " (only " + artifact.describe() + " was given): verify the file itself");
    }
    Optional<byte[]> bundled = ms.digestBytes();
    if (bundled.isPresent()) {
      String want = LogEntryBodies.v2Name(hash);
      if (!want.equals(named.orElse("")) || !MessageDigest.isEqual(bundled.get(), digest)) {
        throw new VerificationFailure("bundle message digest: the bundle signs " + named.orElse("") + " "
            + java.util.HexFormat.of().formatHex(bundled.get()) + ", not the artifact's " + want + " digest "
            + java.util.HexFormat.of().formatHex(digest));
      }
    }
    byte[] sig = ms.signature();
    boolean ok = hash.equals(alg.digestAlgorithm())
        ? alg.verifyDigest(key, digest, sig)
        : ecdsaOverDigest(alg, key, digest, sig);
    if (!ok) {
      throw new VerificationFailure("message signature does not verify over the artifact " + artifact.describe()
          + " with the " + who + " key (" + alg + ", " + hash + ")");
    }
    return new LogEntryBodies.Signed(alg, hash, sig, signerDer, key.getEncoded(), certificate, digest, null);
  }

  private static boolean ecdsaOverDigest(SignatureAlgorithm alg, PublicKey key, byte[] digest, byte[] sig)
      throws VerificationFailure {
    alg.checkKey(key);
    try {
      java.security.Signature s = java.security.Signature.getInstance("NONEwithECDSA");
      s.initVerify(key);
      s.update(digest);
      return s.verify(sig);
    } catch (java.security.SignatureException e) {
      return false;
    } catch (java.security.GeneralSecurityException e) {
      throw new VerificationFailure("ECDSA verification could not run: " + e.getMessage(), e);
    }
  }

  /** Every verified time of a bundle: SET-backed integrated times and RFC 3161 timestamps. */
  private static final class Times {
    final SigstoreBundle bundle;
    final LogEntryBodies.Signed signed;
    final TrustedRoot root;
    final SigstoreOptions options;
    final List<Instant> all = new ArrayList<>();
    final List<Instant> integrated = new ArrayList<>();
    final List<Instant> timestamps = new ArrayList<>();
    int entries;

    Times(SigstoreBundle bundle, LogEntryBodies.Signed signed, TrustedRoot root, SigstoreOptions options) {
      this.bundle = bundle;
      this.signed = signed;
      this.root = root;
      this.options = options;
    }

    void collect() throws VerificationFailure {
      VerificationMaterial vm = bundle.verificationMaterial();
      List<TransparencyLogs.Verified> logs = new ArrayList<>();
      if (options.tlog() != LogRequirement.IGNORED) {
        List<TlogEntry> list = vm.tlogEntries();
        if (list.isEmpty() && options.tlog() == LogRequirement.REQUIRED) {
          throw new VerificationFailure("bundle has no transparency log entry, and one is required");
        }
        for (int i = 0; i < list.size(); i++) {
          try {
            logs.add(TransparencyLogs.verify(list.get(i), bundle.version(), signed, root));
          } catch (VerificationFailure e) {
            throw new VerificationFailure((list.size() > 1 ? "transparency log entry " + (i + 1) + " of "
                + list.size() + ": " : "") + e.getMessage(), e);
          }
        }
        entries = logs.size();
        for (TransparencyLogs.Verified v : logs) {
          if (v.integratedTime() != null) {
            integrated.add(v.integratedTime());
          }
        }
      }
      List<byte[]> tokens = vm.rfc3161Timestamps();
      if (!tokens.isEmpty() && root.timestampAuthorities().isEmpty()) {
        throw new VerificationFailure("the bundle has " + tokens.size() + " RFC 3161 timestamp(s), but the trusted root"
            + " has no timestamp authority to verify them against");
      }
      // N timestamps means N independent authorities: the same token twice, or two tokens from
      // one TSA, count once (as sigstore-go counts verified timestamp authorities).
      Set<CertificateAuthority> authorities = new java.util.LinkedHashSet<>();
      for (int i = 0; i < tokens.size(); i++) {
        try {
          Rfc3161.Verified v = Rfc3161.verifyDetailed(tokens.get(i), signed.signature(), root.timestampAuthorities());
          timestamps.add(v.genTime());
          authorities.add(v.authority());
        } catch (VerificationFailure e) {
          throw new VerificationFailure("RFC 3161 timestamp " + (i + 1) + " of " + tokens.size() + " could not be"
              + " verified: " + e.getMessage(), e);
        }
      }
      if (authorities.size() < options.minTimestamps()) {
        throw new VerificationFailure("the policy requires " + options.minTimestamps() + " verified RFC 3161"
            + " timestamp(s) from distinct timestamp authorities, the bundle has " + timestamps.size() + " from "
            + authorities.size() + " authorit" + (authorities.size() == 1 ? "y" : "ies"));
      }
      // A log entry without a SET (Rekor v2) proves inclusion, not time: its log must have been
      // valid at every verified time, the timestamps' and the other entries' SET-backed times.
      for (TransparencyLogs.Verified v : logs) {
        if (v.integratedTime() == null) {
          for (Instant t : timestamps) {
            if (!v.log().validAt(t)) {
              throw new VerificationFailure("the transparency log " + v.log().baseUrl() + " was not valid at the"
                  + " timestamp " + t + " (its validity in the trusted root)");
            }
          }
          for (Instant t : integrated) {
            if (!v.log().validAt(t)) {
              throw new VerificationFailure("the transparency log " + v.log().baseUrl() + " was not valid at " + t
                  + ", when another log integrated the entry (its validity in the trusted root)");
            }
          }
        }
      }
      all.addAll(integrated);
      all.addAll(timestamps);
    }

    String describe() {
      List<String> parts = new ArrayList<>();
      if (!integrated.isEmpty()) {
        parts.add("logged at " + String.join(", ", integrated.stream().map(Instant::toString).toList()));
      } else if (entries > 0) {
        parts.add("in " + entries + " transparency log(s)");
      }
      if (!timestamps.isEmpty()) {
        parts.add("timestamped at " + String.join(", ", timestamps.stream().map(Instant::toString).toList()));
      }
      return String.join(", ", parts);
    }
  }

  private static @Nullable String validityProblem(X509Certificate leaf, Instant t, boolean logged) {
    Instant notBefore = leaf.getNotBefore().toInstant();
    Instant notAfter = leaf.getNotAfter().toInstant();
    String what = logged ? "the log integrated the entry at " + t : "the RFC 3161 timestamp says " + t;
    String kind = logged ? "the integrated time" : "the timestamp";
    if (t.isBefore(notBefore)) {
      return what + ", before the certificate became valid at " + notBefore + ": " + kind
          + " is outside the certificate's validity";
    }
    if (t.isAfter(notAfter)) {
      return "the certificate expired at " + notAfter + ", before " + (logged
          ? "the log integrated the entry at " + t
          : "the RFC 3161 timestamp's time " + t) + ": " + kind + " is outside the certificate's validity";
    }
    return null;
  }

  private @Nullable String sctProblem(
      X509Certificate leaf, List<X509Certificate> presented, List<X509Certificate> path, LogRequirement sct) {
    if (sct == LogRequirement.IGNORED) {
      return null;
    }
    if (leaf.getExtensionValue(SCT_OID) == null) {
      return sct == LogRequirement.REQUIRED
          ? "the certificate has no embedded SCT (certificate transparency proof), and one is required"
          : null;
    }
    X509Certificate issuer = path.size() > 1 ? path.get(1) : presented.size() > 1 ? presented.get(1) : null;
    if (issuer == null) {
      return "the certificate's issuer is not known, so its SCT cannot be verified";
    }
    try {
      Scts.verify(leaf, issuer, root.ctlogs(), 1);
      return null;
    } catch (VerificationFailure e) {
      return "certificate transparency: " + e.getMessage();
    }
  }

  private static @Nullable String identityProblem(CertificateIdentity actual, KeylessIdentity expected) {
    if (!expected.issuerMatches(actual.issuer())) {
      return "certificate OIDC issuer is '" + actual.issuer() + "', expected "
          + expectation(expected.issuer(), expected.issuerRegExp());
    }
    if (!expected.subjectMatches(actual.san())) {
      return "certificate SAN is '" + actual.san() + "', expected "
          + expectation(expected.subject(), expected.subjectRegExp());
    }
    for (Map.Entry<String, String> e : expected.requiredExtensions().entrySet()) {
      if (e.getKey().equals(FulcioOids.ISSUER_V2)) {
        continue; // the issuer, matched above against whichever issuer extension the certificate has
      }
      String value = actual.extensions().get(e.getKey());
      if (value == null) {
        return "certificate has no extension " + e.getKey() + " (" + extensionName(e.getKey()) + "), expected '"
            + e.getValue() + "'";
      }
      if (!value.equals(e.getValue())) {
        return "certificate extension " + e.getKey() + " (" + extensionName(e.getKey()) + ") is '" + value
            + "', expected '" + e.getValue() + "'";
      }
    }
    return null;
  }

  /** An exact value or a regular expression, for a message. */
  private static String expectation(@Nullable String exact, @Nullable String regex) {
    return exact != null ? "'" + exact + "'" : "matching /" + regex + "/";
  }

  private static String extensionName(String oid) {
    return switch (oid) {
      case FulcioOids.SOURCE_REPOSITORY_URI -> "source repository URI";
      case FulcioOids.SOURCE_REPOSITORY_REF -> "source repository ref";
      case FulcioOids.BUILD_SIGNER_URI -> "build signer URI";
      case FulcioOids.RUNNER_ENVIRONMENT -> "runner environment";
      case FulcioOids.GITHUB_WORKFLOW_REPOSITORY -> "GitHub workflow repository";
      case FulcioOids.GITHUB_WORKFLOW_REF -> "GitHub workflow ref";
      default -> "Fulcio extension";
    };
  }

  private static @Nullable String statementProblem(DsseEnvelope env, Digest image, String predicateType) {
    Statement statement;
    try {
      statement = env.statement();
    } catch (AttestException e) {
      return "DSSE payload is not a valid in-toto statement: " + e.getMessage();
    }
    if (!predicateType.equals(statement.predicateType())) {
      return "statement predicateType is '" + statement.predicateType() + "', expected '" + predicateType + "'";
    }
    if (!statement.covers(image)) {
      return "statement subject is not the image " + image + ": its subjects are " + statement.subjects();
    }
    return null;
  }

  /**
   * Whether the Rekor {@code dsse} 0.0.1 {@code body} logs this envelope signed with {@code leaf}:
   * null if so, else the reason. The signing path checks what Rekor returns with it.
   */
  static @Nullable String dsseBodyProblem(byte[] body, DsseEnvelope envelope, X509Certificate leaf) {
    try {
      if (envelope.signatures().size() != 1) {
        return "DSSE envelope has " + envelope.signatures().size() + " signatures, expected exactly one";
      }
      SignatureAlgorithm alg = SignatureAlgorithm.forKey(leaf.getPublicKey());
      LogEntryBodies.check("dsse", "0.0.1", body, new LogEntryBodies.Signed(alg, "SHA-256",
          envelope.signatures().get(0).sig(), leaf.getEncoded(), leaf.getPublicKey().getEncoded(), true, null,
          envelope));
      return null;
    } catch (VerificationFailure e) {
      return e.getMessage();
    } catch (CertificateException e) {
      return "bundle certificate cannot be encoded: " + e.getMessage();
    }
  }

  // ---------------------------------------------------------------- certificate reading

  /** Exactly one DER certificate: bytes after it are refused, not ignored as the JDK's factory does. */
  private static X509Certificate certificate(byte[] der) throws CertificateException {
    try {
      return Certificates.parse(der, "bundle certificate");
    } catch (VerificationFailure e) {
      throw new CertificateException(e.getMessage(), e);
    }
  }

  /** {@link #identityOf(X509Certificate)} of a DER certificate (no chain or time check). */
  public static CertificateIdentity identityOf(byte[] der) throws InvalidContentException {
    try {
      return identityOf(certificate(der));
    } catch (CertificateException e) {
      throw new InvalidContentException("certificate is not valid X.509: " + e.getMessage(), e);
    }
  }

  /** Issuer, the single SAN, and the Fulcio string extensions of a leaf certificate. */
  static CertificateIdentity identityOf(X509Certificate leaf) throws InvalidContentException {
    Map<String, String> ext = new LinkedHashMap<>();
    Set<String> oids = new java.util.TreeSet<>();
    Optional.ofNullable(leaf.getNonCriticalExtensionOIDs()).ifPresent(oids::addAll);
    Optional.ofNullable(leaf.getCriticalExtensionOIDs()).ifPresent(oids::addAll);
    for (String oid : oids) {
      if (FulcioOids.isFulcioStringExtension(oid)) {
        ext.put(oid, extensionString(leaf, oid));
      }
    }
    String v2 = ext.get(FulcioOids.ISSUER_V2);
    String v1 = ext.get(FulcioOids.ISSUER_V1);
    if (v2 != null && v1 != null && !v1.equals(v2)) {
      throw new InvalidContentException(
          "certificate has two different OIDC issuers: '" + v1 + "' (v1) and '" + v2 + "' (v2)");
    }
    String issuer = v2 != null ? v2 : v1;
    if (issuer == null || issuer.isEmpty()) {
      throw new InvalidContentException("certificate has no OIDC issuer extension: not a Fulcio certificate");
    }
    return new CertificateIdentity(issuer, san(leaf), ext);
  }

  private static String san(X509Certificate leaf) throws InvalidContentException {
    Collection<List<?>> sans;
    try {
      sans = leaf.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new InvalidContentException("certificate SAN cannot be read: " + e.getMessage(), e);
    }
    List<String> values = new ArrayList<>();
    if (sans != null) {
      for (List<?> san : sans) {
        Object type = san.get(0);
        // rfc822Name (1) and uniformResourceIdentifier (6): what Fulcio writes.
        if ((Integer.valueOf(1).equals(type) || Integer.valueOf(6).equals(type)) && san.get(1) instanceof String s) {
          values.add(s);
        } else {
          throw new InvalidContentException("certificate has a SAN of type " + type + "; Fulcio writes an email or a URI");
        }
      }
    }
    if (values.size() != 1) {
      throw new InvalidContentException("certificate has " + values.size() + " SANs, expected exactly one");
    }
    return values.get(0);
  }

  /** A Fulcio string extension, read with the JDK only (v1: raw UTF-8; v2: a DER UTF8String). */
  private static String extensionString(X509Certificate leaf, String oid) throws InvalidContentException {
    String what = "certificate extension " + oid;
    try {
      byte[] value = Certificates.extensionValue(leaf, oid);
      if (value == null) {
        throw new InvalidContentException(what + " is missing");
      }
      return FulcioOids.isRawString(oid) ? Certificates.utf8(value, what) : Certificates.utf8String(value, what);
    } catch (VerificationFailure | RuntimeException e) {
      throw new InvalidContentException(what + " is malformed: " + e.getMessage(), e);
    }
  }

  /** The messages of an exception and its causes, for a reason that names the real problem. */
  static String messages(Throwable t) {
    StringBuilder sb = new StringBuilder();
    Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (Throwable c = t; c != null && seen.add(c) && seen.size() <= 8; c = c.getCause()) {
      String m = c.getMessage();
      String part = (c instanceof RuntimeException || m == null || m.isEmpty())
          ? c.getClass().getSimpleName() + (m == null || m.isEmpty() ? "" : " " + m)
          : m;
      if (sb.indexOf(part) >= 0) {
        continue;
      }
      if (sb.length() > 0) {
        sb.append(": ");
      }
      sb.append(part);
    }
    return sb.toString().replaceAll("\\s+", " ");
  }
}
