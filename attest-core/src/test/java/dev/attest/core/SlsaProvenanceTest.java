package dev.attest.core;

import static dev.attest.core.Fixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@SuppressWarnings("unchecked")
class SlsaProvenanceTest {

  static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("GITHUB_SERVER_URL", "https://github.com");
    env.put("GITHUB_REPOSITORY", "octo-org/octo-repo");
    env.put("GITHUB_WORKFLOW_REF", "octo-org/octo-repo/.github/workflows/release.yml@refs/heads/main");
    env.put("GITHUB_REF", "refs/heads/main");
    env.put("GITHUB_SHA", "7d2a2b5c9e1f3a4b6c8d0e2f4a6b8c0d2e4f6a8b");
    env.put("GITHUB_RUN_ID", "1234567890");
    env.put("GITHUB_RUN_ATTEMPT", "2");
    env.put("GITHUB_EVENT_NAME", "push");
    env.put("GITHUB_REPOSITORY_ID", "123456");
    env.put("GITHUB_REPOSITORY_OWNER_ID", "654321");
    env.put("RUNNER_ENVIRONMENT", "github-hosted");
    env.put("UNRELATED", "ignored");
    return env;
  }

  @Test
  void fillsEveryFieldFromTheGitHubActionsEnvironment() throws Exception {
    SlsaProvenance p = SlsaProvenance.fromGitHubActions(env());

    assertThat(p.predicateType()).isEqualTo("https://slsa.dev/provenance/v1");
    assertThat(p.buildType()).isEqualTo("https://actions.github.io/buildtypes/workflow/v1");
    assertThat(p.buildDefinition().externalParameters())
        .isEqualTo(
            Map.of(
                "workflow",
                Map.of(
                    "ref", "refs/heads/main",
                    "repository", "https://github.com/octo-org/octo-repo",
                    "path", ".github/workflows/release.yml")));
    assertThat(p.gitHubWorkflow())
        .contains(
            new SlsaProvenance.GitHubWorkflow(
                "https://github.com/octo-org/octo-repo", ".github/workflows/release.yml", "refs/heads/main"));
    assertThat(p.buildDefinition().internalParameters())
        .isEqualTo(
            Map.of(
                "github",
                Map.of(
                    "event_name", "push",
                    "repository_id", "123456",
                    "repository_owner_id", "654321",
                    "runner_environment", "github-hosted")));
    assertThat(p.gitHubInternalParameter("repository_id")).contains("123456");
    assertThat(p.buildDefinition().resolvedDependencies())
        .containsExactly(
            new ResourceDescriptor(
                "git+https://github.com/octo-org/octo-repo@refs/heads/main",
                Map.of("gitCommit", "7d2a2b5c9e1f3a4b6c8d0e2f4a6b8c0d2e4f6a8b"),
                null,
                null,
                null,
                Map.of()));
    assertThat(p.builderId())
        .isEqualTo("https://github.com/octo-org/octo-repo/.github/workflows/release.yml@refs/heads/main");
    assertThat(p.runDetails().builder().version()).isEmpty();
    assertThat(p.runDetails().builder().builderDependencies()).isEmpty();
    assertThat(p.runDetails().metadata())
        .isEqualTo(
            new SlsaProvenance.Metadata(
                "https://github.com/octo-org/octo-repo/actions/runs/1234567890/attempts/2", null, null));
    assertThat(p.runDetails().byproducts()).isEmpty();

    // The exact JSON, in the action's shape.
    assertThat(new String(p.json(), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"buildDefinition\":{\"buildType\":\"https://actions.github.io/buildtypes/workflow/v1\","
                + "\"externalParameters\":{\"workflow\":{\"ref\":\"refs/heads/main\","
                + "\"repository\":\"https://github.com/octo-org/octo-repo\",\"path\":\".github/workflows/release.yml\"}},"
                + "\"internalParameters\":{\"github\":{\"event_name\":\"push\",\"repository_id\":\"123456\","
                + "\"repository_owner_id\":\"654321\",\"runner_environment\":\"github-hosted\"}},"
                + "\"resolvedDependencies\":[{\"uri\":\"git+https://github.com/octo-org/octo-repo@refs/heads/main\","
                + "\"digest\":{\"gitCommit\":\"7d2a2b5c9e1f3a4b6c8d0e2f4a6b8c0d2e4f6a8b\"}}]},"
                + "\"runDetails\":{\"builder\":{\"id\":\"https://github.com/octo-org/octo-repo/.github/workflows/release.yml@refs/heads/main\"},"
                + "\"metadata\":{\"invocationId\":\"https://github.com/octo-org/octo-repo/actions/runs/1234567890/attempts/2\"}}}");

    // And it reads back the same.
    SlsaProvenance back = SlsaProvenance.parse(p.json());
    assertThat(back).isEqualTo(p);
    assertThat(back.buildDefinition()).isEqualTo(p.buildDefinition());
    assertThat(back.runDetails()).isEqualTo(p.runDetails());
  }

  @Test
  void builderIdComesFromTheJobWorkflowRefClaimForReusableWorkflows() {
    SlsaProvenance p =
        SlsaProvenance.fromGitHubActions(env(), "octo-org/shared/.github/workflows/build.yml@refs/tags/v2");
    assertThat(p.builderId()).isEqualTo("https://github.com/octo-org/shared/.github/workflows/build.yml@refs/tags/v2");
    // The workflow is still the caller's.
    assertThat(p.gitHubWorkflow().orElseThrow().path()).isEqualTo(".github/workflows/release.yml");
  }

  @Test
  void claimsTakePrecedenceOverTheEnvironment() {
    Map<String, Object> claims =
        Map.of(
            "job_workflow_ref", "octo-org/shared/.github/workflows/build.yml@refs/heads/main",
            "sha", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "run_attempt", "3");
    SlsaProvenance p = SlsaProvenance.fromGitHubActionsToken(env(), claims);
    assertThat(p.builderId()).isEqualTo("https://github.com/octo-org/shared/.github/workflows/build.yml@refs/heads/main");
    assertThat(p.buildDefinition().resolvedDependencies().get(0).digest())
        .containsExactly(Map.entry("gitCommit", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
    assertThat(p.runDetails().metadata().invocationId()).endsWith("/actions/runs/1234567890/attempts/3");
  }

  @Test
  void gitHubEnterpriseServerUrlAndNoRunnerEnvironment() {
    Map<String, String> env = env();
    env.put("GITHUB_SERVER_URL", "https://ghe.example.com/");
    env.remove("RUNNER_ENVIRONMENT");
    SlsaProvenance p = SlsaProvenance.fromGitHubActions(env);
    assertThat(p.gitHubWorkflow().orElseThrow().repository()).isEqualTo("https://ghe.example.com/octo-org/octo-repo");
    assertThat(p.gitHubInternalParameter("runner_environment")).isEmpty();
    assertThat(p.builderId()).startsWith("https://ghe.example.com/octo-org/octo-repo/");
  }

  @Test
  void missingVariablesAreNamed() {
    Map<String, String> env = env();
    env.remove("GITHUB_SHA");
    env.put("GITHUB_RUN_ID", "");
    assertThatThrownBy(() -> SlsaProvenance.fromGitHubActions(env))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a GitHub Actions environment: missing GITHUB_SHA, GITHUB_RUN_ID");
  }

  @Test
  void malformedWorkflowRefIsRefused() {
    Map<String, String> env = env();
    env.put("GITHUB_WORKFLOW_REF", "other/repo/.github/workflows/x.yml@refs/heads/main");
    assertThatThrownBy(() -> SlsaProvenance.fromGitHubActions(env))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("GITHUB_WORKFLOW_REF must be 'octo-org/octo-repo/<path>@<ref>'");
    env.put("GITHUB_WORKFLOW_REF", "octo-org/octo-repo/.github/workflows/x.yml");
    assertThatThrownBy(() -> SlsaProvenance.fromGitHubActions(env))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parsesEveryFieldAndKeepsUnknownOnesInTheBytes() throws Exception {
    byte[] json = Fixtures.bytes("slsa-github.json");
    SlsaProvenance p = SlsaProvenance.parse(json);
    assertThat(p.json()).isEqualTo(json);
    assertThat(SlsaProvenance.isGitHubActionsBuildType(p.buildType())).isTrue();
    assertThat(p.gitHubWorkflow())
        .contains(
            new SlsaProvenance.GitHubWorkflow(
                "https://github.com/octo-org/octo-repo", ".github/workflows/release.yml", "refs/tags/v1.2.3"));
    Map<?, ?> inputs = (Map<?, ?>) p.buildDefinition().externalParameters().get("inputs");
    assertThat(inputs.get("dry_run")).isEqualTo(false);
    assertThat(inputs.get("count")).isEqualTo(BigInteger.valueOf(3));
    assertThat(inputs.get("ratio")).isEqualTo(new BigDecimal("0.5"));
    assertThat((List<Object>) inputs.get("tags")).containsExactly("a", "b");
    assertThat(inputs.containsKey("nothing")).isTrue();
    assertThat(inputs.get("nothing")).isNull();
    assertThat(p.gitHubInternalParameter("runner_environment")).contains("github-hosted");

    List<ResourceDescriptor> deps = p.buildDefinition().resolvedDependencies();
    assertThat(deps).hasSize(2);
    ResourceDescriptor base = deps.get(1);
    assertThat(base.uri()).isNull();
    assertThat(base.name()).isEqualTo("base-image");
    assertThat(base.digest()).containsEntry("sha256", "3".repeat(64));
    assertThat(base.mediaType()).isEqualTo("application/vnd.oci.image.index.v1+json");
    assertThat(base.downloadLocation()).isEqualTo("https://registry.example/base");
    assertThat(base.annotations()).isEqualTo(Map.of("note", "pinned"));

    assertThat(p.builderId()).isEqualTo("https://github.com/octo-org/shared/.github/workflows/build.yml@refs/heads/main");
    assertThat(p.runDetails().builder().version()).isEqualTo(Map.of("runner", "2.320.0"));
    assertThat(p.runDetails().metadata().startedOn()).isEqualTo(Instant.parse("2026-11-20T08:00:00Z"));
    assertThat(p.runDetails().metadata().finishedOn()).isEqualTo(Instant.parse("2026-11-20T08:05:00Z"));
    assertThat(p.runDetails().byproducts()).containsExactly(ResourceDescriptor.ofUri("https://example.com/log.txt"));
  }

  @Test
  void otherBuildTypesHaveNoGitHubView() {
    SlsaProvenance p =
        SlsaProvenance.builder()
            .buildType("https://example.com/buildtypes/make/v1")
            .externalParameters(Map.of("workflow", Map.of("repository", "r", "path", "p", "ref", "x")))
            .builderId("https://example.com/builder")
            .build();
    assertThat(SlsaProvenance.isGitHubActionsBuildType(p.buildType())).isFalse();
    assertThat(p.gitHubWorkflow()).isEmpty();
  }

  @Test
  void builderWritesEveryField() throws Exception {
    SlsaProvenance p =
        SlsaProvenance.builder()
            .buildType("https://example.com/bt/v1")
            .externalParameters(Map.of("source", "git+https://example.com/r"))
            .internalParameters(Map.of("n", 1))
            .addResolvedDependency(ResourceDescriptor.of("git+https://example.com/r", "gitCommit", "abc"))
            .builderId("https://example.com/builder")
            .builderVersion(Map.of("ci", "1.0"))
            .addBuilderDependency(ResourceDescriptor.ofUri("https://example.com/tool").withName("tool"))
            .invocationId("run-1")
            .startedOn(Instant.parse("2026-01-01T00:00:00Z"))
            .finishedOn(Instant.parse("2026-01-01T00:01:00.5Z"))
            .addByproduct(ResourceDescriptor.ofUri("https://example.com/log"))
            .build();
    assertThat(new String(p.json(), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"buildDefinition\":{\"buildType\":\"https://example.com/bt/v1\",\"externalParameters\":{\"source\":\"git+https://example.com/r\"},"
                + "\"internalParameters\":{\"n\":1},\"resolvedDependencies\":[{\"uri\":\"git+https://example.com/r\",\"digest\":{\"gitCommit\":\"abc\"}}]},"
                + "\"runDetails\":{\"builder\":{\"id\":\"https://example.com/builder\",\"version\":{\"ci\":\"1.0\"},"
                + "\"builderDependencies\":[{\"uri\":\"https://example.com/tool\",\"name\":\"tool\"}]},"
                + "\"metadata\":{\"invocationId\":\"run-1\",\"startedOn\":\"2026-01-01T00:00:00Z\",\"finishedOn\":\"2026-01-01T00:01:00.500Z\"},"
                + "\"byproducts\":[{\"uri\":\"https://example.com/log\"}]}}");
    SlsaProvenance back = SlsaProvenance.parse(p.json());
    assertThat(back.buildDefinition()).isEqualTo(p.buildDefinition());
    assertThat(back.runDetails()).isEqualTo(p.runDetails());
    assertThat(back.toBuilder().build()).isEqualTo(p);
  }

  @Test
  void builderNeedsBuildTypeAndBuilderId() {
    assertThatThrownBy(() -> SlsaProvenance.builder().builderId("b").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("buildType");
    assertThatThrownBy(() -> SlsaProvenance.builder().buildType("t").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("builder id");
  }

  @Test
  void refusesMissingRequiredFields() {
    assertThatThrownBy(() -> SlsaProvenance.parse(utf8("{\"runDetails\":{\"builder\":{\"id\":\"b\"}}}")))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("'buildDefinition'");
    assertThatThrownBy(
            () ->
                SlsaProvenance.parse(
                    utf8("{\"buildDefinition\":{\"buildType\":\"t\",\"externalParameters\":{}},\"runDetails\":{\"builder\":{}}}")))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("runDetails.builder: missing required field 'id'");
    assertThatThrownBy(
            () ->
                SlsaProvenance.parse(
                    utf8("{\"buildDefinition\":{\"buildType\":\"t\"},\"runDetails\":{\"builder\":{\"id\":\"b\"}}}")))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("externalParameters");
    assertThatThrownBy(
            () ->
                SlsaProvenance.parse(
                    utf8("{\"buildDefinition\":{\"buildType\":\"t\",\"externalParameters\":{},\"resolvedDependencies\":[{\"name\":\"n\"}]},"
                        + "\"runDetails\":{\"builder\":{\"id\":\"b\"}}}")))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("resolvedDependencies[0] must have at least one of uri, digest or content");
  }

  @Test
  void refusesBadTimestampsAndTypes() {
    assertThatThrownBy(
            () ->
                SlsaProvenance.parse(
                    utf8("{\"buildDefinition\":{\"buildType\":\"t\",\"externalParameters\":{}},"
                        + "\"runDetails\":{\"builder\":{\"id\":\"b\"},\"metadata\":{\"startedOn\":\"yesterday\"}}}")))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("runDetails.metadata.startedOn is not an RFC 3339 timestamp");
    assertThatThrownBy(
            () ->
                SlsaProvenance.parse(
                    utf8("{\"buildDefinition\":{\"buildType\":7,\"externalParameters\":{}},\"runDetails\":{\"builder\":{\"id\":\"b\"}}}")))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("buildDefinition.buildType must be a string");
  }

  @Test
  void blankValuesInContentAreInvalidContentNotIllegalArgument() {
    assertThatThrownBy(
            () ->
                SlsaProvenance.parse(
                    utf8("{\"buildDefinition\":{\"buildType\":\"  \",\"externalParameters\":{}},\"runDetails\":{\"builder\":{\"id\":\"b\"}}}")))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("buildDefinition.buildType must not be blank");
  }
}
