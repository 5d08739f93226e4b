package dev.attest.verify.internal.keyless;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import okhttp3.Response;
import okhttp3.ResponseBody;

/** Bounded HTTP response reading for the signing clients. */
final class Http {
  private Http() {}

  static byte[] boundedBody(Response response, long max) throws IOException {
    ResponseBody body = response.body();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = body.byteStream()) {
      byte[] buf = new byte[8192];
      long total = 0;
      for (int n; (n = in.read(buf)) != -1; ) {
        total += n;
        if (total > max) {
          throw new IOException("response is larger than " + max + " bytes");
        }
        out.write(buf, 0, n);
      }
    }
    return out.toByteArray();
  }

  /** The start of a server's answer, printable, for an error message. */
  static String snippet(byte[] body) {
    String s = new String(body, 0, Math.min(body.length, 512), StandardCharsets.UTF_8).replaceAll("\\s+", " ").strip();
    return s.isEmpty() ? "(empty body)" : s;
  }
}
