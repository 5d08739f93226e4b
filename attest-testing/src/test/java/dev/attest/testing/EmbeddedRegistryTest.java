package dev.attest.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedRegistryTest {

  @Nested
  class ReferrersApiInMemory extends EmbeddedRegistryContract {
    @Override
    EmbeddedRegistry.Builder configure(EmbeddedRegistry.Builder b) {
      return b.referrersApi(true).inMemory();
    }
  }

  @Nested
  class ReferrersApiOnDisk extends EmbeddedRegistryContract {
    @Override
    EmbeddedRegistry.Builder configure(EmbeddedRegistry.Builder b) {
      return b.referrersApi(true).temporaryDisk();
    }
  }

  @Nested
  class Like282InMemory extends EmbeddedRegistryContract {
    @Override
    EmbeddedRegistry.Builder configure(EmbeddedRegistry.Builder b) {
      return b.referrersApi(false);
    }
  }

  @Nested
  class Like282OnDisk extends EmbeddedRegistryContract {
    @Override
    EmbeddedRegistry.Builder configure(EmbeddedRegistry.Builder b) {
      return b.referrersApi(false).temporaryDisk();
    }
  }

  @Test
  void bindsChosenPortAndReportsAddress() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (EmbeddedRegistry r = EmbeddedRegistry.builder().port(port).build().start()) {
      assertThat(r.port()).isEqualTo(port);
      assertThat(r.host()).isEqualTo("127.0.0.1:" + port);
      assertThat(r.url().toString()).isEqualTo("http://127.0.0.1:" + port);
      assertThat(r.isRunning()).isTrue();
    }
  }

  @Test
  void notRunningBeforeStartAndAfterClose() {
    EmbeddedRegistry r = EmbeddedRegistry.builder().build();
    assertThatThrownBy(r::host).isInstanceOf(IllegalStateException.class).hasMessageContaining("start()");
    r.start();
    assertThatThrownBy(r::start).isInstanceOf(IllegalStateException.class);
    r.close();
    assertThat(r.isRunning()).isFalse();
    r.close(); // idempotent
  }

  @Test
  void temporaryDiskIsDeletedOnClose() {
    EmbeddedRegistry r = EmbeddedRegistry.builder().temporaryDisk().build().start();
    Path dir = r.storageDirectory().orElseThrow();
    TestImages.pushImage(r, "app", "v1");
    assertThat(dir.resolve("blobs/sha256")).isDirectory();
    r.close();
    assertThat(dir).doesNotExist();
  }

  @Test
  void chosenDirectoryIsKept(@TempDir Path tmp) {
    Path dir = tmp.resolve("store");
    try (EmbeddedRegistry r = EmbeddedRegistry.builder().storage(dir).build().start()) {
      TestImages.pushImage(r, "app", "v1");
    }
    assertThat(dir.resolve("blobs/sha256")).isNotEmptyDirectory();
  }

  @Test
  void blobLimitIsEnforced() throws Exception {
    try (EmbeddedRegistry r = EmbeddedRegistry.builder().maxBlobSize(100).build().start()) {
      Http http = new Http(r);
      byte[] bytes = new byte[101];
      var resp = http.post("/v2/repo/blobs/uploads/?digest=" + dev.attest.core.Digest.sha256(bytes), bytes);
      assertThat(resp.statusCode()).isEqualTo(413);
      assertThat(EmbeddedRegistryContract.errorCode(resp)).isEqualTo("SIZE_INVALID");
    }
  }

  @Test
  void tlsProbeOnThePlainPortFailsInsteadOfHanging() throws Exception {
    // skopeo and docker try HTTPS first; the probe must fail, not wait for the client's timeout.
    try (EmbeddedRegistry r = EmbeddedRegistry.builder().build().start();
        javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket)
            javax.net.ssl.SSLSocketFactory.getDefault().createSocket("127.0.0.1", r.port())) {
      socket.setSoTimeout(30_000);
      assertThatThrownBy(socket::startHandshake)
          .isInstanceOf(IOException.class)
          .isNotInstanceOf(java.net.SocketTimeoutException.class);
      assertThat(new Http(r).get("/v2/").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void builderRejectsBadSettings() {
    assertThatThrownBy(() -> EmbeddedRegistry.builder().port(70000)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EmbeddedRegistry.builder().maxBlobSize(0)).isInstanceOf(IllegalArgumentException.class);
    try (EmbeddedRegistry r = EmbeddedRegistry.builder().build().start()) {
      assertThatThrownBy(() -> r.putBlob("Bad Name", "a/b", new byte[0]))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Bad Name");
    }
    assertThat(Files.exists(Path.of("."))).isTrue();
  }
}
