import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SequencedSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A script copied out of the collection, or started from its template, runs on its own. Each script says at its top
 * what to copy with it ({@code // To run it elsewhere, copy it with: gochan/Go.java ...}); that line must name exactly
 * the files jbang compiles with it: its //SOURCES, theirs, and so on (Healing -> Bridge -> OrDone -> Pipeline).
 * Then a few scripts are copied with what they name, and a script is made with {@code ./jbang init -t pattern@catalog},
 * each into a temporary folder outside the repository, and run there.
 *
 * <p>The runs use their own jbang cache (JBANG_DIR in a temporary folder), so every build starts from nothing and
 * cannot pick up a class compiled in the repository; jbang itself and the Maven repository (~/.m2) are the shared
 * ones, which keeps a run to seconds instead of the minute a fresh home costs.
 */
class StandaloneScriptTest {
    static final Path ROOT = TestSupport.repositoryRoot();

    /** How every script starts the line that says what to copy with it. */
    static final String COPY_LINE = "// To run it elsewhere, copy it with: ";

    /** Generous: a cold build with an empty jbang cache, on a loaded machine. */
    static final long RUN_BOUND_SECONDS = ScriptOutputTest.RUN_BOUND_SECONDS;

    @TempDir
    static Path jbangDir;

    /** Runs the repository's ./jbang in the folder, with its own jbang cache and these variables, bounded. */
    static ScriptOutputTest.Run jbang(Path folder, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        Map<String, String> withOwnCache = new HashMap<>(env);
        withOwnCache.put("JBANG_DIR", jbangDir.toString());
        return ScriptOutputTest.jbangIn(folder, withOwnCache, args);
    }

    /** A new empty folder outside the repository, so that nothing there can resolve against it. */
    static Path folderOutsideTheRepository() throws IOException {
        Path folder = Files.createTempDirectory("standalone").toRealPath();
        assertFalse(folder.startsWith(ROOT.toRealPath()), folder + " is inside the repository");
        return folder;
    }

    /** The paths a file's //SOURCES lines name, relative to the file's folder, in order. */
    static List<Path> sources(Path file) throws IOException {
        return Files.readAllLines(file).stream()
                .filter(line -> line.startsWith("//SOURCES "))
                .map(line -> file.getParent().resolve(line.substring("//SOURCES ".length()).strip()).normalize())
                .toList();
    }

    /** Every file jbang compiles with the script: its //SOURCES and, in turn, theirs. */
    static Set<Path> transitiveSources(Path script) throws IOException {
        SequencedSet<Path> found = new LinkedHashSet<>();
        List<Path> toVisit = new ArrayList<>(sources(script));
        while (!toVisit.isEmpty()) {
            Path next = toVisit.removeFirst();
            if (!next.equals(script) && found.add(next)) {
                toVisit.addAll(sources(next));
            }
        }
        return found;
    }

    /** The files a script's copy line names, relative to its folder; fails unless it has exactly one such line. */
    static List<String> copyLine(Path script) throws IOException {
        List<String> lines = Files.readAllLines(script).stream().filter(line -> line.startsWith(COPY_LINE)).toList();
        assertEquals(1, lines.size(), script + " needs one line starting \"" + COPY_LINE + "\"");
        return List.of(lines.get(0).substring(COPY_LINE.length()).strip().split(" +"));
    }

    static Set<String> relative(Path folder, Set<Path> files) {
        Set<String> names = new TreeSet<>();
        files.forEach(file -> names.add(folder.relativize(file).toString()));
        return names;
    }

    static List<Path> scripts() throws IOException {
        try (Stream<Path> files = Files.list(ROOT.resolve("scripts"))) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyScriptNamesWhatToCopyWithIt() throws IOException {
        return scripts().stream().map(script -> dynamicTest(script.getFileName().toString(), () -> {
            List<String> named = copyLine(script);
            assertEquals(named.size(), new TreeSet<>(named).size(), script + " names a file twice: " + named);
            assertEquals(relative(script.getParent(), transitiveSources(script)), new TreeSet<>(named),
                    script.getFileName() + ": its copy line must name every file its //SOURCES pull in, transitively");
        }));
    }

    @Test
    void theTemplateBringsWhatItsScriptNames() throws IOException {
        Path template = ROOT.resolve("templates/pattern.java.qute");
        JsonObject fileRefs = JsonParser.parseString(Files.readString(ROOT.resolve("catalog.json"))).getAsJsonObject()
                .getAsJsonObject("templates").getAsJsonObject("pattern").getAsJsonObject("file-refs");
        Set<String> copied = new TreeSet<>(fileRefs.keySet());
        assertTrue(copied.remove("{basename}.java"), "the template's own file-ref: " + copied);
        assertEquals(new TreeSet<>(copyLine(template)), copied, "catalog.json's file-refs of the template");
        for (String file : copied) {
            Path original = ROOT.resolve(fileRefs.get(file).getAsString());
            assertEquals(ROOT.resolve("scripts").resolve(file), original, "a file-ref copies the collection's " + file);
            // What the copied helper files pull in must be copied too.
            assertTrue(copied.containsAll(relative(ROOT.resolve("scripts"), transitiveSources(original))), file);
        }
        // The template's //SOURCES, as the new script will read them in its folder.
        assertEquals(copied, relative(template.getParent(), new LinkedHashSet<>(sources(template))),
                "the template's //SOURCES");
    }

    // Four ./jbang runs, each bounded by RUN_BOUND_SECONDS: more than the suite's default 120 s when the machine is
    // busy, since jbang itself runs one at a time (the wrapper's lock) and this one starts with an empty cache.
    @Test
    @Timeout(value = 4 * RUN_BOUND_SECONDS, unit = TimeUnit.SECONDS)
    void aScriptMadeFromTheTemplateRunsOutsideTheRepository() throws Exception {
        Path folder = folderOutsideTheRepository();
        // given: the catalog resolves from the repository root, the new script lands in the other folder
        ScriptOutputTest.Run init =
                jbang(ROOT, Map.of(), "init", "-t", "pattern@catalog", folder.resolve("MyStage.java").toString());
        assertEquals(0, init.status(), init.describe());
        assertEquals(Set.of("MyStage.java", "gochan/Go.java", "gochan/Script.java"),
                relative(folder, filesUnder(folder)));
        String source = Files.readString(folder.resolve("MyStage.java"));
        assertFalse(source.contains("{baseName}"), "a placeholder left in the new script");
        assertTrue(source.contains("public class MyStage implements"), source);

        // when: it runs there, with its defaults, with an option, and with a bad value
        ScriptOutputTest.Run defaults = jbang(folder, Map.of(), "MyStage.java");
        ScriptOutputTest.Run three = jbang(folder, Map.of(), "MyStage.java", "--count", "3");
        ScriptOutputTest.Run bad = jbang(folder, Map.of(), "MyStage.java", "--count", "-1");

        // then: it prints its documented output, obeys its option and rejects a bad value in one line
        assertEquals(0, defaults.status(), defaults.describe());
        ExpectedOutput expected = ExpectedOutput.of(folder.resolve("MyStage.java"));
        assertNull(expected.mismatch(defaults.out()), () -> expected.mismatch(defaults.out()));
        assertEquals(0, three.status(), three.describe());
        assertEquals(List.of("1", "4", "9"), three.out());
        assertEquals(2, bad.status(), bad.describe());
        assertEquals(1, bad.err().stream().filter(line -> !line.startsWith("[jbang] ")).count(), bad.describe());
    }

    @TestFactory
    Stream<DynamicTest> aCopiedScriptRunsOutsideTheRepository() {
        // Tee pulls in two scripts; Healing four, one of them only through another (Bridge -> OrDone -> Pipeline).
        return Stream.of("Tee.java", "Healing.java").map(name -> dynamicTest(name, () -> {
            Path script = ROOT.resolve("scripts").resolve(name);
            Path folder = folderOutsideTheRepository();
            // given: the script and exactly what its copy line names, nothing else
            Files.copy(script, folder.resolve(name));
            for (String file : copyLine(script)) {
                Files.createDirectories(folder.resolve(file).getParent());
                Files.copy(ROOT.resolve("scripts").resolve(file), folder.resolve(file));
            }
            // when
            // as ScriptOutputTest runs it
            ScriptOutputTest.Run run = jbang(folder, Map.of("GOCHAN_TIME", "virtual"), name);
            // then: what it prints in the repository
            assertEquals(0, run.status(), run.describe());
            ExpectedOutput expected = ExpectedOutput.of(script);
            assertNull(expected.mismatch(run.out()), () -> name + ": " + expected.mismatch(run.out()));
        }));
    }

    static Set<Path> filesUnder(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            return new TreeSet<>(files.filter(Files::isRegularFile).toList());
        }
    }
}
