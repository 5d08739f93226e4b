package dev.attest.cli.internal;

import dev.attest.core.AttestException;
import dev.attest.core.Keys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code attest keys generate|import-cosign}. */
@Command(
    name = "keys",
    header = "Create or import ECDSA P-256 signing keys.",
    mixinStandardHelpOptions = true,
    versionProvider = AttestCommand.Version.class,
    description = "Create or import ECDSA P-256 signing keys.",
    subcommands = {KeysCommand.Generate.class, KeysCommand.ImportCosign.class})
final class KeysCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: generate or import-cosign");
  }

  static void report(CommandSpec spec, OutputOptions output, Path privateKey, @Nullable Path publicKey, String hint) {
    var out = spec.commandLine().getOut();
    if (output.json()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("privateKey", privateKey.toString());
      if (publicKey != null) {
        m.put("publicKey", publicKey.toString());
      }
      m.put("keyHint", hint);
      OutputOptions.printJson(out, m);
    } else {
      out.println("Private key (PKCS#8 PEM, unencrypted): " + privateKey);
      if (publicKey != null) {
        out.println("Public key (SPKI PEM):                 " + publicKey);
      }
      out.println("Key hint (sha256 of the SPKI, base64): " + hint);
    }
    out.flush();
  }

  @Command(
      name = "generate",
      mixinStandardHelpOptions = true,
      versionProvider = AttestCommand.Version.class,
      description = {
        "Generate an ECDSA P-256 key pair: attest.key (PKCS#8 PEM, unencrypted, owner-only) and"
            + " attest.pub (SPKI PEM, the format of cosign.pub).",
        "Refuses to overwrite existing files."
      })
  static final class Generate implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin OutputOptions output;

    @Option(names = "--out-dir", paramLabel = "DIR", defaultValue = ".", description = "Where to write the keys, created if missing (default: the current directory).")
    Path outDir = Path.of(".");

    @Override
    public Integer call() throws IOException {
      if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
        throw new UsageException("not a directory: " + outDir);
      }
      // A directory that does not exist yet is created, with its parents, as mkdir -p does.
      Files.createDirectories(outDir);
      Path priv = outDir.resolve("attest.key");
      Path pub = outDir.resolve("attest.pub");
      for (Path p : new Path[] {priv, pub}) {
        if (Files.exists(p)) {
          throw new UsageException("refusing to overwrite " + p);
        }
      }
      KeyPair kp = Keys.generateP256();
      byte[] pem = Keys.writePrivateKeyPem(kp.getPrivate());
      try {
        Files2.writeNew(priv, pem, true);
      } finally {
        Arrays.fill(pem, (byte) 0);
      }
      Files2.writeNew(pub, Keys.writePublicKeyPem(kp.getPublic()), false);
      report(spec, output, priv, pub, Keys.hint(kp.getPublic()));
      return 0;
    }
  }

  @Command(
      name = "import-cosign",
      mixinStandardHelpOptions = true,
      versionProvider = AttestCommand.Version.class,
      description = {
        "Convert a cosign private key (cosign.key, scrypt-encrypted) to an unencrypted PKCS#8 PEM.",
        "Without --password-env or --password-stdin the password is empty."
      })
  static final class ImportCosign implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin OutputOptions output;

    @Parameters(index = "0", paramLabel = "COSIGN_KEY", description = "The cosign.key file.")
    Path cosignKey;

    @Option(names = "--out", paramLabel = "FILE", defaultValue = "attest.key", description = "The PKCS#8 PEM to write (default: ${DEFAULT-VALUE}); never overwritten.")
    Path outFile = Path.of("attest.key");

    @ArgGroup(exclusive = true)
    @Nullable Password password;

    static final class Password {
      @Option(names = "--password-env", paramLabel = "VAR", description = "Read the password from environment variable VAR.")
      @Nullable String env;

      @Option(names = "--password-stdin", description = "Read the password from the first line of standard input.")
      boolean stdin;
    }

    @Override
    public Integer call() throws IOException, AttestException {
      byte[] pem = Files2.read(cosignKey, 64 * 1024, "cosign key");
      byte[] pw = password();
      KeyPair kp;
      try {
        kp = Keys.readCosignPrivateKey(pem, pw);
      } finally {
        Arrays.fill(pw, (byte) 0);
      }
      byte[] out = Keys.writePrivateKeyPem(kp.getPrivate());
      try {
        Files2.writeNew(outFile, out, true);
      } finally {
        Arrays.fill(out, (byte) 0);
      }
      report(spec, output, outFile, null, Keys.hint(kp.getPublic()));
      return 0;
    }

    private byte[] password() throws IOException {
      if (password == null) {
        return new byte[0];
      }
      if (password.env != null) {
        String v = System.getenv(password.env);
        if (v == null) {
          throw new UsageException("environment variable " + password.env + " is not set");
        }
        return v.getBytes(StandardCharsets.UTF_8);
      }
      byte[] line = System.in.readNBytes(4096);
      int n = line.length;
      for (int i = 0; i < line.length; i++) {
        if (line[i] == '\n' || line[i] == '\r') {
          n = i;
          break;
        }
      }
      return Arrays.copyOf(line, n);
    }
  }
}
