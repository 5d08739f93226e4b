package dev.attest.cli;

import static dev.attest.cli.CliTestSupport.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.attest.core.Keys;
import dev.attest.verify.Policy;
import dev.attest.verify.engines.OpenApiSchema;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code attest admission manifests}: every object is valid against the Kubernetes API schemas
 * (test resource k8s-1.22-schemas.json; unknown fields are errors), and has the production shape
 * admission webhooks need.
 */
class AdmissionManifestsTest {
  static final YAMLMapper YAML = new YAMLMapper();
  static final Map<String, String> DEFINITION = Map.of(
      "ServiceAccount", "V1ServiceAccount", "ConfigMap", "V1ConfigMap", "Secret", "V1Secret",
      "Deployment", "V1Deployment", "Service", "V1Service", "PodDisruptionBudget", "V1PodDisruptionBudget",
      "ValidatingWebhookConfiguration", "V1ValidatingWebhookConfiguration",
      "MutatingWebhookConfiguration", "V1MutatingWebhookConfiguration");

  @TempDir Path dir;

  Path policy() throws Exception {
    Path p = dir.resolve("policy.yaml");
    try (InputStream in = AdmissionManifestsTest.class.getClassLoader().getResourceAsStream("demo/policy.yaml")) {
      Files.write(p, in.readAllBytes());
    }
    Files.write(dir.resolve("attest.pub"), Keys.writePublicKeyPem(Keys.generateP256().getPublic()));
    return p;
  }

  static Map<String, JsonNode> byKind(String yaml) throws Exception {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
      it.forEachRemaining(d -> out.put(d.get("kind").asText(), d));
    }
    return out;
  }

  static List<String> texts(JsonNode a) {
    List<String> out = new ArrayList<>();
    a.forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void everyObjectIsValidAgainstTheKubernetesSchemas() throws Exception {
    var r = run("admission", "manifests", "--policy", policy().toString(), "--image",
        "ghcr.io/attest-dev/attest@sha256:" + "b".repeat(64), "--pin-digests");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    Map<String, JsonNode> docs = byKind(r.out());
    assertThat(docs.keySet()).containsExactly("ServiceAccount", "ConfigMap", "Secret", "Deployment", "Service",
        "PodDisruptionBudget", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration");
    JsonNode schemas;
    try (InputStream in = AdmissionManifestsTest.class.getClassLoader().getResourceAsStream("k8s-1.22-schemas.json")) {
      schemas = new ObjectMapper().readTree(in);
    }
    for (Map.Entry<String, JsonNode> e : docs.entrySet()) {
      List<String> errors = OpenApiSchema.definition(schemas, DEFINITION.get(e.getKey())).validate(e.getValue());
      assertThat(errors).as(e.getKey() + "\n" + r.out()).isEmpty();
    }
    assertThat(r.out()).doesNotContain(dir.toString());
  }

  @Test
  void theShapeProductionWebhooksNeed() throws Exception {
    Path p = policy();
    var r = run("admission", "manifests", "--policy", p.toString(), "--image", "ghcr.io/x/attest@sha256:" + "c".repeat(64),
        "--namespace", "guard", "--replicas", "3");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    Map<String, JsonNode> docs = byKind(r.out());
    assertThat(docs).doesNotContainKey("MutatingWebhookConfiguration");
    JsonNode hook = docs.get("ValidatingWebhookConfiguration").at("/webhooks/0");
    assertThat(hook.get("failurePolicy").asText()).isEqualTo("Fail");
    assertThat(hook.get("sideEffects").asText()).isEqualTo("None");
    assertThat(hook.get("timeoutSeconds").asInt()).isLessThanOrEqualTo(30).isGreaterThan(8);
    assertThat(texts(hook.at("/namespaceSelector/matchExpressions/0/values"))).contains("guard", "kube-system");
    List<String> resources = new ArrayList<>();
    hook.get("rules").forEach(rule -> {
      assertThat(texts(rule.get("operations"))).containsExactly("CREATE", "UPDATE");
      rule.get("resources").forEach(x -> resources.add(x.asText()));
    });
    assertThat(resources).containsExactlyInAnyOrder("pods", "pods/ephemeralcontainers", "deployments", "statefulsets",
        "daemonsets", "replicasets", "jobs", "cronjobs");
    assertThat(hook.at("/clientConfig/service/namespace").asText()).isEqualTo("guard");

    JsonNode deploy = docs.get("Deployment");
    assertThat(deploy.at("/spec/replicas").asInt()).isEqualTo(3);
    JsonNode pod = deploy.at("/spec/template/spec");
    assertThat(pod.at("/affinity/podAntiAffinity").isMissingNode()).isFalse();
    JsonNode c = pod.at("/containers/0");
    assertThat(c.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
    assertThat(c.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(c.at("/securityContext/allowPrivilegeEscalation").asBoolean()).isFalse();
    assertThat(c.at("/resources/requests/memory").asText()).isNotEmpty();
    assertThat(c.at("/resources/limits/memory").asText()).isNotEmpty();
    assertThat(c.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/readyz");
    assertThat(c.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/healthz");
    assertThat(docs.get("PodDisruptionBudget").at("/spec/minAvailable").asInt()).isEqualTo(1);

    // The ConfigMap's policy is the same policy: same hash, wherever it is mounted.
    Path mounted = Files.createDirectories(dir.resolve("mounted"));
    docs.get("ConfigMap").get("data").fields().forEachRemaining(f -> {
      try {
        Files.writeString(mounted.resolve(f.getKey()), f.getValue().asText(), StandardCharsets.UTF_8);
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
    });
    assertThat(Policy.load(mounted.resolve("policy.json")).hash()).isEqualTo(Policy.load(p).hash());

    assertThat(run("admission", "manifests", "--policy", p.toString(), "--image", "x", "--replicas", "1").exitCode())
        .isEqualTo(2);
  }
}
