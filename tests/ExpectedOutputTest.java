import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checker of the scripts' documented output must itself be able to say no. */
class ExpectedOutputTest {

    @Test
    void literalLinesMatchOnlyThemselves() {
        assertTrue(ExpectedOutput.matches("Primes:", "Primes:"));
        assertFalse(ExpectedOutput.matches("Primes:", "Primes: "));
        assertFalse(ExpectedOutput.matches("a.c", "abc")); // literal text is not a regex
    }

    @Test
    void holesMatchWhatTheyName() {
        assertTrue(ExpectedOutput.matches("Spinning up {int} prime finders.", "Spinning up 12 prime finders."));
        assertFalse(ExpectedOutput.matches("Spinning up {int} prime finders.", "Spinning up two prime finders."));
        assertTrue(ExpectedOutput.matches("took {duration}", "took 812ms"));
        assertTrue(ExpectedOutput.matches("took {duration}", "took 1.5s"));
        assertFalse(ExpectedOutput.matches("took {duration}", "took 1.5"));
        assertTrue(ExpectedOutput.matches("speed-up {number}x", "speed-up 1.9x"));
        assertTrue(ExpectedOutput.matches("{any} end", "whatever it was end"));
    }

    @Test
    void primeHolesRejectComposites() {
        assertTrue(ExpectedOutput.matches("  {prime}", "  7919"));
        assertFalse(ExpectedOutput.matches("  {prime}", "  7917"));
        assertFalse(ExpectedOutput.matches("  {prime}", "  1"));
    }

    @Test
    void orderedOutputNeedsTheSameOrderAndCount() {
        var expected = new ExpectedOutput(List.of("a", "{int}"), false);
        assertNull(expected.mismatch(List.of("a", "3")));
        assertNotNull(expected.mismatch(List.of("3", "a")));
        assertNotNull(expected.mismatch(List.of("a", "3", "4")));
    }

    @Test
    void unorderedOutputMatchesEachTemplateOnce() {
        var expected = new ExpectedOutput(List.of("x {int}", "y"), true);
        assertNull(expected.mismatch(List.of("y", "x 1")));
        assertNotNull(expected.mismatch(List.of("x 1", "x 2")));
    }

    @Test
    void readsTheBlockAtTheEndOfAScript() throws Exception {
        Path script = Files.createTempFile("Example", ".java");
        Files.writeString(script, "class Example {}\n\n// Output:\n// hello\n//\n// {int} done\n");
        var expected = ExpectedOutput.of(script);
        assertEquals(List.of("hello", "", "{int} done"), expected.lines());
        assertFalse(expected.unordered());
        Files.delete(script);
    }
}
