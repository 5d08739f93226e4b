package dev.attest.promote;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attest.core.Digest;
import dev.attest.core.GenericPredicate;
import dev.attest.core.InvalidContentException;
import dev.attest.core.Predicate;
import dev.attest.core.Json;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The predicate of a promotion attestation, of type {@value #TYPE}: which digest went from which
 * repository to which, under which tags, gated by which policy with which outcome, when and by
 * whom. Specified in {@code docs/specs/promotion-predicate.md}.
 *
 * @param digest the promoted digest (also the statement's subject)
 * @param source where it came from
 * @param destination where it went
 * @param tags the tags written at the destination, possibly none
 * @param policyHash the hash of the policy that gated it ({@code Policy.hash()}), or null if
 *     ungated
 * @param sourceDecision the gate's decision at the source ({@code ALLOW} or {@code WARN}), or
 *     null if ungated
 * @param destinationDecision the decision at the destination ({@code verifyAfter}), or null
 * @param promotedAt when the promotion completed its copy
 * @param actor who or what promoted it, free text such as {@code ci@github.com/acme/api}
 * @see <a href="https://github.com/in-toto/attestation/blob/main/spec/v1/predicate.md">in-toto
 *     predicate</a>
 */
public record PromotionPredicate(
    Digest digest,
    Location source,
    Location destination,
    List<String> tags,
    @Nullable Digest policyHash,
    @Nullable String sourceDecision,
    @Nullable String destinationDecision,
    Instant promotedAt,
    String actor) implements Predicate {

  /** The predicate type URI. */
  public static final String TYPE = "https://attest.dev/promotion/v1";

  /** A repository of a registry, as named in the predicate. */
  public record Location(String registry, String repository) {
    /** Checks that every component is present. */
    public Location {
      Objects.requireNonNull(registry, "registry");
      Objects.requireNonNull(repository, "repository");
    }

    /** The location of {@code ref}: its registry name and repository. */
    public static Location of(RepositoryRef ref) {
      return new Location(ref.registry().name(), ref.repository());
    }
  }

  /** Validates the components and copies the tags. */
  public PromotionPredicate {
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(destination, "destination");
    tags = List.copyOf(tags);
    Objects.requireNonNull(promotedAt, "promotedAt");
    Objects.requireNonNull(actor, "actor");
  }

  @Override
  public String predicateType() {
    return TYPE;
  }

  @Override
  public byte[] json() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("digest", digest.toString());
    m.put("source", location(source));
    m.put("destination", location(destination));
    m.put("tags", tags);
    if (policyHash != null) {
      m.put("policy", Map.of("hash", policyHash.toString()));
    }
    Map<String, Object> verification = new LinkedHashMap<>();
    if (sourceDecision != null) {
      verification.put("source", sourceDecision);
    }
    if (destinationDecision != null) {
      verification.put("destination", destinationDecision);
    }
    m.put("verification", verification);
    m.put("promotedAt", promotedAt.toString());
    m.put("actor", actor);
    return GenericPredicate.of(TYPE, m).json();
  }

  private static Map<String, Object> location(Location l) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("registry", l.registry());
    m.put("repository", l.repository());
    return m;
  }

  /**
   * Reads a predicate body.
   *
   * @throws InvalidContentException naming the field that is missing or malformed
   */
  public static PromotionPredicate parse(byte[] json) throws InvalidContentException {
    JsonNode n;
    try {
      n = Json.read(json);
    } catch (IOException e) {
      throw new InvalidContentException("promotion predicate: not JSON: " + e.getMessage());
    }
    if (!n.isObject()) {
      throw new InvalidContentException("promotion predicate: not a JSON object");
    }
    try {
      List<String> tags = new ArrayList<>();
      JsonNode t = n.get("tags");
      if (t == null || !t.isArray()) {
        throw new InvalidContentException("promotion predicate: 'tags' must be an array");
      }
      for (JsonNode e : t) {
        tags.add(text(e, "tags[]"));
      }
      JsonNode policy = n.get("policy");
      JsonNode verification = n.get("verification");
      return new PromotionPredicate(
          Digest.parse(text(n.get("digest"), "digest")),
          location(n.get("source"), "source"),
          location(n.get("destination"), "destination"),
          tags,
          policy == null || policy.isNull() ? null : Digest.parse(text(policy.get("hash"), "policy.hash")),
          verification == null ? null : optionalText(verification.get("source"), "verification.source"),
          verification == null ? null : optionalText(verification.get("destination"), "verification.destination"),
          Instant.parse(text(n.get("promotedAt"), "promotedAt")),
          text(n.get("actor"), "actor"));
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw new InvalidContentException("promotion predicate: " + e.getMessage());
    }
  }

  private static Location location(@Nullable JsonNode n, String field) throws InvalidContentException {
    if (n == null || !n.isObject()) {
      throw new InvalidContentException("promotion predicate: '" + field + "' must be an object");
    }
    return new Location(text(n.get("registry"), field + ".registry"), text(n.get("repository"), field + ".repository"));
  }

  private static String text(@Nullable JsonNode n, String field) throws InvalidContentException {
    if (n == null || !n.isTextual()) {
      throw new InvalidContentException("promotion predicate: '" + field + "' must be a string");
    }
    return n.asText();
  }

  private static @Nullable String optionalText(@Nullable JsonNode n, String field) throws InvalidContentException {
    return n == null || n.isNull() ? null : text(n, field);
  }

  /** Whether {@code other} records the same promotion, whatever its time and actor. */
  public boolean samePromotion(PromotionPredicate other) {
    return digest.equals(other.digest) && source.equals(other.source) && destination.equals(other.destination)
        && tags.equals(other.tags) && Objects.equals(policyHash, other.policyHash)
        && Objects.equals(sourceDecision, other.sourceDecision)
        && Objects.equals(destinationDecision, other.destinationDecision);
  }
}
