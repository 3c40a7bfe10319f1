import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.statistics.Statistics;

/**
 * Properties of Leak.java: the fixed stages end once done closes, whenever that happens; the leaky ones really keep
 * a goroutine running, however long we wait, until the demo releases them. Each try runs in a bubble, on virtual
 * time: waiting a week costs nothing, and awaitBlocked() tells when every goroutine has settled, so the counts of
 * goroutines are exact.
 */
@PropertyDefaults(tries = 100)
@AddLifecycleHook(TestSupport.NoLeaks.class)
class LeakProperties {

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

    /** Leak.release, with its InterruptedException (the test's goroutine is never interrupted) as a failure. */
    static void release(Leak.Leaky<?> leak) {
        try {
            Leak.release(leak);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** From nothing to a week, in steps of a millisecond, a minute or an hour: on virtual time all cost the same. */
    @Provide
    Arbitrary<Duration> waits() {
        return Arbitraries.oneOf(
                Arbitraries.longs().between(0, 1_000).map(Duration::ofMillis),
                Arbitraries.longs().between(1, 60).map(Duration::ofMinutes),
                Arbitraries.longs().between(1, 7 * 24).map(Duration::ofHours));
    }

    @Property
    void theFixedDoWorkEndsOnceDoneCloses(@ForAll("waits") Duration cancelAfter,
            @ForAll @Size(max = 5) List<@AlphaChars String> strings) {
        try (CapturedStdout out = new CapturedStdout()) {
            inBubble(() -> {
                Chan<Void> done = make();
                Chan<String> stringStream = make(); // never closed: only done can end doWork
                ReceiveOnly<Void> terminated = Leak.doWork(done, stringStream);
                for (String s : strings) {
                    stringStream.send(s);
                }
                sleep(cancelAfter);
                assertFalse(isClosed(terminated), "doWork ended before done closed");
                assertEquals(1, goroutines(), "doWork's goroutine is running");
                Instant closedAt = now();
                done.close();
                terminated.receive();
                assertEquals(Duration.ZERO, since(closedAt), "doWork must end at once when done closes");
                awaitBlocked();
                assertEquals(0, goroutines(), "doWork's goroutine is left");
            });
            List<String> expected = new ArrayList<>(strings);
            expected.add("doWork exited.");
            assertEquals(expected, out.lines(), "it prints what it got, then that it exited");
        }
    }

    @Property(tries = 25)
    void theLeakyDoWorkRunsUntilReleased(@ForAll("waits") Duration wait) {
        try (CapturedStdout out = new CapturedStdout()) {
            inBubble(() -> {
                Leak.Leaky<Void> leak = Leak.doWork(null);
                sleep(wait);
                awaitBlocked();
                assertEquals(1, goroutines(), "the leaked goroutine is still running after " + wait);
                assertTrue(leak.goroutine().isAlive());
                assertFalse(isClosed(leak.stream()), "completed closed, yet nothing can end doWork(nil)");
                assertEquals(List.of(), out.lines());
                release(leak);
                assertEquals(0, goroutines(), "release ends it");
                assertTrue(isClosed(leak.stream()));
            });
            assertEquals(List.of("Releasing the leak (Go cannot): interrupting its goroutine.", "doWork exited."),
                    out.lines());
        }
    }

    /** The consumer reads a few ints, closes done, and either stops reading or reads on until the stream closes. */
    @Property
    void theFixedNewRandStreamEndsOnceDoneCloses(@ForAll @IntRange(min = 0, max = 10) int reads,
            @ForAll long seed, @ForAll boolean drainAfterDone) {
        Random expected = new Random(seed);
        try (CapturedStdout out = new CapturedStdout()) {
            inBubble(() -> {
                Chan<Void> done = make();
                ReceiveOnly<Integer> randStream = Leak.newRandStream(done, new Random(seed));
                for (int i = 0; i < reads; i++) {
                    assertEquals(expected.nextInt(), randStream.receive(), "int " + i);
                }
                done.close();
                if (drainAfterDone) { // it may still hand over an int or two, in sequence, then it closes
                    for (int late : randStream) {
                        assertEquals(expected.nextInt(), late);
                    }
                }
                awaitBlocked();
                assertEquals(0, goroutines(), "newRandStream's goroutine is left after done closed");
            });
            assertEquals(List.of("newRandStream closure exited."), out.lines());
        }
        Statistics.label("after done").collect(drainAfterDone ? "drains the stream" : "stops reading");
    }

    @Property(tries = 25)
    void theLeakyNewRandStreamRunsUntilReleased(@ForAll @IntRange(min = 0, max = 5) int reads,
            @ForAll("waits") Duration wait) {
        try (CapturedStdout out = new CapturedStdout()) {
            inBubble(() -> {
                Leak.Leaky<Integer> leak = Leak.newRandStream(new Random(1));
                for (int i = 0; i < reads; i++) {
                    leak.stream().receive();
                }
                sleep(wait);
                awaitBlocked();
                assertEquals(1, goroutines(), "the writer is still running after " + wait + ", blocked on its send");
                assertTrue(leak.goroutine().isAlive());
                release(leak);
                assertEquals(0, goroutines(), "release ends it");
            });
            assertEquals(List.of("Releasing the leak (Go cannot): interrupting its goroutine.",
                    "newRandStream closure exited."), out.lines());
        }
    }
}
