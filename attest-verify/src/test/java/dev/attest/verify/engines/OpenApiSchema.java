package dev.attest.verify.engines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A validator for the structural OpenAPI v3 schemas Kubernetes serves (a CRD's {@code
 * openAPIV3Schema}, or definitions of the core API): {@code type}, {@code properties}, {@code
 * required}, {@code items}, {@code additionalProperties}, {@code enum}, {@code oneOf}/{@code
 * anyOf}, {@code allOf}, {@code pattern}, {@code minLength}/{@code maxLength}, {@code minimum}/{@code
 * maximum}, {@code minItems}/{@code maxItems}, {@code $ref} to {@code #/definitions/...}, {@code
 * x-kubernetes-int-or-string} and {@code x-kubernetes-preserve-unknown-fields}. Unknown fields are
 * errors: the API server would prune them silently, so a field in the wrong place does nothing.
 */
public final class OpenApiSchema {
  private static final YAMLMapper YAML = new YAMLMapper();

  private final JsonNode root;
  private final JsonNode definitions;

  private OpenApiSchema(JsonNode root, JsonNode definitions) {
    this.root = root;
    this.definitions = definitions;
  }

  /** The {@code openAPIV3Schema} of version {@code version} of the CRD in resource {@code crdResource}. */
  public static OpenApiSchema crd(String crdResource, String version) {
    for (JsonNode doc : yamlDocs(crdResource)) {
      for (JsonNode v : doc.at("/spec/versions")) {
        if (v.path("name").asText().equals(version)) {
          return new OpenApiSchema(v.at("/schema/openAPIV3Schema"), com.fasterxml.jackson.databind.node.MissingNode.getInstance());
        }
      }
    }
    throw new IllegalArgumentException(crdResource + " has no version " + version);
  }

  /** The definition {@code name} of a swagger/OpenAPI document with {@code definitions}. */
  public static OpenApiSchema definition(JsonNode document, String name) {
    JsonNode defs = document.path("definitions");
    JsonNode d = defs.get(name);
    if (d == null) {
      throw new IllegalArgumentException("no definition " + name);
    }
    return new OpenApiSchema(d, defs);
  }

  static List<JsonNode> yamlDocs(String resource) {
    try (InputStream in = Objects.requireNonNull(OpenApiSchema.class.getResourceAsStream(resource), resource);
        MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(in)) {
      List<JsonNode> out = new ArrayList<>();
      it.forEachRemaining(out::add);
      return out;
    } catch (IOException e) {
      throw new IllegalArgumentException(resource + ": " + e.getMessage(), e);
    }
  }

  /** Every violation of the schema by {@code doc}, with its JSON path; empty when valid. */
  public List<String> validate(JsonNode doc) {
    List<String> errors = new ArrayList<>();
    check(root, doc, "", errors);
    return errors;
  }

  private JsonNode resolve(JsonNode s) {
    JsonNode ref = s.get("$ref");
    if (ref != null) {
      String r = ref.asText();
      String name = r.substring(r.lastIndexOf('/') + 1);
      JsonNode d = definitions.get(name);
      if (d == null) {
        throw new IllegalArgumentException("unresolved $ref " + r);
      }
      return resolve(d);
    }
    // OpenAPI v3 documents wrap a reference as allOf: [{$ref}].
    JsonNode allOf = s.get("allOf");
    if (allOf != null && allOf.size() == 1 && allOf.get(0).has("$ref") && !s.has("properties")) {
      return resolve(allOf.get(0));
    }
    return s;
  }

  private void check(JsonNode schema, JsonNode v, String path, List<String> errors) {
    JsonNode s = resolve(schema);
    String at = path.isEmpty() ? "." : path;
    if (s.path("x-kubernetes-int-or-string").asBoolean(false)) {
      if (!v.isIntegralNumber() && !v.isTextual()) {
        errors.add(at + ": must be an integer or a string");
      }
      return;
    }
    String type = s.path("type").asText("");
    switch (type) {
      case "object" -> {
        if (!v.isObject()) {
          errors.add(at + ": must be an object, is " + v.getNodeType());
          return;
        }
      }
      case "array" -> {
        if (!v.isArray()) {
          errors.add(at + ": must be an array, is " + v.getNodeType());
          return;
        }
      }
      case "string" -> {
        if (!v.isTextual()) {
          errors.add(at + ": must be a string, is " + v.getNodeType());
          return;
        }
      }
      case "integer" -> {
        if (!v.isIntegralNumber()) {
          errors.add(at + ": must be an integer, is " + v.getNodeType());
          return;
        }
      }
      case "number" -> {
        if (!v.isNumber()) {
          errors.add(at + ": must be a number, is " + v.getNodeType());
          return;
        }
      }
      case "boolean" -> {
        if (!v.isBoolean()) {
          errors.add(at + ": must be a boolean, is " + v.getNodeType());
          return;
        }
      }
      default -> { }
    }
    if (s.has("enum")) {
      boolean found = false;
      for (JsonNode e : s.get("enum")) {
        found |= e.equals(v);
      }
      if (!found) {
        errors.add(at + ": " + v + " is not one of " + s.get("enum"));
      }
    }
    if (v.isTextual()) {
      String t = v.textValue();
      if (s.has("maxLength") && t.length() > s.get("maxLength").asInt()) {
        errors.add(at + ": longer than " + s.get("maxLength").asInt());
      }
      if (s.has("minLength") && t.length() < s.get("minLength").asInt()) {
        errors.add(at + ": shorter than " + s.get("minLength").asInt());
      }
      if (s.has("pattern") && !Pattern.compile(s.get("pattern").asText()).matcher(t).find()) {
        errors.add(at + ": does not match " + s.get("pattern").asText());
      }
    }
    if (v.isNumber()) {
      if (s.has("minimum") && v.asDouble() < s.get("minimum").asDouble()) {
        errors.add(at + ": less than " + s.get("minimum"));
      }
      if (s.has("maximum") && v.asDouble() > s.get("maximum").asDouble()) {
        errors.add(at + ": more than " + s.get("maximum"));
      }
    }
    for (String combinator : new String[] {"oneOf", "anyOf"}) {
      if (s.has(combinator)) {
        int ok = 0;
        for (JsonNode branch : s.get(combinator)) {
          List<String> e = new ArrayList<>();
          checkConstraintsOnly(branch, v, path, e);
          ok += e.isEmpty() ? 1 : 0;
        }
        if (combinator.equals("oneOf") ? ok != 1 : ok == 0) {
          errors.add(at + ": must match " + (combinator.equals("oneOf") ? "exactly one" : "at least one") + " of "
              + s.get(combinator) + " (matches " + ok + ")");
        }
      }
    }
    if (s.has("allOf") && !s.get("allOf").get(0).has("$ref")) {
      for (JsonNode branch : s.get("allOf")) {
        check(branch, v, path, errors);
      }
    }
    if (v.isObject()) {
      for (JsonNode r : s.path("required")) {
        if (!v.has(r.asText())) {
          errors.add(at + ": missing required field " + r.asText());
        }
      }
      // A CRD's metadata is ObjectMeta, validated by the API server itself, not by the CRD schema.
      boolean preserve = s.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)
          || (path.equals(".metadata") && !s.has("properties"));
      JsonNode props = s.get("properties");
      JsonNode additional = s.get("additionalProperties");
      for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        String p = path + "." + f.getKey();
        if (path.isEmpty() && List.of("apiVersion", "kind", "metadata").contains(f.getKey())
            && (props == null || !props.has(f.getKey()))) {
          continue; // every object has these; the API server checks them itself
        }
        if (props != null && props.has(f.getKey())) {
          check(props.get(f.getKey()), f.getValue(), p, errors);
        } else if (additional != null && additional.isObject()) {
          check(additional, f.getValue(), p, errors);
        } else if (additional != null && additional.asBoolean(false) || preserve) {
          // allowed as is
        } else if (props != null || additional != null || type.equals("object")) {
          errors.add(p + ": unknown field");
        }
      }
    }
    if (v.isArray()) {
      if (s.has("maxItems") && v.size() > s.get("maxItems").asInt()) {
        errors.add(at + ": more than " + s.get("maxItems").asInt() + " items");
      }
      if (s.has("minItems") && v.size() < s.get("minItems").asInt()) {
        errors.add(at + ": fewer than " + s.get("minItems").asInt() + " items");
      }
      if (s.has("items")) {
        for (int i = 0; i < v.size(); i++) {
          check(s.get("items"), v.get(i), path + "[" + i + "]", errors);
        }
      }
    }
  }

  /** A combinator branch: only the constraints it states (usually {@code required}), no unknown-field rule. */
  private void checkConstraintsOnly(JsonNode branch, JsonNode v, String path, List<String> errors) {
    if (branch.has("required") && v.isObject()) {
      for (JsonNode r : branch.get("required")) {
        if (!v.has(r.asText())) {
          errors.add(path + ": missing " + r.asText());
        }
      }
    }
    if (branch.has("type") || branch.has("properties") || branch.has("$ref") || branch.has("enum")) {
      check(branch, v, path, errors);
    }
  }
}
