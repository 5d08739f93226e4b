package dev.attest.verify.internal.sigstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The DER reader keeps exact slices and refuses BER, truncation, trailing data and deep nesting; the writer round-trips. */
class DerTest {
  static byte[] hex(String h) {
    return HexFormat.of().parseHex(h.replace(" ", ""));
  }

  @Test
  void readsValuesAndKeepsExactSlices() throws Exception {
    byte[] der = hex("30 0c 02 01 05 06 03 2a 86 48 04 02 ab cd");
    Der.Value seq = Der.parse(der, "t");
    List<Der.Value> kids = seq.children();
    assertThat(kids).hasSize(3);
    assertThat(kids.get(0).integer("n")).isEqualTo(BigInteger.valueOf(5));
    assertThat(kids.get(1).oid("oid")).isEqualTo("1.2.840");
    assertThat(kids.get(2).octets("o")).isEqualTo(hex("abcd"));
    assertThat(kids.get(2).encoded()).isEqualTo(hex("04 02 ab cd"));
    assertThat(seq.encoded()).isEqualTo(der);
  }

  @Test
  void writerRoundTripsShortAndLongLengths() throws Exception {
    for (int n : new int[] {0, 1, 127, 128, 255, 256, 65535, 65536, 70000}) {
      byte[] enc = Der.tlv(Der.OCTET_STRING, new byte[n]);
      assertThat(Der.parse(enc, "t").octets("o")).hasSize(n);
    }
    byte[] seq = Der.tlv(Der.SEQUENCE, List.of(Der.tlv(Der.INTEGER, new byte[] {1}), Der.tlv(Der.NULL, new byte[0])));
    assertThat(seq).isEqualTo(hex("30 05 02 01 01 05 00"));
  }

  @ParameterizedTest
  @CsvSource({
      "30 80 02 01 01 00 00, indefinite length",
      "30 05 02 01 01, past its end",
      "02 01 01 00, trailing data",
      "30 81 05 02 01 01 05 00, non-minimal DER length",
      "30 82 00 05 02 01 01 05 00, non-minimal DER length",
      "1f 01 00, multi-byte DER tag",
      "30, truncated",
      "30 85 01 00 00 00 00, malformed DER length"})
  void refusesMalformedDer(String input, String reason) {
    assertThatThrownBy(() -> Der.parse(hex(input), "t")).isInstanceOf(VerificationFailure.class).hasMessageContaining(reason);
  }

  @Test
  void boundsNestingDepthAndSize() throws Exception {
    byte[] v = Der.tlv(Der.NULL, new byte[0]);
    for (int i = 0; i < Der.MAX_DEPTH + 2; i++) {
      v = Der.tlv(Der.SEQUENCE, v);
    }
    Der.Value deep = Der.parse(v, "t");
    assertThatThrownBy(() -> {
      Der.Value d = deep;
      while (d.constructed()) {
        d = d.single("x");
      }
    }).isInstanceOf(VerificationFailure.class).hasMessageContaining("deeper than " + Der.MAX_DEPTH);
    assertThatThrownBy(() -> Der.parse(new byte[Der.MAX_INPUT + 1], "t")).hasMessageContaining("more than the limit");
  }

  @Test
  void readsTimesAndRefusesLooseOnes() throws Exception {
    assertThat(Der.parse(hex("17 0d 3235303130323033303430355a"), "t").time("t")).isEqualTo(Instant.parse("2025-01-02T03:04:05Z"));
    assertThat(Der.parse(hex("17 0d 3939303130323033303430355a"), "t").time("t")).isEqualTo(Instant.parse("1999-01-02T03:04:05Z"));
    assertThat(Der.parse(Der.tlv(Der.GENERALIZED_TIME, "20251214020450.123Z".getBytes()), "t").time("t"))
        .isEqualTo(Instant.parse("2025-12-14T02:04:50.123Z"));
    for (String bad : new String[] {"20251214020450", "20251214020450.120Z", "20251214020450+0100", "20251314020450Z"}) {
      assertThatThrownBy(() -> Der.parse(Der.tlv(Der.GENERALIZED_TIME, bad.getBytes()), "t").time("t"))
          .as(bad).isInstanceOf(VerificationFailure.class);
    }
  }

  @Test
  void refusesMalformedOids() {
    assertThatThrownBy(() -> Der.parse(hex("06 02 2a 86"), "t").oid("o")).hasMessageContaining("OBJECT IDENTIFIER");
    assertThatThrownBy(() -> Der.parse(hex("06 03 2a 80 01"), "t").oid("o")).hasMessageContaining("minimal");
    assertThatThrownBy(() -> Der.parse(hex("06 00"), "t").oid("o")).hasMessageContaining("OBJECT IDENTIFIER");
  }

  /** The precertificate TBS of a real Fulcio leaf re-encodes to the same bytes when nothing is removed. */
  @Test
  void reencodingARealTbsWithoutRemovalsIsExact() throws Exception {
    byte[] der = Vectors.certs(Vectors.bundle("03-rekor2-hashedrekord-prod")).get(0).getEncoded();
    X509Parts p = X509Parts.parse(der, "leaf");
    List<byte[]> fields = new java.util.ArrayList<>(p.tbsFieldsBeforeExtensions);
    fields.add(Der.tlv(Der.context(3), Der.tlv(Der.SEQUENCE, p.extensions.stream().map(X509Parts.Extension::encoded).toList())));
    assertThat(Der.tlv(Der.SEQUENCE, fields)).isEqualTo(p.tbs);
    assertThat(Scts.precertificateTbs(p).length).isLessThan(p.tbs.length);
  }
}
