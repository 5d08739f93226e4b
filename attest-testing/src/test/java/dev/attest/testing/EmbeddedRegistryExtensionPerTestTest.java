package dev.attest.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An instance field: a fresh registry for every test. */
class EmbeddedRegistryExtensionPerTestTest {
  @RegisterExtension
  final EmbeddedRegistryExtension registry = EmbeddedRegistryExtension.create();

  private static final AtomicReference<EmbeddedRegistry> PREVIOUS = new AtomicReference<>();

  @RepeatedTest(3)
  void getsAFreshRegistry() {
    EmbeddedRegistry r = registry.registry();
    EmbeddedRegistry previous = PREVIOUS.getAndSet(r);
    if (previous != null) {
      assertThat(r).isNotSameAs(previous);
      assertThat(previous.isRunning()).isFalse();
    }
    assertThat(r.isRunning()).isTrue();
    assertThat(r.referrersApi()).isTrue();
    assertThat(r.storageDirectory()).isEmpty();
    // Nothing leaks from an earlier test.
    assertThat(r.tags("app")).isEmpty();
    TestImages.pushImage(r, "app", "v1");
    assertThat(r.tags("app")).containsExactly("v1");
  }

  @Test
  void registryIsUnavailableOutsideTests() {
    EmbeddedRegistryExtension idle = EmbeddedRegistryExtension.create();
    assertThatThrownBy(idle::registry).isInstanceOf(IllegalStateException.class);
  }
}
