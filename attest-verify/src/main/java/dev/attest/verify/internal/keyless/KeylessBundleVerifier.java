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
 *   <li>the DSSE signature is also checked over attest's byte PAE, and the statement's type,
 *       predicate type and subject (the image digest) are checked;
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

  private KeylessBundleVerifier(KeylessVerifier verifier) {
    this.verifier = verifier;
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
      return new KeylessBundleVerifier(
          KeylessVerifier.builder().trustedRootProvider(TrustedRootProvider.from(trustedRoot)).build());
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
    boolean nonAscii = statementBytes != null && !isAscii(statementBytes);
    String sigstoreProblem = sigstoreJava(bundleJson, digest, identity, nonAscii);
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

  private @Nullable String sigstoreJava(
      byte[] bundleJson, Digest digest, KeylessIdentity identity, boolean nonAsciiPayload) {
    try {
      return sigstoreJavaUnchecked(bundleJson, digest, identity, nonAsciiPayload);
    } catch (RuntimeException e) {
      // NPEs, index errors and IllegalStateExceptions on malformed input, from parsing or verifying.
      return "sigstore-java failed on a malformed bundle: " + messages(e);
    }
  }

  private @Nullable String sigstoreJavaUnchecked(
      byte[] bundleJson, Digest digest, KeylessIdentity identity, boolean nonAsciiPayload) {
    Bundle bundle;
    try (Reader r = new InputStreamReader(new ByteArrayInputStream(bundleJson), StandardCharsets.UTF_8)) {
      bundle = Bundle.from(r);
    } catch (BundleParseException | IOException e) {
      return "sigstore-java cannot read the bundle: " + messages(e);
    }
    VerificationOptions options;
    try {
      StringMatcher san = identity.san() != null
          ? StringMatcher.string(identity.san())
          : StringMatcher.regex("^(?:" + identity.sanRegex() + ")$");
      options = VerificationOptions.builder()
          .addCertificateMatchers(VerificationOptions.CertificateMatcher.fulcio()
              .issuer(StringMatcher.string(identity.issuer()))
              .subjectAlternativeName(san)
              .build())
          .build();
    } catch (RegexSyntaxException e) {
      return "bad SAN regular expression: " + e.getMessage();
    }
    try {
      verifier.verify(digest.hash(), bundle, options);
      return null;
    } catch (KeylessVerificationException e) {
      if (nonAsciiPayload && String.valueOf(e.getMessage()).contains("DSSE signature was not valid")) {
        // Our byte PAE verified; sigstore-java's PAE counts characters, not bytes.
        return "sigstore-java 2.0.0 cannot verify a DSSE signature over a non-ASCII payload (it builds the PAE"
            + " length from characters, not bytes), so the bundle cannot be fully verified: " + messages(e);
      }
      return "sigstore-java: " + messages(e);
    }
  }

  private static boolean isAscii(byte[] b) {
    for (byte x : b) {
      if (x < 0) {
        return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- certificate reading

  private static X509Certificate certificate(byte[] der) throws CertificateException {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
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
