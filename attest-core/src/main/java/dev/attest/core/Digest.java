package dev.attest.core;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * A content digest: an algorithm and the lowercase hex of the hash, written {@code sha256:<64
 * hex>} or {@code sha512:<128 hex>}.
 *
 * <p>Parsing is strict. The OCI image spec allows other algorithms and encodings in the grammar,
 * but registered algorithms require lowercase hex of a fixed length, and only those are accepted
 * here so that two spellings of one digest can never exist.
 *
 * @see <a href="https://github.com/opencontainers/image-spec/blob/v1.1.1/descriptor.md#digests">OCI
 *     image spec: digests</a>
 */
public record Digest(Algorithm algorithm, String hex) {

  /** Digest algorithms registered by the OCI image spec. */
  public enum Algorithm {
    /** SHA-256, the algorithm of OCI content and of every digest attest writes. */
    SHA256("sha256", "SHA-256", 64),
    /** SHA-512, which OCI also registers. */
    SHA512("sha512", "SHA-512", 128);

    private final String id;
    private final String jcaName;
    private final int hexLength;

    Algorithm(String id, String jcaName, int hexLength) {
      this.id = id;
      this.jcaName = jcaName;
      this.hexLength = hexLength;
    }

    /** The identifier used in digest strings, for example {@code sha256}. */
    public String id() {
      return id;
    }

    /** The number of lowercase hex characters of an encoded hash. */
    public int hexLength() {
      return hexLength;
    }

    /** A fresh {@link MessageDigest} for this algorithm. */
    public MessageDigest newMessageDigest() {
      try {
        return MessageDigest.getInstance(jcaName);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(jcaName + " is required of every Java platform", e);
      }
    }

    /** The algorithm named {@code id}, or an error listing the supported ones. */
    public static Algorithm of(String id) {
      for (Algorithm a : values()) {
        if (a.id.equals(id)) {
          return a;
        }
      }
      throw new IllegalArgumentException(
          "unsupported digest algorithm '" + id + "': expected sha256 or sha512");
    }
  }

  private static final HexFormat HEX = HexFormat.of();

  /** Validates like {@link #parse}, so that no invalid digest can exist. */
  public Digest {
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(hex, "hex");
    checkHex(algorithm, hex, algorithm.id + ":" + hex);
  }

  /**
   * Parses {@code sha256:<64 lowercase hex>} or {@code sha512:<128 lowercase hex>}.
   *
   * @throws IllegalArgumentException naming what is wrong with {@code text}
   */
  public static Digest parse(String text) {
    Objects.requireNonNull(text, "digest");
    if (text.isEmpty()) {
      throw new IllegalArgumentException("invalid digest: empty string");
    }
    int colon = text.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException(
          "invalid digest '" + shorten(text) + "': missing ':' between algorithm and hex");
    }
    String alg = text.substring(0, colon);
    if (alg.isEmpty()) {
      throw new IllegalArgumentException(
          "invalid digest '" + shorten(text) + "': missing algorithm before ':'");
    }
    Algorithm algorithm;
    try {
      algorithm = Algorithm.of(alg);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid digest '" + shorten(text) + "': " + e.getMessage());
    }
    return new Digest(algorithm, text.substring(colon + 1));
  }

  private static void checkHex(Algorithm algorithm, String hex, String text) {
    for (int i = 0; i < hex.length(); i++) {
      char c = hex.charAt(i);
      boolean lowerHex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      if (!lowerHex) {
        String why =
            (c >= 'A' && c <= 'F')
                ? "uppercase hex '" + c + "' at position " + i + "; " + algorithm.id + " digests are lowercase"
                : "character '" + printable(c) + "' at position " + i + " is not lowercase hex";
        throw new IllegalArgumentException("invalid digest '" + shorten(text) + "': " + why);
      }
    }
    if (hex.length() != algorithm.hexLength) {
      throw new IllegalArgumentException(
          "invalid digest '" + shorten(text) + "': " + algorithm.id + " needs " + algorithm.hexLength
              + " hex characters, got " + hex.length());
    }
  }

  /** The SHA-256 digest of {@code bytes}. */
  public static Digest sha256(byte[] bytes) {
    return of(Algorithm.SHA256, bytes);
  }

  /** The SHA-256 digest of everything left in {@code in}; the stream is read to EOF, not closed. */
  public static Digest sha256(InputStream in) throws IOException {
    return of(Algorithm.SHA256, in);
  }

  /** The digest of {@code bytes} with {@code algorithm}. */
  public static Digest of(Algorithm algorithm, byte[] bytes) {
    return fromHash(algorithm, algorithm.newMessageDigest().digest(bytes));
  }

  /** The digest of everything left in {@code in}; the stream is read to EOF, not closed. */
  public static Digest of(Algorithm algorithm, InputStream in) throws IOException {
    MessageDigest md = algorithm.newMessageDigest();
    byte[] buf = new byte[64 * 1024];
    for (int n; (n = in.read(buf)) != -1; ) {
      md.update(buf, 0, n);
    }
    return fromHash(algorithm, md.digest());
  }

  /** Wraps a finished {@link MessageDigest} result. */
  public static Digest fromHash(Algorithm algorithm, byte[] hash) {
    if (hash.length * 2 != algorithm.hexLength) {
      throw new IllegalArgumentException(
          algorithm.id + " hash must be " + algorithm.hexLength / 2 + " bytes, got " + hash.length);
    }
    return new Digest(algorithm, HEX.formatHex(hash));
  }

  /** The raw hash bytes. */
  public byte[] hash() {
    return HEX.parseHex(hex);
  }

  /** Whether {@code bytes} hash to this digest. */
  public boolean matches(byte[] bytes) {
    return MessageDigest.isEqual(hash(), algorithm.newMessageDigest().digest(bytes));
  }

  /**
   * Throws unless {@code bytes} hash to this digest.
   *
   * @param what names the content in the error, for example "manifest example.com/app@sha256:…"
   */
  public void verify(byte[] bytes, String what) throws DigestMismatchException {
    Digest actual = of(algorithm, bytes);
    if (!actual.equals(this)) {
      throw new DigestMismatchException(what, this, actual);
    }
  }

  /**
   * Wraps {@code in} so that it hashes what it passes on and fails at EOF, before signalling the
   * end of data, unless the bytes hash to this digest and number exactly {@code expectedSize}.
   * More bytes than {@code expectedSize} fail as soon as they arrive. Failures are {@link
   * IOException}s whose cause is a {@link DigestMismatchException}.
   *
   * @param expectedSize the declared size, or -1 when unknown (then only the digest is checked)
   */
  public InputStream verifying(InputStream in, long expectedSize) {
    if (expectedSize < -1) {
      throw new IllegalArgumentException("expected size must be >= 0, or -1 if unknown: " + expectedSize);
    }
    return new VerifyingInputStream(in, this, expectedSize);
  }

  /** The referrers tag-schema tag for this digest, {@code <alg>-<hex>}. */
  public String tagSchemaTag() {
    return algorithm.id + "-" + hex;
  }

  /** A short form for people, {@code sha256:0123456789ab}. */
  public String shortForm() {
    return algorithm.id + ":" + hex.substring(0, 12);
  }

  /** The canonical form, {@code <algorithm>:<hex>}. */
  @Override
  public String toString() {
    return algorithm.id + ":" + hex;
  }

  private static String shorten(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }

  private static String printable(char c) {
    return c < 0x20 || c > 0x7e ? String.format(Locale.ROOT, "\\u%04x", (int) c) : String.valueOf(c);
  }

}
