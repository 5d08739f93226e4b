package dev.attest.cli;

import static dev.attest.cli.CliTestSupport.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.cli.CliTestSupport.Result;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * verify-blob on real Sigstore bundles (the shared vectors in attest-verify's test resources;
 * sources and licenses in vectors/INDEX.md there): Rekor v2, TSA-only with the log and SCT
 * requirements lifted, a key with a trusted root, P-384, and the options' usage errors.
 */
class VerifyBlobVectorsTest {
  @TempDir Path dir;

  private Path copy(String folder, String name) throws IOException {
    Path out = dir.resolve(folder.substring(0, 2) + "-" + name);
    try (InputStream in = getClass().getResourceAsStream("/vectors/" + folder + "/" + name)) {
      assertThat(in).as("vectors/" + folder + "/" + name).isNotNull();
      Files.copy(in, out);
    }
    return out;
  }

  @Test
  void rekorV2BundleVerifiesKeyless() throws Exception {
    String v = "03-rekor2-hashedrekord-prod";
    Result ok = run("verify-blob", copy(v, "artifact.txt").toString(), "--bundle", copy(v, "bundle.sigstore.json").toString(),
        "--certificate-identity", "brian@dehamer.com", "--certificate-oidc-issuer", "https://github.com/login/oauth",
        "--trusted-root", copy(v, "trusted_root.json").toString());
    assertThat(ok.exitCode()).as(ok.toString()).isZero();
    assertThat(ok.out()).contains("Verified OK");
  }

  @Test
  void timestampOnlyBundleNeedsTheLogAndSctLifted() throws Exception {
    String v = "05-tsa-only-keyless-github-private";
    String[] args = {"verify-blob", "sha256:caa015ef69e9bc31a41322d6c71563ed9600c75bb988e4d639b1edc578580551",
        "--bundle", copy(v, "bundle.sigstore.json").toString(), "--certificate-identity",
        "https://github.com/neverendingsupport/slsa-attestations/.github/workflows/attest.yml@9f6d9dc1bfc02986955721eb15f89ad618f1cedb",
        "--certificate-oidc-issuer", "https://token.actions.githubusercontent.com",
        "--trusted-root", copy(v, "trusted_root.json").toString()};
    Result byDefault = run(args);
    assertThat(byDefault.exitCode()).as(byDefault.toString()).isEqualTo(Main.INVALID);
    assertThat(byDefault.out()).contains("no transparency log entry");
    String[] lifted = java.util.Arrays.copyOf(args, args.length + 6);
    System.arraycopy(new String[] {"--tlog", "ignored", "--sct", "ignored", "--min-timestamps", "1"}, 0, lifted,
        args.length, 6);
    Result ok = run(lifted);
    assertThat(ok.exitCode()).as(ok.toString()).isZero();
  }

  @Test
  void keyWithTrustedRootChecksTimestampsAndLogRequirement() throws Exception {
    String v = "06-tsa-only-managed-key";
    Path file = copy(v, "artifact.txt");
    Path bundle = copy(v, "bundle.sigstore.json");
    Path key = copy(v, "public_key.pem");
    Path root = copy(v, "trusted_root.json");
    Result ok = run("verify-blob", file.toString(), "--bundle", bundle.toString(), "--key", key.toString(),
        "--trusted-root", root.toString(), "--min-timestamps", "1");
    assertThat(ok.exitCode()).as(ok.toString()).isZero();
    Result required = run("verify-blob", file.toString(), "--bundle", bundle.toString(), "--key", key.toString(),
        "--trusted-root", root.toString(), "--tlog", "required");
    assertThat(required.exitCode()).as(required.toString()).isEqualTo(Main.INVALID);
    assertThat(required.out()).contains("no transparency log entry");

    assertThat(run("verify-blob", file.toString(), "--bundle", bundle.toString(), "--key", key.toString(), "--tlog",
        "sometimes").exitCode()).isEqualTo(Main.USAGE);
    assertThat(run("verify-blob", file.toString(), "--bundle", bundle.toString(), "--key", key.toString(), "--sct",
        "ignored").exitCode()).isEqualTo(Main.USAGE);
  }

  @Test
  void p384SignatureNeedsTheFileNotItsSha256() throws Exception {
    String v = "15-keyless-ecdsa-p384-sha384";
    Path file = copy(v, "artifact.txt");
    String[] rest = {"--bundle", copy(v, "bundle.sigstore.json").toString(), "--certificate-identity",
        "untrusted-sa@sigstore-conformance.iam.gserviceaccount.com", "--certificate-oidc-issuer",
        "https://accounts.google.com", "--trusted-root", copy(v, "trusted_root.json").toString()};
    String[] withFile = new String[rest.length + 2];
    withFile[0] = "verify-blob";
    withFile[1] = file.toString();
    System.arraycopy(rest, 0, withFile, 2, rest.length);
    Result ok = run(withFile);
    assertThat(ok.exitCode()).as(ok.toString()).isZero();
    withFile[1] = dev.attest.core.Digest.sha256(Files.readAllBytes(file)).toString();
    Result digestOnly = run(withFile);
    assertThat(digestOnly.exitCode()).isEqualTo(Main.INVALID);
    assertThat(digestOnly.out()).contains("SHA-384");
  }
}
