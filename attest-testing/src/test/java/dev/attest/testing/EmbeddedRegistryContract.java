package dev.attest.testing;

import static dev.attest.testing.Http.header;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attest.core.Descriptor;
import dev.attest.core.Digest;
import dev.attest.core.ImageIndex;
import dev.attest.core.ImageManifest;
import dev.attest.core.Manifest;
import dev.attest.core.MediaTypes;
import dev.attest.core.Platform;
import dev.attest.core.Json;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every endpoint of the embedded registry over plain java.net.http, for one configuration. */
abstract class EmbeddedRegistryContract {
  private static final Random RANDOM = new Random(42);

  EmbeddedRegistry registry;
  Http http;

  abstract EmbeddedRegistry.Builder configure(EmbeddedRegistry.Builder b);

  @BeforeEach
  void start() {
    registry = configure(EmbeddedRegistry.builder()).build().start();
    http = new Http(registry);
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  static JsonNode json(HttpResponse<byte[]> r) throws IOException {
    return Json.read(r.body());
  }

  static String errorCode(HttpResponse<byte[]> r) throws IOException {
    JsonNode err = json(r).get("errors").get(0);
    assertThat(err.has("message")).isTrue();
    assertThat(err.has("detail")).isTrue();
    return err.get("code").asText();
  }

  Descriptor pushBlob(String repo, byte[] bytes) {
    Digest d = Digest.sha256(bytes);
    HttpResponse<byte[]> r = http.post("/v2/" + repo + "/blobs/uploads/?digest=" + d, bytes);
    assertThat(r.statusCode()).isEqualTo(201);
    return Descriptor.of("application/octet-stream", d, bytes.length);
  }

  ImageManifest pushImageOverHttp(String repo, String tag) {
    Descriptor config = pushBlob(repo, "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(UTF_8));
    Descriptor layer = pushBlob(repo, random(3000));
    ImageManifest m = ImageManifest.builder()
        .config(Descriptor.of(MediaTypes.OCI_CONFIG, config.digest(), config.size()))
        .layer(Descriptor.of(MediaTypes.OCI_LAYER_TAR, layer.digest(), layer.size()))
        .build();
    HttpResponse<byte[]> r = http.put("/v2/" + repo + "/manifests/" + tag, m.bytes(), "Content-Type", m.mediaType());
    assertThat(r.statusCode()).isEqualTo(201);
    return m;
  }

  // ---- base

  @Test
  void baseEndpointAnswers200() {
    HttpResponse<byte[]> r = http.get("/v2/");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(header(r, "Docker-Distribution-API-Version")).isEqualTo("registry/2.0");
  }

  @Test
  void unknownPathIs404Text() {
    HttpResponse<byte[]> r = http.get("/v3/whatever");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(new String(r.body(), UTF_8)).isEqualTo("404 page not found\n");
  }

  // ---- blobs

  @Test
  void monolithicPostStoresAndServesBlob() {
    byte[] bytes = random(70_000);
    Descriptor d = pushBlob("a/b", bytes);
    HttpResponse<byte[]> r = http.get("/v2/a/b/blobs/" + d.digest());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(bytes);
    assertThat(header(r, "Docker-Content-Digest")).isEqualTo(d.digest().toString());
    HttpResponse<byte[]> h = http.head("/v2/a/b/blobs/" + d.digest());
    assertThat(h.statusCode()).isEqualTo(200);
    assertThat(header(h, "Content-Length")).isEqualTo("70000");
    assertThat(h.body()).isEmpty();
  }

  @Test
  void blobIsScopedToItsRepository() throws IOException {
    Descriptor d = pushBlob("one", random(10));
    HttpResponse<byte[]> r = http.get("/v2/two/blobs/" + d.digest());
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(errorCode(r)).isEqualTo("BLOB_UNKNOWN");
    assertThat(http.head("/v2/two/blobs/" + d.digest()).statusCode()).isEqualTo(404);
  }

  @Test
  void monolithicPostWithWrongDigestStoresNothing() throws IOException {
    byte[] bytes = random(100);
    Digest wrong = Digest.sha256(random(100));
    HttpResponse<byte[]> r = http.post("/v2/repo/blobs/uploads/?digest=" + wrong, bytes);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(errorCode(r)).isEqualTo("DIGEST_INVALID");
    assertThat(http.head("/v2/repo/blobs/" + wrong).statusCode()).isEqualTo(404);
    assertThat(http.head("/v2/repo/blobs/" + Digest.sha256(bytes)).statusCode()).isEqualTo(404);
  }

  @Test
  void invalidDigestIsRejected() throws IOException {
    HttpResponse<byte[]> r = http.get("/v2/repo/blobs/sha256:ABC");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(errorCode(r)).isEqualTo("DIGEST_INVALID");
  }

  @Test
  void postThenPutUpload() {
    HttpResponse<byte[]> r = http.post("/v2/repo/blobs/uploads/", new byte[0]);
    assertThat(r.statusCode()).isEqualTo(202);
    String location = header(r, "Location");
    assertThat(location).startsWith("/v2/repo/blobs/uploads/");
    assertThat(header(r, "Range")).isEqualTo("0-0");
    assertThat(location).endsWith(header(r, "Docker-Upload-UUID"));
    byte[] bytes = random(5000);
    Digest d = Digest.sha256(bytes);
    HttpResponse<byte[]> put = http.put(location + "?digest=" + d, bytes);
    assertThat(put.statusCode()).isEqualTo(201);
    assertThat(header(put, "Location")).isEqualTo("/v2/repo/blobs/" + d);
    assertThat(header(put, "Docker-Content-Digest")).isEqualTo(d.toString());
    assertThat(http.get("/v2/repo/blobs/" + d).body()).isEqualTo(bytes);
    // The session is over.
    assertThat(http.get(location).statusCode()).isEqualTo(404);
  }

  @Test
  void chunkedUploadChecksOffsetsAndFinishesWithFinalChunk() throws IOException {
    byte[] bytes = random(30_000);
    String location = header(http.post("/v2/repo/blobs/uploads/", new byte[0]), "Location");
    HttpResponse<byte[]> p1 = http.patch(location, Arrays.copyOfRange(bytes, 0, 10_000),
        "Content-Range", "0-9999", "Content-Type", "application/octet-stream");
    assertThat(p1.statusCode()).isEqualTo(202);
    assertThat(header(p1, "Range")).isEqualTo("0-9999");
    location = header(p1, "Location");

    HttpResponse<byte[]> wrong = http.patch(location, Arrays.copyOfRange(bytes, 10_000, 20_000),
        "Content-Range", "5000-14999");
    assertThat(wrong.statusCode()).isEqualTo(416);
    assertThat(header(wrong, "Range")).isEqualTo("0-9999");
    assertThat(errorCode(wrong)).isEqualTo("BLOB_UPLOAD_INVALID");

    // A streamed chunk without Content-Range is appended too.
    HttpResponse<byte[]> p2 = http.patch(location, Arrays.copyOfRange(bytes, 10_000, 20_000));
    assertThat(p2.statusCode()).isEqualTo(202);
    assertThat(header(p2, "Range")).isEqualTo("0-19999");

    HttpResponse<byte[]> status = http.get(location);
    assertThat(status.statusCode()).isEqualTo(204);
    assertThat(header(status, "Range")).isEqualTo("0-19999");
    assertThat(header(status, "Docker-Upload-UUID")).isNotBlank();

    Digest d = Digest.sha256(bytes);
    HttpResponse<byte[]> put = http.put(location + "?digest=" + d, Arrays.copyOfRange(bytes, 20_000, 30_000));
    assertThat(put.statusCode()).isEqualTo(201);
    assertThat(http.get("/v2/repo/blobs/" + d).body()).isEqualTo(bytes);
  }

  @Test
  void streamedChunkedTransferUploadAndDownload() throws Exception {
    byte[] bytes = random(5 * 1024 * 1024 + 17);
    Digest d = Digest.sha256(bytes);
    String location = header(http.post("/v2/repo/blobs/uploads/", new byte[0]), "Location");
    // ofInputStream has no known length, so the body goes out with chunked transfer encoding.
    HttpResponse<byte[]> patch = http.send(http.request(location).method("PATCH",
        java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(bytes))));
    assertThat(patch.statusCode()).isEqualTo(202);
    assertThat(header(patch, "Range")).isEqualTo("0-" + (bytes.length - 1));
    assertThat(http.put(header(patch, "Location") + "?digest=" + d, new byte[0]).statusCode()).isEqualTo(201);
    HttpResponse<java.io.InputStream> get = http.sendStreaming(http.request("/v2/repo/blobs/" + d).GET());
    try (java.io.InputStream in = get.body()) {
      assertThat(Digest.sha256(in)).isEqualTo(d);
    }
    assertThat(header(get, "Content-Length")).isEqualTo(Integer.toString(bytes.length));
  }

  @Test
  void finishingWithWrongDigestStoresNothing() throws IOException {
    byte[] bytes = random(1000);
    String location = header(http.post("/v2/repo/blobs/uploads/", new byte[0]), "Location");
    assertThat(http.patch(location, bytes).statusCode()).isEqualTo(202);
    Digest wrong = Digest.sha256(random(1000));
    HttpResponse<byte[]> put = http.put(location + "?digest=" + wrong, new byte[0]);
    assertThat(put.statusCode()).isEqualTo(400);
    assertThat(errorCode(put)).isEqualTo("DIGEST_INVALID");
    assertThat(http.head("/v2/repo/blobs/" + wrong).statusCode()).isEqualTo(404);
    assertThat(http.head("/v2/repo/blobs/" + Digest.sha256(bytes)).statusCode()).isEqualTo(404);
    assertThat(registry.hasBlob("repo", Digest.sha256(bytes))).isFalse();
  }

  @Test
  void putWithoutDigestIsRejected() {
    String location = header(http.post("/v2/repo/blobs/uploads/", new byte[0]), "Location");
    assertThat(http.put(location, new byte[1]).statusCode()).isEqualTo(400);
  }

  @Test
  void cancelledUploadIsGone() throws IOException {
    String location = header(http.post("/v2/repo/blobs/uploads/", new byte[0]), "Location");
    assertThat(http.delete(location).statusCode()).isEqualTo(204);
    HttpResponse<byte[]> r = http.patch(location, new byte[10]);
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(errorCode(r)).isEqualTo("BLOB_UPLOAD_UNKNOWN");
  }

  @Test
  void uploadOfAnotherRepositoryIsUnknown() {
    String location = header(http.post("/v2/one/blobs/uploads/", new byte[0]), "Location");
    String other = location.replace("/v2/one/", "/v2/two/");
    assertThat(http.get(other).statusCode()).isEqualTo(404);
  }

  @Test
  void rangeGetAnswers206() {
    byte[] bytes = random(1000);
    Descriptor d = pushBlob("repo", bytes);
    HttpResponse<byte[]> r = http.get("/v2/repo/blobs/" + d.digest(), "Range", "bytes=100-199");
    assertThat(r.statusCode()).isEqualTo(206);
    assertThat(r.body()).isEqualTo(Arrays.copyOfRange(bytes, 100, 200));
    assertThat(header(r, "Content-Range")).isEqualTo("bytes 100-199/1000");
    HttpResponse<byte[]> open = http.get("/v2/repo/blobs/" + d.digest(), "Range", "bytes=900-");
    assertThat(open.body()).isEqualTo(Arrays.copyOfRange(bytes, 900, 1000));
    HttpResponse<byte[]> bad = http.get("/v2/repo/blobs/" + d.digest(), "Range", "bytes=1000-1001");
    assertThat(bad.statusCode()).isEqualTo(416);
  }

  @Test
  void mountFromRepositoryThatHasTheBlob() {
    Descriptor d = pushBlob("src", random(500));
    HttpResponse<byte[]> r = http.post("/v2/dst/blobs/uploads/?mount=" + d.digest() + "&from=src", new byte[0]);
    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(header(r, "Location")).isEqualTo("/v2/dst/blobs/" + d.digest());
    assertThat(http.head("/v2/dst/blobs/" + d.digest()).statusCode()).isEqualTo(200);
  }

  @Test
  void mountOfUnknownBlobOpensUpload() {
    Digest d = Digest.sha256(random(10));
    HttpResponse<byte[]> r = http.post("/v2/dst/blobs/uploads/?mount=" + d + "&from=src", new byte[0]);
    assertThat(r.statusCode()).isEqualTo(202);
    assertThat(header(r, "Location")).startsWith("/v2/dst/blobs/uploads/");
    HttpResponse<byte[]> noFrom = http.post("/v2/dst/blobs/uploads/?mount=" + d, new byte[0]);
    assertThat(noFrom.statusCode()).isEqualTo(202);
  }

  @Test
  void deleteBlob() throws IOException {
    Descriptor d = pushBlob("repo", random(10));
    assertThat(http.delete("/v2/repo/blobs/" + d.digest()).statusCode()).isEqualTo(202);
    HttpResponse<byte[]> r = http.get("/v2/repo/blobs/" + d.digest());
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(errorCode(r)).isEqualTo("BLOB_UNKNOWN");
    assertThat(http.delete("/v2/repo/blobs/" + d.digest()).statusCode()).isEqualTo(404);
  }

  // ---- manifests

  @Test
  void manifestBytesComeBackExactly() throws Exception {
    Descriptor config = pushBlob("repo", "{}".getBytes(UTF_8));
    // Odd whitespace and raw UTF-8: the registry must never re-serialise.
    String text = "{ \"schemaVersion\" : 2,\n\t\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\","
        + "\"artifactType\":\"application/x-t\",\"config\":{\"mediaType\":\"" + MediaTypes.OCI_EMPTY
        + "\",\"digest\":\"" + config.digest() + "\",\"size\":2},\"layers\":[],"
        + "\"annotations\":{\"n\":\"Grüße ✓\"}  }";
    byte[] bytes = text.getBytes(UTF_8);
    Digest d = Digest.sha256(bytes);
    HttpResponse<byte[]> put = http.put("/v2/repo/manifests/v1", bytes, "Content-Type", MediaTypes.OCI_MANIFEST);
    assertThat(put.statusCode()).isEqualTo(201);
    assertThat(header(put, "Docker-Content-Digest")).isEqualTo(d.toString());
    assertThat(header(put, "Location")).isEqualTo("/v2/repo/manifests/" + d);
    assertThat(header(put, "OCI-Subject")).isNull();

    for (String ref : List.of("v1", d.toString())) {
      HttpResponse<byte[]> get = http.get("/v2/repo/manifests/" + ref, "Accept", MediaTypes.DOCKER_MANIFEST);
      assertThat(get.statusCode()).isEqualTo(200);
      assertThat(get.body()).isEqualTo(bytes);
      assertThat(header(get, "Content-Type")).isEqualTo(MediaTypes.OCI_MANIFEST);
      assertThat(header(get, "Docker-Content-Digest")).isEqualTo(d.toString());
      assertThat(header(get, "ETag")).isEqualTo("\"" + d + "\"");
      assertThat(header(get, "Content-Length")).isEqualTo(Integer.toString(bytes.length));
      HttpResponse<byte[]> head = http.head("/v2/repo/manifests/" + ref);
      assertThat(head.statusCode()).isEqualTo(200);
      assertThat(head.body()).isEmpty();
      assertThat(header(head, "Content-Length")).isEqualTo(Integer.toString(bytes.length));
      assertThat(header(head, "Docker-Content-Digest")).isEqualTo(d.toString());
    }
  }

  @Test
  void unknownManifestAndRepository() throws IOException {
    HttpResponse<byte[]> r = http.get("/v2/nope/manifests/latest");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(errorCode(r)).isEqualTo("NAME_UNKNOWN");
    pushImageOverHttp("repo", "v1");
    HttpResponse<byte[]> m = http.get("/v2/repo/manifests/v2");
    assertThat(m.statusCode()).isEqualTo(404);
    assertThat(errorCode(m)).isEqualTo("MANIFEST_UNKNOWN");
    assertThat(http.head("/v2/repo/manifests/v2").statusCode()).isEqualTo(404);
  }

  @Test
  void manifestWithMissingBlobIsRejected() throws IOException {
    Descriptor config = pushBlob("repo", "{}".getBytes(UTF_8));
    ImageManifest m = ImageManifest.builder()
        .config(Descriptor.of(MediaTypes.OCI_CONFIG, config.digest(), 2))
        .layer(Descriptor.ofBytes(MediaTypes.OCI_LAYER_TAR, random(10)))
        .build();
    HttpResponse<byte[]> r = http.put("/v2/repo/manifests/v1", m.bytes(), "Content-Type", m.mediaType());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(errorCode(r)).isEqualTo("MANIFEST_BLOB_UNKNOWN");
    assertThat(http.get("/v2/repo/manifests/v1").statusCode()).isEqualTo(404);
  }

  @Test
  void manifestWithWrongBlobSizeIsRejected() throws IOException {
    Descriptor config = pushBlob("repo", "{}".getBytes(UTF_8));
    ImageManifest m = ImageManifest.builder().config(Descriptor.of(MediaTypes.OCI_CONFIG, config.digest(), 3)).build();
    HttpResponse<byte[]> r = http.put("/v2/repo/manifests/v1", m.bytes(), "Content-Type", m.mediaType());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(errorCode(r)).isEqualTo("MANIFEST_INVALID");
  }

  @Test
  void indexWithMissingChildIsRejected() throws IOException {
    ImageManifest child = pushImageOverHttp("repo", "child");
    ImageIndex missing = ImageIndex.builder()
        .manifest(child.plainDescriptor())
        .manifest(Descriptor.ofBytes(MediaTypes.OCI_MANIFEST, random(10)))
        .build();
    HttpResponse<byte[]> r = http.put("/v2/repo/manifests/multi", missing.bytes(), "Content-Type", MediaTypes.OCI_INDEX);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(errorCode(r)).isEqualTo("MANIFEST_UNKNOWN");
    ImageIndex ok = ImageIndex.builder().manifest(child.plainDescriptor()).build();
    assertThat(http.put("/v2/repo/manifests/multi", ok.bytes(), "Content-Type", MediaTypes.OCI_INDEX).statusCode())
        .isEqualTo(201);
  }

  @Test
  void contentTypeMustMatchMediaType() throws IOException {
    ImageManifest m = pushImageOverHttp("repo", "v1");
    for (String ct : List.of(MediaTypes.OCI_INDEX, MediaTypes.DOCKER_MANIFEST, "application/json")) {
      HttpResponse<byte[]> r = http.put("/v2/repo/manifests/v2", m.bytes(), "Content-Type", ct);
      assertThat(r.statusCode()).as(ct).isEqualTo(400);
      assertThat(errorCode(r)).isEqualTo("MANIFEST_INVALID");
    }
  }

  @Test
  void malformedAndOversizedManifestsAreRejected() throws IOException {
    HttpResponse<byte[]> bad = http.put("/v2/repo/manifests/v1", "{\"schemaVersion\":2,".getBytes(UTF_8),
        "Content-Type", MediaTypes.OCI_MANIFEST);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(errorCode(bad)).isEqualTo("MANIFEST_INVALID");
    byte[] big = new byte[Manifest.MAX_BYTES + 1];
    Arrays.fill(big, (byte) ' ');
    HttpResponse<byte[]> tooBig = http.put("/v2/repo/manifests/v1", big, "Content-Type", MediaTypes.OCI_MANIFEST);
    assertThat(tooBig.statusCode()).isEqualTo(400);
    assertThat(errorCode(tooBig)).isEqualTo("MANIFEST_INVALID");
  }

  @Test
  void putByDigestMustHashToIt() throws IOException {
    ImageManifest m = pushImageOverHttp("repo", "v1");
    HttpResponse<byte[]> ok = http.put("/v2/repo/manifests/" + m.digest(), m.bytes(), "Content-Type", m.mediaType());
    assertThat(ok.statusCode()).isEqualTo(201);
    Digest other = Digest.sha256(random(5));
    HttpResponse<byte[]> wrong = http.put("/v2/repo/manifests/" + other, m.bytes(), "Content-Type", m.mediaType());
    assertThat(wrong.statusCode()).isEqualTo(400);
    assertThat(errorCode(wrong)).isEqualTo("DIGEST_INVALID");
    assertThat(http.get("/v2/repo/manifests/" + other).statusCode()).isEqualTo(404);
  }

  @Test
  void invalidTagIsRejected() throws IOException {
    ImageManifest m = pushImageOverHttp("repo", "v1");
    HttpResponse<byte[]> r = http.put("/v2/repo/manifests/-bad", m.bytes(), "Content-Type", m.mediaType());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(errorCode(r)).isEqualTo("TAG_INVALID");
  }

  @Test
  void ifMatchMakesTagUpdatesConditional() throws IOException {
    ImageManifest first = pushImageOverHttp("repo", "v1");
    ImageManifest second = pushImageOverHttp("repo", "other");
    String etag = header(http.head("/v2/repo/manifests/v1"), "ETag");
    assertThat(etag).isEqualTo("\"" + first.digest() + "\"");

    HttpResponse<byte[]> stale = http.put("/v2/repo/manifests/v1", second.bytes(),
        "Content-Type", second.mediaType(), "If-Match", "\"" + second.digest() + "\"");
    assertThat(stale.statusCode()).isEqualTo(412);
    assertThat(http.get("/v2/repo/manifests/v1").body()).isEqualTo(first.bytes());

    HttpResponse<byte[]> ok = http.put("/v2/repo/manifests/v1", second.bytes(),
        "Content-Type", second.mediaType(), "If-Match", etag);
    assertThat(ok.statusCode()).isEqualTo(201);
    assertThat(http.get("/v2/repo/manifests/v1").body()).isEqualTo(second.bytes());

    HttpResponse<byte[]> absent = http.put("/v2/repo/manifests/new", second.bytes(),
        "Content-Type", second.mediaType(), "If-Match", etag);
    assertThat(absent.statusCode()).isEqualTo(412);

    HttpResponse<byte[]> createOnly = http.put("/v2/repo/manifests/v1", first.bytes(),
        "Content-Type", first.mediaType(), "If-None-Match", "*");
    assertThat(createOnly.statusCode()).isEqualTo(412);
    HttpResponse<byte[]> created = http.put("/v2/repo/manifests/fresh", first.bytes(),
        "Content-Type", first.mediaType(), "If-None-Match", "*");
    assertThat(created.statusCode()).isEqualTo(201);
  }

  @Test
  void deleteManifestByDigestButNotByTag() throws IOException {
    ImageManifest m = pushImageOverHttp("repo", "v1");
    HttpResponse<byte[]> byTag = http.delete("/v2/repo/manifests/v1");
    assertThat(byTag.statusCode()).isEqualTo(400);
    assertThat(errorCode(byTag)).isEqualTo("UNSUPPORTED");
    assertThat(http.delete("/v2/repo/manifests/" + m.digest()).statusCode()).isEqualTo(202);
    assertThat(http.get("/v2/repo/manifests/" + m.digest()).statusCode()).isEqualTo(404);
    assertThat(http.get("/v2/repo/manifests/v1").statusCode()).isEqualTo(404);
    assertThat(json(http.get("/v2/repo/tags/list")).get("tags")).isEmpty();
    assertThat(http.delete("/v2/repo/manifests/" + m.digest()).statusCode()).isEqualTo(404);
  }

  @Test
  void methodNotAllowed() throws IOException {
    HttpResponse<byte[]> r = http.post("/v2/repo/manifests/v1", new byte[0]);
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(errorCode(r)).isEqualTo("UNSUPPORTED");
  }

  // ---- listings

  @Test
  void tagsListPages() throws IOException {
    ImageManifest m = pushImageOverHttp("repo", "c");
    for (String tag : List.of("a", "b", "d")) {
      assertThat(http.put("/v2/repo/manifests/" + tag, m.bytes(), "Content-Type", m.mediaType()).statusCode())
          .isEqualTo(201);
    }
    HttpResponse<byte[]> all = http.get("/v2/repo/tags/list");
    assertThat(json(all).get("name").asText()).isEqualTo("repo");
    assertThat(texts(json(all).get("tags"))).containsExactly("a", "b", "c", "d");
    assertThat(header(all, "Link")).isNull();

    HttpResponse<byte[]> p1 = http.get("/v2/repo/tags/list?n=2");
    assertThat(texts(json(p1).get("tags"))).containsExactly("a", "b");
    assertThat(header(p1, "Link")).isEqualTo("</v2/repo/tags/list?n=2&last=b>; rel=\"next\"");
    HttpResponse<byte[]> p2 = http.get("/v2/repo/tags/list?n=2&last=b");
    assertThat(texts(json(p2).get("tags"))).containsExactly("c", "d");
    HttpResponse<byte[]> p3 = http.get("/v2/repo/tags/list?n=2&last=d");
    assertThat(json(p3).get("tags")).isEmpty();
    assertThat(header(p3, "Link")).isNull();

    HttpResponse<byte[]> unknown = http.get("/v2/nope/tags/list");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(errorCode(unknown)).isEqualTo("NAME_UNKNOWN");
    assertThat(http.get("/v2/repo/tags/list?n=x").statusCode()).isEqualTo(400);
  }

  @Test
  void catalogListsRepositories() throws IOException {
    pushImageOverHttp("b/two", "v1");
    pushImageOverHttp("a/one", "v1");
    assertThat(texts(json(http.get("/v2/_catalog")).get("repositories"))).containsExactly("a/one", "b/two");
    HttpResponse<byte[]> p1 = http.get("/v2/_catalog?n=1");
    assertThat(texts(json(p1).get("repositories"))).containsExactly("a/one");
    assertThat(header(p1, "Link")).contains("last=a%2Fone");
  }

  static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  // ---- referrers

  ImageManifest pushReferrer(String repo, Digest subjectDigest, String artifactType, String annotation) {
    Descriptor empty = pushBlob(repo, Descriptor.emptyBytes());
    assertThat(empty.digest()).isEqualTo(Descriptor.EMPTY.digest());
    Descriptor layer = pushBlob(repo, random(100));
    ImageManifest m = ImageManifest.builder()
        .artifactType(artifactType)
        .config(Descriptor.EMPTY)
        .layer(Descriptor.of("application/json", layer.digest(), layer.size()))
        .subject(Descriptor.of(MediaTypes.OCI_MANIFEST, subjectDigest, 123))
        .annotation("org.example.note", annotation)
        .build();
    HttpResponse<byte[]> r = http.put("/v2/" + repo + "/manifests/" + m.digest(), m.bytes(),
        "Content-Type", m.mediaType());
    assertThat(r.statusCode()).isEqualTo(201);
    if (registry.referrersApi()) {
      assertThat(header(r, "OCI-Subject")).isEqualTo(subjectDigest.toString());
    } else {
      assertThat(header(r, "OCI-Subject")).isNull();
    }
    return m;
  }

  @Test
  void referrers() throws Exception {
    ImageManifest image = pushImageOverHttp("repo", "v1");
    ImageManifest sbom = pushReferrer("repo", image.digest(), "application/vnd.cyclonedx+json", "sbom");
    ImageManifest prov = pushReferrer("repo", image.digest(), "application/vnd.in-toto+json", "prov");
    // A referrer whose subject does not exist is accepted.
    pushReferrer("repo", Digest.sha256(random(8)), "application/x-other", "dangling");

    HttpResponse<byte[]> r = http.get("/v2/repo/referrers/" + image.digest());
    if (!registry.referrersApi()) {
      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(new String(r.body(), UTF_8)).isEqualTo("404 page not found\n");
      return;
    }
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(header(r, "Content-Type")).isEqualTo(MediaTypes.OCI_INDEX);
    assertThat(header(r, "OCI-Filters-Applied")).isNull();
    ImageIndex index = (ImageIndex) Manifest.parse(r.body());
    assertThat(index.manifests()).containsExactly(sbom.descriptor(), prov.descriptor());
    assertThat(index.manifests().get(0).artifactType()).isEqualTo("application/vnd.cyclonedx+json");
    assertThat(index.manifests().get(0).annotations()).containsEntry("org.example.note", "sbom");

    HttpResponse<byte[]> filtered = http.get(
        "/v2/repo/referrers/" + image.digest() + "?artifactType=application%2Fvnd.in-toto%2Bjson");
    assertThat(header(filtered, "OCI-Filters-Applied")).isEqualTo("artifactType");
    assertThat(((ImageIndex) Manifest.parse(filtered.body())).manifests()).containsExactly(prov.descriptor());

    HttpResponse<byte[]> none = http.get("/v2/repo/referrers/" + sbom.digest());
    assertThat(none.statusCode()).isEqualTo(200);
    assertThat(((ImageIndex) Manifest.parse(none.body())).manifests()).isEmpty();
    HttpResponse<byte[]> otherRepo = http.get("/v2/elsewhere/referrers/" + image.digest());
    assertThat(otherRepo.statusCode()).isEqualTo(200);
    assertThat(((ImageIndex) Manifest.parse(otherRepo.body())).manifests()).isEmpty();

    // Deleting a referrer removes it from the listing.
    assertThat(http.delete("/v2/repo/manifests/" + sbom.digest()).statusCode()).isEqualTo(202);
    ImageIndex after = (ImageIndex) Manifest.parse(http.get("/v2/repo/referrers/" + image.digest()).body());
    assertThat(after.manifests()).containsExactly(prov.descriptor());
  }

  @Test
  void referrersTagSchemaFallbackIndexRoundTrips() throws Exception {
    ImageManifest image = pushImageOverHttp("repo", "v1");
    ImageManifest sbom = pushReferrer("repo", image.digest(), "application/vnd.cyclonedx+json", "sbom");
    ImageIndex fallback = ImageIndex.builder().manifest(sbom.descriptor()).build();
    String tag = image.digest().tagSchemaTag();
    HttpResponse<byte[]> r = http.put("/v2/repo/manifests/" + tag, fallback.bytes(),
        "Content-Type", MediaTypes.OCI_INDEX, "If-None-Match", "*");
    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(http.get("/v2/repo/manifests/" + tag).body()).isEqualTo(fallback.bytes());
    assertThat(texts(json(http.get("/v2/repo/tags/list")).get("tags"))).contains(tag);
  }

  @Test
  void concurrentConditionalUpdatesLoseNothing() throws Exception {
    // What a client without the referrers API does: read the fallback index, add itself, and
    // write it back with If-Match (or If-None-Match: * when absent), retrying on 412.
    ImageManifest image = pushImageOverHttp("repo", "v1");
    String path = "/v2/repo/manifests/" + image.digest().tagSchemaTag();
    int writers = 12;
    List<ImageManifest> referrers = new ArrayList<>();
    for (int i = 0; i < writers; i++) {
      referrers.add(pushReferrer("repo", image.digest(), "application/x-a", "n" + i));
    }
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(writers);
    try {
      List<java.util.concurrent.Future<Integer>> results = new ArrayList<>();
      for (ImageManifest referrer : referrers) {
        results.add(pool.submit(() -> {
          for (int attempt = 1; ; attempt++) {
            HttpResponse<byte[]> current = http.get(path);
            List<Descriptor> entries = new ArrayList<>();
            String[] condition;
            if (current.statusCode() == 200) {
              entries.addAll(((ImageIndex) Manifest.parse(current.body())).manifests());
              condition = new String[] {"If-Match", header(current, "ETag")};
            } else {
              condition = new String[] {"If-None-Match", "*"};
            }
            entries.add(referrer.descriptor());
            byte[] next = ImageIndex.builder().manifests(entries).build().bytes();
            HttpResponse<byte[]> put = http.put(path, next,
                "Content-Type", MediaTypes.OCI_INDEX, condition[0], condition[1]);
            if (put.statusCode() == 201) {
              return attempt;
            }
            assertThat(put.statusCode()).isEqualTo(412);
          }
        }));
      }
      for (java.util.concurrent.Future<Integer> f : results) {
        assertThat(f.get()).isPositive();
      }
    } finally {
      pool.shutdownNow();
    }
    ImageIndex fallback = (ImageIndex) Manifest.parse(http.get(path).body());
    assertThat(fallback.manifests())
        .containsExactlyInAnyOrderElementsOf(referrers.stream().map(Manifest::descriptor).toList());
  }

  // ---- direct access and random images

  @Test
  void testImagesArePushedAndServed() throws Exception {
    ImageManifest oci = TestImages.pushImage(registry, "img", "oci");
    ImageManifest docker = TestImages.pushImage(registry, "img", "docker", TestImages.Format.DOCKER, 3);
    assertThat(docker.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
    assertThat(docker.layers()).hasSize(3);
    for (ImageManifest m : List.of(oci, docker)) {
      HttpResponse<byte[]> r = http.get("/v2/img/manifests/" + m.digest());
      assertThat(r.body()).isEqualTo(m.bytes());
      for (Descriptor b : m.blobs()) {
        HttpResponse<byte[]> blob = http.get("/v2/img/blobs/" + b.digest());
        assertThat(blob.statusCode()).isEqualTo(200);
        assertThat(Digest.sha256(blob.body())).isEqualTo(b.digest());
      }
    }
    List<Platform> platforms =
        Stream.of("linux/amd64", "linux/arm64", "linux/s390x").map(Platform::parse).toList();
    ImageIndex index = TestImages.pushIndex(registry, "img", "multi", TestImages.Format.OCI, platforms);
    ImageIndex list = TestImages.pushIndex(registry, "img", null, TestImages.Format.DOCKER, platforms);
    assertThat(list.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST_LIST);
    for (ImageIndex ix : List.of(index, list)) {
      assertThat(ix.manifests()).extracting(Descriptor::platform).containsExactlyElementsOf(platforms);
      assertThat(http.get("/v2/img/manifests/" + ix.digest()).body()).isEqualTo(ix.bytes());
      for (Descriptor child : ix.manifests()) {
        assertThat(registry.manifest("img", child.digest().toString())).isPresent();
      }
    }
    assertThat(registry.tags("img")).containsExactly("docker", "multi", "oci");
    assertThat(registry.manifest("img", "multi")).contains(index);
  }

  @Test
  void putManifestHelperRefusesMissingBlobs() {
    ImageManifest m = ImageManifest.builder().config(Descriptor.ofBytes(MediaTypes.OCI_CONFIG, random(4))).build();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> registry.putManifest("repo", "v1", m))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("MANIFEST_BLOB_UNKNOWN");
  }

  @Test
  void storageDirectoryHoldsCompleteBlobsOnly() throws IOException {
    Descriptor d = pushBlob("repo", random(2000));
    if (registry.storageDirectory().isEmpty()) {
      return;
    }
    Path dir = registry.storageDirectory().get();
    Path blob = dir.resolve("blobs/sha256/" + d.digest().hex());
    assertThat(Files.size(blob)).isEqualTo(2000);
    try (Stream<Path> s = Files.list(dir.resolve("uploads"))) {
      assertThat(s).isEmpty();
    }
  }
}
