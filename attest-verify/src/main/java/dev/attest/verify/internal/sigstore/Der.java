package dev.attest.verify.internal.sigstore;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A minimal, bounded DER reader and writer (ITU-T X.690, as profiled by RFC 5280 and RFC 5652).
 *
 * <p>Every value keeps its exact slice of the input, so signed structures (a certificate's TBS,
 * CMS signed attributes) are hashed byte for byte as they were signed, never re-encoded. Only
 * definite, minimally encoded lengths and single-byte tags are read; indefinite lengths (BER),
 * trailing data, lengths past the end and nesting deeper than {@link #MAX_DEPTH} are failures.
 * The writer exists for the one structure Sigstore makes verifiers rebuild: the RFC 6962
 * precertificate TBS.
 */
final class Der {
  private Der() {}

  static final int MAX_DEPTH = 32;
  /** Inputs larger than this are refused: certificates and timestamps are a few KiB. */
  static final int MAX_INPUT = 1 << 20;

  static final int BOOLEAN = 0x01;
  static final int INTEGER = 0x02;
  static final int BIT_STRING = 0x03;
  static final int OCTET_STRING = 0x04;
  static final int NULL = 0x05;
  static final int OID = 0x06;
  static final int UTC_TIME = 0x17;
  static final int GENERALIZED_TIME = 0x18;
  static final int SEQUENCE = 0x30;
  static final int SET = 0x31;

  /** The tag of context-specific {@code [n]}, constructed (EXPLICIT, or IMPLICIT over a constructed type). */
  static int context(int n) {
    return 0xa0 | n;
  }

  /** The tag of context-specific primitive {@code [n]} (IMPLICIT over a primitive type). */
  static int contextPrimitive(int n) {
    return 0x80 | n;
  }

  /** Parses exactly one DER value spanning all of {@code der}. */
  static Value parse(byte[] der, String what) throws VerificationFailure {
    if (der.length > MAX_INPUT) {
      throw new VerificationFailure(what + " is " + der.length + " bytes, more than the limit of " + MAX_INPUT);
    }
    Value v = read(der, 0, der.length, 0, what);
    if (v.end != der.length) {
      throw new VerificationFailure(what + " has " + (der.length - v.end) + " bytes of trailing data after its DER value");
    }
    return v;
  }

  private static Value read(byte[] b, int pos, int limit, int depth, String what) throws VerificationFailure {
    if (depth > MAX_DEPTH) {
      throw new VerificationFailure(what + " nests DER deeper than " + MAX_DEPTH + " levels");
    }
    if (pos + 2 > limit) {
      throw new VerificationFailure(what + " is truncated DER (no room for a tag and length at offset " + pos + ")");
    }
    int tag = b[pos] & 0xff;
    if ((tag & 0x1f) == 0x1f) {
      throw new VerificationFailure(what + " uses a multi-byte DER tag at offset " + pos + ", which no structure read here has");
    }
    int p = pos + 1;
    int first = b[p++] & 0xff;
    int len;
    if (first < 0x80) {
      len = first;
    } else if (first == 0x80) {
      throw new VerificationFailure(what + " uses an indefinite length (BER) at offset " + pos + "; DER is required");
    } else {
      int n = first & 0x7f;
      if (n > 4 || p + n > limit) {
        throw new VerificationFailure(what + " has a malformed DER length at offset " + pos);
      }
      long l = 0;
      for (int i = 0; i < n; i++) {
        l = (l << 8) | (b[p++] & 0xff);
      }
      if (l < 0x80 || (b[p - n] & 0xff) == 0) {
        throw new VerificationFailure(what + " has a non-minimal DER length at offset " + pos);
      }
      if (l > Integer.MAX_VALUE) {
        throw new VerificationFailure(what + " has a DER length past its end at offset " + pos);
      }
      len = (int) l;
    }
    if (len > limit - p) {
      throw new VerificationFailure(what + " has a DER length past its end at offset " + pos
          + " (" + len + " bytes declared, " + (limit - p) + " left)");
    }
    return new Value(b, tag, pos, p, p + len, depth, what);
  }

  /** One DER value: its tag and its exact slice of the input. */
  static final class Value {
    private final byte[] buf;
    final int tag;
    final int start;
    final int contentStart;
    final int end;
    private final int depth;
    private final String what;

    private Value(byte[] buf, int tag, int start, int contentStart, int end, int depth, String what) {
      this.buf = buf;
      this.tag = tag;
      this.start = start;
      this.contentStart = contentStart;
      this.end = end;
      this.depth = depth;
      this.what = what;
    }

    boolean constructed() {
      return (tag & 0x20) != 0;
    }

    /** The exact encoding: tag, length and content. */
    byte[] encoded() {
      return Arrays.copyOfRange(buf, start, end);
    }

    /** The content octets. */
    byte[] content() {
      return Arrays.copyOfRange(buf, contentStart, end);
    }

    int contentLength() {
      return end - contentStart;
    }

    /** A reader over the values inside this constructed value. */
    Reader reader() throws VerificationFailure {
      if (!constructed()) {
        throw new VerificationFailure(what + ": expected a constructed DER value, got tag 0x" + Integer.toHexString(tag));
      }
      return new Reader(buf, contentStart, end, depth + 1, what);
    }

    /** All values inside this constructed value. */
    List<Value> children() throws VerificationFailure {
      Reader r = reader();
      List<Value> out = new ArrayList<>();
      while (r.hasNext()) {
        out.add(r.next());
      }
      return out;
    }

    Value expect(int wantTag, String field) throws VerificationFailure {
      if (tag != wantTag) {
        throw new VerificationFailure(what + ": " + field + " has DER tag 0x" + Integer.toHexString(tag)
            + ", expected 0x" + Integer.toHexString(wantTag));
      }
      return this;
    }

    /** The only value inside this constructed (for example EXPLICIT-tagged) value. */
    Value single(String field) throws VerificationFailure {
      Reader r = reader();
      Value v = r.next();
      r.end(field);
      return v;
    }

    BigInteger integer(String field) throws VerificationFailure {
      expect(INTEGER, field);
      if (contentLength() == 0) {
        throw new VerificationFailure(what + ": " + field + " is an empty INTEGER");
      }
      return new BigInteger(content());
    }

    String oid(String field) throws VerificationFailure {
      expect(OID, field);
      return decodeOid(buf, contentStart, end, what + ": " + field);
    }

    byte[] octets(String field) throws VerificationFailure {
      return expect(OCTET_STRING, field).content();
    }

    /** A BIT STRING's bytes; unused bits must be zero in number (signatures and keys are whole bytes). */
    byte[] bits(String field) throws VerificationFailure {
      expect(BIT_STRING, field);
      if (contentLength() < 1 || buf[contentStart] != 0) {
        throw new VerificationFailure(what + ": " + field + " is not a whole-byte BIT STRING");
      }
      return Arrays.copyOfRange(buf, contentStart + 1, end);
    }

    /** UTCTime or GeneralizedTime (RFC 5280 section 4.1.2.5; RFC 3161 allows fractional seconds). */
    Instant time(String field) throws VerificationFailure {
      String s = new String(buf, contentStart, contentLength(), StandardCharsets.US_ASCII);
      try {
        if (tag == UTC_TIME && s.matches("[0-9]{12}Z")) {
          int yy = Integer.parseInt(s.substring(0, 2));
          String full = (yy >= 50 ? "19" : "20") + s.substring(0, 12);
          return LocalDateTime.parse(full, YMDHMS).toInstant(ZoneOffset.UTC);
        }
        if (tag == GENERALIZED_TIME && s.matches("[0-9]{14}(\\.[0-9]*[1-9])?Z")) {
          Instant whole = LocalDateTime.parse(s.substring(0, 14), YMDHMS).toInstant(ZoneOffset.UTC);
          if (s.length() == 15) {
            return whole;
          }
          String frac = s.substring(15, s.length() - 1);
          if (frac.length() > 9) {
            throw new VerificationFailure(what + ": " + field + " has more than nanosecond precision: " + s);
          }
          return whole.plusNanos(Long.parseLong((frac + "000000000").substring(0, 9)));
        }
      } catch (DateTimeParseException e) {
        throw new VerificationFailure(what + ": " + field + " is not a valid time: " + s, e);
      }
      throw new VerificationFailure(what + ": " + field + " is not a DER UTCTime or GeneralizedTime: '" + clip(s) + "'");
    }
  }

  private static final DateTimeFormatter YMDHMS = DateTimeFormatter.ofPattern("uuuuMMddHHmmss");

  /** Reads the values of a constructed value one after another. */
  static final class Reader {
    private final byte[] buf;
    private int pos;
    private final int limit;
    private final int depth;
    private final String what;

    private Reader(byte[] buf, int pos, int limit, int depth, String what) {
      this.buf = buf;
      this.pos = pos;
      this.limit = limit;
      this.depth = depth;
      this.what = what;
    }

    boolean hasNext() {
      return pos < limit;
    }

    /** The tag of the next value, or -1 at the end. */
    int peekTag() {
      return pos < limit ? buf[pos] & 0xff : -1;
    }

    Value next() throws VerificationFailure {
      if (pos >= limit) {
        throw new VerificationFailure(what + " ends early: a DER value is missing");
      }
      Value v = read(buf, pos, limit, depth, what);
      pos = v.end;
      return v;
    }

    Value next(int tag, String field) throws VerificationFailure {
      if (peekTag() != tag) {
        throw new VerificationFailure(what + ": expected " + field + " (DER tag 0x" + Integer.toHexString(tag)
            + "), got " + (pos >= limit ? "the end" : "tag 0x" + Integer.toHexString(peekTag())));
      }
      return next();
    }

    /** The next value if it has {@code tag}, else {@code null}. */
    @org.jspecify.annotations.Nullable Value optional(int tag) throws VerificationFailure {
      return peekTag() == tag ? next() : null;
    }

    /** Fails unless every value has been read. */
    void end(String field) throws VerificationFailure {
      if (pos != limit) {
        throw new VerificationFailure(what + ": unexpected data after " + field);
      }
    }
  }

  static String decodeOid(byte[] b, int from, int to, String where) throws VerificationFailure {
    if (from >= to || to - from > 64 || (b[to - 1] & 0x80) != 0) {
      throw new VerificationFailure(where + " is not a valid OBJECT IDENTIFIER");
    }
    StringBuilder sb = new StringBuilder();
    long v = 0;
    boolean first = true;
    for (int i = from; i < to; i++) {
      if (v == 0 && (b[i] & 0xff) == 0x80) {
        throw new VerificationFailure(where + " is not a minimal OBJECT IDENTIFIER");
      }
      v = (v << 7) | (b[i] & 0x7f);
      if (v > (Long.MAX_VALUE >> 8)) {
        throw new VerificationFailure(where + " has an OBJECT IDENTIFIER arc too large");
      }
      if ((b[i] & 0x80) == 0) {
        if (first) {
          int top = v < 40 ? 0 : v < 80 ? 1 : 2;
          sb.append(top).append('.').append(v - 40L * top);
          first = false;
        } else {
          sb.append('.').append(v);
        }
        v = 0;
      }
    }
    return sb.toString();
  }

  // --- writer ---

  /** A DER value with {@code tag} around {@code content}. */
  static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
    out.write(tag);
    int len = content.length;
    if (len < 0x80) {
      out.write(len);
    } else {
      int n = len > 0xffffff ? 4 : len > 0xffff ? 3 : len > 0xff ? 2 : 1;
      out.write(0x80 | n);
      for (int i = n - 1; i >= 0; i--) {
        out.write(len >>> (8 * i));
      }
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  /** A DER value with {@code tag} around the concatenation of {@code parts}. */
  static byte[] tlv(int tag, List<byte[]> parts) {
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      content.writeBytes(p);
    }
    return tlv(tag, content.toByteArray());
  }

  private static String clip(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }
}
