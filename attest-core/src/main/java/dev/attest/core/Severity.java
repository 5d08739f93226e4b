package dev.attest.core;

import java.math.BigDecimal;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The severity of a vulnerability finding, normalised across scanners. Declared from most to
 * least severe; {@link #UNKNOWN} is what a scanner did not rate, or rated in words attest does
 * not know. It is attest's one severity type: a {@link VulnerabilityScan} counts findings by it,
 * and a verification policy's vulnerability rule (attest-verify) limits the four rated ones,
 * {@code CRITICAL} to {@code LOW}.
 *
 * @see <a href="https://www.first.org/cvss/v3.1/specification-document#Qualitative-Severity-Rating-Scale">CVSS
 *     v3.1 qualitative severity rating scale</a>
 */
public enum Severity {
  /** Critical. */
  CRITICAL,
  /** High. */
  HIGH,
  /** Medium. */
  MEDIUM,
  /** Low. */
  LOW,
  /** Negligible (Grype); counted apart from LOW. */
  NEGLIGIBLE,
  /** A severity the scanner did not give or attest does not know. */
  UNKNOWN;

  /**
   * The severity a scanner's word names, case-insensitively: Trivy ({@code CRITICAL} ... {@code
   * UNKNOWN}), Grype ({@code Critical} ... {@code Negligible}), and the synonyms {@code moderate}
   * (MEDIUM), {@code important} (HIGH), {@code none} and {@code info} (NEGLIGIBLE). Anything else
   * is {@link #UNKNOWN}.
   */
  public static Severity fromName(@Nullable String name) {
    if (name == null) {
      return UNKNOWN;
    }
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "critical" -> CRITICAL;
      case "high", "important" -> HIGH;
      case "medium", "moderate" -> MEDIUM;
      case "low" -> LOW;
      case "negligible", "none", "info", "informational" -> NEGLIGIBLE;
      default -> UNKNOWN;
    };
  }

  /**
   * The qualitative rating of a CVSS v3 base score: 0 is NEGLIGIBLE (CVSS "None"), then LOW from
   * 0.1, MEDIUM from 4.0, HIGH from 7.0 and CRITICAL from 9.0.
   *
   * @throws IllegalArgumentException if {@code score} is outside 0 to 10
   * @see <a href="https://www.first.org/cvss/v3.1/specification-document#Qualitative-Severity-Rating-Scale">CVSS
   *     v3.1 qualitative severity rating scale</a>
   */
  public static Severity fromCvssScore(BigDecimal score) {
    if (score.signum() < 0 || score.compareTo(BigDecimal.TEN) > 0) {
      throw new IllegalArgumentException("CVSS score must be between 0 and 10, got " + score);
    }
    if (score.signum() == 0) {
      return NEGLIGIBLE;
    }
    if (score.compareTo(new BigDecimal("4.0")) < 0) {
      return LOW;
    }
    if (score.compareTo(new BigDecimal("7.0")) < 0) {
      return MEDIUM;
    }
    if (score.compareTo(new BigDecimal("9.0")) < 0) {
      return HIGH;
    }
    return CRITICAL;
  }

  /** Whether this is at least as severe as {@code other}; {@link #UNKNOWN} is below everything. */
  public boolean isAtLeast(Severity other) {
    return ordinal() <= other.ordinal();
  }
}
