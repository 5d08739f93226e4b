package dev.attest.core.internal;

import dev.attest.core.Json;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.attest.core.Descriptor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Writes manifests as compact UTF-8 JSON in the field order of the image-spec Go types. This
 * runs once per new manifest; parsed manifests are never written again.
 */
public final class ManifestWriter {
  private ManifestWriter() {}

  public static byte[] manifest(
      String mediaType,
      @Nullable String artifactType,
      Descriptor config,
      List<Descriptor> layers,
      @Nullable Descriptor subject,
      Map<String, String> annotations) {
    return write(g -> {
      g.writeNumberField("schemaVersion", 2);
      g.writeStringField("mediaType", mediaType);
      if (artifactType != null) {
        g.writeStringField("artifactType", artifactType);
      }
      g.writeFieldName("config");
      OciJson.write(g, config);
      g.writeArrayFieldStart("layers");
      for (Descriptor l : layers) {
        OciJson.write(g, l);
      }
      g.writeEndArray();
      if (subject != null) {
        g.writeFieldName("subject");
        OciJson.write(g, subject);
      }
      OciJson.writeMap(g, "annotations", annotations);
    });
  }

  public static byte[] index(
      String mediaType,
      @Nullable String artifactType,
      List<Descriptor> manifests,
      @Nullable Descriptor subject,
      Map<String, String> annotations) {
    return write(g -> {
      g.writeNumberField("schemaVersion", 2);
      g.writeStringField("mediaType", mediaType);
      if (artifactType != null) {
        g.writeStringField("artifactType", artifactType);
      }
      g.writeArrayFieldStart("manifests");
      for (Descriptor m : manifests) {
        OciJson.write(g, m);
      }
      g.writeEndArray();
      if (subject != null) {
        g.writeFieldName("subject");
        OciJson.write(g, subject);
      }
      OciJson.writeMap(g, "annotations", annotations);
    });
  }

  interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  private static byte[] write(Body body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
      g.writeStartObject();
      body.write(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory cannot fail", e);
    }
    return out.toByteArray();
  }
}
