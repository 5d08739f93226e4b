package dev.attest.cli.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.attest.verify.AdmissionHandler;
import dev.attest.verify.Policy;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code attest admission manifests}: the Kubernetes objects that run {@code attest admission
 * serve} the way admission webhooks are run in production.
 *
 * @see <a href="https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/">Kubernetes:
 *     dynamic admission control</a>
 */
@Command(
    name = "manifests",
    mixinStandardHelpOptions = true,
    versionProvider = AttestCommand.Version.class,
    description = {
      "Print, as YAML, the Kubernetes objects that run the attest admission webhook: a ServiceAccount, the"
          + " policy as a ConfigMap, the TLS Secret, a Deployment (at least 2 replicas, anti-affinity, requests and"
          + " limits, non-root read-only security context, /readyz and /healthz probes), its Service and"
          + " PodDisruptionBudget, and a ValidatingWebhookConfiguration (failurePolicy Fail, a timeout below the API"
          + " server's, the webhook's own namespace excluded) for Pods, ephemeral containers and the workload kinds.",
      "With --pin-digests also a MutatingWebhookConfiguration that pins image tags to the verified digests."
    })
final class AdmissionManifestsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--policy", required = true, paramLabel = "FILE", description = "The policy file (YAML or JSON).")
  Path policyFile;

  @Option(names = "--image", required = true, paramLabel = "REF",
      description = "The container image whose entrypoint is the attest CLI; pin it by digest.")
  String image;

  @Option(names = "--namespace", defaultValue = "attest-system", paramLabel = "NS",
      description = "Namespace of the webhook; it is excluded from the webhook (default: ${DEFAULT-VALUE}).")
  String namespace = "attest-system";

  @Option(names = "--name", defaultValue = "attest-admission", paramLabel = "NAME",
      description = "Name of the objects (default: ${DEFAULT-VALUE}).")
  String name = "attest-admission";

  @Option(names = "--replicas", defaultValue = "2", paramLabel = "N", description = "At least 2 (default: ${DEFAULT-VALUE}).")
  int replicas = 2;

  @Option(names = "--timeout-seconds", defaultValue = "10", paramLabel = "S",
      description = "The API server's wait for an answer, 2 to 30; the webhook answers 2 s earlier (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds = 10;

  @Option(names = "--exclude-namespace", paramLabel = "NS",
      description = "Further namespaces the webhook does not see (repeatable; default: kube-system).")
  List<String> excluded = new ArrayList<>(List.of("kube-system"));

  @Option(names = "--tls-cert", paramLabel = "PEM", description = "Certificate chain to put in the Secret; else cert-manager fills it.")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "PEM", description = "Private key to put in the Secret.")
  Path tlsKey;

  @Option(names = "--ca-bundle", paramLabel = "PEM",
      description = "CA that signed the serving certificate; else cert-manager's CA injector is asked to fill it.")
  Path caBundle;

  @Option(names = "--pin-digests", description = "Also print a MutatingWebhookConfiguration that pins tags to digests.")
  boolean pinDigests;

  private static final ObjectMapper YAML = YAMLMapper.builder()
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
      .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
      .disable(YAMLGenerator.Feature.SPLIT_LINES)
      .build();

  @Override
  public Integer call() throws IOException {
    if (replicas < 2) {
      throw new UsageException("--replicas must be at least 2: a single webhook pod blocks every Pod while it restarts");
    }
    if (timeoutSeconds < 2 || timeoutSeconds > 30) {
      throw new UsageException("--timeout-seconds must be 2..30 (the API server allows at most 30), got " + timeoutSeconds);
    }
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new UsageException("give both --tls-cert and --tls-key, or neither");
    }
    Policy policy = Inputs.policy(policyFile);
    PrintWriter out = spec.commandLine().getOut();
    for (Object doc : documents(policy)) {
      out.print(YAML.writeValueAsString(doc));
    }
    out.flush();
    return 0;
  }

  List<Object> documents(Policy policy) throws IOException {
    Map<String, String> labels = map("app.kubernetes.io/name", "attest-admission", "app.kubernetes.io/instance", name);
    List<Object> docs = new ArrayList<>();
    docs.add(object("v1", "ServiceAccount", meta(name, labels), "automountServiceAccountToken", false));
    docs.add(object("v1", "ConfigMap", meta(name + "-policy", labels), "data", policyFiles(policy)));

    Map<String, Object> secretMeta = meta(name + "-tls", labels);
    Map<String, String> tls = new LinkedHashMap<>();
    if (tlsCert != null) {
      tls.put("tls.crt", Base64.getEncoder().encodeToString(Files.readAllBytes(tlsCert)));
      tls.put("tls.key", Base64.getEncoder().encodeToString(Files.readAllBytes(tlsKey)));
    } else {
      tls.put("tls.crt", "");
      tls.put("tls.key", "");
      annotate(secretMeta, "attest.dev/tls", "filled by cert-manager: a Certificate for " + name + "." + namespace
          + ".svc with secretName " + name + "-tls");
    }
    docs.add(object("v1", "Secret", secretMeta, "type", "kubernetes.io/tls", "data", tls));

    int deadlineSeconds = timeoutSeconds - 2;
    Map<String, Object> probeGet = map("path", "/readyz", "port", "https", "scheme", "HTTPS");
    Map<String, Object> container = new LinkedHashMap<>();
    container.put("name", "attest");
    container.put("image", image);
    container.put("args", List.of("admission", "serve", "--policy", "/etc/attest/policy/policy.json",
        "--tls-cert", "/etc/attest/tls/tls.crt", "--tls-key", "/etc/attest/tls/tls.key", "--port", "8443"));
    container.put("env", List.of(map("name", "JAVA_TOOL_OPTIONS",
        "value", "-XX:MaxRAMPercentage=75 -Djava.io.tmpdir=/tmp")));
    container.put("ports", List.of(map("name", "https", "containerPort", 8443, "protocol", "TCP")));
    container.put("readinessProbe", map("httpGet", probeGet, "periodSeconds", 5, "failureThreshold", 2));
    container.put("livenessProbe", map("httpGet", map("path", "/healthz", "port", "https", "scheme", "HTTPS"),
        "initialDelaySeconds", 10, "periodSeconds", 10, "failureThreshold", 3));
    container.put("resources", map("requests", map("cpu", "100m", "memory", "256Mi"),
        "limits", map("cpu", "1", "memory", "512Mi")));
    container.put("securityContext", map("runAsNonRoot", true, "runAsUser", 65532, "runAsGroup", 65532,
        "readOnlyRootFilesystem", true, "allowPrivilegeEscalation", false,
        "capabilities", map("drop", List.of("ALL")), "seccompProfile", map("type", "RuntimeDefault")));
    container.put("volumeMounts", List.of(
        map("name", "policy", "mountPath", "/etc/attest/policy", "readOnly", true),
        map("name", "tls", "mountPath", "/etc/attest/tls", "readOnly", true),
        map("name", "tmp", "mountPath", "/tmp")));
    Map<String, Object> podSpec = new LinkedHashMap<>();
    podSpec.put("serviceAccountName", name);
    podSpec.put("automountServiceAccountToken", false);
    // Longer than a review's deadline: SIGTERM stops new connections and lets reviews in flight finish.
    podSpec.put("terminationGracePeriodSeconds", deadlineSeconds + 10);
    podSpec.put("securityContext", map("runAsNonRoot", true, "fsGroup", 65532, "seccompProfile", map("type", "RuntimeDefault")));
    podSpec.put("affinity", map("podAntiAffinity", map("preferredDuringSchedulingIgnoredDuringExecution", List.of(
        map("weight", 100, "podAffinityTerm", map("topologyKey", "kubernetes.io/hostname",
            "labelSelector", map("matchLabels", labels)))))));
    podSpec.put("topologySpreadConstraints", List.of(map("maxSkew", 1, "topologyKey", "topology.kubernetes.io/zone",
        "whenUnsatisfiable", "ScheduleAnyway", "labelSelector", map("matchLabels", labels))));
    podSpec.put("containers", List.of(container));
    podSpec.put("volumes", List.of(
        map("name", "policy", "configMap", map("name", name + "-policy")),
        map("name", "tls", "secret", map("secretName", name + "-tls")),
        map("name", "tmp", "emptyDir", map("sizeLimit", "64Mi"))));
    Map<String, Object> podMeta = new LinkedHashMap<>();
    podMeta.put("labels", labels);
    podMeta.put("annotations", map("prometheus.io/scrape", "true", "prometheus.io/scheme", "https",
        "prometheus.io/port", "8443", "prometheus.io/path", "/metrics"));
    docs.add(object("apps/v1", "Deployment", meta(name, labels), "spec", map(
        "replicas", replicas,
        "selector", map("matchLabels", labels),
        "strategy", map("type", "RollingUpdate", "rollingUpdate", map("maxUnavailable", 0, "maxSurge", 1)),
        "template", map("metadata", podMeta, "spec", podSpec))));
    docs.add(object("v1", "Service", meta(name, labels), "spec", map("selector", labels,
        "ports", List.of(map("name", "https", "port", 443, "targetPort", "https", "protocol", "TCP")))));
    docs.add(object("policy/v1", "PodDisruptionBudget", meta(name, labels), "spec",
        map("minAvailable", 1, "selector", map("matchLabels", labels))));

    docs.add(webhookConfiguration("ValidatingWebhookConfiguration", "validate.attest.dev", "/validate"));
    if (pinDigests) {
      docs.add(webhookConfiguration("MutatingWebhookConfiguration", "pin.attest.dev", "/mutate"));
    }
    return docs;
  }

  private Map<String, Object> webhookConfiguration(String kind, String webhookName, String path) throws IOException {
    List<Object> rules = new ArrayList<>();
    Map<String, List<String>> byGroupVersion = new LinkedHashMap<>();
    for (String r : AdmissionHandler.RULES) {
      String[] parts = r.split("/", 3); // group / version / resource[/subresource]
      byGroupVersion.computeIfAbsent(parts[0] + "/" + parts[1], k -> new ArrayList<>()).add(parts[2]);
    }
    byGroupVersion.forEach((gv, resources) -> rules.add(map(
        "apiGroups", List.of(gv.substring(0, gv.indexOf('/'))), "apiVersions", List.of(gv.substring(gv.indexOf('/') + 1)),
        "operations", List.of("CREATE", "UPDATE"), "resources", resources, "scope", "Namespaced")));
    Map<String, Object> client = new LinkedHashMap<>();
    client.put("service", map("namespace", namespace, "name", name, "path", path, "port", 443));
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("name", name);
    metadata.put("labels", map("app.kubernetes.io/name", "attest-admission", "app.kubernetes.io/instance", name));
    if (caBundle != null) {
      client.put("caBundle", Base64.getEncoder().encodeToString(Files.readAllBytes(caBundle)));
    } else {
      metadata.put("annotations", map("cert-manager.io/inject-ca-from", namespace + "/" + name));
    }
    List<String> skip = new ArrayList<>();
    skip.add(namespace);
    excluded.stream().filter(n -> !skip.contains(n)).forEach(skip::add);
    Map<String, Object> webhook = new LinkedHashMap<>();
    webhook.put("name", webhookName);
    webhook.put("admissionReviewVersions", List.of("v1"));
    webhook.put("clientConfig", client);
    webhook.put("rules", rules);
    webhook.put("failurePolicy", "Fail");
    webhook.put("matchPolicy", "Equivalent");
    webhook.put("sideEffects", "None");
    webhook.put("timeoutSeconds", timeoutSeconds);
    webhook.put("namespaceSelector", map("matchExpressions", List.of(map(
        "key", "kubernetes.io/metadata.name", "operator", "NotIn", "values", skip))));
    if (kind.startsWith("Mutating")) {
      webhook.put("reinvocationPolicy", "IfNeeded");
    }
    return object("admissionregistration.k8s.io/v1", kind, metadata, "webhooks", List.of(webhook));
  }

  /**
   * The policy as the files of a ConfigMap: its canonical JSON (keys inline as PEM) as {@code
   * policy.json}, each trusted root beside it under a file name of its own, so no local path is kept.
   */
  private Map<String, String> policyFiles(Policy policy) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = (ObjectNode) json.readTree(policy.toCanonicalJson());
    Map<String, String> files = new LinkedHashMap<>();
    JsonNode trust = root.path("trust");
    int i = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = trust.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode r = e.getValue().get("trustedRoot");
      if (r != null && r.isTextual()) {
        String file = "trusted_root-" + i++ + ".json";
        files.put(file, Files.readString(Path.of(r.asText()), StandardCharsets.UTF_8));
        ((ObjectNode) e.getValue()).put("trustedRoot", file);
      }
    }
    Map<String, String> out = new LinkedHashMap<>();
    try {
      out.put("policy.json", json.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException(ex);
    }
    out.putAll(files);
    return out;
  }

  private Map<String, Object> meta(String n, Map<String, String> labels) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", n);
    m.put("namespace", namespace);
    m.put("labels", labels);
    return m;
  }

  @SuppressWarnings("unchecked")
  private static void annotate(Map<String, Object> meta, String key, String value) {
    ((Map<String, String>) meta.computeIfAbsent("annotations", k -> new LinkedHashMap<String, String>())).put(key, value);
  }

  private static Map<String, Object> object(String apiVersion, String kind, Map<String, Object> metadata, Object... rest) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("apiVersion", apiVersion);
    m.put("kind", kind);
    m.put("metadata", metadata);
    for (int i = 0; i < rest.length; i += 2) {
      m.put((String) rest[i], rest[i + 1]);
    }
    return m;
  }

  @SuppressWarnings("unchecked")
  private static <V> Map<String, V> map(Object... kv) {
    Map<String, V> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], (V) kv[i + 1]);
    }
    return m;
  }
}
