package dev.attest.verify;

import dev.attest.core.AttestException;

/** Thrown by {@link VerificationReport#orThrow()} for a denied image; the message lists every failed check. */
public class VerificationException extends AttestException {
  private static final long serialVersionUID = 1L;

  private final transient VerificationReport report;

  /** A denial, carrying the report that lists every failed check. */
  public VerificationException(VerificationReport report) {
    super(message(report));
    this.report = report;
  }

  /** The denying report. */
  public VerificationReport report() {
    return report;
  }

  private static String message(VerificationReport r) {
    StringBuilder sb = new StringBuilder();
    sb.append(r.input());
    if (r.subject() != null) {
      sb.append(" (").append(r.subject()).append(')');
    }
    sb.append(" denied:");
    for (VerificationReport.Check c : r.failures()) {
      sb.append("\n  - ").append(c.name()).append(": ").append(c.reason());
    }
    return sb.toString();
  }
}
