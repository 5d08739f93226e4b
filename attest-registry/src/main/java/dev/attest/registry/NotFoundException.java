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
}
