package dev.attest.core.internal;

import dev.attest.core.InvalidContentException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** One RFC 7468 PEM block: its label and its DER body. Headers (RFC 1421 style) are refused. */
public record Pem(String label, byte[] der) {
  /** PEM files larger than this are refused; keys and certificates are a few KiB. */
  public static final int MAX_BYTES = 1 << 20;

  private static final String BEGIN = "-----BEGIN ";
  private static final String END = "-----END ";
  private static final String DASHES = "-----";

  /** Reads the first PEM block of {@code text}. Text before it is ignored, as RFC 7468 allows. */
  public static Pem read(byte[] text, String what) throws InvalidContentException {
    if (text.length > MAX_BYTES) {
      throw new InvalidContentException(what + ": PEM larger than " + MAX_BYTES + " bytes");
    }
    String s = new String(text, StandardCharsets.US_ASCII).replace("\r\n", "\n");
    int begin = s.indexOf(BEGIN);
    if (begin < 0) {
      throw new InvalidContentException(what + ": no '-----BEGIN' line; not a PEM file");
    }
    int labelEnd = s.indexOf(DASHES, begin + BEGIN.length());
    int eol = s.indexOf('\n', begin);
    if (labelEnd < 0 || (eol >= 0 && labelEnd > eol)) {
      throw new InvalidContentException(what + ": malformed PEM BEGIN line");
    }
    String label = s.substring(begin + BEGIN.length(), labelEnd);
    String endLine = END + label + DASHES;
    int end = s.indexOf(endLine, labelEnd);
    if (end < 0) {
      throw new InvalidContentException(what + ": PEM block '" + label + "' has no matching END line");
    }
    String body = s.substring(labelEnd + DASHES.length(), end);
    if (body.indexOf(':') >= 0) {
      throw new InvalidContentException(what + ": PEM headers are not supported (block '" + label + "')");
    }
    String b64 = body.replaceAll("[\\s]", "");
    byte[] der;
    try {
      der = Base64.getDecoder().decode(b64);
    } catch (IllegalArgumentException e) {
      throw new InvalidContentException(what + ": malformed base64 in PEM block '" + label + "': " + e.getMessage(), e);
    }
    if (der.length == 0) {
      throw new InvalidContentException(what + ": PEM block '" + label + "' is empty");
    }
    return new Pem(label, der);
  }

  /** Encodes a block with 64-character lines and a final newline. */
  public static byte[] write(String label, byte[] der) {
    StringBuilder sb = new StringBuilder();
    sb.append(BEGIN).append(label).append(DASHES).append('\n');
    String b64 = Base64.getEncoder().encodeToString(der);
    for (int i = 0; i < b64.length(); i += 64) {
      sb.append(b64, i, Math.min(b64.length(), i + 64)).append('\n');
    }
    sb.append(END).append(label).append(DASHES).append('\n');
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }

  public Pem {
    der = der.clone();
  }

  @Override
  public byte[] der() {
    return der.clone();
  }
}
