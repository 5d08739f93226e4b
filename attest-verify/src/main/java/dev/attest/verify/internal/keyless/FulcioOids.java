package dev.attest.verify.internal.keyless;

import java.util.Set;

/**
 * The Fulcio certificate extension OIDs under Sigstore's private enterprise number 57264.
 *
 * <p>{@code .1.1} to {@code .1.6} hold the raw UTF-8 value as the extension's octets; {@code .1.8}
 * and later hold a DER {@code UTF8String}.
 *
 * @see <a href="https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md">Fulcio OID
 *     information</a>
 */
public final class FulcioOids {
  private FulcioOids() {}

  /** OIDC issuer, v1: raw UTF-8 octets (deprecated, still written). */
  public static final String ISSUER_V1 = "1.3.6.1.4.1.57264.1.1";
  /** GitHub workflow trigger (v1, raw). */
  public static final String GITHUB_WORKFLOW_TRIGGER = "1.3.6.1.4.1.57264.1.2";
  /** GitHub workflow SHA (v1, raw). */
  public static final String GITHUB_WORKFLOW_SHA = "1.3.6.1.4.1.57264.1.3";
  /** GitHub workflow name (v1, raw). */
  public static final String GITHUB_WORKFLOW_NAME = "1.3.6.1.4.1.57264.1.4";
  /** GitHub workflow repository (v1, raw). */
  public static final String GITHUB_WORKFLOW_REPOSITORY = "1.3.6.1.4.1.57264.1.5";
  /** GitHub workflow ref (v1, raw). */
  public static final String GITHUB_WORKFLOW_REF = "1.3.6.1.4.1.57264.1.6";
  /** OIDC issuer, v2: DER UTF8String. */
  public static final String ISSUER_V2 = "1.3.6.1.4.1.57264.1.8";
  public static final String BUILD_SIGNER_URI = "1.3.6.1.4.1.57264.1.9";
  public static final String BUILD_SIGNER_DIGEST = "1.3.6.1.4.1.57264.1.10";
  public static final String RUNNER_ENVIRONMENT = "1.3.6.1.4.1.57264.1.11";
  public static final String SOURCE_REPOSITORY_URI = "1.3.6.1.4.1.57264.1.12";
  public static final String SOURCE_REPOSITORY_DIGEST = "1.3.6.1.4.1.57264.1.13";
  public static final String SOURCE_REPOSITORY_REF = "1.3.6.1.4.1.57264.1.14";
  public static final String SOURCE_REPOSITORY_IDENTIFIER = "1.3.6.1.4.1.57264.1.15";
  public static final String SOURCE_REPOSITORY_OWNER_URI = "1.3.6.1.4.1.57264.1.16";
  public static final String SOURCE_REPOSITORY_OWNER_IDENTIFIER = "1.3.6.1.4.1.57264.1.17";
  public static final String BUILD_CONFIG_URI = "1.3.6.1.4.1.57264.1.18";
  public static final String BUILD_CONFIG_DIGEST = "1.3.6.1.4.1.57264.1.19";
  public static final String BUILD_TRIGGER = "1.3.6.1.4.1.57264.1.20";
  public static final String RUN_INVOCATION_URI = "1.3.6.1.4.1.57264.1.21";
  public static final String SOURCE_REPOSITORY_VISIBILITY = "1.3.6.1.4.1.57264.1.22";

  /** The RFC 6962 embedded SCT list extension. */
  public static final String EMBEDDED_SCT_LIST = "1.3.6.1.4.1.11129.2.4.2";

  private static final Set<String> RAW =
      Set.of(ISSUER_V1, GITHUB_WORKFLOW_TRIGGER, GITHUB_WORKFLOW_SHA, GITHUB_WORKFLOW_NAME,
          GITHUB_WORKFLOW_REPOSITORY, GITHUB_WORKFLOW_REF);

  /** Whether the OID's value is raw UTF-8 octets rather than a DER UTF8String. */
  public static boolean isRawString(String oid) {
    return RAW.contains(oid);
  }

  /** Whether {@code oid} is a Fulcio extension whose value is a string attest can match. */
  public static boolean isFulcioStringExtension(String oid) {
    if (!oid.startsWith("1.3.6.1.4.1.57264.1.")) {
      return false;
    }
    String last = oid.substring("1.3.6.1.4.1.57264.1.".length());
    return last.matches("[1-9][0-9]?") && !last.equals("7");
  }
}
