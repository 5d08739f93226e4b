package dev.attest.verify.internal.keyless;

import dev.attest.core.BoundedReads;
import dev.attest.core.TooLargeException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import okhttp3.Response;

/** Bounded HTTP response reading for the signing clients. */
final class Http {
  private Http() {}

  static byte[] boundedBody(Response response, long max) throws IOException {
    try (InputStream in = response.body().byteStream()) {
      return BoundedReads.readAll(in, max, "response");
    } catch (TooLargeException e) {
      throw new IOException("response is larger than " + max + " bytes", e);
    }
  }

  /** The start of a server's answer, printable, for an error message. */
  static String snippet(byte[] body) {
    String s = new String(body, 0, Math.min(body.length, 512), StandardCharsets.UTF_8).replaceAll("\\s+", " ").strip();
    return s.isEmpty() ? "(empty body)" : s;
  }
}
