package dev.attest.core.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * DSSE v1 pre-authentication encoding, over bytes: {@code "DSSEv1" SP LEN(type) SP type SP
 * LEN(body) SP body}, where LEN is the ASCII decimal byte length. Lengths are byte counts of the
 * UTF-8 type and of the raw payload, never character counts.
 *
 * @see <a href="https://github.com/secure-systems-lab/dsse/blob/v1.0.0/protocol.md">DSSE
 *     protocol</a>
 */
public final class Pae {
  private Pae() {}

  public static byte[] encode(String payloadType, byte[] payload) {
    byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + type.length + 32);
    ascii(out, "DSSEv1 " + type.length + " ");
    out.write(type, 0, type.length);
    ascii(out, " " + payload.length + " ");
    out.write(payload, 0, payload.length);
    return out.toByteArray();
  }

  private static void ascii(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    out.write(b, 0, b.length);
  }
}
