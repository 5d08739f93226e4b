package dev.attest.cli.internal;

import dev.attest.core.AttestException;
import dev.attest.core.Descriptor;
import dev.attest.core.ImageIndex;
import dev.attest.core.Manifest;
import dev.attest.core.MediaTypes;
import dev.attest.registry.Registry;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code attest tree REF}: the referrer graph of a digest. */
@Command(
    name = "tree",
    header = "Show the referrer graph of an image.",
    mixinStandardHelpOptions = true,
    versionProvider = AttestCommand.Version.class,
    description = {
      "Show the referrer graph of an image: the referrers of its digest, of each platform manifest"
          + " of an index, and the referrers of referrers (signatures of attestations), up to depth "
          + TreeCommand.MAX_DEPTH + ".",
      "Each referrer shows its artifact type, digest and predicate type annotation.",
      "Uses the referrers API, or the sha256-<hex> fallback tag on registries without it. Each"
          + " listed manifest is confirmed with a HEAD: one the listing names but the registry does"
          + " not serve is shown MISSING ('attest promote' repairs it). REF may be an OCI layout:"
          + " oci:DIR[:TAG|@DIGEST]."
    })
final class TreeCommand implements Callable<Integer> {
  static final int MAX_DEPTH = 16;
  static final int MAX_NODES = 10_000;
  /** Annotations that name what an attestation says, as cosign, actions/attest and attest write them. */
  static final List<String> PREDICATE_ANNOTATIONS =
      List.of("dev.sigstore.bundle.predicateType", "in-toto.io/predicate-type", "dev.cosignproject.cosign/predicateType");

  enum Format {
    text,
    dot,
    json
  }

  @Spec CommandSpec spec;
  @Mixin OutputOptions output;
  @Mixin RegistryOptions registryOptions;

  @Parameters(index = "0", paramLabel = "REF", description = "An image reference, registry/repository[:tag][@digest].")
  String reference;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text", description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}); --output json is the same as --format json.")
  Format format = Format.text;

  /**
   * A node of the graph: the image, a platform manifest of it, or a referrer; {@code missing} when
   * an index or a referrers listing names it but the registry does not serve it (a listing is a
   * hint, not proof: each listed manifest is confirmed, as {@code attest promote} does).
   */
  record Node(String role, Descriptor descriptor, List<Node> children, boolean truncated, boolean missing) {
    Node(String role, Descriptor descriptor, List<Node> children, boolean truncated) {
      this(role, descriptor, children, truncated, false);
    }
  }

  private int nodes;

  @Override
  public Integer call() throws AttestException {
    Target ref = Target.parse(reference);
    Node root;
    String name;
    try (Registry registry = ref.open(registryOptions, false)) {
      String repo = ref.repositoryIn("image");
      name = ref.name(repo);
      Descriptor top = registry.resolve(repo, ref.digestIn(registry, repo).toString());
      root = walk(registry, repo, "image", top, 0, new HashSet<>());
    }
    PrintWriter out = spec.commandLine().getOut();
    Format f = output.json() ? Format.json : format;
    switch (f) {
      case json -> OutputOptions.printJson(out, json(name, root));
      case dot -> dot(out, root);
      case text -> {
        out.println(name + "@" + root.descriptor().digest() + " (" + root.descriptor().mediaType() + ")");
        text(out, root, "");
        int[] counts = count(root, new int[2]);
        out.println(counts[0] + " present, " + counts[1] + " missing");
      }
    }
    out.flush();
    return 0;
  }

  private Node walk(Registry registry, String repo, String role, Descriptor d, int depth, Set<String> seen)
      throws AttestException {
    if (++nodes > MAX_NODES) {
      throw new dev.attest.core.InvalidContentException("referrer graph has more than " + MAX_NODES + " nodes");
    }
    List<Node> children = new ArrayList<>();
    if (!seen.add(d.digest().toString())) {
      return new Node(role, d, children, true);
    }
    if (depth >= MAX_DEPTH) {
      return new Node(role, d, children, true);
    }
    if (depth > 0 && !registry.hasManifest(repo, d.digest())) {
      return new Node(role, d, children, false, true);
    }
    if (role.equals("image") && MediaTypes.isIndex(d.mediaType())) {
      Manifest m = registry.fetchManifest(repo, d.digest().toString());
      if (m instanceof ImageIndex index) {
        for (Descriptor child : index.manifests()) {
          children.add(walk(registry, repo, "platform", child, depth + 1, seen));
        }
      }
    }
    for (Descriptor r : registry.referrers(repo, d.digest(), null)) {
      children.add(walk(registry, repo, "referrer", r, depth + 1, seen));
    }
    return new Node(role, d, children, false);
  }

  static @Nullable String predicateType(Descriptor d) {
    for (String k : PREDICATE_ANNOTATIONS) {
      String v = d.annotations().get(k);
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  static String label(Node n) {
    Descriptor d = n.descriptor();
    StringBuilder sb = new StringBuilder();
    if (n.role().equals("platform")) {
      sb.append(d.platform() == null ? "(no platform)" : d.platform().toString()).append(' ');
      sb.append(d.digest());
    } else {
      sb.append(d.artifactType() != null ? d.artifactType() : d.mediaType()).append(' ').append(d.digest());
      String pt = predicateType(d);
      if (pt != null) {
        sb.append(" predicateType=").append(pt);
      }
    }
    if (n.truncated()) {
      sb.append(" (not expanded: depth limit ").append(MAX_DEPTH).append(" or already shown)");
    }
    if (n.missing()) {
      sb.append(" MISSING: listed, but the registry does not serve it");
    }
    return sb.toString();
  }

  private static void text(PrintWriter out, Node n, String indent) {
    for (int i = 0; i < n.children().size(); i++) {
      Node c = n.children().get(i);
      boolean last = i == n.children().size() - 1;
      out.println(indent + (last ? "└── " : "├── ") + label(c));
      text(out, c, indent + (last ? "    " : "│   "));
    }
  }

  /** {present, missing} over the nodes below and including {@code n}. */
  private static int[] count(Node n, int[] into) {
    into[n.missing() ? 1 : 0]++;
    n.children().forEach(c -> count(c, into));
    return into;
  }

  private static void dot(PrintWriter out, Node root) {
    out.println("digraph referrers {");
    out.println("  rankdir=LR;");
    out.println("  node [shape=box, fontname=\"monospace\"];");
    dotNode(out, root);
    out.println("}");
  }

  private static void dotNode(PrintWriter out, Node n) {
    String id = n.descriptor().digest().toString();
    String label = n.role().equals("image") ? n.descriptor().mediaType() + "\\n" + id : label(n).replace(" ", "\\n");
    out.println("  \"" + id + "\" [label=\"" + label.replace("\"", "'") + "\"];");
    for (Node c : n.children()) {
      dotNode(out, c);
      out.println("  \"" + c.descriptor().digest() + "\" -> \"" + id + "\" [label=\""
          + (c.role().equals("platform") ? "platform of" : "refers to") + "\"];");
    }
  }

  private static Map<String, Object> json(String name, Node root) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    int[] counts = count(root, new int[2]);
    m.put("present", counts[0]);
    m.put("missing", counts[1]);
    m.putAll(jsonNode(root));
    return m;
  }

  private static Map<String, Object> jsonNode(Node n) {
    Descriptor d = n.descriptor();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("role", n.role());
    m.put("status", n.missing() ? "missing" : "present");
    m.put("digest", d.digest().toString());
    m.put("mediaType", d.mediaType());
    m.put("size", d.size());
    if (d.artifactType() != null) {
      m.put("artifactType", d.artifactType());
    }
    if (d.platform() != null) {
      m.put("platform", d.platform().toString());
    }
    String pt = predicateType(d);
    if (pt != null) {
      m.put("predicateType", pt);
    }
    if (!d.annotations().isEmpty()) {
      m.put("annotations", d.annotations());
    }
    if (n.truncated()) {
      m.put("truncated", true);
    }
    List<Object> children = new ArrayList<>();
    for (Node c : n.children()) {
      children.add(jsonNode(c));
    }
    m.put("children", children);
    return m;
  }
}
