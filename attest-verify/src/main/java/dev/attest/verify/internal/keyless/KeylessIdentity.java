package dev.attest.verify.internal.keyless;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * The certificate identity a keyless bundle must have: the OIDC issuer and the SAN, each exact or
 * a regular expression that must match all of it (as cosign's {@code --certificate-identity-regexp}
 * and {@code --certificate-oidc-issuer-regexp}), and, optionally, exact values of further Fulcio
 * extensions such as the GitHub source repository. There is no "any identity": an issuer and a SAN
 * matcher are required.
 *
 * @param issuer the exact OIDC issuer URL, or null when {@code issuerRegex} is given
 * @param san the exact SAN (email or URI), or null when {@code sanRegex} is given
 * @param sanRegex a regular expression the whole SAN must match, or null when {@code san} is given
 * @param extensions Fulcio extension OID to exact expected value
 * @param issuerRegex a regular expression the whole issuer must match, or null when {@code issuer}
 *     is given
 * @see <a href="https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md">Fulcio OID
 *     information</a>
 */
public record KeylessIdentity(
    @Nullable String issuer, @Nullable String san, @Nullable String sanRegex, Map<String, String> extensions,
    @Nullable String issuerRegex) {

  public KeylessIdentity {
    requireOne(issuer, issuerRegex, "an OIDC issuer", "an issuer regular expression");
    requireOne(san, sanRegex, "an exact SAN", "a SAN regular expression");
    compile(sanRegex, "SAN");
    compile(issuerRegex, "issuer");
    Map<String, String> copy = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : extensions.entrySet()) {
      if (!FulcioOids.isFulcioStringExtension(e.getKey())) {
        throw new IllegalArgumentException("'" + e.getKey() + "' is not a Fulcio string extension OID");
      }
      copy.put(e.getKey(), Objects.requireNonNull(e.getValue(), "value of " + e.getKey()));
    }
    extensions = java.util.Collections.unmodifiableMap(copy);
  }

  /** An identity with an exact issuer. */
  public KeylessIdentity(String issuer, @Nullable String san, @Nullable String sanRegex, Map<String, String> extensions) {
    this(issuer, san, sanRegex, extensions, null);
  }

  private static void requireOne(@Nullable String exact, @Nullable String regex, String exactName, String regexName) {
    boolean e = exact != null && !exact.isBlank();
    boolean r = regex != null && !regex.isEmpty();
    if (e == r) {
      throw new IllegalArgumentException("exactly one of " + exactName + " and " + regexName + " is required, got "
          + (e ? "both" : "neither"));
    }
  }

  private static void compile(@Nullable String regex, String what) {
    if (regex != null && !regex.isEmpty()) {
      try {
        Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("bad " + what + " regular expression: " + e.getDescription(), e);
      }
    }
  }

  /**
   * An identity from cosign's four flags: exactly one of {@code issuer} and {@code issuerRegex},
   * and exactly one of {@code san} and {@code sanRegex}; each regular expression must match the
   * whole value.
   *
   * @throws IllegalArgumentException if not exactly one of each pair is given, or an expression
   *     does not compile
   */
  public static KeylessIdentity of(@Nullable String issuer, @Nullable String issuerRegex, @Nullable String san,
      @Nullable String sanRegex) {
    return new KeylessIdentity(issuer, san, sanRegex, Map.of(), issuerRegex);
  }

  /** An identity with an exact issuer and an exact SAN. */
  public static KeylessIdentity exact(String issuer, String san) {
    return new KeylessIdentity(issuer, san, null, Map.of());
  }

  /** An identity with an exact issuer and a SAN regular expression that must match the whole SAN. */
  public static KeylessIdentity regex(String issuer, String sanRegex) {
    return new KeylessIdentity(issuer, null, sanRegex, Map.of());
  }

  /** This identity also requiring extension {@code oid} to be exactly {@code value}. */
  public KeylessIdentity withExtension(String oid, String value) {
    Map<String, String> ext = new LinkedHashMap<>(extensions);
    ext.put(oid, value);
    return new KeylessIdentity(issuer, san, sanRegex, ext, issuerRegex);
  }

  /** Requires the GitHub source repository URI, for example {@code https://github.com/acme/app}. */
  public KeylessIdentity withSourceRepository(String uri) {
    return withExtension(FulcioOids.SOURCE_REPOSITORY_URI, uri);
  }

  /** Requires the source repository ref, for example {@code refs/heads/main}. */
  public KeylessIdentity withSourceRepositoryRef(String ref) {
    return withExtension(FulcioOids.SOURCE_REPOSITORY_REF, ref);
  }

  /** Requires the build signer URI (the workflow file at its ref). */
  public KeylessIdentity withBuildSignerUri(String uri) {
    return withExtension(FulcioOids.BUILD_SIGNER_URI, uri);
  }

  /** Requires the runner environment, for example {@code github-hosted}. */
  public KeylessIdentity withRunnerEnvironment(String environment) {
    return withExtension(FulcioOids.RUNNER_ENVIRONMENT, environment);
  }

  /** Whether {@code actual} is the expected SAN: equal, or matched in full by the regex. */
  public boolean sanMatches(String actual) {
    return san != null ? san.equals(actual) : Pattern.compile(Objects.requireNonNull(sanRegex)).matcher(actual).matches();
  }

  /** Whether {@code actual} is the expected issuer: equal, or matched in full by the regex. */
  public boolean issuerMatches(String actual) {
    return issuer != null
        ? issuer.equals(actual)
        : Pattern.compile(Objects.requireNonNull(issuerRegex)).matcher(actual).matches();
  }

  /** The issuer expectation, for messages. */
  public String issuerDescription() {
    return issuer != null ? "'" + issuer + "'" : "matching /" + issuerRegex + "/";
  }

  /** The SAN expectation, for messages. */
  public String sanDescription() {
    return san != null ? "'" + san + "'" : "matching /" + sanRegex + "/";
  }
}
