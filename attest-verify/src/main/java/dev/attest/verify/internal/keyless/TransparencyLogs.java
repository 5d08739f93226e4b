package dev.attest.verify.internal.keyless;

import dev.attest.core.SigstoreBundle.InclusionProof;
import dev.attest.core.SigstoreBundle.TlogEntry;
import dev.attest.verify.internal.sigstore.Checkpoint;
import dev.attest.verify.internal.sigstore.LogKey;
import dev.attest.verify.internal.sigstore.TrustedRoot;
import dev.attest.verify.internal.sigstore.VerificationFailure;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Verifies one transparency log entry of a bundle against a trusted root, offline: the body is
 * about what the bundle signs ({@link LogEntryBodies}), the log is one the root trusts (by log
 * ID), the inclusion proof rebuilds the root hash (RFC 9162 section 2.1.3.2) that a checkpoint
 * signed by the log commits to (C2SP signed note and tlog-checkpoint), and the signed entry
 * timestamp (Rekor v1's inclusion promise) is the log's signature over the entry.
 *
 * <p>Rekor v2 entries carry no SET and an integrated time of 0: they prove inclusion only, and the
 * bundle's time must come from an RFC 3161 timestamp. A v0.2 or later bundle, and any entry
 * without a SET, must carry an inclusion proof with a checkpoint; a v0.1 bundle may rely on the
 * SET alone, as the Sigstore bundle spec allows (a proof it carries without a checkpoint must
 * still rebuild its root hash).
 *
 * @see <a href="https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_rekor.proto">TransparencyLogEntry</a>
 * @see <a href="https://www.rfc-editor.org/rfc/rfc9162#section-2.1.3.2">RFC 9162 inclusion proofs</a>
 * @see <a href="https://c2sp.org/tlog-checkpoint">C2SP checkpoint</a>
 */
final class TransparencyLogs {
  private TransparencyLogs() {}

  /**
   * A verified entry.
   *
   * @param log the trusted log that holds it
   * @param integratedTime the log's time for the entry, when a verified SET vouches for it
   */
  record Verified(LogKey log, @Nullable Instant integratedTime) {}

  static Verified verify(TlogEntry entry, String bundleVersion, LogEntryBodies.Signed signed, TrustedRoot root)
      throws VerificationFailure {
    LogEntryBodies.check(entry.kind(), entry.version(), entry.canonicalizedBody(), signed);
    List<LogKey> logs = root.tlogsWithId(entry.logId());
    if (logs.isEmpty()) {
      throw new VerificationFailure("the transparency log " + HexFormat.of().formatHex(entry.logId())
          + " that holds the entry is not in the trusted root" + (root.tlogs().isEmpty()
              ? ", which has no transparency logs" : ""));
    }
    VerificationFailure last = null;
    for (LogKey log : logs) {
      try {
        return verify(entry, bundleVersion, log);
      } catch (VerificationFailure e) {
        last = e;
      }
    }
    throw last;
  }

  private static Verified verify(TlogEntry entry, String bundleVersion, LogKey log) throws VerificationFailure {
    byte[] set = entry.signedEntryTimestamp().orElse(null);
    InclusionProof proof = entry.inclusionProof().orElse(null);
    if (proof == null) {
      if (!"0.1".equals(bundleVersion)) {
        throw new VerificationFailure("the transparency log entry has no inclusion proof; a v" + bundleVersion
            + " bundle must carry one");
      }
      if (set == null) {
        throw new VerificationFailure("the transparency log entry has neither an inclusion proof nor a signed entry"
            + " timestamp");
      }
    } else {
      if (set == null && "0.0.2".equals(entry.version()) && entry.logIndex() != proof.logIndex()) {
        // Rekor v2 (the only writer of 0.0.2 entries) has no SET to sign the entry's index, and
        // writes the proof's. Rekor v1's differ (global and shard index).
        throw new VerificationFailure("the entry's log index " + entry.logIndex() + " is not its inclusion proof's log"
            + " index " + proof.logIndex());
      }
      if (proof.checkpoint().isEmpty() && "0.1".equals(bundleVersion) && set != null) {
        // A v0.1 bundle stands on its SET; early clients wrote proofs before checkpoints existed
        // (sigstore-python ignores such a proof). The path must still lead to the root it names.
        merklePath(entry, proof);
      } else {
        inclusion(entry, proof, log);
      }
    }
    Instant integrated = null;
    if (set != null) {
      if (entry.integratedTime() <= 0) {
        throw new VerificationFailure("the transparency log entry has a signed entry timestamp but no integrated time");
      }
      signedEntryTimestamp(entry, set, log);
      integrated = Instant.ofEpochSecond(entry.integratedTime());
      if (!log.validAt(integrated)) {
        throw new VerificationFailure("the transparency log " + log.baseUrl() + " integrated the entry at "
            + integrated + ", outside the log key's validity in the trusted root");
      }
    }
    return new Verified(log, integrated);
  }

  private static void inclusion(TlogEntry entry, InclusionProof proof, LogKey log) throws VerificationFailure {
    String envelope = proof.checkpoint().orElseThrow(() -> new VerificationFailure(
        "the inclusion proof has no checkpoint; a proof is only as good as the signed tree head it leads to"));
    merklePath(entry, proof);
    Checkpoint cp = Checkpoint.parse(envelope);
    if (!cp.commitsTo(proof.treeSize(), proof.rootHash())) {
      throw new VerificationFailure("the checkpoint (tree size " + cp.treeSize() + ") does not commit to the"
          + " inclusion proof's tree size " + proof.treeSize() + " and root hash");
    }
    cp.note().verify(cp.signerName(), log);
  }

  /** The proof's path from the entry's leaf hash to its root hash (RFC 9162 section 2.1.3.2). */
  private static void merklePath(TlogEntry entry, InclusionProof proof) throws VerificationFailure {
    if (proof.treeSize() <= 0 || proof.logIndex() < 0 || proof.logIndex() >= proof.treeSize()) {
      throw new VerificationFailure("inclusion proof index " + proof.logIndex() + " is not below the tree size "
          + proof.treeSize());
    }
    String problem = InclusionProofs.rootProblem(
        entry.canonicalizedBody(), proof.logIndex(), proof.treeSize(), proof.hashes(), proof.rootHash());
    if (problem != null) {
      throw new VerificationFailure("inclusion proof does not verify: " + problem);
    }
  }

  /**
   * The SET is the log's signature over the canonical JSON (RFC 8785: sorted keys, no spaces) of
   * {@code body}, {@code integratedTime}, {@code logID} (hex) and {@code logIndex}.
   */
  private static void signedEntryTimestamp(TlogEntry entry, byte[] set, LogKey log) throws VerificationFailure {
    String json = "{\"body\":\"" + Base64.getEncoder().encodeToString(entry.canonicalizedBody())
        + "\",\"integratedTime\":" + entry.integratedTime()
        + ",\"logID\":\"" + HexFormat.of().formatHex(entry.logId())
        + "\",\"logIndex\":" + entry.logIndex() + "}";
    if (!log.algorithm().verify(log.key(), json.getBytes(StandardCharsets.UTF_8), set)) {
      throw new VerificationFailure("the signed entry timestamp does not verify with the key of the transparency log "
          + log.baseUrl() + ": the entry's body, integrated time, log ID or log index was changed");
    }
  }
}
