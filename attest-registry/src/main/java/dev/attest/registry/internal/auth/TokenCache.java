package dev.attest.registry.internal.auth;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bearer tokens keyed by registry host and sorted scope set. A lookup takes the exact key, or
 * else any live token of the host whose scopes cover the ones asked for.
 */
final class TokenCache {

  /** Entries beyond this are dropped (expired ones first); a client talks to few repositories. */
  static final int MAX_ENTRIES = 1024;

  /** A token is not used in its last seconds of life, so it does not expire in flight. */
  static final long EXPIRY_MARGIN_SECONDS = 5;

  record Key(String host, List<String> scopes) {
    static Key of(String host, List<Scope> scopes) {
      return new Key(host, Scope.merge(scopes).stream().map(Scope::toString).toList());
    }
  }

  record Token(String value, List<Scope> scopes, Instant expiresAt) {}

  private final Map<Key, Token> tokens = new ConcurrentHashMap<>();
  private final Clock clock;

  TokenCache(Clock clock) {
    this.clock = clock;
  }

  Optional<Token> find(String host, List<Scope> needed) {
    Instant now = clock.instant();
    Key key = Key.of(host, needed);
    Token exact = tokens.get(key);
    if (exact != null && live(exact, now)) {
      return Optional.of(exact);
    }
    if (needed.isEmpty()) {
      return Optional.empty();
    }
    for (Map.Entry<Key, Token> e : tokens.entrySet()) {
      if (e.getKey().host().equals(host) && live(e.getValue(), now) && covers(e.getValue().scopes(), needed)) {
        return Optional.of(e.getValue());
      }
    }
    return Optional.empty();
  }

  void put(String host, Token token) {
    if (tokens.size() >= MAX_ENTRIES) {
      Instant now = clock.instant();
      tokens.values().removeIf(t -> !live(t, now));
      if (tokens.size() >= MAX_ENTRIES) {
        tokens.clear();
      }
    }
    tokens.put(Key.of(host, token.scopes()), token);
  }

  /** Forgets {@code value} wherever it is cached for {@code host}: the registry refused it. */
  void invalidate(String host, String value) {
    tokens.entrySet().removeIf(e -> e.getKey().host().equals(host) && e.getValue().value().equals(value));
  }

  private static boolean live(Token t, Instant now) {
    return now.isBefore(t.expiresAt().minusSeconds(EXPIRY_MARGIN_SECONDS));
  }

  private static boolean covers(List<Scope> have, List<Scope> needed) {
    for (Scope n : needed) {
      if (have.stream().noneMatch(h -> h.covers(n))) {
        return false;
      }
    }
    return true;
  }
}
