package dev.attest.core;

import static dev.attest.core.Fixtures.bytes;
import static dev.attest.core.Fixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PredicatesTest {

  @Test
  void dispatchesByType() throws Exception {
    assertThat(Predicates.parse("https://slsa.dev/provenance/v1", bytes("slsa-github.json")))
        .isInstanceOf(SlsaProvenance.class);
    Predicate sbom = Predicates.parse("https://cyclonedx.org/bom/v1.4", bytes("bom-1.4.json"));
    assertThat(sbom).isInstanceOf(CycloneDxSbom.class);
    assertThat(sbom.predicateType()).isEqualTo("https://cyclonedx.org/bom/v1.4");
    assertThat(Predicates.parse("https://cyclonedx.org/bom", bytes("bom-1.6.json"))).isInstanceOf(CycloneDxSbom.class);
    assertThat(Predicates.parse("https://cosign.sigstore.dev/attestation/vuln/v1", bytes("cosign-vuln-trivy.json")))
        .isInstanceOf(VulnerabilityScan.class);
    assertThat(Predicates.parse("cosign.sigstore.dev/attestation/vuln/v1", bytes("cosign-vuln-trivy.json")))
        .isInstanceOf(VulnerabilityScan.class);
    assertThat(Predicates.parse("https://in-toto.io/attestation/vulns/v0.2", bytes("intoto-vulns-v02.json")))
        .isInstanceOf(VulnerabilityScan.class);
    Predicate other = Predicates.parse("https://spdx.dev/Document", utf8("{\"spdxVersion\":\"SPDX-2.3\"}"));
    assertThat(other).isInstanceOf(GenericPredicate.class);
    assertThat(other.json()).isEqualTo(utf8("{\"spdxVersion\":\"SPDX-2.3\"}"));
  }

  @Test
  void aKnownTypeThatDoesNotFitIsAnErrorNotAGenericFallback() {
    assertThatThrownBy(() -> Predicates.parse("https://slsa.dev/provenance/v1", utf8("{}")))
        .isInstanceOf(InvalidContentException.class);
    assertThatThrownBy(() -> Predicates.parse("https://cyclonedx.org/bom", bytes("bom-1.7.json")))
        .isInstanceOf(UnsupportedContentException.class);
    assertThatThrownBy(() -> Predicates.parse("https://example.com/x", utf8("[]")))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("must be a JSON object");
  }
}
