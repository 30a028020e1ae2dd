package dev.warden.core.policy;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.warden.core.error.ValidationException;

/**
 * CEL conditions of access policies. A condition is type-checked and compiled once, when the
 * policy is stored or loaded; evaluation runs the compiled program and never parses. Variables:
 * {@code workload}, {@code resource} and {@code request} (maps; see docs/policies.md).
 */
public final class Conditions {
  /** Bound on expression size, so a policy cannot make evaluation slow by sheer length. */
  public static final int MAX_LENGTH = 4096;

  private static final Cel CEL = CelFactory.standardCelBuilder()
      .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
      .setOptions(CelOptions.current()
          .comprehensionMaxIterations(10_000)
          .maxParseRecursionDepth(64)
          .enableTimestampEpoch(true)
          .enableHeterogeneousNumericComparisons(true)
          .build())
      .addVar("workload", MapType.create(SimpleType.STRING, SimpleType.DYN))
      .addVar("resource", MapType.create(SimpleType.STRING, SimpleType.DYN))
      .addVar("request", MapType.create(SimpleType.STRING, SimpleType.DYN))
      .setResultType(SimpleType.BOOL)
      .build();

  private Conditions() {}

  /**
   * Type-checks and compiles a condition.
   *
   * @throws ValidationException with the CEL error and position when the expression is invalid
   */
  public static CelRuntime.Program compile(String expression) {
    if (expression.length() > MAX_LENGTH) {
      throw new ValidationException("spec.condition", "must be at most " + MAX_LENGTH + " characters");
    }
    try {
      CelAbstractSyntaxTree ast = CEL.compile(expression).getAst();
      return CEL.createProgram(ast);
    } catch (CelValidationException e) {
      throw new ValidationException("spec.condition", "invalid CEL: " + e.getMessage().replace('\n', ' '));
    } catch (CelEvaluationException e) {
      throw new ValidationException("spec.condition", "cannot build CEL program: " + e.getMessage());
    } catch (RuntimeException e) {
      throw new ValidationException("spec.condition", "invalid CEL: " + e.getClass().getSimpleName());
    }
  }

  /** Checks a condition without keeping the program. */
  public static void check(String expression) {
    compile(expression);
  }
}
