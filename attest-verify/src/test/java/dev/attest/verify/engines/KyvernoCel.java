package dev.attest.verify.engines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.extensions.CelExtensions;
import dev.cel.runtime.CelFunctionBinding;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A CEL environment shaped like the one Kyverno 1.19 compiles ImageValidatingPolicy validations
 * in (kyverno pkg/cel/policies/ivpol/compiler): the variables {@code images} (extractor name to
 * image references), {@code attestors} and {@code attestations} (name to name), Kyverno's image
 * verification functions {@code verifyImageSignatures}, {@code verifyAttestationSignatures} and
 * {@code extractPayload}, its time library ({@code time_now}, {@code time_add}, {@code
 * time_before}, {@code time_after}), Kubernetes' list {@code sum()}, and cel-go's strings and
 * bindings extensions. The verification functions answer from an {@link Engine}: what a cluster's
 * registry would hold. Regular expressions run on RE2 (re2j), as in Go.
 */
public final class KyvernoCel {
  /** What the engine would find for an image. */
  public interface Engine {
    /** How many of {@code attestors} verify a signature of {@code image}. */
    long imageSignatures(String image, List<String> attestors);

    /** How many of {@code attestors} verify an {@code attestation} of {@code image}. */
    long attestationSignatures(String image, String attestation, List<String> attestors);

    /** The in-toto Statement of {@code attestation}, as JSON; throws when there is none. */
    JsonNode payload(String image, String attestation);

    /** An engine that finds nothing, for compiling and for expressions that call no verification. */
    Engine NONE = new Engine() {
      @Override
      public long imageSignatures(String image, List<String> attestors) {
        return 0;
      }

      @Override
      public long attestationSignatures(String image, String attestation, List<String> attestors) {
        return 0;
      }

      @Override
      public JsonNode payload(String image, String attestation) {
        throw new IllegalStateException("no payload for " + image);
      }
    };
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Cel cel;
  private final Instant now;
  private final Map<String, CelAbstractSyntaxTree> compiled = new java.util.HashMap<>();

  public KyvernoCel(Engine engine, Instant now) {
    this.now = now;
    this.cel = CelFactory.standardCelBuilder()
        .setStandardMacros(dev.cel.parser.CelStandardMacro.STANDARD_MACROS)
        .addVar("images", MapType.create(SimpleType.STRING, ListType.create(SimpleType.STRING)))
        .addVar("attestors", MapType.create(SimpleType.STRING, SimpleType.STRING))
        .addVar("attestations", MapType.create(SimpleType.STRING, SimpleType.STRING))
        .addCompilerLibraries(CelExtensions.strings(), CelExtensions.bindings())
        .addRuntimeLibraries(CelExtensions.strings())
        .addFunctionDeclarations(
            CelFunctionDecl.newFunctionDeclaration("verifyImageSignatures",
                CelOverloadDecl.newGlobalOverload("verifyImageSignatures_string_list", SimpleType.INT,
                    SimpleType.STRING, ListType.create(SimpleType.STRING))),
            CelFunctionDecl.newFunctionDeclaration("verifyAttestationSignatures",
                CelOverloadDecl.newGlobalOverload("verifyAttestationSignatures_string_string_list", SimpleType.INT,
                    SimpleType.STRING, SimpleType.STRING, ListType.create(SimpleType.STRING))),
            CelFunctionDecl.newFunctionDeclaration("extractPayload",
                CelOverloadDecl.newGlobalOverload("extractPayload_string_string", SimpleType.DYN,
                    SimpleType.STRING, SimpleType.STRING)),
            CelFunctionDecl.newFunctionDeclaration("time_now",
                CelOverloadDecl.newGlobalOverload("time_now", SimpleType.STRING, List.of())),
            CelFunctionDecl.newFunctionDeclaration("time_add",
                CelOverloadDecl.newGlobalOverload("time_add_string_string", SimpleType.STRING,
                    SimpleType.STRING, SimpleType.STRING)),
            CelFunctionDecl.newFunctionDeclaration("time_before",
                CelOverloadDecl.newGlobalOverload("time_before_string_string", SimpleType.BOOL,
                    SimpleType.STRING, SimpleType.STRING)),
            CelFunctionDecl.newFunctionDeclaration("time_after",
                CelOverloadDecl.newGlobalOverload("time_after_string_string", SimpleType.BOOL,
                    SimpleType.STRING, SimpleType.STRING)),
            CelFunctionDecl.newFunctionDeclaration("sum",
                CelOverloadDecl.newMemberOverload("list_int_sum", SimpleType.INT, ListType.create(SimpleType.INT))))
        .addFunctionBindings(
            CelFunctionBinding.from("verifyImageSignatures_string_list", String.class, List.class,
                (img, l) -> engine.imageSignatures(img, strings(l))),
            CelFunctionBinding.from("verifyAttestationSignatures_string_string_list",
                List.of(String.class, String.class, List.class),
                args -> engine.attestationSignatures((String) args[0], (String) args[1], strings((List<?>) args[2]))),
            CelFunctionBinding.from("extractPayload_string_string", String.class, String.class,
                (img, att) -> toCel(engine.payload(img, att))),
            CelFunctionBinding.from("time_now", List.of(), args -> rfc3339(this.now)),
            CelFunctionBinding.from("time_add_string_string", String.class, String.class,
                (ts, d) -> rfc3339(Instant.parse(ts).plus(goDuration(d)))),
            CelFunctionBinding.from("time_before_string_string", String.class, String.class,
                (a, b) -> Instant.parse(a).isBefore(Instant.parse(b))),
            CelFunctionBinding.from("time_after_string_string", String.class, String.class,
                (a, b) -> Instant.parse(a).isAfter(Instant.parse(b))),
            CelFunctionBinding.from("list_int_sum", List.class, l -> {
              long s = 0;
              for (Object o : l) {
                s += (Long) o;
              }
              return s;
            }))
        .build();
  }

  private static List<String> strings(List<?> l) {
    List<String> out = new ArrayList<>();
    l.forEach(o -> out.add((String) o));
    return out;
  }

  /** Go's time.RFC3339 layout, as Kyverno's time_now prints it. */
  static String rfc3339(Instant t) {
    return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t.atOffset(ZoneOffset.UTC).withNano(0)).replace("+00:00", "Z");
  }

  private static final Pattern GO_DURATION = Pattern.compile("(\\d+)(h|m|s)");

  /** The subset of Go's time.ParseDuration the export writes: whole hours, minutes, seconds. */
  static java.time.Duration goDuration(String d) {
    java.time.Duration out = java.time.Duration.ZERO;
    Matcher m = GO_DURATION.matcher(d);
    int end = 0;
    while (m.find() && m.start() == end) {
      long n = Long.parseLong(m.group(1));
      out = out.plus(switch (m.group(2)) {
        case "h" -> java.time.Duration.ofHours(n);
        case "m" -> java.time.Duration.ofMinutes(n);
        default -> java.time.Duration.ofSeconds(n);
      });
      end = m.end();
    }
    if (end != d.length() || d.isEmpty()) {
      throw new IllegalArgumentException("invalid duration " + d);
    }
    return out;
  }

  /** JSON as CEL sees a JSON-decoded payload: maps, lists, strings, int64 or double, bool, null. */
  static Object toCel(JsonNode n) {
    if (n.isObject()) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        m.put(e.getKey(), toCel(e.getValue()));
      }
      return m;
    }
    if (n.isArray()) {
      List<Object> l = new ArrayList<>();
      n.forEach(x -> l.add(toCel(x)));
      return l;
    }
    if (n.isTextual()) {
      return n.textValue();
    }
    if (n.isIntegralNumber()) {
      return n.longValue();
    }
    if (n.isNumber()) {
      return n.doubleValue();
    }
    if (n.isBoolean()) {
      return n.booleanValue();
    }
    return dev.cel.common.values.NullValue.NULL_VALUE;
  }

  /** Compiles {@code expression}; a type or syntax error fails with CEL's message. */
  public CelAbstractSyntaxTree compile(String expression) {
    try {
      CelAbstractSyntaxTree ast = cel.compile(expression).getAst();
      if (!ast.getResultType().equals(SimpleType.BOOL)) {
        throw new IllegalArgumentException("not a bool expression: " + ast.getResultType() + ": " + expression);
      }
      return ast;
    } catch (dev.cel.common.CelValidationException e) {
      throw new IllegalArgumentException(e.getMessage() + "\n" + expression, e);
    }
  }

  /**
   * Evaluates a validation for a Pod whose containers are {@code images}, with the export's
   * attestor and attestation names; an evaluation error fails.
   */
  public boolean eval(String expression, Map<String, List<String>> images, List<String> attestorNames,
      List<String> attestationNames) {
    CelAbstractSyntaxTree ast = compiled.computeIfAbsent(expression, this::compile);
    Map<String, Object> vars = new LinkedHashMap<>();
    vars.put("images", images);
    vars.put("attestors", names(attestorNames));
    vars.put("attestations", names(attestationNames));
    try {
      return (Boolean) cel.createProgram(ast).eval(vars);
    } catch (dev.cel.common.CelException e) {
      throw new IllegalStateException("CEL evaluation failed: " + e.getMessage() + "\n" + expression, e);
    }
  }

  private static Map<String, String> names(List<String> l) {
    Map<String, String> m = new LinkedHashMap<>();
    l.forEach(n -> m.put(n, n));
    return m;
  }

  /** Parses JSON bytes. */
  public static JsonNode json(byte[] bytes) {
    try {
      return JSON.readTree(bytes);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
