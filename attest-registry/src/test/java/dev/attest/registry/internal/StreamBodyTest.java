package dev.attest.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import okio.Buffer;
import okio.BufferedSink;
import okio.Okio;
import okio.Sink;
import okio.Timeout;
import org.junit.jupiter.api.Test;

/** Request bodies streamed from a source, directly or from read-ahead buffers. */
class StreamBodyTest {

  /** Collects what a buffered sink emits, and the size of every emitted write. */
  private static final class Recording implements Sink {
    final Buffer received = new Buffer();
    final List<Long> writes = new ArrayList<>();

    @Override
    public void write(Buffer source, long byteCount) throws IOException {
      writes.add(byteCount);
      received.write(source, byteCount);
    }

    @Override
    public void flush() {}

    @Override
    public Timeout timeout() {
      return Timeout.NONE;
    }

    @Override
    public void close() {}
  }

  private static byte[] random(int size) {
    byte[] b = new byte[size];
    new SplittableRandom(size).nextBytes(b);
    return b;
  }

  @Test
  void fromReadAheadBuffersTheBodyIsExactAndWrittenInPiecesOkioPoolsWithoutAllocating() throws IOException {
    byte[] data = random(3 * 256 * 1024 + 999);
    Recording socket = new Recording();
    try (ReadAheadInputStream in = new ReadAheadInputStream(new ByteArrayInputStream(data), 256 * 1024, 4)) {
      BufferedSink sink = Okio.buffer(socket);
      new StreamBody(in, data.length, n -> {}).writeTo(sink);
      sink.flush();
    }
    assertThat(socket.received.readByteArray()).isEqualTo(data);
    // okio's per-thread segment pool holds 64 KiB: each write stays within it (plus one partial segment).
    assertThat(socket.writes).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(StreamBody.BUFFER + 8192));
  }

  @Test
  void aShortReadAheadSourceIsReportedAsEndingEarly() {
    byte[] data = random(1000);
    assertThatThrownBy(() -> {
      try (ReadAheadInputStream in = new ReadAheadInputStream(new ByteArrayInputStream(data), 256, 2)) {
        new StreamBody(in, 2000, n -> {}).writeTo(Okio.buffer(new Recording()));
      }
    }).isInstanceOf(IOException.class).hasMessageContaining("1000 bytes early");
  }

  @Test
  void aLengthLimitsWhatIsTakenFromTheReadAheadSource() throws IOException {
    byte[] data = random(5000);
    Recording socket = new Recording();
    try (ReadAheadInputStream in = new ReadAheadInputStream(new ByteArrayInputStream(data), 1024, 3)) {
      BufferedSink sink = Okio.buffer(socket);
      new StreamBody(in, 3000, n -> {}).writeTo(sink);
      sink.flush();
      assertThat(in.read()).isEqualTo(data[3000] & 0xff);
    }
    assertThat(socket.received.readByteArray()).hasSize(3000);
  }
}
