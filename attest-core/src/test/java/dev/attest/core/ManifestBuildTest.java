package dev.attest.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Builders write canonical compact bytes once; parsing them gives the same manifest back. */
class ManifestBuildTest {
  static final String BUNDLE = MediaTypes.SIGSTORE_BUNDLE_V03;
  static final Digest HELLO = Digest.parse("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  static final Digest SUBJECT = Digest.parse("sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270");

  static ImageManifest referrer() {
    return ImageManifest.builder()
        .artifactType(BUNDLE)
        .config(Descriptor.EMPTY)
        .layer(Descriptor.of(BUNDLE, HELLO, 5))
        .subject(Descriptor.of(MediaTypes.OCI_MANIFEST, SUBJECT, 1234))
        .annotation("dev.sigstore.bundle.content", "dsse-envelope")
        .annotation("org.opencontainers.image.created", "2026-11-25T00:00:00Z")
        .build();
  }

  @Test
  void writesCompactCanonicalJson() {
    String expected = "{\"schemaVersion\":2,"
        + "\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
        + "\"artifactType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
        + "\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\","
        + "\"digest\":\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\",\"size\":2,\"data\":\"e30=\"},"
        + "\"layers\":[{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
        + "\"digest\":\"sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\",\"size\":5}],"
        + "\"subject\":{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
        + "\"digest\":\"sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270\",\"size\":1234},"
        + "\"annotations\":{\"dev.sigstore.bundle.content\":\"dsse-envelope\","
        + "\"org.opencontainers.image.created\":\"2026-11-25T00:00:00Z\"}}";
    ImageManifest m = referrer();
    assertThat(new String(m.bytes(), UTF_8)).isEqualTo(expected);
    assertThat(m.digest()).isEqualTo(Digest.sha256(expected.getBytes(UTF_8)));
    assertThat(m.size()).isEqualTo(expected.length());
  }

  @Test
  void buildingTwiceGivesTheSameBytes() {
    assertThat(referrer().bytes()).isEqualTo(referrer().bytes());
    assertThat(referrer().digest()).isEqualTo(referrer().digest());
  }

  @Test
  void descriptorFieldsAreWrittenInImageSpecOrder() {
    Descriptor d = new Descriptor(
        MediaTypes.OCI_MANIFEST, HELLO, 5, "application/vnd.example+json",
        Map.of("k", "v"), new Platform("arm64", "linux", "1.0", List.of("f1"), "v8", List.of("f2")),
        "aGVsbG8=", List.of("https://example.com/blob"), Map.of("x-extra", "[1]"));
    ImageIndex idx = ImageIndex.builder().manifest(d).build();
    assertThat(new String(idx.bytes(), UTF_8)).isEqualTo(
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
            + "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + HELLO + "\",\"size\":5,"
            + "\"urls\":[\"https://example.com/blob\"],\"annotations\":{\"k\":\"v\"},\"data\":\"aGVsbG8=\","
            + "\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\",\"os.version\":\"1.0\",\"os.features\":[\"f1\"],"
            + "\"variant\":\"v8\",\"features\":[\"f2\"]},"
            + "\"artifactType\":\"application/vnd.example+json\",\"x-extra\":[1]}]}");
  }

  @Test
  void nonAsciiIsWrittenAsRawUtf8() throws Exception {
    ImageManifest m = ImageManifest.builder()
        .artifactType("application/vnd.example+json")
        .config(Descriptor.EMPTY)
        .annotation("note", "na\u00efve \u2603 \uD83D\uDE00 \"q\"")
        .build();
    String json = new String(m.bytes(), UTF_8);
    assertThat(json).endsWith("\"annotations\":{\"note\":\"na\u00efve \u2603 \uD83D\uDE00 \\\"q\\\"\"}}");
    assertThat(Manifest.parse(m.bytes()).annotations()).containsEntry("note", "na\u00efve \u2603 \uD83D\uDE00 \"q\"");
  }

  @Test
  void parsingBuiltBytesRoundTrips() throws Exception {
    ImageManifest built = referrer();
    ImageManifest parsed = (ImageManifest) Manifest.parse(built.bytes(), MediaTypes.OCI_MANIFEST);

    assertThat(parsed).isEqualTo(built);
    assertThat(parsed.digest()).isEqualTo(built.digest());
    assertThat(parsed.bytes()).isEqualTo(built.bytes());
    assertThat(parsed.config()).isEqualTo(built.config());
    assertThat(parsed.layers()).isEqualTo(built.layers());
    assertThat(parsed.subject()).isEqualTo(built.subject());
    assertThat(parsed.artifactType()).isEqualTo(built.artifactType());
    assertThat(parsed.annotations()).isEqualTo(built.annotations());
    assertThat(parsed.unknownFields()).isEmpty();
  }

  @Test
  void indexRoundTrips() throws Exception {
    ImageIndex built = ImageIndex.builder()
        .manifest(referrer().plainDescriptor().withPlatform(Platform.parse("linux/arm64/v8")))
        .manifest(referrer().descriptor())
        .annotation("a", "b")
        .build();
    ImageIndex parsed = (ImageIndex) Manifest.parse(built.bytes());
    assertThat(parsed).isEqualTo(built);
    assertThat(parsed.manifests()).isEqualTo(built.manifests());
    assertThat(parsed.annotations()).isEqualTo(Map.of("a", "b"));
  }

  @Test
  void dockerListBuilds() throws Exception {
    ImageIndex list = ImageIndex.builder().mediaType(MediaTypes.DOCKER_MANIFEST_LIST)
        .manifest(Descriptor.of(MediaTypes.DOCKER_MANIFEST, HELLO, 5).withPlatform(Platform.parse("linux/amd64")))
        .build();
    assertThat(Manifest.parse(list.bytes(), MediaTypes.DOCKER_MANIFEST_LIST).mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST_LIST);
    assertThatThrownBy(() -> ImageIndex.builder().mediaType(MediaTypes.DOCKER_MANIFEST_LIST).artifactType("a/b").build())
        .hasMessageContaining("Docker manifest lists carry neither artifactType nor subject");
    assertThatThrownBy(() -> ImageIndex.builder().mediaType(MediaTypes.OCI_MANIFEST))
        .hasMessageContaining("not an index media type");
  }

  @Test
  void dockerManifestBuildsWithoutOciOnlyFields() throws Exception {
    Descriptor config = Descriptor.of(MediaTypes.DOCKER_CONFIG, HELLO, 5);
    ImageManifest m = ImageManifest.builder().mediaType(MediaTypes.DOCKER_MANIFEST).config(config)
        .layer(Descriptor.of(MediaTypes.DOCKER_LAYER_GZIP, SUBJECT, 10)).build();
    assertThat(Manifest.parse(m.bytes())).isEqualTo(m);
    assertThatThrownBy(() -> ImageManifest.builder().mediaType(MediaTypes.DOCKER_MANIFEST).config(config)
        .subject(referrer().descriptor()).build())
        .hasMessageContaining("Docker v2 manifests carry neither artifactType nor subject");
    assertThatThrownBy(() -> ImageManifest.builder().mediaType(MediaTypes.OCI_INDEX))
        .hasMessageContaining("not an image manifest media type");
  }

  @Test
  void emptyConfigRequiresArtifactType() {
    assertThatThrownBy(() -> ImageManifest.builder().config(Descriptor.EMPTY).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("artifactType must be set when the config is the empty descriptor");
  }

  @Test
  void missingConfigIsRefused() {
    assertThatThrownBy(() -> ImageManifest.builder().artifactType("a/b").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a manifest needs a config");
  }

  @Test
  void oversizedManifestIsNotBuilt() {
    ImageManifest.Builder b = ImageManifest.builder().artifactType("a/b").config(Descriptor.EMPTY);
    b.annotation("big", "x".repeat(Manifest.MAX_BYTES));
    assertThatThrownBy(b::build).hasMessageContaining("over " + Manifest.MAX_BYTES);
  }

  @Test
  void descriptorCarriesArtifactTypeAndAnnotations() {
    ImageManifest m = referrer();
    Descriptor d = m.descriptor();
    assertThat(d.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
    assertThat(d.digest()).isEqualTo(m.digest());
    assertThat(d.size()).isEqualTo(m.size());
    assertThat(d.artifactType()).isEqualTo(BUNDLE);
    assertThat(d.annotations()).containsExactly(
        Map.entry("dev.sigstore.bundle.content", "dsse-envelope"),
        Map.entry("org.opencontainers.image.created", "2026-11-25T00:00:00Z"));

    Descriptor plain = m.plainDescriptor();
    assertThat(plain.artifactType()).isNull();
    assertThat(plain.annotations()).isEmpty();
    assertThat(plain.digest()).isEqualTo(m.digest());
  }

  @Test
  void imageWithoutArtifactTypeReportsTheConfigType() {
    ImageManifest m = ImageManifest.builder().config(Descriptor.of(MediaTypes.OCI_CONFIG, HELLO, 5)).build();
    assertThat(m.artifactTypeField()).isEmpty();
    assertThat(m.descriptor().artifactType()).isEqualTo(MediaTypes.OCI_CONFIG);
    assertThat(new String(m.bytes(), UTF_8)).doesNotContain("artifactType").doesNotContain("subject")
        .doesNotContain("annotations").contains("\"layers\":[]");
  }

  @Test
  void builtViewsAreImmutable() {
    ImageManifest m = referrer();
    assertThatThrownBy(() -> m.layers().add(Descriptor.EMPTY)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> m.annotations().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
  }
}
