package dev.attest.core;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An in-toto statement subject: a name and a digest set (algorithm to lowercase hex).
 *
 * <p>The name is optional in in-toto v1; an absent name is the empty string here. Digest values
 * must be lowercase hex, with the fixed lengths of the algorithms attest knows (sha1, sha224,
 * sha256, sha384, sha512).
 *
 * @see <a href="https://github.com/in-toto/attestation/blob/main/spec/v1/resource_descriptor.md">in-toto
 *     ResourceDescriptor</a>
 */
public record Subject(String name, Map<String, String> digest) {

  /** At most this many algorithms in one digest set. */
  public static final int MAX_DIGESTS = 16;

  /** Validates the digest set and keeps it sorted by algorithm. */
  public Subject {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(digest, "digest");
    if (digest.isEmpty()) {
      throw new IllegalArgumentException("subject '" + name + "' has an empty digest set");
    }
    if (digest.size() > MAX_DIGESTS) {
      throw new IllegalArgumentException(
          "subject '" + name + "' has " + digest.size() + " digests, more than " + MAX_DIGESTS);
    }
    TreeMap<String, String> copy = new TreeMap<>();
    for (Map.Entry<String, String> e : digest.entrySet()) {
      String alg = Objects.requireNonNull(e.getKey(), "digest algorithm");
      String hex = Objects.requireNonNull(e.getValue(), "digest value");
      checkEntry(name, alg, hex);
      copy.put(alg, hex);
    }
    digest = Collections.unmodifiableMap(copy);
  }

  /** A subject for an OCI digest, for example an image name and its manifest digest. */
  public static Subject of(String name, Digest digest) {
    return new Subject(name, Map.of(digest.algorithm().id(), digest.hex()));
  }

  /** Whether this subject's digest set holds {@code d}. */
  public boolean matches(Digest d) {
    return d.hex().equals(digest.get(d.algorithm().id()));
  }

  private static void checkEntry(String name, String alg, String hex) {
    if (alg.isEmpty() || alg.length() > 64 || !alg.matches("[A-Za-z0-9_.+-]+")) {
      throw new IllegalArgumentException("subject '" + name + "': invalid digest algorithm name '" + alg + "'");
    }
    if (hex.isEmpty()) {
      throw new IllegalArgumentException("subject '" + name + "': empty " + alg + " digest");
    }
    for (int i = 0; i < hex.length(); i++) {
      char c = hex.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        throw new IllegalArgumentException(
            "subject '" + name + "': " + alg + " digest is not lowercase hex (character " + i + ")");
      }
    }
    int expected =
        switch (alg) {
          case "sha1" -> 40;
          case "sha224", "sha512_224" -> 56;
          case "sha256", "sha512_256", "sha3_256" -> 64;
          case "sha384", "sha3_384" -> 96;
          case "sha512", "sha3_512" -> 128;
          default -> -1;
        };
    if (expected > 0 && hex.length() != expected) {
      throw new IllegalArgumentException(
          "subject '" + name + "': " + alg + " digest needs " + expected + " hex characters, got " + hex.length());
    }
  }
}
