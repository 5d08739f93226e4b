package dev.attest.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class DsseEnvelopeTest {
  static final KeyPair KEY = Keys.generateP256();
  static final Signer SIGNER = Keys.signer(KEY);
  static final Verifier VERIFIER = Keys.verifier(KEY.getPublic());

  static Statement statement() {
    return Statement.of(List.of(Subject.of("app", StatementTest.IMAGE)), "https://example.com/p", StatementTest.utf8("{\"é\":\"✓\"}"));
  }

  static String json(String payloadType, byte[] payload, String... sigs) {
    StringBuilder sb = new StringBuilder("{\"payloadType\":\"" + payloadType + "\",\"payload\":\""
        + Base64.getEncoder().encodeToString(payload) + "\",\"signatures\":[");
    for (int i = 0; i < sigs.length; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"keyid\":\"k").append(i).append("\",\"sig\":\"").append(sigs[i]).append("\"}");
    }
    return sb.append("]}").toString();
  }

  @Test
  void signsAndVerifiesOverPaeBytes() throws Exception {
    Statement st = statement();
    DsseEnvelope env = DsseEnvelope.sign(st, SIGNER);

    assertThat(env.payloadType()).isEqualTo(Statement.PAYLOAD_TYPE);
    assertThat(env.payload()).isEqualTo(st.bytes());
    env.verify(VERIFIER);
    assertThat(VERIFIER.verify(env.pae(), env.singleSignature().sig())).isTrue();

    DsseEnvelope back = DsseEnvelope.parse(env.json());
    assertThat(back).isEqualTo(env);
    back.verify(VERIFIER);
    assertThat(back.statement()).isEqualTo(st);
  }

  @Test
  void tamperedPayloadOrWrongKeyFails() throws Exception {
    DsseEnvelope env = DsseEnvelope.sign(statement(), SIGNER);
    byte[] tampered = env.payload();
    tampered[tampered.length - 2] ^= 1;
    DsseEnvelope bad = DsseEnvelope.of(env.payloadType(), tampered, env.signatures());
    assertThatThrownBy(() -> bad.verify(VERIFIER))
        .isInstanceOf(InvalidSignatureException.class)
        .hasMessageContaining("DSSE signature does not verify");
    assertThatThrownBy(() -> env.verify(Keys.verifier(Keys.generateP256().getPublic())))
        .isInstanceOf(InvalidSignatureException.class);
    // The type is signed too.
    DsseEnvelope retyped = DsseEnvelope.of("application/json", env.payload(), env.signatures());
    assertThatThrownBy(() -> retyped.verify(VERIFIER)).isInstanceOf(InvalidSignatureException.class);
  }

  @Test
  void readsUrlSafeUnpaddedBase64() throws Exception {
    DsseEnvelope env = DsseEnvelope.sign("text/plain", "ÿÿ>?".getBytes(StandardCharsets.UTF_8), SIGNER);
    byte[] sig = env.singleSignature().sig();
    String url = "{\"payloadType\":\"text/plain\",\"payload\":\""
        + Base64.getUrlEncoder().withoutPadding().encodeToString(env.payload()) + "\",\"signatures\":[{\"sig\":\""
        + Base64.getUrlEncoder().withoutPadding().encodeToString(sig) + "\"}]}";
    DsseEnvelope back = DsseEnvelope.parse(url.getBytes(StandardCharsets.UTF_8));
    assertThat(back).isEqualTo(env);
    back.verify(VERIFIER);
  }

  @Test
  void keyidIsKeptButNotUsed() throws Exception {
    DsseEnvelope env = DsseEnvelope.sign("t", new byte[] {1}, SIGNER);
    String sig = Base64.getEncoder().encodeToString(env.singleSignature().sig());
    DsseEnvelope withKeyid = DsseEnvelope.parse(json("t", new byte[] {1}, sig).getBytes(StandardCharsets.UTF_8));
    assertThat(withKeyid.singleSignature().keyid()).contains("k0");
    withKeyid.verify(VERIFIER);
  }

  @Test
  void malformedBase64IsAPreciseError() {
    String bad = "{\"payloadType\":\"t\",\"payload\":\"aGVs!G8=\",\"signatures\":[{\"sig\":\"AAAA\"}]}";
    assertThatThrownBy(() -> DsseEnvelope.parse(bad.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(InvalidContentException.class)
        .hasMessage(
            "malformed base64 in DSSE envelope.payload: character '!' at position 4 is not in the standard or URL-safe alphabet");
    String badSig = "{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[{\"sig\":\"AA%A\"}]}";
    assertThatThrownBy(() -> DsseEnvelope.parse(badSig.getBytes(StandardCharsets.UTF_8)))
        .hasMessageStartingWith("malformed base64 in DSSE envelope.signatures[0].sig");
  }

  @Test
  void wrongPayloadTypeIsAnErrorForInToto() throws Exception {
    DsseEnvelope env = DsseEnvelope.sign("application/json", statement().bytes(), SIGNER);
    assertThatThrownBy(env::statement)
        .isInstanceOf(InvalidContentException.class)
        .hasMessage("wrong DSSE payloadType 'application/json': an in-toto statement must have application/vnd.in-toto+json");
  }

  @Test
  void zeroOrTwoSignaturesWhereOneIsRequired() throws Exception {
    byte[] payload = {1};
    DsseEnvelope none = DsseEnvelope.parse(json("t", payload).getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> none.verify(VERIFIER))
        .isInstanceOf(InvalidContentException.class)
        .hasMessage("DSSE envelope must have exactly one signature, found 0");

    String sig = Base64.getEncoder().encodeToString(DsseEnvelope.sign("t", payload, SIGNER).singleSignature().sig());
    DsseEnvelope two = DsseEnvelope.parse(json("t", payload, sig, sig).getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> two.verify(VERIFIER))
        .isInstanceOf(InvalidContentException.class)
        .hasMessage("DSSE envelope must have exactly one signature, found 2");
  }

  @Test
  void structuralErrorsNameTheField() {
    assertThatThrownBy(() -> DsseEnvelope.parse("{\"payloadType\":\"t\",\"payload\":\"\"}".getBytes(StandardCharsets.UTF_8)))
        .hasMessage("DSSE envelope: missing required field 'signatures'");
    assertThatThrownBy(() -> DsseEnvelope.parse("{\"payload\":\"\",\"signatures\":[]}".getBytes(StandardCharsets.UTF_8)))
        .hasMessage("DSSE envelope: missing required field 'payloadType'");
    assertThatThrownBy(() -> DsseEnvelope.parse("{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[{\"sig\":\"\"}]}".getBytes(StandardCharsets.UTF_8)))
        .hasMessage("DSSE envelope.signatures[0]: 'sig' is empty");
    assertThatThrownBy(() -> DsseEnvelope.parse("[]".getBytes(StandardCharsets.UTF_8)))
        .hasMessage("DSSE envelope must be a JSON object, got an array");
  }
}
