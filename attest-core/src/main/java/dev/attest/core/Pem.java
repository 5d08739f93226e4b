package dev.attest.core;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * One RFC 7468 PEM block: its label and its DER body. Headers (RFC 1421 style) are refused. The one
 * PEM reader and writer of attest (ADR 0027): keys, certificates, TLS material and Rekor's
 * verifiers all go through it.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc7468">RFC 7468, textual encodings</a>
 */
public record Pem(String label, byte[] der) {
  /** PEM files larger than this are refused; keys and certificates are a few KiB. */
  public static final int MAX_BYTES = 1 << 20;

  private static final String BEGIN = "-----BEGIN ";
  private static final String END = "-----END ";
  private static final String DASHES = "-----";

  /** At most this many blocks are read from one text (a certificate chain has a few). */
  public static final int MAX_BLOCKS = 64;

  /** Reads the first PEM block of {@code text}. Text before it is ignored, as RFC 7468 allows. */
  public static Pem read(byte[] text, String what) throws InvalidContentException {
    String s = text(text, what);
    int begin = s.indexOf(BEGIN);
    if (begin < 0) {
      throw new InvalidContentException(what + ": no '-----BEGIN' line; not a PEM file");
    }
    return block(s, begin, what, new int[1]);
  }

  /** Every PEM block of {@code text}, in order; text between blocks is ignored (RFC 7468 section 2). */
  public static List<Pem> readAll(byte[] text, String what) throws InvalidContentException {
    String s = text(text, what);
    List<Pem> out = new ArrayList<>();
    int[] next = new int[1];
    for (int begin = s.indexOf(BEGIN); begin >= 0; begin = s.indexOf(BEGIN, next[0])) {
      if (out.size() == MAX_BLOCKS) {
        throw new InvalidContentException(what + ": more than " + MAX_BLOCKS + " PEM blocks");
      }
      out.add(block(s, begin, what, next));
    }
    return List.copyOf(out);
  }

  /**
   * The DER body of the one block of {@code text}, which must be labelled {@code label}.
   *
   * @throws InvalidContentException if there is not exactly one block, or it has another label
   */
  public static byte[] readSingle(byte[] text, String label, String what) throws InvalidContentException {
    List<Pem> blocks = readAll(text, what);
    if (blocks.size() != 1) {
      throw new InvalidContentException(
          what + ": expected exactly one PEM '" + label + "' block, found " + blocks.size() + " blocks");
    }
    Pem b = blocks.get(0);
    if (!b.label().equals(label)) {
      throw new InvalidContentException(what + ": expected a PEM '" + label + "' block, found '" + b.label() + "'");
    }
    return b.der();
  }

  /** {@link #write} as text. */
  public static String encode(String label, byte[] der) {
    return new String(write(label, der), StandardCharsets.US_ASCII);
  }

  private static String text(byte[] text, String what) throws InvalidContentException {
    if (text.length > MAX_BYTES) {
      throw new InvalidContentException(what + ": PEM larger than " + MAX_BYTES + " bytes");
    }
    return new String(text, StandardCharsets.US_ASCII).replace("\r\n", "\n");
  }

  private static Pem block(String s, int begin, String what, int[] next) throws InvalidContentException {
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
    next[0] = end + endLine.length();
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

  /** Copies the DER bytes. */
  public Pem {
    der = der.clone();
  }

  /** The decoded bytes. A fresh copy. */
  @Override
  public byte[] der() {
    return der.clone();
  }
}
