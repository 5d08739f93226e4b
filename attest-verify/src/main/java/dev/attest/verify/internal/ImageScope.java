package dev.attest.verify.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A policy's image globs for engines that match differently from attest. attest matches a glob
 * ({@code *} any run of characters, {@code /} included; {@code ?} one character) against the
 * normalised name {@code registry/repository} ({@code alpine} is {@code docker.io/library/alpine}).
 * Kyverno (gobwas/glob) and the sigstore policy-controller match the reference as the Pod writes
 * it, tag or digest included; the policy-controller against go-containerregistry's full name
 * ({@code index.docker.io/library/alpine:latest}), with {@code *} not crossing {@code /}, {@code
 * **} crossing it, no {@code ?} and no {@code @}.
 *
 * @see <a href="https://github.com/gobwas/glob">gobwas/glob</a>
 * @see <a href="https://github.com/sigstore/policy-controller/blob/main/pkg/apis/glob/glob.go">policy-controller glob</a>
 */
public final class ImageScope {
  private ImageScope() {}

  /** The Docker Hub registry as attest normalises it. */
  static final String HUB = "docker.io/";

  /** A glob with its runs of {@code *} collapsed (two stars mean the same as one in attest). */
  static String collapse(String glob) {
    return glob.replaceAll("\\*+", "*");
  }

  /**
   * The globs {@code g} such that {@code prefix + s} matches {@code glob} exactly when {@code s}
   * matches one of them (the derivative of the glob by a literal prefix, attest semantics).
   */
  static Set<String> derivative(String glob, String prefix) {
    Set<String> out = new LinkedHashSet<>();
    derive(collapse(glob), 0, prefix, 0, out);
    return out;
  }

  private static void derive(String g, int gi, String p, int pi, Set<String> out) {
    if (pi == p.length()) {
      out.add(g.substring(gi));
      return;
    }
    if (gi == g.length()) {
      return;
    }
    char c = g.charAt(gi);
    if (c == '*') {
      derive(g, gi, p, pi + 1, out); // the star takes one more character
      derive(g, gi + 1, p, pi, out); // the star ends here
    } else if (c == '?' || c == p.charAt(pi)) {
      derive(g, gi + 1, p, pi + 1, out);
    }
  }

  /**
   * Kyverno {@code matchImageReferences} globs that match every reference, as written, whose
   * normalised name attest's {@code globs} cover; they may match more (the exported CEL then
   * restates the exact scope with {@link #celInScope}). Empty {@code globs} gives {@code *}.
   */
  public static List<String> kyvernoGlobs(List<String> globs) {
    Set<String> out = new LinkedHashSet<>();
    if (globs.isEmpty()) {
      return List.of("*");
    }
    for (String raw : globs) {
      String g = collapse(raw);
      Set<String> names = new LinkedHashSet<>();
      names.add(g);
      for (String d : derivative(g, HUB)) {
        names.add("index.docker.io/" + d);
        names.add(d); // Docker Hub short name: acme/app
        for (String lib : derivative(d, "library/")) {
          names.add(lib); // official image: alpine
        }
      }
      for (String n : names) {
        String e = gobwasEscape(n);
        out.add(e);
        if (!e.endsWith("*")) {
          out.add(e + ":*");
          out.add(e + "@*");
        }
      }
    }
    return List.copyOf(out);
  }

  private static String gobwasEscape(String attestGlob) {
    return escape(attestGlob, "[]{}\\!");
  }

  /** {@code s} with a backslash before each character in {@code special}. */
  public static String escape(String s, String special) {
    StringBuilder sb = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (special.indexOf(c) >= 0) {
        sb.append('\\');
      }
      sb.append(c);
    }
    return sb.toString();
  }

  /** policy-controller globs for attest's, and what they cannot say exactly. */
  public record PolicyControllerGlobs(List<String> globs, List<String> approximations) {
    public PolicyControllerGlobs {
      globs = List.copyOf(globs);
      approximations = List.copyOf(approximations);
    }
  }

  /** Characters policy-controller accepts in a glob. */
  private static final java.util.regex.Pattern PC_VALID = java.util.regex.Pattern.compile("^[a-zA-Z0-9\\-_:/*.]+$");

  /**
   * policy-controller globs matching (through go-containerregistry's full name) every reference
   * whose normalised name attest's {@code globs} cover. What it cannot say exactly is matched
   * more widely, never less (fail closed), and listed: {@code ?} becomes {@code **}, and a name
   * that ends in a literal gets {@code *} to take the tag or digest, since {@code @} cannot be
   * written, so sibling repositories sharing the name as a prefix are covered too.
   */
  public static PolicyControllerGlobs policyControllerGlobs(List<String> globs) {
    if (globs.isEmpty()) {
      return new PolicyControllerGlobs(List.of("**"), List.of());
    }
    Set<String> out = new LinkedHashSet<>();
    Set<String> approx = new LinkedHashSet<>();
    for (String raw : globs) {
      String g = collapse(raw);
      Set<String> names = new LinkedHashSet<>();
      if (g.startsWith(HUB)) {
        names.add("index.docker.io/" + g.substring(HUB.length()));
      } else {
        names.add(g);
        for (String d : derivative(g, HUB)) {
          names.add("index.docker.io/" + d);
        }
      }
      for (String n : names) {
        if (n.indexOf('?') >= 0) {
          approx.add("image glob " + raw + ": policy-controller has no single-character wildcard; '?' is"
              + " matched as '**' (any run), so more images are checked than attest checks");
        }
        String t = n.replace("?", "*").replace("*", "**");
        if (!PC_VALID.matcher(t.replace("*", "")).matches() && !t.replace("*", "").isEmpty()) {
          approx.add("image glob " + raw + ": characters policy-controller does not accept; matched as '**'");
          out.add("**");
          continue;
        }
        if (!t.endsWith("**")) {
          approx.add("image glob " + raw + ": policy-controller cannot write '@' in a glob, so the tag or digest is"
              + " matched by '*' and repositories whose name starts with '" + n + "' are checked too");
          t = t + "*";
        }
        out.add(t);
      }
    }
    return new PolicyControllerGlobs(List.copyOf(out), List.copyOf(approx));
  }

  /** An anchored RE2 regex (also valid in Java) for an attest glob over a whole string. */
  public static String re2(String glob) {
    StringBuilder sb = new StringBuilder("^");
    for (char c : collapse(glob).toCharArray()) {
      switch (c) {
        case '*' -> sb.append(".*");
        case '?' -> sb.append('.');
        default -> {
          if ("\\.[]{}()+^$|".indexOf(c) >= 0) {
            sb.append('\\');
          }
          sb.append(c);
        }
      }
    }
    return sb.append('$').toString();
  }

  /**
   * A CEL expression over the string variable {@code var} (an image reference as written) that is
   * true exactly when attest's {@code globs} cover its normalised name: it normalises the way
   * {@link dev.attest.core.ImageRef} does (Docker Hub, {@code library/}, tag and digest removed),
   * then matches RE2 regexes. Uses CEL's standard library and the strings extension ({@code
   * split}, {@code lastIndexOf}, {@code substring}, {@code lowerAscii}) and {@code cel.bind}.
   */
  public static String celInScope(List<String> globs, String var) {
    if (globs.isEmpty()) {
      return "true";
    }
    List<String> res = new ArrayList<>();
    for (String g : globs) {
      res.add(Cel.string(re2(g)));
    }
    return "cel.bind(n, " + celNormalised(var) + ", [" + String.join(", ", res) + "].exists(r, n.matches(r)))";
  }

  /** A CEL expression giving the normalised {@code registry/repository} of the reference in {@code var}. */
  public static String celNormalised(String var) {
    // r: the name without digest and tag; f: its first component; h: whether f is a registry host.
    return "cel.bind(r0, " + var + ".split('@')[0], "
        + "cel.bind(r, r0.lastIndexOf(':') > r0.lastIndexOf('/') ? r0.substring(0, r0.lastIndexOf(':')) : r0, "
        + "cel.bind(f, r.split('/')[0], "
        + "cel.bind(h, r.contains('/') && (f.contains('.') || f.contains(':') || f == 'localhost' || f.lowerAscii() != f), "
        + "cel.bind(reg, !h || f == 'index.docker.io' ? 'docker.io' : f, "
        + "cel.bind(repo, h ? r.substring(f.size() + 1) : r, "
        + "reg + '/' + (reg == 'docker.io' && !repo.contains('/') ? 'library/' + repo : repo)))))))";
  }

  /** CEL literals. */
  public static final class Cel {
    private Cel() {}

    /** A single-quoted CEL string literal. */
    public static String string(String s) {
      StringBuilder sb = new StringBuilder("'");
      for (char c : s.toCharArray()) {
        switch (c) {
          case '\\' -> sb.append("\\\\");
          case '\'' -> sb.append("\\'");
          case '\n' -> sb.append("\\n");
          case '\r' -> sb.append("\\r");
          case '\t' -> sb.append("\\t");
          default -> {
            if (c < 0x20) {
              sb.append(String.format("\\u%04x", (int) c));
            } else {
              sb.append(c);
            }
          }
        }
      }
      return sb.append('\'').toString();
    }

    /** A CEL list of string literals. */
    public static String list(List<String> l) {
      return "[" + String.join(", ", l.stream().map(Cel::string).toList()) + "]";
    }
  }
}
