package dev.attest.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing keeps bytes, reads every manifest kind, and refuses what it must. */
class ManifestParseTest {
  static final String CONFIG_DIGEST = "sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7";
  static final String LAYER_DIGEST = "sha256:9834876dcfb05cb167a5c24953eba58c4ac89b1adf57f28f2f9d09af107ee8f0";
  static final String MANIFEST_DIGEST = "sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270";

  static final String OCI_MANIFEST = """
      {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {
          "mediaType": "application/vnd.oci.image.config.v1+json",
          "digest": "%s",
          "size": 7023
        },
        "layers": [
          {
            "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
            "digest": "%s",
            "size": 32654,
            "annotations": {"org.opencontainers.image.title": "layer.tar.gz"}
          }
        ],
        "annotations": {"com.example.key1": "value1", "com.example.key2": "value2"}
      }
      """.formatted(CONFIG_DIGEST, LAYER_DIGEST);

  static final String OCI_INDEX = """
      {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
          {
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": "%1$s",
            "size": 7143,
            "platform": {"architecture": "ppc64le", "os": "linux"}
          },
          {
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": "%2$s",
            "size": 7682,
            "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}
          },
          {
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": "%3$s",
            "size": 1234,
            "platform": {"architecture": "amd64", "os": "windows", "os.version": "10.0.14393.1066",
                         "os.features": ["win32k"]}
          }
        ],
        "annotations": {"com.example.key1": "value1"}
      }
      """.formatted(MANIFEST_DIGEST, LAYER_DIGEST, CONFIG_DIGEST);

  static final String DOCKER_MANIFEST = """
      {
          "schemaVersion": 2,
          "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
          "config": {
              "mediaType": "application/vnd.docker.container.image.v1+json",
              "size": 7023,
              "digest": "%s"
          },
          "layers": [
              {
                  "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                  "size": 32654,
                  "digest": "%s"
              }
          ]
      }""".formatted(CONFIG_DIGEST, LAYER_DIGEST);

  static final String DOCKER_LIST = """
      {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
        "manifests": [
          {
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "size": 7143,
            "digest": "%s",
            "platform": {"architecture": "arm", "os": "linux", "variant": "v7", "features": ["sse4"]}
          }
        ]
      }""".formatted(MANIFEST_DIGEST);

  static byte[] utf8(String s) {
    return s.getBytes(UTF_8);
  }

  @Test
  void parsesOciManifest() throws Exception {
    byte[] raw = utf8(OCI_MANIFEST);
    ImageManifest m = (ImageManifest) Manifest.parse(raw);

    assertThat(m.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
    assertThat(m.config().digest()).hasToString(CONFIG_DIGEST);
    assertThat(m.config().size()).isEqualTo(7023);
    assertThat(m.layers()).singleElement().satisfies(l -> {
      assertThat(l.mediaType()).isEqualTo(MediaTypes.OCI_LAYER_TAR_GZIP);
      assertThat(l.annotation("org.opencontainers.image.title")).contains("layer.tar.gz");
    });
    assertThat(m.blobs()).extracting(Descriptor::digest).map(Digest::toString).containsExactly(CONFIG_DIGEST, LAYER_DIGEST);
    assertThat(m.annotations().keySet()).containsExactly("com.example.key1", "com.example.key2");
    assertThat(m.subject()).isEmpty();
    assertThat(m.artifactTypeField()).isEmpty();
    assertThat(m.artifactType()).contains(MediaTypes.OCI_CONFIG); // the config type stands in
    assertThat(m.unknownFields()).isEmpty();
    assertThat(m.bytes()).isEqualTo(raw);
    assertThat(m.digest()).isEqualTo(Digest.sha256(raw));
    assertThat(m.size()).isEqualTo(raw.length);
  }

  @Test
  void parsesOciIndex() throws Exception {
    ImageIndex idx = (ImageIndex) Manifest.parse(utf8(OCI_INDEX), MediaTypes.OCI_INDEX);

    assertThat(idx.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
    assertThat(idx.manifests()).hasSize(3);
    assertThat(idx.manifests().get(1).platform()).isEqualTo(Platform.parse("linux/arm64/v8"));
    Platform windows = idx.manifests().get(2).platform();
    assertThat(windows.osVersion()).isEqualTo("10.0.14393.1066");
    assertThat(windows.osFeatures()).containsExactly("win32k");
    assertThat(idx.forPlatform(Platform.parse("linux/arm64/v8"))).hasValueSatisfying(
        d -> assertThat(d.digest()).hasToString(LAYER_DIGEST));
    assertThat(idx.forPlatform(Platform.of("linux", "s390x"))).isEmpty();
    assertThat(idx.artifactType()).isEmpty();
    assertThat(idx.digest()).isEqualTo(Digest.sha256(utf8(OCI_INDEX)));
  }

  @Test
  void parsesDockerManifest() throws Exception {
    Manifest m = Manifest.parse(utf8(DOCKER_MANIFEST), MediaTypes.DOCKER_MANIFEST + "; charset=utf-8");
    assertThat(m).isInstanceOf(ImageManifest.class);
    ImageManifest im = (ImageManifest) m;
    assertThat(im.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
    assertThat(im.config().mediaType()).isEqualTo(MediaTypes.DOCKER_CONFIG);
    assertThat(im.layers()).extracting(Descriptor::mediaType).containsExactly(MediaTypes.DOCKER_LAYER_GZIP);
    assertThat(im.bytes()).isEqualTo(utf8(DOCKER_MANIFEST));
  }

  @Test
  void parsesDockerManifestList() throws Exception {
    ImageIndex idx = (ImageIndex) Manifest.parse(utf8(DOCKER_LIST));
    assertThat(idx.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST_LIST);
    Descriptor d = idx.manifests().get(0);
    assertThat(d.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
    assertThat(d.platform().variant()).isEqualTo("v7");
    assertThat(d.platform().features()).containsExactly("sse4");
  }

  @Test
  void mediaTypeComesFromContentTypeOrShapeWhenTheFieldIsAbsent() throws Exception {
    String noType = OCI_MANIFEST.replace("\"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",", "");
    assertThat(noType).doesNotContain("image.manifest");
    assertThat(Manifest.parse(utf8(noType)).mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
    assertThat(Manifest.parse(utf8(noType), MediaTypes.OCI_MANIFEST).mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
    String noIndexType = OCI_INDEX.replace("\"mediaType\": \"application/vnd.oci.image.index.v1+json\",", "");
    assertThat(Manifest.parse(utf8(noIndexType))).isInstanceOf(ImageIndex.class);
    assertThatThrownBy(() -> Manifest.parse(utf8("{\"schemaVersion\":2}")))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("cannot tell whether this is a manifest or an index");
  }

  @Test
  void oddWhitespaceAndRawNonAsciiArePreservedByteForByte() throws Exception {
    String text = "\r\n\t {\"schemaVersion\"  :\t2 ,\r\n"
        + "\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\n\n"
        + "\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":\"" + Descriptor.EMPTY.digest()
        + "\",\"size\":2},\"layers\":[],\"artifactType\":\"application/vnd.example+json\","
        + "\"annotations\":{\"note\":\"na\u00efve \u2603 \uD83D\uDE00\",\"esc\":\"\\u00e9\\n\"}}   \n";
    byte[] raw = utf8(text);
    Manifest m = Manifest.parse(raw);

    assertThat(m.bytes()).isEqualTo(raw);
    assertThat(m.digest()).isEqualTo(Digest.sha256(raw));
    assertThat(m.size()).isEqualTo(raw.length);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    m.writeTo(out);
    assertThat(out.toByteArray()).isEqualTo(raw);
    assertThat(m.annotations()).containsEntry("note", "na\u00efve \u2603 \uD83D\uDE00").containsEntry("esc", "\u00e9\n");
    // a differently spelled equal document is a different manifest
    Manifest compact = Manifest.parse(utf8(text.strip()));
    assertThat(compact.digest()).isNotEqualTo(m.digest());
    assertThat(compact).isNotEqualTo(m);
  }

  @Test
  void theManifestDoesNotShareItsBytes() throws Exception {
    byte[] raw = utf8(OCI_MANIFEST);
    Manifest m = Manifest.parse(raw);
    Digest d = m.digest();
    Arrays.fill(raw, (byte) ' ');
    assertThat(Digest.sha256(m.bytes())).isEqualTo(d);
    m.bytes()[0] = 'x';
    assertThat(Digest.sha256(m.bytes())).isEqualTo(d);
  }

  @Test
  void unknownTopLevelAndDescriptorFieldsAreKept() throws Exception {
    String text = OCI_MANIFEST
        .replace("\"schemaVersion\": 2,", "\"schemaVersion\": 2, \"x-future\": {\"a\": [1, 2.50, \"\u00e9\"]}, \"x-num\": 1e3,")
        .replace("\"size\": 7023", "\"size\": 7023, \"x-descriptor\": true");
    ImageManifest m = (ImageManifest) Manifest.parse(utf8(text));

    assertThat(m.unknownFields().keySet()).containsExactly("x-future", "x-num");
    // kept as an equal JSON value; the manifest's own bytes are what stay exact
    assertThat(m.unknownFields().get("x-future")).isEqualTo("{\"a\":[1,2.5,\"\u00e9\"]}");
    assertThat(m.config().unknownFields()).containsExactly(java.util.Map.entry("x-descriptor", "true"));
    assertThat(m.bytes()).isEqualTo(utf8(text));
    // a kept descriptor goes into a new manifest with its unknown field
    ImageManifest copy = ImageManifest.builder().config(m.config()).build();
    assertThat(new String(copy.bytes(), UTF_8)).contains("\"size\":7023,\"x-descriptor\":true}");
  }

  @Test
  void overFourMebibytesIsRefused() throws Exception {
    byte[] head = utf8(OCI_MANIFEST);
    byte[] exact = Arrays.copyOf(head, Manifest.MAX_BYTES);
    Arrays.fill(exact, head.length, exact.length, (byte) ' ');
    assertThat(Manifest.parse(exact).size()).isEqualTo(4 * 1024 * 1024);

    byte[] over = Arrays.copyOf(exact, Manifest.MAX_BYTES + 1);
    over[Manifest.MAX_BYTES] = ' ';
    assertThatThrownBy(() -> Manifest.parse(over))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("4194305 bytes, over the 4194304 byte limit");
    assertThatThrownBy(() -> Manifest.parse(over, null, Digest.sha256(over)))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("over the 4194304 byte limit");
  }

  @Test
  void parseWithExpectedDigestChecksTheBytes() throws Exception {
    byte[] raw = utf8(OCI_MANIFEST);
    assertThat(Manifest.parse(raw, null, Digest.sha256(raw)).digest()).isEqualTo(Digest.sha256(raw));
    Digest wrong = Digest.sha256(utf8(OCI_INDEX));
    assertThatThrownBy(() -> Manifest.parse(raw, null, wrong))
        .isInstanceOf(DigestMismatchException.class)
        .hasMessageContaining(wrong.toString())
        .hasMessageContaining(Digest.sha256(raw).toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "{\"schemaVersion\":2,\"schemaVersion\":2,\"config\":{}}",
    "{\"schemaVersion\":2,\"annotations\":{\"a\":\"1\",\"a\":\"2\"},\"config\":{}}",
  })
  void duplicateKeysAreRefused(String text) {
    assertThatThrownBy(() -> Manifest.parse(utf8(text)))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("not valid JSON")
        .hasMessageContaining("Duplicate field");
  }

  @Test
  void duplicateKeysInsideDescriptorsAreRefused() {
    String text = OCI_MANIFEST.replace("\"size\": 7023", "\"size\": 7023, \"size\": 1");
    assertThatThrownBy(() -> Manifest.parse(utf8(text))).hasMessageContaining("Duplicate field 'size'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{}", " x", "{\"a\":1}", "]", "\n{}", "\u0000"})
  void trailingGarbageIsRefused(String tail) {
    assertThatThrownBy(() -> Manifest.parse(utf8(OCI_MANIFEST + tail)))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("not valid JSON");
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "", "   ", "[]", "\"manifest\"", "null", "{", "{\"schemaVersion\":2,}", "{'schemaVersion':2}",
    "{\"schemaVersion\":2 /* c */}"
  })
  void malformedJsonIsRefused(String text) {
    assertThatThrownBy(() -> Manifest.parse(utf8(text))).isInstanceOf(InvalidContentException.class);
  }

  @Test
  void onlyUtf8WithoutByteOrderMarkIsRead() {
    byte[] utf16 = OCI_MANIFEST.getBytes(StandardCharsets.UTF_16BE);
    assertThatThrownBy(() -> Manifest.parse(utf16))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("UTF-8");
    byte[] utf16le = OCI_MANIFEST.getBytes(StandardCharsets.UTF_16LE);
    assertThatThrownBy(() -> Manifest.parse(utf16le)).hasMessageContaining("UTF-8");
    byte[] bom = concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8(OCI_MANIFEST));
    assertThatThrownBy(() -> Manifest.parse(bom)).hasMessageContaining("byte order mark");
    byte[] invalidUtf8 = utf8(OCI_MANIFEST.replace("value1", "value\u00ff"));
    int at = indexOf(invalidUtf8, (byte) 0xC3);
    invalidUtf8[at + 1] = (byte) 0x28; // a lead byte without its continuation
    assertThatThrownBy(() -> Manifest.parse(invalidUtf8)).hasMessageContaining("UTF-8");
  }

  @ParameterizedTest
  @ValueSource(strings = {"1", "3", "\"2\"", "2.0", "4294967298", "null"})
  void onlySchemaVersion2IsSupported(String version) {
    String text = OCI_MANIFEST.replace("\"schemaVersion\": 2", "\"schemaVersion\": " + version);
    assertThatThrownBy(() -> Manifest.parse(utf8(text)))
        .isInstanceOf(UnsupportedContentException.class)
        .hasMessageContaining("schemaVersion must be 2, got ")
        .hasMessageContaining(version.equals("2.0") ? "the non-integer 2" : version);
  }

  @Test
  void missingSchemaVersionIsUnsupported() {
    assertThatThrownBy(() -> Manifest.parse(utf8(OCI_MANIFEST.replace("\"schemaVersion\": 2,", ""))))
        .isInstanceOf(UnsupportedContentException.class)
        .hasMessageContaining("got none");
  }

  @Test
  void dockerSchema1IsUnsupported() {
    String v1 = "{\"schemaVersion\":1,\"name\":\"library/alpine\",\"tag\":\"3\",\"architecture\":\"amd64\","
        + "\"fsLayers\":[],\"history\":[],\"signatures\":[]}";
    assertThatThrownBy(() -> Manifest.parse(utf8(v1), "application/vnd.docker.distribution.manifest.v1+prettyjws"))
        .isInstanceOf(UnsupportedContentException.class)
        .hasMessageContaining("Docker schema 1 is not supported");
  }

  @Test
  void mediaTypeMustAgreeWithContentType() {
    assertThatThrownBy(() -> Manifest.parse(utf8(OCI_MANIFEST), MediaTypes.OCI_INDEX))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("manifest mediaType '" + MediaTypes.OCI_MANIFEST + "' differs from its content type '"
            + MediaTypes.OCI_INDEX + "'");
    assertThatThrownBy(() -> Manifest.parse(utf8(DOCKER_MANIFEST), MediaTypes.OCI_MANIFEST))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("differs from its content type");
  }

  @Test
  void nonManifestContentTypeDoesNotOverrideTheField() throws Exception {
    assertThat(Manifest.parse(utf8(OCI_MANIFEST), "application/json").mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
  }

  @Test
  void unknownManifestMediaTypeIsUnsupported() {
    String text = OCI_MANIFEST.replace("application/vnd.oci.image.manifest.v1+json", "application/vnd.example.manifest+json");
    assertThatThrownBy(() -> Manifest.parse(utf8(text)))
        .isInstanceOf(UnsupportedContentException.class)
        .hasMessageContaining("unsupported manifest media type: application/vnd.example.manifest+json");
  }

  @Test
  void missingConfigIsRefused() {
    String text = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"layers\":[]}";
    assertThatThrownBy(() -> Manifest.parse(utf8(text)))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("image manifest is missing its config");
    String nullConfig = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":null}";
    assertThatThrownBy(() -> Manifest.parse(utf8(nullConfig))).hasMessageContaining("missing its config");
  }

  @Test
  void dockerManifestNeedsLayersAndIndexesNeedManifests() {
    String noLayers = DOCKER_MANIFEST.replaceAll("(?s),\\s*\"layers\".*\\]", "");
    assertThat(noLayers).doesNotContain("layers");
    assertThatThrownBy(() -> Manifest.parse(utf8(noLayers))).hasMessageContaining("missing required field 'layers'");
    String noManifests = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\"}";
    assertThatThrownBy(() -> Manifest.parse(utf8(noManifests))).hasMessageContaining("missing required field 'manifests'");
  }

  @Test
  void shapesMustMatchTheMediaType() {
    String indexWithConfig = OCI_INDEX.replace("\"manifests\":", "\"config\": {}, \"manifests\":");
    assertThatThrownBy(() -> Manifest.parse(utf8(indexWithConfig))).hasMessageContaining("an index must not have config or layers");
    String manifestWithManifests = OCI_MANIFEST.replace("\"layers\":", "\"manifests\": [], \"layers\":");
    assertThatThrownBy(() -> Manifest.parse(utf8(manifestWithManifests)))
        .hasMessageContaining("an image manifest must not have manifests");
    String layersNotArray = OCI_MANIFEST.replace("\"layers\": [", "\"layers\": {}, \"x\": [");
    assertThatThrownBy(() -> Manifest.parse(utf8(layersNotArray))).hasMessageContaining("'layers' must be an array");
  }

  @Test
  void badDescriptorsAreRefusedWithTheirPlace() {
    assertRefused(OCI_MANIFEST.replace("\"size\": 32654", "\"size\": -1"), "layers[0]: descriptor size must be a non-negative");
    assertRefused(OCI_MANIFEST.replace("\"size\": 32654", "\"size\": 1.5"), "layers[0]: descriptor size must be an integer");
    assertRefused(OCI_MANIFEST.replace("\"size\": 32654", "\"size\": \"32654\""), "layers[0]: descriptor size must be an integer");
    assertRefused(OCI_MANIFEST.replace("\"size\": 32654", "\"size\": 99999999999999999999"), "non-negative 64-bit integer");
    assertRefused(OCI_MANIFEST.replace("\"size\": 7023", "\"size\": 7023, \"annotations\": {\"a\": 1}"),
        "config.annotations['a'] must be a string");
    assertRefused(OCI_MANIFEST.replace(CONFIG_DIGEST, CONFIG_DIGEST.toUpperCase().replace("SHA256", "sha256")),
        "config: invalid digest");
    assertRefused(OCI_MANIFEST.replace(CONFIG_DIGEST, "sha256:abc"), "sha256 needs 64 hex characters");
    assertRefused(OCI_MANIFEST.replace("\"mediaType\": \"application/vnd.oci.image.config.v1+json\",", ""),
        "config: missing required field 'mediaType'");
    assertRefused(OCI_MANIFEST.replace("application/vnd.oci.image.config.v1+json", "not a type"),
        "config: mediaType must be type/subtype");
    assertRefused(OCI_MANIFEST.replace("\"size\": 7023", "\"size\": 7023, \"data\": \"e30=\""),
        "config: descriptor data of " + CONFIG_DIGEST + " is 2 bytes but size says 7023");
    assertRefused(OCI_MANIFEST.replace("\"size\": 7023", "\"size\": 7023, \"urls\": [1]"), "config.urls must contain only strings");
    assertRefused(OCI_INDEX.replace("\"os\": \"linux\", \"variant\"", "\"variant\""), "manifests[1].platform: missing required field 'os'");
    assertRefused(OCI_MANIFEST.replace("\"layers\": [", "\"layers\": [\"x\","), "layers[0]: descriptor must be a JSON object");
    assertRefused(OCI_MANIFEST.replace("\"schemaVersion\": 2,", "\"schemaVersion\": 2, \"subject\": {},"),
        "subject: missing required field 'mediaType'");
    assertRefused(OCI_MANIFEST.replace("\"schemaVersion\": 2,", "\"schemaVersion\": 2, \"artifactType\": 7,"),
        "manifest: field 'artifactType' must be a string");
  }

  @Test
  void descriptorDataIsCheckedAgainstDigestAndSize() {
    Descriptor good = Descriptor.EMPTY;
    String text = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"artifactType\":\"a/b\","
        + "\"config\":{\"mediaType\":\"" + good.mediaType() + "\",\"digest\":\"" + good.digest()
        + "\",\"size\":2,\"data\":\"%s\"},\"layers\":[]}";
    assertRefused(text.formatted("W10="), "does not hash to " + good.digest()); // "[]"
    assertRefused(text.formatted("e30"), "not canonical padded base64");
    assertRefused(text.formatted("e30=="), "not valid base64");
  }

  private static void assertRefused(String text, String fragment) {
    assertThatThrownBy(() -> Manifest.parse(utf8(text)))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageContaining(fragment);
  }

  @Test
  void subjectAndArtifactTypeAreRead() throws Exception {
    Descriptor subject = Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.parse(MANIFEST_DIGEST), 1234);
    String text = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\","
        + "\"artifactType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
        + "\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":\"" + Descriptor.EMPTY.digest() + "\",\"size\":2},"
        + "\"layers\":[],\"subject\":{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + MANIFEST_DIGEST
        + "\",\"size\":1234}}";
    ImageManifest m = (ImageManifest) Manifest.parse(utf8(text));
    assertThat(m.subject()).contains(subject);
    assertThat(m.artifactType()).contains(MediaTypes.SIGSTORE_BUNDLE_V03);
    assertThat(m.artifactTypeField()).contains(MediaTypes.SIGSTORE_BUNDLE_V03);
    assertThat(m.layers()).isEmpty();
    assertThat(m.config().data()).isNull();
  }

  @Test
  void indexWithSubjectAndArtifactType() throws Exception {
    String text = OCI_INDEX.replace("\"manifests\":",
        "\"artifactType\": \"application/vnd.example+json\", \"subject\": {\"mediaType\": \"" + MediaTypes.OCI_MANIFEST
            + "\", \"digest\": \"" + MANIFEST_DIGEST + "\", \"size\": 5}, \"manifests\":");
    ImageIndex idx = (ImageIndex) Manifest.parse(utf8(text));
    assertThat(idx.artifactType()).contains("application/vnd.example+json");
    assertThat(idx.subject()).hasValueSatisfying(s -> assertThat(s.digest()).hasToString(MANIFEST_DIGEST));
    assertThat(idx.descriptor().artifactType()).isEqualTo("application/vnd.example+json");
  }

  @Test
  void nestingIsBounded() {
    String deep = "[".repeat(100) + "]".repeat(100);
    String text = OCI_MANIFEST.replace("\"schemaVersion\": 2,", "\"schemaVersion\": 2, \"x\": " + deep + ",");
    assertThatThrownBy(() -> Manifest.parse(utf8(text)))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("depth");
  }

  @Test
  void equalityIsByDigest() throws Exception {
    Manifest a = Manifest.parse(utf8(OCI_MANIFEST));
    Manifest b = Manifest.parse(utf8(OCI_MANIFEST));
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(Manifest.parse(utf8(DOCKER_MANIFEST)));
    assertThat(List.of(a.toString())).singleElement().asString().contains(a.digest().toString());
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static int indexOf(byte[] a, byte b) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
