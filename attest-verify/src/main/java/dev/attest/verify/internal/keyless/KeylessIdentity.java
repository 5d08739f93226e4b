package dev.attest.verify.internal.keyless;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * The certificate identity a keyless bundle must have: the exact OIDC issuer, the SAN (exact, or a
 * regular expression that must match all of it) and, optionally, exact values of further Fulcio
 * extensions such as the GitHub source repository. There is no "any identity": an issuer and a SAN
 * matcher are required.
 *
 * @param issuer the exact OIDC issuer URL
 * @param san the exact SAN (email or URI), or null when {@code sanRegex} is given
 * @param sanRegex a regular expression the whole SAN must match, or null when {@code san} is given
 * @param extensions Fulcio extension OID to exact expected value
 * @see <a href="https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md">Fulcio OID
 *     information</a>
 */
public record KeylessIdentity(
    String issuer, @Nullable String san, @Nullable String sanRegex, Map<String, String> extensions) {

  public KeylessIdentity {
    Objects.requireNonNull(issuer, "issuer");
    if (issuer.isBlank()) {
      throw new IllegalArgumentException("an expected OIDC issuer is required");
    }
    boolean exact = san != null && !san.isEmpty();
    boolean regex = sanRegex != null && !sanRegex.isEmpty();
    if (exact == regex) {
      throw new IllegalArgumentException(
          "exactly one of an exact SAN and a SAN regular expression is required, got "
              + (exact ? "both" : "neither"));
    }
    if (regex) {
      try {
        Pattern.compile(sanRegex);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("bad SAN regular expression: " + e.getDescription(), e);
      }
    }
    Map<String, String> copy = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : extensions.entrySet()) {
      if (!FulcioOids.isFulcioStringExtension(e.getKey())) {
        throw new IllegalArgumentException("'" + e.getKey() + "' is not a Fulcio string extension OID");
      }
      copy.put(e.getKey(), Objects.requireNonNull(e.getValue(), "value of " + e.getKey()));
    }
    extensions = java.util.Collections.unmodifiableMap(copy);
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
    return new KeylessIdentity(issuer, san, sanRegex, ext);
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

  /** The SAN expectation, for messages. */
  public String sanDescription() {
    return san != null ? "'" + san + "'" : "matching /" + sanRegex + "/";
  }
}
