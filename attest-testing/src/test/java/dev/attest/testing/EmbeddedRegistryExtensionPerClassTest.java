package dev.attest.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.ImageManifest;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A static field: one registry for the whole class. */
class EmbeddedRegistryExtensionPerClassTest {
  @RegisterExtension
  static final EmbeddedRegistryExtension REGISTRY = EmbeddedRegistryExtension.create().referrersApi(false).temporaryDisk();

  private static final AtomicReference<EmbeddedRegistry> FIRST = new AtomicReference<>();

  @RepeatedTest(3)
  void sharesOneRegistry() {
    EmbeddedRegistry r = REGISTRY.registry();
    FIRST.compareAndSet(null, r);
    assertThat(r).isSameAs(FIRST.get());
    assertThat(r.isRunning()).isTrue();
    assertThat(r.referrersApi()).isFalse();
    assertThat(r.storageDirectory()).isPresent();
    assertThat(REGISTRY.host()).isEqualTo(r.host());
    ImageManifest m = TestImages.pushImage(r, "app", "v1");
    assertThat(r.manifest("app", "v1")).contains(m);
  }
}
