package dev.attest.promote;

import dev.attest.registry.Registry;
import java.util.Objects;

/**
 * A repository of a registry (or of an OCI layout): where a promotion reads or writes.
 *
 * @param registry the registry client
 * @param repository the repository path, such as {@code acme/api}
 */
public record RepositoryRef(Registry registry, String repository) {
  /** Validates the repository name. */
  public RepositoryRef {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(repository, "repository");
    if (!repository.matches("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*")) {
      throw new IllegalArgumentException("invalid repository name '" + repository + "'");
    }
  }

  /** The repository {@code repository} of {@code registry}. */
  public static RepositoryRef of(Registry registry, String repository) {
    return new RepositoryRef(registry, repository);
  }

  /** {@code <registry name>/<repository>}, for people and attestations. */
  public String displayName() {
    return registry.name() + "/" + repository;
  }

  @Override
  public String toString() {
    return displayName();
  }
}
