package dev.attest.core.internal;

import dev.attest.core.InvalidContentException;
import java.util.Base64;

/**
 * Base64 as DSSE and protobuf JSON readers must accept it: the standard or the URL-safe alphabet,
 * with or without padding. Mixing the two alphabets, whitespace, misplaced padding and impossible
 * lengths are errors that name the field and the position.
 */
public final class Base64s {
  private Base64s() {}

  /** Decodes {@code text}; {@code field} names it in errors, for example {@code dsseEnvelope.payload}. */
  public static byte[] decode(String text, String field) throws InvalidContentException {
    boolean std = false;
    boolean url = false;
    int end = text.length();
    while (end > 0 && text.charAt(end - 1) == '=') {
      end--;
    }
    int padding = text.length() - end;
    for (int i = 0; i < end; i++) {
      char c = text.charAt(i);
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        continue;
      }
      if (c == '+' || c == '/') {
        std = true;
      } else if (c == '-' || c == '_') {
        url = true;
      } else {
        throw new InvalidContentException(
            "malformed base64 in " + field + ": character '" + printable(c) + "' at position " + i
                + " is not in the standard or URL-safe alphabet");
      }
      if (std && url) {
        throw new InvalidContentException(
            "malformed base64 in " + field + ": mixes the standard ('+', '/') and URL-safe ('-', '_') alphabets");
      }
    }
    if (end % 4 == 1) {
      throw new InvalidContentException(
          "malformed base64 in " + field + ": " + end + " characters cannot encode whole bytes");
    }
    if (padding > 0 && (padding > 2 || (end + padding) % 4 != 0)) {
      throw new InvalidContentException("malformed base64 in " + field + ": wrong padding");
    }
    String body = text.substring(0, end);
    try {
      return (url ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(body);
    } catch (IllegalArgumentException e) {
      throw new InvalidContentException("malformed base64 in " + field + ": " + e.getMessage(), e);
    }
  }

  /** Standard base64 with padding, as protobuf JSON and Go's encoding/json write bytes. */
  public static String encode(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  private static String printable(char c) {
    return c < 0x20 || c > 0x7e ? String.format(java.util.Locale.ROOT, "\\u%04x", (int) c) : String.valueOf(c);
  }
}
