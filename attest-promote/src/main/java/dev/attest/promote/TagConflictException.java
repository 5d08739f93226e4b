package dev.attest.promote;

import dev.attest.core.Digest;

/**
 * A tag at the destination already points at another digest. Tags are immutable for promotion:
 * nothing was written.
 */
public final class TagConflictException extends PromotionException {
  private static final long serialVersionUID = 1L;
  private final String tag;
  private final Digest existing;
  private final Digest wanted;

  public TagConflictException(String destination, String tag, Digest existing, Digest wanted) {
    super("tag " + destination + ":" + tag + " already points at " + existing + ", not at " + wanted
        + "; tags are immutable, so nothing was written");
    this.tag = tag;
    this.existing = existing;
    this.wanted = wanted;
  }

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
