package dev.attest.cli.internal;

import dev.attest.core.AttestException;
import dev.attest.core.Keys;
import dev.attest.core.Signer;
import dev.attest.verify.Policy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads the keys and policies named on the command line; a bad one is a usage error (exit 2). */
final class Inputs {
  private Inputs() {}

  static Signer signer(Path key) throws IOException {
    try {
      return Keys.signer(Keys.readPrivateKeyPem(Files2.read(key, 64 * 1024, "private key")));
    } catch (AttestException e) {
      throw new UsageException("private key " + key + ": " + e.getMessage(), e);
    }
  }

  static Policy policy(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new UsageException("policy not found: " + file);
    }
    try {
      return Policy.load(file);
    } catch (AttestException e) {
      throw new UsageException("policy " + file + ": " + e.getMessage(), e);
    }
  }
}
