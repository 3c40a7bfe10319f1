import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * Line numbers for tests of stack traces and goroutine dumps: a line of a test's own source that ends with the
 * comment {@code // line: NAME} is found by that name, so the expected numbers follow the file when it is edited.
 */
final class SourceLines {
    private SourceLines() {}

    /** The number (from 1) of the one line of tests/FILE that ends with "// line: NAME". */
    static int of(String file, String name) {
        List<String> lines;
        try {
            lines = Files.readAllLines(TestSupport.repositoryRoot().resolve("tests").resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Integer> found = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).stripTrailing().endsWith("// line: " + name)) {
                found.add(i + 1);
            }
        }
        assertEquals(1, found.size(), "lines of " + file + " marked \"// line: " + name + "\": " + found);
        return found.get(0);
    }
}
