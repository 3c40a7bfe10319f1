import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The runner compiles only the files its //SOURCES lines name, so a test file left out of that list would never run
 * and nobody would notice. This guard fails instead.
 */
class SuiteCompletenessTest {

    @Test
    void everyFileInTestsIsCompiledIntoTheRun() throws IOException {
        List<String> missing;
        try (Stream<Path> files = Files.list(TestSupport.repositoryRoot().resolve("tests"))) {
            missing = files.map(f -> f.getFileName().toString())
                    .filter(name -> name.endsWith(".java"))
                    .map(name -> name.substring(0, name.length() - ".java".length()))
                    .filter(name -> !isCompiledIn(name))
                    .sorted()
                    .toList();
        }
        assertEquals(List.of(), missing, "add these to the //SOURCES lines of tests/RunTests.java");
    }

    @Test
    void theGuardCanSeeAMissingClass() {
        assertTrue(isCompiledIn("SuiteCompletenessTest"));
        assertTrue(!isCompiledIn("NoSuchTestAnywhere"));
    }

    private static boolean isCompiledIn(String className) {
        try {
            Class.forName(className, false, SuiteCompletenessTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
