package dev.attest.testing.internal;

import org.jspecify.annotations.Nullable;

/**
 * An error answered with the distribution spec's JSON error body.
 *
 * @see <a href="https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#error-codes">error
 *     codes</a>
 */
public final class ApiError extends Exception {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final transient @Nullable Object detail;

  public ApiError(int status, String code, String message, @Nullable Object detail) {
    super(message);
    this.status = status;
    this.code = code;
    this.detail = detail;
  }

  public ApiError(int status, String code, String message) {
    this(status, code, message, null);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public @Nullable Object detail() {
    return detail;
  }

  static ApiError nameUnknown(String repo) {
    return new ApiError(404, "NAME_UNKNOWN", "repository name not known to registry", repo);
  }

  static ApiError manifestUnknown(String ref) {
    return new ApiError(404, "MANIFEST_UNKNOWN", "manifest unknown", ref);
  }

  static ApiError blobUnknown(String digest) {
    return new ApiError(404, "BLOB_UNKNOWN", "blob unknown to registry", digest);
  }

  static ApiError uploadUnknown(String id) {
    return new ApiError(404, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry", id);
  }

  static ApiError digestInvalid(String message) {
    return new ApiError(400, "DIGEST_INVALID", message);
  }

  static ApiError manifestInvalid(String message) {
    return new ApiError(400, "MANIFEST_INVALID", message);
  }

  static ApiError unsupported(String message) {
    return new ApiError(405, "UNSUPPORTED", message);
  }
}
