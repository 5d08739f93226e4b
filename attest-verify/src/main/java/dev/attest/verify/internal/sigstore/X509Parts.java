package dev.attest.verify.internal.sigstore;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An X.509 certificate read with {@link Der} (RFC 5280 section 4.1), keeping the exact bytes of
 * every TBS field: what the SCT check needs to rebuild the precertificate TBS (RFC 6962 section
 * 3.2) and what stands in for the JDK where it refuses a valid certificate.
 */
final class X509Parts {
  static final String OID_KEY_USAGE = "2.5.29.15";
  static final String OID_BASIC_CONSTRAINTS = "2.5.29.19";
  static final String OID_EXT_KEY_USAGE = "2.5.29.37";
  static final String OID_SUBJECT_KEY_ID = "2.5.29.14";

  /** One extension: its id, criticality, the DER inside its OCTET STRING, and its exact encoding. */
  record Extension(String oid, boolean critical, byte[] value, byte[] encoded) {}

  final byte[] encoded;
  final byte[] tbs;
  /** The TBS fields in order, each as its exact encoding, extensions excluded. */
  final List<byte[]> tbsFieldsBeforeExtensions;
  final int version;
  final BigInteger serial;
  final byte[] issuer;
  final byte[] subject;
  final Instant notBefore;
  final Instant notAfter;
  final byte[] spki;
  final List<Extension> extensions;
  final String sigAlgOid;
  final byte @Nullable [] sigAlgParams;
  final byte[] signature;

  private X509Parts(byte[] der, String what) throws VerificationFailure {
    encoded = der.clone();
    Der.Value cert = Der.parse(encoded, what).expect(Der.SEQUENCE, "Certificate");
    Der.Reader c = cert.reader();
    Der.Value tbsValue = c.next(Der.SEQUENCE, "tbsCertificate");
    Der.Value outerAlg = c.next(Der.SEQUENCE, "signatureAlgorithm");
    signature = c.next(Der.BIT_STRING, "signatureValue").bits("signatureValue");
    c.end("signatureValue");
    tbs = tbsValue.encoded();

    Der.Reader t = tbsValue.reader();
    List<byte[]> fields = new ArrayList<>();
    Der.Value v = t.optional(Der.context(0));
    if (v != null) {
      fields.add(v.encoded());
      version = v.single("version").integer("version").intValueExact() + 1;
    } else {
      version = 1;
    }
    Der.Value serialValue = t.next(Der.INTEGER, "serialNumber");
    fields.add(serialValue.encoded());
    serial = serialValue.integer("serialNumber");
    Der.Value innerAlg = t.next(Der.SEQUENCE, "signature");
    fields.add(innerAlg.encoded());
    if (!Arrays.equals(innerAlg.encoded(), outerAlg.encoded())) {
      throw new VerificationFailure(what + ": the signature algorithm inside the TBS differs from the outer one (RFC 5280 section 4.1.1.2)");
    }
    Der.Value issuerValue = t.next(Der.SEQUENCE, "issuer");
    fields.add(issuerValue.encoded());
    issuer = issuerValue.encoded();
    Der.Value validity = t.next(Der.SEQUENCE, "validity");
    fields.add(validity.encoded());
    Der.Reader vr = validity.reader();
    notBefore = vr.next().time("notBefore");
    notAfter = vr.next().time("notAfter");
    vr.end("validity");
    Der.Value subjectValue = t.next(Der.SEQUENCE, "subject");
    fields.add(subjectValue.encoded());
    subject = subjectValue.encoded();
    Der.Value spkiValue = t.next(Der.SEQUENCE, "subjectPublicKeyInfo");
    fields.add(spkiValue.encoded());
    spki = spkiValue.encoded();
    for (int tag : new int[] {Der.contextPrimitive(1), Der.contextPrimitive(2)}) {
      Der.Value uid = t.optional(tag);
      if (uid != null) {
        fields.add(uid.encoded());
      }
    }
    tbsFieldsBeforeExtensions = List.copyOf(fields);
    List<Extension> exts = new ArrayList<>();
    Der.Value extWrapper = t.optional(Der.context(3));
    if (extWrapper != null) {
      for (Der.Value e : extWrapper.single("extensions").expect(Der.SEQUENCE, "extensions").children()) {
        Der.Reader er = e.expect(Der.SEQUENCE, "extension").reader();
        String oid = er.next(Der.OID, "extnID").oid("extnID");
        Der.Value critical = er.optional(Der.BOOLEAN);
        boolean crit = critical != null && critical.contentLength() == 1 && critical.content()[0] != 0;
        byte[] value = er.next(Der.OCTET_STRING, "extnValue").content();
        er.end("extension " + oid);
        for (Extension seen : exts) {
          if (seen.oid().equals(oid)) {
            throw new VerificationFailure(what + " has extension " + oid + " twice (RFC 5280 section 4.2)");
          }
        }
        exts.add(new Extension(oid, crit, value, e.encoded()));
      }
    }
    t.end("extensions");
    extensions = List.copyOf(exts);
    Der.Reader ar = outerAlg.reader();
    sigAlgOid = ar.next(Der.OID, "algorithm").oid("signatureAlgorithm");
    sigAlgParams = ar.hasNext() ? ar.next().encoded() : null;
    ar.end("signatureAlgorithm parameters");
  }

  static X509Parts parse(byte[] der, String what) throws VerificationFailure {
    return new X509Parts(der, what);
  }

  @Nullable Extension extension(String oid) {
    for (Extension e : extensions) {
      if (e.oid().equals(oid)) {
        return e;
      }
    }
    return null;
  }

  /** Whether the subject is the empty Name (an empty SEQUENCE). */
  boolean emptySubject() {
    return subject.length == 2;
  }
}
