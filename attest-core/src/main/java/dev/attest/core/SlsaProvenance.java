package dev.attest.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attest.core.internal.JsonValues;
import dev.attest.core.internal.OciJson;
import dev.attest.core.internal.OrderedMaps;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A SLSA Provenance v1 predicate: how an artifact was built ({@link BuildDefinition}) and by whom
 * ({@link RunDetails}).
 *
 * <p>Parsed predicates keep their exact bytes, including fields this version does not know;
 * built ones are serialised compactly in spec order, omitting unset fields. Arbitrary JSON
 * (external and internal parameters, annotations) is exposed as plain Java values: ordered
 * {@code Map<String,Object>} and {@code List<Object>}, {@code String}, {@code Boolean}, {@code
 * BigInteger}, {@code BigDecimal} and {@code null}.
 *
 * <p>{@link #fromGitHubActions(Map, String)} fills it the way {@code actions/attest-build-provenance}
 * does, with the buildType {@value #GITHUB_ACTIONS_BUILD_TYPE}.
 *
 * @see <a href="https://slsa.dev/spec/v1.0/provenance">SLSA Provenance v1</a>
 * @see <a href="https://github.com/actions/buildtypes/tree/main/workflow/v1">GitHub Actions workflow
 *     build type</a>
 */
public final class SlsaProvenance implements Predicate {

  /** {@value}. */
  public static final String PREDICATE_TYPE = "https://slsa.dev/provenance/v1";

  /** The buildType that {@code actions/attest-build-provenance} writes: {@value}. */
  public static final String GITHUB_ACTIONS_BUILD_TYPE = "https://actions.github.io/buildtypes/workflow/v1";

  /** The buildType the buildtypes repository documents, accepted on read: {@value}. */
  public static final String GITHUB_ACTIONS_BUILD_TYPE_ALT = "https://github.com/actions/buildtypes/workflow/v1";

  /**
   * What was built and from what.
   *
   * @param buildType a URI naming the template of the build
   * @param externalParameters the parameters under external control; verifiers check these
   * @param internalParameters parameters set by the build platform
   * @param resolvedDependencies artifacts fetched during the build, such as the source commit
   */
  public record BuildDefinition(
      String buildType,
      Map<String, @Nullable Object> externalParameters,
      Map<String, @Nullable Object> internalParameters,
      List<ResourceDescriptor> resolvedDependencies) {
    /** Validates the components and copies the collections. */
    public BuildDefinition {
      requireNonBlank(buildType, "buildDefinition.buildType");
      externalParameters = JsonValues.copyMap(externalParameters, "externalParameters");
      internalParameters = JsonValues.copyMap(internalParameters, "internalParameters");
      resolvedDependencies = List.copyOf(resolvedDependencies);
    }
  }

  /**
   * Who ran the build and when.
   *
   * @param builder the build platform
   * @param metadata invocation id and timestamps
   * @param byproducts additional artifacts the build produced, such as logs
   */
  public record RunDetails(BuilderInfo builder, Metadata metadata, List<ResourceDescriptor> byproducts) {
    /** Validates the components and copies the collections. */
    public RunDetails {
      Objects.requireNonNull(builder, "builder");
      Objects.requireNonNull(metadata, "metadata");
      byproducts = List.copyOf(byproducts);
    }
  }

  /**
   * The build platform ({@code runDetails.builder}).
   *
   * @param id the URI a verifier trusts, for example {@code https://github.com/o/r/.github/workflows/release.yml@refs/heads/main}
   * @param version component name to version
   * @param builderDependencies the platform's own dependencies
   */
  public record BuilderInfo(String id, Map<String, String> version, List<ResourceDescriptor> builderDependencies) {
    /** Validates the components; the id is required. */
    public BuilderInfo {
      requireNonBlank(id, "runDetails.builder.id");
      version = OrderedMaps.orderedCopy(version, "builder.version");
      builderDependencies = List.copyOf(builderDependencies);
    }

    /** A builder known only by its {@code id}. */
    public static BuilderInfo of(String id) {
      return new BuilderInfo(id, Map.of(), List.of());
    }
  }

  /**
   * {@code runDetails.metadata}; every field is optional.
   *
   * @param invocationId identifies this run, for example a URL of the CI run
   * @param startedOn when the build started
   * @param finishedOn when the build finished
   */
  public record Metadata(@Nullable String invocationId, @Nullable Instant startedOn, @Nullable Instant finishedOn) {
    /** No metadata. */
    public static final Metadata EMPTY = new Metadata(null, null, null);

    /** Validates the components. */
    public Metadata {
      if (invocationId != null && invocationId.isEmpty()) {
        invocationId = null;
      }
    }
  }

  /**
   * The typed view of {@code externalParameters.workflow} of the GitHub Actions build type.
   *
   * @param repository {@code <server>/<owner>/<repo>}
   * @param path the workflow file, for example {@code .github/workflows/release.yml}
   * @param ref the git ref the workflow ran from, for example {@code refs/heads/main}
   */
  public record GitHubWorkflow(String repository, String path, String ref) {
    /** Validates the components; every field is required. */
    public GitHubWorkflow {
      requireNonBlank(repository, "workflow.repository");
      requireNonBlank(path, "workflow.path");
      requireNonBlank(ref, "workflow.ref");
    }
  }

  private final BuildDefinition buildDefinition;
  private final RunDetails runDetails;
  private final byte[] json;

  private SlsaProvenance(BuildDefinition buildDefinition, RunDetails runDetails, byte[] json) {
    this.buildDefinition = buildDefinition;
    this.runDetails = runDetails;
    this.json = json;
  }

  /** A provenance of these parts, serialised compactly. */
  public static SlsaProvenance of(BuildDefinition buildDefinition, RunDetails runDetails) {
    Objects.requireNonNull(buildDefinition, "buildDefinition");
    Objects.requireNonNull(runDetails, "runDetails");
    return new SlsaProvenance(buildDefinition, runDetails, JsonValues.bytes(toJson(buildDefinition, runDetails)));
  }

  /** A builder; {@code buildType} and {@code builderId} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Parses a SLSA v1 predicate, keeping {@code json} byte for byte. Unknown fields are ignored
   * (and stay in {@link #json()}).
   *
   * @throws InvalidContentException if it is not a JSON object or a required field is missing or
   *     of the wrong type
   */
  public static SlsaProvenance parse(byte[] json) throws InvalidContentException {
    try {
      return parseUnchecked(json);
    } catch (IllegalArgumentException e) {
      // A value the records refuse, such as a blank buildType: bad content, not API misuse.
      throw new InvalidContentException("SLSA provenance: " + e.getMessage(), e);
    }
  }

  private static SlsaProvenance parseUnchecked(byte[] json) throws InvalidContentException {
    byte[] copy = json.clone();
    JsonNode root = JsonValues.readObject(copy, "SLSA provenance predicate");
    JsonNode bd = JsonValues.optObject(root, "buildDefinition", "predicate");
    JsonNode rd = JsonValues.optObject(root, "runDetails", "predicate");
    if (bd == null) {
      throw new InvalidContentException("SLSA provenance: missing required field 'buildDefinition'");
    }
    if (rd == null) {
      throw new InvalidContentException("SLSA provenance: missing required field 'runDetails'");
    }
    JsonNode ext = bd.get("externalParameters");
    if (ext == null || ext.isNull()) {
      throw new InvalidContentException("SLSA provenance: missing required field 'buildDefinition.externalParameters'");
    }
    BuildDefinition definition =
        new BuildDefinition(
            JsonValues.reqText(bd, "buildType", "buildDefinition"),
            JsonValues.toMap(ext, "buildDefinition.externalParameters"),
            JsonValues.toMap(bd.get("internalParameters"), "buildDefinition.internalParameters"),
            descriptors(bd, "resolvedDependencies", "buildDefinition"));
    JsonNode b = JsonValues.optObject(rd, "builder", "runDetails");
    if (b == null) {
      throw new InvalidContentException("SLSA provenance: missing required field 'runDetails.builder'");
    }
    BuilderInfo builder;
    try {
      builder =
          new BuilderInfo(
              JsonValues.reqText(b, "id", "runDetails.builder"),
              OciJson.stringMap(b.get("version"), "runDetails.builder.version"),
              descriptors(b, "builderDependencies", "runDetails.builder"));
    } catch (IllegalArgumentException e) {
      throw new InvalidContentException("SLSA provenance: " + e.getMessage(), e);
    }
    JsonNode m = JsonValues.optObject(rd, "metadata", "runDetails");
    Metadata metadata =
        m == null
            ? Metadata.EMPTY
            : new Metadata(
                JsonValues.optText(m, "invocationId", "runDetails.metadata"),
                JsonValues.optTime(m, "startedOn", "runDetails.metadata"),
                JsonValues.optTime(m, "finishedOn", "runDetails.metadata"));
    RunDetails run = new RunDetails(builder, metadata, descriptors(rd, "byproducts", "runDetails"));
    return new SlsaProvenance(definition, run, copy);
  }

  /** Whether {@code buildType} is the GitHub Actions workflow build type, in either spelling. */
  public static boolean isGitHubActionsBuildType(@Nullable String buildType) {
    return GITHUB_ACTIONS_BUILD_TYPE.equals(buildType) || GITHUB_ACTIONS_BUILD_TYPE_ALT.equals(buildType);
  }

  /**
   * The provenance of the current GitHub Actions run, as {@code actions/attest-build-provenance}
   * writes it, from the runner's environment variables.
   *
   * <p>Required: {@code GITHUB_SERVER_URL}, {@code GITHUB_REPOSITORY}, {@code GITHUB_WORKFLOW_REF},
   * {@code GITHUB_REF}, {@code GITHUB_SHA}, {@code GITHUB_RUN_ID}, {@code GITHUB_RUN_ATTEMPT},
   * {@code GITHUB_EVENT_NAME}, {@code GITHUB_REPOSITORY_ID}, {@code GITHUB_REPOSITORY_OWNER_ID}.
   * {@code RUNNER_ENVIRONMENT} is written when set.
   *
   * @param env the environment, for example {@code System.getenv()}
   * @param jobWorkflowRefClaim the {@code job_workflow_ref} claim of the run's OIDC token, which
   *     names the reusable workflow when one runs; {@code null} uses {@code GITHUB_WORKFLOW_REF}
   * @throws IllegalArgumentException naming every missing variable, or if {@code
   *     GITHUB_WORKFLOW_REF} is not {@code <repository>/<path>@<ref>}
   */
  public static SlsaProvenance fromGitHubActions(Map<String, String> env, @Nullable String jobWorkflowRefClaim) {
    return github(env, jobWorkflowRefClaim);
  }

  /**
   * As {@link #fromGitHubActions(Map, String)} for a run with no reusable workflow: the builder id
   * comes from {@code GITHUB_WORKFLOW_REF}.
   *
   * @param env the environment, for example {@code System.getenv()}
   * @throws IllegalArgumentException naming every missing variable
   */
  public static SlsaProvenance fromGitHubActions(Map<String, String> env) {
    return github(env, null);
  }

  /**
   * As {@link #fromGitHubActions(Map, String)}, with the claims of the run's OIDC token. The
   * claims {@code repository}, {@code workflow_ref}, {@code ref}, {@code sha}, {@code run_id},
   * {@code run_attempt}, {@code event_name}, {@code repository_id}, {@code repository_owner_id}
   * and {@code runner_environment} take precedence over the environment, as in the action;
   * {@code job_workflow_ref} gives the builder id.
   */
  public static SlsaProvenance fromGitHubActionsToken(Map<String, String> env, Map<String, ?> claims) {
    Map<String, String> merged = new LinkedHashMap<>(env);
    for (String[] pair : CLAIM_TO_ENV) {
      Object v = claims.get(pair[0]);
      if (v != null) {
        merged.put(pair[1], v.toString());
      }
    }
    Object jobRef = claims.get("job_workflow_ref");
    return github(merged, jobRef == null ? null : jobRef.toString());
  }

  private static final String[][] CLAIM_TO_ENV = {
    {"repository", "GITHUB_REPOSITORY"},
    {"workflow_ref", "GITHUB_WORKFLOW_REF"},
    {"ref", "GITHUB_REF"},
    {"sha", "GITHUB_SHA"},
    {"run_id", "GITHUB_RUN_ID"},
    {"run_attempt", "GITHUB_RUN_ATTEMPT"},
    {"event_name", "GITHUB_EVENT_NAME"},
    {"repository_id", "GITHUB_REPOSITORY_ID"},
    {"repository_owner_id", "GITHUB_REPOSITORY_OWNER_ID"},
    {"runner_environment", "RUNNER_ENVIRONMENT"},
  };

  private static final List<String> GITHUB_REQUIRED =
      List.of(
          "GITHUB_SERVER_URL",
          "GITHUB_REPOSITORY",
          "GITHUB_WORKFLOW_REF",
          "GITHUB_REF",
          "GITHUB_SHA",
          "GITHUB_RUN_ID",
          "GITHUB_RUN_ATTEMPT",
          "GITHUB_EVENT_NAME",
          "GITHUB_REPOSITORY_ID",
          "GITHUB_REPOSITORY_OWNER_ID");

  private static SlsaProvenance github(Map<String, String> env, @Nullable String jobWorkflowRef) {
    List<String> missing = new ArrayList<>();
    for (String k : GITHUB_REQUIRED) {
      String v = env.get(k);
      if (v == null || v.isBlank()) {
        missing.add(k);
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(
          "not a GitHub Actions environment: missing " + String.join(", ", missing));
    }
    String server = stripSlash(env.get("GITHUB_SERVER_URL"));
    String repo = env.get("GITHUB_REPOSITORY");
    String workflowRef = env.get("GITHUB_WORKFLOW_REF");
    int at = workflowRef.indexOf('@');
    String prefix = repo + "/";
    if (at < 0 || !workflowRef.startsWith(prefix) || at <= prefix.length() || at == workflowRef.length() - 1) {
      throw new IllegalArgumentException(
          "GITHUB_WORKFLOW_REF must be '" + repo + "/<path>@<ref>', got '" + workflowRef + "'");
    }
    Map<String, Object> workflow = new LinkedHashMap<>();
    workflow.put("ref", workflowRef.substring(at + 1));
    workflow.put("repository", server + "/" + repo);
    workflow.put("path", workflowRef.substring(prefix.length(), at));
    Map<String, Object> gh = new LinkedHashMap<>();
    gh.put("event_name", env.get("GITHUB_EVENT_NAME"));
    gh.put("repository_id", env.get("GITHUB_REPOSITORY_ID"));
    gh.put("repository_owner_id", env.get("GITHUB_REPOSITORY_OWNER_ID"));
    String runnerEnv = env.get("RUNNER_ENVIRONMENT");
    if (runnerEnv != null && !runnerEnv.isBlank()) {
      gh.put("runner_environment", runnerEnv);
    }
    String builderRef = jobWorkflowRef == null || jobWorkflowRef.isBlank() ? workflowRef : jobWorkflowRef;
    return builder()
        .buildType(GITHUB_ACTIONS_BUILD_TYPE)
        .externalParameters(Map.of("workflow", workflow))
        .internalParameters(Map.of("github", gh))
        .addResolvedDependency(
            ResourceDescriptor.of(
                "git+" + server + "/" + repo + "@" + env.get("GITHUB_REF"), "gitCommit", env.get("GITHUB_SHA")))
        .builderId(server + "/" + builderRef)
        .invocationId(
            server + "/" + repo + "/actions/runs/" + env.get("GITHUB_RUN_ID") + "/attempts/"
                + env.get("GITHUB_RUN_ATTEMPT"))
        .build();
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  @Override
  public String predicateType() {
    return PREDICATE_TYPE;
  }

  @Override
  public byte[] json() {
    return json.clone();
  }

  /** The {@code buildDefinition}: what was built, how, from what. */
  public BuildDefinition buildDefinition() {
    return buildDefinition;
  }

  /** The {@code runDetails}: who built it, when, what came out. */
  public RunDetails runDetails() {
    return runDetails;
  }

  /** Shorthand for {@code buildDefinition().buildType()}. */
  public String buildType() {
    return buildDefinition.buildType();
  }

  /** Shorthand for {@code runDetails().builder().id()}. */
  public String builderId() {
    return runDetails.builder().id();
  }

  /**
   * {@code externalParameters.workflow} when the build type is the GitHub Actions one (either
   * spelling) and it has string {@code repository}, {@code path} and {@code ref}.
   */
  public Optional<GitHubWorkflow> gitHubWorkflow() {
    if (!isGitHubActionsBuildType(buildType())
        || !(buildDefinition.externalParameters().get("workflow") instanceof Map<?, ?> w)) {
      return Optional.empty();
    }
    if (w.get("repository") instanceof String repo
        && w.get("path") instanceof String path
        && w.get("ref") instanceof String ref
        && !repo.isBlank()
        && !path.isBlank()
        && !ref.isBlank()) {
      return Optional.of(new GitHubWorkflow(repo, path, ref));
    }
    return Optional.empty();
  }

  /**
   * A string of {@code internalParameters.github} of the GitHub Actions build type, such as
   * {@code event_name}, {@code repository_id}, {@code repository_owner_id} or {@code
   * runner_environment}.
   */
  public Optional<String> gitHubInternalParameter(String name) {
    if (isGitHubActionsBuildType(buildType())
        && buildDefinition.internalParameters().get("github") instanceof Map<?, ?> gh
        && gh.get(name) instanceof String s) {
      return Optional.of(s);
    }
    return Optional.empty();
  }

  /** A builder with everything set from this provenance, to make a variant. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.buildType = buildDefinition.buildType();
    b.externalParameters = buildDefinition.externalParameters();
    b.internalParameters = buildDefinition.internalParameters();
    b.resolvedDependencies.addAll(buildDefinition.resolvedDependencies());
    b.builderId = runDetails.builder().id();
    b.builderVersion = runDetails.builder().version();
    b.builderDependencies.addAll(runDetails.builder().builderDependencies());
    b.invocationId = runDetails.metadata().invocationId();
    b.startedOn = runDetails.metadata().startedOn();
    b.finishedOn = runDetails.metadata().finishedOn();
    b.byproducts.addAll(runDetails.byproducts());
    return b;
  }

  /** Equal when the JSON bytes (and predicate type) are identical, not merely equivalent. */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof SlsaProvenance p && Arrays.equals(p.json, json);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(json);
  }

  @Override
  public String toString() {
    return "SlsaProvenance[buildType=" + buildType() + ", builder=" + builderId() + "]";
  }

  /** Builds a {@link SlsaProvenance}; {@code buildType} and {@code builderId} are required. */
  public static final class Builder {
    private @Nullable String buildType;
    private Map<String, ?> externalParameters = Map.of();
    private Map<String, ?> internalParameters = Map.of();
    private final List<ResourceDescriptor> resolvedDependencies = new ArrayList<>();
    private @Nullable String builderId;
    private Map<String, String> builderVersion = Map.of();
    private final List<ResourceDescriptor> builderDependencies = new ArrayList<>();
    private @Nullable String invocationId;
    private @Nullable Instant startedOn;
    private @Nullable Instant finishedOn;
    private final List<ResourceDescriptor> byproducts = new ArrayList<>();

    private Builder() {}

    /** Sets {@code buildDefinition.buildType} (required). */
    public Builder buildType(String buildType) {
      this.buildType = buildType;
      return this;
    }

    /** Plain Java values (maps, lists, strings, booleans, numbers, null). */
    public Builder externalParameters(Map<String, ?> externalParameters) {
      this.externalParameters = JsonValues.copyMap(externalParameters, "externalParameters");
      return this;
    }

    /** Plain Java values (maps, lists, strings, booleans, numbers, null). */
    public Builder internalParameters(Map<String, ?> internalParameters) {
      this.internalParameters = JsonValues.copyMap(internalParameters, "internalParameters");
      return this;
    }

    /** Adds a {@code buildDefinition.resolvedDependencies} entry. */
    public Builder addResolvedDependency(ResourceDescriptor dependency) {
      resolvedDependencies.add(Objects.requireNonNull(dependency, "dependency"));
      return this;
    }

    /** Sets {@code runDetails.builder.id} (required), what verifiers trust. */
    public Builder builderId(String builderId) {
      this.builderId = builderId;
      return this;
    }

    /** Sets {@code runDetails.builder.version}. */
    public Builder builderVersion(Map<String, String> version) {
      this.builderVersion = OrderedMaps.orderedCopy(version, "builder.version");
      return this;
    }

    /** Adds a {@code runDetails.builder.builderDependencies} entry. */
    public Builder addBuilderDependency(ResourceDescriptor dependency) {
      builderDependencies.add(Objects.requireNonNull(dependency, "dependency"));
      return this;
    }

    /** Sets {@code runDetails.metadata.invocationId}; null for none. */
    public Builder invocationId(@Nullable String invocationId) {
      this.invocationId = invocationId;
      return this;
    }

    /** Sets {@code runDetails.metadata.startedOn}; null for none. */
    public Builder startedOn(@Nullable Instant startedOn) {
      this.startedOn = startedOn;
      return this;
    }

    /** Sets {@code runDetails.metadata.finishedOn}; null for none. */
    public Builder finishedOn(@Nullable Instant finishedOn) {
      this.finishedOn = finishedOn;
      return this;
    }

    /** Adds a {@code runDetails.byproducts} entry. */
    public Builder addByproduct(ResourceDescriptor byproduct) {
      byproducts.add(Objects.requireNonNull(byproduct, "byproduct"));
      return this;
    }

    /**
     * @throws IllegalStateException if {@code buildType} or {@code builderId} is not set
     */
    public SlsaProvenance build() {
      if (buildType == null || buildType.isBlank()) {
        throw new IllegalStateException("SLSA provenance needs a buildType");
      }
      if (builderId == null || builderId.isBlank()) {
        throw new IllegalStateException("SLSA provenance needs a builder id");
      }
      return of(
          new BuildDefinition(
              buildType,
              JsonValues.copyMap(externalParameters, "externalParameters"),
              JsonValues.copyMap(internalParameters, "internalParameters"),
              resolvedDependencies),
          new RunDetails(
              new BuilderInfo(builderId, builderVersion, builderDependencies),
              new Metadata(invocationId, startedOn, finishedOn),
              byproducts));
    }
  }

  // --- JSON ---

  private static ObjectNode toJson(BuildDefinition bd, RunDetails rd) {
    ObjectNode root = JsonValues.newObject();
    ObjectNode def = root.putObject("buildDefinition");
    def.put("buildType", bd.buildType());
    def.set("externalParameters", JsonValues.toNode(bd.externalParameters()));
    if (!bd.internalParameters().isEmpty()) {
      def.set("internalParameters", JsonValues.toNode(bd.internalParameters()));
    }
    putDescriptors(def, "resolvedDependencies", bd.resolvedDependencies());
    ObjectNode run = root.putObject("runDetails");
    ObjectNode b = run.putObject("builder");
    b.put("id", rd.builder().id());
    if (!rd.builder().version().isEmpty()) {
      b.set("version", JsonValues.toNode(rd.builder().version()));
    }
    putDescriptors(b, "builderDependencies", rd.builder().builderDependencies());
    Metadata m = rd.metadata();
    if (m.invocationId() != null || m.startedOn() != null || m.finishedOn() != null) {
      ObjectNode meta = run.putObject("metadata");
      if (m.invocationId() != null) {
        meta.put("invocationId", m.invocationId());
      }
      if (m.startedOn() != null) {
        meta.put("startedOn", m.startedOn().toString());
      }
      if (m.finishedOn() != null) {
        meta.put("finishedOn", m.finishedOn().toString());
      }
    }
    putDescriptors(run, "byproducts", rd.byproducts());
    return root;
  }

  private static void putDescriptors(ObjectNode parent, String field, List<ResourceDescriptor> list) {
    if (list.isEmpty()) {
      return;
    }
    ArrayNode a = parent.putArray(field);
    for (ResourceDescriptor r : list) {
      ObjectNode o = a.addObject();
      if (r.uri() != null) {
        o.put("uri", r.uri());
      }
      if (!r.digest().isEmpty()) {
        o.set("digest", JsonValues.toNode(r.digest()));
      }
      if (r.name() != null) {
        o.put("name", r.name());
      }
      if (r.downloadLocation() != null) {
        o.put("downloadLocation", r.downloadLocation());
      }
      if (r.mediaType() != null) {
        o.put("mediaType", r.mediaType());
      }
      if (!r.annotations().isEmpty()) {
        o.set("annotations", JsonValues.toNode(r.annotations()));
      }
    }
  }

  private static List<ResourceDescriptor> descriptors(JsonNode parent, String field, String where)
      throws InvalidContentException {
    JsonNode a = JsonValues.optArray(parent, field, where);
    List<ResourceDescriptor> out = new ArrayList<>(a.size());
    int i = 0;
    for (JsonNode n : a) {
      String at = where + "." + field + "[" + i++ + "]";
      if (!n.isObject()) {
        throw new InvalidContentException("SLSA provenance: " + at + " must be a JSON object");
      }
      String uri = JsonValues.optText(n, "uri", at);
      Map<String, String> digest = OciJson.stringMap(n.get("digest"), at + ".digest");
      JsonNode content = n.get("content");
      if (uri == null && digest.isEmpty() && (content == null || content.isNull())) {
        throw new InvalidContentException(
            "SLSA provenance: " + at + " must have at least one of uri, digest or content");
      }
      try {
        out.add(
            new ResourceDescriptor(
                uri,
                digest,
                JsonValues.optText(n, "name", at),
                JsonValues.optText(n, "downloadLocation", at),
                JsonValues.optText(n, "mediaType", at),
                JsonValues.toMap(n.get("annotations"), at + ".annotations")));
      } catch (IllegalArgumentException e) {
        throw new InvalidContentException("SLSA provenance: " + at + ": " + e.getMessage(), e);
      }
    }
    return out;
  }

  private static void requireNonBlank(@Nullable String s, String what) {
    if (s == null || s.isBlank()) {
      throw new IllegalArgumentException(what + " must not be blank");
    }
  }
}
