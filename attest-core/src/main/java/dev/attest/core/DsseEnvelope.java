package dev.attest.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attest.core.internal.Base64s;
import dev.attest.core.internal.Pae;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A DSSE v1 envelope: a payload type, the payload bytes and its signatures.
 *
 * <p>Signatures cover the pre-authentication encoding {@link #pae()}, computed over bytes. On read,
 * base64 may use the standard or the URL-safe alphabet, with or without padding. A signature's
 * {@code keyid} is kept but is never used to choose or trust a key.
 *
 * @see <a href="https://github.com/secure-systems-lab/dsse/blob/v1.0.0/envelope.md">DSSE
 *     envelope</a>
 * @see <a href="https://github.com/secure-systems-lab/dsse/blob/v1.0.0/protocol.md">DSSE
 *     protocol</a>
 */
public final class DsseEnvelope {
  /** The media type of a DSSE envelope stored as an OCI layer (cosign's legacy {@code .att}). */
  public static final String MEDIA_TYPE = "application/vnd.dsse.envelope.v1+json";

  /** Envelopes larger than this are refused: a {@link Statement#MAX_BYTES} payload in base64. */
  public static final int MAX_BYTES = Statement.MAX_BYTES / 3 * 4 + 1024 * 1024;

  /** At most this many signatures are read. */
  public static final int MAX_SIGNATURES = 16;

  /** One signature: the raw signature bytes and the unauthenticated, optional key id. */
  public static final class Signature {
    private final @Nullable String keyid;
    private final byte[] sig;

    /**
     * @param keyid an optional hint; never used for trust
     * @param sig the signature bytes, not empty
     */
    public Signature(@Nullable String keyid, byte[] sig) {
      Objects.requireNonNull(sig, "sig");
      if (sig.length == 0) {
        throw new IllegalArgumentException("empty signature");
      }
      this.keyid = keyid == null || keyid.isEmpty() ? null : keyid;
      this.sig = sig.clone();
    }

    /** The key id, if one was given; only a hint, never a reason to trust. */
    public Optional<String> keyid() {
      return Optional.ofNullable(keyid);
    }

    /** The signature bytes (DER for ECDSA). A fresh copy. */
    public byte[] sig() {
      return sig.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Signature s && Objects.equals(keyid, s.keyid) && Arrays.equals(sig, s.sig);
    }

    @Override
    public int hashCode() {
      return 31 * Objects.hashCode(keyid) + Arrays.hashCode(sig);
    }

    @Override
    public String toString() {
      return "Signature[keyid=" + keyid + ", " + sig.length + " bytes]";
    }
  }

  private final String payloadType;
  private final byte[] payload;
  private final List<Signature> signatures;

  private DsseEnvelope(String payloadType, byte[] payload, List<Signature> signatures) {
    this.payloadType = Objects.requireNonNull(payloadType, "payloadType");
    this.payload = payload.clone();
    this.signatures = List.copyOf(signatures);
  }

  /** An envelope with the given signatures, which are not checked here. */
  public static DsseEnvelope of(String payloadType, byte[] payload, List<Signature> signatures) {
    if (payloadType.isEmpty()) {
      throw new IllegalArgumentException("payloadType must not be empty");
    }
    if (signatures.size() > MAX_SIGNATURES) {
      throw new IllegalArgumentException("more than " + MAX_SIGNATURES + " signatures");
    }
    return new DsseEnvelope(payloadType, Objects.requireNonNull(payload, "payload"), signatures);
  }

  /** Signs {@code payload} with one signature over its PAE; no key id is written. */
  public static DsseEnvelope sign(String payloadType, byte[] payload, Signer signer) throws SigningException {
    Objects.requireNonNull(signer, "signer");
    byte[] sig = signer.sign(Pae.encode(payloadType, payload));
    return of(payloadType, payload, List.of(new Signature(null, sig)));
  }

  /** Signs an in-toto statement: payload type {@value Statement#PAYLOAD_TYPE}, the statement's exact bytes. */
  public static DsseEnvelope sign(Statement statement, Signer signer) throws SigningException {
    return sign(Statement.PAYLOAD_TYPE, statement.bytes(), signer);
  }

  /**
   * Parses a DSSE envelope strictly.
   *
   * @throws InvalidContentException naming the field: missing fields, malformed base64, too many
   *     signatures, an empty signature
   */
  public static DsseEnvelope parse(byte[] json) throws InvalidContentException {
    if (json.length > MAX_BYTES) {
      throw new InvalidContentException(
          "DSSE envelope is " + json.length + " bytes, more than the limit of " + MAX_BYTES);
    }
    return fromJson(JsonReads.object(json, "DSSE envelope"), "DSSE envelope");
  }

  /** Reads an envelope from a parsed JSON object, for example a Sigstore bundle's {@code dsseEnvelope}. */
  static DsseEnvelope fromJson(JsonNode n, String where) throws InvalidContentException {
    String payloadType = JsonReads.text(n, "payloadType", where);
    if (payloadType.isEmpty()) {
      throw new InvalidContentException(where + ": 'payloadType' is empty");
    }
    byte[] payload = JsonReads.bytes(n, "payload", where);
    JsonNode sigs = n.get("signatures");
    if (sigs == null || sigs.isNull()) {
      throw new InvalidContentException(where + ": missing required field 'signatures'");
    }
    JsonNode array = JsonReads.array(n, "signatures", where, MAX_SIGNATURES);
    List<Signature> signatures = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      JsonNode s = array.get(i);
      String at = where + ".signatures[" + i + "]";
      if (!s.isObject()) {
        throw new InvalidContentException(at + " must be an object, got " + JsonReads.kind(s));
      }
      byte[] sig = JsonReads.bytes(s, "sig", at);
      if (sig.length == 0) {
        throw new InvalidContentException(at + ": 'sig' is empty");
      }
      signatures.add(new Signature(JsonReads.optText(s, "keyid", at), sig));
    }
    return new DsseEnvelope(payloadType, payload, signatures);
  }

  /** The {@code payloadType}, which the signatures cover through PAE. */
  public String payloadType() {
    return payloadType;
  }

  /** The payload bytes. A fresh copy. */
  public byte[] payload() {
    return payload.clone();
  }

  /** The signatures, in the order of the envelope. */
  public List<Signature> signatures() {
    return signatures;
  }

  /** The pre-authentication encoding that signatures cover. */
  public byte[] pae() {
    return Pae.encode(payloadType, payload);
  }

  /**
   * The one signature of an envelope that must have exactly one (as Sigstore bundles and cosign
   * attestations do).
   *
   * @throws InvalidContentException if there are none or more than one
   */
  public Signature singleSignature() throws InvalidContentException {
    if (signatures.size() != 1) {
      throw new InvalidContentException(
          "DSSE envelope must have exactly one signature, found " + signatures.size());
    }
    return signatures.get(0);
  }

  /**
   * Verifies the envelope's single signature over its PAE with {@code verifier}. The key id plays
   * no part.
   *
   * @throws InvalidContentException if there is not exactly one signature
   * @throws InvalidSignatureException if the signature does not verify
   * @throws SigningException if the verifier cannot carry out the check
   */
  public void verify(Verifier verifier)
      throws InvalidContentException, InvalidSignatureException, SigningException {
    Signature s = singleSignature();
    if (!verifier.verify(pae(), s.sig)) {
      throw new InvalidSignatureException(
          "DSSE signature does not verify over payload type '" + payloadType + "' and the "
              + payload.length + "-byte payload");
    }
  }

  /**
   * The in-toto statement this envelope carries. It does not verify the signature.
   *
   * @throws InvalidContentException if the payload type is not {@value Statement#PAYLOAD_TYPE} or
   *     the statement is malformed
   * @throws UnsupportedContentException if the statement's {@code _type} is not supported
   */
  public Statement statement() throws InvalidContentException, UnsupportedContentException {
    if (!Statement.PAYLOAD_TYPE.equals(payloadType)) {
      throw new InvalidContentException(
          "wrong DSSE payloadType '" + payloadType + "': an in-toto statement must have "
              + Statement.PAYLOAD_TYPE);
    }
    return Statement.parse(payload);
  }

  /** The envelope as JSON ({@code payload}, {@code payloadType}, {@code signatures}), standard base64. */
  public byte[] json() {
    try {
      return Json.MAPPER.writeValueAsBytes(toJson());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  ObjectNode toJson() {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("payload", Base64s.encode(payload));
    o.put("payloadType", payloadType);
    ArrayNode sigs = o.putArray("signatures");
    for (Signature s : signatures) {
      ObjectNode so = sigs.addObject();
      so.put("sig", Base64s.encode(s.sig));
      if (s.keyid != null) {
        so.put("keyid", s.keyid);
      }
    }
    return o;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DsseEnvelope e
        && payloadType.equals(e.payloadType)
        && Arrays.equals(payload, e.payload)
        && signatures.equals(e.signatures);
  }

  @Override
  public int hashCode() {
    return Objects.hash(payloadType, Arrays.hashCode(payload), signatures);
  }

  @Override
  public String toString() {
    return "DsseEnvelope[" + payloadType + ", " + payload.length + " bytes, " + signatures.size() + " signature(s)]";
  }
}
