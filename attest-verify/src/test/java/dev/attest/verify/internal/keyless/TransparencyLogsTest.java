package dev.attest.verify.internal.keyless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.core.SigstoreBundle;
import dev.attest.verify.internal.sigstore.SignatureAlgorithm;
import dev.attest.verify.internal.sigstore.TrustedRoot;
import dev.attest.verify.internal.sigstore.VerificationFailure;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The transparency log part of verification (entry body, log, inclusion proof, checkpoint, SET)
 * on the real vectors of {@code src/test/resources/vectors} (sources and licenses: INDEX.md there).
 */
class TransparencyLogsTest {

  static byte[] resource(String path) {
    try (InputStream in = TransparencyLogsTest.class.getResourceAsStream("/vectors/" + path)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource vectors/" + path);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static SigstoreBundle bundle(String folder) throws Exception {
    return SigstoreBundle.parse(resource(folder + "/bundle.sigstore.json"));
  }

  static TrustedRoot root(String folder) throws VerificationFailure {
    return TrustedRoot.parse(resource(folder + "/trusted_root.json"));
  }

  static LogEntryBodies.Signed signed(String folder, SigstoreBundle b) throws Exception {
    SigstoreBundle.VerificationMaterial vm = b.verificationMaterial();
    PublicKey key;
    byte[] signer;
    boolean cert = vm.kind() != SigstoreBundle.VerificationMaterial.Kind.PUBLIC_KEY;
    if (cert) {
      X509Certificate leaf = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new java.io.ByteArrayInputStream(vm.leafCertificate().orElseThrow()));
      key = leaf.getPublicKey();
      signer = leaf.getEncoded();
    } else {
      dev.attest.verify.TrustedKey k = dev.attest.verify.TrustedKey.fromPem(new String(
          resource(folder + "/public_key.pem"), java.nio.charset.StandardCharsets.US_ASCII));
      key = java.security.KeyFactory.getInstance(k.algorithm())
          .generatePublic(new java.security.spec.X509EncodedKeySpec(k.spki()));
      signer = key.getEncoded();
    }
    ArtifactDigests artifact = b.messageSignature().isPresent()
        ? ArtifactDigests.of(resource(folder + "/artifact.txt")) : null;
    return KeylessBundleVerifier.signed(b, SignatureAlgorithm.forKey(key), key, signer, cert, artifact);
  }

  static TransparencyLogs.Verified verify(String folder) throws Exception {
    SigstoreBundle b = bundle(folder);
    return TransparencyLogs.verify(b.verificationMaterial().tlogEntries().get(0), b.version(), signed(folder, b),
        root(folder));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "01-rekor2-hashedrekord-staging", "02-rekor2-dsse002-intoto-staging", "03-rekor2-hashedrekord-prod",
      "04-rekor2-dsse002-prod"})
  void rekorV2EntriesVerifyWithoutTime(String folder) throws Exception {
    TransparencyLogs.Verified v = verify(folder);
    assertThat(v.integratedTime()).isNull();
    assertThat(v.log().baseUrl()).contains("log2025");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "07-rekor1-intoto002-keyless-npm-provenance", "08-rekor1-intoto002-managed-key-npm-publish",
      "09-rekor1-dsse001-keyless", "12-neg-tlog-time-outside-cert-validity", "15-keyless-ecdsa-p384-sha384",
      "16-keyless-rsa-pkcs1v15-2048"})
  void rekorV1EntriesVerifyWithTheirSignedTime(String folder) throws Exception {
    TransparencyLogs.Verified v = verify(folder);
    assertThat(v.integratedTime()).isAfter(Instant.parse("2022-01-01T00:00:00Z"));
  }

  @Test
  void anEntryWithoutSetGivesNoTime() throws Exception {
    assertThat(verify("11-neg-no-signed-time").integratedTime()).isNull();
  }

  @Test
  void anEntryAboutAnotherSignatureIsRefused() {
    assertThatThrownBy(() -> verify("10-neg-tlog-entry-mismatch-cve-2022-36056"))
        .hasMessageContaining("is not the bundle's signature");
  }

  @Test
  void aV02BundleWithoutCheckpointIsRefused() {
    assertThatThrownBy(() -> verify("14-neg-missing-checkpoint")).hasMessageContaining("has no checkpoint");
  }
}
