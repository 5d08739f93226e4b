package dev.attest.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BoundedReadsTest {
  @TempDir Path dir;

  @Test
  void readsUpToTheBoundAndRefusesOneBytePast() throws Exception {
    assertThat(BoundedReads.readAll(new ByteArrayInputStream(new byte[10]), 10, "body")).hasSize(10);
    assertThat(BoundedReads.readAll(new ByteArrayInputStream(new byte[0]), 0, "body")).isEmpty();
    assertThatThrownBy(() -> BoundedReads.readAll(new ByteArrayInputStream(new byte[11]), 10, "token response"))
        .isInstanceOfSatisfying(TooLargeException.class, e -> {
          assertThat(e.limit()).isEqualTo(10);
          assertThat(e.size()).isEmpty();
        })
        .isInstanceOf(InvalidContentException.class)
        .hasMessage("token response is over the 10 byte limit");
  }

  @Test
  void neverReadsMoreThanOneBytePastTheBound() throws Exception {
    int[] read = {0};
    InputStream endless = new InputStream() {
      @Override
      public int read() {
        read[0]++;
        return 'x';
      }
    };
    assertThatThrownBy(() -> BoundedReads.readAll(endless, 1000, "stream")).isInstanceOf(TooLargeException.class);
    assertThat(read[0]).isEqualTo(1001);
  }

  @Test
  void aFileOverTheBoundIsRefusedByItsSize() throws Exception {
    Path f = Files.write(dir.resolve("key.pem"), new byte[100]);
    assertThat(BoundedReads.readFile(f, 100, "key")).hasSize(100);
    assertThatThrownBy(() -> BoundedReads.readFile(f, 99, "private key " + f))
        .isInstanceOfSatisfying(TooLargeException.class, e -> assertThat(e.size()).hasValue(100))
        .hasMessage("private key " + f + " is 100 bytes, over the 99 byte limit");
    assertThatThrownBy(() -> BoundedReads.readFile(dir.resolve("none"), 99, "x")).isInstanceOf(NoSuchFileException.class);
    assertThatThrownBy(() -> BoundedReads.readAll(InputStream.nullInputStream(), -1, "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
