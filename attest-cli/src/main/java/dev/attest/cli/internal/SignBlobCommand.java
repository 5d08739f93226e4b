package dev.attest.cli.internal;

import dev.attest.core.AttestException;
import dev.attest.core.Digest;
import dev.attest.core.Signer;
import dev.attest.core.SigstoreBundle;
import dev.attest.verify.KeylessSigner;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code attest sign-blob FILE (--key K | keyless) --bundle OUT}. */
@Command(
    name = "sign-blob",
    header = "Sign a file into a Sigstore bundle, as cosign sign-blob does.",
    mixinStandardHelpOptions = true,
    versionProvider = AttestCommand.Version.class,
    description = {
      "Sign a file with a key and write a Sigstore bundle v0.3 holding the message signature, the"
          + " file's sha256 and the key's hint (what 'cosign sign-blob --bundle' writes for a key).",
      "Without --key the signature is keyless, as 'cosign sign-blob' without a key: an ephemeral"
          + " P-256 key, a Fulcio certificate for the OIDC identity token, and a Rekor hashedrekord"
          + " entry whose inclusion proof is checked before the bundle is written. The services come"
          + " from --signing-config (default: Sigstore's public-good instance).",
      "The file is read into memory to be signed: at most " + SignBlobCommand.MAX_MB + " MiB."
    })
final class SignBlobCommand implements Callable<Integer> {
  static final int MAX_MB = 256;

  @Spec CommandSpec spec;
  @Mixin OutputOptions output;

  @Parameters(index = "0", paramLabel = "FILE", description = "The file to sign.")
  Path file;

  @Option(names = "--key", paramLabel = "KEY", description = "The private key: PKCS#8 or EC PEM (attest.key). Without it, the signature is keyless.")
  @Nullable Path key;

  @Mixin KeylessOptions keyless;

  @Option(names = "--bundle", required = true, paramLabel = "OUT", description = "Where to write the bundle JSON (replaced if it exists).")
  Path bundle;

  @Override
  public Integer call() throws IOException, AttestException {
    if (key != null && keyless.given()) {
      throw new UsageException("--key and the keyless options (--signing-config, --identity-token-file,"
          + " --identity-token-env, --trusted-root) are mutually exclusive");
    }
    Signer signer = key == null ? null : Inputs.signer(key);
    KeylessSigner keylessSigner = key == null ? keyless.signer(System.getenv()) : null;
    byte[] content = Files2.read(file, (long) MAX_MB << 20, "file");
    Digest digest = Digest.sha256(content);
    SigstoreBundle b = signer != null
        ? SigstoreBundle.ofMessageSignature(digest, signer.sign(content), signer.hint())
        : keylessSigner.signMessage(digest);
    String by = signer != null ? "key hint " + signer.hint() : "certificate for " + certificateSan(b);
    // Written beside the target and moved, so a reader never sees half a bundle.
    Path abs = bundle.toAbsolutePath();
    Path tmp = Files.createTempFile(abs.getParent(), ".attest-bundle", ".tmp");
    try {
      Files.write(tmp, b.bytes());
      Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
    var out = spec.commandLine().getOut();
    if (output.json()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("file", file.toString());
      m.put("digest", digest.toString());
      m.put("bundle", bundle.toString());
      m.put("mediaType", b.mediaType());
      if (signer != null) {
        m.put("keyHint", signer.hint());
      } else {
        m.put("certificateIdentity", certificateSan(b));
      }
      OutputOptions.printJson(out, m);
    } else {
      out.println("Signed " + file + " (" + digest + ")");
      out.println("Bundle: " + bundle + " (" + b.mediaType() + ", " + by + ")");
    }
    out.flush();
    return 0;
  }

  /** The SAN of a keyless bundle's certificate (Fulcio writes exactly one), for the output. */
  static String certificateSan(SigstoreBundle b) {
    try {
      byte[] der = b.verificationMaterial().leafCertificate().orElseThrow();
      X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
      Collection<List<?>> sans = c.getSubjectAlternativeNames();
      return sans == null || sans.isEmpty() ? "(no SAN)" : String.valueOf(sans.iterator().next().get(1));
    } catch (CertificateException | RuntimeException e) {
      return "(unreadable certificate)";
    }
  }
}
