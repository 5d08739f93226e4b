package dev.attest.verify.internal.sigstore;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attest.core.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The real Sigstore vectors copied from /work/shared/vectors (attribution: vectors/INDEX.md and
 * each folder's vector.json), read for the primitive tests.
 */
final class Vectors {
  private Vectors() {}

  static byte[] bytes(String path) {
    try (InputStream in = Vectors.class.getResourceAsStream("/vectors/" + path)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource vectors/" + path);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode json(String path) {
    try {
      return Json.read(bytes(path));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static TrustedRoot root(String folder) {
    try {
      return TrustedRoot.parse(bytes(folder + "/trusted_root.json"));
    } catch (VerificationFailure e) {
      throw new AssertionError(e);
    }
  }

  static JsonNode bundle(String folder) {
    return json(folder + "/bundle.sigstore.json");
  }

  static byte[] b64(JsonNode n) {
    return Base64.getDecoder().decode(n.textValue());
  }

  static X509Certificate cert(byte[] der) {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** The bundle's certificates, leaf first: v0.3 {@code certificate} or v0.1/0.2 {@code x509CertificateChain}. */
  static List<X509Certificate> certs(JsonNode bundle) {
    JsonNode vm = bundle.get("verificationMaterial");
    List<X509Certificate> out = new ArrayList<>();
    if (vm.has("certificate")) {
      out.add(cert(b64(vm.get("certificate").get("rawBytes"))));
    } else {
      for (JsonNode c : vm.get("x509CertificateChain").get("certificates")) {
        out.add(cert(b64(c.get("rawBytes"))));
      }
    }
    return out;
  }

  /** The bundle's RFC 3161 timestamps. */
  static List<byte[]> timestamps(JsonNode bundle) {
    List<byte[]> out = new ArrayList<>();
    JsonNode tvd = bundle.get("verificationMaterial").get("timestampVerificationData");
    if (tvd != null && tvd.has("rfc3161Timestamps")) {
      for (JsonNode t : tvd.get("rfc3161Timestamps")) {
        out.add(b64(t.get("signedTimestamp")));
      }
    }
    return out;
  }

  /** The signature bytes a timestamp covers: the message signature or the DSSE envelope's signature. */
  static byte[] signature(JsonNode bundle) {
    if (bundle.has("messageSignature")) {
      return b64(bundle.get("messageSignature").get("signature"));
    }
    return b64(bundle.get("dsseEnvelope").get("signatures").get(0).get("sig"));
  }

  static byte[] flip(byte[] b, int i) {
    byte[] c = b.clone();
    c[i] ^= 0x01;
    return c;
  }
}
