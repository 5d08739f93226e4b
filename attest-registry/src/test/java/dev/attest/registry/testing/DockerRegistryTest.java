package dev.attest.registry.testing;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

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
  void aMissingBinarySkipsOtherwise() {
    assumeFalse("true".equalsIgnoreCase(System.getenv("CI")), "CI=true makes the binary required");
    System.setProperty("attest.docker-registry", "/nonexistent/docker-registry");
    System.setProperty("attest.it.require", "false");
    assertThatThrownBy(DockerRegistry::start).isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("apt-get install docker-registry");
  }
}
