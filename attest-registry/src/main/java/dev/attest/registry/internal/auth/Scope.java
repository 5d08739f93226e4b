package dev.attest.registry.internal.auth;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * A token scope, {@code type:name:action[,action...]} such as {@code repository:app:pull,push}.
 *
 * @see <a href="https://distribution.github.io/distribution/spec/auth/scope/">Token scope
 *     documentation</a>
 */
public record Scope(String type, String name, SortedSet<String> actions) implements Comparable<Scope> {

  /** Repository names by the distribution spec's grammar (path components of lower-case words). */
  private static final Pattern REPOSITORY =
      Pattern.compile("[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*)*");

  private static final Pattern ACTION = Pattern.compile("[a-z*]+");

  public Scope {
    if (type.isEmpty() || type.indexOf(':') >= 0 || type.indexOf(' ') >= 0) {
      throw new IllegalArgumentException("invalid scope type '" + type + "'");
    }
    if (name.isEmpty() || name.indexOf(' ') >= 0) {
      throw new IllegalArgumentException("invalid scope resource name '" + name + "'");
    }
    if (actions.isEmpty()) {
      throw new IllegalArgumentException("scope without actions");
    }
    for (String a : actions) {
      if (!ACTION.matcher(a).matches()) {
        throw new IllegalArgumentException("invalid scope action '" + a + "'");
      }
    }
    actions = Collections.unmodifiableSortedSet(new TreeSet<>(actions));
  }

  public static Scope repository(String name, String... actions) {
    return new Scope("repository", name, new TreeSet<>(List.of(actions)));
  }

  /** Parses {@code type:name:actions}; the name may itself contain colons (a port). */
  public static Scope parse(String s) {
    int first = s.indexOf(':');
    int last = s.lastIndexOf(':');
    if (first <= 0 || last == first || last == s.length() - 1) {
      throw new IllegalArgumentException("invalid scope '" + s + "': expected type:name:actions");
    }
    return new Scope(
        s.substring(0, first),
        s.substring(first + 1, last),
        new TreeSet<>(List.of(s.substring(last + 1).split(",", -1))));
  }

  /** Parses a space-separated scope list, as in a {@code scope} challenge parameter. */
  public static List<Scope> parseList(String s) {
    List<Scope> out = new ArrayList<>();
    for (String part : s.trim().split(" +")) {
      if (!part.isEmpty()) {
        out.add(parse(part));
      }
    }
    return out;
  }

  /** Merges scopes of the same resource by uniting their actions; sorted. */
  public static List<Scope> merge(Collection<Scope> scopes) {
    Map<String, Scope> byResource = new LinkedHashMap<>();
    for (Scope s : scopes) {
      byResource.merge(
          s.type + ":" + s.name,
          s,
          (a, b) -> {
            TreeSet<String> all = new TreeSet<>(a.actions);
            all.addAll(b.actions);
            return new Scope(a.type, a.name, all);
          });
    }
    List<Scope> out = new ArrayList<>(byResource.values());
    Collections.sort(out);
    return List.copyOf(out);
  }

  /** Whether this scope grants everything {@code other} asks. */
  public boolean covers(Scope other) {
    return type.equals(other.type)
        && name.equals(other.name)
        && (actions.contains("*") || actions.containsAll(other.actions));
  }

  /**
   * The scopes a distribution API request needs: {@code repository:<name>:pull} to read, {@code
   * pull,push} to write, {@code delete} to delete (as registry 2.8.2 checks), plus {@code
   * repository:<from>:pull} for a cross-repository mount. Empty for paths outside a repository.
   */
  public static List<Scope> derive(Request request) {
    HttpUrl url = request.url();
    String name = repositoryOf(url.pathSegments());
    if (name == null) {
      return List.of();
    }
    List<Scope> out = new ArrayList<>();
    switch (request.method()) {
      case "GET", "HEAD" -> out.add(repository(name, "pull"));
      case "DELETE" -> out.add(repository(name, "delete"));
      default -> out.add(repository(name, "pull", "push"));
    }
    String from = url.queryParameter("from");
    if (url.queryParameter("mount") != null && from != null && REPOSITORY.matcher(from).matches()) {
      out.add(repository(from, "pull"));
    }
    return merge(out);
  }

  /** The repository name of {@code /v2/<name>/(manifests|blobs|tags|referrers)/...}, or null. */
  static @org.jspecify.annotations.Nullable String repositoryOf(List<String> segs) {
    int n = segs.size();
    if (n < 4 || !segs.get(0).equals("v2")) {
      return null;
    }
    int end; // index of the first segment after the name
    if (n >= 5 && segs.get(n - 3).equals("blobs") && segs.get(n - 2).equals("uploads")) {
      end = n - 3;
    } else if (segs.get(n - 2).equals("tags") && segs.get(n - 1).equals("list")) {
      end = n - 2;
    } else if (Set.of("manifests", "blobs", "referrers").contains(segs.get(n - 2))) {
      end = n - 2;
    } else {
      return null;
    }
    if (end < 2) {
      return null;
    }
    String name = String.join("/", segs.subList(1, end));
    return REPOSITORY.matcher(name).matches() ? name : null;
  }

  @Override
  public int compareTo(Scope o) {
    return toString().compareTo(o.toString());
  }

  @Override
  public String toString() {
    return type + ":" + name + ":" + String.join(",", actions);
  }
}
