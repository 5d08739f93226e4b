package dev.attest.promote;

import dev.attest.core.Digest;
import dev.attest.verify.ImageVerifier;
import dev.attest.verify.Policy;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * An ordered list of environments, such as dev, then staging, then prod. Promoting out of a stage
 * goes to the next one and applies the next stage's policy, at the source as the gate and at the
 * destination after the copy:
 *
 * <pre>{@code
 * PromotionPath path = PromotionPath.of(Stage.of("dev", dev, devPolicy),
 *     Stage.of("staging", staging, stagingPolicy), Stage.of("prod", prod, prodPolicy));
 * path.promote(digest, "dev", verifiers).tags("v1.4.2").attestWith(signer).execute();
 * }</pre>
 */
public final class PromotionPath {
  private final List<Stage> stages;

  private PromotionPath(List<Stage> stages) {
    this.stages = stages;
  }

  /**
   * A path through {@code stages}, in order.
   *
   * @throws IllegalArgumentException with fewer than two stages or a repeated name or repository
   */
  public static PromotionPath of(List<Stage> stages) {
    List<Stage> copy = List.copyOf(stages);
    if (copy.size() < 2) {
      throw new IllegalArgumentException("a promotion path needs at least two stages, got " + copy.size());
    }
    Set<String> names = new HashSet<>();
    Set<RepositoryRef> repos = new HashSet<>();
    for (Stage s : copy) {
      if (!names.add(s.name())) {
        throw new IllegalArgumentException("stage '" + s.name() + "' appears twice");
      }
      if (!repos.add(s.repository())) {
        throw new IllegalArgumentException("repository " + s.repository() + " is used by two stages");
      }
    }
    return new PromotionPath(copy);
  }

  /** A path through these stages, in order. */
  public static PromotionPath of(Stage... stages) {
    return of(List.of(stages));
  }

  /** The stages, in order. */
  public List<Stage> stages() {
    return stages;
  }

  /** The stage named {@code name}. */
  public Optional<Stage> stage(String name) {
    return stages.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  /** The stage after {@code name}; empty for the last stage. */
  public Optional<Stage> next(String name) {
    int i = indexOf(name);
    return i + 1 < stages.size() ? Optional.of(stages.get(i + 1)) : Optional.empty();
  }

  /**
   * A promotion of {@code digest} from stage {@code from} to the next stage, gated at both ends
   * by the next stage's policy through the verifier {@code verifiers} gives for it. Add tags, a
   * signer or a listener, then call {@link Promotion#execute()}.
   *
   * @throws IllegalArgumentException if {@code from} is unknown or the last stage
   */
  public Promotion promote(Digest digest, String from, Function<Policy, ImageVerifier> verifiers) {
    Objects.requireNonNull(verifiers, "verifiers");
    Stage source = stages.get(indexOf(from));
    Stage target = next(from).orElseThrow(
        () -> new IllegalArgumentException("stage '" + from + "' is the last of the path; there is nowhere to promote to"));
    ImageVerifier verifier = Objects.requireNonNull(verifiers.apply(target.policy()), "no verifier for the policy");
    return Promotion.of(digest).from(source.repository()).to(target.repository())
        .gate(target.policy(), verifier).verifyAfter();
  }

  private int indexOf(String name) {
    for (int i = 0; i < stages.size(); i++) {
      if (stages.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new IllegalArgumentException("no stage named '" + name + "' in the path");
  }
}
