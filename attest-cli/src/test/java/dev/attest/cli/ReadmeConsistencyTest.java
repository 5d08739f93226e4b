package dev.attest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The README repeats the module docs' examples, and those are compiled and run by each module's
 * README test. This keeps the README's copies identical to the checked ones.
 */
class ReadmeConsistencyTest {
  private static final Pattern CODE = Pattern.compile("```(java|yaml)\\n(.*?)```", Pattern.DOTALL);

  @ParameterizedTest
  @ValueSource(strings = {
      "attest-registry/CLIENT.md",
      "attest-registry/ATTEST.md",
      "attest-testing/EMBEDDED.md",
      "attest-verify/VERIFY.md",
      "attest-verify/KEYLESS.md",
      "attest-promote/PROMOTE.md"})
  void readmeCarriesTheCheckedSnippets(String moduleDoc) throws IOException {
    Path root = Path.of("..");
    String readme = Files.readString(root.resolve("README.md"), StandardCharsets.UTF_8);
    List<String> blocks = blocks(Files.readString(root.resolve(moduleDoc), StandardCharsets.UTF_8));
    assertThat(blocks).as("code blocks in " + moduleDoc).isNotEmpty();
    for (String block : blocks) {
      assertThat(readme).as("README.md must contain this block of " + moduleDoc).contains(block);
    }
  }

  private static List<String> blocks(String markdown) {
    List<String> out = new ArrayList<>();
    Matcher m = CODE.matcher(markdown);
    while (m.find()) {
      out.add(m.group(2));
    }
    return out;
  }
}
