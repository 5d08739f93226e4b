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
 * {@code uid} echoed in every answer.
 *
 * <p>It reads the images of Pods ({@code containers}, {@code initContainers}, {@code
 * ephemeralContainers}, also through the {@code pods/ephemeralcontainers} subresource) and of the
 * pod templates of Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs and CronJobs, and
 * verifies each distinct image through the {@link ImageVerifier}, in parallel with a bound. Register
 * it for {@code CREATE} and {@code UPDATE} of exactly those resources ({@link #RULES}); anything
 * else it is sent is allowed at once, without a registry call: {@code DELETE} and {@code CONNECT}
 * (such as {@code pods/exec}), subresources that carry no pod spec ({@code pods/status}, {@code
 * deployments/scale}, ...) and kinds it does not read.
 *
 * <p>The review is denied, listing every offending image with its reasons, when any image is
 * denied, when the verifier throws or does not finish in time, and when the review itself is
 * malformed. Images that only fail in warn mode are admitted with {@code warnings}, one per image
 * and failed check, each within Kubernetes' 256-character advice and keeping the image and the
 * check (which names the predicate type). {@link #mutate} also returns a JSONPatch that pins every
 * tag to the digest that was verified. {@code response.status.code} follows HTTP meaning: 403 for
 * a policy denial, 400 for a malformed review, 413 for one too large, 504 past the deadline.
 *
 * <p>The handler never logs; a {@link Builder#listener listener} sees one {@link Review} per
 * answer, for logs and metrics.
 *
 * @see <a href="https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#request">
 *     Kubernetes: dynamic admission control, request and response</a>
 */
public final class AdmissionHandler implements AutoCloseable {

  /** The only AdmissionReview version this handler speaks. */
  public static final String API_VERSION = "admission.k8s.io/v1";

  private static final ObjectMapper OUT = new ObjectMapper();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  /** Kubernetes truncates longer warnings; each one is kept within it. */
  static final int MAX_WARNING_CHARS = 256;

  /** At most this many warnings are returned; the rest are counted in the last one. */
  static final int MAX_WARNINGS = 16;

  /**
   * The resources to register the webhook for, as {@code group/version/resource} (subresources
   * after a second slash), with operations {@code CREATE} and {@code UPDATE}.
   */
  public static final List<String> RULES = List.of(
      "/v1/pods", "/v1/pods/ephemeralcontainers",
      "apps/v1/deployments", "apps/v1/statefulsets", "apps/v1/daemonsets", "apps/v1/replicasets",
      "batch/v1/jobs", "batch/v1/cronjobs");

  /**
   * What one answered review was, for logs and metrics.
   *
   * @param uid the request uid, empty when it could not be read
   * @param operation the request operation ({@code CREATE}, ...), empty when unknown
   * @param kind the object kind, such as {@code Pod}, empty when unknown
   * @param images the distinct images verified, in order
   * @param allowed whether the review was allowed
   * @param code the {@code status.code} answered (200 when allowed without a message)
   * @param reasons why it was denied or warned, one entry per image or problem
   * @param verified whether any image was verified (false for reviews allowed without a check)
   * @param nanos how long the answer took
   */
  public record Review(
      String uid, String operation, String kind, List<String> images, boolean allowed, int code,
      List<String> reasons, boolean verified, long nanos) {
    public Review {
      images = List.copyOf(images);
      reasons = List.copyOf(reasons);
    }
  }

  private final ImageVerifier verifier;
  private final ExecutorService pool;
  private final boolean ownsPool;
  private final Duration timeout;
  private final int maxImages;
  private final java.util.function.Consumer<Review> listener;

  private AdmissionHandler(Builder b) {
    this.listener = b.listener;
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
    private java.util.function.Consumer<Review> listener = r -> {};

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

    /**
     * Called once per answered review, on the answering thread, after the answer is made; for
     * logs and metrics. An exception it throws is ignored.
     */
    public Builder listener(java.util.function.Consumer<Review> l) {
      this.listener = Objects.requireNonNull(l);
      return this;
    }

    /** The handler; close it when done. */
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
   * must answer without a decision, e.g. past its deadline ({@code code} 504) or for a body too
   * large to read whole (413: the uid is read from the start of the body).
   */
  public static byte[] deny(byte[] review, int code, String message) {
    return write(response(uidOf(review), false, code, message, List.of(), null));
  }

  /** As {@link #deny(byte[], int, String)} with code 403. */
  public static byte[] deny(byte[] review, String message) {
    return deny(review, 403, message);
  }

  private byte[] handle(byte[] review, boolean patch) {
    long start = System.nanoTime();
    Answer a = answer(review, patch);
    try {
      listener.accept(new Review(a.uid, a.operation, a.kind, a.images, a.allowed, a.code, a.reasons, a.verified,
          System.nanoTime() - start));
    } catch (RuntimeException ignored) {
      // A listener's failure must not change the answer.
    }
    return a.bytes;
  }

  private record Answer(byte[] bytes, String uid, String operation, String kind, List<String> images,
      boolean allowed, int code, List<String> reasons, boolean verified) {}

  private Answer answer(byte[] review, boolean patch) {
    String uid = uidOf(review);
    Request req;
    try {
      req = parse(review);
    } catch (Malformed m) {
      String msg = "malformed AdmissionReview: " + m.getMessage();
      return new Answer(write(response(uid, false, 400, msg, List.of(), null)), uid, "", "", List.of(), false,
          400, List.of(msg), false);
    }
    if (req.skip != null) {
      return new Answer(write(response(req.uid, true, 200, null, List.of(), null)), req.uid, req.operation,
          req.kind, List.of(), true, 200, List.of(req.skip), false);
    }
    Map<String, List<ImageSite>> byImage = new LinkedHashMap<>();
    for (ImageSite s : req.sites) {
      byImage.computeIfAbsent(s.image, k -> new ArrayList<>()).add(s);
    }
    List<String> images = List.copyOf(byImage.keySet());
    if (byImage.size() > maxImages) {
      String msg = "the " + req.kind + " names " + byImage.size() + " distinct images; at most " + maxImages
          + " are verified";
      return new Answer(write(response(req.uid, false, 400, msg, List.of(), null)), req.uid, req.operation,
          req.kind, images, false, 400, List.of(msg), false);
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
          warnings.add(warning(image, c));
        }
      }
      Digest d = r.subject();
      if (d == null) {
        continue; // outside the policy and left alone (outOfScope: allow): nothing to pin
      }
      for (ImageSite s : byImage.get(image)) {
        String pinned = ImageRefs.pin(image, d);
        if (!pinned.equals(image)) {
          ops.add(F.objectNode().put("op", "replace").put("path", s.pointer).put("value", pinned));
        }
      }
    }
    List<String> summary = summarise(warnings);
    if (!denials.isEmpty()) {
      String msg = "attest denied " + denials.size() + " of " + futures.size() + " image(s) in "
          + req.kind + ": " + String.join("; ", denials);
      return new Answer(write(response(req.uid, false, 403, msg, summary, null)), req.uid, req.operation,
          req.kind, images, false, 403, denials, true);
    }
    return new Answer(write(response(req.uid, true, 200, null, summary, patch && !ops.isEmpty() ? ops : null)),
        req.uid, req.operation, req.kind, images, true, 200, warnings, true);
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
    if (r.decision() == VerificationReport.Decision.DENY || (r.subject() == null && !r.outOfScope())) {
      // The report's own failures are the cause (a dead registry, a missing signature, ...).
      List<String> reasons = new ArrayList<>();
      for (VerificationReport.Check c : r.failures()) {
        reasons.add(c.name() + ": " + c.reason());
      }
      return new Outcome(null, "image " + image
          + (r.subject() == null ? "" : " (" + r.subject() + ")") + ": " + String.join(", ", reasons));
    }
    Optional<Digest> pinned;
    try {
      pinned = ImageRefs.digest(image);
    } catch (IllegalArgumentException e) {
      return new Outcome(null, "image " + image + ": " + e.getMessage());
    }
    if (pinned.isPresent() && r.subject() != null && !pinned.get().equals(r.subject())) {
      return new Outcome(null, "image " + image + " is pinned to " + pinned.get() + " but the verifier"
          + " decided about " + r.subject() + " (fail closed)");
    }
    return new Outcome(r, null);
  }

  private static String describe(Throwable t) {
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
  }

  /**
   * One warning within {@link #MAX_WARNING_CHARS}: the image and the check (which carries the
   * predicate type) are kept whole where they fit; the reason is shortened first.
   */
  static String warning(String image, VerificationReport.Check c) {
    String head = "attest (warn mode): " + c.name() + " failed for " + image;
    String full = head + ": " + c.reason();
    if (full.length() <= MAX_WARNING_CHARS) {
      return full;
    }
    if (head.length() + 5 <= MAX_WARNING_CHARS) {
      return head + ": " + c.reason().substring(0, MAX_WARNING_CHARS - head.length() - 5) + "...";
    }
    // An image name so long that even the head does not fit: keep the check, shorten the image's middle.
    String check = "attest (warn mode): " + c.name() + " failed for ";
    int room = MAX_WARNING_CHARS - check.length() - 3;
    if (room < 16) {
      return (check + image).substring(0, MAX_WARNING_CHARS - 3) + "...";
    }
    return check + image.substring(0, room / 2) + "..." + image.substring(image.length() - (room - room / 2));
  }

  /** Distinct warnings, at most {@link #MAX_WARNINGS}, the last one counting what was left out. */
  static List<String> summarise(List<String> warnings) {
    List<String> distinct = warnings.stream().distinct().toList();
    if (distinct.size() <= MAX_WARNINGS) {
      return distinct;
    }
    List<String> out = new ArrayList<>(distinct.subList(0, MAX_WARNINGS - 1));
    out.add("attest (warn mode): " + (distinct.size() - MAX_WARNINGS + 1) + " more failed checks; see the"
        + " webhook's log or run attest verify");
    return out;
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

  /** A parsed review; {@code skip} says why it is allowed without verification, or is null. */
  private record Request(String uid, String operation, String kind, List<ImageSite> sites, @Nullable String skip) {}

  /**
   * The request uid, read with a streaming parser that stops at it: a body cut short (one too
   * large to read whole) still yields it when it comes before the object, as the API server
   * writes it. Empty when it cannot be found.
   */
  static String uidOf(byte[] review) {
    try (com.fasterxml.jackson.core.JsonParser p = OUT.getFactory().createParser(review)) {
      if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
        return "";
      }
      while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
        String field = p.currentName();
        com.fasterxml.jackson.core.JsonToken t = p.nextToken();
        if ("request".equals(field) && t == com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
          while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
            String f = p.currentName();
            com.fasterxml.jackson.core.JsonToken v = p.nextToken();
            if ("uid".equals(f)) {
              return v == com.fasterxml.jackson.core.JsonToken.VALUE_STRING ? p.getText() : "";
            }
            p.skipChildren();
          }
          return "";
        }
        p.skipChildren();
      }
      return "";
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
    String u = uid.textValue();
    JsonNode gvk = request.path("kind");
    String group = gvk.path("group").asText("");
    String k = gvk.path("kind").asText("");
    String operation = request.path("operation").asText("");
    String subResource = request.path("subResource").asText("");
    String gk = (group.isEmpty() ? "" : group + "/") + k;
    if (!operation.equals("CREATE") && !operation.equals("UPDATE")) {
      // DELETE and CONNECT (pods/exec, pods/attach, pods/portforward) start no image.
      return new Request(u, operation, gk, List.of(), "operation " + operation + " starts no image");
    }
    boolean ephemeral = subResource.equals("ephemeralcontainers") && group.isEmpty() && k.equals("Pod");
    if (!subResource.isEmpty() && !ephemeral) {
      return new Request(u, operation, gk, List.of(), "subresource " + subResource + " carries no pod spec");
    }
    String specPointer;
    switch (group + "/" + k) {
      case "/Pod" -> specPointer = "/spec";
      case "apps/Deployment", "apps/StatefulSet", "apps/DaemonSet", "apps/ReplicaSet", "batch/Job" ->
          specPointer = "/spec/template/spec";
      case "batch/CronJob" -> specPointer = "/spec/jobTemplate/spec/template/spec";
      default -> {
        return new Request(u, operation, gk, List.of(), "kind " + (gk.isEmpty() ? "(none)" : gk)
            + " is not one attest reads images from");
      }
    }
    JsonNode object = request.get("object");
    if (object == null || !object.isObject()) {
      throw new Malformed("request.object is missing; nothing to verify (operation " + operation + ")");
    }
    JsonNode podSpec = object.at(specPointer);
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
    return new Request(u, operation, k, sites, null);
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
      warnings.forEach(w::add);
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
