import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import gochan.Script;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;

/**
 * The whole-program report, black box: small programs (the nested classes below) run in a JVM of their own. When
 * main and every goroutine are blocked in the helper with nothing that could wake them, the program prints Go's
 * {@code fatal error: all goroutines are asleep - deadlock!} and the goroutine dump on standard error and exits with
 * status 2. A program that a timer, a sleep, a platform thread or an executor's task will wake is never reported; nor
 * is anything with the report turned off. And gochan.Script reports a goroutine leaked at exit, with its dump.
 */
class DeadlockReportTest {

    /** How long a program may run before it counts as hung: generous, since a JVM starts slowly on a busy machine. */
    static final Duration BOUND = Duration.ofSeconds(30);

    static final String FATAL = "fatal error: all goroutines are asleep - deadlock!\n\n";
    static final String FILE = "DeadlockReportTest.java";

    static int line(String name) {
        return SourceLines.of(FILE, name);
    }

    record Run(int status, String out, String err, boolean killed) {
        String describe() {
            return (killed ? "killed" : "exit status " + status) + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Runs the program's main in a new JVM (this one's java and class path), for at most the given time. */
    static Run run(Class<?> program, Duration limit, Map<String, String> environment, String... jvmOptions)
            throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), program.getName()));
        Path out = Files.createTempFile("deadlock-report", ".out");
        Path err = Files.createTempFile("deadlock-report", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            builder.environment().remove("GOCHAN_DEADLOCK");
            builder.environment().putAll(environment);
            Process process = builder.start();
            boolean ended = process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
            if (!ended) {
                process.destroyForcibly().waitFor();
            }
            return new Run(ended ? process.exitValue() : -1, Files.readString(out), Files.readString(err), !ended);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static Run run(Class<?> program) throws IOException, InterruptedException {
        Run run = run(program, BOUND, Map.of());
        if (run.killed()) {
            fail(program.getSimpleName() + " did not end within " + BOUND + "\n" + run.describe());
        }
        return run;
    }

    /** The report of a deadlock: exit status 2, Go's line, a blank line, then the dump matching the regex. */
    static void assertReported(Run run, String dumpRegex) {
        assertEquals(2, run.status(), run.describe());
        assertTrue(run.err().startsWith(FATAL), run.describe());
        String dump = run.err().substring(FATAL.length());
        assertTrue(Pattern.compile(dumpRegex).matcher(dump).matches(),
                () -> "expected a dump matching\n" + dumpRegex + "\n" + run.describe());
    }

    /** The entry of goroutine 1, main, blocked in the operation at the marked line of the program's main. */
    static String mainBlockedIn(Class<?> program, String operation, String marker) {
        return "goroutine 1 \\[" + Pattern.quote(operation) + "]:\n"
                + Pattern.quote(program.getName() + ".main(...)\n\t" + FILE + ":" + line(marker) + "\n");
    }

    // ---- reported -------------------------------------------------------------------------------------

    /** Go's classic: main receives on a channel nobody sends on, beside a goroutine waiting on another one. */
    static final class TenLines {
        public static void main(String[] args) {
            Chan<Integer> ch = make();
            Chan<Integer> other = make();
            go(() -> other.receive()); // line: ten lines, the goroutine
            System.out.println("waiting");
            ch.receive(); // line: ten lines, main
        }
    }

    @Test
    void mainAndAGoroutineBothReceivingForever_isReportedWithBothOfThem() throws Exception {
        Run run = run(TenLines.class);

        assertReported(run, mainBlockedIn(TenLines.class, "chan receive", "ten lines, main")
                + "\n"
                + "goroutine 2 \\[chan receive]:\n"
                + "DeadlockReportTest\\$TenLines\\.lambda\\$main\\$\\d+\\(\\.\\.\\.\\)\n"
                + "\t" + Pattern.quote(FILE + ":" + line("ten lines, the goroutine")) + "\n"
                + Pattern.quote("created by DeadlockReportTest$TenLines.main in goroutine 1\n\t" + FILE + ":"
                        + line("ten lines, the goroutine") + "\n"));
        assertEquals("waiting\n", run.out(), "what main printed before is flushed");
    }

    static final class SendNobodyReceives {
        public static void main(String[] args) {
            Chan<String> ch = make();
            ch.send("hello"); // line: send nobody receives
        }
    }

    @Test
    void aSendInMainNobodyReceives_isReported() throws Exception {
        assertReported(run(SendNobodyReceives.class),
                mainBlockedIn(SendNobodyReceives.class, "chan send", "send nobody receives"));
    }

    static final class WaitGroupOffByOne {
        public static void main(String[] args) {
            WaitGroup wg = new WaitGroup();
            wg.add(2); // one too many
            go(wg::done);
            wg.await(); // line: wait group off by one
        }
    }

    @Test
    void aWaitGroupOffByOne_isReportedWithMainInWait() throws Exception {
        assertReported(run(WaitGroupOffByOne.class),
                mainBlockedIn(WaitGroupOffByOne.class, "sync.WaitGroup.Wait", "wait group off by one"));
    }

    static final class EmptySelect {
        public static void main(String[] args) {
            select(); // line: empty select
        }
    }

    @Test
    void aSelectWithNoCasesInMain_isReported() throws Exception {
        assertReported(run(EmptySelect.class), mainBlockedIn(EmptySelect.class, "select (no cases)", "empty select"));
    }

    static final class NilReceive {
        public static void main(String[] args) {
            ReceiveOnly<Integer> nil = null;
            receive(nil); // line: nil receive
        }
    }

    @Test
    void aReceiveFromANilChannelInMain_isReported() throws Exception {
        assertReported(run(NilReceive.class),
                mainBlockedIn(NilReceive.class, "chan receive (nil chan)", "nil receive"));
    }

    // ---- never reported -------------------------------------------------------------------------------

    /** While main sleeps and then waits on a timer, a goroutine is blocked: a wake-up is on its way all along. */
    static final class SleepThenDone {
        public static void main(String[] args) {
            Chan<String> ch = make();
            Thread printer = go(() -> System.out.println(ch.receive()));
            sleep(Duration.ofMillis(300));
            after(Duration.ofMillis(300)).receive();
            ch.send("done");
            try {
                printer.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void mainWaitingOnASleepOrATimer_isNotADeadlock() throws Exception {
        Run run = run(SleepThenDone.class);
        assertEquals(0, run.status(), run.describe());
        assertEquals("done\n", run.out(), run.describe());
        assertEquals("", run.err());
    }

    /**
     * Stops and resets that race the timer thread's firing, many times: each timer's pending count must be taken
     * back exactly once, whichever side wins (FutureTask.cancel also succeeds while the task runs, so it cannot
     * tell). Counted twice, the program would look stuck while a timer is still due, or never look stuck again.
     */
    static final class StopsRacingTheTimerThread {
        public static void main(String[] args) {
            for (int i = 0; i < 20_000; i++) {
                Timer timer = newTimer(Duration.ofNanos(i % 50 * 1_000));
                Ticker ticker = newTicker(Duration.ofNanos(1_000 + i % 50 * 1_000));
                Thread.onSpinWait();
                if (i % 2 == 0) {
                    timer.stop();
                } else {
                    timer.reset(Duration.ofHours(1));
                    timer.stop();
                }
                ticker.stop();
            }
            after(Duration.ofMillis(500)).receive(); // not a deadlock: the timer is due
            System.out.println("the timer fired");
            Chan<Integer> never = make();
            never.receive(); // line: main receives forever
        }
    }

    @Test
    void afterStopsRacingTheTimerThread_aDueTimerIsNoDeadlock_andAStuckMainIsOne() throws Exception {
        Run run = run(StopsRacingTheTimerThread.class);
        assertEquals("the timer fired\n", run.out(), run.describe());
        assertReported(run, mainBlockedIn(StopsRacingTheTimerThread.class, "chan receive", "main receives forever"));
    }

    /**
     * A thread started without go sends after Thread.sleep: the helper cannot see it, the JDK's dump can. Main blocks
     * once the thread runs, so that what is tested is a thread sleeping, not the instant after start().
     */
    static final class PlatformThreadSends {
        public static void main(String[] args) throws InterruptedException {
            Chan<Integer> ch = make();
            CountDownLatch running = new CountDownLatch(1);
            new Thread(() -> {
                running.countDown();
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    return;
                }
                ch.send(42);
            }).start();
            running.await();
            System.out.println(ch.receive());
        }
    }

    @Test
    void mainReceivingFromAPlatformThreadThatSendsLater_isNotADeadlock() throws Exception {
        Run run = run(PlatformThreadSends.class);
        assertEquals(0, run.status(), run.describe());
        assertEquals("42\n", run.out(), run.describe());
        assertEquals("", run.err());
    }

    /** An executor's task sends after a delay (main blocks once the task runs, as above). */
    static final class ExecutorSends {
        public static void main(String[] args) throws InterruptedException {
            Chan<Integer> ch = make();
            CountDownLatch running = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            pool.submit(() -> {
                running.countDown();
                Thread.sleep(300);
                ch.send(7);
                return null;
            });
            running.await();
            System.out.println(ch.receive());
            pool.shutdown();
        }
    }

    @Test
    void mainReceivingFromAnExecutorsTaskThatSendsLater_isNotADeadlock() throws Exception {
        Run run = run(ExecutorSends.class);
        assertEquals(0, run.status(), run.describe());
        assertEquals("7\n", run.out(), run.describe());
        assertEquals("", run.err());
    }

    @Test
    void withTheReportTurnedOff_aStuckProgramIsJustStuck() throws Exception {
        for (Run run : List.of(
                run(TenLines.class, Duration.ofSeconds(2), Map.of("GOCHAN_DEADLOCK", "off")),
                run(TenLines.class, Duration.ofSeconds(2), Map.of(), "-Dgochan.deadlock=off"))) {
            assertTrue(run.killed(), "it should still be stuck after 2 s: " + run.describe());
            assertFalse(run.err().contains("fatal error"), run.describe());
        }
    }

    // ---- a goroutine leaked at exit, through gochan.Script --------------------------------------------

    /** A command that returns while a goroutine it started is blocked for good. */
    @Command(name = "leaky")
    static final class LeakyCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            Chan<Integer> never = make();
            go(() -> never.receive()); // line: the leaked goroutine
            System.out.println("returning");
            return 0;
        }

        public static void main(String[] args) {
            Script.run(new LeakyCommand(), args);
        }
    }

    @Test
    void aGoroutineLeakedAtExit_isReportedWithItsDump_andExitStatus3() throws Exception {
        Run run = run(LeakyCommand.class);

        assertEquals(3, run.status(), run.describe());
        assertEquals("returning\n", run.out(), run.describe());
        assertTrue(run.err().startsWith("leak: 1 goroutine blocked for good"), run.describe());
        int leaked = line("the leaked goroutine");
        assertTrue(Pattern.compile("(?s).*\n\ngoroutine 2 \\[chan receive]:\n"
                + "DeadlockReportTest\\$LeakyCommand\\.lambda\\$call\\$\\d+\\(\\.\\.\\.\\)\n"
                + Pattern.quote("\t" + FILE + ":" + leaked + "\n"
                        + "created by DeadlockReportTest$LeakyCommand.call in goroutine 1\n\t" + FILE + ":" + leaked)
                + "\n+").matcher(run.err()).matches(), run.describe());
    }
}
