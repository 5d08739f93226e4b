package dev.attest.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.core.Descriptor;
import dev.attest.core.ImageManifest;
import dev.attest.core.Manifest;
import dev.attest.registry.Registry;
import org.junit.jupiter.api.Test;

/** The embedded registry is a {@link Registry} whose client goes over HTTP and closes with it. */
class EmbeddedRegistryAsRegistryTest {

  @Test
  void embeddedMdExampleRuns() throws Exception {
    try (EmbeddedRegistry registry = EmbeddedRegistry.builder().build().start()) {
      ImageManifest image = TestImages.pushImage(registry, "app", "v1");   // config + 2 random layers
      String ref = registry.host() + "/app@" + image.digest();             // 127.0.0.1:PORT/app@sha256:…
      Descriptor v1 = registry.resolve("app", "v1");   // it is a Registry: the client calls, over HTTP
      assertThat(ref).startsWith("127.0.0.1:").endsWith("/app@" + image.digest());
      assertThat(v1.digest()).isEqualTo(image.digest());
    }
  }

  @Test
  void registryCallsGoOverHttpToTheSameStorage() throws Exception {
    try (EmbeddedRegistry registry = EmbeddedRegistry.builder().referrersApi(false).build().start()) {
      Registry asRegistry = registry;
      ImageManifest image = TestImages.pushImage(registry, "app", "v1");
      Manifest fetched = asRegistry.fetchManifest("app", image.digest().toString());
      assertThat(fetched.bytes()).isEqualTo(image.bytes());
      assertThat(asRegistry.name()).isEqualTo(registry.host());
      asRegistry.tag("app", fetched.descriptor(), "v2");
      assertThat(registry.tags("app")).containsExactly("v1", "v2");
      assertThat(registry.client()).isSameAs(registry.client());
    }
  }

  @Test
  void clientClosesWithTheRegistry() throws Exception {
    EmbeddedRegistry registry = EmbeddedRegistry.builder().build().start();
    ImageManifest image = TestImages.pushImage(registry, "app", "v1");
    Registry client = registry.client();
    assertThat(client.hasManifest("app", image.digest())).isTrue();
    registry.close();
    assertThatThrownBy(registry::client).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> registry.resolve("app", "v1"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not running");
  }
}
