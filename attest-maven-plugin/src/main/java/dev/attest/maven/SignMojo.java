package dev.attest.maven;

import dev.attest.core.AttestException;
import dev.attest.core.ImageRef;
import dev.attest.maven.internal.Printing;
import dev.attest.maven.internal.RegistryAccess;
import dev.attest.registry.AttachResult;
import dev.attest.registry.Registry;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * {@code attest:sign}: signs the image digest as {@code cosign sign --new-bundle-format} does, a
 * Sigstore bundle v0.3 pushed as an OCI 1.1 referrer of the digest (and the {@code sha256-<hex>}
 * fallback index on registries without the referrers API).
 *
 * @see <a href="https://github.com/sigstore/cosign/blob/main/specs/BUNDLE_SPEC.md">cosign bundle spec</a>
 */
@Mojo(name = "sign", defaultPhase = LifecyclePhase.DEPLOY, threadSafe = true)
public class SignMojo extends AbstractSigningMojo {

  /** Skips this goal. */
  @Parameter(property = "attest.sign.skip", defaultValue = "false")
  protected boolean skipSign;

  @Override
  String goal() {
    return "sign";
  }

  @Override
  boolean skipGoal() {
    return skipSign;
  }

  @Override
  void run() throws MojoExecutionException, AttestException {
    var signing = signing();
    try (RegistryAccess access = registries()) {
      ImageRef t = target().ref();
      Registry r = access.open(t.registry());
      ImageRef ref = targetByDigest(r);
      AttachResult result = signing.signImage(r, ref.repository(), ref.digest(), recursive);
      Printing.attached(getLog(), ref, result);
    }
  }
}
