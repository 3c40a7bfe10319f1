import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import net.jqwik.api.Assume;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.statistics.Statistics;

/**
 * Properties of the patterns of Pike.java (Rob Pike, "Go Concurrency Patterns", 2012). Every try runs in a bubble, on
 * virtual time: a speaker's pauses are given as lists of milliseconds, so when each message arrives, when a timeout
 * fires and when a loop ends are known to the nanosecond and asserted exactly, with no margins and no real sleeps.
 */
@PropertyDefaults(tries = 100)
// propagateTo: a hook on a class reaches its properties' tries only when propagated.
@AddLifecycleHook(value = TestSupport.NoLeaks.class, propagateTo = PropagationMode.ALL_DESCENDANTS)
class PikeProperties {

    /**
     * Runs the body in a bubble, bounded in real time in case a goroutine spins instead of blocking. The bubble's
     * goroutines are virtual threads, so CapturedStdout captures what all of them print, the main one included.
     */
    static void inBubble(Runnable body) {
        TestSupport.bounded(() -> {
            bubble(body);
            return null;
        });
    }

    /** A speaker's pauses: these milliseconds, one per message, then an hour each (longer than any try looks). */
    static Supplier<Duration> pauses(List<Integer> millis) {
        Iterator<Integer> next = List.copyOf(millis).iterator();
        return () -> next.hasNext() ? Duration.ofMillis(next.next()) : Duration.ofHours(1);
    }

    /** Once everything has settled, no goroutine is left. */
    static void assertNoGoroutineLeft() {
        awaitBlocked();
        assertEquals(0, goroutines(), "goroutines left");
    }

    // ---- Fan-in (faninboring.go, selectboring.go) ------------------------------------------------------------

    /** A value and the input it came in on. */
    record Said(int speaker, int value) {}

    /** A speaker that says these values, each after its pause, then waits for done (as the talk's never stop). */
    static ReceiveOnly<Said> speaker(ReceiveOnly<?> done, int speaker, List<Integer> values, List<Integer> millis) {
        Chan<Said> c = make();
        Supplier<Duration> pauses = pauses(millis);
        go(() -> {
            for (int value : values) {
                if (!Pike.pause(done, pauses.get())) {
                    return;
                }
                switch (select(onReceive(done), onSend(c, new Said(speaker, value))).index()) {
                    case 0 -> { return; }                           // case <-done: return
                    case 1 -> { }                                   // case c <- value:
                }
            }
            receive(done);
        });
        return c;
    }

    // Proves, for both of the talk's fanIns, that what comes out is the multiset union of what goes in: every value
    // of each input exactly once, duplicates included, in each input's own order, and nothing else. The values are
    // drawn from a few, so that the inputs share some; the pauses decide how the inputs interleave, ties included.
    @Property
    void fanInYieldsTheMultisetUnionOfItsInputs(@ForAll boolean withSelect,
                                                @ForAll @Size(max = 12) List<@IntRange(min = 0, max = 4) Integer> values1,
                                                @ForAll @Size(max = 12) List<@IntRange(min = 0, max = 4) Integer> values2,
                                                @ForAll @Size(12) List<@IntRange(min = 0, max = 20) Integer> millis1,
                                                @ForAll @Size(12) List<@IntRange(min = 0, max = 20) Integer> millis2) {
        Statistics.label("fanIn").collect(withSelect ? "selectboring.go (select)" : "faninboring.go (two goroutines)");
        Statistics.label("inputs").collect(values1.isEmpty() || values2.isEmpty() ? "one or both empty" : "both speak");
        boolean[] mixed = new boolean[1];
        inBubble(() -> {
            // given two speakers, merged by the fanIn under test
            Chan<Void> done = make();
            ReceiveOnly<Said> input1 = speaker(done, 1, values1, millis1);
            ReceiveOnly<Said> input2 = speaker(done, 2, values2, millis2);
            ReceiveOnly<Said> c = withSelect ? Pike.fanInSelect(done, input1, input2) : Pike.fanIn(done, input1, input2);
            // when we receive as many values as they say
            List<Said> heard = new ArrayList<>();
            for (int i = 0; i < values1.size() + values2.size(); i++) {
                heard.add(c.receive());
            }
            // then nothing more comes
            awaitBlocked();
            assertEquals(1, select(onReceive(c), onDefault()).index(), "fanIn sent more than its inputs said");
            done.close();
            assertNoGoroutineLeft();

            // and what came is each input's values, in its order, interleaved
            assertEquals(values1, heard.stream().filter(s -> s.speaker() == 1).map(Said::value).toList(), "input 1");
            assertEquals(values2, heard.stream().filter(s -> s.speaker() == 2).map(Said::value).toList(), "input 2");
            List<Integer> union = new ArrayList<>(values1);
            union.addAll(values2);
            List<Integer> merged = new ArrayList<>(heard.stream().map(Said::value).toList());
            Collections.sort(union);
            Collections.sort(merged);
            assertEquals(union, merged, "the multiset of values");
            mixed[0] = interleaved(heard);
        });
        Statistics.label("interleaved").collect(mixed[0] ? "yes" : "no");
    }

    /** Whether the speakers' values were mixed rather than one after the other. */
    static boolean interleaved(List<Said> heard) {
        int changes = 0;
        for (int i = 1; i < heard.size(); i++) {
            changes += heard.get(i).speaker() != heard.get(i - 1).speaker() ? 1 : 0;
        }
        return changes > 1;
    }

    // ---- Restoring sequencing (sequenceboring.go) --------------------------------------------------------------

    // Proves that the wait channel restores the turns: whatever Joe's and Ann's pauses, each round of two messages
    // holds one from each, both numbered with the round, so neither ever gets more than one message ahead. (Within
    // a round whoever is ready first speaks first, so the lines need not alternate Joe, Ann, Joe, Ann: Ann can
    // close one round and open the next.)
    @Property
    void restoredSequencingGoesStrictlyInTurns(@ForAll @IntRange(min = 1, max = 8) int rounds,
                                               @ForAll @Size(8) List<@IntRange(min = 0, max = 2000) Integer> joeMillis,
                                               @ForAll @Size(8) List<@IntRange(min = 0, max = 2000) Integer> annMillis) {
        List<String> lines;
        try (CapturedStdout out = new CapturedStdout()) {
            inBubble(() -> {
                // given Joe and Ann, each waiting for the go-ahead after each message, merged by fanIn
                Chan<Void> done = make();
                ReceiveOnly<Pike.Message> c = Pike.fanIn(done, Pike.boringInTurn(done, "Joe", pauses(joeMillis)),
                        Pike.boringInTurn(done, "Ann", pauses(annMillis)));
                // when the talk's listener hears them for some rounds
                Pike.inTurns(c, rounds);
                done.close();
                assertNoGoroutineLeft();
            });
            lines = out.lines();
        }
        // then round r is "Joe: r" and "Ann: r", in either order
        assertEquals(2 * rounds, lines.size(), "lines: " + lines);
        boolean joeFirstEachTime = true;
        for (int r = 0; r < rounds; r++) {
            assertEquals(Set.of("Joe: " + r, "Ann: " + r), Set.of(lines.get(2 * r), lines.get(2 * r + 1)),
                    "round " + r + " of " + lines);
            joeFirstEachTime &= lines.get(2 * r).startsWith("Joe");
        }
        Statistics.label("line order").collect(joeFirstEachTime ? "Joe, Ann, Joe, Ann, ..." : "some round Ann first");
    }

    // Shows why the wait channel is there: the same speakers without it, merged by the same fanIn, let the quick
    // one talk over the slow one (the talk's "These programs make Joe and Ann count in lockstep" undone).
    @Example
    void withoutTheWaitTheQuickSpeakerTalksOverTheSlowOne() {
        List<String> heard = new ArrayList<>();
        inBubble(() -> {
            Chan<Void> done = make();
            ReceiveOnly<String> c = Pike.fanIn(done, Pike.boring(done, "Joe", pauses(List.of(10, 10, 10))),
                    Pike.boring(done, "Ann", pauses(List.of(1000))));
            for (int i = 0; i < 4; i++) {
                heard.add(c.receive());
            }
            done.close();
            assertNoGoroutineLeft();
        });
        assertEquals(List.of("Joe: 0", "Joe: 1", "Joe: 2", "Ann: 0"), heard);
    }

    // ---- Timeouts (timeout.go, timeoutall.go) --------------------------------------------------------------------

    // Proves that the per-message timeout fires exactly when a message is later than the timeout: every message
    // that comes sooner is printed, the first later one is not, and the loop ends exactly one timeout after the
    // last message it printed. The pauses are drawn as 0 to 150% of the timeout. A pause of exactly the timeout is
    // left out: the message and the timer are then ready at the same instant, and select picks one at random, as
    // Go's does.
    @Property
    void aPerMessageTimeoutFiresExactlyWhenAMessageIsLate(@ForAll @IntRange(min = 1, max = 2000) int timeoutMillis,
                                                          @ForAll @Size(max = 10) List<@IntRange(min = 0, max = 150) Integer> percents) {
        List<Integer> joeMillis = new ArrayList<>(percents.stream().map(p -> timeoutMillis * p / 100).toList());
        Assume.that(!joeMillis.contains(timeoutMillis));
        joeMillis.add(timeoutMillis + 1); // so that he is late at last
        int onTime = 0;
        while (joeMillis.get(onTime) < timeoutMillis) {
            onTime++;
        }
        int expectedOnTime = onTime;
        Duration expectedEnd = Duration.ofMillis(joeMillis.subList(0, onTime).stream().mapToLong(m -> m).sum() + timeoutMillis);
        Statistics.label("messages before the timeout").collect(onTime == 0 ? "0" : onTime < 3 ? "1-2" : "3 or more");

        List<String> lines;
        Duration[] took = new Duration[1];
        try (CapturedStdout out = new CapturedStdout()) {
            inBubble(() -> {
                // given Joe, with these pauses before his messages
                Chan<Void> done = make();
                ReceiveOnly<String> c = Pike.boring(done, "Joe", pauses(joeMillis));
                // when main listens with a timeout per message
                Instant start = now();
                Pike.untilTooSlow(c, Duration.ofMillis(timeoutMillis));
                took[0] = since(start);
                done.close();
                assertNoGoroutineLeft();
            });
            lines = out.lines();
        }
        // then it heard every message up to the first late one, and gave up exactly one timeout after the last
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < expectedOnTime; i++) {
            expected.add("Joe: " + i);
        }
        expected.add("You're too slow.");
        assertEquals(expected, lines);
        assertEquals(expectedEnd, took[0], "when the loop ended");
    }

    // Proves that the whole-conversation timeout ends the loop exactly at the timeout, however the messages come:
    // every message that arrives before it is printed, none after. (A message due at exactly the timeout is left
    // out, a coin toss for select.)
    @Property
    void aWholeConversationTimeoutEndsTheLoopExactlyAtTheTimeout(@ForAll @IntRange(min = 1, max = 10_000) int timeoutMillis,
                                                                 @ForAll @Size(max = 20) List<@IntRange(min = 0, max = 1500) Integer> millis) {
        List<Integer> arrivals = new ArrayList<>();
        int at = 0;
        for (int m : millis) {
            at += m;
            arrivals.add(at);
        }
        Assume.that(!arrivals.contains(timeoutMillis));
        long expectedMessages = arrivals.stream().filter(a -> a < timeoutMillis).count();
        Statistics.label("messages before the timeout").collect(expectedMessages == millis.size()
                ? "all (then Joe falls silent)" : "some (Joe is cut off)");

        List<String> lines;
        Duration[] took = new Duration[1];
        try (CapturedStdout out = new CapturedStdout()) {
            inBubble(() -> {
                // given Joe, with these pauses before his messages (then an hour each)
                Chan<Void> done = make();
                ReceiveOnly<String> c = Pike.boring(done, "Joe", pauses(millis));
                // when main listens with one timeout for the whole conversation
                Instant start = now();
                Pike.untilTimeIsUp(c, Duration.ofMillis(timeoutMillis));
                took[0] = since(start);
                done.close();
                assertNoGoroutineLeft();
            });
            lines = out.lines();
        }
        // then the loop ended exactly at the timeout, having heard every message that came before it
        assertEquals(Duration.ofMillis(timeoutMillis), took[0], "when the loop ended");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < expectedMessages; i++) {
            expected.add("Joe: " + i);
        }
        expected.add("You talk too much.");
        assertEquals(expected, lines);
    }

    // ---- Quit channel (quit.go, rcvquit.go) ----------------------------------------------------------------------

    // Proves quit.go's promise: after main's quit <- true, Joe says nothing more and his goroutine ends, with no
    // done anywhere; and main heard exactly his first messages, in order.
    @Property
    void theQuitChannelStopsTheGenerator(@ForAll @IntRange(min = 0, max = 9) int more,
                                         @ForAll @Size(11) List<@IntRange(min = 0, max = 1000) Integer> millis) {
        inBubble(() -> {
            // given Joe with a quit channel
            Chan<Boolean> quit = make();
            ReceiveOnly<String> c = Pike.boring("Joe", quit, pauses(millis));
            // when main hears 1 + more messages, then tells him to quit
            for (int i = 0; i <= more; i++) {
                assertEquals("Joe: " + i, c.receive());
            }
            quit.send(true);
            // then Joe is gone, and so is his goroutine
            assertNoGoroutineLeft();
        });
    }

    // Proves rcvquit.go's round trip: main goes on only once Joe has cleaned up, however long the clean-up takes,
    // exactly when it is done; and Joe's goroutine then ends.
    @Property
    void theQuitRoundTripLetsTheGeneratorCleanUpBeforeMainGoesOn(@ForAll @IntRange(min = 0, max = 9) int more,
                                                                @ForAll @Size(11) List<@IntRange(min = 0, max = 1000) Integer> millis,
                                                                @ForAll @IntRange(min = 0, max = 5000) int cleanupMillis) {
        Statistics.label("clean-up").collect(cleanupMillis == 0 ? "takes no time" : "takes time");
        List<String> events = new CopyOnWriteArrayList<>();
        inBubble(() -> {
            // given Joe with a quit channel, and a clean-up that takes a while and says when it is done
            Chan<String> quit = make();
            Instant[] cleanedUpAt = new Instant[1];
            ReceiveOnly<String> c = Pike.boring("Joe", quit, pauses(millis), () -> {
                sleep(Duration.ofMillis(cleanupMillis));
                cleanedUpAt[0] = now();
                events.add("cleaned up");
            });
            for (int i = 0; i <= more; i++) {
                c.receive();
            }
            // when main says "Bye!" and waits for the answer
            quit.send("Bye!");
            String answer = quit.receive();
            events.add("main goes on");
            // then the answer came once the clean-up was done, and at that very instant
            assertEquals("See you!", answer);
            assertEquals(cleanedUpAt[0], now(), "main went on when the clean-up ended");
            assertNoGoroutineLeft();
        });
        assertEquals(List.of("cleaned up", "main goes on"), events);
    }

    // ---- Daisy-chain (daisy.go) ----------------------------------------------------------------------------------

    // Proves that the daisy chain passes the value through n goroutines, each adding one: n + 1 reaches the
    // leftmost, with no time passing, and not one of the n + 1 goroutines is left.
    @Property(tries = 30)
    void theDaisyChainPassesTheValueThroughNGoroutinesAndLeavesNone(@ForAll @IntRange(min = 0, max = 5000) int n) {
        Statistics.label("gophers").collect(n == 0 ? "none" : n < 100 ? "1-99" : "100 or more");
        inBubble(() -> {
            Instant start = now();
            assertEquals(n + 1, Pike.daisyChain(n));
            assertEquals(Duration.ZERO, since(start), "a whisper takes no time");
            assertNoGoroutineLeft();
        });
    }

    // The talk's chain of 100,000 goroutines.
    @Example
    void theTalksDaisyChainOf100000Goroutines() {
        inBubble(() -> {
            assertEquals(100_001, Pike.daisyChain(100_000));
            assertNoGoroutineLeft();
        });
    }

    // A message arrives after the pauses before it: a sanity check of the test's own speaker, which the
    // fan-in property relies on to interleave the inputs.
    @Example
    void aSpeakerSpeaksAfterEachPause() {
        inBubble(() -> {
            Chan<Void> done = make();
            ReceiveOnly<Said> c = speaker(done, 1, List.of(7, 8), List.of(100, 250));
            Instant start = now();
            assertEquals(new Said(1, 7), c.receive());
            assertEquals(Duration.ofMillis(100), since(start));
            assertEquals(new Said(1, 8), c.receive());
            assertEquals(Duration.ofMillis(350), since(start));
            done.close();
            assertNoGoroutineLeft();
        });
    }
}
