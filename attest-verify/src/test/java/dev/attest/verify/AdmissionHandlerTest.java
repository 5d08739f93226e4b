package dev.attest.verify;

import static dev.attest.verify.TestSupport.allow;
import static dev.attest.verify.TestSupport.deny;
import static dev.attest.verify.TestSupport.digest;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attest.core.Digest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AdmissionHandlerTest {
  static final ObjectMapper M = new ObjectMapper();
  static final Digest API = digest("api");
  static final Digest MIGRATE = digest("migrate");
  static final Digest DEBUG = digest("debug");
  static final Digest PROXY = Digest.parse("sha256:" + "1".repeat(64));

  final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  final Map<String, Digest> resolves = new HashMap<>(Map.of(
      "ghcr.io/acme/api:1.4.2", API, "ghcr.io/acme/migrate:2", MIGRATE,
      "ghcr.io/acme/debug:latest", DEBUG, "ghcr.io/acme/proxy@" + PROXY, PROXY));
  final CountDownLatch never = new CountDownLatch(1);
  AdmissionHandler handler;

  /** Allows everything it knows, unless the test says otherwise. */
  ImageVerifier verifier(Map<String, String> denials) {
    return ref -> {
      calls.computeIfAbsent(ref, k -> new AtomicInteger()).incrementAndGet();
      String how = denials.getOrDefault(ref, "allow");
      Digest d = resolves.get(ref);
      return switch (how) {
        case "allow" -> allow(ref, d);
        case "deny" -> deny(ref, d, "no SLSA provenance referrer for " + d);
        case "warn" -> TestSupport.warn(ref, d, "no signature by release-key");
        case "throw" -> throw new IllegalStateException("bundle is not JSON");
        case "npe" -> throw new NullPointerException("sigstore-java bug");
        case "hang" -> {
          try {
            never.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          yield allow(ref, d);
        }
        case "liar" -> allow(ref, digest("something else"));
        default -> throw new AssertionError(how);
      };
    };
  }

  AdmissionHandler handler(Map<String, String> denials) {
    handler = AdmissionHandler.builder(verifier(denials)).parallelism(3).timeout(Duration.ofSeconds(20)).build();
    return handler;
  }

  @AfterEach
  void close() {
    never.countDown();
    if (handler != null) {
      handler.close();
    }
  }

  static byte[] fixture(String name) throws Exception {
    return Files.readAllBytes(Path.of("src/test/resources/admission", name));
  }

  static JsonNode response(byte[] out) throws Exception {
    JsonNode n = M.readTree(out);
    assertThat(n.get("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
    assertThat(n.get("kind").asText()).isEqualTo("AdmissionReview");
    return n.get("response");
  }

  static List<JsonNode> patch(JsonNode resp) throws Exception {
    assertThat(resp.get("patchType").asText()).isEqualTo("JSONPatch");
    List<JsonNode> ops = new ArrayList<>();
    M.readTree(Base64.getDecoder().decode(resp.get("patch").asText())).forEach(ops::add);
    return ops;
  }

  @Test
  void admitsAPodWhoseImagesAllVerifyAndEchoesTheUid() throws Exception {
    JsonNode r = response(handler(Map.of()).validate(fixture("pod.json")));
    assertThat(r.get("uid").asText()).isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
    assertThat(r.get("allowed").asBoolean()).isTrue();
    assertThat(r.has("patch")).isFalse();
    assertThat(r.has("warnings")).isFalse();
    // api:1.4.2 appears twice (container and init container) but is verified once.
    assertThat(calls.keySet()).containsExactlyInAnyOrder(
        "ghcr.io/acme/api:1.4.2", "ghcr.io/acme/proxy@" + PROXY, "ghcr.io/acme/debug:latest");
    assertThat(calls.get("ghcr.io/acme/api:1.4.2")).hasValue(1);
  }

  @Test
  void mutatePinsEveryTagToTheVerifiedDigest() throws Exception {
    JsonNode r = response(handler(Map.of()).mutate(fixture("pod.json")));
    assertThat(r.get("allowed").asBoolean()).isTrue();
    assertThat(patch(r)).extracting(o -> o.get("op").asText() + " " + o.get("path").asText() + " " + o.get("value").asText())
        .containsExactlyInAnyOrder(
            "replace /spec/containers/0/image ghcr.io/acme/api@" + API,
            "replace /spec/initContainers/0/image ghcr.io/acme/api@" + API,
            "replace /spec/ephemeralContainers/0/image ghcr.io/acme/debug@" + DEBUG);
  }

  @ParameterizedTest
  @CsvSource({
    "deployment.json, uid-deployment, /spec/template/spec",
    "statefulset.json, uid-statefulset, /spec/template/spec",
    "daemonset.json, uid-daemonset, /spec/template/spec",
    "replicaset.json, uid-replicaset, /spec/template/spec",
    "job.json, uid-job, /spec/template/spec",
    "cronjob.json, uid-cronjob, /spec/jobTemplate/spec/template/spec",
  })
  void readsThePodTemplateOfEveryWorkloadKind(String file, String uid, String spec) throws Exception {
    JsonNode r = response(handler(Map.of()).mutate(fixture(file)));
    assertThat(r.get("uid").asText()).isEqualTo(uid);
    assertThat(r.get("allowed").asBoolean()).isTrue();
    assertThat(patch(r)).extracting(o -> o.get("path").asText() + "=" + o.get("value").asText())
        .containsExactlyInAnyOrder(
            spec + "/containers/0/image=ghcr.io/acme/api@" + API,
            spec + "/initContainers/0/image=ghcr.io/acme/migrate@" + MIGRATE);
  }

  @Test
  void workloadImagesAreDeniedToo() throws Exception {
    JsonNode r = response(handler(Map.of("ghcr.io/acme/migrate:2", "deny")).validate(fixture("cronjob.json")));
    assertThat(r.get("allowed").asBoolean()).isFalse();
    assertThat(r.at("/status/message").asText()).contains("ghcr.io/acme/migrate:2").doesNotContain("image ghcr.io/acme/api");
  }

  @Test
  void aDenialListsEveryOffendingImageWithItsReasons() throws Exception {
    JsonNode r = response(handler(Map.of(
        "ghcr.io/acme/debug:latest", "deny",
        "ghcr.io/acme/proxy@" + PROXY, "throw")).mutate(fixture("pod.json")));
    assertThat(r.get("allowed").asBoolean()).isFalse();
    assertThat(r.has("patch")).isFalse();
    assertThat(r.at("/status/code").asInt()).isEqualTo(403);
    assertThat(r.at("/status/message").asText())
        .contains("denied 2 of 3 image(s) in Pod")
        .contains("image ghcr.io/acme/debug:latest (" + DEBUG + "): attestation:https://slsa.dev/provenance/v1: no SLSA provenance referrer")
        .contains("image ghcr.io/acme/proxy@" + PROXY + ": verification failed: IllegalStateException: bundle is not JSON")
        .doesNotContain("image ghcr.io/acme/api:1.4.2");
  }

  @Test
  void runtimeExceptionsDeny() throws Exception {
    JsonNode r = response(handler(Map.of("ghcr.io/acme/api:1.4.2", "npe")).validate(fixture("pod.json")));
    assertThat(r.get("allowed").asBoolean()).isFalse();
    assertThat(r.at("/status/message").asText()).contains("NullPointerException: sigstore-java bug");
  }

  @Test
  void aReportForAnotherDigestThanThePinnedOneDenies() throws Exception {
    JsonNode r = response(handler(Map.of("ghcr.io/acme/proxy@" + PROXY, "liar")).validate(fixture("pod.json")));
    assertThat(r.get("allowed").asBoolean()).isFalse();
    assertThat(r.at("/status/message").asText())
        .contains("image ghcr.io/acme/proxy@" + PROXY + " is pinned to " + PROXY + " but the verifier decided about");
  }

  @Test
  void warnModeAdmitsWithWarnings() throws Exception {
    JsonNode r = response(handler(Map.of("ghcr.io/acme/debug:latest", "warn")).mutate(fixture("pod.json")));
    assertThat(r.get("allowed").asBoolean()).isTrue();
    assertThat(r.get("warnings")).hasSize(1);
    assertThat(r.get("warnings").get(0).asText())
        .isEqualTo("attest (warn mode): signature failed for ghcr.io/acme/debug:latest: no signature by release-key");
    assertThat(patch(r)).hasSize(3);
  }

  @Test
  void aVerifierThatDoesNotFinishInTimeDenies() throws Exception {
    handler = AdmissionHandler.builder(verifier(Map.of("ghcr.io/acme/debug:latest", "hang")))
        .timeout(Duration.ofMillis(200)).build();
    JsonNode r = response(handler.validate(fixture("pod.json")));
    assertThat(r.get("allowed").asBoolean()).isFalse();
    assertThat(r.at("/status/message").asText())
        .contains("image ghcr.io/acme/debug:latest: verification did not finish within 200 ms");
  }

  @Test
  void verifiesInParallelWithinTheBound() throws Exception {
    AtomicInteger now = new AtomicInteger();
    AtomicInteger max = new AtomicInteger();
    CountDownLatch twoIn = new CountDownLatch(2);
    handler = AdmissionHandler.builder(ref -> {
          max.accumulateAndGet(now.incrementAndGet(), Math::max);
          twoIn.countDown();
          try {
            twoIn.await(); // proves two run at once; a pool of one would never get here
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          now.decrementAndGet();
          return allow(ref, resolves.get(ref));
        }).parallelism(2).build();
    JsonNode r = response(handler.validate(fixture("pod.json")));
    assertThat(r.get("allowed").asBoolean()).isTrue();
    assertThat(max.get()).isEqualTo(2);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "malformed-not-json.txt|''|the body is not a JSON document",
    "malformed-v1beta1.json|uid-v1beta1|apiVersion is 'admission.k8s.io/v1beta1'; expected admission.k8s.io/v1",
    "malformed-wrong-kind.json|uid-wrong-kind|kind is 'AdmissionRequest'; expected AdmissionReview",
    "malformed-no-uid.json|''|request.uid is missing",
    "malformed-no-request.json|''|no request object",
    "malformed-no-image.json|uid-no-image|Pod spec.containers[0].image is missing",
  })
  void malformedReviewsAreDeniedWithAClearMessage(String file, String uid, String message) throws Exception {
    JsonNode r = response(handler(Map.of()).validate(fixture(file)));
    assertThat(r.get("uid").asText()).isEqualTo(uid);
    assertThat(r.get("allowed").asBoolean()).isFalse();
    assertThat(r.at("/status/code").asInt()).isEqualTo(400);
    assertThat(r.at("/status/message").asText()).startsWith("malformed AdmissionReview: ").contains(message);
    assertThat(calls).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "delete.json|uid-delete|operation DELETE starts no image",
    "connect-exec.json|uid-exec|operation CONNECT starts no image",
    "pod-status.json|uid-status|subresource status carries no pod spec",
    "service.json|uid-service|kind Service is not one attest reads images from",
  })
  void requestsThatStartNoImageAreAllowedWithoutAnyVerification(String file, String uid, String why) throws Exception {
    List<AdmissionHandler.Review> seen = new java.util.ArrayList<>();
    handler = AdmissionHandler.builder(verifier(Map.of())).listener(seen::add).build();
    JsonNode r = response(handler.validate(fixture(file)));
    assertThat(r.get("uid").asText()).isEqualTo(uid);
    assertThat(r.get("allowed").asBoolean()).isTrue();
    assertThat(r.has("status")).isFalse();
    assertThat(calls).isEmpty();
    assertThat(seen).singleElement().satisfies(v -> {
      assertThat(v.verified()).isFalse();
      assertThat(v.reasons()).containsExactly(why);
    });
  }

  @Test
  void theEphemeralContainersSubresourceIsVerified() throws Exception {
    JsonNode r = response(handler(Map.of("ghcr.io/acme/debug:latest", "deny")).validate(fixture("pod-ephemeral.json")));
    assertThat(r.get("uid").asText()).isEqualTo("uid-ephemeral");
    assertThat(r.get("allowed").asBoolean()).isFalse();
    assertThat(r.at("/status/code").asInt()).isEqualTo(403);
    assertThat(calls).containsKey("ghcr.io/acme/debug:latest");
  }

  @Test
  void warningsKeepTheCheckAndTheImageWithinKubernetesLimits() {
    String image = "ghcr.io/acme/" + "x".repeat(40) + "@sha256:" + "a".repeat(64);
    VerificationReport.Check c = VerificationReport.Check.fail("attestation:https://cosign.sigstore.dev/attestation/vuln/v1",
        "y".repeat(500));
    String w = AdmissionHandler.warning(image, c);
    assertThat(w).hasSizeLessThanOrEqualTo(AdmissionHandler.MAX_WARNING_CHARS)
        .contains("attestation:https://cosign.sigstore.dev/attestation/vuln/v1").contains(image).endsWith("...");
    String huge = "ghcr.io/acme/" + "z".repeat(400);
    String w2 = AdmissionHandler.warning(huge, c);
    assertThat(w2).hasSizeLessThanOrEqualTo(AdmissionHandler.MAX_WARNING_CHARS)
        .contains("attestation:https://cosign.sigstore.dev/attestation/vuln/v1").startsWith("attest (warn mode)")
        .contains("ghcr.io/acme/zzz").endsWith("zzz");
    List<String> many = new java.util.ArrayList<>();
    for (int i = 0; i < 40; i++) {
      many.add("w" + i);
    }
    assertThat(AdmissionHandler.summarise(many)).hasSize(AdmissionHandler.MAX_WARNINGS)
        .last().asString().contains("25 more failed checks");
  }

  @Test
  void theUidIsReadFromTheStartOfABodyCutShort() throws Exception {
    byte[] full = fixture("pod.json");
    byte[] cut = java.util.Arrays.copyOf(full, 300);
    assertThat(AdmissionHandler.uidOf(cut)).isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
    JsonNode r = response(AdmissionHandler.deny(cut, 413, "too large"));
    assertThat(r.get("uid").asText()).isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
    assertThat(r.at("/status/code").asInt()).isEqualTo(413);
  }
}
