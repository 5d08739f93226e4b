package dev.attest.promote;

import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.verify.VerificationReport;
import java.util.Objects;

/** Something a promotion did, for a {@link PromotionListener}. */
public sealed interface PromotionEvent {

  /** How a blob reached the destination. */
  enum Transfer {
    /** Streamed from the source. */
    COPIED,
    /** Mounted from the source repository of the same registry. */
    MOUNTED,
    /** Already there; nothing was written. */
    PRESENT
  }

  /** The plan is complete; nothing has been written yet. */
  record Planned(PromotionPlan plan) implements PromotionEvent {
    /** Checks that every component is present. */
    public Planned {
      Objects.requireNonNull(plan, "plan");
    }
  }

  /** A policy was verified, at {@code "source"} or {@code "destination"}. */
  record Verified(String where, VerificationReport report) implements PromotionEvent {
    /** Checks that every component is present. */
    public Verified {
      Objects.requireNonNull(where, "where");
      Objects.requireNonNull(report, "report");
    }
  }

  /** A blob transfer starts. */
  record BlobStarted(Descriptor blob) implements PromotionEvent {
    /** Checks that every component is present. */
    public BlobStarted {
      Objects.requireNonNull(blob, "blob");
    }
  }

  /**
   * Bytes of a blob were read from the source and handed to the destination.
   *
   * @param transferred bytes so far (restarts from 0 if the upload is retried from the start)
   * @param total the blob's size
   */
  record BlobProgress(Digest digest, long transferred, long total) implements PromotionEvent {
    /** Checks that every component is present. */
    public BlobProgress {
      Objects.requireNonNull(digest, "digest");
    }
  }

  /** A blob is at the destination. */
  record BlobDone(Descriptor blob, Transfer transfer) implements PromotionEvent {
    /** Checks that every component is present. */
    public BlobDone {
      Objects.requireNonNull(blob, "blob");
      Objects.requireNonNull(transfer, "transfer");
    }
  }

  /** A manifest was pushed to the destination (by digest). */
  record ManifestWritten(Descriptor manifest) implements PromotionEvent {
    /** Checks that every component is present. */
    public ManifestWritten {
      Objects.requireNonNull(manifest, "manifest");
    }
  }

  /** A referrer was added to its subject's referrers index at the destination. */
  record ReferrerIndexed(Digest subject, Digest referrer) implements PromotionEvent {
    /** Checks that every component is present. */
    public ReferrerIndexed {
      Objects.requireNonNull(subject, "subject");
      Objects.requireNonNull(referrer, "referrer");
    }
  }

  /** A tag was pointed at a digest at the destination. */
  record TagWritten(String tag, Digest digest) implements PromotionEvent {
    /** Checks that every component is present. */
    public TagWritten {
      Objects.requireNonNull(tag, "tag");
      Objects.requireNonNull(digest, "digest");
    }
  }
}
