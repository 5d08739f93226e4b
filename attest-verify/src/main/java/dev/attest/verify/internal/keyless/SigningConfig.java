package dev.attest.verify.internal.keyless;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attest.core.Json;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * A Sigstore {@code SigningConfig} v0.2 ({@code
 * application/vnd.dev.sigstore.signingconfig.v0.2+json}): the Fulcio, OIDC, Rekor and TSA services
 * with their major API version, validity and operator, and the selectors that say how many logs and
 * timestamp authorities a signature goes to.
 *
 * <p>Selection follows the clients that write these configs (sigstore-go {@code SelectService} and
 * {@code SelectServices}): only services valid now and of an API version the signer speaks count;
 * the highest such version wins; services are taken newest first, at most one per operator; {@code
 * ANY} takes one, {@code EXACT} takes {@code count} (fewer is an error) and {@code ALL} takes every
 * operator's.
 *
 * @see <a href="https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_trustroot.proto">SigningConfig</a>
 */
public record SigningConfig(
    List<Service> ca, List<Service> oidc, List<Service> rekor, List<Service> tsa,
    Selector rekorSelector, Selector tsaSelector) {

  public static final String MEDIA_TYPE_V0_2 = "application/vnd.dev.sigstore.signingconfig.v0.2+json";
  public static final long MAX_BYTES = 1024 * 1024;
  private static final int MAX_SERVICES = 64;

  public SigningConfig {
    ca = List.copyOf(ca);
    oidc = List.copyOf(oidc);
    rekor = List.copyOf(rekor);
    tsa = List.copyOf(tsa);
    Objects.requireNonNull(rekorSelector, "rekorSelector");
    Objects.requireNonNull(tsaSelector, "tsaSelector");
  }

  /** One service: its URL, major API version, validity window ({@code end} open when null) and operator. */
  public record Service(String url, int majorApiVersion, Instant start, @Nullable Instant end, String operator) {
    public Service {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(start, "start");
      Objects.requireNonNull(operator, "operator");
    }

    public boolean validAt(Instant t) {
      return !t.isBefore(start) && (end == null || t.isBefore(end));
    }
  }

  /** How many services of a kind to use: {@code ANY} one, {@code EXACT} {@code count}, {@code ALL} all. */
  public record Selector(Kind kind, int count) {
    public enum Kind { ANY, EXACT, ALL }

    public Selector {
      Objects.requireNonNull(kind, "kind");
      if (kind == Kind.EXACT ? count < 1 : count != 0) {
        throw new IllegalArgumentException("EXACT needs a count of at least 1; ANY and ALL take none");
      }
    }

    static final Selector ANY = new Selector(Kind.ANY, 0);

    @Override
    public String toString() {
      return kind == Kind.EXACT ? "EXACT(" + count + ")" : kind.name();
    }
  }

  /**
   * Parses {@code json} strictly: the v0.2 media type, every service with a URL, a positive major
   * API version and a {@code validFor.start}; a selector, where given, one of ANY, EXACT with a
   * count, ALL.
   *
   * @throws IllegalArgumentException naming the first problem
   */
  public static SigningConfig parse(byte[] json) {
    if (json.length > MAX_BYTES) {
      throw new IllegalArgumentException("signing config is larger than " + MAX_BYTES + " bytes");
    }
    JsonNode n;
    try {
      n = Json.read(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("signing config is not JSON: " + e.getMessage(), e);
    }
    if (!n.isObject()) {
      throw new IllegalArgumentException("signing config is not a JSON object");
    }
    String mediaType = n.path("mediaType").asText("");
    if (!MEDIA_TYPE_V0_2.equals(mediaType)) {
      throw new IllegalArgumentException("signing config has media type '" + mediaType + "', expected "
          + MEDIA_TYPE_V0_2);
    }
    return new SigningConfig(services(n, "caUrls"), services(n, "oidcUrls"), services(n, "rekorTlogUrls"),
        services(n, "tsaUrls"), selector(n, "rekorTlogConfig"), selector(n, "tsaConfig"));
  }

  private static List<Service> services(JsonNode root, String field) {
    JsonNode arr = root.get(field);
    if (arr == null || arr.isNull()) {
      return List.of();
    }
    if (!arr.isArray() || arr.size() > MAX_SERVICES) {
      throw new IllegalArgumentException(field + " is not an array of at most " + MAX_SERVICES + " services");
    }
    List<Service> out = new ArrayList<>();
    for (int i = 0; i < arr.size(); i++) {
      JsonNode s = arr.get(i);
      String where = field + "[" + i + "]";
      JsonNode url = s.get("url");
      if (url == null || !url.isTextual() || url.asText().isBlank()) {
        throw new IllegalArgumentException(where + " has no url");
      }
      JsonNode v = s.get("majorApiVersion");
      if (v == null || !v.isIntegralNumber() || v.asLong() < 1 || v.asLong() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(where + " has no positive majorApiVersion");
      }
      JsonNode valid = s.path("validFor");
      Instant start = time(valid.get("start"), where + ".validFor.start");
      if (start == null) {
        throw new IllegalArgumentException(where + " has no validFor.start");
      }
      Instant end = time(valid.get("end"), where + ".validFor.end");
      if (end != null && !end.isAfter(start)) {
        throw new IllegalArgumentException(where + " has validFor.end not after its start");
      }
      out.add(new Service(url.asText(), v.asInt(), start, end, s.path("operator").asText("")));
    }
    return out;
  }

  private static @Nullable Instant time(@Nullable JsonNode t, String where) {
    if (t == null || t.isNull()) {
      return null;
    }
    try {
      return Instant.parse(t.asText());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(where + " is not an RFC 3339 time: '" + t.asText() + "'", e);
    }
  }

  private static Selector selector(JsonNode root, String field) {
    JsonNode c = root.get(field);
    if (c == null || c.isNull()) {
      return Selector.ANY;
    }
    String s = c.path("selector").asText("");
    switch (s) {
      case "ANY":
        return Selector.ANY;
      case "ALL":
        return new Selector(Selector.Kind.ALL, 0);
      case "EXACT":
        JsonNode count = c.get("count");
        if (count == null || !count.isIntegralNumber() || count.asLong() < 1 || count.asLong() > MAX_SERVICES) {
          throw new IllegalArgumentException(field + " selector EXACT needs a count of 1.." + MAX_SERVICES);
        }
        return new Selector(Selector.Kind.EXACT, count.asInt());
      default:
        throw new IllegalArgumentException(field + " has selector '" + s + "', expected ANY, EXACT or ALL");
    }
  }

  /**
   * The one service of {@code services} to use at {@code now}: of the highest version in {@code
   * supported} that has a valid service, the newest.
   *
   * @throws IllegalArgumentException if there is none, naming what the config offers
   */
  public static Service selectOne(List<Service> services, Set<Integer> supported, Instant now, String what) {
    return select(services, Selector.ANY, supported, now, what).get(0);
  }

  /**
   * The services to use at {@code now} by {@code selector}: of the highest version in {@code
   * supported} with a valid service, newest first and at most one per operator; one for ANY, {@code
   * count} for EXACT, all for ALL.
   *
   * @throws IllegalArgumentException if none is valid, or fewer than EXACT asks for
   */
  public static List<Service> select(List<Service> services, Selector selector, Set<Integer> supported, Instant now,
      String what) {
    for (int version : new TreeSet<>(supported).descendingSet()) {
      Map<String, Service> byOperator = new LinkedHashMap<>();
      services.stream()
          .filter(s -> s.majorApiVersion() == version && s.validAt(now))
          .sorted(Comparator.comparing(Service::start).reversed())
          // An empty operator is its own operator: such services are not deduplicated.
          .forEach(s -> byOperator.putIfAbsent(s.operator().isEmpty() ? "#" + s.url() : s.operator(), s));
      List<Service> valid = new ArrayList<>(byOperator.values());
      if (valid.isEmpty()) {
        continue;
      }
      switch (selector.kind()) {
        case ANY:
          return List.of(valid.get(0));
        case ALL:
          return List.copyOf(valid);
        case EXACT:
          if (valid.size() < selector.count()) {
            throw new IllegalArgumentException(what + ": the selector asks for EXACT(" + selector.count()
                + ") but only " + valid.size() + " operator(s) offer a valid service of API version " + version);
          }
          return List.copyOf(valid.subList(0, selector.count()));
        default:
          throw new IllegalStateException();
      }
    }
    List<String> offered = new ArrayList<>();
    services.forEach(s -> offered.add(s.url() + " (v" + s.majorApiVersion() + (s.validAt(now) ? "" : ", not valid now") + ")"));
    throw new IllegalArgumentException("no " + what + " service valid now with a supported major API version "
        + supported + "; the config offers " + (offered.isEmpty() ? "none" : String.join(", ", offered)));
  }
}
