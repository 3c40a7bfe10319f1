import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every catalog alias the way a user does ({@code ./jbang ALIAS@catalog}) and holds it to what its script
 * documents: default options exit 0 and print the script's "// Output:" block; a bad option gets one line on
 * standard error and exit status 2; {@code --help} prints the usage. So demos and their documented output cannot drift.
 *
 * <p>The documented output is checked with {@code GOCHAN_TIME=virtual}: Script.run then runs the command in a bubble,
 * on virtual time, so its waits take no time and the durations it prints are exact, whatever the load on the
 * machine. A script whose output cannot come from virtual time starts with Script.runInRealTime, which ignores the
 * variable, and keeps holes such as {@code {duration}} in its block.
 */
class ScriptOutputTest {
    /** Generous: a cold run compiles the script and may fetch its dependencies. */
    static final long RUN_BOUND_SECONDS = 180;

    static final Path ROOT = TestSupport.repositoryRoot();

    /** The environment that runs a script's command on virtual time (see Script.run). */
    static final Map<String, String> VIRTUAL_TIME = Map.of("GOCHAN_TIME", "virtual");

    record Run(int status, List<String> out, List<String> err) {
        String describe() {
            return "exit status " + status + "\n--- stdout\n" + String.join("\n", out)
                    + "\n--- stderr\n" + String.join("\n", err);
        }
    }

    /** Runs ./jbang with the arguments from the repository root, with a bound, capturing both streams. */
    static Run jbang(String... args) throws IOException, InterruptedException {
        return jbang(Map.of(), args);
    }

    /** Runs ./jbang as above, with these variables added to the child process's environment. */
    static Run jbang(Map<String, String> env, String... args) throws IOException, InterruptedException {
        return jbangIn(ROOT, env, args);
    }

    /** Runs the repository's ./jbang in the folder, with these variables added, bounded, capturing both streams. */
    static Run jbangIn(Path folder, Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("jbang").toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("script", ".out");
        Path err = Files.createTempFile("script", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(folder.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().putAll(env);
            Process process = builder.start();
            if (!process.waitFor(RUN_BOUND_SECONDS, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                fail(String.join(" ", command) + " did not finish within " + RUN_BOUND_SECONDS + " s\n--- stdout\n"
                        + Files.readString(out) + "\n--- stderr\n" + Files.readString(err));
            }
            return new Run(process.exitValue(), Files.readAllLines(out), Files.readAllLines(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** The "aliases" object of catalog.json: alias -> {script-ref, description}. */
    static JsonObject catalogAliases() throws IOException {
        JsonObject catalog = JsonParser.parseString(Files.readString(ROOT.resolve("catalog.json"))).getAsJsonObject();
        return catalog.getAsJsonObject("aliases");
    }

    /** alias -> script path, from catalog.json. */
    static Map<String, Path> aliases() throws IOException {
        Map<String, Path> aliases = new TreeMap<>();
        for (var alias : catalogAliases().entrySet()) {
            JsonObject entry = alias.getValue().getAsJsonObject();
            aliases.put(alias.getKey(), ROOT.resolve(entry.get("script-ref").getAsString()));
        }
        return aliases;
    }

    @Test
    void everyScriptHasAnAliasWithAUsageExample() throws IOException {
        List<Path> scripts;
        try (Stream<Path> files = Files.list(ROOT.resolve("scripts"))) {
            scripts = files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        }
        assertFalse(scripts.isEmpty());
        Map<String, Path> aliases = aliases();
        for (Path script : scripts) {
            assertTrue(aliases.containsValue(script), script + " has no alias in catalog.json");
        }
        for (var alias : catalogAliases().entrySet()) {
            String description = alias.getValue().getAsJsonObject().get("description").getAsString();
            assertTrue(description.contains("jbang " + alias.getKey()),
                    "the description of " + alias.getKey() + " shows no usage example: " + description);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyAliasPrintsItsDocumentedOutput() throws IOException {
        return aliases().entrySet().stream().map(alias -> dynamicTest(alias.getKey(), () -> {
            ExpectedOutput expected = ExpectedOutput.of(alias.getValue());
            Run run = jbang(VIRTUAL_TIME, alias.getKey() + "@catalog");
            assertEquals(0, run.status(), run.describe());
            assertNull(expected.mismatch(run.out()), () -> alias.getKey() + ": " + expected.mismatch(run.out()));
        }));
    }

    /**
     * A line jbang prints while it builds the script, not the script's own: jbang's "[jbang] ..." lines, and javac's
     * notes when the script was changed since its last build ("Note: ... uses preview features of Java SE 25.").
     */
    static boolean isBuildOutput(String line) {
        return line.startsWith("[jbang] ") || line.startsWith("Note: ");
    }

    @TestFactory
    Stream<DynamicTest> everyAliasRejectsABadOptionInOneLine() throws IOException {
        return aliases().keySet().stream().map(alias -> dynamicTest(alias, () -> {
            Run run = jbang(alias + "@catalog", "--no-such-option");
            List<String> complaint = run.err().stream().filter(line -> !isBuildOutput(line)).toList();
            assertEquals(2, run.status(), run.describe());
            assertEquals(1, complaint.size(), run.describe());
            assertTrue(complaint.get(0).contains("--no-such-option"), run.describe());
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyAliasExplainsItselfWithHelp() throws IOException {
        return aliases().keySet().stream().map(alias -> dynamicTest(alias, () -> {
            Run run = jbang(alias + "@catalog", "--help");
            assertEquals(0, run.status(), run.describe());
            assertTrue(run.out().get(0).startsWith("Usage: " + alias), run.describe());
        }));
    }
}
