package dev.attest.registry.internal.auth;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One authentication challenge of a {@code WWW-Authenticate} header, parsed by the grammar of RFC
 * 7235 section 4.1: several challenges per header, parameters as tokens or quoted strings with
 * backslash escapes (so commas inside quotes are data).
 *
 * @param scheme the auth scheme, lower case ({@code basic}, {@code bearer})
 * @param params parameters with lower-case names, in order
 * @param token68 the token68 form of credentials, if the challenge used it instead of parameters
 * @see <a href="https://www.rfc-editor.org/rfc/rfc7235#section-4.1">RFC 7235 section 4.1</a>
 */
public record Challenge(String scheme, Map<String, String> params, @Nullable String token68) {

  /** Longer header values are refused. */
  public static final int MAX_HEADER_LENGTH = 16 * 1024;

  /** More challenges than this in one response are refused. */
  public static final int MAX_CHALLENGES = 32;

  public Challenge {
    scheme = scheme.toLowerCase(Locale.ROOT);
    params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
  }

  public Optional<String> param(String name) {
    return Optional.ofNullable(params.get(name.toLowerCase(Locale.ROOT)));
  }

  /** Every challenge in {@code headerValues}, in order. */
  public static List<Challenge> parseAll(List<String> headerValues) {
    List<Challenge> out = new ArrayList<>();
    for (String v : headerValues) {
      if (v.length() > MAX_HEADER_LENGTH) {
        throw new IllegalArgumentException("WWW-Authenticate is longer than " + MAX_HEADER_LENGTH + " characters");
      }
      new Parser(v, out).parse();
    }
    return List.copyOf(out);
  }

  private static final class Parser {
    private final String s;
    private final List<Challenge> out;
    private int i;

    Parser(String s, List<Challenge> out) {
      this.s = s;
      this.out = out;
    }

    void parse() {
      skipListSeparators();
      while (i < s.length()) {
        String scheme = token();
        if (scheme.isEmpty()) {
          throw error("expected an auth scheme");
        }
        Map<String, String> params = new LinkedHashMap<>();
        String token68 = null;
        int afterScheme = i;
        skipSpaces();
        boolean more = i < s.length() && s.charAt(i) != ',';
        if (more && i == afterScheme) {
          throw error("expected a space after the auth scheme '" + scheme + "'");
        }
        if (more) {
          if (isParamAhead(i)) {
            parseParams(params);
          } else {
            token68 = token68();
            skipSpaces();
            if (token68.isEmpty() || (i < s.length() && s.charAt(i) != ',')) {
              throw error("expected parameters or a token68 after '" + scheme + "'");
            }
          }
        }
        if (out.size() >= MAX_CHALLENGES) {
          throw error("more than " + MAX_CHALLENGES + " challenges");
        }
        out.add(new Challenge(scheme, params, token68));
        skipListSeparators();
      }
    }

    /** Whether a {@code name BWS "="} followed by a value (not end/comma) starts at {@code at}. */
    private boolean isParamAhead(int at) {
      int save = i;
      try {
        i = at;
        if (token().isEmpty()) {
          return false;
        }
        skipSpaces();
        if (i >= s.length() || s.charAt(i) != '=') {
          return false;
        }
        i++;
        skipSpaces();
        return i < s.length() && s.charAt(i) != ',' && s.charAt(i) != '=';
      } finally {
        i = save;
      }
    }

    private void parseParams(Map<String, String> params) {
      while (true) {
        int start = i;
        String name = token();
        skipSpaces();
        if (name.isEmpty() || i >= s.length() || s.charAt(i) != '=') {
          throw error("expected name=value at index " + start);
        }
        i++;
        skipSpaces();
        String value;
        if (i < s.length() && s.charAt(i) == '"') {
          value = quoted();
        } else {
          value = token();
          if (value.isEmpty()) {
            throw error("empty value for parameter '" + name + "'");
          }
        }
        String key = name.toLowerCase(Locale.ROOT);
        if (params.put(key, value) != null) {
          // RFC 7235: each parameter name must only occur once per challenge.
          throw error("parameter '" + key + "' occurs twice");
        }
        skipSpaces();
        if (i >= s.length()) {
          return;
        }
        if (s.charAt(i) != ',') {
          throw error("expected ',' at index " + i);
        }
        // After a comma comes another parameter of this challenge, or the next challenge.
        int save = i;
        skipListSeparators();
        if (i >= s.length()) {
          return;
        }
        if (!isParamAhead(i)) {
          i = save;
          return;
        }
      }
    }

    private String quoted() {
      StringBuilder b = new StringBuilder();
      i++; // opening quote
      while (i < s.length()) {
        char c = s.charAt(i++);
        if (c == '"') {
          return b.toString();
        }
        if (c == '\\') {
          if (i >= s.length()) {
            break;
          }
          c = s.charAt(i++);
        }
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
          throw error("control character in a quoted string");
        }
        b.append(c);
      }
      throw error("unterminated quoted string");
    }

    private String token() {
      int start = i;
      while (i < s.length() && isTchar(s.charAt(i))) {
        i++;
      }
      return s.substring(start, i);
    }

    private String token68() {
      int start = i;
      while (i < s.length() && isToken68Char(s.charAt(i))) {
        i++;
      }
      while (i < s.length() && s.charAt(i) == '=') {
        i++;
      }
      return s.substring(start, i);
    }

    private void skipSpaces() {
      while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
        i++;
      }
    }

    private void skipListSeparators() {
      while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == ',')) {
        i++;
      }
    }

    private IllegalArgumentException error(String what) {
      return new IllegalArgumentException("malformed WWW-Authenticate: " + what);
    }
  }

  private static boolean isTchar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
  }

  private static boolean isToken68Char(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || "-._~+/".indexOf(c) >= 0;
  }
}
