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
 * @param chain leaf-most certificate first, root last; never empty
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
}
