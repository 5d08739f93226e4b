package dev.attest.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RemoteRegistryBuilderTest {
  static String base(RemoteRegistry.Builder b) {
    try (RemoteRegistry r = b.build()) {
      return r.toString();
    }
  }

  @Test
  void httpsByDefaultAndPlainHttpOnlyForLoopbackOrOptIn() {
    assertThat(base(RemoteRegistry.builder("ghcr.io"))).isEqualTo("RemoteRegistry{https://ghcr.io/}");
    assertThat(base(RemoteRegistry.builder("registry.example:5000"))).isEqualTo("RemoteRegistry{https://registry.example:5000/}");
    assertThat(base(RemoteRegistry.builder("127.0.0.1:5000"))).isEqualTo("RemoteRegistry{http://127.0.0.1:5000/}");
    assertThat(base(RemoteRegistry.builder("127.3.4.5:5000"))).isEqualTo("RemoteRegistry{http://127.3.4.5:5000/}");
    assertThat(base(RemoteRegistry.builder("localhost"))).isEqualTo("RemoteRegistry{http://localhost/}");
    assertThat(base(RemoteRegistry.builder("[::1]:5000"))).isEqualTo("RemoteRegistry{http://[::1]:5000/}");
    assertThat(base(RemoteRegistry.builder("https://localhost:5000"))).isEqualTo("RemoteRegistry{https://localhost:5000/}");
    assertThat(base(RemoteRegistry.builder("10.0.0.1:5000").allowHttp())).isEqualTo("RemoteRegistry{http://10.0.0.1:5000/}");
    assertThat(base(RemoteRegistry.builder("http://10.0.0.1:5000").allowHttp())).isEqualTo("RemoteRegistry{http://10.0.0.1:5000/}");
  }

  @Test
  void plainHttpToAnotherHostNeedsOptIn() {
    assertThatThrownBy(() -> RemoteRegistry.builder("http://registry.example").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("allowHttp");
    assertThatThrownBy(() -> RemoteRegistry.builder("http://128.0.0.1").build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void malformedNamesAreRefused() {
    assertThatThrownBy(() -> RemoteRegistry.builder("ghcr.io/path").build()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RemoteRegistry.builder("user:pw@ghcr.io").build()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RemoteRegistry.builder("").build()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RemoteRegistry.builder("ghcr.io").retries(-1)).isInstanceOf(IllegalArgumentException.class);
  }
}
