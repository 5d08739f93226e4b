package dev.attest.promote;

/**
 * The gate denied the promotion: at the source, before anything was written, or with {@code
 * verifyAfter} at the destination, before any tag or attestation was written. The report holds
 * the verification reports and what was written.
 */
public final class PromotionDeniedException extends PromotionException {
  private static final long serialVersionUID = 1L;
  private final transient PromotionReport report;

  /** A gate denied the promotion, as {@code message} says; {@code report} has the verification. */
  public PromotionDeniedException(String message, PromotionReport report) {
    super(message);
    this.report = report;
  }

  /** The promotion report, with the denying verification report. */
  public PromotionReport report() {
    return report;
  }
}
