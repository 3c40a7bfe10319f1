import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
    void aGroupMayComeInAnyOrderWhereItStands() {
        var expected = new ExpectedOutput(List.of("first", "{any order}", "a {int}", "b", "{end any order}", "last"),
                false);
        assertNull(expected.mismatch(List.of("first", "a 1", "b", "last")));
        assertNull(expected.mismatch(List.of("first", "b", "a 2", "last")));
    }

    @Test
    void linesOutsideAGroupKeepTheirOrder() {
        var expected = new ExpectedOutput(List.of("first", "{any order}", "a", "b", "{end any order}", "last"), false);
        assertNotNull(expected.mismatch(List.of("last", "a", "b", "first")));
        assertNotNull(expected.mismatch(List.of("a", "first", "b", "last"))); // a group line moved out of its place
        assertNotNull(expected.mismatch(List.of("first", "a", "a", "last"))); // each template once
        assertNotNull(expected.mismatch(List.of("first", "a", "b", "{end any order}", "last"))); // markers are no output
    }

    @Test
    void groupMarkersMustPairUp() {
        assertThrows(IllegalArgumentException.class,
                () -> new ExpectedOutput(List.of("{any order}", "a"), false));
        assertThrows(IllegalArgumentException.class,
                () -> new ExpectedOutput(List.of("a", "{end any order}"), false));
        assertThrows(IllegalArgumentException.class,
                () -> new ExpectedOutput(List.of("{any order}", "{any order}", "a", "{end any order}"), false));
        assertThrows(IllegalArgumentException.class,
                () -> new ExpectedOutput(List.of("{any order}", "a", "{end any order}"), true));
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

    @Test
    void readsAGroupFromAScript() throws Exception {
        Path script = Files.createTempFile("Example", ".java");
        Files.writeString(script, "class Example {}\n\n// Output:\n// {any order}\n// b\n// a\n// {end any order}\n");
        var expected = ExpectedOutput.of(script);
        assertNull(expected.mismatch(List.of("a", "b")));
        Files.writeString(script, "class Example {}\n\n// Output:\n// {any order}\n// a\n");
        var unclosed = assertThrows(IllegalArgumentException.class, () -> ExpectedOutput.of(script));
        assertTrue(unclosed.getMessage().contains(script.toString()), unclosed.getMessage());
        Files.delete(script);
    }
}
