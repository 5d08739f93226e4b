package dev.attest.verify.internal.sigstore;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * A transparency log checkpoint (https://c2sp.org/tlog-checkpoint): the body of a {@link
 * SignedNote}, three lines (origin, decimal tree size, base64 root hash) and optional non-empty
 * extension lines. Rekor v1 writes the origin as {@code <host> - <tree ID>} and signs under the
 * host; Rekor v2 (rekor-tiles) writes and signs under the shard's host name.
 *
 * @param origin the origin line
 * @param treeSize the tree size
 * @param rootHash the root hash (32 bytes for SHA-256 logs)
 * @param extensions the extension lines, possibly none
 * @param note the signed note the checkpoint came from
 */
public record Checkpoint(String origin, long treeSize, byte[] rootHash, List<String> extensions, SignedNote note) {
  public Checkpoint {
    rootHash = rootHash.clone();
    extensions = List.copyOf(extensions);
  }

  @Override
  public byte[] rootHash() {
    return rootHash.clone();
  }

  /** Parses the envelope (the signed note text) of a checkpoint. */
  public static Checkpoint parse(String envelope) throws VerificationFailure {
    SignedNote note = SignedNote.parse(envelope);
    String text = note.text();
    String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
    if (lines.length < 3) {
      throw new VerificationFailure("checkpoint has " + lines.length + " lines before its signatures; a checkpoint"
          + " has an origin, a tree size and a root hash");
    }
    String origin = lines[0];
    if (origin.isEmpty()) {
      throw new VerificationFailure("checkpoint has an empty origin line");
    }
    if (!lines[1].matches("0|[1-9][0-9]{0,18}")) {
      throw new VerificationFailure("checkpoint tree size '" + SignedNote.clip(lines[1]) + "' is not a decimal number");
    }
    long size;
    try {
      size = Long.parseLong(lines[1]);
    } catch (NumberFormatException e) {
      throw new VerificationFailure("checkpoint tree size '" + lines[1] + "' is out of range");
    }
    byte[] root;
    try {
      root = Base64.getDecoder().decode(lines[2]);
    } catch (IllegalArgumentException e) {
      throw new VerificationFailure("checkpoint root hash is not base64");
    }
    if (root.length != 32) {
      throw new VerificationFailure("checkpoint root hash is " + root.length + " bytes, expected 32 (SHA-256)");
    }
    List<String> ext = Arrays.asList(lines).subList(3, lines.length);
    for (String e : ext) {
      if (e.isEmpty()) {
        throw new VerificationFailure("checkpoint has an empty extension line");
      }
    }
    return new Checkpoint(origin, size, root, ext, note);
  }

  /**
   * The key name the log signs under: the origin, or for Rekor v1's {@code <host> - <tree ID>}
   * origin, the host.
   */
  public String signerName() {
    int dash = origin.indexOf(" - ");
    return dash > 0 ? origin.substring(0, dash) : origin;
  }

  /** Whether the checkpoint commits to {@code treeSize} and {@code rootHash}. */
  public boolean commitsTo(long size, byte[] root) {
    return size == treeSize && MessageDigest.isEqual(root, rootHash);
  }
}
