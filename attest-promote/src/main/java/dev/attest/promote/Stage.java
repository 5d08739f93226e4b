package dev.attest.promote;

import dev.attest.verify.Policy;
import java.util.Objects;

/**
 * One environment of a {@link PromotionPath}: where images live and the policy an image must
 * pass to enter it.
 *
 * @param name such as {@code dev}, {@code staging}, {@code prod}
 * @param repository where the stage's images are
 * @param policy what an image must pass to be promoted into this stage
 */
public record Stage(String name, RepositoryRef repository, Policy policy) {
  /** Checks that every component is present. */
  public Stage {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(policy, "policy");
    if (name.isBlank()) {
      throw new IllegalArgumentException("a stage needs a name");
    }
  }

  /** A stage named {@code name}: where images live, and the policy that admits them there. */
  public static Stage of(String name, RepositoryRef repository, Policy policy) {
    return new Stage(name, repository, policy);
  }
}
