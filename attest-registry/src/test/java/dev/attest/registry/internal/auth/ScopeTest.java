package dev.attest.registry.internal.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.junit.jupiter.api.Test;

class ScopeTest {

  private static List<String> derive(String method, String url) {
    Request r =
        new Request.Builder()
            .url(url)
            .method(method, method.equals("GET") || method.equals("HEAD") ? null : RequestBody.create(new byte[0]))
            .build();
    return Scope.derive(r).stream().map(Scope::toString).toList();
  }

  @Test
  void readsPullAndWritesPullPush() {
    assertThat(derive("GET", "https://r/v2/app/manifests/latest")).containsExactly("repository:app:pull");
    assertThat(derive("HEAD", "https://r/v2/team/app/blobs/sha256:ab")).containsExactly("repository:team/app:pull");
    assertThat(derive("PUT", "https://r/v2/team/app/manifests/sha256:ab")).containsExactly("repository:team/app:pull,push");
    assertThat(derive("PATCH", "https://r/v2/app/blobs/uploads/uuid-1")).containsExactly("repository:app:pull,push");
    assertThat(derive("GET", "https://r/v2/app/tags/list?n=10")).containsExactly("repository:app:pull");
    assertThat(derive("GET", "https://r/v2/app/referrers/sha256:ab")).containsExactly("repository:app:pull");
    assertThat(derive("DELETE", "https://r/v2/app/manifests/sha256:ab")).containsExactly("repository:app:delete");
  }

  @Test
  void repositoryNamesMayContainApiWords() {
    assertThat(derive("POST", "https://r/v2/x/blobs/blobs/uploads/")).containsExactly("repository:x/blobs:pull,push");
    assertThat(derive("GET", "https://r/v2/manifests/manifests/latest")).containsExactly("repository:manifests:pull");
  }

  @Test
  void crossRepositoryMountAddsPullOnTheSource() {
    assertThat(derive("POST", "https://r/v2/app/blobs/uploads/?mount=sha256:ab&from=base/img"))
        .containsExactly("repository:app:pull,push", "repository:base/img:pull");
  }

  @Test
  void nothingOutsideRepositories() {
    assertThat(derive("GET", "https://r/v2/")).isEmpty();
    assertThat(derive("GET", "https://r/v2/_catalog")).isEmpty();
    assertThat(derive("GET", "https://r/v2/UPPER/manifests/x")).isEmpty();
  }

  @Test
  void parsesAndMergesScopes() {
    List<Scope> s = Scope.parseList("repository:app:pull  repository:app:push registry:catalog:* repository:h:5000/x:pull");
    assertThat(Scope.merge(s).stream().map(Scope::toString))
        .containsExactly("registry:catalog:*", "repository:app:pull,push", "repository:h:5000/x:pull");
    assertThat(Scope.parse("repository:app:pull,push").covers(Scope.parse("repository:app:pull"))).isTrue();
    assertThat(Scope.parse("repository:app:pull").covers(Scope.parse("repository:app:push"))).isFalse();
    assertThatThrownBy(() -> Scope.parse("repository:app")).hasMessageContaining("type:name:actions");
  }
}
