package dev.warden.core.policy;

import com.google.common.collect.ImmutableCollection;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.CelType;
import dev.cel.common.types.CelTypeProvider;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.warden.core.error.ValidationException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CEL conditions of access policies. A condition is type-checked and compiled once, when the policy
 * is stored or loaded; evaluation runs the compiled program and never parses.
 *
 * <p>Design note: the three variables {@code workload}, {@code resource} and {@code request} are
 * declared to the checker as struct types with typed fields, so a misspelt field ({@code
 * request.sourceAdress}) or a condition that does not yield a bool is refused when the policy is
 * applied, not at request time. At run time the activation still holds plain maps, which CEL
 * selects from like structs. Only {@code request.claims} is dynamic: it holds whatever the verified
 * evidence carried. The field tables here must match what {@link PolicySnapshot} puts into the
 * activation (docs/policies.md lists them).
 */
public final class Conditions {
  /** Bound on expression size, so a policy cannot make evaluation slow by sheer length. */
  public static final int MAX_LENGTH = 4096;

  private static final CelType STRINGS = ListType.create(SimpleType.STRING);

  /**
   * A party of a delegation: {@code id}, {@code selectors}, {@code registered} (see {@link
   * Delegation.Party}).
   */
  private static final CelType PARTY = MapType.create(SimpleType.STRING, SimpleType.DYN);

  /**
   * {@code request.mcp}: the MCP message of a request through the MCP gateway (see {@link
   * McpRequest}).
   */
  static final Map<String, CelType> MCP_FIELDS =
      ordered(
          "method",
          SimpleType.STRING,
          "tool",
          SimpleType.STRING,
          "name",
          SimpleType.STRING,
          "arguments",
          MapType.create(SimpleType.STRING, SimpleType.DYN));

  private static final StructType MCP =
      StructType.create(
          "warden.mcp",
          ImmutableSet.copyOf(MCP_FIELDS.keySet()),
          f -> Optional.ofNullable(MCP_FIELDS.get(f)));

  /** Field name to type, per variable, in documentation order. */
  static final Map<String, Map<String, CelType>> VARIABLES =
      Map.of(
          "workload",
              ordered(
                  "spiffeId",
                  SimpleType.STRING,
                  "trustDomain",
                  SimpleType.STRING,
                  "path",
                  SimpleType.STRING,
                  "owner",
                  SimpleType.STRING,
                  "team",
                  SimpleType.STRING,
                  "environment",
                  SimpleType.STRING,
                  "selectors",
                  STRINGS),
          "resource",
              ordered(
                  "name",
                  SimpleType.STRING,
                  "audience",
                  SimpleType.STRING,
                  "kind",
                  SimpleType.STRING,
                  "sensitivity",
                  SimpleType.STRING),
          "request",
              ordered(
                  "time",
                  SimpleType.TIMESTAMP,
                  "sourceAddress",
                  SimpleType.STRING,
                  "claims",
                  MapType.create(SimpleType.STRING, SimpleType.DYN),
                  "scopes",
                  STRINGS,
                  "delegationChain",
                  STRINGS,
                  "subject",
                  PARTY,
                  "actor_chain",
                  ListType.create(PARTY),
                  "delegation_depth",
                  SimpleType.INT,
                  "txn",
                  SimpleType.STRING,
                  "mcp",
                  MCP));

  private static final Pattern UNDEFINED_FIELD = Pattern.compile("undefined field '([^']*)'");

  private static final Cel CEL = build();

  private Conditions() {}

  private static Map<String, CelType> ordered(Object... nameTypePairs) {
    Map<String, CelType> m = new LinkedHashMap<>();
    for (int i = 0; i < nameTypePairs.length; i += 2) {
      m.put((String) nameTypePairs[i], (CelType) nameTypePairs[i + 1]);
    }
    return java.util.Collections.unmodifiableMap(m);
  }

  private static Cel build() {
    Map<String, StructType> structs = new LinkedHashMap<>();
    // CEL's resolvers are @Immutable: they must hold immutable collections, not views (Error Prone
    // checks it)
    VARIABLES.forEach(
        (var, fields) -> {
          ImmutableMap<String, CelType> byName = ImmutableMap.copyOf(fields);
          structs.put(
              var,
              StructType.create(
                  "warden." + var, byName.keySet(), f -> Optional.ofNullable(byName.get(f))));
        });
    ImmutableList<StructType> all =
        ImmutableList.<StructType>builder().addAll(structs.values()).add(MCP).build();
    CelTypeProvider types =
        new CelTypeProvider() {
          @Override
          public ImmutableCollection<CelType> types() {
            return ImmutableList.copyOf(all);
          }

          @Override
          public Optional<CelType> findType(String name) {
            return all.stream()
                .filter(s -> s.name().equals(name))
                .map(s -> (CelType) s)
                .findFirst();
          }
        };
    var b =
        CelFactory.standardCelBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .setOptions(
                CelOptions.current()
                    .comprehensionMaxIterations(10_000)
                    .maxParseRecursionDepth(64)
                    .enableTimestampEpoch(true)
                    .enableHeterogeneousNumericComparisons(true)
                    .build())
            .setTypeProvider(types)
            .setResultType(SimpleType.BOOL);
    structs.forEach(b::addVar);
    return b.build();
  }

  /**
   * Type-checks and compiles a condition.
   *
   * @throws ValidationException on {@code spec.condition} with the CEL error and its position, and
   *     for an unknown field the fields that variable has
   */
  public static CelRuntime.Program compile(String expression) {
    if (expression.length() > MAX_LENGTH) {
      throw new ValidationException(
          "spec.condition", "must be at most " + MAX_LENGTH + " characters");
    }
    try {
      CelAbstractSyntaxTree ast = CEL.compile(expression).getAst();
      return CEL.createProgram(ast);
    } catch (CelValidationException e) {
      throw new ValidationException(
          "spec.condition",
          "invalid CEL: " + e.getMessage().replace('\n', ' ') + hint(expression, e.getMessage()));
    } catch (CelEvaluationException e) {
      throw new ValidationException(
          "spec.condition", "cannot build CEL program: " + e.getMessage());
    } catch (RuntimeException e) {
      throw new ValidationException(
          "spec.condition", "invalid CEL: " + e.getClass().getSimpleName());
    }
  }

  /**
   * For an unknown field, the fields that variable really has; for a wrong result type, what is
   * needed.
   */
  private static String hint(String expression, String message) {
    String msg = message == null ? "" : message;
    Matcher m = UNDEFINED_FIELD.matcher(msg);
    if (m.find()) {
      String var = variableBefore(expression, msg);
      if (var != null) {
        return ". " + var + " has: " + String.join(", ", VARIABLES.get(var).keySet());
      }
      StringBuilder sb = new StringBuilder(". Fields: ");
      VARIABLES.forEach(
          (v, f) ->
              sb.append(v).append(" has ").append(String.join(", ", f.keySet())).append("; "));
      return sb.substring(0, sb.length() - 2);
    }
    if (msg.contains("expected type 'bool'")) {
      return ". A condition must evaluate to a bool, e.g. request.sourceAddress.startsWith(\"10.\")";
    }
    return "";
  }

  private static final Pattern POSITION = Pattern.compile("<input>:(\\d+):(\\d+)");

  /**
   * The variable selected from at the error's position ({@code request} in {@code
   * request.sourceAdress}).
   */
  private static String variableBefore(String expression, String message) {
    Matcher p = POSITION.matcher(message);
    if (!p.find()) {
      return null;
    }
    int line = Integer.parseInt(p.group(1));
    int col = Integer.parseInt(p.group(2));
    String[] lines = expression.split("\n", -1);
    if (line < 1 || line > lines.length || col < 1 || col > lines[line - 1].length() + 1) {
      return null;
    }
    Matcher id =
        Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\s*$")
            .matcher(lines[line - 1].substring(0, col - 1));
    return id.find() && VARIABLES.containsKey(id.group(1)) ? id.group(1) : null;
  }

  /** Checks a condition without keeping the program. */
  public static void check(String expression) {
    compile(expression);
  }
}
