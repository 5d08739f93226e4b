package dev.attest.verify.internal.keyless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.verify.internal.keyless.SigningConfig.Selector;
import dev.attest.verify.internal.keyless.SigningConfig.Service;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** signing_config v0.2: parsing, and service selection by API version, validity, operator and selector. */
class SigningConfigTest {
  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  private static SigningConfig vector(String folder) throws Exception {
    try (InputStream in = SigningConfigTest.class.getResourceAsStream("/vectors/" + folder + "/signing_config.v0.2.json")) {
      return SigningConfig.parse(in.readAllBytes());
    }
  }

  private static SigningConfig parse(String json) {
    return SigningConfig.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void stagingOffersRekorV2NewestFirstAndV1() throws Exception {
    SigningConfig c = vector("01-rekor2-hashedrekord-staging");
    assertThat(c.ca()).extracting(Service::url).containsExactly("https://fulcio.sigstage.dev");
    assertThat(c.rekor()).hasSize(4);
    assertThat(c.tsa()).extracting(Service::url).containsExactly("https://timestamp.sigstage.dev/api/v1/timestamp");
    assertThat(c.rekorSelector()).isEqualTo(new Selector(Selector.Kind.ANY, 0));

    // A client that speaks v2 takes the newest v2 log that is valid now; one that speaks only v1 the v1 log.
    assertThat(SigningConfig.selectOne(c.rekor(), Set.of(1, 2), NOW, "rekor").url())
        .isEqualTo("https://log2025-alpha3.rekor.sigstage.dev");
    assertThat(SigningConfig.selectOne(c.rekor(), Set.of(1), NOW, "rekor").url()).isEqualTo("https://rekor.sigstage.dev");
    // Before alpha3's start, alpha2 was the valid one.
    assertThat(SigningConfig.selectOne(c.rekor(), Set.of(2), Instant.parse("2025-09-01T00:00:00Z"), "rekor").url())
        .isEqualTo("https://log2025-alpha2.rekor.sigstage.dev");
    assertThat(SigningConfig.selectOne(c.ca(), Set.of(1), NOW, "ca").url()).isEqualTo("https://fulcio.sigstage.dev");
  }

  @Test
  void productionVectorsParse() throws Exception {
    for (String v : List.of("02-rekor2-dsse002-intoto-staging", "03-rekor2-hashedrekord-prod", "04-rekor2-dsse002-prod")) {
      SigningConfig c = vector(v);
      assertThat(c.ca()).as(v).isNotEmpty();
      assertThat(c.tsa()).as(v).isNotEmpty();
      assertThat(SigningConfig.selectOne(c.rekor(), Set.of(1), NOW, "rekor").majorApiVersion()).isEqualTo(1);
    }
    SigningConfig prod = vector("03-rekor2-hashedrekord-prod");
    assertThat(prod.oidc()).extracting(Service::url).containsExactly("https://oauth2.sigstore.dev/auth");
    assertThat(prod.tsa().get(0).start()).isEqualTo(Instant.parse("2025-07-04T00:00:00Z"));
    assertThat(prod.tsa().get(0).operator()).isEqualTo("sigstore.dev");
    // The TSA is not valid before its start.
    assertThatThrownBy(() -> SigningConfig.selectOne(prod.tsa(), Set.of(1), Instant.parse("2025-01-01T00:00:00Z"), "tsaUrls"))
        .hasMessageContaining("no tsaUrls service valid now").hasMessageContaining("not valid now");
  }

  private static final String THREE_OPERATORS = """
      {"mediaType":"application/vnd.dev.sigstore.signingconfig.v0.2+json",
       "caUrls":[{"url":"https://ca","majorApiVersion":1,"validFor":{"start":"2020-01-01T00:00:00Z"}}],
       "rekorTlogUrls":[
         {"url":"https://a-old","majorApiVersion":1,"validFor":{"start":"2020-01-01T00:00:00Z"},"operator":"a"},
         {"url":"https://a-new","majorApiVersion":1,"validFor":{"start":"2024-01-01T00:00:00Z"},"operator":"a"},
         {"url":"https://b","majorApiVersion":1,"validFor":{"start":"2021-01-01T00:00:00Z"},"operator":"b"},
         {"url":"https://c-expired","majorApiVersion":1,
          "validFor":{"start":"2021-01-01T00:00:00Z","end":"2022-01-01T00:00:00Z"},"operator":"c"},
         {"url":"https://d-v3","majorApiVersion":3,"validFor":{"start":"2021-01-01T00:00:00Z"},"operator":"d"}],
       "rekorTlogConfig":{"selector":"%s"%s}}
      """;

  @Test
  void selectorsTakeOneServicePerOperator() {
    SigningConfig all = parse(THREE_OPERATORS.formatted("ALL", ""));
    assertThat(SigningConfig.select(all.rekor(), all.rekorSelector(), Set.of(1), NOW, "rekor"))
        .extracting(Service::url).containsExactly("https://a-new", "https://b");
    SigningConfig any = parse(THREE_OPERATORS.formatted("ANY", ""));
    assertThat(SigningConfig.select(any.rekor(), any.rekorSelector(), Set.of(1), NOW, "rekor"))
        .extracting(Service::url).containsExactly("https://a-new");
    SigningConfig exact2 = parse(THREE_OPERATORS.formatted("EXACT", ",\"count\":2"));
    assertThat(exact2.rekorSelector()).hasToString("EXACT(2)");
    assertThat(SigningConfig.select(exact2.rekor(), exact2.rekorSelector(), Set.of(1), NOW, "rekor")).hasSize(2);
    SigningConfig exact3 = parse(THREE_OPERATORS.formatted("EXACT", ",\"count\":3"));
    assertThatThrownBy(() -> SigningConfig.select(exact3.rekor(), exact3.rekorSelector(), Set.of(1), NOW, "rekor"))
        .hasMessageContaining("EXACT(3)").hasMessageContaining("only 2 operator(s)");
    // No log of a version the client speaks.
    assertThatThrownBy(() -> SigningConfig.select(all.rekor(), all.rekorSelector(), Set.of(2), NOW, "rekorTlogUrls"))
        .hasMessageContaining("no rekorTlogUrls service valid now with a supported major API version [2]")
        .hasMessageContaining("https://d-v3 (v3)");
  }

  @Test
  void refusesMalformedConfigs() {
    String ok = THREE_OPERATORS.formatted("ANY", "");
    assertThatThrownBy(() -> parse(ok.replace("v0.2+json", "v0.1+json"))).hasMessageContaining("media type");
    assertThatThrownBy(() -> parse(ok.replace("\"selector\":\"ANY\"", "\"selector\":\"SOME\"")))
        .hasMessageContaining("expected ANY, EXACT or ALL");
    assertThatThrownBy(() -> parse(THREE_OPERATORS.formatted("EXACT", ""))).hasMessageContaining("needs a count");
    assertThatThrownBy(() -> parse(THREE_OPERATORS.formatted("EXACT", ",\"count\":0"))).hasMessageContaining("needs a count");
    assertThatThrownBy(() -> parse(ok.replace("\"majorApiVersion\":3", "\"majorApiVersion\":0")))
        .hasMessageContaining("rekorTlogUrls[4] has no positive majorApiVersion");
    assertThatThrownBy(() -> parse(ok.replace("\"url\":\"https://b\",", "")))
        .hasMessageContaining("rekorTlogUrls[2] has no url");
    assertThatThrownBy(() -> parse(ok.replace("2024-01-01T00:00:00Z", "yesterday")))
        .hasMessageContaining("rekorTlogUrls[1].validFor.start is not an RFC 3339 time");
    assertThatThrownBy(() -> parse(ok.replace("\"end\":\"2022-01-01T00:00:00Z\"", "\"end\":\"2020-01-01T00:00:00Z\"")))
        .hasMessageContaining("validFor.end not after its start");
    assertThatThrownBy(() -> parse(ok.replace("{\"start\":\"2020-01-01T00:00:00Z\"}", "{}")))
        .hasMessageContaining("has no validFor.start");
    assertThatThrownBy(() -> parse("[]")).hasMessageContaining("not a JSON object");
    assertThatThrownBy(() -> parse("{")).hasMessageContaining("not JSON");
    assertThatThrownBy(() -> SigningConfig.parse(new byte[(int) SigningConfig.MAX_BYTES + 1])).hasMessageContaining("larger");
  }
}
