package dev.attest.verify.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attest.core.AttestException;
import dev.attest.core.Digest;
import dev.attest.core.DsseEnvelope;
import dev.attest.core.Keys;
import dev.attest.core.Statement;
import dev.attest.core.SigstoreBundle;
import dev.attest.verify.internal.keyless.FulcioOids;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.tsp.TSPAlgorithms;
import org.bouncycastle.tsp.TSPException;
import org.bouncycastle.tsp.TimeStampRequest;
import org.bouncycastle.tsp.TimeStampRequestGenerator;
import org.bouncycastle.tsp.TimeStampResponseGenerator;
import org.bouncycastle.tsp.TimeStampTokenGenerator;
import org.jspecify.annotations.Nullable;

/**
 * An in-memory Sigstore: a Fulcio-like CA (root and intermediate) issuing short-lived code-signing
 * certificates with the Fulcio OIDC extensions and embedded SCTs from a CT log, and a Rekor-like
 * transparency log that returns entries with a signed entry timestamp, an RFC 6962 inclusion proof
 * and a signed checkpoint. It writes the matching {@code trusted_root.json}, so that sigstore-java
 * (and any other Sigstore verifier) verifies its v0.3 bundles offline.
 *
 * <p>{@link Options} has a knob for each way a bundle can be wrong.
 *
 * @see <a href="https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_trustroot.proto">sigstore_trustroot.proto</a>
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6962">RFC 6962</a>
 * @see <a href="https://github.com/C2SP/C2SP/blob/main/signed-note.md">signed note</a>
 */
public final class SigstoreTestStack {
  public static final String TRUSTED_ROOT_MEDIA_TYPE = "application/vnd.dev.sigstore.trustedroot+json;version=0.1";
  /** When every piece of this stack's trust material starts being valid. */
  public static final Instant VALID_FROM = Instant.parse("2020-01-01T00:00:00Z");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicLong SERIALS = new AtomicLong(System.nanoTime());

  private final String name;
  private final KeyPair rootKey = Keys.generateP256();
  private final KeyPair intermediateKey = Keys.generateP256();
  private final KeyPair ctLogKey = Keys.generateP256();
  private final KeyPair rekorKey = Keys.generateP256();
  private final KeyPair rekorV2Key = ed25519();
  private final KeyPair witnessKey = ed25519();
  private final KeyPair tsaRootKey = Keys.generateP256();
  private final KeyPair tsaKey = Keys.generateP256();
  private final X509Certificate root;
  private final X509Certificate intermediate;
  private final X509Certificate tsaRoot;
  private final X509Certificate tsaLeaf;
  private final List<byte[]> leaves = new ArrayList<>();
  private final List<byte[]> v2Leaves = new ArrayList<>();

  private SigstoreTestStack(String name) {
    this.name = name;
    Instant from = Instant.now().minus(Duration.ofDays(365));
    Instant to = Instant.now().plus(Duration.ofDays(3650));
    X500Name rootName = new X500Name("O=" + name + ", CN=" + name + " test root");
    X500Name intermediateName = new X500Name("O=" + name + ", CN=" + name + " test intermediate");
    this.root = caCertificate(rootName, rootKey.getPublic(), rootName, rootKey, from, to, 1);
    this.intermediate =
        caCertificate(intermediateName, intermediateKey.getPublic(), rootName, rootKey, from, to, 0);
    X500Name tsaRootName = new X500Name("O=" + name + ", CN=" + name + " test tsa root");
    this.tsaRoot = caCertificate(tsaRootName, tsaRootKey.getPublic(), tsaRootName, tsaRootKey, from, to, 0);
    this.tsaLeaf = tsaLeafCertificate(new X500Name("O=" + name + ", CN=" + name + " test tsa"), tsaKey.getPublic(),
        tsaRootName, tsaRootKey, from, to);
    // The v2 log starts with entries by other signers too.
    for (int i = 0; i < 3; i++) {
      v2Leaves.add(("v2 filler " + name + " " + i).getBytes(StandardCharsets.UTF_8));
    }
    // Entries by other signers before ours, so that proofs have a real audit path.
    for (int i = 0; i < 5; i++) {
      leaves.add(("filler " + name + " " + i).getBytes(StandardCharsets.UTF_8));
    }
  }

  /** A new stack called {@code attest}. */
  public static SigstoreTestStack create() {
    return create("attest");
  }

  /** A new stack with fresh keys; {@code name} goes into host names and certificate subjects. */
  public static SigstoreTestStack create(String name) {
    if (!name.matches("[a-z0-9-]+")) {
      throw new IllegalArgumentException("stack name must be [a-z0-9-]+");
    }
    return new SigstoreTestStack(name);
  }

  public String rekorUrl() {
    return "https://rekor." + name + ".test";
  }

  public String fulcioUrl() {
    return "https://fulcio." + name + ".test";
  }

  public String ctLogUrl() {
    return "https://ctfe." + name + ".test";
  }

  public X509Certificate rootCertificate() {
    return root;
  }

  public X509Certificate intermediateCertificate() {
    return intermediate;
  }

  // ---------------------------------------------------------------- identities and options

  /**
   * A certificate identity: OIDC issuer, SAN (email or URI) and further Fulcio extensions by OID
   * (values are written raw for {@code .1.2}–{@code .1.6}, as DER UTF8String from {@code .1.8}).
   */
  public record Identity(String issuer, String san, boolean sanIsUri, Map<String, String> extensions) {
    public Identity {
      extensions = Map.copyOf(extensions);
    }

    public static Identity email(String issuer, String email) {
      return new Identity(issuer, email, false, Map.of());
    }

    public static Identity uri(String issuer, String uri) {
      return new Identity(issuer, uri, true, Map.of());
    }

    /**
     * A GitHub Actions workflow identity as Fulcio issues it for {@code repo} (owner/name) at
     * {@code ref}, running {@code workflowPath}.
     */
    public static Identity githubActions(String repo, String ref, String workflowPath) {
      String repoUri = "https://github.com/" + repo;
      String signer = repoUri + "/" + workflowPath + "@" + ref;
      Map<String, String> ext = new LinkedHashMap<>();
      ext.put(FulcioOids.GITHUB_WORKFLOW_TRIGGER, "push");
      ext.put(FulcioOids.GITHUB_WORKFLOW_SHA, "0123456789abcdef0123456789abcdef01234567");
      ext.put(FulcioOids.GITHUB_WORKFLOW_NAME, "release");
      ext.put(FulcioOids.GITHUB_WORKFLOW_REPOSITORY, repo);
      ext.put(FulcioOids.GITHUB_WORKFLOW_REF, ref);
      ext.put(FulcioOids.BUILD_SIGNER_URI, signer);
      ext.put(FulcioOids.BUILD_SIGNER_DIGEST, "0123456789abcdef0123456789abcdef01234567");
      ext.put(FulcioOids.RUNNER_ENVIRONMENT, "github-hosted");
      ext.put(FulcioOids.SOURCE_REPOSITORY_URI, repoUri);
      ext.put(FulcioOids.SOURCE_REPOSITORY_DIGEST, "0123456789abcdef0123456789abcdef01234567");
      ext.put(FulcioOids.SOURCE_REPOSITORY_REF, ref);
      ext.put(FulcioOids.SOURCE_REPOSITORY_IDENTIFIER, "123456");
      ext.put(FulcioOids.SOURCE_REPOSITORY_OWNER_URI, "https://github.com/" + repo.substring(0, repo.indexOf('/')));
      ext.put(FulcioOids.SOURCE_REPOSITORY_OWNER_IDENTIFIER, "654321");
      ext.put(FulcioOids.BUILD_CONFIG_URI, signer);
      ext.put(FulcioOids.BUILD_CONFIG_DIGEST, "0123456789abcdef0123456789abcdef01234567");
      ext.put(FulcioOids.BUILD_TRIGGER, "push");
      ext.put(FulcioOids.RUN_INVOCATION_URI, repoUri + "/actions/runs/1/attempts/1");
      ext.put(FulcioOids.SOURCE_REPOSITORY_VISIBILITY, "public");
      return new Identity(GITHUB_ISSUER, signer, true, ext);
    }

    public Identity withExtension(String oid, String value) {
      Map<String, String> ext = new LinkedHashMap<>(extensions);
      ext.put(oid, value);
      return new Identity(issuer, san, sanIsUri, ext);
    }
  }

  /** The GitHub Actions OIDC issuer. */
  public static final String GITHUB_ISSUER = "https://token.actions.githubusercontent.com";

  /**
   * How to sign, and what to break. The defaults give a bundle that verifies: a certificate valid
   * for ten minutes from a minute ago, logged thirty seconds into its validity.
   *
   * @param certificateValidity how long the leaf certificate is valid
   * @param integratedAfterIssue when the log integrates the entry, relative to the certificate's
   *     notBefore (negative: before it was valid; beyond the validity: after it expired)
   * @param corruptInclusionProof flip a bit in the first audit path hash
   * @param wrongCheckpointKey sign the checkpoint with a key the trusted root does not know
   * @param tamperedPayload sign one payload but put (and log) another in the bundle
   * @param proofIndexAtTreeSize write an inclusion proof whose index equals the tree size
   * @param extraTlogEntry append a second, bogus tlog entry after the good one
   */
  public record Options(
      Duration certificateValidity,
      Duration integratedAfterIssue,
      boolean corruptInclusionProof,
      boolean wrongCheckpointKey,
      boolean tamperedPayload,
      boolean proofIndexAtTreeSize,
      boolean extraTlogEntry) {

    public static Options defaults() {
      return new Options(Duration.ofMinutes(10), Duration.ofSeconds(30), false, false, false, false, false);
    }

    /** The certificate ended before the log integrated the entry. */
    public Options withExpiredCertificate() {
      return new Options(Duration.ofMinutes(5), Duration.ofMinutes(8), corruptInclusionProof, wrongCheckpointKey,
          tamperedPayload, proofIndexAtTreeSize, extraTlogEntry);
    }

    public Options withIntegratedAfterIssue(Duration d) {
      return new Options(certificateValidity, d, corruptInclusionProof, wrongCheckpointKey, tamperedPayload,
          proofIndexAtTreeSize, extraTlogEntry);
    }

    public Options withCorruptInclusionProof() {
      return new Options(certificateValidity, integratedAfterIssue, true, wrongCheckpointKey, tamperedPayload,
          proofIndexAtTreeSize, extraTlogEntry);
    }

    public Options withWrongCheckpointKey() {
      return new Options(certificateValidity, integratedAfterIssue, corruptInclusionProof, true, tamperedPayload,
          proofIndexAtTreeSize, extraTlogEntry);
    }

    public Options withTamperedPayload() {
      return new Options(certificateValidity, integratedAfterIssue, corruptInclusionProof, wrongCheckpointKey, true,
          proofIndexAtTreeSize, extraTlogEntry);
    }

    public Options withProofIndexAtTreeSize() {
      return new Options(certificateValidity, integratedAfterIssue, corruptInclusionProof, wrongCheckpointKey,
          tamperedPayload, true, extraTlogEntry);
    }

    public Options withExtraTlogEntry() {
      return new Options(certificateValidity, integratedAfterIssue, corruptInclusionProof, wrongCheckpointKey,
          tamperedPayload, proofIndexAtTreeSize, true);
    }
  }

  // ---------------------------------------------------------------- signing

  /** Signs {@code blob} as {@code identity}: a message-signature v0.3 bundle. */
  public SigstoreBundle signBlob(byte[] blob, Identity identity) {
    return signBlob(blob, identity, Options.defaults());
  }

  public SigstoreBundle signBlob(byte[] blob, Identity identity, Options options) {
    KeyPair key = Keys.generateP256();
    Issued cert = issue(identity, key.getPublic(), options);
    byte[] signature = sign(key.getPrivate(), blob);
    byte[] logged = options.tamperedPayload() ? tamper(blob) : blob;
    Digest digest = Digest.sha256(logged);
    ObjectNode body = JSON.createObjectNode();
    body.put("apiVersion", "0.0.1");
    body.put("kind", "hashedrekord");
    ObjectNode spec = body.putObject("spec");
    ObjectNode hash = spec.putObject("data").putObject("hash");
    hash.put("algorithm", "sha256");
    hash.put("value", digest.hex());
    ObjectNode sig = spec.putObject("signature");
    sig.put("content", b64(signature));
    sig.putObject("publicKey").put("content", b64(pem(cert.der)));
    ObjectNode bundle = bundleHead(cert, logEntry("hashedrekord", canonical(body), cert, options), options);
    ObjectNode ms = bundle.putObject("messageSignature");
    ObjectNode md = ms.putObject("messageDigest");
    md.put("algorithm", "SHA2_256");
    md.put("digest", b64(digest.hash()));
    ms.put("signature", b64(signature));
    return parse(bundle);
  }

  /** Signs {@code statement} in a DSSE envelope as {@code identity}: a DSSE v0.3 bundle. */
  public SigstoreBundle signDsse(Statement statement, Identity identity) {
    return signDsse(statement, identity, Options.defaults());
  }

  public SigstoreBundle signDsse(Statement statement, Identity identity, Options options) {
    return signDsse(Statement.PAYLOAD_TYPE, statement.bytes(), identity, options);
  }

  /**
   * Signs any payload in a DSSE envelope as {@code identity}, for payloads that are not valid
   * statements (a wrong {@code _type}, a wrong payload type).
   */
  public SigstoreBundle signDsse(String payloadType, byte[] payload, Identity identity, Options options) {
    KeyPair key = Keys.generateP256();
    Issued cert = issue(identity, key.getPublic(), options);
    DsseEnvelope signed;
    try {
      signed = DsseEnvelope.sign(payloadType, payload, Keys.signer(key));
    } catch (AttestException e) {
      throw new IllegalStateException(e);
    }
    DsseEnvelope envelope =
        options.tamperedPayload()
            ? DsseEnvelope.of(signed.payloadType(), tamper(signed.payload()), signed.signatures())
            : signed;
    byte[] sig = envelope.signatures().get(0).sig();
    ObjectNode body = JSON.createObjectNode();
    body.put("apiVersion", "0.0.1");
    body.put("kind", "dsse");
    ObjectNode spec = body.putObject("spec");
    ObjectNode envelopeHash = spec.putObject("envelopeHash");
    envelopeHash.put("algorithm", "sha256");
    envelopeHash.put("value", Digest.sha256(envelope.json()).hex());
    ObjectNode payloadHash = spec.putObject("payloadHash");
    payloadHash.put("algorithm", "sha256");
    payloadHash.put("value", Digest.sha256(envelope.payload()).hex());
    ObjectNode s = spec.putArray("signatures").addObject();
    s.put("signature", b64(sig));
    s.put("verifier", b64(pem(cert.der)));
    ObjectNode bundle = bundleHead(cert, logEntry("dsse", canonical(body), cert, options), options);
    try {
      bundle.set("dsseEnvelope", JSON.readTree(envelope.json()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return parse(bundle);
  }

  /** Appends {@code trailing} to a statement's bytes: a payload that its signature does not cover. */
  private static byte[] tamper(byte[] payload) {
    String s = new String(payload, StandardCharsets.UTF_8);
    if (s.endsWith("}")) {
      return (s.substring(0, s.length() - 1) + ",\"tampered\":true}").getBytes(StandardCharsets.UTF_8);
    }
    byte[] out = payload.clone();
    out[0] ^= 1;
    return out;
  }

  private ObjectNode bundleHead(Issued cert, ObjectNode entry, Options options) {
    ObjectNode bundle = JSON.createObjectNode();
    bundle.put("mediaType", SigstoreBundle.MEDIA_TYPE_V0_3);
    ObjectNode vm = bundle.putObject("verificationMaterial");
    vm.putObject("certificate").put("rawBytes", b64(cert.der));
    ArrayNode entries = vm.putArray("tlogEntries");
    entries.add(entry);
    if (options.extraTlogEntry()) {
      ObjectNode extra = entry.deepCopy();
      extra.put("logIndex", "999999");
      extra.put("canonicalizedBody", b64("{\"bogus\":true}".getBytes(StandardCharsets.UTF_8)));
      entries.add(extra);
    }
    return bundle;
  }

  private static SigstoreBundle parse(ObjectNode bundle) {
    try {
      return SigstoreBundle.parse(JSON.writeValueAsBytes(bundle));
    } catch (IOException | AttestException e) {
      throw new IllegalStateException("test stack wrote a bundle attest cannot read: " + e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------- the log

  private synchronized ObjectNode logEntry(String kind, byte[] body, Issued cert, Options options) {
    long integratedTime = cert.notBefore.plus(options.integratedAfterIssue()).getEpochSecond();
    long index = leaves.size();
    leaves.add(body);
    // Later entries by other signers, so that the proof has hashes on both sides.
    leaves.add(("filler after " + index).getBytes(StandardCharsets.UTF_8));
    leaves.add(("filler after " + index + " again").getBytes(StandardCharsets.UTF_8));
    int treeSize = leaves.size();
    List<byte[]> leafHashes = leaves.stream().map(SigstoreTestStack::leafHash).toList();
    byte[] rootHash = Merkle.root(leafHashes);
    List<byte[]> path = Merkle.path((int) index, leafHashes);
    if (options.corruptInclusionProof()) {
      path.get(0)[0] ^= 1;
    }
    byte[] logId = sha256(rekorKey.getPublic().getEncoded());

    // Signed entry timestamp: over the canonical JSON of body, integratedTime, logID, logIndex.
    Map<String, Object> set = new TreeMap<>();
    set.put("body", b64(body));
    set.put("integratedTime", integratedTime);
    set.put("logID", HexFormat.of().formatHex(logId));
    set.put("logIndex", index);
    byte[] setSig;
    try {
      setSig = sign(rekorKey.getPrivate(), JSON.writeValueAsBytes(set));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }

    ObjectNode entry = JSON.createObjectNode();
    entry.put("logIndex", Long.toString(index));
    entry.putObject("logId").put("keyId", b64(logId));
    ObjectNode kv = entry.putObject("kindVersion");
    kv.put("kind", kind);
    kv.put("version", "0.0.1");
    entry.put("integratedTime", Long.toString(integratedTime));
    entry.putObject("inclusionPromise").put("signedEntryTimestamp", b64(setSig));
    ObjectNode proof = entry.putObject("inclusionProof");
    proof.put("logIndex", Long.toString(options.proofIndexAtTreeSize() ? treeSize : index));
    proof.put("rootHash", b64(rootHash));
    proof.put("treeSize", Long.toString(treeSize));
    ArrayNode hashes = proof.putArray("hashes");
    path.forEach(h -> hashes.add(b64(h)));
    proof.putObject("checkpoint").put("envelope", checkpoint(treeSize, rootHash, options.wrongCheckpointKey()));
    entry.put("canonicalizedBody", b64(body));
    return entry;
  }

  /** A signed note: origin, tree size, root hash, then "— name base64(keyhint || signature)". */
  private String checkpoint(long treeSize, byte[] rootHash, boolean wrongKey) {
    String note = "rekor." + name + ".test - 1193050959916656506\n" + treeSize + "\n" + b64(rootHash) + "\n";
    KeyPair signer = wrongKey ? Keys.generateP256() : rekorKey;
    byte[] sig = sign(signer.getPrivate(), note.getBytes(StandardCharsets.UTF_8));
    byte[] hint = new byte[4];
    System.arraycopy(sha256(rekorKey.getPublic().getEncoded()), 0, hint, 0, 4);
    byte[] hintAndSig = new byte[4 + sig.length];
    System.arraycopy(hint, 0, hintAndSig, 0, 4);
    System.arraycopy(sig, 0, hintAndSig, 4, sig.length);
    return note + "\n\u2014 rekor." + name + ".test " + b64(hintAndSig) + "\n";
  }

  private static byte[] leafHash(byte[] leaf) {
    return Merkle.hash(new byte[] {0}, leaf);
  }

  /** RFC 6962 section 2.1 Merkle tree hashes and audit paths. */
  static final class Merkle {
    static byte[] hash(byte[] prefix, byte[]... parts) {
      try {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(prefix);
        for (byte[] p : parts) {
          md.update(p);
        }
        return md.digest();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    static byte[] root(List<byte[]> leafHashes) {
      int n = leafHashes.size();
      if (n == 1) {
        return leafHashes.get(0);
      }
      int k = largestPowerOfTwoBelow(n);
      return hash(new byte[] {1}, root(leafHashes.subList(0, k)), root(leafHashes.subList(k, n)));
    }

    /** PATH(m, D[n]), leaf to root; mutable copies. */
    static List<byte[]> path(int m, List<byte[]> leafHashes) {
      int n = leafHashes.size();
      List<byte[]> out = new ArrayList<>();
      if (n <= 1) {
        return out;
      }
      int k = largestPowerOfTwoBelow(n);
      if (m < k) {
        out.addAll(path(m, leafHashes.subList(0, k)));
        out.add(root(leafHashes.subList(k, n)).clone());
      } else {
        out.addAll(path(m - k, leafHashes.subList(k, n)));
        out.add(root(leafHashes.subList(0, k)).clone());
      }
      return out;
    }

    private static int largestPowerOfTwoBelow(int n) {
      int k = 1;
      while (k << 1 < n) {
        k <<= 1;
      }
      return k;
    }
  }

  // ---------------------------------------------------------------- the CA and the CT log

  private record Issued(byte[] der, Instant notBefore, Instant notAfter) {}

  /** A leaf certificate for {@code key} as {@code identity}, as Fulcio would issue it (DER). */
  public byte[] issueCertificate(Identity identity, PublicKey key) {
    return issue(identity, key, Options.defaults()).der;
  }

  /**
   * Appends {@code body} (a canonical Rekor entry) to the log, integrated thirty seconds after
   * {@code certNotBefore}: the tlog entry in bundle form (base64 hashes).
   */
  public ObjectNode appendToLog(String kind, byte[] body, Instant certNotBefore) {
    return logEntry(kind, body, new Issued(new byte[0], certNotBefore, certNotBefore.plus(Duration.ofMinutes(10))),
        Options.defaults());
  }

  /** JSON with sorted keys and no whitespace, as Rekor canonicalizes entry bodies. */
  public static byte[] canonicalJson(ObjectNode node) {
    return canonical(node);
  }

  /** A certificate in PEM as BouncyCastle writes it. */
  public static byte[] certificatePem(byte[] der) {
    return pem(der);
  }

  private Issued issue(Identity identity, PublicKey key, Options options) {
    Instant notBefore = Instant.now().minus(Duration.ofMinutes(1)).minus(options.integratedAfterIssue().isNegative()
        ? Duration.ZERO : options.integratedAfterIssue());
    notBefore = notBefore.minusNanos(notBefore.getNano());
    Instant notAfter = notBefore.plus(options.certificateValidity());
    try {
      BigInteger serial = BigInteger.valueOf(SERIALS.incrementAndGet());
      X500Name issuerName = X500Name.getInstance(intermediate.getSubjectX500Principal().getEncoded());
      SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(key.getEncoded());
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      List<Extension> exts = new ArrayList<>();
      exts.add(new Extension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature).getEncoded()));
      exts.add(new Extension(Extension.extendedKeyUsage, false,
          new ExtendedKeyUsage(KeyPurposeId.id_kp_codeSigning).getEncoded()));
      exts.add(new Extension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(key).getEncoded()));
      exts.add(new Extension(Extension.authorityKeyIdentifier, false,
          utils.createAuthorityKeyIdentifier(intermediate.getPublicKey()).getEncoded()));
      GeneralName san = new GeneralName(identity.sanIsUri() ? GeneralName.uniformResourceIdentifier : GeneralName.rfc822Name,
          identity.san());
      // Fulcio's subject is empty, so the SAN is critical (RFC 5280 section 4.2.1.6).
      exts.add(new Extension(Extension.subjectAlternativeName, true, new GeneralNames(san).getEncoded()));
      exts.add(new Extension(new ASN1ObjectIdentifier(FulcioOids.ISSUER_V1), false,
          identity.issuer().getBytes(StandardCharsets.UTF_8)));
      exts.add(new Extension(new ASN1ObjectIdentifier(FulcioOids.ISSUER_V2), false,
          new DERUTF8String(identity.issuer()).getEncoded()));
      for (Map.Entry<String, String> e : identity.extensions().entrySet()) {
        byte[] value = FulcioOids.isRawString(e.getKey())
            ? e.getValue().getBytes(StandardCharsets.UTF_8)
            : new DERUTF8String(e.getValue()).getEncoded();
        exts.add(new Extension(new ASN1ObjectIdentifier(e.getKey()), false, value));
      }
      // The precertificate's TBS is the final TBS without the SCT list (RFC 6962 section 3.2).
      byte[] preTbs = leaf(serial, issuerName, notBefore, notAfter, spki, exts).toASN1Structure()
          .getTBSCertificate().getEncoded("DER");
      byte[] sctList = sctList(notBefore.toEpochMilli(), preTbs);
      List<Extension> withSct = new ArrayList<>(exts);
      withSct.add(new Extension(new ASN1ObjectIdentifier(FulcioOids.EMBEDDED_SCT_LIST), false,
          new DEROctetString(sctList).getEncoded()));
      byte[] der = leaf(serial, issuerName, notBefore, notAfter, spki, withSct).getEncoded();
      return new Issued(der, notBefore, notAfter);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private X509CertificateHolder leaf(BigInteger serial, X500Name issuer, Instant notBefore, Instant notAfter,
      SubjectPublicKeyInfo spki, List<Extension> exts) throws IOException {
    X509v3CertificateBuilder b = new X509v3CertificateBuilder(issuer, serial, Date.from(notBefore), Date.from(notAfter),
        new X500Name(new org.bouncycastle.asn1.x500.RDN[0]), spki);
    for (Extension e : exts) {
      b.addExtension(e);
    }
    return b.build(contentSigner(intermediateKey.getPrivate()));
  }

  /** A TLS-encoded SignedCertificateTimestampList with one v1 SCT over the precertificate. */
  private byte[] sctList(long timestampMillis, byte[] preTbs) throws IOException {
    byte[] logId = sha256(ctLogKey.getPublic().getEncoded());
    byte[] issuerKeyHash = sha256(intermediate.getPublicKey().getEncoded());
    ByteArrayOutputStream signed = new ByteArrayOutputStream();
    signed.write(0); // sct_version v1
    signed.write(0); // signature_type certificate_timestamp
    writeUint(signed, timestampMillis, 8);
    writeUint(signed, 1, 2); // entry_type precert_entry
    signed.write(issuerKeyHash);
    writeUint(signed, preTbs.length, 3);
    signed.write(preTbs);
    writeUint(signed, 0, 2); // no extensions
    byte[] sig = sign(ctLogKey.getPrivate(), signed.toByteArray());

    ByteArrayOutputStream sct = new ByteArrayOutputStream();
    sct.write(0);
    sct.write(logId);
    writeUint(sct, timestampMillis, 8);
    writeUint(sct, 0, 2);
    sct.write(4); // hash sha256
    sct.write(3); // signature ecdsa
    writeUint(sct, sig.length, 2);
    sct.write(sig);
    byte[] one = sct.toByteArray();

    ByteArrayOutputStream list = new ByteArrayOutputStream();
    writeUint(list, one.length + 2, 2);
    writeUint(list, one.length, 2);
    list.write(one);
    return list.toByteArray();
  }

  private static void writeUint(ByteArrayOutputStream out, long v, int bytes) {
    for (int i = bytes - 1; i >= 0; i--) {
      out.write((int) (v >>> (8 * i)) & 0xff);
    }
  }

  private static X509Certificate caCertificate(X500Name subject, PublicKey key, X500Name issuer, KeyPair issuerKey,
      Instant from, Instant to, int pathLen) {
    try {
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = new X509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIALS.incrementAndGet()),
          Date.from(from), Date.from(to), subject, SubjectPublicKeyInfo.getInstance(key.getEncoded()));
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(pathLen));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(key));
      if (!subject.equals(issuer)) {
        b.addExtension(Extension.authorityKeyIdentifier, false,
            utils.createAuthorityKeyIdentifier(issuerKey.getPublic()));
      }
      return new JcaX509CertificateConverter().getCertificate(b.build(contentSigner(issuerKey.getPrivate())));
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ContentSigner contentSigner(PrivateKey key) {
    try {
      return new JcaContentSignerBuilder("SHA256withECDSA").build(key);
    } catch (org.bouncycastle.operator.OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------- Rekor v2 and the TSA

  /** The Rekor v2 log's base URL in the trusted root (a shard URL, as rekor-tiles names them). */
  public String rekorV2Url() {
    return "https://" + rekorV2Origin();
  }

  /** The Rekor v2 log's checkpoint origin and key name: its shard's host name. */
  public String rekorV2Origin() {
    return "log2025-1.rekor." + name + ".test";
  }

  /** The timestamp authority's URI in the trusted root. */
  public String tsaUrl() {
    return "https://timestamp." + name + ".test/api/v1/timestamp";
  }

  /**
   * The Rekor v2 log's ID: its C2SP checkpoint key ID in full, SHA-256(origin || 0x0A || 0x01 ||
   * Ed25519 key), whose first four bytes are the key hint of its checkpoint signatures (as the
   * public-good Rekor v2 shards are listed in trusted roots).
   */
  public byte[] rekorV2LogId() {
    return sha256(concat((rekorV2Origin() + "\n").getBytes(StandardCharsets.UTF_8), new byte[] {1},
        rawEd25519(rekorV2Key.getPublic())));
  }

  /** How the Rekor v2 log answers. */
  public enum V2Fault {
    /** A correct answer. */
    NONE,
    /** Logs another entry than the one sent (another digest). */
    OTHER_BODY,
    /** Flips a bit of the first inclusion proof hash. */
    BAD_PROOF,
    /** Signs the checkpoint with a key the trusted root does not know. */
    WRONG_CHECKPOINT_KEY,
    /** Answers an integrated time, which a v2 log has no SET to vouch for. */
    INTEGRATED_TIME,
    /** Answers a checkpoint for another tree size than the proof's. */
    CHECKPOINT_OTHER_SIZE
  }

  /**
   * Appends {@code body} (a canonical Rekor v2 entry of {@code kind} 0.0.2) to the v2 log: the
   * protobuf-JSON {@code TransparencyLogEntry} Rekor v2 answers (no SET, no integrated time), with
   * an RFC 6962 inclusion proof and a C2SP checkpoint signed by the log's Ed25519 key.
   */
  public synchronized ObjectNode appendToLogV2(String kind, byte[] body, V2Fault fault) {
    long index = v2Leaves.size();
    v2Leaves.add(body);
    v2Leaves.add(("v2 filler after " + index).getBytes(StandardCharsets.UTF_8));
    int treeSize = v2Leaves.size();
    List<byte[]> leafHashes = v2Leaves.stream().map(SigstoreTestStack::leafHash).toList();
    byte[] rootHash = Merkle.root(leafHashes);
    List<byte[]> path = Merkle.path((int) index, leafHashes);
    if (fault == V2Fault.BAD_PROOF) {
      path.get(0)[0] ^= 1;
    }
    ObjectNode entry = JSON.createObjectNode();
    entry.put("logIndex", Long.toString(index));
    entry.putObject("logId").put("keyId", b64(rekorV2LogId()));
    ObjectNode kv = entry.putObject("kindVersion");
    kv.put("kind", kind);
    kv.put("version", "0.0.2");
    if (fault == V2Fault.INTEGRATED_TIME) {
      entry.put("integratedTime", Long.toString(Instant.now().getEpochSecond()));
    }
    ObjectNode proof = entry.putObject("inclusionProof");
    proof.put("logIndex", Long.toString(index));
    proof.put("rootHash", b64(rootHash));
    proof.put("treeSize", Long.toString(treeSize));
    ArrayNode hashes = proof.putArray("hashes");
    path.forEach(h -> hashes.add(b64(h)));
    long checkpointSize = fault == V2Fault.CHECKPOINT_OTHER_SIZE ? treeSize + 1 : treeSize;
    proof.putObject("checkpoint").put("envelope",
        checkpointV2(checkpointSize, rootHash, fault == V2Fault.WRONG_CHECKPOINT_KEY));
    entry.put("canonicalizedBody", b64(body));
    return entry;
  }

  /**
   * A tiles-style checkpoint (C2SP tlog-checkpoint): origin, size, base64 root, a blank line, a
   * witness cosignature line from another key first (which verifiers must skip), then the log's
   * Ed25519 signature with its key hint.
   */
  private String checkpointV2(long treeSize, byte[] rootHash, boolean wrongKey) {
    String note = rekorV2Origin() + "\n" + treeSize + "\n" + b64(rootHash) + "\n";
    byte[] text = note.getBytes(StandardCharsets.UTF_8);
    KeyPair signer = wrongKey ? ed25519() : rekorV2Key;
    byte[] hint = java.util.Arrays.copyOf(rekorV2LogId(), 4);
    byte[] witnessHint = java.util.Arrays.copyOf(sha256(("witness." + name + ".test\n").getBytes(
        StandardCharsets.UTF_8)), 4);
    byte[] witnessSig = concat(witnessHint, new byte[8], signEd25519(witnessKey.getPrivate(), text));
    return note + "\n\u2014 witness." + name + ".test " + b64(witnessSig) + "\n\u2014 " + rekorV2Origin() + " "
        + b64(concat(hint, signEd25519(signer.getPrivate(), text))) + "\n";
  }

  /** How the timestamp authority answers. */
  public enum TsaFault {
    /** A correct answer. */
    NONE,
    /** A token for another nonce than the request's. */
    WRONG_NONCE,
    /** A token over other bytes than the request's message imprint. */
    WRONG_IMPRINT,
    /** A token from a TSA the trusted root does not list (a valid token, untrusted). */
    UNTRUSTED,
    /** A token without the TSA certificate, although the request asked for it. */
    NO_CERTIFICATES,
    /** A token dated an hour ahead (a TSA with a wrong clock). */
    FUTURE,
    /** A response with status rejection and no token. */
    REJECTED
  }

  /**
   * The DER TimeStampResp to a DER TimeStampReq ({@code application/timestamp-query}), from this
   * stack's TSA (a P-256 leaf with a critical timeStamping-only EKU under its own root), embedding
   * the TSA's chain when the request asks for it.
   */
  public byte[] timestamp(byte[] timeStampReq, TsaFault fault) {
    try {
      TimeStampRequest req = new TimeStampRequest(timeStampReq);
      if (fault == TsaFault.WRONG_NONCE || fault == TsaFault.WRONG_IMPRINT || fault == TsaFault.NO_CERTIFICATES) {
        TimeStampRequestGenerator g = new TimeStampRequestGenerator();
        g.setCertReq(fault != TsaFault.NO_CERTIFICATES && req.getCertReq());
        byte[] imprint = fault == TsaFault.WRONG_IMPRINT ? sha256(new byte[] {42}) : req.getMessageImprintDigest();
        BigInteger nonce = req.getNonce() == null ? null
            : fault == TsaFault.WRONG_NONCE ? req.getNonce().add(BigInteger.ONE) : req.getNonce();
        req = nonce == null ? g.generate(req.getMessageImprintAlgOID(), imprint)
            : g.generate(req.getMessageImprintAlgOID(), imprint, nonce);
      }
      boolean untrusted = fault == TsaFault.UNTRUSTED;
      X509Certificate leaf = untrusted ? foreignTsa().leaf : tsaLeaf;
      PrivateKey key = untrusted ? foreignTsa().key.getPrivate() : tsaKey.getPrivate();
      JcaSignerInfoGeneratorBuilder sib = new JcaSignerInfoGeneratorBuilder(
          new JcaDigestCalculatorProviderBuilder().build());
      TimeStampTokenGenerator gen = new TimeStampTokenGenerator(
          sib.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key), leaf),
          new JcaDigestCalculatorProviderBuilder().build().get(
              new org.bouncycastle.asn1.x509.AlgorithmIdentifier(org.bouncycastle.asn1.nist.NISTObjectIdentifiers.id_sha256)),
          new ASN1ObjectIdentifier("1.3.6.1.4.1.57264.2"));
      // The signer's certificate only (RFC 3161 section 2.4.1); sigstore-java takes the first embedded
      // certificate as the leaf, and a CMS SET OF sorts a chain by encoding.
      gen.addCertificates(new JcaCertStore(List.of(leaf)));
      TimeStampResponseGenerator rg = new TimeStampResponseGenerator(gen, TSPAlgorithms.ALLOWED);
      if (fault == TsaFault.REJECTED) {
        return rg.generateRejectedResponse(new TSPException("the TSA refuses this request")).getEncoded();
      }
      Date genTime = Date.from(Instant.now().plus(fault == TsaFault.FUTURE ? Duration.ofHours(1) : Duration.ZERO));
      return rg.generate(req, BigInteger.valueOf(SERIALS.incrementAndGet()), genTime).getEncoded();
    } catch (IOException | GeneralSecurityException | TSPException | OperatorCreationException e) {
      throw new IllegalStateException("test TSA: " + e.getMessage(), e);
    }
  }

  /** {@link #timestamp(byte[], TsaFault)} for the JSON request Sigstore's timestamp-authority also takes. */
  public byte[] timestampJson(byte[] artifactHash, boolean certificates, @Nullable BigInteger nonce) {
    TimeStampRequestGenerator g = new TimeStampRequestGenerator();
    g.setCertReq(certificates);
    try {
      TimeStampRequest req = nonce == null ? g.generate(TSPAlgorithms.SHA256, artifactHash)
          : g.generate(TSPAlgorithms.SHA256, artifactHash, nonce);
      return timestamp(req.getEncoded(), TsaFault.NONE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private record Tsa(KeyPair key, X509Certificate leaf, X509Certificate root) {}

  private @Nullable Tsa foreign;

  private synchronized Tsa foreignTsa() {
    if (foreign == null) {
      KeyPair rk = Keys.generateP256();
      KeyPair lk = Keys.generateP256();
      Instant from = Instant.now().minus(Duration.ofDays(365));
      Instant to = Instant.now().plus(Duration.ofDays(3650));
      X500Name rn = new X500Name("O=elsewhere, CN=elsewhere tsa root");
      X509Certificate r = caCertificate(rn, rk.getPublic(), rn, rk, from, to, 0);
      foreign = new Tsa(lk, tsaLeafCertificate(new X500Name("O=elsewhere, CN=elsewhere tsa"), lk.getPublic(), rn, rk,
          from, to), r);
    }
    return foreign;
  }

  private static X509Certificate tsaLeafCertificate(X500Name subject, PublicKey key, X500Name issuer, KeyPair issuerKey,
      Instant from, Instant to) {
    try {
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = new X509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIALS.incrementAndGet()),
          Date.from(from), Date.from(to), subject, SubjectPublicKeyInfo.getInstance(key.getEncoded()));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      // RFC 3161 section 2.3: a critical EKU with timeStamping only.
      b.addExtension(Extension.extendedKeyUsage, true, new ExtendedKeyUsage(KeyPurposeId.id_kp_timeStamping));
      b.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(key));
      b.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(issuerKey.getPublic()));
      return new JcaX509CertificateConverter().getCertificate(b.build(contentSigner(issuerKey.getPrivate())));
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair ed25519() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] signEd25519(PrivateKey key, byte[] message) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(key);
      s.update(message);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] rawEd25519(PublicKey key) {
    byte[] spki = key.getEncoded();
    return java.util.Arrays.copyOfRange(spki, spki.length - 32, spki.length);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  // ---------------------------------------------------------------- the trusted root

  /** The {@code trusted_root.json} for this stack's CA, CT log and transparency log. */
  public byte[] trustedRootJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("mediaType", TRUSTED_ROOT_MEDIA_TYPE);
    ArrayNode tlogs = root.putArray("tlogs");
    tlogs.add(logInstance(rekorUrl(), rekorKey.getPublic()));
    ObjectNode v2 = logInstance(rekorV2Url(), rekorV2Key.getPublic());
    ((ObjectNode) v2.get("publicKey")).put("keyDetails", "PKIX_ED25519");
    ((ObjectNode) v2.get("logId")).put("keyId", b64(rekorV2LogId()));
    tlogs.add(v2);
    ObjectNode ca = root.putArray("certificateAuthorities").addObject();
    ObjectNode subject = ca.putObject("subject");
    subject.put("organization", name);
    subject.put("commonName", name + " test intermediate");
    ca.put("uri", fulcioUrl());
    ArrayNode chain = ca.putObject("certChain").putArray("certificates");
    try {
      chain.addObject().put("rawBytes", b64(intermediate.getEncoded()));
      chain.addObject().put("rawBytes", b64(this.root.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    ca.putObject("validFor").put("start", VALID_FROM.toString());
    root.putArray("ctlogs").add(logInstance(ctLogUrl(), ctLogKey.getPublic()));
    ObjectNode tsa = root.putArray("timestampAuthorities").addObject();
    ObjectNode tsaSubject = tsa.putObject("subject");
    tsaSubject.put("organization", name);
    tsaSubject.put("commonName", name + " test tsa");
    tsa.put("uri", tsaUrl());
    ArrayNode tsaChain = tsa.putObject("certChain").putArray("certificates");
    try {
      tsaChain.addObject().put("rawBytes", b64(tsaLeaf.getEncoded()));
      tsaChain.addObject().put("rawBytes", b64(tsaRoot.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    tsa.putObject("validFor").put("start", VALID_FROM.toString());
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ObjectNode logInstance(String url, PublicKey key) {
    ObjectNode log = JSON.createObjectNode();
    log.put("baseUrl", url);
    log.put("hashAlgorithm", "SHA2_256");
    ObjectNode pk = log.putObject("publicKey");
    pk.put("rawBytes", b64(key.getEncoded()));
    pk.put("keyDetails", "PKIX_ECDSA_P256_SHA_256");
    pk.putObject("validFor").put("start", VALID_FROM.toString());
    log.putObject("logId").put("keyId", b64(sha256(key.getEncoded())));
    return log;
  }

  /** Writes {@link #trustedRootJson()} to {@code file} and returns it. */
  public Path writeTrustedRoot(Path file) {
    try {
      Files.write(file, trustedRootJson());
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------- helpers

  private static byte[] sign(PrivateKey key, byte[] message) {
    try {
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initSign(key);
      s.update(message);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] sha256(byte[] b) {
    return Digest.sha256(b).hash();
  }

  /** JCS for the ASCII-only, integer-free bodies written here: keys sorted, no whitespace. */
  private static byte[] canonical(ObjectNode node) {
    try {
      Object sorted = JSON.treeToValue(node, Object.class);
      return JSON.writeValueAsBytes(sortKeys(sorted));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static @Nullable Object sortKeys(@Nullable Object o) {
    if (o instanceof Map<?, ?> m) {
      Map<String, Object> out = new TreeMap<>();
      ((Map<String, Object>) m).forEach((k, v) -> out.put(k, sortKeys(v)));
      return out;
    }
    if (o instanceof List<?> l) {
      return l.stream().map(SigstoreTestStack::sortKeys).toList();
    }
    return o;
  }

  /** PEM as BouncyCastle's writer (and so sigstore-java) writes it: 64-column lines, LF. */
  static byte[] pem(byte[] der) {
    String b = Base64.getEncoder().encodeToString(der);
    StringBuilder sb = new StringBuilder("-----BEGIN CERTIFICATE-----\n");
    for (int i = 0; i < b.length(); i += 64) {
      sb.append(b, i, Math.min(b.length(), i + 64)).append('\n');
    }
    sb.append("-----END CERTIFICATE-----\n");
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }
}
