package dev.attest.verify.internal.keyless;

import dev.attest.core.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The digests of an artifact under the hashes Sigstore's algorithms sign with (SHA-256, SHA-384,
 * SHA-512), so that a message signature by a P-384 or P-521 key is checked against the digest its
 * algorithm uses, not the artifact's SHA-256. Given only a {@code sha256:} digest, the other
 * hashes are unknown and such a signature is refused with that reason.
 */
public final class ArtifactDigests {
  private static final String[] HASHES = {"SHA-256", "SHA-384", "SHA-512"};

  private final Map<String, byte[]> byJcaName;
  private final Digest primary;

  private ArtifactDigests(Map<String, byte[]> byJcaName, Digest primary) {
    this.byJcaName = byJcaName;
    this.primary = primary;
  }

  /** Only the SHA-256 (or SHA-512) digest is known. */
  public static ArtifactDigests of(Digest digest) {
    Objects.requireNonNull(digest, "digest");
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put(digest.algorithm().newMessageDigest().getAlgorithm(), digest.hash());
    return new ArtifactDigests(m, digest);
  }

  /** Every digest of the artifact read from {@code in}, in one pass. */
  public static ArtifactDigests read(InputStream in) throws IOException {
    MessageDigest[] mds = new MessageDigest[HASHES.length];
    for (int i = 0; i < HASHES.length; i++) {
      try {
        mds[i] = MessageDigest.getInstance(HASHES[i]);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every Java runtime has " + HASHES[i], e);
      }
    }
    byte[] buf = new byte[64 * 1024];
    for (int n; (n = in.read(buf)) > 0; ) {
      for (MessageDigest md : mds) {
        md.update(buf, 0, n);
      }
    }
    Map<String, byte[]> m = new LinkedHashMap<>();
    for (int i = 0; i < HASHES.length; i++) {
      m.put(HASHES[i], mds[i].digest());
    }
    return new ArtifactDigests(m, Digest.fromHash(Digest.Algorithm.SHA256, m.get("SHA-256")));
  }

  /** Every digest of {@code content}. */
  public static ArtifactDigests of(byte[] content) {
    try {
      return read(new java.io.ByteArrayInputStream(content));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The digest under the JCA hash {@code jcaName}, if known. A fresh copy. */
  public byte @Nullable [] get(String jcaName) {
    byte[] d = byJcaName.get(jcaName);
    return d == null ? null : d.clone();
  }

  /** The digest that names the artifact: the one given, or its SHA-256 when read. */
  public Digest primary() {
    return primary;
  }

  /** The first known digest, for messages. */
  public String describe() {
    Map.Entry<String, byte[]> e = byJcaName.entrySet().iterator().next();
    return e.getKey().replace("-", "").toLowerCase(java.util.Locale.ROOT) + ":"
        + java.util.HexFormat.of().formatHex(e.getValue());
  }
}
