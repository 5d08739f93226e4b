package dev.attest.verify.internal;

import org.jspecify.annotations.Nullable;

/**
 * Whether a Java regular expression means the same in Go's RE2, which Kyverno and the
 * policy-controller compile identity regexes with. RE2 has no lookaround, backreferences,
 * possessive quantifiers, atomic groups, class intersections or Java-only escapes; a named group
 * {@code (?<name>...)} is translated to RE2's {@code (?P<name>...)}.
 *
 * @see <a href="https://github.com/google/re2/wiki/Syntax">RE2 syntax</a>
 */
public final class Re2 {
  private Re2() {}

  /** The result: the RE2 form, or why there is none. */
  public record Translation(@Nullable String regex, @Nullable String refusal) {}

  /** Translates {@code javaRegex} to RE2, or refuses naming the construct RE2 lacks. */
  public static Translation translate(String javaRegex) {
    StringBuilder out = new StringBuilder();
    boolean inClass = false;
    String r = javaRegex;
    for (int i = 0; i < r.length(); i++) {
      char c = r.charAt(i);
      if (c == '\\') {
        if (i + 1 >= r.length()) {
          return refuse("a trailing backslash");
        }
        char n = r.charAt(i + 1);
        if (n >= '1' && n <= '9' && !inClass) {
          return refuse("a backreference \\" + n);
        }
        if ("kZGRXhHvVEQ".indexOf(n) >= 0 && !(n == 'Q' || n == 'E')) {
          return refuse("the escape \\" + n);
        }
        if (n == 'Q') {
          // \Q...\E quotes literally; RE2 supports it, copy it whole.
          int end = r.indexOf("\\E", i + 2);
          String quoted = end < 0 ? r.substring(i) : r.substring(i, end + 2);
          out.append(quoted);
          i += quoted.length() - 1;
          continue;
        }
        if ((n == 'p' || n == 'P') && i + 2 < r.length() && r.charAt(i + 2) == '{') {
          int close = r.indexOf('}', i + 3);
          String cls = close < 0 ? "" : r.substring(i + 3, close);
          if (cls.startsWith("java") || cls.startsWith("Is") || cls.startsWith("In") || cls.contains("=")) {
            return refuse("the Java character class \\" + n + "{" + cls + "}");
          }
        }
        out.append(c).append(n);
        i++;
        continue;
      }
      if (inClass) {
        if (c == '&' && i + 1 < r.length() && r.charAt(i + 1) == '&') {
          return refuse("a character class intersection (&&)");
        }
        if (c == '[') {
          return refuse("a nested character class");
        }
        if (c == ']') {
          inClass = false;
        }
        out.append(c);
        continue;
      }
      if (c == '[') {
        inClass = true;
        out.append(c);
        // A ']' right after '[' or '[^' is literal.
        if (i + 1 < r.length() && r.charAt(i + 1) == '^') {
          out.append('^');
          i++;
        }
        if (i + 1 < r.length() && r.charAt(i + 1) == ']') {
          out.append(']');
          i++;
        }
        continue;
      }
      if (c == '(' && i + 1 < r.length() && r.charAt(i + 1) == '?') {
        String rest = r.substring(i + 2);
        if (rest.startsWith("=") || rest.startsWith("!")) {
          return refuse("a lookahead (?" + rest.charAt(0) + "...)");
        }
        if (rest.startsWith("<=") || rest.startsWith("<!")) {
          return refuse("a lookbehind (?" + rest.substring(0, 2) + "...)");
        }
        if (rest.startsWith(">")) {
          return refuse("an atomic group (?>...)");
        }
        if (rest.startsWith("<")) {
          out.append("(?P<");
          i += 2;
          continue;
        }
        int k = 0;
        while (k < rest.length() && rest.charAt(k) != ':' && rest.charAt(k) != ')') {
          char f = rest.charAt(k);
          if ("imsU-".indexOf(f) < 0) {
            return refuse("the inline flag '" + f + "'");
          }
          k++;
        }
      }
      if ((c == '+') && i > 0 && isQuantifierEnd(r, i - 1)) {
        return refuse("a possessive quantifier");
      }
      out.append(c);
    }
    return new Translation(out.toString(), null);
  }

  private static boolean isQuantifierEnd(String r, int i) {
    char p = r.charAt(i);
    if (p == '*' || p == '+' || p == '?' || p == '}') {
      // Not escaped: count the backslashes before it.
      int b = 0;
      for (int j = i - 1; j >= 0 && r.charAt(j) == '\\'; j--) {
        b++;
      }
      return b % 2 == 0;
    }
    return false;
  }

  private static Translation refuse(String what) {
    return new Translation(null, what + ", which Go's RE2 cannot compile");
  }
}
