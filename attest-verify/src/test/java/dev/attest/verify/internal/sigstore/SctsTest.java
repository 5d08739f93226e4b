package dev.attest.verify.internal.sigstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Embedded SCTs of real Fulcio certificates verify; a changed SCT, certificate, issuer or log is refused. */
class SctsTest {
  static final String PROD = "03-rekor2-hashedrekord-prod";

  static List<X509Certificate> path(String folder) throws Exception {
    List<X509Certificate> certs = Vectors.certs(Vectors.bundle(folder));
    return CertificateChains.verify(certs, Vectors.root(folder).certificateAuthorities(),
        certs.get(0).getNotBefore().toInstant().plusSeconds(1));
  }

  @ParameterizedTest
  @ValueSource(strings = {"01-rekor2-hashedrekord-staging", PROD, "07-rekor1-intoto002-keyless-npm-provenance",
      "09-rekor1-dsse001-keyless", "12-neg-tlog-time-outside-cert-validity", "15-keyless-ecdsa-p384-sha384",
      "16-keyless-rsa-pkcs1v15-2048"})
  void verifiesRealEmbeddedScts(String folder) throws Exception {
    List<X509Certificate> p = path(folder);
    assertThat(Scts.verify(p.get(0), p.get(1), Vectors.root(folder).ctlogs(), 1)).isEqualTo(1);
    assertThat(Scts.verify(p.get(0), p.get(1), List.of(), 0)).isZero();
  }

  @Test
  void refusesAChangedSctSignature() throws Exception {
    List<X509Certificate> p = path(PROD);
    byte[] der = p.get(0).getEncoded();
    X509Parts.Extension ext = X509Parts.parse(der, "leaf").extension(Scts.OID_SCT_LIST);
    int at = indexOf(der, ext.encoded()) + ext.encoded().length - 1; // the SCT signature's last byte
    refused(Vectors.cert(Vectors.flip(der, at)), p.get(1), Vectors.root(PROD).ctlogs(), 1, "does not verify over the precertificate");
  }

  @Test
  void refusesAChangedCertificateTheSctWasNotIssuedFor() throws Exception {
    List<X509Certificate> p = path(PROD);
    byte[] der = p.get(0).getEncoded();
    byte[] email = "brian@dehamer.com".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    int at = indexOf(der, email);
    refused(Vectors.cert(Vectors.flip(der, at)), p.get(1), Vectors.root(PROD).ctlogs(), 1, "does not verify over the precertificate");
  }

  @Test
  void refusesTheWrongIssuerLogOrWindowAndCountsThreshold() throws Exception {
    List<X509Certificate> p = path(PROD);
    List<LogKey> logs = Vectors.root(PROD).ctlogs();
    refused(p.get(0), p.get(2), logs, 1, "does not verify over the precertificate");
    refused(p.get(0), p.get(1), Vectors.root("01-rekor2-hashedrekord-staging").ctlogs(), 1, "names a CT log the trusted root does not have");
    refused(p.get(0), p.get(1), logs, 2, "1 of the certificate's 1 SCTs verified against the trusted root's CT logs, 2 required");
    LogKey log = logs.get(1);
    LogKey expired = new LogKey(log.baseUrl(), log.logId(), log.key(), log.algorithm(), log.validFrom(), Instant.parse("2023-01-01T00:00:00Z"));
    refused(p.get(0), p.get(1), List.of(expired), 1, "outside the log key's validity");
    LogKey otherKey = new LogKey(log.baseUrl(), log.logId(), logs.get(0).key(), log.algorithm(), log.validFrom(), null);
    refused(p.get(0), p.get(1), List.of(otherKey), 1, "does not verify");
  }

  @Test
  void refusesACertificateWithoutScts() throws Exception {
    List<X509Certificate> p = path("05-tsa-only-keyless-github-private");
    refused(p.get(0), p.get(1), Vectors.root(PROD).ctlogs(), 1, "embeds no signed certificate timestamp");
  }

  @Test
  void refusesMalformedSctLists() {
    assertThatThrownBy(() -> Scts.parse(new byte[] {0, 5, 0, 3, 1})).isInstanceOf(VerificationFailure.class)
        .hasMessageContaining("does not match");
    assertThatThrownBy(() -> Scts.parse(new byte[] {0, 3, 0, 9, 1})).isInstanceOf(VerificationFailure.class)
        .hasMessageContaining("does not fit");
    assertThatThrownBy(() -> Scts.parse(new byte[] {0, 3, 0, 1, 0})).isInstanceOf(VerificationFailure.class)
        .hasMessageContaining("truncated");
  }

  static int indexOf(byte[] hay, byte[] needle) {
    for (int i = 0; i + needle.length <= hay.length; i++) {
      if (Arrays.equals(hay, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    throw new AssertionError("not found");
  }

  static void refused(X509Certificate leaf, X509Certificate issuer, List<LogKey> logs, int threshold, String reason) {
    assertThatThrownBy(() -> Scts.verify(leaf, issuer, logs, threshold)).isInstanceOf(VerificationFailure.class)
        .hasMessageContaining(reason);
  }
}
