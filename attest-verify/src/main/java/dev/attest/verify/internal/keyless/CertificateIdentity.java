package dev.attest.verify.internal.keyless;

import java.util.Map;
import java.util.TreeMap;

/**
 * The identity a verified Fulcio certificate asserts.
 *
 * @param issuer the OIDC issuer (extension {@code 1.3.6.1.4.1.57264.1.8}, or {@code .1.1})
 * @param san the one SAN: an email address or a URI
 * @param extensions the Fulcio string extensions present, by OID
 */
public record CertificateIdentity(String issuer, String san, Map<String, String> extensions) {
  public CertificateIdentity {
    extensions = java.util.Collections.unmodifiableMap(new TreeMap<>(extensions));
  }
}
