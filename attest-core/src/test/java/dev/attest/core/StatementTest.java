package dev.attest.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatementTest {
  static final Digest IMAGE = Digest.sha256("image".getBytes(StandardCharsets.UTF_8));
  static final Digest OTHER = Digest.sha256("other".getBytes(StandardCharsets.UTF_8));

  static Predicate predicate(String type, String json) {
    return new Predicate() {
      @Override
      public String predicateType() {
        return type;
      }

      @Override
      public byte[] json() {
        return json.getBytes(StandardCharsets.UTF_8);
      }
    };
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void ofBuildsCanonicalV1BytesWithThePredicateBytesExact() throws Exception {
    String pred = "{ \"b\": 1.50, \"a\": \"wörld\" }";
    Statement s = Statement.of(List.of(Subject.of("example.com/app", IMAGE)), predicate("https://example.com/p/v1", pred));

    assertThat(new String(s.bytes(), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"example.com/app\",\"digest\":{\"sha256\":\""
                + IMAGE.hex() + "\"}}],\"predicateType\":\"https://example.com/p/v1\",\"predicate\":" + pred + "}");
    assertThat(s.predicate()).isEqualTo(utf8(pred));
    assertThat(s.type()).isEqualTo(Statement.TYPE_V1);
    assertThat(Statement.parse(s.bytes())).isEqualTo(s);
  }

  @Test
  void parseKeepsRawBytesUnknownFieldsAndAcceptsV01() throws Exception {
    String json =
        "{\"predicate\": {\"x\" : [1, 2]},\"_type\":\"https://in-toto.io/Statement/v0.1\",\"extra\":{\"k\":true},"
            + "\"predicateType\":\"https://cosign.sigstore.dev/attestation/v1\","
            + "\"subject\":[{\"name\":\"a\",\"digest\":{\"sha256\":\"" + IMAGE.hex() + "\",\"sha512\":\""
            + "ab".repeat(64) + "\"}}]}";
    Statement s = Statement.parse(utf8(json));

    assertThat(s.bytes()).isEqualTo(utf8(json));
    assertThat(s.type()).isEqualTo(Statement.TYPE_V0_1);
    assertThat(s.predicate()).isEqualTo(utf8("{\"x\" : [1, 2]}"));
    assertThat(s.unknownFields()).containsExactly(Map.entry("extra", "{\"k\":true}"));
    assertThat(s.subjects()).hasSize(1);
    assertThat(s.subjects().get(0).digest()).containsKeys("sha256", "sha512");
    assertThat(s.covers(IMAGE)).isTrue();
    assertThat(s.covers(OTHER)).isFalse();
  }

  @Test
  void nameIsOptional() throws Exception {
    Statement s =
        Statement.parse(
            utf8("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"digest\":{\"sha256\":\"" + IMAGE.hex()
                + "\"}}],\"predicateType\":\"t\",\"predicate\":{}}"));
    assertThat(s.subjects().get(0).name()).isEmpty();
  }

  @Test
  void requireSubjectNamesTheMismatch() throws Exception {
    Statement s = Statement.of(List.of(Subject.of("app", IMAGE)), "t", utf8("{}"));
    s.requireSubject(IMAGE);
    assertThatThrownBy(() -> s.requireSubject(OTHER))
        .isInstanceOf(InvalidContentException.class)
        .hasMessage("in-toto statement is not about " + OTHER + ": its subjects are app {sha256=" + IMAGE.hex() + "}");
  }

  @Test
  void statementWithNoSubjectsIsRefused() {
    assertThatThrownBy(() -> Statement.parse(utf8("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[],\"predicateType\":\"t\",\"predicate\":{}}")))
        .isInstanceOf(InvalidContentException.class)
        .hasMessage("in-toto statement has no subjects: 'subject' is empty");
    assertThatThrownBy(() -> Statement.parse(utf8("{\"_type\":\"https://in-toto.io/Statement/v1\",\"predicateType\":\"t\",\"predicate\":{}}")))
        .isInstanceOf(InvalidContentException.class)
        .hasMessage("in-toto statement has no subjects: missing field 'subject'");
    assertThatThrownBy(() -> Statement.of(List.of(), "t", utf8("{}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a statement needs at least one subject");
  }

  @Test
  void nonJsonOrNonObjectPredicateIsRefused() {
    List<Subject> subjects = List.of(Subject.of("a", IMAGE));
    assertThatThrownBy(() -> Statement.of(subjects, predicate("t", "not json")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("predicate is not valid JSON");
    assertThatThrownBy(() -> Statement.of(subjects, predicate("t", "[1]")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("predicate must be a JSON object, got an array");
    assertThatThrownBy(() -> Statement.parse(utf8("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"digest\":{\"sha256\":\""
            + IMAGE.hex() + "\"}}],\"predicateType\":\"t\",\"predicate\":\"{}\"}")))
        .isInstanceOf(InvalidContentException.class)
        .hasMessage("in-toto statement: 'predicate' must be a JSON object, got a string");
    assertThatThrownBy(() -> Statement.parse(utf8("not json")))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageStartingWith("in-toto statement is not valid JSON");
  }

  @Test
  void wrongTypeIsUnsupported() {
    assertThatThrownBy(() -> Statement.parse(utf8("{\"_type\":\"https://in-toto.io/Statement/v2\",\"subject\":[],\"predicateType\":\"t\",\"predicate\":{}}")))
        .isInstanceOf(UnsupportedContentException.class)
        .hasMessageContaining("wrong in-toto statement _type 'https://in-toto.io/Statement/v2'");
  }

  @Test
  void badDigestMapsAreRefused() {
    String head = "{\"_type\":\"https://in-toto.io/Statement/v1\",\"predicateType\":\"t\",\"predicate\":{},\"subject\":[{\"name\":\"a\",\"digest\":";
    assertThatThrownBy(() -> Statement.parse(utf8(head + "{\"sha256\":\"" + IMAGE.hex().toUpperCase() + "\"}}]}")))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("sha256 digest is not lowercase hex");
    assertThatThrownBy(() -> Statement.parse(utf8(head + "{\"sha256\":\"abc\"}}]}")))
        .hasMessageContaining("sha256 digest needs 64 hex characters, got 3");
    assertThatThrownBy(() -> Statement.parse(utf8(head + "{}}]}")))
        .hasMessageContaining("empty digest set");
    assertThatThrownBy(() -> Statement.parse(utf8(head + "{\"sha256\":5}}]}")))
        .hasMessageContaining("digest 'sha256' must be a string, got a number");
    assertThatThrownBy(() -> Statement.parse(utf8(head + "\"x\"}]}")))
        .hasMessageContaining("'digest' must be an object");
  }

  @Test
  void duplicateKeysAreRefused() {
    assertThatThrownBy(() -> Statement.parse(utf8("{\"_type\":\"https://in-toto.io/Statement/v1\",\"_type\":\"x\"}")))
        .isInstanceOf(InvalidContentException.class)
        .hasMessageContaining("Duplicate field '_type'");
  }
}
