package dev.attest.verify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.attest.core.Digest;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of verifying one image against one policy: the decision, every check that was made
 * with its outcome and a reason a person can act on, and the statements that verified.
 *
 * <p>The decision follows from the checks and the policy mode ({@link #of}): any failed check
 * denies in {@link Policy.Mode#ENFORCE} and warns in {@link Policy.Mode#WARN}; a report with no
 * checks, or without a subject digest, can only deny. A required check can never be skipped.
 *
 * @param input the reference that was asked for, as given
 * @param subject the digest the input resolved to, or null when resolution failed
 * @param decision allow, warn or deny
 * @param checks every check in the order it was made; never empty
 * @param statements the verified in-toto statements
 * @param policyHash {@link Policy#hash()} of the policy applied
 * @param verifiedAt when the decision was made
 */
public record VerificationReport(
    String input,
    @Nullable Digest subject,
    Decision decision,
    List<Check> checks,
    List<VerifiedStatement> statements,
    Digest policyHash,
    Instant verifiedAt) {

  /** The three decisions. */
  public enum Decision {
    /** Every check passed. */
    ALLOW,
    /** A check failed under a warn-mode policy: admitted, with warnings. */
    WARN,
    /** A check failed under an enforcing policy, or nothing could be checked. */
    DENY
  }

  /** The outcome of one check. */
  public enum Outcome {
    /** The check passed. */
    PASS,
    /** The check failed; its reason says why. */
    FAIL,
    /** Not applicable; only allowed for checks that are not required. */
    SKIPPED
  }

  /**
   * One check.
   *
   * @param name a stable name, for example {@code signature} or {@code attestation:https://slsa.dev/provenance/v1}
   * @param outcome pass, fail or skipped
   * @param reason what was found; for a failure, what to fix
   * @param required whether the policy requires it; a required check cannot be skipped
   */
  public record Check(String name, Outcome outcome, String reason, boolean required) {
    /** Checks that every component is present. */
    public Check {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(outcome, "outcome");
      Objects.requireNonNull(reason, "reason");
      if (name.isBlank()) {
        throw new IllegalArgumentException("check name must not be blank");
      }
      if (outcome != Outcome.PASS && reason.isBlank()) {
        throw new IllegalArgumentException("check " + name + ": a " + outcome + " needs a reason");
      }
      if (outcome == Outcome.SKIPPED && required) {
        throw new IllegalArgumentException(
            "check " + name + " is required and cannot be skipped; report it as FAIL (fail closed)");
      }
    }

    /** A passed required check. */
    public static Check pass(String name, String reason) {
      return new Check(name, Outcome.PASS, reason, true);
    }

    /** A failed required check. */
    public static Check fail(String name, String reason) {
      return new Check(name, Outcome.FAIL, reason, true);
    }

    /** An optional check that did not apply. */
    public static Check skipped(String name, String reason) {
      return new Check(name, Outcome.SKIPPED, reason, false);
    }
  }

  /**
   * A statement whose signature verified: its exact payload bytes and predicate type.
   *
   * @param predicateType the statement's {@code predicateType}
   * @param payload the exact DSSE payload bytes (the in-toto statement JSON)
   */
  public record VerifiedStatement(String predicateType, byte[] payload) {
    /** Checks the components and copies the payload. */
    public VerifiedStatement {
      Objects.requireNonNull(predicateType, "predicateType");
      payload = payload.clone();
    }

    /** The exact statement bytes that were verified. A fresh copy. */
    @Override
    public byte[] payload() {
      return payload.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof VerifiedStatement s
          && predicateType.equals(s.predicateType) && Arrays.equals(payload, s.payload);
    }

    @Override
    public int hashCode() {
      return predicateType.hashCode() * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
      return "VerifiedStatement[" + predicateType + ", " + payload.length + " bytes]";
    }
  }

  /** Validates the report and copies its lists. */
  public VerificationReport {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(decision, "decision");
    Objects.requireNonNull(policyHash, "policyHash");
    Objects.requireNonNull(verifiedAt, "verifiedAt");
    checks = List.copyOf(checks);
    statements = List.copyOf(statements);
    if (checks.isEmpty()) {
      throw new IllegalArgumentException("a report needs at least one check");
    }
    boolean failed = checks.stream().anyMatch(c -> c.outcome() == Outcome.FAIL);
    boolean outOfScope = checks.size() == 1 && checks.get(0).name().equals("scope")
        && checks.get(0).outcome() == Outcome.SKIPPED;
    if (decision == Decision.ALLOW && (failed || (subject == null && !outOfScope))) {
      throw new IllegalArgumentException("a report with a failed check or no subject digest cannot ALLOW");
    }
    if (decision == Decision.WARN && subject == null) {
      throw new IllegalArgumentException("a report without a subject digest must DENY");
    }
    if (decision != Decision.ALLOW && !failed) {
      throw new IllegalArgumentException("a " + decision + " report needs a failed check");
    }
  }

  /** A report whose decision follows from {@code checks} and the policy's mode. */
  public static VerificationReport of(
      String input,
      @Nullable Digest subject,
      Policy policy,
      List<Check> checks,
      List<VerifiedStatement> statements,
      Instant verifiedAt) {
    return of(input, subject, policy.mode(), policy.hash(), checks, statements, verifiedAt);
  }

  /** A report whose decision follows from {@code checks} and {@code mode}. */
  public static VerificationReport of(
      String input,
      @Nullable Digest subject,
      Policy.Mode mode,
      Digest policyHash,
      List<Check> checks,
      List<VerifiedStatement> statements,
      Instant verifiedAt) {
    List<Check> all = new ArrayList<>(checks);
    if (subject == null && all.stream().noneMatch(c -> c.outcome() == Outcome.FAIL)) {
      all.add(Check.fail("subject", "the input was not resolved to a digest"));
    }
    if (all.isEmpty()) {
      all.add(Check.fail("checks", "no check was made; nothing verifies an image without checks"));
    }
    boolean failed = all.stream().anyMatch(c -> c.outcome() == Outcome.FAIL);
    Decision d;
    if (!failed) {
      d = Decision.ALLOW;
    } else if (mode == Policy.Mode.WARN && subject != null) {
      d = Decision.WARN;
    } else {
      d = Decision.DENY;
    }
    return new VerificationReport(input, subject, d, all, statements, policyHash, verifiedAt);
  }

  /**
   * An image outside a policy with {@code outOfScope: allow}: admitted with no check made and no
   * registry contacted, so it has no subject digest; its one check is a skipped {@code scope}.
   */
  public static VerificationReport outOfScope(String input, Digest policyHash, String reason, Instant at) {
    return new VerificationReport(
        input, null, Decision.ALLOW, List.of(Check.skipped("scope", reason)), List.of(), policyHash, at);
  }

  /** Whether this report admits an image the policy does not cover, without verifying it. */
  public boolean outOfScope() {
    return subject == null && decision == Decision.ALLOW;
  }

  /** A denial made before any policy check could run, e.g. the tag did not resolve. */
  public static VerificationReport denied(
      String input, @Nullable Digest subject, Digest policyHash, String checkName, String reason, Instant at) {
    return new VerificationReport(
        input, subject, Decision.DENY, List.of(Check.fail(checkName, reason)), List.of(), policyHash, at);
  }

  /** The subject digest, when the input resolved. */
  public Optional<Digest> subjectDigest() {
    return Optional.ofNullable(subject);
  }

  /** Whether the image may run: allowed, or failing only in warn mode. */
  public boolean admitted() {
    return decision != Decision.DENY;
  }

  /** The failed checks, in order. */
  public List<Check> failures() {
    return checks.stream().filter(c -> c.outcome() == Outcome.FAIL).toList();
  }

  /** The same report for another input reference (e.g. a cache hit under another name). */
  public VerificationReport withInput(String newInput) {
    return new VerificationReport(newInput, subject, decision, checks, statements, policyHash, verifiedAt);
  }

  /**
   * Returns this report unless it denies.
   *
   * @throws VerificationException listing every failed check, when the decision is {@link Decision#DENY}
   */
  public VerificationReport orThrow() throws VerificationException {
    if (decision == Decision.DENY) {
      throw new VerificationException(this);
    }
    return this;
  }

  /** A plain-text table for terminals: a header with the decision, then one row per check. */
  public String toTable() {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"CHECK", "OUTCOME", "REASON"});
    for (Check c : checks) {
      rows.add(new String[] {c.name(), c.outcome().name() + (c.required() ? "" : " (optional)"), oneLine(c.reason())});
    }
    int w0 = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
    int w1 = rows.stream().mapToInt(r -> r[1].length()).max().orElse(0);
    StringBuilder sb = new StringBuilder();
    sb.append("decision: ").append(decision).append('\n');
    sb.append("input:    ").append(input).append('\n');
    sb.append("subject:  ").append(subject == null ? "(unresolved)" : subject.toString()).append('\n');
    sb.append("policy:   ").append(policyHash).append('\n');
    sb.append('\n');
    for (String[] r : rows) {
      sb.append(pad(r[0], w0)).append("  ").append(pad(r[1], w1)).append("  ").append(r[2]).append('\n');
    }
    if (!statements.isEmpty()) {
      sb.append('\n').append("verified statements:").append('\n');
      for (VerifiedStatement s : statements) {
        sb.append("  ").append(s.predicateType()).append(" (").append(s.payload.length).append(" bytes)\n");
      }
    }
    return sb.toString();
  }

  private static String pad(String s, int w) {
    return s + " ".repeat(Math.max(0, w - s.length()));
  }

  private static String oneLine(String s) {
    return s.replace("\r", " ").replace("\n", " ");
  }

  private static final ObjectMapper JSON =
      JsonMapper.builder().disable(SerializationFeature.INDENT_OUTPUT).build();

  /**
   * The report as UTF-8 JSON: {@code decision}, {@code input}, {@code subject}, {@code policyHash},
   * {@code verifiedAt}, {@code checks[]{name, outcome, required, reason}} and {@code
   * statements[]{predicateType, payload}} with the payload in standard base64.
   */
  public byte[] toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("decision", decision.name());
    m.put("input", input);
    m.put("subject", subject == null ? null : subject.toString());
    m.put("policyHash", policyHash.toString());
    m.put("verifiedAt", verifiedAt.toString());
    List<Object> cs = new ArrayList<>();
    for (Check c : checks) {
      Map<String, Object> cm = new LinkedHashMap<>();
      cm.put("name", c.name());
      cm.put("outcome", c.outcome().name());
      cm.put("required", c.required());
      cm.put("reason", c.reason());
      cs.add(cm);
    }
    m.put("checks", cs);
    List<Object> ss = new ArrayList<>();
    for (VerifiedStatement s : statements) {
      Map<String, Object> sm = new LinkedHashMap<>();
      sm.put("predicateType", s.predicateType());
      sm.put("payload", Base64.getEncoder().encodeToString(s.payload));
      ss.add(sm);
    }
    m.put("statements", ss);
    try {
      return JSON.writeValueAsBytes(m);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
