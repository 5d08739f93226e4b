package dev.attest.registry;

/** The repository, manifest, tag or blob does not exist. Fix the reference. */
public class NotFoundException extends RegistryException {
  private static final long serialVersionUID = 1L;

  /** The registry has no such manifest, blob or repository, named in {@code message}. */
  public NotFoundException(String message) {
    super(message);
  }

  /** As {@link #NotFoundException(String)}, with the error behind it. */
  public NotFoundException(String message, Throwable cause) {
    super(message, cause);
  }

  /** As {@link #NotFoundException(String)}, with the registry's error code, such as {@code NAME_UNKNOWN}. */
  public NotFoundException(String message, @org.jspecify.annotations.Nullable String errorCode,
      @org.jspecify.annotations.Nullable Throwable cause) {
    super(message, errorCode, cause);
  }
}
