package dev.attest.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.core.Descriptor;
import dev.attest.core.ImageManifest;
import dev.attest.core.MediaTypes;
import dev.attest.registry.testing.DockerRegistry;
import dev.attest.registry.testing.TokenServer;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@link RemoteRegistry} against distribution 2.8.2 configured with {@code auth: token:}, whose
 * tokens come from {@link TokenServer} for user {@code alice} only: push, fetch, referrers through
 * the fallback, a cross-repository mount with a multi-scope token, and a wrong password.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RemoteRegistry28TokenAuthIT {
  TokenServer tokens;
  DockerRegistry server;
  RemoteRegistry registry;

  @BeforeAll
  void start() throws Exception {
    tokens = TokenServer.builder().user("alice", "s3cret").requireLogin().start();
    server = DockerRegistry.start(tokens);
    registry = RemoteRegistry.builder(server.hostPort())
        .credentials(CredentialStore.anonymous().with(server.hostPort(), Credentials.basic("alice", "s3cret")))
        .build();
  }

  @AfterAll
  void stop() throws Exception {
    if (registry != null) {
      registry.close();
    }
    if (server != null) {
      server.close();
    }
    if (tokens != null) {
      tokens.close();
    }
  }

  @Test
  void pushFetchAndReferrersThroughTheFallback() throws Exception {
    String repo = "auth/app";
    ImageManifest m = TestContent.pushImage(registry, repo, MediaTypes.OCI_MANIFEST, 1);
    registry.pushManifest(repo, m, PushOptions.tagged("v1"));
    assertThat(registry.fetchManifest(repo, "v1").bytes()).isEqualTo(m.bytes());
    Descriptor layer = m.layers().get(0);
    try (InputStream in = registry.fetchBlob(repo, layer)) {
      assertThat(in.readAllBytes()).hasSize((int) layer.size());
    }

    ImageManifest sbom = TestContent.referrer(registry, repo, m.descriptor(), "application/spdx+json", 1);
    PushResult pushed = registry.pushManifest(repo, sbom);
    assertThat(pushed.fallbackIndexUpdated()).isTrue();
    assertThat(registry.referrers(repo, m.digest(), null)).extracting(Descriptor::digest).containsExactly(sbom.digest());
    // Every request after the first challenges carried a cached token: far fewer token requests than calls.
    assertThat(tokens.requestCount()).isLessThan(10);
  }

  @Test
  void crossRepositoryMountAsksForOneTokenCoveringBothRepositories() throws Exception {
    byte[] data = TestContent.random(2048, 9);
    Descriptor d = Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, data);
    registry.pushBlob("auth/base", d, BlobSource.of(data));
    int before = tokens.grantedScopes().size();

    assertThat(registry.mountBlob("auth/derived", d.digest(), "auth/base")).isTrue();
    assertThat(registry.hasBlob("auth/derived", d.digest())).isTrue();
    List<List<String>> issued = tokens.grantedScopes().subList(before, tokens.grantedScopes().size());
    assertThat(issued).anySatisfy(scopes -> assertThat(scopes)
        .contains("repository:auth/derived:pull,push", "repository:auth/base:pull"));
  }

  @Test
  void aWrongPasswordIsUnauthorizedNamingTheRegistry() {
    try (RemoteRegistry wrong = RemoteRegistry.builder(server.hostPort())
        .credentials(CredentialStore.anonymous().with(server.hostPort(), Credentials.basic("alice", "nope")))
        .build()) {
      assertThatThrownBy(() -> wrong.fetchManifest("auth/app", "v1"))
          .isExactlyInstanceOf(UnauthorizedException.class)
          .hasMessageContaining("registry " + server.hostPort())
          .hasMessageContaining("alice")
          .hasMessageNotContaining("nope");
    }
  }

  @Test
  void noCredentialsAtAllIsUnauthorized() {
    try (RemoteRegistry anonymous = RemoteRegistry.builder(server.hostPort())
        .credentials(CredentialStore.anonymous()).build()) {
      assertThatThrownBy(() -> anonymous.tags("auth/app"))
          .isExactlyInstanceOf(UnauthorizedException.class)
          .hasMessageContaining("registry " + server.hostPort());
    }
  }
}
