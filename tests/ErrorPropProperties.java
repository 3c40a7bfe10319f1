import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.From;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Properties of ErrorProp: errors keep their whole chain of causes; wrapping at a module boundary adds exactly that
 * module's context and changes nothing below; the user sees only well-formed messages (or the short one for a bug);
 * the log gets the whole chain under the id the user sees. The job binaries are files in a temporary folder: a path
 * under a folder that does not exist (the file-not-found error, offline and reproducible), a file without its
 * execute bit, and shell scripts that exit with 0 to 3. Nothing here waits on time.
 */
@PropertyDefaults(tries = 100)
@AddLifecycleHook(TestSupport.NoLeaks.class)
class ErrorPropProperties {

    /** What the job binary is: the four ways runJob can end. */
    enum Kind { MISSING, NOT_EXECUTABLE, FAILS, RUNS }

    /** A job: its id, its kind, the file name of a MISSING binary, and the exit status (1 to 3) of one that FAILS. */
    record Job(String id, Kind kind, String missingName, int status) {}

    static Path dir;

    @BeforeContainer
    static void makeBinaries() throws IOException {
        dir = Files.createTempDirectory("errorprop");
        Path notExecutable = dir.resolve("not-executable");
        Files.writeString(notExecutable, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(notExecutable, PosixFilePermissions.fromString("rw-r--r--"));
        for (int status = 0; status <= 3; status++) {
            Path script = dir.resolve("exit" + status);
            Files.writeString(script, "#!/bin/sh\nexit " + status + "\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @AfterContainer
    static void removeBinaries() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    /** The job's binary. A missing one is under a folder that does not exist, so no name can make it exist. */
    static Path binary(Job job) {
        return switch (job.kind()) {
            case MISSING -> dir.resolve("no-such-folder").resolve(job.missingName());
            case NOT_EXECUTABLE -> dir.resolve("not-executable");
            case FAILS -> dir.resolve("exit" + job.status());
            case RUNS -> dir.resolve("exit0");
        };
    }

    /** Job ids and file names with the characters that could trip a format string, and spaces. */
    static Arbitrary<String> nameArbitrary() {
        return Arbitraries.strings().alpha().numeric().withChars('%', ' ', '-', '_', '.')
                .ofMinLength(1).ofMaxLength(10);
    }

    /** Mostly jobs that fail before they run (no process to start, so a try takes microseconds). */
    @Provide
    Arbitrary<Job> jobs() {
        Arbitrary<Kind> kinds = Arbitraries.frequency(Tuple.of(4, Kind.MISSING), Tuple.of(3, Kind.NOT_EXECUTABLE),
                Tuple.of(2, Kind.FAILS), Tuple.of(1, Kind.RUNS));
        Arbitrary<Integer> statuses = Arbitraries.integers().between(1, 3);
        return Combinators.combine(nameArbitrary(), kinds, nameArbitrary(), statuses).as(Job::new);
    }

    /** The error runJob (or, if unwrapped, the book's first runJob) ends with; null if the job ran. */
    static Exception run(Job job, boolean unwrapped) {
        try {
            if (unwrapped) {
                ErrorProp.runJobUnwrapped(job.id(), binary(job));
            } else {
                ErrorProp.runJob(job.id(), binary(job));
            }
            return null;
        } catch (Exception err) {
            return err;
        }
    }

    /** The chain of causes, from the error itself down. */
    static List<Throwable> causes(Throwable err) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable e = err; e != null; e = e.getCause()) {
            chain.add(e);
        }
        return chain;
    }

    static List<Class<?>> classes(List<Throwable> chain) {
        return chain.stream().<Class<?>>map(Throwable::getClass).toList();
    }

    // ---- the chain of causes ------------------------------------------------------------------------------

    // Proves: whatever the job, the error that reaches the top carries every error below it, down to the one the
    // file system threw, naming the very file; the corrected runJob adds one level (IntermediateErr) on top of what
    // the book's first runJob lets through, and only where the error comes from a module it knows.
    @Property
    void errorsKeepTheirWholeChainOfCauses(@ForAll("jobs") Job job) {
        Statistics.label("job").collect(job.kind());
        List<Throwable> wrapped = causes(run(job, false));
        List<Throwable> unwrapped = causes(run(job, true));
        switch (job.kind()) {
            case MISSING -> {
                assertEquals(List.of(ErrorProp.IntermediateErr.class, ErrorProp.LowLevelErr.class,
                        NoSuchFileException.class), classes(wrapped));
                assertEquals(List.of(ErrorProp.LowLevelErr.class, NoSuchFileException.class), classes(unwrapped));
                assertEquals(binary(job).toString(), ((NoSuchFileException) wrapped.get(2)).getFile(),
                        "the file system's error, at the bottom of the chain, names the file");
            }
            case NOT_EXECUTABLE -> {
                assertEquals(List.of(ErrorProp.IntermediateErr.class), classes(wrapped));
                assertEquals(List.of(ErrorProp.MyError.class), classes(unwrapped));
            }
            case FAILS -> {
                // run's error is one this module does not expect: both versions let it through as it is.
                assertEquals(List.of(ErrorProp.ExitError.class), classes(wrapped));
                assertEquals(List.of(ErrorProp.ExitError.class), classes(unwrapped));
                assertEquals("exit status " + job.status(), wrapped.get(0).getMessage());
            }
            case RUNS -> {
                assertEquals(List.of(), wrapped);
                assertEquals(List.of(), unwrapped);
            }
        }
    }

    // ---- each boundary adds exactly its module's context ----------------------------------------------------

    /** An error's observable content, to compare an error wrapped by the next module with one that was not. */
    static String describe(Throwable e) {
        String misc = e instanceof ErrorProp.MyError my && !my.misc.isEmpty() ? " " + my.misc : "";
        return e.getClass().getName() + ": " + e.getMessage() + misc;
    }

    // Proves, for the job whose binary is missing: the low-level module's error says what failed (stat, the path,
    // why) and records only the path; the intermediate module's error adds only the job's id, in its message and
    // its Misc, and leaves the error below exactly as the low-level module made it, which is also what the book's
    // first runJob lets through. A '%' in a name comes through as it is.
    @Property
    void wrappingAtEachBoundaryAddsExactlyThatModulesContext(@ForAll("names") String id, @ForAll("names") String name) {
        Job job = new Job(id, Kind.MISSING, name, 0);
        Statistics.label("a % in the id or the path").collect(id.contains("%") || name.contains("%"));
        Path path = binary(job);

        ErrorProp.LowLevelErr lowLevel = assertInstanceOf(ErrorProp.LowLevelErr.class, run(job, true));
        assertEquals("stat " + path + ": no such file or directory", lowLevel.getMessage());
        assertEquals(Map.of("path", path.toString()), lowLevel.misc, "the low-level module's context");

        ErrorProp.IntermediateErr intermediate = assertInstanceOf(ErrorProp.IntermediateErr.class, run(job, false));
        assertEquals("cannot run job \"" + id + "\": requisite binaries not available", intermediate.getMessage());
        assertEquals(Map.of("job", id), intermediate.misc, "the intermediate module's context");
        assertEquals(List.of(describe(lowLevel), describe(lowLevel.getCause())),
                causes(intermediate.getCause()).stream().map(ErrorPropProperties::describe).toList(),
                "the error below the intermediate module's, as the low-level module made it");
    }

    @Provide
    Arbitrary<String> names() {
        return nameArbitrary();
    }

    // Proves it for MyError itself, through any number of module boundaries: each module wraps the error from the
    // one below with its own message and context; the top error's chain is each module's error in turn, down to
    // the very error the lowest module threw, and each holds its own module's context and no other.
    @Property
    void everyModuleBoundaryAddsOneLevelWithItsOwnContext(
            @ForAll @Size(max = 8) List<@Size(max = 3) Map<String, Integer>> modules) {
        Statistics.label("modules").collect(modules.size());
        Exception bottom = new IOException("the low-level error");
        Throwable err = bottom;
        for (int i = 0; i < modules.size(); i++) {
            ErrorProp.MyError wrapped = new ErrorProp.MyError(err, "module %d: %s", i, "failed");
            wrapped.misc.putAll(modules.get(i));
            err = wrapped;
        }
        List<Throwable> chain = causes(err);
        assertEquals(modules.size() + 1, chain.size(), "one level per module, plus the low-level error");
        assertSame(bottom, chain.get(modules.size()), "the low-level error itself is at the bottom");
        for (int i = 0; i < modules.size(); i++) {
            ErrorProp.MyError level = (ErrorProp.MyError) chain.get(modules.size() - 1 - i);
            assertEquals("module " + i + ": failed", level.getMessage());
            assertEquals(modules.get(i), level.misc, "module " + i + "'s context");
        }
    }

    // ---- what the user sees, what the log gets ----------------------------------------------------------------

    /** Lines of the log (they start with its prefix) and the user's lines, apart. */
    record Printed(List<String> log, List<String> user) {
        static Printed of(List<String> lines) {
            List<String> log = new ArrayList<>();
            List<String> user = new ArrayList<>();
            for (String line : lines) {
                (line.startsWith("[logID: ") ? log : user).add(line);
            }
            return new Printed(log, user);
        }
    }

    static List<String> lines(ByteArrayOutputStream bytes) {
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    /** What the user should see for the job, or null if it runs. */
    static String expectedUserMessage(Job job, boolean unwrapped) {
        return switch (job.kind()) {
            case RUNS -> null;
            case MISSING -> unwrapped ? ErrorProp.UNEXPECTED
                    : "cannot run job \"" + job.id() + "\": requisite binaries not available";
            case NOT_EXECUTABLE -> unwrapped ? ErrorProp.UNEXPECTED
                    : "cannot run job \"" + job.id() + "\": requisite binaries are not executable";
            case FAILS -> ErrorProp.UNEXPECTED;
        };
    }

    // Proves: the user gets one line, with the id, and its text is the well-formed error's message, or the short
    // message for a bug: never a class name, a stack frame, the path, or anything from below the top error. The
    // book's first runJob shows the user nothing well-formed at all.
    @Property
    void theUserSeesOnlyWellFormedMessages(@ForAll("jobs") Job job, @ForAll boolean unwrapped,
                                           @ForAll("ids") int key) {
        Statistics.label("job").collect(job.kind() + (unwrapped ? ", book's first runJob" : ""));
        Exception err = run(job, unwrapped);
        String expected = expectedUserMessage(job, unwrapped);
        if (expected == null) {
            assertNull(err, "the job ran");
            return;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ErrorProp.handleError(new PrintStream(out, true, StandardCharsets.UTF_8), "", key, err,
                ErrorProp.userMessage(err));
        Printed printed = Printed.of(lines(out));
        assertEquals(List.of("[" + key + "] " + expected), printed.user());
        String shown = printed.user().get(0).replace(job.id(), ""); // the id is the user's own text
        for (String leak : List.of("Err", "Exception", "ErrorProp", "Caused by", " at ", "stat ", dir.toString())) {
            assertFalse(shown.contains(leak), "the user saw '" + leak + "': " + shown);
        }
    }

    @Provide
    Arbitrary<Integer> ids() {
        return Arbitraries.integers().between(1, 1_000_000);
    }

    // Proves, for a run of jobs as the script runs them: each failed job gets the next log id (1, 2, 3...; a job
    // that runs takes none); the log's entry for it is all under that id, just before the user's line with the
    // same id; it shows every error of the chain, in order, with its type, message and context, each "Caused by"
    // the one above, and where each was made.
    @Property(tries = 40)
    void theLogHasTheFullChainUnderTheIdTheUserSees(@ForAll @Size(min = 1, max = 6) List<@From("jobs") Job> jobs,
                                                    @ForAll boolean unwrapped) {
        Statistics.label("failed jobs").collect(jobs.stream().filter(j -> j.kind() != Kind.RUNS).count());
        List<String> lines = new ArrayList<>();
        TestSupport.bounded(() -> {
            bubble(() -> {
                try (CapturedStdout out = new CapturedStdout()) {
                    ErrorProp script = new ErrorProp();
                    for (Job job : jobs) {
                        script.jobBinPath = binary(job);
                        script.runAndReport(unwrapped ? ErrorProp::runJobUnwrapped : ErrorProp::runJob, job.id());
                    }
                    lines.addAll(out.lines());
                }
            });
            return null;
        });

        int next = 0;
        int key = 0;
        for (Job job : jobs) {
            if (job.kind() == Kind.RUNS) {
                assertEquals("job \"" + job.id() + "\" ran", lines.get(next++));
                continue;
            }
            key++;
            String prefix = "[logID: " + key + "]: ";
            List<Throwable> chain = causes(run(job, unwrapped)); // the same error again, to compare with the log
            List<String> heads = new ArrayList<>();
            while (lines.get(next).startsWith("[logID: ")) {
                String line = lines.get(next++);
                assertTrue(line.startsWith(prefix), "a log line of error " + key + " under another id: " + line);
                String text = line.substring(prefix.length());
                if (!text.startsWith("    ")) {
                    heads.add(text);
                } else {
                    assertTrue(text.startsWith("    at ErrorProp.") || text.matches(" {4}\\.\\.\\. \\d+ more"), text);
                }
            }
            List<String> expectedHeads = new ArrayList<>();
            for (int i = 0; i < chain.size(); i++) {
                expectedHeads.add((i == 0 ? "" : "Caused by: ") + describe(chain.get(i)));
            }
            assertEquals(expectedHeads, heads, "the log's entry " + key + " for job " + job);
            assertEquals("[" + key + "] " + expectedUserMessage(job, unwrapped), lines.get(next++),
                    "the user's line follows the log's entry, with the same id");
        }
        assertEquals(lines.size(), next, "nothing else was printed");
    }

    // Proves: each error's entry shows where it was made, in this script's frames only: the low-level error at
    // isGloballyExec, the intermediate one at runJob, down to call(); frames a cause shares with the error above
    // are counted, not repeated.
    @Example
    void theLogShowsWhereEachErrorWasMade() {
        Job job = new Job("7", Kind.MISSING, "job", 0);
        List<String> entry = ErrorProp.logEntry("> ", run(job, false));
        assertTrue(entry.get(1).startsWith("> " + "    at ErrorProp.runJob(ErrorProp.java:"), entry.toString());
        int lowLevel = entry.indexOf("> Caused by: " + describe(run(job, true)));
        assertTrue(lowLevel > 0, entry.toString());
        assertTrue(entry.get(lowLevel + 1).startsWith("> " + "    at ErrorProp.isGloballyExec(ErrorProp.java:"),
                entry.toString());
        assertTrue(entry.stream().allMatch(line -> line.startsWith("> ")));
    }

    // Proves on virtual time: with --log-time, each log line carries the UTC time, the bubble's 00:00:00.
    @Example
    void logTimeIsTheUtcTime() {
        List<String> lines = new ArrayList<>();
        TestSupport.bounded(() -> {
            bubble(() -> {
                try (CapturedStdout out = new CapturedStdout()) {
                    ErrorProp script = new ErrorProp();
                    script.logTime = true;
                    script.jobBinPath = binary(new Job("1", Kind.NOT_EXECUTABLE, "", 0));
                    script.runAndReport(ErrorProp::runJob, "1");
                    lines.addAll(out.lines());
                }
            });
            return null;
        });
        assertEquals("[logID: 1]: 00:00:00 ErrorProp$IntermediateErr: cannot run job \"1\": requisite binaries are "
                + "not executable {job=1}", lines.get(0));
        List<String> log = lines.stream().filter(l -> l.startsWith("[logID: ")).toList();
        assertTrue(log.size() > 1 && log.stream().allMatch(l -> l.startsWith("[logID: 1]: 00:00:00 ")), log.toString());
    }
}
