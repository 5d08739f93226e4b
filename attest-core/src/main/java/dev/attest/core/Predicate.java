package dev.attest.core;

/**
 * A typed in-toto predicate: its type URI and its JSON object as exact UTF-8 bytes. Typed
 * predicates (SLSA provenance, CycloneDX, vulnerability scans) implement it; any other predicate
 * can be carried as raw JSON.
 *
 * @see <a href="https://github.com/in-toto/attestation/blob/main/spec/v1/predicate.md">in-toto
 *     predicate</a>
 */
public interface Predicate {

  /** The predicate type URI, for example {@code https://slsa.dev/provenance/v1}. */
  String predicateType();

  /** The predicate as a JSON object, UTF-8 encoded. A fresh copy on each call. */
  byte[] json();
}
