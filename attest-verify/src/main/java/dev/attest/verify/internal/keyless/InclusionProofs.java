package dev.attest.verify.internal.keyless;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * RFC 9162 section 2.1.3.2 inclusion proof verification, and the agreement of the checkpoint (a
 * signed note: origin, tree size, base64 root hash) with the proof.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc9162#section-2.1.3.2">RFC 9162 2.1.3.2</a>
 */
final class InclusionProofs {
  private InclusionProofs() {}

  static @Nullable String problem(
      byte[] leaf, long index, long treeSize, List<byte[]> path, byte[] rootHash, String checkpoint) {
    String rootProblem = rootProblem(leaf, index, treeSize, path, rootHash);
    if (rootProblem != null) {
      return rootProblem;
    }
    return checkpointProblem(treeSize, rootHash, checkpoint);
  }

  /**
   * Whether the audit {@code path} of the entry {@code leaf} (its canonicalized body) at {@code
   * index} rebuilds {@code rootHash} for a tree of {@code treeSize}: null if so, else the reason.
   */
  static @Nullable String rootProblem(byte[] leaf, long index, long treeSize, List<byte[]> path, byte[] rootHash) {
    if (rootHash.length != 32) {
      return "root hash is " + rootHash.length + " bytes, expected 32";
    }
    if (index < 0 || index >= treeSize) {
      return "index " + index + " is not below the tree size " + treeSize;
    }
    long fn = index;
    long sn = treeSize - 1;
    byte[] r = KeylessSigning.sha256(new byte[] {0}, leaf);
    for (byte[] p : path) {
      if (p.length != 32) {
        return "a proof hash is " + p.length + " bytes, expected 32";
      }
      if (sn == 0) {
        return "the proof has more hashes than the tree size allows";
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = KeylessSigning.sha256(new byte[] {1}, p, r);
        if ((fn & 1) == 0) {
          while ((fn & 1) == 0 && fn != 0) {
            fn >>= 1;
            sn >>= 1;
          }
        }
      } else {
        r = KeylessSigning.sha256(new byte[] {1}, r, p);
      }
      fn >>= 1;
      sn >>= 1;
    }
    if (sn != 0) {
      return "the proof has fewer hashes than the tree size needs";
    }
    if (!Arrays.equals(r, rootHash)) {
      return "the computed root hash is not the proof's root hash";
    }
    return null;
  }

  private static @Nullable String checkpointProblem(long treeSize, byte[] rootHash, String checkpoint) {
    String[] lines = checkpoint.split("\n", -1);
    if (lines.length < 3) {
      return "the checkpoint is not a signed note";
    }
    if (!Long.toString(treeSize).equals(lines[1])) {
      return "the checkpoint's tree size " + lines[1] + " is not the proof's " + treeSize;
    }
    byte[] noteRoot;
    try {
      noteRoot = Base64.getDecoder().decode(lines[2].getBytes(StandardCharsets.US_ASCII));
    } catch (IllegalArgumentException e) {
      return "the checkpoint's root hash is not base64";
    }
    if (!Arrays.equals(noteRoot, rootHash)) {
      return "the checkpoint's root hash is not the proof's";
    }
    return null;
  }
}
