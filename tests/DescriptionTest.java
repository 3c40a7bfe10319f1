import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Each pattern is described once, in its script's //DESCRIPTION line (what {@code jbang info} and the catalog show),
 * and the three copies the tools need are held to it: the picocli {@code @Command} description (what {@code --help}
 * prints), catalog.json's description (the same text, then " Try: jbang ALIAS@catalog ..."), and the README's row of
 * the alias (its fourth column, read without the backticks that mark code). Change the text in //DESCRIPTION, then
 * copy it where this test says.
 */
class DescriptionTest {
    static final Path ROOT = TestSupport.repositoryRoot();

    /** A Java string literal, and the "+" joining literals that a long one is split into. */
    static final Pattern LITERALS = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"(\\s*\\+\\s*\"(?:[^\"\\\\]|\\\\.)*\")*");

    /** The text of the one //DESCRIPTION line. */
    static String directive(String source) {
        List<String> lines = source.lines().filter(line -> line.startsWith("//DESCRIPTION ")).toList();
        assertEquals(1, lines.size(), "//DESCRIPTION lines");
        return lines.get(0).substring("//DESCRIPTION ".length()).strip();
    }

    /** The description of the class's @Command annotation, its literals joined and unescaped. */
    static String commandDescription(String source) {
        int start = source.indexOf("\n@Command(");
        int end = source.indexOf("\npublic class", start);
        assertTrue(start >= 0 && end > start, "no @Command annotation before the class");
        String annotation = source.substring(start, end);
        int description = annotation.indexOf("description = ");
        assertTrue(description >= 0, "@Command has no description");
        Matcher literals = LITERALS.matcher(annotation).region(description + "description = ".length(),
                annotation.length());
        assertTrue(literals.lookingAt(), "@Command's description is not a string literal");
        StringBuilder text = new StringBuilder();
        Matcher literal = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(literals.group());
        while (literal.find()) {
            text.append(literal.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
        }
        return text.toString();
    }

    /** The fourth cell of the README's table row for the alias, without backticks; null if there is no row. */
    static String readmeRow(List<String> readme, String alias) {
        for (String line : readme) {
            if (line.startsWith("| `" + alias + "` |")) {
                String[] cells = line.substring(1, line.length() - 1).split(" \\| ");
                assertTrue(cells.length >= 4, "the README's row of " + alias + ": " + line);
                return cells[3].strip().replace("`", "");
            }
        }
        return null;
    }

    @TestFactory
    Stream<DynamicTest> eachPatternIsDescribedOnceInItsScript() throws IOException {
        JsonObject aliases = ScriptOutputTest.catalogAliases();
        List<String> readme = Files.readAllLines(ROOT.resolve("README.md"));
        List<DynamicTest> tests = new ArrayList<>();
        for (var alias : aliases.entrySet()) {
            JsonObject entry = alias.getValue().getAsJsonObject();
            Path script = ROOT.resolve(entry.get("script-ref").getAsString());
            tests.add(dynamicTest(alias.getKey(), () -> {
                String source = Files.readString(script);
                String text = directive(source);
                assertEquals(text, commandDescription(source),
                        script.getFileName() + ": @Command's description must be the //DESCRIPTION text");
                String catalog = entry.get("description").getAsString();
                String usage = " Try: jbang " + alias.getKey() + "@catalog";
                assertEquals(text, catalog.substring(0, Math.max(0, catalog.indexOf(usage))),
                        "catalog.json's description of " + alias.getKey()
                                + " must be the //DESCRIPTION text, then \"" + usage + " ...\"");
                String row = readmeRow(readme, alias.getKey());
                assertNotNull(row, "README.md has no table row for `" + alias.getKey() + "`");
                assertEquals(text, row, "README.md, the fourth column of `" + alias.getKey() + "`'s row");
            }));
        }
        return tests.stream();
    }

    @Test
    void theTemplateDescribesItsScriptOnceToo() throws IOException {
        String source = Files.readString(ROOT.resolve("templates/pattern.java.qute")).replace("{baseName}", "MyStage");
        assertEquals(directive(source), commandDescription(source));
    }

    @Test
    void theParserReadsWhatJavaReads() {
        // given: a description split over three literals, with an escaped quote
        String source = """
                //DESCRIPTION Says "hi", twice.
                @Command(name = "x", mixinStandardHelpOptions = true,
                        description = "Says \\"hi\\", "
                                + "twice."
                                + "")
                public class X {}
                """;
        // then
        assertEquals("Says \"hi\", twice.", commandDescription(source));
        assertEquals("Says \"hi\", twice.", directive(source));
        assertEquals("b c", readmeRow(List.of("| `a` | x | y | b `c` | z |"), "a"));
    }
}
