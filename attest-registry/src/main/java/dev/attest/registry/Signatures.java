package dev.attest.registry;

import dev.attest.core.AttestException;
import dev.attest.core.Digest;
import dev.attest.core.Signer;
import java.time.Clock;

/**
 * Signs an image the way cosign 3 does with {@code cosign sign --new-bundle-format}: a Sigstore
 * bundle v0.3 holding a DSSE envelope over the in-toto statement {@code {"_type":
 * "https://in-toto.io/Statement/v1", "subject": [{"digest": {"sha256": "<hex>"}}],
 * "predicateType": "https://sigstore.dev/cosign/sign/v1", "predicate": {}}}, pushed as a referrer
 * of the image (see docs/adr/0010-attestation-layout.md).
 *
 * <pre>{@code
 * Signatures.on(registry, "app", digest).signWith(signer).recursive().attach();
 * }</pre>
 *
 * @see <a href="https://github.com/sigstore/cosign/blob/main/cmd/cosign/cli/sign/sign.go">cosign
 *     sign</a>
 */
public final class Signatures {
  private final Attestations flow;

  private Signatures(Attestations flow) {
    this.flow = flow;
  }

  /** Starts configuring the signature of the image {@code digest} in {@code repository}. */
  public static Signatures on(Registry registry, String repository, Digest digest) {
    return new Signatures(Attestations.on(registry, repository, digest).imageSignature());
  }

  /** The signer; required. */
  public Signatures signWith(Signer signer) {
    flow.signWith(signer);
    return this;
  }

  /** For an index, also sign every platform manifest, like cosign's {@code --recursive}. */
  public Signatures recursive() {
    flow.recursive();
    return this;
  }

  /** The clock for the creation annotation. */
  public Signatures clock(Clock clock) {
    flow.clock(clock);
    return this;
  }

  /** Signs and pushes; see {@link Attestations#attach()}. */
  public AttachResult attach() throws AttestException {
    return flow.attach();
  }
}
