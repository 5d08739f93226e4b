package dev.attest.verify.internal.sigstore;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.interfaces.EdECPublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * A C2SP signed note (https://c2sp.org/signed-note): a text ending in a newline, a blank line, and
 * one or more signature lines {@code — <key name> base64(key ID || signature)}.
 *
 * <p>Parsing is strict (UTF-8, no control characters but newline, at most {@link #MAX_SIGNATURES}
 * signature lines, each well formed). {@link #verify} finds the log's signature by key name and key
 * ID and ignores every other line (cosignatures, other origins, other keys), as the spec says.
 *
 * @param text the signed note text, including its final newline
 * @param signatures the signature lines, in order
 */
public record SignedNote(String text, List<Line> signatures) {
  /** A larger note is refused: a checkpoint with 64 witness cosignatures is under 16 KiB. */
  public static final int MAX_BYTES = 64 * 1024;
  /** The spec asks verifiers to accept at least 16. */
  public static final int MAX_SIGNATURES = 100;

  private static final String DASH = "\u2014 ";

  /**
   * One signature line.
   *
   * @param name the key name
   * @param keyId the 4-byte key ID
   * @param signature the signature bytes after the key ID
   */
  public record Line(String name, byte[] keyId, byte[] signature) {
    public Line {
      keyId = keyId.clone();
      signature = signature.clone();
    }

    @Override
    public byte[] keyId() {
      return keyId.clone();
    }

    @Override
    public byte[] signature() {
      return signature.clone();
    }
  }

  public SignedNote {
    signatures = List.copyOf(signatures);
  }

  /** Parses a signed note; anything malformed is a failure naming the part. */
  public static SignedNote parse(String note) throws VerificationFailure {
    byte[] utf8 = note.getBytes(StandardCharsets.UTF_8);
    if (utf8.length > MAX_BYTES) {
      throw new VerificationFailure("checkpoint is " + utf8.length + " bytes, more than the limit of " + MAX_BYTES);
    }
    try {
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(utf8));
    } catch (CharacterCodingException e) {
      throw new VerificationFailure("checkpoint is not valid UTF-8");
    }
    for (int i = 0; i < note.length(); i++) {
      char c = note.charAt(i);
      if (c < 0x20 && c != '\n') {
        throw new VerificationFailure("checkpoint contains control character 0x" + Integer.toHexString(c)
            + ": not a signed note");
      }
    }
    // The text ends at the last blank line: its final newline belongs to the text.
    int split = note.lastIndexOf("\n\n");
    if (split < 0 || !note.endsWith("\n")) {
      throw new VerificationFailure("checkpoint is not a signed note: no blank line before signatures,"
          + " or no final newline");
    }
    String text = note.substring(0, split + 1);
    String sigs = note.substring(split + 2);
    if (sigs.isEmpty()) {
      throw new VerificationFailure("checkpoint has no signature lines");
    }
    String[] lines = sigs.substring(0, sigs.length() - 1).split("\n", -1);
    if (lines.length > MAX_SIGNATURES) {
      throw new VerificationFailure("checkpoint has " + lines.length + " signature lines, more than the limit of "
          + MAX_SIGNATURES);
    }
    List<Line> parsed = new ArrayList<>();
    for (String line : lines) {
      parsed.add(line(line));
    }
    return new SignedNote(text, parsed);
  }

  private static Line line(String line) throws VerificationFailure {
    if (!line.startsWith(DASH)) {
      throw new VerificationFailure("checkpoint signature line does not start with an em dash and a space: '"
          + clip(line) + "'");
    }
    String rest = line.substring(DASH.length());
    int space = rest.indexOf(' ');
    if (space <= 0 || rest.indexOf(' ', space + 1) >= 0) {
      throw new VerificationFailure("checkpoint signature line is not '— <name> <signature>': '" + clip(line) + "'");
    }
    String name = rest.substring(0, space);
    if (name.contains("+")) {
      throw new VerificationFailure("checkpoint key name '" + clip(name) + "' contains '+'");
    }
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(rest.substring(space + 1));
    } catch (IllegalArgumentException e) {
      throw new VerificationFailure("checkpoint signature by '" + clip(name) + "' is not base64");
    }
    if (raw.length < 5) {
      throw new VerificationFailure("checkpoint signature by '" + clip(name) + "' is too short for a key ID and a"
          + " signature");
    }
    return new Line(name, Arrays.copyOf(raw, 4), Arrays.copyOfRange(raw, 4, raw.length));
  }

  /**
   * The C2SP key ID of {@code key} under {@code name}: for Ed25519, SHA-256(name || 0x0A || 0x01 ||
   * 32-byte key)[:4]; for ECDSA (type 0x02, as Rekor v1 and transparency-dev witnesses sign), the
   * SHA-256 of the DER SubjectPublicKeyInfo[:4]; for RSA, SHA-256(name || 0x0A || 0xFF ||
   * "PKIX-RSA-PKCS#1v1.5" || DER SPKI)[:4] (rekor-tiles CLIENTS.md).
   */
  public static byte[] keyId(String name, PublicKey key) {
    MessageDigest md = SignatureAlgorithm.digest("SHA-256");
    if (key instanceof EdECPublicKey) {
      byte[] spki = key.getEncoded();
      md.update((name + "\n").getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0x01);
      md.update(Arrays.copyOfRange(spki, spki.length - 32, spki.length));
    } else if ("RSA".equals(key.getAlgorithm())) {
      md.update((name + "\n").getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0xff);
      md.update("PKIX-RSA-PKCS#1v1.5".getBytes(StandardCharsets.US_ASCII));
      md.update(key.getEncoded());
    } else {
      md.update(key.getEncoded());
    }
    return Arrays.copyOf(md.digest(), 4);
  }

  /**
   * Verifies the signature of {@code log} over the text, made under key name {@code name}. Lines
   * with another name or key ID are ignored; a line with both that fails to verify refuses the
   * note; no verifying line refuses it too.
   */
  public void verify(String name, LogKey log) throws VerificationFailure {
    byte[] want = keyId(name, log.key());
    // Rekor v1 names its ECDSA key by the first 4 bytes of its log ID (the SPKI hash): the same.
    boolean found = false;
    byte[] message = text.getBytes(StandardCharsets.UTF_8);
    for (Line l : signatures) {
      if (!l.name().equals(name) || !MessageDigest.isEqual(l.keyId, want)) {
        continue;
      }
      found = true;
      if (!log.algorithm().verify(log.key(), message, l.signature)) {
        throw new VerificationFailure("checkpoint signature by '" + name + "' (key ID "
            + HexFormat.of().formatHex(want) + ") does not verify with the log's key " + log.baseUrl());
      }
    }
    if (!found) {
      throw new VerificationFailure("checkpoint has no signature by the log '" + name + "' with key ID "
          + HexFormat.of().formatHex(want) + " (" + log.baseUrl() + "); its signers are " + signers());
    }
  }

  private String signers() {
    List<String> s = new ArrayList<>();
    for (Line l : signatures) {
      s.add(clip(l.name()) + "/" + HexFormat.of().formatHex(l.keyId));
    }
    return s.toString();
  }

  static String clip(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }
}
