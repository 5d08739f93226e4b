package dev.attest.promote;

import dev.attest.core.Digest;
import dev.attest.core.Keys;
import dev.attest.verify.ImageVerifier;
import dev.attest.verify.Policy;
import dev.attest.verify.TrustedKey;
import dev.attest.verify.VerificationReport;
import dev.attest.verify.VerificationReport.Check;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/** Simple {@link ImageVerifier}s for tests: decide by the reference's host, record what they saw. */
final class Verifiers {
  private Verifiers() {}

  static final Digest POLICY_HASH = Digest.sha256("test-policy".getBytes(StandardCharsets.UTF_8));

  /** A verifier that allows everything except references containing one of {@code denied}. */
  static Recording denying(Digest policyHash, String... denied) {
    return new Recording(policyHash, Set.of(denied));
  }

  static Recording allowing(Digest policyHash) {
    return new Recording(policyHash, Set.of());
  }

  static final class Recording implements ImageVerifier {
    final Digest policyHash;
    final Set<String> denied;
    final List<String> seen = new CopyOnWriteArrayList<>();

    Recording(Digest policyHash, Set<String> denied) {
      this.policyHash = policyHash;
      this.denied = denied;
    }

    @Override
    public VerificationReport verify(String imageReference) {
      seen.add(imageReference);
      Digest d = Digest.parse(imageReference.substring(imageReference.lastIndexOf('@') + 1));
      boolean deny = denied.stream().anyMatch(imageReference::contains);
      Check c = deny ? Check.fail("signature", "test verifier denies " + imageReference)
          : Check.pass("signature", "test verifier allows");
      return VerificationReport.of(imageReference, d, Policy.Mode.ENFORCE, policyHash, List.of(c), List.of(),
          Instant.parse("2026-11-25T12:00:00Z"));
    }
  }

  /** A real (if small) policy, for its name and hash. */
  static Policy policy(String name) {
    String pem = new String(Keys.writePublicKeyPem(Keys.generateP256().getPublic()), StandardCharsets.US_ASCII);
    return Policy.builder(name).trust("k", Policy.Trust.ofKeys(TrustedKey.fromPem(pem))).signedBy("k").build();
  }
}
