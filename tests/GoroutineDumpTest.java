import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The goroutine dump, in Go's format (runtime/traceback.go): per goroutine a header {@code goroutine N [what it
 * waits in]:} in Go's words, the user's frames innermost first as {@code Class.method(...)} and a tab-indented
 * {@code File.java:LINE}, then {@code created by Class.method in goroutine K} and the line of the go call. Inside a
 * bubble the header says {@code (durable)} and {@code synctest bubble K}. No frame of the helper shows. And the
 * panics for using a bubble's channels and WaitGroups from outside it.
 */
@ExtendWith(TestSupport.NoLeaks.class)
class GoroutineDumpTest {

    static final String FILE = "GoroutineDumpTest.java";

    static int line(String name) {
        return SourceLines.of(FILE, name);
    }

    /** A goroutine's id, from the name go gives its thread ("goroutine-N"). */
    static long id(Thread goroutine) {
        assertTrue(goroutine.getName().matches("goroutine-\\d+"), goroutine.getName());
        return Long.parseLong(goroutine.getName().substring("goroutine-".length()));
    }

    /** The part of the dump about goroutine id: its header and the lines up to the blank line. */
    static String entry(String dump, long id) {
        for (String entry : dump.split("\n\n")) {
            if (entry.startsWith("goroutine " + id + " [")) {
                return entry.endsWith("\n") ? entry : entry + "\n";
            }
        }
        return fail("no goroutine " + id + " in the dump:\n" + dump);
    }

    /** A frame of this file, as the dump prints it: a method matching the regex, at the line. */
    static String frame(String methodRegex, int line) {
        return "GoroutineDumpTest\\." + methodRegex + "\\(\\.\\.\\.\\)\n\t" + Pattern.quote(FILE + ":" + line) + "\n";
    }

    static String createdBy(String methodRegex, long creator, int line) {
        return "created by GoroutineDumpTest\\." + methodRegex + " in goroutine " + creator + "\n\t"
                + Pattern.quote(FILE + ":" + line) + "\n";
    }

    /** A lambda written in the test method (javac names it lambda$METHOD$N). */
    static String lambdaIn(String method) {
        return "lambda\\$" + method + "\\$\\d+";
    }

    static void assertMatches(String regex, String text) {
        assertTrue(Pattern.compile(regex).matcher(text).matches(), () -> "expected\n" + regex + "\nbut was\n" + text);
    }

    /** Nothing of the helper, of Script or of picocli in a dump, as Go hides its runtime's frames. */
    static void assertNoHelperFrames(String dump) {
        for (String hidden : List.of("gochan.", "\tGo.java:", "\tScript.java:", "picocli.")) {
            assertFalse(dump.contains(hidden), () -> "the dump shows " + hidden + ":\n" + dump);
        }
    }

    /**
     * Runs the test's body in a goroutine, so that the goroutines it starts have a creator whose id the test knows;
     * a failure in the body fails the test.
     */
    static void asGoroutine(Body body) {
        Blocking.bounded(() -> {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread test = go(() -> {
                try {
                    body.run(id(Thread.currentThread()));
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            test.join();
            if (failure.get() != null) {
                throw failure.get();
            }
        });
    }

    interface Body {
        void run(long self) throws Throwable;
    }

    /** Runs a blocking operation until an interrupt ends it (the end of the test), without a panic. */
    static void untilReleased(Runnable operation) {
        try {
            operation.run(); // line: untilReleased runs the operation
        } catch (Interrupted released) {
            // the end of the test
        }
    }

    static void release(List<Thread> goroutines) {
        goroutines.forEach(Thread::interrupt);
        goroutines.forEach(Blocking::awaitEnd);
    }

    // ---- headers, frames, created by ------------------------------------------------------------------

    @Test
    void eachBlockedGoroutineShowsItsOperationInGosWords_itsLine_andItsGoCall() {
        asGoroutine(self -> {
            // given: a goroutine parked in each operation, until an interrupt releases it
            Chan<Integer> unbuffered = make();
            Chan<Integer> empty = make();
            WaitGroup wg = new WaitGroup();
            wg.add(1);
            Map<String, Thread> parked = new LinkedHashMap<>(); // by the name of the marked line
            parked.put("send", go(() -> untilReleased(() -> unbuffered.send(1)))); // line: send
            parked.put("receive", go(() -> untilReleased(() -> empty.receive()))); // line: receive
            parked.put("select", go(() -> untilReleased(() -> select(onReceive(empty))))); // line: select
            parked.put("no cases", go(() -> untilReleased(() -> select()))); // line: no cases
            parked.put("nil send", go(() -> untilReleased(() -> send(null, 1)))); // line: nil send
            parked.put("nil receive", go(() -> untilReleased(() -> receive(null)))); // line: nil receive
            parked.put("wait", go(() -> untilReleased(() -> wg.await()))); // line: wait
            parked.put("sleep", go(() -> untilReleased(() -> sleep(Duration.ofHours(1))))); // line: sleep
            Map<String, String> operations = Map.of("send", "chan send", "receive", "chan receive", "select", "select",
                    "no cases", "select (no cases)", "nil send", "chan send (nil chan)",
                    "nil receive", "chan receive (nil chan)", "wait", "sync.WaitGroup.Wait", "sleep", "sleep");
            try {
                parked.values().forEach(Blocking::awaitParked);

                // when
                String dump = goroutineDump();

                // then: the header in Go's words; the operation's lambda, untilReleased and the goroutine's lambda,
                // innermost first; and the go call, on the same line
                for (var goroutine : parked.entrySet()) {
                    String operation = operations.get(goroutine.getKey());
                    int line = line(goroutine.getKey());
                    assertMatches("goroutine " + id(goroutine.getValue()) + " \\[" + Pattern.quote(operation) + "]:\n"
                            + frame(lambdaIn("eachBlocked\\w+"), line)
                            + frame("untilReleased", line("untilReleased runs the operation"))
                            + frame(lambdaIn("eachBlocked\\w+"), line)
                            + createdBy(lambdaIn("eachBlocked\\w+"), self, line),
                            entry(dump, id(goroutine.getValue())));
                }
                assertNoHelperFrames(dump);
            } finally {
                release(new ArrayList<>(parked.values()));
            }
        });
    }

    static Thread startReceiver(Chan<Integer> ch) {
        return go(() -> { // line: the go call of startReceiver
            receiveThrough(ch); // line: the lambda calls receiveThrough
        });
    }

    static void receiveThrough(Chan<Integer> ch) {
        receiveFrom(ch); // line: receiveThrough calls receiveFrom
    }

    static void receiveFrom(Chan<Integer> ch) {
        ch.receive(); // line: receiveFrom receives
    }

    @Test
    void framesAreListedInnermostFirst_andCreatedByNamesTheMethodAndTheGoroutineThatCalledGo() {
        Blocking.bounded(() -> {
            // given: a parent goroutine that starts a child in startReceiver, where it blocks two calls deep
            Chan<Integer> ch = make();
            Chan<Thread> childOut = make(1);
            Chan<Void> parentRelease = make();
            Thread parent = go(() -> {
                childOut.send(startReceiver(ch));
                parentRelease.receive();
            });
            Thread child = childOut.receive();
            Blocking.awaitParked(child);

            // when
            String dump = goroutineDump();

            // then
            assertMatches("goroutine " + id(child) + " \\[chan receive]:\n"
                    + frame("receiveFrom", line("receiveFrom receives"))
                    + frame("receiveThrough", line("receiveThrough calls receiveFrom"))
                    + frame(lambdaIn("startReceiver"), line("the lambda calls receiveThrough"))
                    + createdBy("startReceiver", id(parent), line("the go call of startReceiver")),
                    entry(dump, id(child)));
            assertNoHelperFrames(dump);

            ch.close();
            parentRelease.close();
            Blocking.awaitEnd(child);
            Blocking.awaitEnd(parent);
        });
    }

    @Test
    void theGoroutineThatAsksShowsAsRunning_atTheLineOfTheCall() {
        asGoroutine(self -> {
            // when
            String dump = goroutineDump(); // line: the running goroutine asks for the dump

            // then: its own entry (the frames of asGoroutine below it are this file's too)
            String mine = entry(dump, self);
            assertMatches("goroutine " + self + " \\[running]:\n"
                    + frame(lambdaIn("theGoroutineThatAsks\\w+"), line("the running goroutine asks for the dump"))
                    + "(?s).*", mine);
            assertNoHelperFrames(dump);
        });
    }

    @Test
    void aGoroutineBusyOutsideTheHelper_showsAsRunning() {
        asGoroutine(self -> {
            // given: one goroutine spinning, one in Thread.sleep (which the helper does not see)
            AtomicBoolean stop = new AtomicBoolean();
            Thread spinning = go(() -> {
                while (!stop.get()) {
                    Thread.onSpinWait();
                }
            });
            Thread sleeping = go(() -> {
                try {
                    Thread.sleep(Duration.ofHours(1));
                } catch (InterruptedException released) {
                    // the end of the test
                }
            });
            Blocking.awaitParked(sleeping);
            try {
                // when
                String dump = goroutineDump();

                // then
                assertTrue(entry(dump, id(spinning)).startsWith("goroutine " + id(spinning) + " [running]:\n"), dump);
                assertTrue(entry(dump, id(sleeping)).startsWith("goroutine " + id(sleeping) + " [running]:\n"), dump);
                assertNoHelperFrames(dump);
            } finally {
                stop.set(true);
                release(List.of(spinning, sleeping));
            }
        });
    }

    @Test
    void aThreadNotStartedByGo_appearsWhileItIsBlockedInTheHelper_underItsThreadName() throws Exception {
        Blocking.bounded(() -> {
            // given: a platform thread blocked in a receive
            Chan<Integer> ch = make();
            Thread platform = Thread.ofPlatform().name("dump-test-thread").start(() -> {
                ch.receive(); // line: the platform thread receives
            });
            Blocking.awaitParked(platform);

            // when
            String dump = goroutineDump();

            // then: a goroutine number of its own, its thread's name, its frame, and no "created by"
            Matcher header = Pattern.compile("(?m)^goroutine (\\d+) \\[chan receive, thread dump-test-thread]:$")
                    .matcher(dump);
            assertTrue(header.find(), dump);
            assertMatches("goroutine " + header.group(1) + " \\[chan receive, thread dump-test-thread]:\n"
                    + frame(lambdaIn("aThreadNotStartedByGo\\w+"), line("the platform thread receives")),
                    entry(dump, Long.parseLong(header.group(1))));
            assertNoHelperFrames(dump);

            // and once it is woken, it is gone from the dump
            ch.send(1);
            platform.join();
            assertFalse(goroutineDump().contains("dump-test-thread"), goroutineDump());
        });
    }

    // ---- bubbles --------------------------------------------------------------------------------------

    /** The bubble number in a header, which every goroutine of the bubble shares. */
    static long bubbleOf(String entry) {
        Matcher m = Pattern.compile("synctest bubble (\\d+)]:").matcher(entry);
        assertTrue(m.find(), entry);
        return Long.parseLong(m.group(1));
    }

    @Test
    void inABubble_theHeaderSaysDurableAndNamesTheBubble() {
        asGoroutine(self -> {
            // given: a channel of the program
            Chan<Integer> outside = make();
            AtomicReference<String> dump = new AtomicReference<>();
            AtomicReference<Thread> root = new AtomicReference<>();
            AtomicReference<Thread> durable = new AtomicReference<>();
            AtomicReference<Thread> notDurable = new AtomicReference<>();

            // when: in a bubble, one goroutine waits on the bubble's own channel, one on the program's, and the
            // root takes the dump
            bubble(() -> { // line: bubble call
                root.set(Thread.currentThread());
                Chan<Integer> inner = make();
                durable.set(go(() -> inner.receive())); // line: durable receive
                notDurable.set(go(() -> outside.receive())); // line: receive from outside
                Blocking.awaitParked(durable.get());
                Blocking.awaitParked(notDurable.get());
                dump.set(goroutineDump()); // line: the root asks for the dump
                inner.close();
                outside.close();
            });

            // then
            String text = dump.get();
            long bubble = bubbleOf(entry(text, id(root.get())));
            assertMatches("goroutine " + id(durable.get()) + " \\[chan receive \\(durable\\), synctest bubble " + bubble
                    + "]:\n" + frame(lambdaIn("inABubble\\w+"), line("durable receive"))
                    + createdBy(lambdaIn("inABubble\\w+"), id(root.get()), line("durable receive")),
                    entry(text, id(durable.get())));
            assertMatches("goroutine " + id(notDurable.get()) + " \\[chan receive, synctest bubble " + bubble + "]:\n"
                    + frame(lambdaIn("inABubble\\w+"), line("receive from outside"))
                    + createdBy(lambdaIn("inABubble\\w+"), id(root.get()), line("receive from outside")),
                    entry(text, id(notDurable.get())));
            assertMatches("goroutine " + id(root.get()) + " \\[running, synctest bubble " + bubble + "]:\n"
                    + frame(lambdaIn("inABubble\\w+"), line("the root asks for the dump"))
                    + createdBy(lambdaIn("inABubble\\w+"), self, line("bubble call")),
                    entry(text, id(root.get())));
            assertNoHelperFrames(text);

            // and the next bubble has another number
            AtomicReference<String> next = new AtomicReference<>();
            bubble(() -> next.set(entry(goroutineDump(), id(Thread.currentThread()))));
            assertNotEquals(bubble, bubbleOf(next.get()));
        });
    }

    @Test
    void aDeadlocksDumpListsTheBlockedGoroutinesOfTheBubble_asDurable() {
        Blocking.bounded(() -> {
            // given
            AtomicReference<Thread> stuck = new AtomicReference<>();
            AtomicReference<Thread> root = new AtomicReference<>();

            // when: the root waits for a goroutine stuck on a channel nobody sends on
            Deadlock deadlock = assertThrows(Deadlock.class, () -> bubble(() -> {
                root.set(Thread.currentThread());
                Chan<Integer> never = make();
                stuck.set(go(() -> never.receive())); // line: stuck in the deadlocked bubble
                WaitGroup wg = new WaitGroup();
                wg.add(1);
                wg.await(); // line: the deadlocked root waits
            }));

            // then: both, sorted by id, durable, in one bubble, and nothing else
            String dump = deadlock.dump();
            long bubble = bubbleOf(entry(dump, id(root.get())));
            assertMatches("goroutine " + id(root.get()) + " \\[sync.WaitGroup.Wait \\(durable\\), synctest bubble "
                    + bubble + "]:\n" + frame(lambdaIn("aDeadlocks\\w+"), line("the deadlocked root waits"))
                    + "created by .*\n\t.*\n"
                    + "\n"
                    + "goroutine " + id(stuck.get()) + " \\[chan receive \\(durable\\), synctest bubble " + bubble
                    + "]:\n" + frame(lambdaIn("aDeadlocks\\w+"), line("stuck in the deadlocked bubble"))
                    + createdBy(lambdaIn("aDeadlocks\\w+"), id(root.get()), line("stuck in the deadlocked bubble")),
                    dump);
            assertNoHelperFrames(dump);
        });
    }

    // ---- using a bubble's things from outside it ----------------------------------------------------

    @Test
    void aBubblesChannelUsedFromOutsideTheBubble_panics() {
        Blocking.bounded(() -> {
            // given: a channel made in a bubble, and a goroutine of the program
            AtomicReference<Chan<Integer>> inner = new AtomicReference<>();
            bubble(() -> inner.set(make(1)));
            Chan<Integer> ch = inner.get();

            // when / then: from the test's thread and from a goroutine outside the bubble alike
            for (boolean fromAGoroutine : List.of(false, true)) {
                List<Map.Entry<String, Runnable>> misuses = List.of(
                        Map.entry("send on synctest channel from outside bubble", () -> ch.send(1)),
                        Map.entry("receive on synctest channel from outside bubble", ch::receive),
                        Map.entry("receive on synctest channel from outside bubble", ch::receiveOk),
                        Map.entry("receive on synctest channel from outside bubble", () -> ch.iterator().hasNext()),
                        Map.entry("close of synctest channel from outside bubble", ch::close),
                        Map.entry("select on synctest channel from outside bubble",
                                () -> select(onReceive(ch), onDefault())),
                        Map.entry("select on synctest channel from outside bubble",
                                () -> select(onSend(ch, 1), onDefault())));
                for (var misuse : misuses) {
                    Panic panic = fromAGoroutine ? panicIn(misuse.getValue()) : assertThrows(Panic.class,
                            misuse.getValue()::run);
                    assertEquals(misuse.getKey(), panic.getMessage());
                }
            }
        });
    }

    /** The panic that a goroutine of the program gets from the action. */
    static Panic panicIn(Runnable action) throws InterruptedException {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        go(() -> {
            try {
                action.run();
            } catch (Throwable t) {
                thrown.set(t);
            }
        }).join();
        if (thrown.get() instanceof Panic panic) {
            return panic;
        }
        return fail("expected a Panic, got " + thrown.get());
    }

    @Test
    void aWaitGroupAddedToFromInsideAndOutsideABubble_panics() {
        Blocking.bounded(() -> {
            // outside first, then inside: the panic escapes the bubble's goroutine and bubble rethrows it
            WaitGroup outsideFirst = new WaitGroup();
            outsideFirst.add(1);
            Panic inside = assertThrows(Panic.class, () -> bubble(() -> outsideFirst.add(1)));
            assertEquals("sync: WaitGroup.Add called from inside and outside synctest bubble", inside.getMessage());

            // inside first, then outside
            WaitGroup insideFirst = new WaitGroup();
            bubble(() -> insideFirst.add(1));
            Panic outside = assertThrows(Panic.class, () -> insideFirst.add(1));
            assertEquals("sync: WaitGroup.Add called from inside and outside synctest bubble", outside.getMessage());

            // two bubbles
            Panic two = assertThrows(Panic.class, () -> bubble(() -> insideFirst.add(1)));
            assertEquals("sync: WaitGroup.Add called from multiple synctest bubbles", two.getMessage());
        });
    }

    @Test
    void aBubbleInsideABubble_panics() {
        Blocking.bounded(() -> {
            Panic panic = assertThrows(Panic.class, () -> bubble(() -> bubble(() -> { })));
            assertEquals("synctest.Run called from within a synctest bubble", panic.getMessage());
        });
    }
}
