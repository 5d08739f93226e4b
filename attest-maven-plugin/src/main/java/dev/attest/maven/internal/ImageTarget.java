package dev.attest.maven.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attest.core.Digest;
import dev.attest.core.ImageRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.maven.plugin.MojoExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * The image a goal works on, and where that came from: the {@code image}/{@code digest}
 * parameters, else Jib's {@code jib-image.json} and {@code jib-image.digest}.
 *
 * @param ref the image as named (registry/repository, maybe a tag or a digest)
 * @param digest its digest, or null if only a tag is known
 * @param source where it came from, for the log
 */
public record ImageTarget(ImageRef ref, @Nullable Digest digest, String source) {
  /** Jib's files are a few hundred bytes; anything bigger is not Jib's. */
  static final int MAX_JIB_FILE_BYTES = 64 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Resolves the image. Parameters win over Jib's files; a digest from the parameters and one
   * from Jib's files that disagree fail, since the build would sign something it did not build.
   */
  public static ImageTarget resolve(@Nullable String image, @Nullable String digest, Path jibJson, Path jibDigest)
      throws MojoExecutionException {
    Digest given = digest == null || digest.isBlank() ? null : parseDigest(digest.strip(), "the digest parameter");
    String jibImage = null;
    Digest jib = null;
    String jibSource = null;
    if (Files.isRegularFile(jibJson)) {
      JsonNode n = readJson(jibJson);
      jibImage = text(n, "image");
      String d = text(n, "imageDigest");
      if (d != null) {
        jib = parseDigest(d, jibJson.toString());
      }
      jibSource = jibJson.toString();
    }
    if (jib == null && Files.isRegularFile(jibDigest)) {
      jib = parseDigest(read(jibDigest).strip(), jibDigest.toString());
      jibSource = jibDigest.toString();
    }
    String name = image != null && !image.isBlank() ? image.strip() : jibImage;
    if (name == null) {
      throw new MojoExecutionException("no image: run jib:build first (it writes " + jibJson.getFileName()
          + "), or set <image> / -Dattest.image=registry/repository@sha256:...");
    }
    ImageRef ref;
    try {
      ref = ImageRef.parse(name);
    } catch (IllegalArgumentException e) {
      throw new MojoExecutionException("image '" + name + "': " + e.getMessage(), e);
    }
    Digest d = ref.digest();
    String source = image != null && !image.isBlank() ? "the image parameter" : jibSource;
    for (Digest other : new Digest[] {given, jib}) {
      if (other == null) {
        continue;
      }
      if (d != null && !d.equals(other)) {
        throw new MojoExecutionException("two digests for " + ref.name() + ": " + d + " and " + other
            + " (from " + (other == given ? "the digest parameter" : jibSource) + "); the build would act on an"
            + " image it did not build. Remove one.");
      }
      if (d == null) {
        d = other;
        source = other == given ? "the digest parameter" : jibSource;
      }
    }
    return new ImageTarget(ref, d, source == null ? "the image parameter" : source);
  }

  private static Digest parseDigest(String text, String where) throws MojoExecutionException {
    try {
      return Digest.parse(text);
    } catch (IllegalArgumentException e) {
      throw new MojoExecutionException(where + ": not an image digest: " + e.getMessage(), e);
    }
  }

  private static JsonNode readJson(Path file) throws MojoExecutionException {
    try {
      JsonNode n = JSON.readTree(read(file));
      if (n == null || !n.isObject()) {
        throw new MojoExecutionException(file + ": expected Jib's JSON object");
      }
      return n;
    } catch (IOException e) {
      throw new MojoExecutionException(file + ": not Jib's image JSON: " + e.getMessage(), e);
    }
  }

  private static @Nullable String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v != null && v.isTextual() && !v.asText().isBlank() ? v.asText() : null;
  }

  private static String read(Path file) throws MojoExecutionException {
    try {
      if (Files.size(file) > MAX_JIB_FILE_BYTES) {
        throw new MojoExecutionException(file + " is bigger than " + MAX_JIB_FILE_BYTES + " bytes: not Jib's");
      }
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new MojoExecutionException("cannot read " + file + ": " + e, e);
    }
  }
}
