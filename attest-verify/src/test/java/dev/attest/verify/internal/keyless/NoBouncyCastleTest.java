package dev.attest.verify.internal.keyless;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The verification path is plain JDK code (ADR 0023): attest-verify's main code names no
 * BouncyCastle class, so a user's runtime classpath needs no BouncyCastle to verify a bundle
 * (BouncyCastle stays a test dependency of this module, for the test PKI).
 */
class NoBouncyCastleTest {
  @Test
  void mainCodeUsesNoBouncyCastle() throws IOException {
    Path main = Path.of("src/main/java");
    assertThat(main).isDirectory();
    List<Path> users;
    try (Stream<Path> files = Files.walk(main)) {
      users = files.filter(p -> p.toString().endsWith(".java")).filter(p -> {
        try {
          return Files.readString(p).contains("org.bouncycastle");
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).toList();
    }
    assertThat(users).as("attest-verify main sources naming org.bouncycastle").isEmpty();
  }
}
