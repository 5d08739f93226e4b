package dev.attest.registry.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attest.core.Json;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.util.Base64;
import java.util.List;
import okhttp3.FormBody;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

class TokenServerTest {

  private static JsonNode part(String jwt, int i) throws Exception {
    return Json.read(Base64.getUrlDecoder().decode(jwt.split("\\.")[i]));
  }

  @Test
  void issuesES256TokensWithTheClaimsDistributionChecks() throws Exception {
    try (TokenServer ts = TokenServer.builder().service("svc").issuer("iss").start()) {
      String jwt = ts.issue("alice", List.of("repository:app:push", "repository:app:pull", "repository:base:pull"));
      String[] parts = jwt.split("\\.");
      assertThat(parts).hasSize(3);
      JsonNode header = part(jwt, 0);
      assertThat(header.get("alg").asText()).isEqualTo("ES256");
      assertThat(Base64.getDecoder().decode(header.get("x5c").get(0).asText())).isEqualTo(ts.certificate().getEncoded());
      JsonNode claims = part(jwt, 1);
      assertThat(claims.get("iss").asText()).isEqualTo("iss");
      assertThat(claims.get("aud").asText()).isEqualTo("svc");
      assertThat(claims.get("sub").asText()).isEqualTo("alice");
      assertThat(claims.get("exp").asLong()).isGreaterThan(claims.get("iat").asLong());
      assertThat(claims.get("access").toString())
          .isEqualTo(
              "[{\"type\":\"repository\",\"name\":\"app\",\"actions\":[\"pull\",\"push\"]},"
                  + "{\"type\":\"repository\",\"name\":\"base\",\"actions\":[\"pull\"]}]");
      byte[] sig = Base64.getUrlDecoder().decode(parts[2]);
      assertThat(sig).hasSize(64);
      Signature v = Signature.getInstance("SHA256withECDSAinP1363Format");
      v.initVerify(ts.certificate().getPublicKey());
      v.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      assertThat(v.verify(sig)).isTrue();
      assertThat(ts.rootCertificatePem()).startsWith("-----BEGIN CERTIFICATE-----\n");
    }
  }

  @Test
  void servesTheTokenProtocol() throws Exception {
    try (TokenServer ts = TokenServer.builder().user("alice", "pw").refreshToken("rt-1", "alice").requireLogin().start()) {
      OkHttpClient http = new OkHttpClient();
      String url = ts.realm() + "?service=" + ts.service() + "&scope=repository%3Aapp%3Apull";
      try (Response r = http.newCall(new Request.Builder().url(url).build()).execute()) {
        assertThat(r.code()).isEqualTo(401);
      }
      String basic = okhttp3.Credentials.basic("alice", "pw");
      try (Response r = http.newCall(new Request.Builder().url(url).header("Authorization", basic).build()).execute()) {
        assertThat(r.code()).isEqualTo(200);
        JsonNode body = Json.read(r.body().bytes());
        assertThat(part(body.get("token").asText(), 1).get("sub").asText()).isEqualTo("alice");
        assertThat(body.get("expires_in").asLong()).isEqualTo(300);
      }
      FormBody refresh =
          new FormBody.Builder()
              .add("grant_type", "refresh_token")
              .add("service", ts.service())
              .add("refresh_token", "rt-1")
              .add("scope", "repository:app:pull repository:b:pull")
              .build();
      try (Response r = http.newCall(new Request.Builder().url(ts.realm().toString()).post(refresh).build()).execute()) {
        assertThat(r.code()).isEqualTo(200);
        JsonNode access = part(Json.read(r.body().bytes()).get("access_token").asText(), 1).get("access");
        assertThat(access).hasSize(2);
      }
      FormBody badRefresh =
          new FormBody.Builder().add("grant_type", "refresh_token").add("refresh_token", "rt-unknown").build();
      try (Response r = http.newCall(new Request.Builder().url(ts.realm().toString()).post(badRefresh).build()).execute()) {
        assertThat(r.code()).isEqualTo(401);
      }
      assertThat(ts.requestCount()).isEqualTo(4);
    }
  }
}
