package dev.attest.verify.internal.sigstore;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Embedded signed certificate timestamps (RFC 6962 sections 3.2 and 3.3): the SCT list a Fulcio
 * certificate carries in extension 1.3.6.1.4.1.11129.2.4.2, each SCT verified over the
 * precertificate it was issued for, which is rebuilt from the certificate by removing that
 * extension from the TBS and re-encoding it.
 */
public final class Scts {
  private Scts() {}

  static final String OID_SCT_LIST = "1.3.6.1.4.1.11129.2.4.2";
  /** More SCTs than this in one certificate is refused; Fulcio embeds one. */
  static final int MAX_SCTS = 32;

  /** One parsed SCT (RFC 6962 section 3.2). */
  record Sct(int version, byte[] logId, long timestampMillis, byte[] extensions, int hashAlgorithm, int signatureAlgorithm,
      byte[] signature) {}

  /**
   * Verifies the SCTs embedded in {@code leaf} against {@code ctlogs}: each SCT counts when a CT
   * log with its log id, whose validity window covers the SCT's timestamp, signed it over the
   * precertificate entry for {@code leaf} issued by {@code issuer}. Fails unless SCTs from at least
   * {@code threshold} distinct logs verify. Returns that number.
   */
  public static int verify(X509Certificate leaf, X509Certificate issuer, List<LogKey> ctlogs, int threshold)
      throws VerificationFailure {
    if (threshold <= 0) {
      return 0;
    }
    X509Parts parts = X509Parts.parse(Certificates.encoded(leaf), "signing certificate");
    X509Parts.Extension ext = parts.extension(OID_SCT_LIST);
    if (ext == null) {
      throw new VerificationFailure("SCT: the signing certificate embeds no signed certificate timestamp, and "
          + threshold + " " + (threshold == 1 ? "is" : "are") + " required");
    }
    List<Sct> scts = parse(Der.parse(ext.value(), "SCT list extension").octets("SignedCertificateTimestampList"));
    byte[] issuerKeyHash = SignatureAlgorithm.digest("SHA-256").digest(
        X509Parts.parse(Certificates.encoded(issuer), "issuer certificate").spki);
    byte[] tbs = precertificateTbs(parts);
    Set<String> verifiedLogs = new HashSet<>();
    List<String> problems = new ArrayList<>();
    for (Sct sct : scts) {
      String id = HexFormat.of().formatHex(sct.logId());
      if (sct.version() != 0) {
        problems.add("SCT from log " + id + " has version " + sct.version() + ", only v1 (0) is known");
        continue;
      }
      Instant ts = Instant.ofEpochMilli(sct.timestampMillis());
      List<LogKey> logs = new ArrayList<>();
      for (LogKey k : ctlogs) {
        if (k.hasLogId(sct.logId())) {
          logs.add(k);
        }
      }
      if (logs.isEmpty()) {
        problems.add("SCT from log " + id + " names a CT log the trusted root does not have");
        continue;
      }
      byte[] signed = signedData(sct, issuerKeyHash, tbs);
      boolean ok = false;
      for (LogKey log : logs) {
        if (!log.validAt(ts)) {
          problems.add("SCT from log " + log.baseUrl() + " has timestamp " + ts + ", outside the log key's validity ("
              + log.validFrom() + " to " + (log.validTo() == null ? "now" : log.validTo()) + ")");
          continue;
        }
        if (!consistent(sct, log.algorithm())) {
          problems.add("SCT from log " + log.baseUrl() + " names hash " + sct.hashAlgorithm() + "/signature "
              + sct.signatureAlgorithm() + ", which do not match the log key " + log.algorithm());
          continue;
        }
        if (log.algorithm().verify(log.key(), signed, sct.signature())) {
          ok = true;
          break;
        }
        problems.add("SCT signature from log " + log.baseUrl() + " does not verify over the precertificate");
      }
      if (ok) {
        verifiedLogs.add(id);
      }
    }
    if (verifiedLogs.size() < threshold) {
      throw new VerificationFailure("SCT: " + verifiedLogs.size() + " of the certificate's " + scts.size()
          + " SCTs verified against the trusted root's CT logs, " + threshold + " required"
          + (problems.isEmpty() ? "" : ": " + String.join("; ", problems)));
    }
    return verifiedLogs.size();
  }

  /** DigitallySigned's algorithms (RFC 5246 section 7.4.1.4.1) must be the log key's: sha256 with ecdsa or rsa. */
  private static boolean consistent(Sct sct, SignatureAlgorithm alg) {
    return switch (alg) {
      case PKIX_ECDSA_P256_SHA_256 -> sct.hashAlgorithm() == 4 && sct.signatureAlgorithm() == 3;
      case PKIX_ECDSA_P384_SHA_384 -> sct.hashAlgorithm() == 5 && sct.signatureAlgorithm() == 3;
      case PKIX_ECDSA_P521_SHA_512 -> sct.hashAlgorithm() == 6 && sct.signatureAlgorithm() == 3;
      case PKIX_RSA_PKCS1V15_2048_SHA256, PKIX_RSA_PKCS1V15_3072_SHA256, PKIX_RSA_PKCS1V15_4096_SHA256 ->
          sct.hashAlgorithm() == 4 && sct.signatureAlgorithm() == 1;
      default -> false;
    };
  }

  /** The TLS-encoded SignedCertificateTimestampList (RFC 6962 section 3.3). */
  static List<Sct> parse(byte[] list) throws VerificationFailure {
    ByteBuffer b = ByteBuffer.wrap(list);
    int total = u16(b, "SCT list length");
    if (total != b.remaining() || total == 0) {
      throw new VerificationFailure("SCT: the SCT list length " + total + " does not match its " + b.remaining() + " bytes");
    }
    List<Sct> out = new ArrayList<>();
    while (b.hasRemaining()) {
      if (out.size() == MAX_SCTS) {
        throw new VerificationFailure("SCT: the certificate embeds more than " + MAX_SCTS + " SCTs");
      }
      int len = u16(b, "SCT length");
      if (len == 0 || len > b.remaining()) {
        throw new VerificationFailure("SCT: an SCT length of " + len + " does not fit the list");
      }
      ByteBuffer s = b.slice(b.position(), len);
      b.position(b.position() + len);
      int version = u8(s, "SCT version");
      byte[] logId = bytes(s, 32, "SCT log id");
      long ts = s.remaining() >= 8 ? s.getLong() : -1;
      if (ts < 0) {
        throw new VerificationFailure("SCT: a timestamp is truncated or out of range");
      }
      byte[] ext = bytes(s, u16(s, "SCT extensions length"), "SCT extensions");
      int hash = u8(s, "SCT hash algorithm");
      int sig = u8(s, "SCT signature algorithm");
      byte[] signature = bytes(s, u16(s, "SCT signature length"), "SCT signature");
      if (s.hasRemaining()) {
        throw new VerificationFailure("SCT: " + s.remaining() + " bytes of trailing data after an SCT's signature");
      }
      out.add(new Sct(version, logId, ts, ext, hash, sig, signature));
    }
    return out;
  }

  /** The digitally-signed struct of a precert_entry SCT (RFC 6962 section 3.2). */
  static byte[] signedData(Sct sct, byte[] issuerKeyHash, byte[] tbs) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(tbs.length + 64);
    out.write(0); // sct_version v1
    out.write(0); // signature_type certificate_timestamp
    for (int i = 7; i >= 0; i--) {
      out.write((int) (sct.timestampMillis() >>> (8 * i)));
    }
    out.write(0); // entry_type precert_entry (1), uint16
    out.write(1);
    out.writeBytes(issuerKeyHash);
    out.write(tbs.length >>> 16);
    out.write(tbs.length >>> 8);
    out.write(tbs.length);
    out.writeBytes(tbs);
    out.write(sct.extensions().length >>> 8);
    out.write(sct.extensions().length);
    out.writeBytes(sct.extensions());
    return out.toByteArray();
  }

  /** The certificate's TBS without the SCT list extension, re-encoded (RFC 6962 section 3.2). */
  static byte[] precertificateTbs(X509Parts parts) {
    List<byte[]> exts = new ArrayList<>();
    for (X509Parts.Extension e : parts.extensions) {
      if (!e.oid().equals(OID_SCT_LIST)) {
        exts.add(e.encoded());
      }
    }
    List<byte[]> fields = new ArrayList<>(parts.tbsFieldsBeforeExtensions);
    if (!exts.isEmpty()) {
      fields.add(Der.tlv(Der.context(3), Der.tlv(Der.SEQUENCE, exts)));
    }
    return Der.tlv(Der.SEQUENCE, fields);
  }

  private static int u8(ByteBuffer b, String what) throws VerificationFailure {
    if (!b.hasRemaining()) {
      throw new VerificationFailure("SCT: " + what + " is truncated");
    }
    return b.get() & 0xff;
  }

  private static int u16(ByteBuffer b, String what) throws VerificationFailure {
    if (b.remaining() < 2) {
      throw new VerificationFailure("SCT: " + what + " is truncated");
    }
    return b.getShort() & 0xffff;
  }

  private static byte[] bytes(ByteBuffer b, int n, String what) throws VerificationFailure {
    if (b.remaining() < n) {
      throw new VerificationFailure("SCT: " + what + " is truncated");
    }
    byte[] out = new byte[n];
    b.get(out);
    return out;
  }
}
