package dev.attest.promote;

import dev.attest.core.Digest;

/**
 * A tag at the destination already points at another digest. Tags are immutable for promotion:
 * nothing was written.
 */
public final class TagConflictException extends PromotionException {
  private static final long serialVersionUID = 1L;
  /** The conflicting tag. */
  private final String tag;
  /** The digest the tag points at in the destination. */
  private final Digest existing;
  /** The digest being promoted. */
  private final Digest wanted;

  /** At {@code destination}, {@code tag} points at {@code existing}, not the promoted {@code wanted}. */
  public TagConflictException(String destination, String tag, Digest existing, Digest wanted) {
    super("tag " + destination + ":" + tag + " already points at " + existing + ", not at " + wanted
        + "; tags are immutable, so nothing was written");
    this.tag = tag;
    this.existing = existing;
    this.wanted = wanted;
  }

  /** The conflicting tag. */
  public String tag() {
    return tag;
  }

  /** The digest the tag points at now. */
  public Digest existing() {
    return existing;
  }

  /** The digest the promotion would have tagged. */
  public Digest wanted() {
    return wanted;
  }
}
