package dev.attest.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attest.cli.PackagedJar.Run;
import dev.attest.core.CycloneDxSbom;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.ImageIndex;
import dev.attest.core.ImageManifest;
import dev.attest.core.Keys;
import dev.attest.core.Manifest;
import dev.attest.core.Platform;
import dev.attest.core.SbomComponent;
import dev.attest.testing.EmbeddedRegistry;
import dev.attest.registry.OciLayout;
import dev.attest.registry.Registry;
import dev.attest.registry.RemoteRegistry;
import dev.attest.testing.TestImages;
import dev.attest.registry.testing.DockerRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar as a separate process: the issue 14 walk-through (promote to 2.8.2, a deleted
 * SBOM referrer, one more promote heals it), the exit code of each command for each class of
 * outcome (success 0, deny or conflicting tag 1, usage 2, registry failure 3), and the air gap
 * through an OCI layout (registry, layout, second registry, byte for byte; skopeo reads it).
 */
class PromoteJarIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String UNREACHABLE = "127.0.0.1:1";

  static EmbeddedRegistry dev;
  static DockerRegistry prod;
  static RemoteRegistry devClient;
  static RemoteRegistry prodClient;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    dev = EmbeddedRegistry.builder().inMemory().build().start();
    prod = DockerRegistry.start();
    devClient = RemoteRegistry.builder(dev.host()).build();
    prodClient = RemoteRegistry.builder(prod.hostPort()).build();
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {devClient, prodClient, dev, prod}) {
      if (c != null) {
        c.close();
      }
    }
  }

  private Run attest(String... args) throws Exception {
    return new PackagedJar(dir).run(args);
  }

  /** attest.key, attest.pub, bom.json and a policy requiring a signature and the SBOM. */
  private void inputs() throws Exception {
    KeyPair key = Keys.generateP256();
    Files.write(dir.resolve("attest.key"), Keys.writePrivateKeyPem(key.getPrivate()));
    Files.write(dir.resolve("attest.pub"), Keys.writePublicKeyPem(key.getPublic()));
    Files.write(dir.resolve("bom.json"),
        CycloneDxSbom.fromComponents(List.of(SbomComponent.of("app", "1.0", "pkg:maven/acme/app@1.0"))).json());
    Files.writeString(dir.resolve("policy.yaml"), """
        name: heal
        trust: {k: {publicKeys: [{path: attest.pub}]}}
        signature: {trust: k}
        attestations:
          - predicateType: https://cyclonedx.org/bom
            trust: k
        """);
  }

  /** A signed 2-platform image with an SBOM on the index and on each platform; its digest reference. */
  private String signedImage(String repo) throws Exception {
    ImageIndex index = TestImages.pushIndex(dev, repo, "v1", TestImages.Format.OCI,
        List.of(Platform.parse("linux/amd64"), Platform.parse("linux/arm64")));
    String ref = dev.host() + "/" + repo + "@" + index.digest();
    Run sign = attest("sign", ref, "--key", "attest.key", "--recursive");
    assertThat(sign.exitCode()).as(sign.toString()).isZero();
    Run att = attest("attest", ref, "--sbom", "bom.json", "--key", "attest.key", "--recursive");
    assertThat(att.exitCode()).as(att.toString()).isZero();
    return ref;
  }

  @Test
  void aDeletedSbomReferrerAtA28DestinationIsRepairedByTheNextPromotion() throws Exception {
    inputs();
    String ref = signedImage("heal/app");
    Digest digest = Digest.parse(ref.substring(ref.indexOf('@') + 1));
    String to = prod.hostPort() + "/prod/app";
    String promoted = to + "@" + digest;

    Run first = attest("promote", ref, "--to", to, "--tag", "v1", "--policy", "policy.yaml");
    assertThat(first.exitCode()).as(first.toString()).isZero();
    Run verified = attest("verify", promoted, "--policy", "policy.yaml");
    assertThat(verified.exitCode()).as(verified.toString()).isZero();

    // Garbage collection or a retention policy deletes the SBOM's manifest; its index still lists it.
    Descriptor sbom = prodClient.referrers("prod/app", digest, null).stream()
        .filter(d -> CycloneDxSbom.PREDICATE_TYPE.equals(d.annotations().get("dev.sigstore.bundle.predicateType")))
        .findFirst().orElseThrow();
    prodClient.delete("prod/app", sbom.digest());
    Run denied = attest("verify", promoted, "--policy", "policy.yaml");
    assertThat(denied.exitCode()).as(denied.toString()).isEqualTo(1);
    assertThat(denied.out()).contains("DENY").contains("cyclonedx");

    // tree, the plan and the report agree on what is missing and what is repaired.
    Run tree = attest("tree", promoted, "--output", "json");
    assertThat(tree.exitCode()).as(tree.toString()).isZero();
    JsonNode treeJson = JSON.readTree(tree.out());
    assertThat(treeJson.get("missing").asInt()).isEqualTo(1);
    assertThat(treeJson.findValues("digest").stream().map(JsonNode::asText)).contains(sbom.digest().toString());
    assertThat(attest("tree", promoted).out()).contains(sbom.digest() + " predicateType=")
        .contains("MISSING").contains("1 missing");
    Run plan = attest("promote", ref, "--to", to, "--tag", "v1", "--policy", "policy.yaml", "--plan",
        "--output", "json");
    assertThat(plan.exitCode()).as(plan.toString()).isZero();
    JsonNode planJson = JSON.readTree(plan.out());
    assertThat(planJson.get("repair").asInt()).isEqualTo(1);
    assertThat(planJson.get("items").findValues("status").stream().map(JsonNode::asText)).contains("repair");

    Run heal = attest("promote", ref, "--to", to, "--tag", "v1", "--policy", "policy.yaml", "--output", "json");
    assertThat(heal.exitCode()).as(heal.toString()).isZero();
    JsonNode report = JSON.readTree(heal.out());
    assertThat(report.get("promoted").asBoolean()).isTrue();
    assertThat(report.get("repaired").toString()).contains(sbom.digest().toString());
    Run allowed = attest("verify", promoted, "--policy", "policy.yaml");
    assertThat(allowed.exitCode()).as(allowed.toString()).isZero();
    assertThat(JSON.readTree(attest("tree", promoted, "--output", "json").out()).get("missing").asInt()).isZero();
    assertThat(prodClient.resolve("prod/app", "v1").digest()).isEqualTo(digest);

    // A deleted blob (the SBOM's bundle) is not seen by the plan (the manifest vouches for it):
    // the verification at the destination denies, a full re-check repairs it, and it allows.
    ImageManifest sbomManifest = (ImageManifest) prodClient.fetchManifest("prod/app", sbom.digest().toString());
    prodClient.delete("prod/app", sbomManifest.layers().get(0).digest());
    Run recheck = attest("promote", ref, "--to", to, "--tag", "v1", "--policy", "policy.yaml");
    assertThat(recheck.exitCode()).as(recheck.toString()).isZero();
    assertThat(recheck.out()).contains("after a full re-check").contains("repaired blob " + sbomManifest.layers().get(0).digest());
    assertThat(attest("verify", promoted, "--policy", "policy.yaml").exitCode()).isZero();
    Run checkAll = attest("promote", ref, "--to", to, "--tag", "v1", "--policy", "policy.yaml", "--check-all",
        "--output", "json");
    assertThat(checkAll.exitCode()).as(checkAll.toString()).isZero();
    assertThat(JSON.readTree(checkAll.out()).get("writes").asInt()).isZero();
  }

  @Test
  void promoteExitCodes() throws Exception {
    inputs();
    String ref = signedImage("codes/app");
    String to = prod.hostPort() + "/codes/app";
    assertThat(attest("promote", ref, "--to", to, "--tag", "v1", "--policy", "policy.yaml").exitCode()).isZero();

    // Conflicting tag: 1, naming both digests; the tag does not move.
    String other = signedImage("codes/other");
    Run conflict = attest("promote", other, "--to", to, "--tag", "v1", "--policy", "policy.yaml");
    assertThat(conflict.exitCode()).as(conflict.toString()).isEqualTo(1);
    assertThat(conflict.err()).contains(ref.substring(ref.indexOf('@') + 1)).contains(other.substring(other.indexOf('@') + 1));
    assertThat(prodClient.resolve("codes/app", "v1").digest().toString()).isEqualTo(ref.substring(ref.indexOf('@') + 1));
    Run conflictPlan = attest("promote", other, "--to", to, "--tag", "v1", "--policy", "policy.yaml", "--plan");
    assertThat(conflictPlan.exitCode()).as(conflictPlan.toString()).isEqualTo(1);

    // Deny at the gate: 1.
    ImageManifest unsigned = TestImages.pushImage(dev, "codes/unsigned", "v1");
    Run deny = attest("promote", dev.host() + "/codes/unsigned@" + unsigned.digest(), "--to", to + "-unsigned",
        "--policy", "policy.yaml");
    assertThat(deny.exitCode()).as(deny.toString()).isEqualTo(1);
    assertThat(deny.out()).contains("NOT PROMOTED");

    // Registry failure: 3. An unreachable destination fails the plan (its HEADs get no answer,
    // which is not "absent"): nothing is uploaded, and the message says so.
    Run down = attest("promote", ref, "--to", UNREACHABLE + "/x", "--policy", "policy.yaml", "--retries", "0");
    assertThat(down.exitCode()).as(down.toString()).isEqualTo(3);
    assertThat(down.err()).startsWith("attest promote: ").doesNotContain("\tat ")
        .contains("no answer while planning, so nothing was written")
        .containsPattern("(HEAD|GET) http://" + UNREACHABLE + "/v2/x/").doesNotContain("upload").doesNotContain("POST");
    Run downPlan = attest("promote", ref, "--to", UNREACHABLE + "/x", "--policy", "policy.yaml", "--retries", "0",
        "--plan");
    assertThat(downPlan.exitCode()).as(downPlan.toString()).isEqualTo(3);

    // Usage: 2.
    assertThat(attest("promote", ref, "--policy", "policy.yaml").exitCode()).isEqualTo(2);
    assertThat(attest("promote", ref, "--to", to, "--policy", "missing.yaml").exitCode()).isEqualTo(2);
    assertThat(attest("promote", ref, "--to", "oci:", "--policy", "policy.yaml").exitCode()).isEqualTo(2);
    assertThat(attest("promote", ref, "--to", dev.host() + "/codes/app", "--policy", "policy.yaml").exitCode())
        .as("source and destination are the same repository").isEqualTo(2);
  }

  @Test
  void imageCommandsExitCodes() throws Exception {
    inputs();
    String ref = signedImage("codes/each");
    String nowhere = UNREACHABLE + "/x@" + Digest.sha256(new byte[0]);
    // verify: 0 allow, 1 deny (also when the registry cannot be reached: verification fails
    // closed), 2 usage.
    assertThat(attest("verify", ref, "--policy", "policy.yaml").exitCode()).isZero();
    ImageManifest unsigned = TestImages.pushImage(dev, "codes/each-unsigned", "v1");
    assertThat(attest("verify", dev.host() + "/codes/each-unsigned@" + unsigned.digest(), "--policy", "policy.yaml")
        .exitCode()).isEqualTo(1);
    Run verifyDown = attest("verify", nowhere, "--policy", "policy.yaml", "--retries", "0");
    assertThat(verifyDown.exitCode()).as(verifyDown.toString()).isEqualTo(1);
    assertThat(attest("verify", ref, "--policy", "missing.yaml").exitCode()).isEqualTo(2);
    assertThat(attest("verify", "not a reference", "--policy", "policy.yaml").exitCode()).isEqualTo(2);
    // tree, resolve, sign, attest: 0, 2 usage, 3 registry failure.
    for (List<String> command : List.of(List.of("tree"), List.of("resolve"), List.of("sign", "--key", "attest.key"),
        List.of("attest", "--sbom", "bom.json", "--key", "attest.key"))) {
      String name = command.get(0);
      List<String> options = command.subList(1, command.size());
      Run ok = attest(args(name, ref, options));
      assertThat(ok.exitCode()).as(ok.toString()).isZero();
      Run usage = attest(args(name, "not a reference", options));
      assertThat(usage.exitCode()).as(usage.toString()).isEqualTo(2);
      Run down = attest(args(name, nowhere, List.of("--retries", "0"), options));
      assertThat(down.exitCode()).as(down.toString()).isEqualTo(3);
      assertThat(down.err()).as(name).startsWith("attest " + name + ": ").doesNotContain("\tat ");
    }
    assertThat(attest("sign", ref, "--key", "policy.yaml").exitCode()).isEqualTo(2);
    assertThat(attest("tree", ref, "--no-such-option").exitCode()).isEqualTo(2);
  }

  private static String[] args(String command, String ref, List<String>... more) {
    List<String> out = new java.util.ArrayList<>(List.of(command, ref));
    for (List<String> m : more) {
      out.addAll(m);
    }
    return out.toArray(String[]::new);
  }

  @Test
  void anAirGapThroughAnOciLayout() throws Exception {
    inputs();
    String ref = signedImage("gap/app");
    Digest digest = Digest.parse(ref.substring(ref.indexOf('@') + 1));
    Path layout = dir.resolve("export");

    Run export = attest("promote", ref, "--to", "oci:" + layout + ":v1", "--policy", "policy.yaml");
    assertThat(export.exitCode()).as(export.toString()).isZero();
    // Offline: verify, tree, sign and attest on the layout.
    Run verify = attest("verify", "oci:" + layout + ":v1", "--policy", "policy.yaml");
    assertThat(verify.exitCode()).as(verify.toString()).isZero();
    assertThat(attest("verify", "oci:" + layout + "@" + digest, "--policy", "policy.yaml").exitCode()).isZero();
    assertThat(attest("verify", "oci:" + layout + ":gap/app@" + digest, "--policy", "policy.yaml").exitCode()).isZero();
    Run tree = attest("tree", "oci:" + layout + ":v1");
    assertThat(tree.exitCode()).as(tree.toString()).isZero();
    assertThat(tree.out()).contains("linux/arm64").contains("cyclonedx").contains("0 missing");
    assertThat(attest("sign", "oci:" + layout + ":v1", "--key", "attest.key").exitCode()).isZero();
    assertThat(attest("attest", "oci:" + layout + ":v1", "--sbom", "bom.json", "--key", "attest.key").exitCode())
        .isZero();

    // skopeo reads the exported layout.
    skopeo("inspect", "--raw", "oci:" + layout + ":v1");

    // Import into a second registry, from the layout, by digest.
    try (EmbeddedRegistry second = EmbeddedRegistry.builder().inMemory().referrersApi(false).build().start();
        RemoteRegistry secondClient = RemoteRegistry.builder(second.host()).build();
        OciLayout exported = OciLayout.open(layout)) {
      Run imported = attest("promote", "oci:" + layout + "@" + digest, "--to", second.host() + "/prod/app",
          "--tag", "v1", "--policy", "policy.yaml");
      assertThat(imported.exitCode()).as(imported.toString()).isZero();
      // Everything the source has is in the second registry, byte for byte; the layout has the
      // source's graph plus what was signed and attested in it.
      assertSameBytes(devClient, "gap/app", secondClient, "prod/app", digest, new HashSet<>());
      assertSameBytes(devClient, "gap/app", exported, "gap/app", digest, new HashSet<>());
      assertThat(secondClient.resolve("prod/app", "v1").digest()).isEqualTo(digest);
    }
    // A layout holding two repositories needs one named.
    assertThat(attest("promote", signedImage("gap/two"), "--to", "oci:" + layout + ":gap/two:v1",
        "--policy", "policy.yaml").exitCode()).isZero();
    Run ambiguous = attest("tree", "oci:" + layout + "@" + digest);
    assertThat(ambiguous.exitCode()).as(ambiguous.toString()).isEqualTo(2);
    assertThat(ambiguous.err()).contains("gap/app").contains("gap/two");
  }

  /** Every manifest and referrer of {@code d} at {@code a} is at {@code b} with the same bytes. */
  static void assertSameBytes(Registry a, String ra, Registry b, String rb, Digest d, Set<Digest> seen)
      throws Exception {
    if (!seen.add(d)) {
      return;
    }
    Manifest m = a.fetchManifest(ra, d.toString());
    assertThat(b.fetchManifest(rb, d.toString()).bytes()).as("manifest %s", d).isEqualTo(m.bytes());
    if (m instanceof ImageManifest im) {
      for (Descriptor blob : im.blobs()) {
        try (var in = b.fetchBlob(rb, blob)) {
          in.transferTo(java.io.OutputStream.nullOutputStream());
        }
      }
    } else {
      for (Descriptor c : ((ImageIndex) m).manifests()) {
        assertSameBytes(a, ra, b, rb, c.digest(), seen);
      }
    }
    for (Descriptor r : a.referrers(ra, d, null)) {
      assertSameBytes(a, ra, b, rb, r.digest(), seen);
    }
  }

  private static void skopeo(String... args) throws Exception {
    Path skopeo = Path.of("/usr/bin/skopeo");
    if (!Files.isExecutable(skopeo)) {
      if (Boolean.getBoolean("attest.it.require") || "true".equals(System.getenv("CI"))) {
        fail("skopeo is required: apt-get install skopeo");
      }
      assumeTrue(false, "skopeo is not installed");
    }
    List<String> command = new java.util.ArrayList<>(List.of(skopeo.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }
}
