package dev.attest.verify;

import dev.attest.core.Digest;
import dev.attest.verify.VerificationReport.Check;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;

/** Small fixtures shared by the tests. */
final class TestSupport {
  private TestSupport() {}

  static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");
  static final Digest POLICY = Digest.sha256("policy".getBytes(StandardCharsets.UTF_8));

  static Digest digest(String seed) {
    return Digest.sha256(seed.getBytes(StandardCharsets.UTF_8));
  }

  static VerificationReport allow(String input, Digest subject) {
    return VerificationReport.of(input, subject, Policy.Mode.ENFORCE, POLICY,
        List.of(Check.pass("signature", "signed by release-key")), List.of(), T0);
  }

  static VerificationReport deny(String input, Digest subject, String reason) {
    return VerificationReport.of(input, subject, Policy.Mode.ENFORCE, POLICY,
        List.of(Check.pass("signature", "signed"), Check.fail("attestation:https://slsa.dev/provenance/v1", reason)),
        List.of(), T0);
  }

  static VerificationReport warn(String input, Digest subject, String reason) {
    return VerificationReport.of(input, subject, Policy.Mode.WARN, POLICY,
        List.of(Check.fail("signature", reason)), List.of(), T0);
  }

  /** A clock the test moves by hand. */
  static final class FakeClock extends Clock {
    private Instant now;

    FakeClock(Instant start) {
      this.now = start;
    }

    synchronized void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public synchronized Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
