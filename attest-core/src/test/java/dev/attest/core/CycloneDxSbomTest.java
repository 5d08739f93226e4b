package dev.attest.core;

import static dev.attest.core.Fixtures.bytes;
import static dev.attest.core.Fixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.cyclonedx.Version;
import org.cyclonedx.parsers.JsonParser;
import org.junit.jupiter.api.Test;

class CycloneDxSbomTest {

  @Test
  void takesAValidBomAsIsAndExposesItsComponents() throws Exception {
    byte[] json = bytes("bom-1.6.json");
    CycloneDxSbom sbom = CycloneDxSbom.parse(json);
    assertThat(sbom.json()).isEqualTo(json);
    assertThat(sbom.predicateType()).isEqualTo("https://cyclonedx.org/bom");
    assertThat(sbom.specVersion()).isEqualTo("1.6");
    assertThat(sbom.components())
        .containsExactly(
            new SbomComponent(
                "jackson-databind",
                "2.17.2",
                "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.17.2",
                Map.of("SHA-256", "c4a9a3ffc2e2a5b3cc5e1b54ff7f5dc3a42ea2a1d3e5e4c0a4cf6f7fd7b8a6a1"),
                List.of("Apache-2.0")),
            new SbomComponent(
                "busybox", "1.36.1-r29", "pkg:apk/alpine/busybox@1.36.1-r29", Map.of(), List.of("GPL-2.0-only AND MIT")),
            new SbomComponent("busybox-binsh", "1.36.1-r29", null, Map.of(), List.of("Custom licence")));
  }

  @Test
  void validatesAgainstTheDeclaredVersion() throws Exception {
    CycloneDxSbom sbom = CycloneDxSbom.parse(bytes("bom-1.4.json"));
    assertThat(sbom.specVersion()).isEqualTo("1.4");
    // A 1.6-only field is invalid under the 1.4 schema, which proves 1.4 was what was checked.
    String withManufacturer =
        new String(bytes("bom-1.4.json"), StandardCharsets.UTF_8)
            .replace("\"metadata\": {", "\"metadata\": {\"manufacturer\": {\"name\": \"ACME\"},");
    assertThat(CycloneDxSbom.parse(utf8(withManufacturer.replace("\"1.4\"", "\"1.6\""))).specVersion()).isEqualTo("1.6");
    assertThatThrownBy(() -> CycloneDxSbom.parse(utf8(withManufacturer)))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("CycloneDX 1.4 JSON schema")
        .hasMessageContaining("manufacturer");
  }

  @Test
  void refuses17InsteadOfValidatingItAs16() {
    assertThatThrownBy(() -> CycloneDxSbom.parse(bytes("bom-1.7.json")))
        .isInstanceOf(UnsupportedContentException.class)
        .hasMessageContaining("specVersion '1.7' is not supported")
        .hasMessageContaining("1.2 to 1.6");
  }

  @Test
  void refusesVersionsWithoutAJsonSchema() {
    String v11 = new String(bytes("bom-1.6.json"), StandardCharsets.UTF_8).replace("\"1.6\"", "\"1.1\"");
    assertThatThrownBy(() -> CycloneDxSbom.parse(utf8(v11)))
        .isInstanceOf(UnsupportedContentException.class)
        .hasMessageContaining("'1.1'");
  }

  @Test
  void refusesAnInvalidBomListingTheSchemaErrors() {
    assertThatThrownBy(() -> CycloneDxSbom.parse(bytes("bom-1.6-invalid.json")))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageStartingWith("CycloneDX BOM is invalid against the CycloneDX 1.6 JSON schema")
        .hasMessageContaining("(2 errors)")
        .hasMessageContaining("- /components/0/type: does not have a value in the enumeration")
        .hasMessageContaining("- /components/1: required property 'name' not found");
  }

  @Test
  void refusesWhatIsNotACycloneDxBom() {
    assertThatThrownBy(() -> CycloneDxSbom.parse(utf8("{\"spdxVersion\":\"SPDX-2.3\"}")))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("bomFormat is missing");
    assertThatThrownBy(() -> CycloneDxSbom.parse(utf8("{\"bomFormat\":\"CycloneDX\"}")))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("specVersion");
    assertThatThrownBy(() -> CycloneDxSbom.parse(utf8("<bom/>")))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("not valid JSON");
  }

  @Test
  void refusesABomOverTheSizeLimit() throws Exception {
    byte[] json = bytes("bom-1.6.json");
    assertThatThrownBy(() -> CycloneDxSbom.parse(json, json.length - 1))
        .isInstanceOf(TooLargeException.class)
        .hasMessageContaining(json.length + " bytes, over the " + (json.length - 1) + " byte limit");
    assertThat(CycloneDxSbom.parse(json, json.length).json()).isEqualTo(json);
    assertThatThrownBy(() -> CycloneDxSbom.read(new ByteArrayInputStream(json), 100))
        .isInstanceOf(TooLargeException.class)
        .hasMessageContaining("CycloneDX BOM is over the 100 byte limit");
    assertThat(CycloneDxSbom.read(new ByteArrayInputStream(json), CycloneDxSbom.DEFAULT_MAX_BYTES).json()).isEqualTo(json);
  }

  @Test
  void buildsAValid16BomFromComponents() throws Exception {
    List<SbomComponent> components =
        List.of(
            SbomComponent.of("guava", "33.0.0-jre", "pkg:maven/com.google.guava/guava@33.0.0-jre")
                .withHashes(Map.of("SHA-256", "a".repeat(64)))
                .withLicenses(List.of("Apache-2.0")),
            SbomComponent.of("libfoo", "1.0", null).withLicenses(List.of("MIT", "BSD-3-Clause")),
            SbomComponent.of("libbar", null, "pkg:npm/libbar@2.0.0").withLicenses(List.of("MIT OR Apache-2.0")));
    CycloneDxSbom sbom = CycloneDxSbom.fromComponents(components);
    assertThat(sbom.specVersion()).isEqualTo("1.6");
    assertThat(sbom.components()).isEqualTo(components);
    // It validates under cyclonedx-core-java for its version.
    assertThat(new JsonParser().validate(sbom.json(), Version.VERSION_16)).isEmpty();
    assertThat(CycloneDxSbom.parse(sbom.json())).isEqualTo(sbom);
    // Deterministic: the same components give the same bytes (no random serial number or clock).
    assertThat(CycloneDxSbom.fromComponents(components).json()).isEqualTo(sbom.json());
  }

  @Test
  void aBuiltBomThatBreaksTheSchemaIsRefused() {
    assertThatThrownBy(
            () -> CycloneDxSbom.fromComponents(List.of(SbomComponent.of("x", "1", null).withHashes(Map.of("SHA-256", "nothex")))))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("1.6 JSON schema");
    assertThatThrownBy(
            () -> CycloneDxSbom.fromComponents(List.of(SbomComponent.of("x", "1", null).withLicenses(List.of("MIT", "A OR B")))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be its only license");
  }

  @Test
  void matchesTheTypeAsAPrefix() {
    assertThat(CycloneDxSbom.isCycloneDxType("https://cyclonedx.org/bom")).isTrue();
    assertThat(CycloneDxSbom.isCycloneDxType("https://cyclonedx.org/bom/v1.4")).isTrue();
    assertThat(CycloneDxSbom.isCycloneDxType("https://spdx.dev/Document")).isFalse();
  }
}
