import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ./jbang wrapper as a fresh machine sees it: an empty HOME (sharing only the jbang jars the suite's own run
 * fetched, so that nothing is downloaded) and a small project of its own in a temporary folder: an alias whose script
 * pulls in a second file through //SOURCES, which pulls in a third. GOPATTERNS_JBANG_TRACE=1 makes the wrapper say on
 * stderr whether a run came from its launch cache ("launch cache: hit") or asked jbang.
 *
 * <p>The launch cache must never run stale code: an edit to any file the script pulls in, to the script or to a
 * catalog shows up on the next run. Arguments reach the script as jbang passes them. Several first runs at once all
 * succeed. And the JDKs found in the usual folders are registered with jbang once, so that a script asking for a
 * newer Java than JAVA_HOME's runs.
 */
@PropertyDefaults(tries = 10)
class WrapperTest {
    static final Path ROOT = TestSupport.repositoryRoot();
    static final long RUN_BOUND_SECONDS = 120;

    static Path home;
    static Path project;
    static boolean warmedForArguments;

    record Run(int status, String out, String err) {
        boolean hit() {
            return err.contains("launch cache: hit");
        }

        String describe() {
            return "exit status " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    @BeforeAll
    @BeforeContainer
    static void freshHomeAndProject() throws IOException {
        if (home != null) {
            return; // (jqwik and Jupiter each call this once)
        }
        home = freshHome();
        project = Files.createTempDirectory("wrapper-project");
        write(project.resolve("jbang-catalog.json"), Files.readString(ROOT.resolve("jbang-catalog.json")));
        write(project.resolve("catalog.json"), catalog("[]"));
        write(project.resolve("scripts/Hello.java"), script("Hello", "Hello"));
        write(project.resolve("scripts/lib/Greeting.java"), """
                //SOURCES Punctuation.java
                class Greeting {
                    static String text(String greeting) { return greeting + ", world" + Punctuation.MARK; }
                }
                """);
        write(project.resolve("scripts/lib/Punctuation.java"), punctuation("!"));
    }

    @AfterAll
    @AfterContainer
    static void removeThem() throws IOException {
        if (home != null) {
            deleteTree(home);
            deleteTree(project);
            home = null;
            warmedForArguments = false;
        }
    }

    // ---- the launch cache: never stale ---------------------------------------------------------------

    @Test
    void anEditToAnyFileTheScriptReadsShowsOnTheNextRun() throws Exception {
        // given: a warm cache
        run(project, "hello@catalog");
        Run warm = run(project, "hello@catalog");
        assertEquals("Hello, world! []\n", warm.out(), warm.describe());
        assertTrue(warm.hit(), "the second run should come from the launch cache\n" + warm.describe());

        // when/then: each edit, from the file furthest away to the catalogs, shows up at once, then is cached
        try {
            editOneFileAfterAnother();
        } finally { // (the other tests use the same project)
            write(project.resolve("scripts/lib/Punctuation.java"), punctuation("!"));
            write(project.resolve("scripts/Hello.java"), script("Hello", "Hello"));
            write(project.resolve("scripts/lib/Greeting.java"),
                    Files.readString(project.resolve("scripts/lib/Greeting.java")).replace("there", "world"));
            write(project.resolve("catalog.json"), catalog("[]"));
        }
        assertOutputTwice("Hello, world! []\n", "hello@catalog");
    }

    void editOneFileAfterAnother() throws Exception {
        write(project.resolve("scripts/lib/Punctuation.java"), punctuation("?"));   // //SOURCES of a //SOURCES
        assertOutputTwice("Hello, world? []\n", "hello@catalog");
        write(project.resolve("scripts/lib/Greeting.java"),
                Files.readString(project.resolve("scripts/lib/Greeting.java")).replace("world", "there"));
        assertOutputTwice("Hello, there? []\n", "hello@catalog");
        write(project.resolve("scripts/Hello.java"), script("Hello", "Hi"));        // the script
        assertOutputTwice("Hi, there? []\n", "hello@catalog");
        write(project.resolve("catalog.json"), catalog("[\"from-catalog\"]"));     // the alias's arguments
        assertOutputTwice("Hi, there? [from-catalog]\n", "hello@catalog");
        write(project.resolve("catalog.json"), catalog("[]"));
        assertOutputTwice("Hi, there? []\n", "hello@catalog");
        write(project.resolve("jbang-catalog.json"), Files.readString(project.resolve("jbang-catalog.json")) + "\n");
        assertOutputTwice("Hi, there? []\n", "hello@catalog");                      // the root catalog
    }

    @Test
    void eachFormOfTheScriptIsCached() throws Exception {
        for (String form : List.of("hello", "scripts/Hello.java", "--quiet hello@catalog")) {
            String[] args = form.split(" ");
            run(project, args);
            Run cached = run(project, args);
            assertEquals("Hello, world! []\n", cached.out(), cached.describe());
            assertTrue(cached.hit(), form + " should come from the launch cache\n" + cached.describe());
        }
    }

    @Test
    void aDeletedBuildIsRebuiltNotRun() throws Exception {
        // given: a warm cache
        run(project, "hello@catalog");
        assertTrue(run(project, "hello@catalog").hit());
        // when: jbang's compiled scripts are deleted
        deleteTree(home.resolve(".jbang/cache/jars"));
        // then: jbang builds the script again
        Run rebuilt = run(project, "hello@catalog");
        assertFalse(rebuilt.hit(), rebuilt.describe());
        assertEquals("Hello, world! []\n", rebuilt.out(), rebuilt.describe());
        assertTrue(run(project, "hello@catalog").hit());
    }

    @Test
    void aRebuildIsNeverCached() throws Exception {
        for (int i = 0; i < 2; i++) {
            Run run = run(project, "--fresh", "hello@catalog");
            assertEquals("Hello, world! []\n", run.out(), run.describe());
            assertFalse(run.hit(), run.describe());
        }
    }

    @Test
    void severalFirstRunsAtOnceAllSucceedAndTheNextIsCached() throws Exception {
        // given: a project whose script no run has seen (another folder: another key)
        Path copy = Files.createTempDirectory("wrapper-copy");
        try {
            copyTree(project, copy);
            // when: three first runs start together
            List<Process> runs = new ArrayList<>();
            List<Path> outputs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Path out = Files.createTempFile(copy, "run", ".out");
                outputs.add(out);
                runs.add(builder(copy, "hello@catalog", "together").redirectOutput(out.toFile())
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start());
            }
            // then: each prints the script's output, and the cache then holds a whole, working entry
            for (int i = 0; i < runs.size(); i++) {
                assertTrue(runs.get(i).waitFor(RUN_BOUND_SECONDS, TimeUnit.SECONDS), "a first run did not end");
                assertEquals(0, runs.get(i).exitValue());
                assertEquals("Hello, world! [together]\n", Files.readString(outputs.get(i)));
            }
            Run next = run(copy, "hello@catalog", "together");
            assertTrue(next.hit(), next.describe());
            assertEquals("Hello, world! [together]\n", next.out(), next.describe());
        } finally {
            deleteTree(copy);
        }
    }

    // ---- the launch cache: the script's arguments ------------------------------------------------------

    /**
     * A cached run passes the script's arguments as jbang does: verbatim, in order, with the empty ones dropped (the
     * command line jbang hands back loses them), whatever the quoting, spaces, newlines or shell syntax in them.
     */
    @Property
    void aCachedRunPassesTheArgumentsAsJbangDoes(@ForAll("arguments") List<String> arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("hello@catalog"));
        command.addAll(arguments);
        if (!warmedForArguments) { // (the entry does not depend on the arguments)
            run(project, "hello@catalog");
            warmedForArguments = true;
        }
        Run run = run(project, command.toArray(String[]::new));
        String expected = arguments.stream().filter(a -> !a.isEmpty()).map(a -> a.replace("\n", "\\n"))
                .collect(Collectors.joining("|", "Hello, world! [", "]\n"));
        assertEquals(expected, run.out(), run.describe());
        assertTrue(run.hit(), run.describe());
    }

    @Provide
    Arbitrary<List<String>> arguments() {
        // Never starting with @: jbang reads an @file argument's words from that file (the wrapper then asks jbang).
        Arbitrary<String> pieces = Arbitraries.of("", " ", "a", "b c", "'", "\"", "\\", "$(echo x)", "$HOME", "*", ";",
                "\n", "--help", "-", "--", "é€", "\t", "x@y", "-Dp=q", "{}", "!");
        return pieces.list().ofMinSize(1).ofMaxSize(3).map(parts -> String.join("", parts))
                .map(joined -> joined.startsWith("@") ? "x" + joined : joined)
                .list().ofMaxSize(6);
    }

    /** The same arguments with the launch cache off: what jbang itself passes. */
    @Test
    void jbangItselfPassesTheArgumentsTheSameWay() throws Exception {
        String[] command = {"hello@catalog", "", "a b", "", "it's", "$(echo x)", "c\nd", ""};
        Run viaJbang = run(project, Map.of("GOPATTERNS_LAUNCH_CACHE", "off"), command);
        assertFalse(viaJbang.hit(), viaJbang.describe());
        assertEquals("Hello, world! [a b|it's|$(echo x)|c\\nd]\n", viaJbang.out(), viaJbang.describe());
        run(project, command);
        Run cached = run(project, command);
        assertTrue(cached.hit(), cached.describe());
        assertEquals(viaJbang.out(), cached.out(), cached.describe());
    }

    // ---- JDK registration ------------------------------------------------------------------------------

    /**
     * JAVA_HOME points at a JDK that says it is 21 (a copy of this test's JDK made of links, with its release file
     * saying 21): a script that asks for this JDK's version (say //JAVA 25) runs all the same, because the wrapper
     * registered the JDK with jbang, once, even when two first runs start together.
     */
    @Test
    void aScriptAskingForANewerJavaThanJavaHomeRuns() throws Exception {
        Path javaHome = Path.of(System.getProperty("java.home"));
        int feature = Runtime.version().feature();
        assumeTrue(feature > 21 && javaHome.startsWith("/usr/lib/jvm"),
                "needs this test's JDK (newer than 21) in a folder the wrapper searches: " + javaHome);
        Path freshHome = freshHome();
        Path dir = Files.createTempDirectory("wrapper-jdk");
        try {
            // given: JAVA_HOME says 21, and a script asks for this JDK's version
            Path fake21 = dir.resolve("jdk-21");
            Files.createDirectories(fake21);
            try (Stream<Path> entries = Files.list(javaHome)) {
                for (Path entry : entries.toList()) {
                    if (!entry.getFileName().toString().equals("release")) {
                        Files.createSymbolicLink(fake21.resolve(entry.getFileName()), entry);
                    }
                }
            }
            write(fake21.resolve("release"), "JAVA_VERSION=\"21.0.99\"\n");
            write(dir.resolve("Newer.java"), "//JAVA " + feature + "\n"
                    + "class Newer { public static void main(String[] a) { System.out.println(Runtime.version().feature()); } }\n");
            Map<String, String> env = Map.of("HOME", freshHome.toString(), "JAVA_HOME", fake21.toString());

            // when: two first runs start together, then a third
            Process first = builder(dir, env, "Newer.java").redirectErrorStream(true).start();
            Process second = builder(dir, env, "Newer.java").redirectErrorStream(true).start();
            String out1 = new String(first.getInputStream().readAllBytes());
            String out2 = new String(second.getInputStream().readAllBytes());
            first.waitFor(RUN_BOUND_SECONDS, TimeUnit.SECONDS);
            second.waitFor(RUN_BOUND_SECONDS, TimeUnit.SECONDS);
            Path marker = freshHome.resolve(".cache/gopatterns-jbang/jdks-registered");
            long registeredAt = Files.getLastModifiedTime(marker).toMillis();
            Run third = run(dir, env, "jdk", "list");

            // then: both ran on this JDK, which jbang now lists; the third run registered nothing again
            assertEquals(0, first.exitValue(), out1);
            assertEquals(0, second.exitValue(), out2);
            assertTrue(out1.endsWith(feature + "\n"), out1);
            assertTrue(out2.endsWith(feature + "\n"), out2);
            assertEquals(javaHome.toRealPath(), freshHome.resolve(".jbang/cache/jdks/" + feature).toRealPath());
            assertTrue(third.out().contains(" " + feature + " ("), third.describe());
            assertEquals(registeredAt, Files.getLastModifiedTime(marker).toMillis(), "registered twice");
        } finally {
            deleteTree(dir);
            deleteTree(freshHome);
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------

    /** Runs the command twice: the first asks jbang (the inputs changed), the second comes from the launch cache. */
    static void assertOutputTwice(String expected, String... args) throws Exception {
        Run first = run(project, args);
        assertEquals(expected, first.out(), first.describe());
        assertFalse(first.hit(), "after an edit the launch cache must not be used\n" + first.describe());
        Run second = run(project, args);
        assertEquals(expected, second.out(), second.describe());
        assertTrue(second.hit(), "the run after should come from the launch cache\n" + second.describe());
    }

    static Run run(Path dir, String... args) throws Exception {
        return run(dir, Map.of(), args);
    }

    static Run run(Path dir, Map<String, String> env, String... args) throws Exception {
        Path out = Files.createTempFile("wrapper", ".out");
        Path err = Files.createTempFile("wrapper", ".err");
        try {
            Process process = builder(dir, env, args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(RUN_BOUND_SECONDS, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                fail("./jbang " + String.join(" ", args) + " did not end within " + RUN_BOUND_SECONDS + " s");
            }
            return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static ProcessBuilder builder(Path dir, String... args) {
        return builder(dir, Map.of(), args);
    }

    /** ./jbang in DIR, as on a fresh machine: the test's HOME, no jbang on PATH, no JAVA_HOME unless given. */
    static ProcessBuilder builder(Path dir, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("jbang").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(name -> name.startsWith("JBANG_") || name.startsWith("GOPATTERNS_")
                || name.equals("JAVA_HOME") || name.equals("XDG_CACHE_HOME"));
        Map<String, String> all = new HashMap<>(Map.of("HOME", home.toString(), "PATH", "/usr/local/bin:/usr/bin:/bin",
                "GOPATTERNS_JBANG_TRACE", "1"));
        all.putAll(env);
        environment.putAll(all);
        return builder;
    }

    /**
     * An empty HOME that shares jbang's jars (and the archive of their classes) with the run of this suite, through a
     * copy of the wrapper's class path file: nothing is downloaded. Skips the test if the suite ran on a real jbang.
     */
    static Path freshHome() throws IOException {
        String userHome = System.getenv("HOME");
        Path cacheRoot = System.getenv("GOPATTERNS_JBANG_CACHE") != null ? Path.of(System.getenv("GOPATTERNS_JBANG_CACHE"))
                : Path.of(System.getenv().getOrDefault("XDG_CACHE_HOME", userHome + "/.cache"), "gopatterns-jbang");
        String version = Files.readAllLines(ROOT.resolve("jbang")).stream().filter(l -> l.startsWith("JBANG_VERSION="))
                .findFirst().orElseThrow().substring("JBANG_VERSION=".length());
        Path classpath = cacheRoot.resolve(version).resolve("classpath");
        assumeTrue(Files.isRegularFile(classpath), "the wrapper fetched no jbang here (a real jbang ran the suite?)");
        Path fresh = Files.createTempDirectory("wrapper-home");
        Path cache = Files.createDirectories(fresh.resolve(".cache/gopatterns-jbang").resolve(version));
        try (Stream<Path> files = Files.list(classpath.getParent())) {
            for (Path file : files.filter(f -> f.getFileName().toString().matches("classpath|jbang-.*\\.jsa")).toList()) {
                Files.copy(file, cache.resolve(file.getFileName()));
            }
        }
        return fresh;
    }

    static String catalog(String arguments) {
        return """
                {"aliases": {"hello": {"script-ref": "scripts/Hello.java", "description": "Try: jbang hello",
                  "arguments": %s}}}
                """.formatted(arguments);
    }

    static String script(String className, String greeting) {
        return """
                //JAVA 21+
                //SOURCES lib/Greeting.java
                public class %s {
                    public static void main(String[] args) {
                        System.out.println(Greeting.text("%s") + " [" + String.join("|", args).replace("\\n", "\\\\n") + "]");
                    }
                }
                """.formatted(className, greeting);
    }

    static String punctuation(String mark) {
        return "class Punctuation { static final String MARK = \"" + mark + "\"; }\n";
    }

    static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> {
                try {
                    Files.delete(file);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
