package dev.attest.core;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attest.core.internal.OciJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Parses manifest bytes into a view that keeps them; never exported. */
final class ManifestParser {
  private ManifestParser() {}

  private static final Set<String> MANIFEST_FIELDS =
      Set.of("schemaVersion", "mediaType", "artifactType", "config", "layers", "subject", "annotations");
  private static final Set<String> INDEX_FIELDS =
      Set.of("schemaVersion", "mediaType", "artifactType", "manifests", "subject", "annotations");

  static Manifest parse(byte[] input, @Nullable String contentType)
      throws InvalidContentException, UnsupportedContentException {
    return parse(input, contentType, Manifest.MAX_BYTES);
  }

  static Manifest parse(byte[] input, @Nullable String contentType, int maxBytes)
      throws InvalidContentException, UnsupportedContentException {
    if (input.length > maxBytes) {
      throw new InvalidContentException(
          "manifest is " + input.length + " bytes, over the " + maxBytes + " byte limit");
    }
    byte[] raw = input.clone();
    JsonNode n;
    try {
      n = Json.read(raw);
    } catch (IOException e) {
      throw new InvalidContentException("manifest is not valid JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException ? ((com.fasterxml.jackson.core.JsonProcessingException) e).getOriginalMessage() : e.getMessage()), e);
    }
    if (!n.isObject()) {
      throw new InvalidContentException("manifest must be a JSON object");
    }
    JsonNode sv = n.get("schemaVersion");
    if (sv == null || !sv.isIntegralNumber() || sv.asInt() != 2 || !sv.canConvertToInt()) {
      throw new UnsupportedContentException(
          "manifest schemaVersion must be 2, got " + (sv == null ? "none"
              : (sv.isNumber() && !sv.isIntegralNumber() ? "the non-integer " : "") + sv)
              + " (Docker schema 1 is not supported)");
    }
    String field = OciJson.text(n, "mediaType", "manifest", false);
    String ct = contentType == null ? null : stripParameters(contentType);
    String mediaType;
    if (field != null) {
      if (ct != null && MediaTypes.isManifest(ct) && !ct.equals(field)) {
        throw new InvalidContentException(
            "manifest mediaType '" + field + "' differs from its content type '" + ct + "'");
      }
      mediaType = field;
    } else if (ct != null && MediaTypes.isManifest(ct)) {
      mediaType = ct;
    } else if (n.has("manifests") && !n.has("config") && !n.has("layers")) {
      mediaType = MediaTypes.OCI_INDEX;
    } else if (n.has("config") && !n.has("manifests")) {
      mediaType = MediaTypes.OCI_MANIFEST;
    } else {
      throw new InvalidContentException("cannot tell whether this is a manifest or an index: no mediaType");
    }
    if (!MediaTypes.isManifest(mediaType)) {
      throw new UnsupportedContentException("unsupported manifest media type: " + mediaType);
    }
    String artifactType = OciJson.text(n, "artifactType", "manifest", false);
    Descriptor subject = n.has("subject") && !n.get("subject").isNull()
        ? OciJson.descriptor(n.get("subject"), "subject") : null;
    Map<String, String> annotations = OciJson.stringMap(n.get("annotations"), "annotations");
    if (MediaTypes.isIndex(mediaType)) {
      if (n.has("config") || n.has("layers")) {
        throw new InvalidContentException("an index must not have config or layers");
      }
      List<Descriptor> manifests = descriptors(n.get("manifests"), "manifests", true);
      return new ImageIndex(raw, mediaType, manifests, artifactType, subject, annotations, unknown(n, INDEX_FIELDS));
    }
    if (n.has("manifests")) {
      throw new InvalidContentException("an image manifest must not have manifests");
    }
    JsonNode config = n.get("config");
    if (config == null || config.isNull()) {
      throw new InvalidContentException("image manifest is missing its config");
    }
    List<Descriptor> layers = descriptors(n.get("layers"), "layers", MediaTypes.DOCKER_MANIFEST.equals(mediaType));
    return new ImageManifest(
        raw, mediaType, OciJson.descriptor(config, "config"), layers, artifactType, subject, annotations,
        unknown(n, MANIFEST_FIELDS));
  }

  private static List<Descriptor> descriptors(@Nullable JsonNode n, String where, boolean required)
      throws InvalidContentException {
    if (n == null || n.isNull()) {
      if (required) {
        throw new InvalidContentException("missing required field '" + where + "'");
      }
      return List.of();
    }
    if (!n.isArray()) {
      throw new InvalidContentException("'" + where + "' must be an array");
    }
    List<Descriptor> out = new ArrayList<>(n.size());
    for (int i = 0; i < n.size(); i++) {
      out.add(OciJson.descriptor(n.get(i), where + "[" + i + "]"));
    }
    return out;
  }

  private static Map<String, String> unknown(JsonNode n, Set<String> known) {
    Map<String, String> m = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!known.contains(e.getKey())) {
        m.put(e.getKey(), e.getValue().toString());
      }
    }
    return m;
  }

  private static String stripParameters(String contentType) {
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi)).trim();
  }
}
