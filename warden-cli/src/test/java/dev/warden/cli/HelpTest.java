package dev.warden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The help every command shows: the one-line summaries in a command list must not stop
 * mid-sentence.
 */
class HelpTest {
  @Test
  void everyCommandSummaryIsACompleteSentence() {
    List<String> problems = new ArrayList<>();
    walk(Main.commandLine(new CliEnvironment(Map.of(), Path.of("/nonexistent"))), problems);
    assertThat(problems).isEmpty();
  }

  /** picocli lists a subcommand by the first line of its header, else of its description. */
  private static void walk(CommandLine cl, List<String> problems) {
    CommandLine.Model.UsageMessageSpec u = cl.getCommandSpec().usageMessage();
    String[] lines = u.header().length > 0 ? u.header() : u.description();
    String name = cl.getCommandSpec().qualifiedName();
    if (lines.length == 0 || lines[0].isBlank()) {
      problems.add(name + ": no summary");
    } else {
      String summary = lines[0].strip();
      if (!summary.endsWith(".")) {
        problems.add(name + ": summary does not end a sentence: '" + summary + "'");
      }
      if (!Character.isUpperCase(summary.charAt(0))) {
        problems.add(name + ": summary does not start a sentence: '" + summary + "'");
      }
      if (lines.length > 1
          && !lines[1].isBlank()
          && Character.isLowerCase(lines[1].strip().charAt(0))) {
        problems.add(name + ": summary continues on the next line: '" + lines[1].strip() + "'");
      }
    }
    for (CommandLine sub : cl.getSubcommands().values()) {
      if (sub.getParent() == cl) {
        walk(sub, problems);
      }
    }
  }
}
