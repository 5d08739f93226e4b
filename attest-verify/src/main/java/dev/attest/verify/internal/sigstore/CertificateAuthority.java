package dev.attest.verify.internal.sigstore;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A certificate authority of a Sigstore trusted root: a Fulcio CA or a timestamp authority
 * (protobuf-specs {@code CertificateAuthority},
 * https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_trustedroot.proto).
 *
 * @param uri the authority's URI as the trusted root names it
 * @param chain the authority's certificates, never empty; kept leaf-most first, root last, by
 *     issuer and subject, since trusted roots in the wild also list them root first
 * @param validFrom start of the authority's validity window ({@code validFor.start})
 * @param validTo end of the window, or {@code null} while the authority is current
 */
public record CertificateAuthority(
    String uri, List<X509Certificate> chain, Instant validFrom, @Nullable Instant validTo) {
  public CertificateAuthority {
    chain = List.copyOf(chain);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("certificate authority " + uri + " has an empty chain");
    }
    chain = leafFirst(chain);
    if (validTo != null && validTo.isBefore(validFrom)) {
      throw new IllegalArgumentException("certificate authority " + uri + " ends before it starts");
    }
  }

  /** Whether {@code t} lies in the authority's validity window (both ends inclusive). */
  public boolean validAt(Instant t) {
    return !t.isBefore(validFrom) && (validTo == null || !t.isAfter(validTo));
  }

  /** The self-signed (or last) certificate of the chain: the trust anchor. */
  public X509Certificate root() {
    return chain.get(chain.size() - 1);
  }

  /**
   * {@code chain} ordered leaf-most first by following issuer to subject from the one certificate
   * that issues none of the others. A chain that does not link up that way stays as listed, and
   * path validation then refuses it with the link that fails.
   */
  static List<X509Certificate> leafFirst(List<X509Certificate> chain) {
    if (chain.size() < 2) {
      return chain;
    }
    X509Certificate start = null;
    for (X509Certificate c : chain) {
      boolean issuesAnother = false;
      for (X509Certificate d : chain) {
        if (d != c && d.getIssuerX500Principal().equals(c.getSubjectX500Principal())) {
          issuesAnother = true;
          break;
        }
      }
      if (!issuesAnother) {
        if (start != null) {
          return chain; // two candidates: not one chain
        }
        start = c;
      }
    }
    if (start == null) {
      return chain;
    }
    List<X509Certificate> ordered = new java.util.ArrayList<>(chain.size());
    ordered.add(start);
    X509Certificate current = start;
    while (ordered.size() < chain.size()) {
      X509Certificate next = null;
      for (X509Certificate d : chain) {
        if (!ordered.contains(d) && d.getSubjectX500Principal().equals(current.getIssuerX500Principal())) {
          next = d;
          break;
        }
      }
      if (next == null) {
        return chain;
      }
      ordered.add(next);
      current = next;
    }
    return List.copyOf(ordered);
  }
}
