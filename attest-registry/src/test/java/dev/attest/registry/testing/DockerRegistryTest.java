package dev.attest.registry.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

class DockerRegistryTest {
  final String savedBinary = System.getProperty("attest.docker-registry");
  final String savedRequire = System.getProperty("attest.it.require");

  @AfterEach
  void restore() {
    set("attest.docker-registry", savedBinary);
    set("attest.it.require", savedRequire);
  }

  static void set(String key, String value) {
    if (value == null) {
      System.clearProperty(key);
    } else {
      System.setProperty(key, value);
    }
  }

  @Test
  void aMissingBinaryFailsWithInstallAdviceWhenRequired() {
    System.setProperty("attest.docker-registry", "/nonexistent/docker-registry");
    System.setProperty("attest.it.require", "true");
    assertThatThrownBy(DockerRegistry::start).isInstanceOf(AssertionFailedError.class)
        .hasMessageContaining("apt-get install docker-registry");
  }

  @Test
  void theBinaryIsRequiredByThePropertyOrByCi() {
    assertThat(DockerRegistry.required(null, null)).isFalse();
    assertThat(DockerRegistry.required("false", "false")).isFalse();
    assertThat(DockerRegistry.required("true", null)).isTrue();
    assertThat(DockerRegistry.required(null, "true")).isTrue();
    assertThat(DockerRegistry.required("TRUE", "false")).isTrue();
  }
}
