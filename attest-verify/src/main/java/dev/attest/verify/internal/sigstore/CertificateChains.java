package dev.attest.verify.internal.sigstore;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Certificate path validation for Sigstore (RFC 5280 section 6.1, as Sigstore profiles it): a
 * leaf certificate is checked against the certificate authorities of a trusted root, at the
 * verified signing time rather than now.
 *
 * <p>The path is never built from what the bundle presents: it is the leaf followed by the
 * chain the trusted root lists for an authority, so intermediates a bundle carries (v0.1/v0.2
 * {@code x509CertificateChain}) cannot widen trust and are ignored, as sigstore-go ignores them.
 * Each link is checked: issuer name, signature (SHA-2 algorithms only), validity at {@code at},
 * CA basic constraints with path length, keyCertSign, extended key usage nesting, and no
 * critical extension attest does not understand. The leaf needs the digitalSignature key usage
 * and the purpose's extended key usage (codeSigning for Fulcio certificates, RFC 3161 section
 * 2.3's sole critical timeStamping for TSAs).
 *
 * <p>Why not the JDK's PKIX validator: it cannot read RFC 5280-valid end-entity certificates
 * with an empty subject and no subjectAltName (sigstore-go's TSA issues them), and its failures
 * do not say which check failed. See docs/adr for the decision.
 */
public final class CertificateChains {
  private CertificateChains() {}

  static final String ANY_EKU = "2.5.29.37.0";

  /** What the leaf certificate is for. */
  public enum Purpose {
    /** A Fulcio signing certificate: extended key usage codeSigning. */
    CODE_SIGNING("1.3.6.1.5.5.7.3.3", "codeSigning"),
    /** A timestamp authority's certificate: extended key usage timeStamping, critical and alone. */
    TIME_STAMPING("1.3.6.1.5.5.7.3.8", "timeStamping");

    final String eku;
    final String ekuName;

    Purpose(String eku, String ekuName) {
      this.eku = eku;
      this.ekuName = ekuName;
    }
  }

  /**
   * Validates the Fulcio certificate {@code presented.get(0)} against {@code authorities}: those
   * whose validity window covers the leaf's issuance (notBefore) are tried in turn. Returns the
   * validated path, leaf first, trust anchor last.
   */
  public static List<X509Certificate> verify(List<X509Certificate> presented, List<CertificateAuthority> authorities, Instant at)
      throws VerificationFailure {
    return verify(presented, authorities, at, Purpose.CODE_SIGNING);
  }

  /** As {@link #verify(List, List, Instant)}, for a leaf of the given purpose. */
  public static List<X509Certificate> verify(
      List<X509Certificate> presented, List<CertificateAuthority> authorities, Instant at, Purpose purpose)
      throws VerificationFailure {
    if (presented.isEmpty()) {
      throw new VerificationFailure("certificate chain: the bundle presents no certificate");
    }
    X509Certificate leaf = presented.get(0);
    Instant issued = leaf.getNotBefore().toInstant();
    String kind = purpose == Purpose.CODE_SIGNING ? "certificate authority" : "timestamp authority";
    List<CertificateAuthority> candidates = new ArrayList<>();
    for (CertificateAuthority ca : authorities) {
      if (ca.validAt(issued)) {
        candidates.add(ca);
      }
    }
    if (candidates.isEmpty()) {
      throw new VerificationFailure("certificate chain: no " + kind + " in the trusted root was valid when the certificate "
          + leaf.getSubjectX500Principal() + " was issued (" + issued + ")");
    }
    VerificationFailure best = null;
    for (CertificateAuthority ca : candidates) {
      List<X509Certificate> path = pathThrough(leaf, ca);
      try {
        validate(path, at, purpose);
        return path;
      } catch (VerificationFailure f) {
        // Prefer the reason from an authority that did issue the leaf.
        if (best == null || path.get(1 % path.size()).getSubjectX500Principal().equals(leaf.getIssuerX500Principal())) {
          best = f;
        }
      }
    }
    throw best;
  }

  /**
   * The path from {@code leaf} through {@code ca}'s chain. When the chain already starts with the
   * leaf (trusted roots list TSA leaves), the chain itself.
   */
  static List<X509Certificate> pathThrough(X509Certificate leaf, CertificateAuthority ca) throws VerificationFailure {
    if (Arrays.equals(Certificates.encoded(ca.chain().get(0)), Certificates.encoded(leaf))) {
      return ca.chain();
    }
    List<X509Certificate> path = new ArrayList<>(ca.chain().size() + 1);
    path.add(leaf);
    path.addAll(ca.chain());
    return List.copyOf(path);
  }

  /** Validates {@code path} (leaf first, trust anchor last) at {@code at} for {@code purpose}. */
  static void validate(List<X509Certificate> path, Instant at, Purpose purpose) throws VerificationFailure {
    int n = path.size();
    for (int i = n - 1; i >= 0; i--) {
      X509Certificate c = path.get(i);
      String subject = c.getSubjectX500Principal().getName();
      String who = (i == 0 ? "the " + (purpose == Purpose.CODE_SIGNING ? "signing" : "timestamp authority's")
          + " certificate" : "CA certificate") + (subject.isEmpty() ? "" : " " + subject);
      Instant nb = c.getNotBefore().toInstant();
      Instant na = c.getNotAfter().toInstant();
      if (at.isBefore(nb) || at.isAfter(na)) {
        throw new VerificationFailure("certificate chain: " + who + " is not valid at the verified time " + at
            + " (valid " + nb + " to " + na + ")");
      }
      for (String oid : c.getCriticalExtensionOIDs() == null ? List.<String>of() : c.getCriticalExtensionOIDs()) {
        if (!Certificates.UNDERSTOOD_CRITICAL.contains(oid)) {
          throw new VerificationFailure("certificate chain: " + who + " has critical extension " + oid
              + ", which attest does not process");
        }
      }
      List<String> eku = eku(c, who);
      if (i > 0) {
        int pathLen = c.getBasicConstraints();
        if (pathLen < 0) {
          throw new VerificationFailure("certificate chain: " + who + " is not a CA (basicConstraints cA is not true)");
        }
        int below = i - 1; // intermediate CA certificates between this one and the leaf
        if (below > pathLen) {
          throw new VerificationFailure("certificate chain: " + who + " allows a path length of " + pathLen
              + " but " + below + " CA certificates follow it");
        }
        boolean[] ku = c.getKeyUsage();
        if (ku != null && (ku.length <= 5 || !ku[5])) {
          throw new VerificationFailure("certificate chain: " + who + " lacks the keyCertSign key usage");
        }
        if (eku != null && !eku.contains(purpose.eku) && !eku.contains(ANY_EKU)) {
          throw new VerificationFailure("certificate chain: " + who + " restricts extended key usage to " + eku
              + ", which excludes " + purpose.ekuName);
        }
      }
      if (i < n - 1) {
        X509Certificate parent = path.get(i + 1);
        if (!c.getIssuerX500Principal().equals(parent.getSubjectX500Principal())) {
          throw new VerificationFailure("certificate chain: " + who + " was issued by " + c.getIssuerX500Principal()
              + ", not by " + parent.getSubjectX500Principal());
        }
        try {
          Certificates.verifySignature(c, parent.getPublicKey());
        } catch (VerificationFailure f) {
          throw new VerificationFailure("certificate chain: " + f.getMessage(), f);
        }
      }
    }
    checkLeaf(path.get(0), purpose);
  }

  private static void checkLeaf(X509Certificate leaf, Purpose purpose) throws VerificationFailure {
    String who = purpose == Purpose.CODE_SIGNING ? "the signing certificate" : "the timestamp authority's certificate";
    boolean[] ku = leaf.getKeyUsage();
    if (ku == null || ku.length == 0 || !ku[0]) {
      throw new VerificationFailure("certificate chain: " + who + " lacks the digitalSignature key usage");
    }
    List<String> eku = eku(leaf, who);
    if (eku == null || !eku.contains(purpose.eku)) {
      throw new VerificationFailure("certificate chain: " + who + " lacks the " + purpose.ekuName + " extended key usage");
    }
    // RFC 3161 section 2.3: the TSA certificate's extended key usage is critical and only timeStamping.
    if (purpose == Purpose.TIME_STAMPING
        && (eku.size() != 1 || !leaf.getCriticalExtensionOIDs().contains(X509Parts.OID_EXT_KEY_USAGE))) {
      throw new VerificationFailure("certificate chain: " + who + " must have a critical extended key usage of "
          + "timeStamping alone (RFC 3161 section 2.3), has " + eku);
    }
  }

  private static @Nullable List<String> eku(X509Certificate c, String who) throws VerificationFailure {
    try {
      return c.getExtendedKeyUsage();
    } catch (CertificateParsingException e) {
      throw new VerificationFailure("certificate chain: " + who + " has a malformed extended key usage", e);
    }
  }
}
