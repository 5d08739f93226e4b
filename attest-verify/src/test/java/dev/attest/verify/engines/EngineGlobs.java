package dev.attest.verify.engines;

import dev.attest.core.ImageRef;
import java.util.regex.Pattern;

/**
 * Ports of the engines' image matching, for tests: gobwas/glob as Kyverno compiles {@code
 * matchImageReferences} globs (no separators: {@code *} any run, {@code ?} one character, {@code
 * \} escapes), and the sigstore policy-controller's {@code glob.Match} (pkg/apis/glob/glob.go):
 * {@code *} is {@code [^/]*}, {@code **} is {@code .*}, only {@code [a-zA-Z0-9-_:/*.]}, matched
 * against go-containerregistry's full name ({@code index.docker.io/library/x:latest}) and then the
 * reference as written.
 */
public final class EngineGlobs {
  private EngineGlobs() {}

  /** gobwas/glob without separators; this port supports the subset the export writes. */
  public static boolean gobwas(String glob, String s) {
    if (glob.contains("[") || glob.contains("{")) {
      throw new IllegalArgumentException("port does not cover classes or alternatives: " + glob);
    }
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '\\' && i + 1 < glob.length()) {
        re.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
      } else if (c == '*') {
        re.append("(?s:.*)");
      } else if (c == '?') {
        re.append("(?s:.)");
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString()).matcher(s).matches();
  }

  /** policy-controller's glob.Match; an invalid glob throws, as its CRD validation would refuse it. */
  public static boolean policyController(String glob, String image) {
    String g = glob;
    if (g.equals("*/*")) {
      g = "index.docker.io/*/*";
    }
    if (g.equals("*")) {
      g = "index.docker.io/library/*";
    }
    if (!g.matches("^[a-zA-Z0-9\\-_:/*.]+$")) {
      throw new IllegalArgumentException("invalid glob " + glob);
    }
    String re = g.replace(".", "\\.").replace("**", "#").replace("*", "[^/]*").replace("#", ".*");
    Pattern p = Pattern.compile("^" + re + "$");
    String name = ggcrName(image);
    return p.matcher(name).matches() || (!name.equals(image) && p.matcher(image).matches());
  }

  /** go-containerregistry's {@code Reference.Name()}: registry index.docker.io, tag latest by default, digest kept. */
  static String ggcrName(String image) {
    ImageRef r = ImageRef.parse(image);
    String registry = r.registry().equals(ImageRef.DOCKER_HUB) ? "index.docker.io" : r.registry();
    String repo = registry + "/" + r.repository();
    if (r.digest() != null) {
      return repo + "@" + r.digest();
    }
    return repo + ":" + (r.tag() == null ? "latest" : r.tag());
  }
}
