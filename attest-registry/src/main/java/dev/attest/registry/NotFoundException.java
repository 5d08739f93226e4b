package dev.attest.registry;

/** The repository, manifest, tag or blob does not exist. Fix the reference. */
public class NotFoundException extends RegistryException {
  private static final long serialVersionUID = 1L;

  public NotFoundException(String message) {
    super(message);
  }

  public NotFoundException(String message, Throwable cause) {
    super(message, cause);
  }
}
