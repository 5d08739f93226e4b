package dev.attest.cli.internal;

import dev.attest.cli.Main;
import dev.attest.core.AttestException;
import dev.attest.core.Digest;
import dev.attest.core.DsseEnvelope;
import dev.attest.core.InvalidContentException;
import dev.attest.core.InvalidSignatureException;
import dev.attest.core.Keys;
import dev.attest.core.SigstoreBundle;
import dev.attest.core.Statement;
import dev.attest.core.UnsupportedContentException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code attest verify-blob FILE --bundle B --key K}. */
@Command(
    name = "verify-blob",
    mixinStandardHelpOptions = true,
    versionProvider = AttestCommand.Version.class,
    description = {
      "Verify a Sigstore bundle (v0.1-v0.3) over a file with a public key, offline.",
      "A message-signature bundle must carry the file's sha256 and a valid signature over it; a"
          + " DSSE bundle must have a valid signature over its payload and an in-toto statement"
          + " whose subject is the file's sha256.",
      "FILE may be given as sha256:<hex> instead of a file. Exits 0 if valid, 1 (with the reason)"
          + " if not."
    })
final class VerifyBlobCommand implements Callable<Integer> {
  private static final Pattern SHA256 = Pattern.compile("sha256:[0-9a-f]{64}");

  @Spec CommandSpec spec;
  @Mixin OutputOptions output;

  @Parameters(index = "0", paramLabel = "FILE", description = "The file, or its digest sha256:<hex>.")
  String file;

  @Option(names = "--bundle", required = true, paramLabel = "BUNDLE", description = "The Sigstore bundle JSON.")
  Path bundle;

  @Option(names = "--key", required = true, paramLabel = "KEY", description = "The public key: SPKI PEM (attest.pub, cosign.pub), ECDSA P-256.")
  Path key;

  @Override
  public Integer call() throws IOException, AttestException {
    PublicKey publicKey = Keys.readPublicKeyPem(Files2.read(key, 64 * 1024, "public key"));
    Digest digest = digest();
    byte[] json = Files2.read(bundle, SigstoreBundle.MAX_BYTES, "bundle");
    String kind = null;
    String reason = null;
    try {
      SigstoreBundle b = SigstoreBundle.parse(json);
      kind = b.contentKind();
      reason = check(b, digest, publicKey);
    } catch (InvalidContentException | UnsupportedContentException | InvalidSignatureException e) {
      reason = e.getMessage();
    }
    var out = spec.commandLine().getOut();
    if (output.json()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("valid", reason == null);
      m.put("digest", digest.toString());
      m.put("content", kind);
      m.put("reason", reason);
      OutputOptions.printJson(out, m);
    } else if (reason == null) {
      out.println("Verified OK: " + digest + " (" + kind + ", key hint " + Keys.hint(publicKey) + ")");
    } else {
      out.println("INVALID: " + reason);
    }
    out.flush();
    return reason == null ? Main.OK : Main.INVALID;
  }

  private Digest digest() throws IOException {
    if (SHA256.matcher(file).matches() && !Files.exists(Path.of(file))) {
      return Digest.parse(file);
    }
    try (InputStream in = Files.newInputStream(Path.of(file))) {
      return Digest.sha256(in);
    } catch (NoSuchFileException e) {
      throw new UsageException("no such file: " + file);
    }
  }

  /** Why the bundle is not valid for {@code digest} and {@code key}, or {@code null} if it is. */
  private static @Nullable String check(SigstoreBundle b, Digest digest, PublicKey key)
      throws AttestException {
    if (b.verificationMaterial().kind() != SigstoreBundle.VerificationMaterial.Kind.PUBLIC_KEY) {
      return "the bundle is signed with a certificate (" + b.verificationMaterial().kind()
          + "); this command verifies key-signed bundles only";
    }
    Optional<SigstoreBundle.MessageSignature> ms = b.messageSignature();
    if (ms.isPresent()) {
      Optional<Digest> signed = ms.get().digest();
      if (signed.isPresent() && !signed.get().equals(digest)) {
        return "the bundle signs " + signed.get() + ", not " + digest;
      }
      return Keys.verifyPrehashed(key, digest, ms.get().signature())
          ? null
          : "the message signature does not verify with the key (hint " + Keys.hint(key) + ") over " + digest;
    }
    DsseEnvelope envelope = b.dsseEnvelope().orElseThrow();
    envelope.verify(Keys.verifier(key));
    Statement statement = envelope.statement();
    if (!statement.covers(digest)) {
      return "the signed statement's subjects do not include " + digest;
    }
    return null;
  }
}
