package dev.attest.cli.internal;

import dev.attest.core.AttestException;
import dev.attest.core.Digest;
import dev.attest.core.Keys;
import dev.attest.core.Signer;
import dev.attest.core.SigstoreBundle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code attest sign-blob FILE --key K --bundle OUT}. */
@Command(
    name = "sign-blob",
    header = "Sign a file into a Sigstore bundle, as cosign sign-blob does.",
    mixinStandardHelpOptions = true,
    versionProvider = AttestCommand.Version.class,
    description = {
      "Sign a file with a key and write a Sigstore bundle v0.3 holding the message signature, the"
          + " file's sha256 and the key's hint (what 'cosign sign-blob --bundle' writes for a key).",
      "The file is read into memory to be signed: at most " + SignBlobCommand.MAX_MB + " MiB."
    })
final class SignBlobCommand implements Callable<Integer> {
  static final int MAX_MB = 256;

  @Spec CommandSpec spec;
  @Mixin OutputOptions output;

  @Parameters(index = "0", paramLabel = "FILE", description = "The file to sign.")
  Path file;

  @Option(names = "--key", required = true, paramLabel = "KEY", description = "The private key: PKCS#8 or EC PEM (attest.key).")
  Path key;

  @Option(names = "--bundle", required = true, paramLabel = "OUT", description = "Where to write the bundle JSON (replaced if it exists).")
  Path bundle;

  @Override
  public Integer call() throws IOException, AttestException {
    Signer signer = Keys.signer(Keys.readPrivateKeyPem(Files2.read(key, 64 * 1024, "private key")));
    byte[] content = Files2.read(file, (long) MAX_MB << 20, "file");
    Digest digest = Digest.sha256(content);
    SigstoreBundle b = SigstoreBundle.ofMessageSignature(digest, signer.sign(content), signer.hint());
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
      m.put("keyHint", signer.hint());
      OutputOptions.printJson(out, m);
    } else {
      out.println("Signed " + file + " (" + digest + ")");
      out.println("Bundle: " + bundle + " (" + b.mediaType() + ", key hint " + signer.hint() + ")");
    }
    out.flush();
    return 0;
  }
}
