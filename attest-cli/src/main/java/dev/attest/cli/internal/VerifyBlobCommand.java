package dev.attest.cli.internal;

import dev.attest.cli.Main;
import dev.attest.core.AttestException;
import dev.attest.core.Digest;
import dev.attest.core.SigstoreBundle;
import dev.attest.verify.BlobVerifier;
import dev.attest.verify.LogRequirement;
import dev.attest.verify.TrustedKey;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
/**
 * {@code attest verify-blob FILE --bundle B (--key K [--trusted-root T] | --certificate-identity[-regexp] I
 * --certificate-oidc-issuer[-regexp] O --trusted-root T) [--tlog R] [--sct R] [--min-timestamps N]}.
 */
@Command(
    name = "verify-blob",
    header = "Verify a Sigstore bundle over a file, offline.",
    mixinStandardHelpOptions = true,
    versionProvider = AttestCommand.Version.class,
    description = {
      "Verify a Sigstore bundle (v0.1-v0.3) over a file, offline, with a public key or keyless.",
      "A message-signature bundle must carry the file's sha256 and a valid signature over it; a"
          + " DSSE bundle must have a valid signature over its payload and an in-toto statement"
          + " whose subject is the file's sha256.",
      "Keyless (--certificate-identity and --certificate-oidc-issuer, instead of --key): the Fulcio"
          + " certificate must name exactly that identity (SAN) and issuer, or match the -regexp"
          + " variants in full (cosign's flags), and chain to the"
          + " --trusted-root trusted_root.json; its SCT, every transparency log entry (Rekor v1 or v2:"
          + " the entry's content, inclusion proof, signed checkpoint, signed entry timestamp) and every"
          + " RFC 3161 timestamp are checked, and each verified time must lie within the certificate's"
          + " validity. These are the checks 'attest verify' makes. Nothing is fetched, so the trusted"
          + " root is required.",
      "With --key, a --trusted-root has the bundle's transparency log entries and timestamps checked"
          + " too (--tlog optional by default: verified where present).",
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

  @Option(names = "--key", paramLabel = "KEY", description = "The public key: SPKI PEM (attest.pub, cosign.pub): ECDSA P-256/P-384/P-521, RSA 2048-4096 or Ed25519. Not with the keyless options.")
  @Nullable Path key;

  @Option(names = "--key-details", paramLabel = "ALG", description = "With --key: the only signature algorithm the key may have signed with, a Sigstore PublicKeyDetails name (PKIX_RSA_PSS_2048_SHA256, PKIX_ED25519_PH, ...). Default: the algorithms Sigstore uses for the key's type.")
  @Nullable String keyDetails;

  @Option(names = "--certificate-identity", paramLabel = "SAN", description = "Keyless: the exact identity (email or URI SAN) the certificate must name.")
  @Nullable String identity;

  @Option(names = "--certificate-identity-regexp", paramLabel = "REGEX", description = "Keyless: a regular expression (Java syntax) the whole SAN must match, as if written ^(?:REGEX)$. Instead of --certificate-identity.")
  @Nullable String identityRegexp;

  @Option(names = "--certificate-oidc-issuer", paramLabel = "URL", description = "Keyless: the exact OIDC issuer the certificate must name, e.g. https://token.actions.githubusercontent.com.")
  @Nullable String issuer;

  @Option(names = "--certificate-oidc-issuer-regexp", paramLabel = "REGEX", description = "Keyless: a regular expression the whole OIDC issuer must match (anchored). Instead of --certificate-oidc-issuer.")
  @Nullable String issuerRegexp;

  @Option(names = "--trusted-root", paramLabel = "JSON", description = "The Sigstore trusted_root.json (CAs, CT logs, transparency logs, timestamp authorities) to verify against, offline. Required keyless; with --key, checks the bundle's log entries and timestamps.")
  @Nullable Path trustedRoot;

  @Option(names = "--tlog", paramLabel = "REQ", description = "Transparency log entry: required (keyless default), optional (verified where present; --key default) or ignored (private instances without a log).")
  @Nullable String tlog;

  @Option(names = "--sct", paramLabel = "REQ", description = "Keyless: the certificate's SCT: required (default), optional or ignored (private CAs without CT).")
  @Nullable String sct;

  @Option(names = "--min-timestamps", paramLabel = "N", description = "Require at least N verified RFC 3161 timestamps (default 0).")
  int minTimestamps;

  @Override
  public Integer call() throws IOException, AttestException {
    BlobVerifier verifier = requirements(verifier());
    byte[] json = Files2.read(bundle, SigstoreBundle.MAX_BYTES, "bundle");
    Digest digest;
    BlobVerifier.Result r;
    if (SHA256.matcher(file).matches() && !Files.exists(Path.of(file))) {
      digest = Digest.parse(file);
      r = verifier.verify(json, digest);
    } else {
      digest = digest();
      try (InputStream in = Files.newInputStream(Path.of(file))) {
        r = verifier.verify(json, in);
      }
    }
    var out = spec.commandLine().getOut();
    if (output.json()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("valid", r.valid());
      m.put("digest", digest.toString());
      m.put("content", r.content());
      m.put("signer", r.signer());
      m.put("reason", r.valid() ? null : r.reason());
      OutputOptions.printJson(out, m);
    } else if (r.valid()) {
      out.println("Verified OK: " + digest + " (" + r.content() + ", "
          + (key != null ? "key hint " : "signed by ") + r.signer() + ")");
    } else {
      out.println("INVALID: " + r.reason());
    }
    out.flush();
    return r.valid() ? Main.OK : Main.INVALID;
  }

  private BlobVerifier requirements(BlobVerifier v) {
    try {
      if (tlog != null) {
        v = v.transparencyLog(LogRequirement.parse(tlog));
      }
      if (sct != null) {
        if (key != null) {
          throw new UsageException("--sct is for keyless verification: a key has no certificate");
        }
        v = v.certificateTransparency(LogRequirement.parse(sct));
      }
      if (minTimestamps != 0) {
        v = v.minTimestamps(minTimestamps);
      }
      return v;
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage(), e);
    }
  }

  private BlobVerifier verifier() throws IOException {
    boolean keyless = identity != null || identityRegexp != null || issuer != null || issuerRegexp != null;
    if (key != null && keyless) {
      throw new UsageException("--key and the keyless options (--certificate-identity[-regexp],"
          + " --certificate-oidc-issuer[-regexp]) are mutually exclusive");
    }
    if (trustedRoot != null && !Files.isRegularFile(trustedRoot)) {
      throw new UsageException("trusted root not found: " + trustedRoot);
    }
    if (keyDetails != null && key == null) {
      throw new UsageException("--key-details restricts a --key; keyless certificates name their own algorithm");
    }
    if (key != null) {
      BlobVerifier v;
      try {
        v = BlobVerifier.withKey(TrustedKey.load(key).withKeyDetails(keyDetails));
      } catch (IOException e) {
        throw new UsageException("public key " + e.getMessage(), e);
      } catch (IllegalArgumentException e) {
        throw new UsageException("--key-details " + keyDetails + ": " + e.getMessage(), e);
      }
      try {
        return trustedRoot == null ? v : v.withTrustedRoot(trustedRoot);
      } catch (AttestException e) {
        throw new UsageException(e.getMessage(), e);
      }
    }
    if (!keyless) {
      throw new UsageException("give --key, or --certificate-identity, --certificate-oidc-issuer and --trusted-root");
    }
    oneOf(identity, identityRegexp, "--certificate-identity", "there is no 'any identity'");
    oneOf(issuer, issuerRegexp, "--certificate-oidc-issuer", "there is no 'any issuer'");
    if (trustedRoot == null) {
      throw new UsageException("keyless verification is offline: give --trusted-root trusted_root.json");
    }
    try {
      return BlobVerifier.keylessMatching(trustedRoot, identity, identityRegexp, issuer, issuerRegexp);
    } catch (IllegalArgumentException | AttestException e) {
      throw new UsageException(e.getMessage(), e);
    }
  }

  /** Checks that exactly one of {@code flag} and {@code flag}-regexp is given, and that a regexp compiles. */
  static void oneOf(@Nullable String exact, @Nullable String regexp, String flag, String why) {
    if (exact != null && regexp != null) {
      throw new UsageException(flag + " and " + flag + "-regexp are mutually exclusive");
    }
    String given = exact != null ? exact : regexp;
    if (given == null || given.isBlank()) {
      throw new UsageException("keyless verification needs " + flag + " or " + flag + "-regexp: " + why);
    }
    if (regexp != null) {
      try {
        Pattern.compile(regexp);
      } catch (PatternSyntaxException e) {
        throw new UsageException(flag + "-regexp is not a valid regular expression: "
            + e.getDescription() + " near index " + e.getIndex());
      }
    }
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
}
