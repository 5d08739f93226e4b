package dev.attest.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attest.core.Digest;
import dev.attest.core.DaemonThreads;
import dev.attest.core.Json;
import dev.attest.verify.internal.ImageRefs;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * A Kubernetes validating (and optionally mutating) admission webhook: {@code AdmissionReview}
 * {@code admission.k8s.io/v1} JSON in, {@code AdmissionReview} JSON out, with the request's
 * {@code uid} echoed.
 *
 * <p>It reads the images of Pods ({@code containers}, {@code initContainers}, {@code
 * ephemeralContainers}) and of the pod templates of Deployments, StatefulSets, DaemonSets,
 * ReplicaSets, Jobs and CronJobs, and verifies each distinct image through the {@link
 * ImageVerifier}, in parallel with a bound. The review is denied, listing every offending image
 * with its reasons, when any image is denied, when the verifier throws or does not finish in
 * time, and when the review itself is malformed. Images that only fail in warn mode are admitted
 * with {@code warnings}. {@link #mutate} also returns a JSONPatch that pins every tag to the digest
 * that was verified.
 *
 * @see <a href="https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#request">
 *     Kubernetes: dynamic admission control, request and response</a>
 */
public final class AdmissionHandler implements AutoCloseable {

  /** The only AdmissionReview version this handler speaks. */
  public static final String API_VERSION = "admission.k8s.io/v1";

  private static final ObjectMapper OUT = new ObjectMapper();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final int MAX_WARNING_CHARS = 256;

  private final ImageVerifier verifier;
  private final ExecutorService pool;
  private final boolean ownsPool;
  private final Duration timeout;
  private final int maxImages;

  private AdmissionHandler(Builder b) {
    this.verifier = b.verifier;
    this.timeout = b.timeout;
    this.maxImages = b.maxImages;
    if (b.executor != null) {
      this.pool = b.executor;
      this.ownsPool = false;
    } else {
      this.pool = Executors.newFixedThreadPool(b.parallelism, DaemonThreads.named("attest-admission-verify"));
      this.ownsPool = true;
    }
  }

  /** A handler verifying through {@code verifier}. */
  public static Builder builder(ImageVerifier verifier) {
    return new Builder(verifier);
  }

  /** Options of an {@link AdmissionHandler}. */
  public static final class Builder {
    private final ImageVerifier verifier;
    private int parallelism = 4;
    private Duration timeout = Duration.ofSeconds(7);
    private int maxImages = 256;
    private @Nullable ExecutorService executor;

    private Builder(ImageVerifier verifier) {
      this.verifier = Objects.requireNonNull(verifier, "verifier");
    }

    /** How many images are verified at once, across all reviews; default 4. */
    public Builder parallelism(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("parallelism must be >= 1");
      }
      this.parallelism = n;
      return this;
    }

    /** How long one review may spend verifying before it is denied; default 7 s. */
    public Builder timeout(Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("timeout must be positive");
      }
      this.timeout = d;
      return this;
    }

    /** The most distinct images one review may name; default 256. More is denied. */
    public Builder maxImages(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxImages must be >= 1");
      }
      this.maxImages = n;
      return this;
    }

    /** Verifies on {@code executor} instead of an own pool; the caller bounds and closes it. */
    public Builder executor(ExecutorService e) {
      this.executor = Objects.requireNonNull(e);
      return this;
    }

    /** The handler, with its own verification pool; close it when done. */
    public AdmissionHandler build() {
      return new AdmissionHandler(this);
    }
  }

  /** Answers a review without a patch. */
  public byte[] validate(byte[] review) {
    return handle(review, false);
  }

  /** Answers a review with a JSONPatch pinning tags to verified digests when it is admitted. */
  public byte[] mutate(byte[] review) {
    return handle(review, true);
  }

  /**
   * A denying review for {@code review}, echoing its uid when it can be read; for a server that
   * must answer without a decision, e.g. past its deadline.
   */
  public static byte[] deny(byte[] review, String message) {
    return write(response(readUid(review), false, 403, message, List.of(), null));
  }

  private byte[] handle(byte[] review, boolean patch) {
    String uid = readUid(review);
    Request req;
    try {
      req = parse(review);
    } catch (Malformed m) {
      return write(response(uid, false, 400, "malformed AdmissionReview: " + m.getMessage(), List.of(), null));
    }
    Map<String, List<ImageSite>> byImage = new LinkedHashMap<>();
    for (ImageSite s : req.sites) {
      byImage.computeIfAbsent(s.image, k -> new ArrayList<>()).add(s);
    }
    if (byImage.size() > maxImages) {
      return write(response(req.uid, false, 400,
          "the " + req.kind + " names " + byImage.size() + " distinct images; at most " + maxImages + " are verified",
          List.of(), null));
    }
    Map<String, Future<VerificationReport>> futures = new LinkedHashMap<>();
    for (String image : byImage.keySet()) {
      futures.put(image, pool.submit(() -> verifier.verify(image)));
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> denials = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    ArrayNode ops = F.arrayNode();
    for (Map.Entry<String, Future<VerificationReport>> e : futures.entrySet()) {
      String image = e.getKey();
      Outcome o = await(image, e.getValue(), deadline);
      if (o.denial != null) {
        denials.add(o.denial);
        continue;
      }
      VerificationReport r = Objects.requireNonNull(o.report);
      if (r.decision() == VerificationReport.Decision.WARN) {
        for (VerificationReport.Check c : r.failures()) {
          warnings.add(truncate("attest (warn mode): image " + image + ": " + c.name() + ": " + c.reason()));
        }
      }
      Digest d = Objects.requireNonNull(r.subject());
      for (ImageSite s : byImage.get(image)) {
        String pinned = ImageRefs.pin(image, d);
        if (!pinned.equals(image)) {
          ops.add(F.objectNode().put("op", "replace").put("path", s.pointer).put("value", pinned));
        }
      }
    }
    if (!denials.isEmpty()) {
      String msg = "attest denied " + denials.size() + " of " + futures.size() + " image(s) in "
          + req.kind + ": " + String.join("; ", denials);
      return write(response(req.uid, false, 403, msg, warnings, null));
    }
    return write(response(req.uid, true, 200, null, warnings, patch && !ops.isEmpty() ? ops : null));
  }

  private record Outcome(@Nullable VerificationReport report, @Nullable String denial) {}

  private Outcome await(String image, Future<VerificationReport> f, long deadline) {
    VerificationReport r;
    try {
      long left = deadline - System.nanoTime();
      r = f.get(Math.max(0, left), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      return new Outcome(null, "image " + image + ": verification did not finish within "
          + timeout.toMillis() + " ms (fail closed)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      f.cancel(true);
      return new Outcome(null, "image " + image + ": interrupted before verification finished");
    } catch (CancellationException e) {
      return new Outcome(null, "image " + image + ": verification was cancelled");
    } catch (ExecutionException e) {
      Throwable c = e.getCause() == null ? e : e.getCause();
      return new Outcome(null, "image " + image + ": verification failed: " + describe(c));
    }
    if (r == null) {
      return new Outcome(null, "image " + image + ": the verifier returned no report");
    }
    Optional<Digest> pinned;
    try {
      pinned = ImageRefs.digest(image);
    } catch (IllegalArgumentException e) {
      return new Outcome(null, "image " + image + ": " + e.getMessage());
    }
    if (pinned.isPresent() && !pinned.get().equals(r.subject())) {
      return new Outcome(null, "image " + image + ": the verifier reported digest " + r.subject()
          + ", not the pinned one");
    }
    if (r.decision() == VerificationReport.Decision.DENY || r.subject() == null) {
      List<String> reasons = new ArrayList<>();
      for (VerificationReport.Check c : r.failures()) {
        reasons.add(c.name() + ": " + c.reason());
      }
      return new Outcome(null, "image " + image
          + (r.subject() == null ? "" : " (" + r.subject() + ")") + ": " + String.join(", ", reasons));
    }
    return new Outcome(r, null);
  }

  private static String describe(Throwable t) {
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
  }

  private static String truncate(String s) {
    return s.length() <= MAX_WARNING_CHARS ? s : s.substring(0, MAX_WARNING_CHARS - 3) + "...";
  }

  // --- parsing --------------------------------------------------------------------------

  private static final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;

    Malformed(String m) {
      super(m);
    }
  }

  /** One place an image is named, as a JSON pointer to the {@code image} field. */
  private record ImageSite(String image, String pointer) {}

  private record Request(String uid, String kind, List<ImageSite> sites) {}

  private static String readUid(byte[] review) {
    try {
      JsonNode uid = Json.read(review).path("request").path("uid");
      return uid.isTextual() ? uid.textValue() : "";
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  private static Request parse(byte[] review) throws Malformed {
    JsonNode root;
    try {
      root = Json.read(review);
    } catch (IOException | RuntimeException e) {
      throw new Malformed("the body is not a JSON document (" + firstLine(e.getMessage()) + ")");
    }
    if (!root.isObject()) {
      throw new Malformed("the body is not a JSON object");
    }
    String apiVersion = root.path("apiVersion").asText("");
    if (!API_VERSION.equals(apiVersion)) {
      throw new Malformed("apiVersion is '" + apiVersion + "'; expected " + API_VERSION);
    }
    String kind = root.path("kind").asText("");
    if (!"AdmissionReview".equals(kind)) {
      throw new Malformed("kind is '" + kind + "'; expected AdmissionReview");
    }
    JsonNode request = root.get("request");
    if (request == null || !request.isObject()) {
      throw new Malformed("no request object");
    }
    JsonNode uid = request.get("uid");
    if (uid == null || !uid.isTextual() || uid.textValue().isBlank()) {
      throw new Malformed("request.uid is missing or not a string");
    }
    JsonNode gvk = request.path("kind");
    String group = gvk.path("group").asText("");
    String k = gvk.path("kind").asText("");
    JsonNode object = request.get("object");
    if (object == null || !object.isObject()) {
      throw new Malformed("request.object is missing; nothing to verify (operation "
          + request.path("operation").asText("?") + ")");
    }
    String specPointer;
    JsonNode podSpec;
    switch (group + "/" + k) {
      case "/Pod" -> {
        specPointer = "/spec";
        podSpec = object.path("spec");
      }
      case "apps/Deployment", "apps/StatefulSet", "apps/DaemonSet", "apps/ReplicaSet", "batch/Job" -> {
        specPointer = "/spec/template/spec";
        podSpec = object.path("spec").path("template").path("spec");
      }
      case "batch/CronJob" -> {
        specPointer = "/spec/jobTemplate/spec/template/spec";
        podSpec = object.path("spec").path("jobTemplate").path("spec").path("template").path("spec");
      }
      default -> throw new Malformed("unsupported kind '" + (group.isEmpty() ? "" : group + "/") + k
          + "'; expected Pod, apps/Deployment, apps/StatefulSet, apps/DaemonSet, apps/ReplicaSet, batch/Job or batch/CronJob");
    }
    String where = k + " " + specPointer.substring(1).replace('/', '.');
    if (!podSpec.isObject()) {
      throw new Malformed(where + " is missing");
    }
    List<ImageSite> sites = new ArrayList<>();
    for (String field : new String[] {"containers", "initContainers", "ephemeralContainers"}) {
      JsonNode list = podSpec.get(field);
      if (list == null || list.isNull()) {
        continue;
      }
      if (!list.isArray()) {
        throw new Malformed(where + "." + field + " is not a list");
      }
      for (int i = 0; i < list.size(); i++) {
        JsonNode image = list.get(i).get("image");
        if (image == null || !image.isTextual() || image.textValue().isBlank()) {
          throw new Malformed(where + "." + field + "[" + i + "].image is missing or not a string");
        }
        sites.add(new ImageSite(image.textValue(), specPointer + "/" + field + "/" + i + "/image"));
      }
    }
    if (sites.isEmpty()) {
      throw new Malformed(where + " names no container image");
    }
    return new Request(uid.textValue(), k, sites);
  }

  private static String firstLine(@Nullable String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  // --- writing --------------------------------------------------------------------------

  private static ObjectNode response(
      String uid, boolean allowed, int code, @Nullable String message, List<String> warnings,
      @Nullable ArrayNode patch) {
    ObjectNode root = F.objectNode();
    root.put("apiVersion", API_VERSION);
    root.put("kind", "AdmissionReview");
    ObjectNode resp = root.putObject("response");
    resp.put("uid", uid);
    resp.put("allowed", allowed);
    if (message != null) {
      ObjectNode status = resp.putObject("status");
      status.put("code", code);
      status.put("message", message);
    }
    if (!warnings.isEmpty()) {
      ArrayNode w = resp.putArray("warnings");
      warnings.stream().distinct().limit(50).forEach(w::add);
    }
    if (patch != null) {
      resp.put("patchType", "JSONPatch");
      resp.put("patch", Base64.getEncoder().encodeToString(write(patch)));
    }
    return root;
  }

  private static byte[] write(JsonNode n) {
    try {
      return OUT.writeValueAsBytes(n);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Stops the handler's own verification pool, if it made one. */
  @Override
  public void close() {
    if (ownsPool) {
      pool.shutdownNow();
    }
  }
}
