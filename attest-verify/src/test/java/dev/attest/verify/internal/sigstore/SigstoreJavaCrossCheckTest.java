package dev.attest.verify.internal.sigstore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sigstore.fulcio.client.FulcioVerifier;
import dev.sigstore.trustroot.SigstoreTrustedRoot;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * attest's chain and SCT verdicts beside sigstore-java 2.0.0's FulcioVerifier (test scope only), on
 * real leaves, a leaf whose embedded SCT is altered, and leaves checked against another instance.
 */
class SigstoreJavaCrossCheckTest {
  @ParameterizedTest(name = "{0} against {1}, tampered={2}")
  @CsvSource({
      "03-rekor2-hashedrekord-prod, 03-rekor2-hashedrekord-prod, false, true",
      "01-rekor2-hashedrekord-staging, 01-rekor2-hashedrekord-staging, false, true",
      "15-keyless-ecdsa-p384-sha384, 15-keyless-ecdsa-p384-sha384, false, true",
      "16-keyless-rsa-pkcs1v15-2048, 16-keyless-rsa-pkcs1v15-2048, false, true",
      "09-rekor1-dsse001-keyless, 09-rekor1-dsse001-keyless, false, true",
      "03-rekor2-hashedrekord-prod, 03-rekor2-hashedrekord-prod, true, false",
      "03-rekor2-hashedrekord-prod, 01-rekor2-hashedrekord-staging, false, false",
      "01-rekor2-hashedrekord-staging, 03-rekor2-hashedrekord-prod, false, false"})
  void sameVerdictAsSigstoreJava(String bundleFolder, String rootFolder, boolean tamperSct, boolean expected) throws Exception {
    X509Certificate leaf = Vectors.certs(Vectors.bundle(bundleFolder)).get(0);
    if (tamperSct) {
      byte[] der = leaf.getEncoded();
      X509Parts.Extension ext = X509Parts.parse(der, "leaf").extension(Scts.OID_SCT_LIST);
      leaf = Vectors.cert(Vectors.flip(der, SctsTest.indexOf(der, ext.encoded()) + ext.encoded().length - 1));
    }
    boolean ours;
    try {
      TrustedRoot root = Vectors.root(rootFolder);
      List<X509Certificate> path = CertificateChains.verify(List.of(leaf), root.certificateAuthorities(),
          leaf.getNotBefore().toInstant());
      Scts.verify(path.get(0), path.get(1), root.ctlogs(), 1);
      ours = true;
    } catch (VerificationFailure f) {
      ours = false;
    }
    boolean theirs;
    try {
      SigstoreTrustedRoot sj = SigstoreTrustedRoot.from(new ByteArrayInputStream(Vectors.bytes(rootFolder + "/trusted_root.json")));
      FulcioVerifier.newFulcioVerifier(sj).verifySigningCertificate(
          CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)));
      theirs = true;
    } catch (Exception e) {
      theirs = false;
    }
    assertThat(ours).as("attest").isEqualTo(expected);
    assertThat(theirs).as("sigstore-java").isEqualTo(expected);
  }
}
