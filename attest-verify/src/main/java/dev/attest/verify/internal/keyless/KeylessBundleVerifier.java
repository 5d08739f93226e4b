package dev.attest.verify.internal.keyless;

import dev.attest.core.AttestException;
import dev.attest.core.Digest;
import dev.attest.core.DsseEnvelope;
import dev.attest.core.InvalidContentException;
import dev.attest.core.Keys;
import dev.attest.core.Statement;
import dev.attest.core.SigstoreBundle;
import dev.attest.core.SigstoreBundle.InclusionProof;
import dev.attest.core.SigstoreBundle.TlogEntry;
import dev.attest.core.SigstoreBundle.VerificationMaterial;
import dev.sigstore.KeylessVerificationException;
import dev.sigstore.KeylessVerifier;
import dev.sigstore.TrustedRootProvider;
import dev.sigstore.VerificationOptions;
import dev.sigstore.bundle.Bundle;
import dev.sigstore.bundle.BundleParseException;
import dev.sigstore.fulcio.client.FulcioVerificationException;
import dev.sigstore.fulcio.client.FulcioVerifier;
import dev.sigstore.rekor.client.RekorVerificationException;
import dev.sigstore.rekor.client.RekorVerifier;
import dev.sigstore.timestamp.client.ImmutableTimestampResponse;
import dev.sigstore.timestamp.client.TimestampVerificationException;
import dev.sigstore.timestamp.client.TimestampVerifier;
import dev.sigstore.trustroot.SigstoreTrustedRoot;
import com.fasterxml.jackson.databind.JsonNode;
import dev.attest.core.JsonReads;
import dev.sigstore.strings.RegexSyntaxException;
import dev.sigstore.strings.StringMatcher;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
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
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1UTF8String;
import org.jspecify.annotations.Nullable;

/**
 * Verifies keyless (Fulcio certificate) Sigstore bundles offline against a {@code
 * trusted_root.json}, with sigstore-java 2.0.0's {@link KeylessVerifier} for the certificate chain,
 * the SCT, the signed entry timestamp, the inclusion proof and the checkpoint, and with attest's own
 * checks for what sigstore-java leaves open:
 *
 * <ul>
 *   <li>an identity is required: exact issuer and exact or fully-anchored SAN, never "any";
 *   <li>GitHub (Fulcio) extensions are matched by attest, read from the certificate;
 *   <li>the log's integrated time must lie within the certificate's validity;
 *   <li>exactly one tlog entry (sigstore-java checks only the first), of the kind the content
 *       needs, with an inclusion proof whose index is below its tree size;
 *   <li>the bundle is parsed strictly (duplicate keys, trailing data) before sigstore-java's lenient
 *       parser sees it;
 *   <li>the DSSE signature is checked over attest's byte PAE, and the statement's type, predicate
 *       type and subject (the image digest) are checked by attest's strict parser; for DSSE,
 *       sigstore-java's verifiers are called step by step instead of {@code KeylessVerifier.verify},
 *       whose statement parser refuses cosign 3's nameless subject and whose PAE counts characters;
 *   <li>every runtime exception becomes a denial with a reason; none escapes.
 * </ul>
 *
 * @see <a href="https://github.com/sigstore/sigstore-java">sigstore-java</a>
 * @see <a href="https://docs.sigstore.dev/about/security/">Sigstore verification</a>
 */
public final class KeylessBundleVerifier {
  private static final String DSSE_KIND = "dsse";
  private static final String HASHEDREKORD_KIND = "hashedrekord";
  private static final String REKOR_VERSION = "0.0.1";
  /** A trusted root larger than this is refused. */
  static final long MAX_TRUSTED_ROOT_BYTES = 4L * 1024 * 1024;

  private final KeylessVerifier verifier;
  private final FulcioVerifier fulcio;
  private final RekorVerifier rekor;
  private final TimestampVerifier timestamps;

  private KeylessBundleVerifier(SigstoreTrustedRoot root)
      throws GeneralSecurityException, dev.sigstore.trustroot.SigstoreConfigurationException {
    this.verifier = KeylessVerifier.builder().trustedRootProvider(() -> root).build();
    this.fulcio = FulcioVerifier.newFulcioVerifier(root);
    this.rekor = RekorVerifier.newRekorVerifier(root);
    this.timestamps = TimestampVerifier.newTimestampVerifier(root);
  }

  /**
   * A verifier trusting exactly the CAs, CT logs and transparency logs of the {@code
   * trusted_root.json} at {@code trustedRoot}. Nothing is fetched.
   *
   * @throws InvalidContentException if the trusted root cannot be read or is not valid
   */
  public static KeylessBundleVerifier of(Path trustedRoot) throws InvalidContentException {
    Objects.requireNonNull(trustedRoot, "trustedRoot");
    try {
      long size = Files.size(trustedRoot);
      if (size > MAX_TRUSTED_ROOT_BYTES) {
        throw new InvalidContentException(
            "trusted root " + trustedRoot + " is " + size + " bytes, more than the limit of " + MAX_TRUSTED_ROOT_BYTES);
      }
      return new KeylessBundleVerifier(TrustedRootProvider.from(trustedRoot).get());
    } catch (IOException | GeneralSecurityException | dev.sigstore.trustroot.SigstoreConfigurationException
        | RuntimeException e) {
      throw new InvalidContentException("cannot load trusted root " + trustedRoot + ": " + messages(e), e);
    }
  }

  /**
   * Verifies a DSSE bundle carrying an in-toto statement about {@code image}.
   *
   * @param bundleJson the bundle's exact bytes
   * @param image the image digest the statement must name as a subject (sha256)
   * @param predicateType the predicate type the statement must have
   * @param identity the required certificate identity; null is refused
   */
  public KeylessResult verifyDsse(
      byte[] bundleJson, Digest image, String predicateType, @Nullable KeylessIdentity identity) {
    try {
      if (predicateType == null || predicateType.isEmpty()) {
        return KeylessResult.denied("refusing to verify a DSSE bundle without an expected predicate type");
      }
      return verify(bundleJson, image, predicateType, identity, true);
    } catch (RuntimeException e) {
      return KeylessResult.denied("keyless verification failed on malformed input: " + messages(e));
    }
  }

  /**
   * Verifies a message-signature bundle over the artifact with digest {@code artifact}.
   *
   * @param bundleJson the bundle's exact bytes
   * @param artifact the signed artifact's sha256 digest
   * @param identity the required certificate identity; null is refused
   */
  public KeylessResult verifyMessageSignature(byte[] bundleJson, Digest artifact, @Nullable KeylessIdentity identity) {
    try {
      return verify(bundleJson, artifact, null, identity, false);
    } catch (RuntimeException e) {
      return KeylessResult.denied("keyless verification failed on malformed input: " + messages(e));
    }
  }

  private KeylessResult verify(
      byte[] bundleJson,
      Digest digest,
      @Nullable String predicateType,
      @Nullable KeylessIdentity identity,
      boolean dsse) {
    if (identity == null) {
      return KeylessResult.denied(
          "refusing to verify a keyless bundle without an expected OIDC issuer and SAN: empty identity options accept"
              + " anyone");
    }
    if (bundleJson == null || digest == null) {
      return KeylessResult.denied("no bundle or no digest to verify against");
    }
    if (digest.algorithm() != Digest.Algorithm.SHA256) {
      return KeylessResult.denied("keyless verification needs a sha256 digest, got " + digest);
    }

    // 1. Our strict parse first: sigstore-java's parser is lenient (duplicate keys, trailing data).
    SigstoreBundle bundle;
    try {
      bundle = SigstoreBundle.parse(bundleJson);
    } catch (AttestException e) {
      return KeylessResult.denied("malformed Sigstore bundle: " + e.getMessage());
    }
    Optional<DsseEnvelope> envelope = bundle.dsseEnvelope();
    if (dsse && envelope.isEmpty()) {
      return KeylessResult.denied("expected a DSSE bundle, got a message-signature bundle");
    }
    if (!dsse && bundle.messageSignature().isEmpty()) {
      return KeylessResult.denied("expected a message-signature bundle, got a DSSE bundle");
    }

    // 2. Structure sigstore-java does not check.
    VerificationMaterial vm = bundle.verificationMaterial();
    if (vm.kind() == VerificationMaterial.Kind.PUBLIC_KEY) {
      return KeylessResult.denied("bundle is signed with a public key, not a Fulcio certificate");
    }
    X509Certificate leaf;
    try {
      leaf = certificate(vm.leafCertificate().orElseThrow());
    } catch (CertificateException e) {
      return KeylessResult.denied("bundle certificate is not a valid X.509 certificate: " + e.getMessage());
    }
    String tlogProblem = tlogProblem(vm.tlogEntries(), dsse ? DSSE_KIND : HASHEDREKORD_KIND);
    if (tlogProblem != null) {
      return KeylessResult.denied(tlogProblem);
    }
    TlogEntry entry = vm.tlogEntries().get(0);

    // 3. Identity, read from the certificate by us (sigstore-java matches issuer and SAN too).
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

    // 4. The certificate must be valid when the log integrated the entry.
    Instant integrated = Instant.ofEpochSecond(entry.integratedTime());
    Instant notBefore = leaf.getNotBefore().toInstant();
    Instant notAfter = leaf.getNotAfter().toInstant();
    if (integrated.isBefore(notBefore)) {
      return KeylessResult.denied(
          "the log integrated the entry at " + integrated + ", before the certificate became valid at " + notBefore
              + ": the integrated time is outside the certificate's validity");
    }
    if (integrated.isAfter(notAfter)) {
      return KeylessResult.denied(
          "the certificate expired at " + notAfter + ", before the log integrated the entry at " + integrated
              + ": the integrated time is outside the certificate's validity");
    }

    // 5. The signature, over exact bytes, with the certificate's key.
    byte[] statementBytes = null;
    if (dsse) {
      DsseEnvelope env = envelope.orElseThrow();
      String problem = dsseProblem(env, leaf.getPublicKey(), digest, Objects.requireNonNull(predicateType));
      if (problem != null) {
        return KeylessResult.denied(problem);
      }
      statementBytes = env.payload();
    } else {
      String problem = messageSignatureProblem(bundle.messageSignature().orElseThrow(), leaf.getPublicKey(), digest);
      if (problem != null) {
        return KeylessResult.denied(problem);
      }
    }

    // 6. sigstore-java: chain to the trusted CA, SCT, SET, inclusion proof, checkpoint, log body.
    String sigstoreProblem = dsse
        ? sigstoreJavaDsse(bundleJson, leaf, entry, envelope.orElseThrow(), identity)
        : sigstoreJava(bundleJson, digest, identity);
    if (sigstoreProblem != null) {
      return KeylessResult.denied(sigstoreProblem);
    }
    return KeylessResult.allowed(
        "verified " + (dsse ? "DSSE" : "message signature") + " bundle signed by " + actual.san() + " (issuer "
            + actual.issuer() + "), logged at " + integrated,
        statementBytes,
        actual);
  }

  private static @Nullable String tlogProblem(List<TlogEntry> entries, String expectedKind) {
    if (entries.isEmpty()) {
      return "bundle has no transparency log entry";
    }
    if (entries.size() > 1) {
      // sigstore-java verifies only the first entry; the others would be trusted unchecked.
      return "bundle has " + entries.size() + " transparency log entries; only one is verified, so extra entries"
          + " are refused";
    }
    TlogEntry e = entries.get(0);
    if (!expectedKind.equals(e.kind()) || !REKOR_VERSION.equals(e.version())) {
      return "transparency log entry is " + e.kind() + " " + e.version() + ", expected " + expectedKind + " "
          + REKOR_VERSION;
    }
    if (e.integratedTime() <= 0) {
      return "transparency log entry has no integrated time";
    }
    Optional<InclusionProof> proof = e.inclusionProof();
    if (proof.isEmpty()) {
      return "transparency log entry has no inclusion proof";
    }
    InclusionProof p = proof.get();
    if (p.logIndex() < 0 || p.logIndex() >= p.treeSize()) {
      return "inclusion proof index " + p.logIndex() + " is not below the tree size " + p.treeSize();
    }
    if (p.checkpoint().isEmpty()) {
      return "inclusion proof has no checkpoint";
    }
    return null;
  }

  private static @Nullable String identityProblem(CertificateIdentity actual, KeylessIdentity expected) {
    if (!expected.issuer().equals(actual.issuer())) {
      return "certificate OIDC issuer is '" + actual.issuer() + "', expected '" + expected.issuer() + "'";
    }
    if (!expected.sanMatches(actual.san())) {
      return "certificate SAN is '" + actual.san() + "', expected " + expected.sanDescription();
    }
    for (Map.Entry<String, String> e : expected.extensions().entrySet()) {
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

  private static @Nullable String dsseProblem(DsseEnvelope env, PublicKey key, Digest image, String predicateType) {
    if (env.signatures().size() != 1) {
      return "DSSE envelope has " + env.signatures().size() + " signatures, expected exactly one";
    }
    try {
      // Our PAE over the payload bytes: sigstore-java builds it from characters.
      env.verify(Keys.verifier(key));
    } catch (IllegalArgumentException e) {
      return "certificate key is not supported: " + e.getMessage();
    } catch (AttestException e) {
      return "DSSE payload does not match the signature: " + e.getMessage();
    }
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

  private static @Nullable String messageSignatureProblem(
      SigstoreBundle.MessageSignature ms, PublicKey key, Digest artifact) {
    Optional<byte[]> bundled = ms.digestBytes();
    if (bundled.isPresent()) {
      if (!"SHA2_256".equals(ms.digestAlgorithm().orElse(""))
          || !java.util.Arrays.equals(bundled.get(), artifact.hash())) {
        return "bundle message digest is not the artifact's " + artifact;
      }
    }
    try {
      // ECDSA over the SHA-256 digest we were given, as hashedrekord signs.
      Signature s = Signature.getInstance("NONEwithECDSA");
      s.initVerify(key);
      s.update(artifact.hash());
      if (!s.verify(ms.signature())) {
        return "message signature does not verify over the artifact " + artifact + " with the certificate's key";
      }
    } catch (GeneralSecurityException e) {
      return "message signature does not verify over the artifact " + artifact + ": " + e.getMessage();
    }
    return null;
  }

  private @Nullable String sigstoreJava(byte[] bundleJson, Digest digest, KeylessIdentity identity) {
    try {
      return sigstoreJavaUnchecked(bundleJson, digest, identity);
    } catch (RuntimeException e) {
      // NPEs, index errors and IllegalStateExceptions on malformed input, from parsing or verifying.
      return "sigstore-java failed on a malformed bundle: " + messages(e);
    }
  }

  private @Nullable String sigstoreJavaUnchecked(byte[] bundleJson, Digest digest, KeylessIdentity identity) {
    Bundle bundle;
    try {
      bundle = sigstoreBundle(bundleJson);
    } catch (BundleParseException | IOException e) {
      return "sigstore-java cannot read the bundle: " + messages(e);
    }
    VerificationOptions.CertificateMatcher matcher;
    try {
      matcher = matcher(identity);
    } catch (RegexSyntaxException e) {
      return "bad SAN regular expression: " + e.getMessage();
    }
    try {
      verifier.verify(digest.hash(), bundle, VerificationOptions.builder().addCertificateMatchers(matcher).build());
      return null;
    } catch (KeylessVerificationException e) {
      return "sigstore-java: " + messages(e);
    }
  }

  private static Bundle sigstoreBundle(byte[] bundleJson) throws BundleParseException, IOException {
    try (Reader r = new InputStreamReader(new ByteArrayInputStream(bundleJson), StandardCharsets.UTF_8)) {
      return Bundle.from(r);
    }
  }

  private static VerificationOptions.CertificateMatcher matcher(KeylessIdentity identity)
      throws RegexSyntaxException {
    StringMatcher san = identity.san() != null
        ? StringMatcher.string(identity.san())
        : StringMatcher.regex("^(?:" + identity.sanRegex() + ")$");
    return VerificationOptions.CertificateMatcher.fulcio()
        .issuer(StringMatcher.string(identity.issuer()))
        .subjectAlternativeName(san)
        .build();
  }

  /**
   * sigstore-java's checks for a DSSE bundle, without {@link KeylessVerifier#verify}: it parses the
   * payload as an in-toto statement and refuses a subject without a name, which cosign 3's image
   * signature ({@code https://sigstore.dev/cosign/sign/v1}) has. Everything else {@code verify}
   * checks is done here, step by step, with the same sigstore-java verifiers: the chain and SCT
   * (Fulcio), the certificate matcher, the RFC 3161 timestamps, the log body against the envelope,
   * and the SET, inclusion proof and checkpoint (Rekor). The payload type, the single signature over
   * the byte PAE and the statement (type, predicate type, subject digest) were checked by attest
   * before this is called.
   */
  private @Nullable String sigstoreJavaDsse(
      byte[] bundleJson, X509Certificate leaf, TlogEntry entry, DsseEnvelope envelope, KeylessIdentity identity) {
    try {
      Bundle bundle;
      try {
        bundle = sigstoreBundle(bundleJson);
      } catch (BundleParseException | IOException e) {
        return "sigstore-java cannot read the bundle: " + messages(e);
      }
      try {
        fulcio.verifySigningCertificate(bundle.getCertPath());
      } catch (FulcioVerificationException | IOException e) {
        return "sigstore-java: Fulcio certificate was not valid: " + messages(e);
      }
      try {
        if (!matcher(identity).test(leaf)) {
          return "sigstore-java: certificate does not match the expected issuer and SAN";
        }
      } catch (RegexSyntaxException e) {
        return "bad SAN regular expression: " + e.getMessage();
      } catch (VerificationOptions.UncheckedCertificateException e) {
        return "sigstore-java: certificate cannot be matched: " + messages(e);
      }
      String bodyProblem = dsseBodyProblem(entry.canonicalizedBody(), envelope, leaf);
      if (bodyProblem != null) {
        return bodyProblem;
      }
      byte[] signature = envelope.signatures().get(0).sig();
      for (Bundle.Timestamp ts : bundle.getTimestamps()) {
        byte[] token = ts.getRfc3161Timestamp();
        if (token == null || token.length == 0) {
          return "sigstore-java: found an empty RFC 3161 timestamp in the bundle";
        }
        try {
          ImmutableTimestampResponse response = ImmutableTimestampResponse.builder().encoded(token).build();
          timestamps.verify(response, signature);
          leaf.checkValidity(response.getGenTime());
        } catch (TimestampVerificationException | dev.sigstore.timestamp.client.TimestampException | CertificateException e) {
          return "sigstore-java: RFC 3161 timestamp could not be verified: " + messages(e);
        }
      }
      if (bundle.getEntries().size() != 1) {
        return "sigstore-java sees " + bundle.getEntries().size() + " transparency log entries, expected one";
      }
      try {
        rekor.verifyEntry(bundle.getEntries().get(0));
      } catch (RekorVerificationException e) {
        return "sigstore-java: transparency log entry could not be verified: " + messages(e);
      }
      return null;
    } catch (RuntimeException e) {
      return "sigstore-java failed on a malformed bundle: " + messages(e);
    }
  }

  /**
   * The Rekor {@code dsse} 0.0.1 body must be about this envelope: its payload hash, its one
   * signature, and the bundle's certificate as the verifier. Read with attest's strict parser.
   *
   * @see <a href="https://github.com/sigstore/rekor/blob/main/pkg/types/dsse/v0.0.1/dsse_v0_0_1_schema.json">dsse 0.0.1</a>
   */
  static @Nullable String dsseBodyProblem(byte[] body, DsseEnvelope envelope, X509Certificate leaf) {
    String w = "transparency log entry body";
    try {
      JsonNode n = JsonReads.object(body, w);
      if (!"dsse".equals(JsonReads.text(n, "kind", w)) || !REKOR_VERSION.equals(JsonReads.text(n, "apiVersion", w))) {
        return w + " is not a dsse " + REKOR_VERSION + " entry";
      }
      JsonNode spec = JsonReads.object(n, "spec", w);
      JsonNode payloadHash = JsonReads.object(spec, "payloadHash", w + " spec");
      if (!"sha256".equals(JsonReads.text(payloadHash, "algorithm", w + " payloadHash"))) {
        return w + " has a payload hash that is not sha256";
      }
      String expected = Digest.sha256(envelope.payload()).hex();
      if (!expected.equals(JsonReads.text(payloadHash, "value", w + " payloadHash"))) {
        return "digest of the DSSE payload in the bundle does not match the payload digest in the log entry";
      }
      JsonNode sigs = JsonReads.array(spec, "signatures", w + " spec", DsseEnvelope.MAX_SIGNATURES);
      if (sigs.size() != 1) {
        return w + " has " + sigs.size() + " signatures, expected exactly one";
      }
      byte[] logged = JsonReads.bytes(sigs.get(0), "signature", w + " signature");
      if (!java.util.Arrays.equals(logged, envelope.signatures().get(0).sig())) {
        return "the DSSE signature in the bundle is not the signature in the log entry";
      }
      byte[] verifierPem = JsonReads.bytes(sigs.get(0), "verifier", w + " signature");
      byte[] der = dev.attest.core.Pem.read(verifierPem, w + " verifier").der();
      if (!java.util.Arrays.equals(der, leaf.getEncoded())) {
        return "the certificate in the log entry is not the bundle's certificate";
      }
      return null;
    } catch (AttestException e) {
      return "malformed " + w + ": " + e.getMessage();
    } catch (CertificateException e) {
      return "bundle certificate cannot be encoded: " + e.getMessage();
    }
  }

  // ---------------------------------------------------------------- certificate reading

  private static X509Certificate certificate(byte[] der) throws CertificateException {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
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

  private static String extensionString(X509Certificate leaf, String oid) throws InvalidContentException {
    byte[] wrapped = leaf.getExtensionValue(oid);
    try {
      byte[] octets = ASN1OctetString.getInstance(wrapped).getOctets();
      if (FulcioOids.isRawString(oid)) {
        return StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(octets))
            .toString();
      }
      ASN1Primitive p = ASN1Primitive.fromByteArray(octets);
      if (!(p instanceof ASN1UTF8String s)) {
        throw new InvalidContentException("certificate extension " + oid + " is not a DER UTF8String");
      }
      return s.getString();
    } catch (IOException | IllegalArgumentException e) {
      throw new InvalidContentException("certificate extension " + oid + " is malformed: " + e.getMessage(), e);
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
