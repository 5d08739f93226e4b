package dev.attest.verify.internal.sigstore;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attest.core.Json;
import dev.attest.verify.BlobVerifier;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The signature memo (ADR 0029) remembers successes only, keyed by every input: after a success
 * is remembered, a changed message, signature, key or scheme is checked anew and refused, and a
 * bundle tampered after it verified is still denied.
 */
class VerifiedSignaturesTest {
  @TempDir Path dir;

  @BeforeEach
  @AfterEach
  void clear() {
    VerifiedSignatures.clear();
  }

  @Test
  void aSuccessIsRememberedAndEveryChangedInputIsCheckedAnew() throws Exception {
    assertThat(VerifiedSignatures.capacity()).isEqualTo(VerifiedSignatures.DEFAULT_CAPACITY);
    KeyPair k = p256();
    KeyPair other = p256();
    byte[] msg = "checkpoint text\n".getBytes(StandardCharsets.UTF_8);
    byte[] sig = sign(k, msg);
    SignatureAlgorithm alg = SignatureAlgorithm.PKIX_ECDSA_P256_SHA_256;

    assertThat(alg.verify(k.getPublic(), msg, sig)).isTrue();
    assertThat(VerifiedSignatures.size()).isEqualTo(1);
    assertThat(alg.verify(k.getPublic(), msg, sig)).isTrue();
    assertThat(VerifiedSignatures.size()).isEqualTo(1);

    byte[] msg2 = msg.clone();
    msg2[0] ^= 1;
    byte[] sig2 = sig.clone();
    sig2[sig2.length - 1] ^= 1;
    assertThat(alg.verify(k.getPublic(), msg2, sig)).isFalse();
    assertThat(alg.verify(k.getPublic(), msg, sig2)).isFalse();
    assertThat(alg.verify(other.getPublic(), msg, sig)).isFalse();
    // Failures are not remembered.
    assertThat(VerifiedSignatures.size()).isEqualTo(1);

    // The scheme is part of the key: a success under one scheme says nothing under another.
    AtomicInteger runs = new AtomicInteger();
    assertThat(VerifiedSignatures.verify("other-scheme", k.getPublic(), msg, sig, () -> {
      runs.incrementAndGet();
      return false;
    })).isFalse();
    assertThat(runs).hasValue(1);
    // And the same inputs under the remembered scheme do not run the check again.
    assertThat(VerifiedSignatures.verify(alg.name(), k.getPublic(), msg, sig, () -> {
      runs.incrementAndGet();
      return false;
    })).isTrue();
    assertThat(runs).hasValue(1);
  }

  @Test
  void lengthPrefixesKeepBoundariesApart() {
    byte[] key = {1, 2};
    assertThat(VerifiedSignatures.id("s", key, new byte[] {3, 4}, new byte[] {5}))
        .isNotEqualTo(VerifiedSignatures.id("s", key, new byte[] {3}, new byte[] {4, 5}));
    assertThat(VerifiedSignatures.id("s", key, new byte[] {3}, new byte[] {4}))
        .isEqualTo(VerifiedSignatures.id("s", key, new byte[] {3}, new byte[] {4}));
  }

  @Test
  void theMemoIsBounded() throws Exception {
    KeyPair k = p256();
    int n = VerifiedSignatures.DEFAULT_CAPACITY + 100;
    for (int i = 0; i < n; i++) {
      VerifiedSignatures.verify("bound", k.getPublic(), Integer.toString(i).getBytes(StandardCharsets.US_ASCII),
          new byte[] {1}, () -> true);
    }
    assertThat(VerifiedSignatures.size()).isEqualTo(VerifiedSignatures.DEFAULT_CAPACITY);
    // The least recently used went first: the earliest is checked again.
    AtomicInteger runs = new AtomicInteger();
    VerifiedSignatures.verify("bound", k.getPublic(), "0".getBytes(StandardCharsets.US_ASCII), new byte[] {1}, () -> {
      runs.incrementAndGet();
      return true;
    });
    assertThat(runs).hasValue(1);
  }

  @Test
  void capacityProperty() {
    assertThat(VerifiedSignatures.capacityFrom(null)).isEqualTo(VerifiedSignatures.DEFAULT_CAPACITY);
    assertThat(VerifiedSignatures.capacityFrom("0")).isZero();
    assertThat(VerifiedSignatures.capacityFrom("12")).isEqualTo(12);
    assertThat(VerifiedSignatures.capacityFrom("-1")).isEqualTo(VerifiedSignatures.DEFAULT_CAPACITY);
    assertThat(VerifiedSignatures.capacityFrom("many")).isEqualTo(VerifiedSignatures.DEFAULT_CAPACITY);
  }

  /**
   * Vector 16 (Rekor v1: SET, checkpoint, SCT, all P-256 signatures the memo remembers) verifies,
   * then each signed part is changed by one bit and the bundle is denied although the memo holds
   * the genuine part's success.
   */
  @Test
  void aV1BundleTamperedAfterACachedSuccessIsDenied() throws Exception {
    String folder = "16-keyless-rsa-pkcs1v15-2048";
    String tlog = "/verificationMaterial/tlogEntries/0";
    assertDeniedAfterSuccess(folder, "untrusted-sa@sigstore-conformance.iam.gserviceaccount.com",
        "https://accounts.google.com", n -> flip(n, tlog + "/inclusionPromise", "signedEntryTimestamp"),
        "signed entry timestamp");
    assertDeniedAfterSuccess(folder, "untrusted-sa@sigstore-conformance.iam.gserviceaccount.com",
        "https://accounts.google.com", n -> {
          ObjectNode cp = (ObjectNode) n.at(tlog + "/inclusionProof/checkpoint");
          String e = cp.get("envelope").textValue();
          int sigStart = e.lastIndexOf(' ') + 1;
          byte[] line = Base64.getDecoder().decode(e.substring(sigStart).trim());
          line[line.length - 1] ^= 1;
          cp.put("envelope", e.substring(0, sigStart) + Base64.getEncoder().encodeToString(line) + "\n");
        }, "checkpoint signature");
    assertDeniedAfterSuccess(folder, "untrusted-sa@sigstore-conformance.iam.gserviceaccount.com",
        "https://accounts.google.com", n -> flip(n, "/messageSignature", "signature"), "signature");
  }

  /** Vector 01 (Rekor v2 with an RFC 3161 timestamp): the TSA's signature is remembered, a changed token is not. */
  @Test
  void aV2BundleWithATamperedTimestampAfterACachedSuccessIsDenied() throws Exception {
    String ts = "/verificationMaterial/timestampVerificationData/rfc3161Timestamps/0";
    assertDeniedAfterSuccess("01-rekor2-hashedrekord-staging", "jku@goto.fi", "https://github.com/login/oauth", n -> {
      ObjectNode t = (ObjectNode) n.at(ts);
      byte[] token = Base64.getDecoder().decode(t.get("signedTimestamp").textValue());
      token[token.length - 2] ^= 1; // inside the signature, the last field of the token
      t.put("signedTimestamp", Base64.getEncoder().encodeToString(token));
    }, "RFC 3161 timestamp");
  }

  private void assertDeniedAfterSuccess(String folder, String san, String issuer, Consumer<ObjectNode> tamper,
      String reason) throws Exception {
    Path root = dir.resolve(folder + ".json");
    Files.write(root, Vectors.bytes(folder + "/trusted_root.json"));
    BlobVerifier v = BlobVerifier.keyless(root, san, issuer);
    byte[] artifact = Vectors.bytes(folder + "/artifact.txt");
    byte[] bundle = Vectors.bytes(folder + "/bundle.sigstore.json");
    for (int i = 0; i < 2; i++) {
      BlobVerifier.Result ok = v.verify(bundle, new ByteArrayInputStream(artifact));
      assertThat(ok.valid()).as(ok.reason()).isTrue();
    }
    assertThat(VerifiedSignatures.size()).isPositive();
    ObjectNode n = (ObjectNode) Json.read(bundle);
    tamper.accept(n);
    BlobVerifier.Result r = v.verify(Json.MAPPER.writeValueAsBytes(n), new ByteArrayInputStream(artifact));
    assertThat(r.valid()).as("tampered bundle accepted: %s", r.reason()).isFalse();
    assertThat(r.reason()).contains(reason);
    // And the genuine bundle still verifies.
    assertThat(v.verify(bundle, new ByteArrayInputStream(artifact)).valid()).isTrue();
  }

  private static void flip(ObjectNode n, String at, String field) {
    ObjectNode o = (ObjectNode) n.at(at);
    byte[] b = Base64.getDecoder().decode(o.get(field).textValue());
    b[b.length - 1] ^= 1;
    o.put(field, Base64.getEncoder().encodeToString(b));
  }

  private static KeyPair p256() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static byte[] sign(KeyPair k, byte[] msg) throws Exception {
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initSign(k.getPrivate());
    s.update(msg);
    return s.sign();
  }
}
