package dev.attest.cli.internal;

import dev.attest.core.CycloneDxSbom;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.DsseEnvelope;
import dev.attest.core.ImageIndex;
import dev.attest.core.ImageManifest;
import dev.attest.core.ImageRef;
import dev.attest.core.InvalidSignatureException;
import dev.attest.core.Keys;
import dev.attest.core.MediaTypes;
import dev.attest.core.Platform;
import dev.attest.core.Predicate;
import dev.attest.core.SbomComponent;
import dev.attest.core.Severity;
import dev.attest.core.Signer;
import dev.attest.core.SigstoreBundle;
import dev.attest.core.SlsaProvenance;
import dev.attest.core.Statement;
import dev.attest.core.Subject;
import dev.attest.core.VulnerabilityScan;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attest.promote.Promotion;
import dev.attest.promote.PromotionPlan;
import dev.attest.promote.PromotionReport;
import dev.attest.registry.AttachResult;
import dev.attest.registry.AttachedReferrer;
import dev.attest.registry.Attestations;
import dev.attest.registry.Signatures;
import dev.attest.testing.EmbeddedRegistry;
import dev.attest.verify.AdmissionHandler;
import dev.attest.verify.PolicyVerifier;
import dev.attest.verify.VerificationReport;
import dev.attest.registry.PushOptions;
import dev.attest.registry.RemoteRegistry;
import dev.attest.verify.Policy;
import dev.attest.verify.TrustedKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.jspecify.annotations.Nullable;

/**
 * {@code attest demo}: the attested-delivery story on two embedded registries, in-process. It is a
 * list of named steps, each of which checks that its expected outcome happened; the demo succeeds
 * only if every step does.
 */
final class Demo implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String REPOSITORY = "demo/app";
  static final String TAG = "v1.0.0";

  /**
   * An EXAMPLE GitHub Actions run: these are not the variables of a real run. They are shaped like
   * those a runner sets, so the provenance has the fields {@code actions/attest-build-provenance}
   * writes.
   */
  static final Map<String, String> EXAMPLE_GITHUB_RUN = example();

  /** One step of the story: a name, and work that throws if its expected outcome did not happen. */
  record Step(String name, Action action) {}

  @FunctionalInterface
  interface Action {
    /** Does the step, printing to {@code out}; returns a one-line result for the summary. */
    String run(PrintWriter out) throws Exception;
  }

  /** What happened to one step. */
  record Outcome(String name, boolean ok, long millis, String detail) {}

  private final List<Step> steps;
  private @Nullable Path workDir;
  private @Nullable EmbeddedRegistry dev;
  private @Nullable EmbeddedRegistry prod;
  private @Nullable RemoteRegistry devClient;
  private @Nullable ImageRef image;
  private final Map<String, Predicate> predicates = new LinkedHashMap<>();
  private final Map<String, SigstoreBundle> bundles = new LinkedHashMap<>();
  private @Nullable KeyPair key;
  private @Nullable Policy policy;
  private @Nullable PolicyVerifier verifier;
  private @Nullable RemoteRegistry prodClient;
  private @Nullable Digest promoted;
  private @Nullable ImageRef noSbomImage;
  private @Nullable ImageRef tamperedImage;
  private @Nullable String noSbomRemoved;
  private @Nullable String tamperedReferrer;
  /** Lines a step adds under its one-line result in the short form. */
  private final List<String> pendingBrief = new ArrayList<>();

  Demo() {
    steps = List.of(
        new Step("start registries", this::startRegistries),
        new Step("push image", this::pushImage),
        new Step("create attestations", this::createPredicates),
        new Step("sign attestations", this::sign),
        new Step("load policy", this::loadPolicy),
        new Step("attach referrers", this::attach),
        new Step("verify at dev", this::verifyAtDev),
        new Step("promote to prod", this::promote),
        new Step("referrer tree at prod", this::treeAtProd),
        new Step("admission decisions", this::admission));
  }

  List<Step> steps() {
    return steps;
  }

  /**
   * Runs every step in order, stopping at the first failure; returns what happened. Verbose, each
   * step prints everything it did (manifests, bundles, reports, plan, tree); otherwise each step
   * is one line with its result, and the admission step adds one line per denied Pod.
   */
  List<Outcome> run(PrintWriter out, boolean verbose) {
    PrintWriter detail = verbose ? out : new PrintWriter(Writer.nullWriter());
    List<Outcome> outcomes = new ArrayList<>();
    int n = 0;
    for (Step s : steps) {
      n++;
      if (verbose) {
        out.println();
        out.println("== " + n + ". " + s.name());
      }
      out.flush();
      long start = System.nanoTime();
      try {
        String result = s.action().run(detail);
        long millis = (System.nanoTime() - start) / 1_000_000;
        outcomes.add(new Outcome(s.name(), true, millis, result));
        if (!verbose) {
          out.printf("%2d. %-22s ok  %-64s %6d ms%n", n, s.name(), FULL_DIGEST.matcher(result).replaceAll("sha256:$1"),
              millis);
          pendingBrief.forEach(out::println);
        }
      } catch (Exception e) {
        String why = e.getMessage() == null ? e.toString() : e.getMessage();
        if (!verbose) {
          out.printf("%2d. %-22s FAILED%n", n, s.name());
        }
        wrap(out, "   FAILED: ", why);
        outcomes.add(new Outcome(s.name(), false, (System.nanoTime() - start) / 1_000_000, why));
        break;
      } finally {
        pendingBrief.clear();
      }
      out.flush();
    }
    return outcomes;
  }

  // ------------------------------------------------------------------ steps

  private String startRegistries(PrintWriter out) throws IOException {
    workDir = Files.createTempDirectory("attest-demo-");
    dev = EmbeddedRegistry.builder().inMemory().build().start();
    prod = EmbeddedRegistry.builder().inMemory().build().start();
    out.println("   dev  registry: " + dev.url());
    out.println("   prod registry: " + prod.url());
    devClient = RemoteRegistry.builder(dev.host()).build();
    return "dev " + dev.host() + ", prod " + prod.host();
  }

  private String pushImage(PrintWriter out) throws Exception {
    RemoteRegistry client = require(devClient);
    ImageIndex ix = pushIndex(client, "hello from attest", out);
    client.pushManifest(REPOSITORY, ix, PushOptions.tagged(TAG));
    Digest resolved = client.resolve(REPOSITORY, TAG).digest();
    if (!resolved.equals(ix.digest())) {
      throw new IllegalStateException("tag " + TAG + " resolves to " + resolved + ", not the pushed " + ix.digest());
    }
    image = ImageRef.of(require(dev).host(), REPOSITORY, ix.digest());
    out.println("   pushed index " + ix.digest() + " as tag " + TAG);
    out.println("   the release is the digest: " + image);
    return image.toString();
  }

  /** Pushes a 2-platform image whose files say {@code greeting}; returns its index, not pushed yet. */
  private static ImageIndex pushIndex(RemoteRegistry client, String greeting, @Nullable PrintWriter out)
      throws Exception {
    ImageIndex.Builder index = ImageIndex.builder();
    for (Platform p : List.of(Platform.of("linux", "amd64"), Platform.of("linux", "arm64"))) {
      byte[] tar = tar("hello-" + p.architecture() + ".txt",
          (greeting + " on " + p + "\n").getBytes(StandardCharsets.UTF_8));
      byte[] layer = gzip(tar);
      Descriptor layerDesc =
          client.pushBlob(REPOSITORY, MediaTypes.OCI_LAYER_TAR_GZIP, new ByteArrayInputStream(layer));
      byte[] config = ("{\"architecture\":\"" + p.architecture() + "\",\"os\":\"" + p.os()
              + "\",\"config\":{\"Cmd\":[\"/bin/cat\",\"/hello-" + p.architecture() + ".txt\"]},"
              + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + Digest.sha256(tar) + "\"]}}")
          .getBytes(StandardCharsets.UTF_8);
      Descriptor configDesc =
          client.pushBlob(REPOSITORY, MediaTypes.OCI_CONFIG, new ByteArrayInputStream(config));
      ImageManifest m = ImageManifest.builder().config(configDesc).layer(layerDesc).build();
      Descriptor md = client.pushManifest(REPOSITORY, m).descriptor().withPlatform(p);
      if (out != null) {
        out.println("   pushed " + p + " manifest " + md.digest() + " (layer " + layer.length + " bytes)");
      }
      index.manifest(md);
    }
    return index.build();
  }

  private String createPredicates(PrintWriter out) throws Exception {
    SlsaProvenance provenance = SlsaProvenance.fromGitHubActions(EXAMPLE_GITHUB_RUN);
    predicates.put("provenance", provenance);
    out.println("   SLSA v1 provenance from an EXAMPLE GitHub Actions run (fixed values, not a real run):");
    out.println("     builder " + provenance.builderId());

    List<SbomComponent> components = runtimeComponents();
    long hashed = components.stream().filter(c -> !c.hashes().isEmpty()).count();
    CycloneDxSbom sbom = CycloneDxSbom.fromComponents(components);
    predicates.put("sbom", sbom);
    out.println("   CycloneDX " + sbom.specVersion() + " SBOM of attest's own runtime dependencies: "
        + components.size() + " components, " + hashed + " with the SHA-256 of their jar (listed at build time)");

    byte[] report = resource("demo/example-trivy-report.json");
    VulnerabilityScan scan = VulnerabilityScan.cosignBuilder(report).build();
    predicates.put("vulnerabilities", scan);
    out.println("   vulnerability scan from a bundled EXAMPLE Trivy report: CRITICAL " + scan.count(Severity.CRITICAL)
        + ", HIGH " + scan.count(Severity.HIGH) + ", MEDIUM " + scan.count(Severity.MEDIUM)
        + ", LOW " + scan.count(Severity.LOW));
    if (components.isEmpty()) {
      throw new IllegalStateException("no runtime components found for the SBOM");
    }
    return predicates.size() + " predicates, SBOM of " + components.size() + " components";
  }

  private String sign(PrintWriter out) throws Exception {
    Path dir = require(workDir);
    key = Keys.generateP256();
    Signer signer = Keys.signer(key);
    Files2.writeNew(dir.resolve("attest.key"), Keys.writePrivateKeyPem(key.getPrivate()), true);
    Files2.writeNew(dir.resolve("attest.pub"), Keys.writePublicKeyPem(key.getPublic()), false);
    out.println("   generated an ECDSA P-256 key, hint " + signer.hint());
    ImageRef img = require(image);
    Digest subject = require(img.digest());
    for (Map.Entry<String, Predicate> e : predicates.entrySet()) {
      Statement st = Statement.of(List.of(Subject.of(img.name(), subject)), e.getValue());
      DsseEnvelope env = DsseEnvelope.sign(st, signer);
      SigstoreBundle bundle = SigstoreBundle.ofDsse(env, signer.hint());
      bundles.put(e.getKey(), bundle);
      // Read back what was written and check it, as a verifier would.
      DsseEnvelope back = SigstoreBundle.parse(bundle.bytes()).dsseEnvelope().orElseThrow();
      back.verify(Keys.verifier(key.getPublic()));
      back.statement().requireSubject(subject);
      out.println("   signed " + pad(e.getKey(), 16) + st.predicateType() + " -> DSSE bundle "
          + Digest.sha256(bundle.bytes()).shortForm() + " (" + bundle.bytes().length + " bytes), verifies");
    }
    // One changed byte of the provenance must break its signature.
    DsseEnvelope prov = require(bundles.get("provenance")).dsseEnvelope().orElseThrow();
    byte[] tampered = prov.payload();
    tampered[tampered.length / 2] ^= 1;
    try {
      DsseEnvelope.of(prov.payloadType(), tampered, prov.signatures()).verify(Keys.verifier(key.getPublic()));
      throw new IllegalStateException("a tampered provenance payload verified");
    } catch (InvalidSignatureException expected) {
      out.println("   a provenance payload with one byte changed is refused: " + expected.getMessage());
    }
    return bundles.size() + " DSSE bundles signed and checked; tampering detected";
  }

  private String loadPolicy(PrintWriter out) throws Exception {
    Path dir = require(workDir);
    Path file = dir.resolve("policy.yaml");
    Files.write(file, resource("demo/policy.yaml"));
    Policy policy = Policy.load(file);
    this.policy = policy;
    TrustedKey demoKey = TrustedKey.ofSpki(require(key).getPublic().getEncoded());
    boolean trusted = policy.signature().publicKeys().stream().anyMatch(k -> Arrays.equals(k.spki(), demoKey.spki()));
    if (!trusted) {
      throw new IllegalStateException("the demo policy does not trust the demo key");
    }
    out.println("   policy '" + policy.name() + "' (" + policy.hash().shortForm() + ") requires a signature by the demo key");
    out.println("   and attestations: " + String.join(", ",
        policy.attestations().stream().map(Policy.AttestationRule::predicateType).toList()));
    return "policy " + policy.name() + " " + policy.hash().shortForm();
  }

  private String attach(PrintWriter out) throws Exception {
    RemoteRegistry client = require(devClient);
    ImageRef img = require(image);
    Signer signer = Keys.signer(require(key));
    AttachResult attested = attestations(client, require(img.digest()), signer).recursive().attach();
    AttachResult signed = Signatures.on(client, img).signWith(signer).recursive().attach();
    List<AttachedReferrer> all = new ArrayList<>(attested.referrers());
    all.addAll(signed.referrers());
    for (AttachedReferrer r : all) {
      out.println("   attached " + pad(shortType(r.predicateType()), 12) + r.descriptor().digest().shortForm()
          + " -> " + (r.subject().digest().equals(img.digest()) ? "index   " : "platform") + " "
          + r.subject().digest().shortForm());
    }
    out.println("   " + attested.referrers().size() + " attestations (Attestations, recursive) and "
        + signed.referrers().size() + " image signatures (Signatures, recursive), as cosign 3 bundles");

    // Two more images for the admission step: one loses its SBOM, one gets a tampered provenance.
    ImageIndex a = pushIndex(client, "hello from a copy without SBOM", null);
    client.pushManifest(REPOSITORY, a);
    noSbomImage = ImageRef.of(require(dev).host(), REPOSITORY, a.digest());
    AttachResult ra = attestations(client, a.digest(), signer).imageSignature().attach();
    AttachedReferrer sbom = only(ra, CycloneDxSbom.PREDICATE_TYPE);
    client.delete(REPOSITORY, sbom.descriptor().digest());
    noSbomRemoved = sbom.descriptor().digest().toString();
    out.println("   image " + a.digest().shortForm() + ": attested, then its SBOM referrer "
        + sbom.descriptor().digest().shortForm() + " deleted");

    ImageIndex b = pushIndex(client, "hello from a copy with tampered provenance", null);
    client.pushManifest(REPOSITORY, b);
    tamperedImage = ImageRef.of(require(dev).host(), REPOSITORY, b.digest());
    AttachResult rb = attestations(client, b.digest(), signer).imageSignature().attach();
    AttachedReferrer prov = only(rb, SlsaProvenance.PREDICATE_TYPE);
    ImageManifest m = (ImageManifest) client.fetchManifest(REPOSITORY, prov.descriptor().digest().toString());
    byte[] bundle = prov.bundle().bytes().clone();
    // One byte of the signed payload (inside its base64) changes; the signature no longer covers it.
    int at = new String(bundle, StandardCharsets.US_ASCII).indexOf("\"payload\":\"") + 40;
    bundle[at] = (byte) (bundle[at] == 'A' ? 'B' : 'A');
    Descriptor layer = client.pushBlob(REPOSITORY, m.layers().get(0).mediaType(), new ByteArrayInputStream(bundle));
    ImageManifest copy = ImageManifest.builder().artifactType(m.artifactType().orElseThrow()).config(m.config())
        .layer(layer).subject(m.subject().orElseThrow()).annotations(m.annotations()).build();
    client.pushManifest(REPOSITORY, copy);
    client.delete(REPOSITORY, prov.descriptor().digest());
    tamperedReferrer = copy.digest().toString();
    out.println("   image " + b.digest().shortForm() + ": attested, then its provenance referrer replaced by "
        + copy.digest().shortForm() + " with one payload byte changed");
    return all.size() + " referrers on the release; 2 damaged copies prepared";
  }

  /** The three predicates of step 3, signed by {@code signer}, for {@code digest}. */
  private Attestations attestations(RemoteRegistry client, Digest digest, Signer signer) {
    Attestations a = Attestations.on(client, REPOSITORY, digest);
    for (Predicate p : predicates.values()) {
      a.predicate(p);
    }
    return a.signWith(signer);
  }

  private static AttachedReferrer only(AttachResult r, String predicateType) {
    return r.referrers().stream().filter(x -> x.predicateType().equals(predicateType)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no " + predicateType + " referrer was attached"));
  }

  private String verifyAtDev(PrintWriter out) throws Exception {
    verifier = PolicyVerifier.builder(require(policy)).build();
    VerificationReport report = verifier.verify(require(image).toString());
    indent(out, report.toTable());
    if (!report.admitted()) {
      throw new IllegalStateException("the release was denied at dev: " + String.join("; ",
          report.failures().stream().map(c -> c.name() + ": " + c.reason()).toList()));
    }
    return report.decision() + " (" + report.checks().size() + " checks)";
  }

  private String promote(PrintWriter out) throws Exception {
    ImageRef img = require(image);
    prodClient = RemoteRegistry.builder(require(prod).host()).build();
    Promotion promotion = Promotion.of(img.toString()).from(require(devClient)).to(prodClient, REPOSITORY).tags(TAG)
        .gate(require(policy), require(verifier)).verifyAfter().attestWith(Keys.signer(require(key)));
    PromotionPlan plan = promotion.plan();
    out.println("   plan:");
    indent(out, plan.toTable());
    out.println("   progress:");
    out.flush();
    PromotionProgress progress = new PromotionProgress(out, false);
    PromotionReport report = promotion.listener(progress).execute();
    progress.finish();
    out.println("   report: " + report.writes() + " writes: " + report.blobsCopied() + " blobs copied ("
        + report.bytesCopied() + " bytes), " + report.manifestsWritten() + " manifests, " + report.tagsWritten()
        + " tags, promotion attestation " + (report.attestation() == null ? "none" : report.attestation().digest()));
    out.println("   gate at dev: " + (report.gate() == null ? "none" : report.gate().decision())
        + "; verify-after at prod: " + (report.after() == null ? "none" : report.after().decision()));
    Digest atProd = prodClient.resolve(REPOSITORY, TAG).digest();
    out.println("   prod " + REPOSITORY + ":" + TAG + " -> " + atProd);
    if (!atProd.equals(img.digest()) || !report.admitted() || report.after() == null) {
      throw new IllegalStateException("prod " + TAG + " resolves to " + atProd + ", expected " + img.digest());
    }
    promoted = atProd;
    out.println("   promoted digest equal at prod: " + atProd.equals(img.digest()));
    return "digest " + atProd.shortForm() + " at prod, " + report.writes() + " writes";
  }

  private String treeAtProd(PrintWriter out) {
    String ref = require(prod).host() + "/" + REPOSITORY + "@" + require(promoted);
    java.io.StringWriter text = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    int code = AttestCommand.commandLine(new PrintWriter(text), new PrintWriter(err)).execute("tree", ref);
    indent(out, text.toString());
    if (code != 0) {
      throw new IllegalStateException("attest tree " + ref + " failed: " + err);
    }
    long referrers = text.toString().lines().filter(l -> l.contains("sha256:") && l.contains("bundle")).count();
    return referrers + " bundle referrers at prod";
  }

  private String admission(PrintWriter out) throws Exception {
    record Case(String name, ImageRef image, boolean allow, String mustMention) {}
    List<Case> cases = List.of(
        new Case("promoted release", ImageRef.of(require(prod).host(), REPOSITORY, require(promoted)), true, ""),
        new Case("SBOM referrer removed", require(noSbomImage), false, CycloneDxSbom.PREDICATE_TYPE),
        new Case("provenance tampered", require(tamperedImage), false, SlsaProvenance.PREDICATE_TYPE));
    int n = 0;
    List<String> wrong = new ArrayList<>();
    try (AdmissionHandler handler = AdmissionHandler.builder(require(verifier)).build()) {
      for (Case c : cases) {
        String uid = "demo-" + (++n);
        JsonNode review = JSON.readTree(handler.validate(podReview(uid, c.image().toString())));
        boolean allowed = review.at("/response/allowed").asBoolean(false);
        String message = review.at("/response/status/message").asText("");
        out.println("   Pod " + uid + " (" + c.name() + ", " + c.image().digest().shortForm() + "): "
            + (allowed ? "ALLOW" : "DENY"));
        if (!allowed) {
          wrap(out, "      reason: ", message);
          pendingBrief.add("      Pod " + uid + " (" + c.name() + "): DENY, " + gist(message));
        }
        if (allowed != c.allow() || !review.at("/response/uid").asText().equals(uid)
            || (!allowed && !message.contains(c.mustMention()))) {
          wrong.add(c.name());
        }
      }
    }
    if (!wrong.isEmpty()) {
      throw new IllegalStateException("unexpected admission decisions for: " + String.join(", ", wrong));
    }
    out.println("   removed SBOM referrer " + noSbomRemoved + "; tampered provenance referrer " + tamperedReferrer);
    return "1 allowed, 2 denied with the reason";
  }

  /** A Kubernetes AdmissionReview v1 for a Pod with one container running {@code image}. */
  static byte[] podReview(String uid, String image) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
    ObjectNode req = root.putObject("request");
    req.put("uid", uid).put("operation", "CREATE").put("namespace", "demo");
    req.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
    req.putObject("resource").put("group", "").put("version", "v1").put("resource", "pods");
    ObjectNode pod = req.putObject("object");
    pod.put("apiVersion", "v1").put("kind", "Pod");
    pod.putObject("metadata").put("name", "app-" + uid).put("namespace", "demo");
    pod.putObject("spec").putArray("containers").addObject().put("name", "app").put("image", image);
    return JSON.writeValueAsBytes(root);
  }

  private static final Pattern FULL_DIGEST = Pattern.compile("sha256:([0-9a-f]{12})[0-9a-f]{52}");
  private static final int WIDTH = 110;

  /**
   * Prints a long reason readably: each clause ({@code ;}-separated, and each further failed
   * check) on its own line, digests shortened, and lines wrapped at word boundaries.
   */
  static void wrap(PrintWriter out, String prefix, String reason) {
    String text = FULL_DIGEST.matcher(reason).replaceAll("sha256:$1");
    String pad = " ".repeat(prefix.length());
    boolean first = true;
    for (String clause : text.split("; |\\n|, (?=attestation:|signature)")) {
      StringBuilder line = new StringBuilder(first ? prefix : pad + "  ");
      first = false;
      for (String word : clause.split(" ")) {
        if (line.length() + word.length() + 1 > WIDTH && !line.toString().isBlank()
            && line.length() > pad.length() + 2) {
          out.println(line.toString().stripTrailing());
          line = new StringBuilder(pad + "    ");
        }
        line.append(word).append(' ');
      }
      out.println(line.toString().stripTrailing());
    }
  }

  /**
   * The most telling clause of an admission denial, for the one-line form: a signature that does
   * not verify outranks a missing attestation; only the last, most specific part of it is kept.
   */
  static String gist(String reason) {
    String text = FULL_DIGEST.matcher(reason).replaceAll("sha256:$1");
    String[] clauses = text.split("; |, (?=attestation:|signature)");
    String best = clauses[0];
    for (String c : clauses) {
      if (c.contains("does not verify")) {
        best = c;
        break;
      }
    }
    int colon = best.lastIndexOf(": ");
    String gist = colon >= 0 ? best.substring(colon + 2) : best;
    int aside = gist.indexOf(" (");
    if (gist.length() > 64 && aside > 0) {
      gist = gist.substring(0, aside);
    }
    int cut = gist.lastIndexOf(' ', 60);
    return gist.length() <= 64 ? gist : gist.substring(0, cut > 0 ? cut : 60) + " ...";
  }

  private static void indent(PrintWriter out, String text) {
    text.lines().forEach(l -> out.println("     " + l));
  }

  private static String shortType(String predicateType) {
    if (predicateType.contains("slsa")) {
      return "provenance";
    } else if (predicateType.contains("cyclonedx")) {
      return "sbom";
    } else if (predicateType.contains("vuln")) {
      return "vuln";
    } else if (predicateType.contains("cosign/sign")) {
      return "signature";
    }
    return predicateType;
  }

  // ------------------------------------------------------------------ helpers

  static List<SbomComponent> runtimeComponents() throws IOException {
    String tsv = new String(resource("dev/attest/cli/demo/components.tsv"), StandardCharsets.UTF_8);
    List<SbomComponent> out = new ArrayList<>();
    for (String line : tsv.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\t", -1);
      if (f.length != 4) {
        throw new IOException("components.tsv: malformed line '" + line + "'");
      }
      SbomComponent c = SbomComponent.of(f[1], f[2], f[0]);
      out.add(f[3].equals("-") ? c : c.withHashes(Map.of("SHA-256", f[3])));
    }
    return out;
  }

  static byte[] resource(String name) throws IOException {
    try (InputStream in = Demo.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("missing resource " + name + " (build attest-cli with Maven to generate it)");
      }
      return in.readAllBytes();
    }
  }

  /** A one-file POSIX ustar archive. */
  static byte[] tar(String name, byte[] content) {
    byte[] header = new byte[512];
    put(header, 0, name);
    put(header, 100, "0000644");
    put(header, 108, "0000000");
    put(header, 116, "0000000");
    put(header, 124, String.format("%011o", content.length));
    put(header, 136, "00000000000");
    Arrays.fill(header, 148, 156, (byte) ' ');
    header[156] = '0';
    put(header, 257, "ustar");
    put(header, 263, "00");
    int sum = 0;
    for (byte b : header) {
      sum += b & 0xff;
    }
    put(header, 148, String.format("%06o", sum));
    header[154] = 0;
    header[155] = ' ';
    int padded = (content.length + 511) / 512 * 512;
    byte[] tar = new byte[512 + padded + 1024];
    System.arraycopy(header, 0, tar, 0, 512);
    System.arraycopy(content, 0, tar, 512, content.length);
    return tar;
  }

  private static void put(byte[] b, int at, String s) {
    byte[] v = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(v, 0, b, at, v.length);
  }

  static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
      gz.write(bytes);
    }
    return bos.toByteArray();
  }

  private static String pad(String s, int n) {
    return s.length() >= n ? s + " " : s + " ".repeat(n - s.length());
  }

  private static <T> T require(@Nullable T value) {
    if (value == null) {
      throw new IllegalStateException("an earlier step did not run");
    }
    return value;
  }

  private static Map<String, String> example() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("GITHUB_SERVER_URL", "https://github.com");
    env.put("GITHUB_REPOSITORY", "example-org/demo-app");
    env.put("GITHUB_WORKFLOW_REF", "example-org/demo-app/.github/workflows/release.yml@refs/tags/v1.0.0");
    env.put("GITHUB_REF", "refs/tags/v1.0.0");
    env.put("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567");
    env.put("GITHUB_RUN_ID", "1000000001");
    env.put("GITHUB_RUN_ATTEMPT", "1");
    env.put("GITHUB_EVENT_NAME", "push");
    env.put("GITHUB_REPOSITORY_ID", "100000001");
    env.put("GITHUB_REPOSITORY_OWNER_ID", "200000002");
    env.put("RUNNER_ENVIRONMENT", "github-hosted");
    return Map.copyOf(env);
  }

  @Override
  public void close() {
    if (verifier != null) {
      verifier.close();
    }
    if (prodClient != null) {
      prodClient.close();
    }
    if (devClient != null) {
      devClient.close();
    }
    if (dev != null) {
      dev.close();
    }
    if (prod != null) {
      prod.close();
    }
    if (workDir != null) {
      try (Stream<Path> files = Files.walk(workDir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      } catch (IOException e) {
        // A temporary directory left behind is harmless.
      }
    }
  }
}
