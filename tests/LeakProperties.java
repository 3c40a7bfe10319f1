import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.statistics.Statistics;

/**
 * Properties of Leak.java: the fixed stages end once done closes, whenever that happens; the leaky ones really keep
 * a goroutine running, however long we wait, until the demo releases them.
 */
@PropertyDefaults(tries = 25)
@AddLifecycleHook(TestSupport.NoLeaks.class)
class LeakProperties {

    /** Leak.release, called from a goroutine so that what it prints is captured too. */
    static void release(Leak.Leaky<?> leak) throws InterruptedException {
        go(() -> {
            try {
                Leak.release(leak);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }).join();
    }

    @Property
    void theFixedDoWorkEndsOnceDoneCloses(@ForAll @IntRange(min = 0, max = 40) int cancelAfterMillis,
            @ForAll @Size(max = 5) List<@AlphaChars String> strings) {
        int baseline = goroutines();
        try (CapturedStdout out = new CapturedStdout()) {
            TestSupport.bounded(() -> {
                Chan<Void> done = make();
                Chan<String> stringStream = make(); // never closed: only done can end doWork
                ReceiveOnly<Void> terminated = Leak.doWork(done, stringStream);
                for (String s : strings) {
                    stringStream.send(s);
                }
                sleep(Duration.ofMillis(cancelAfterMillis));
                assertFalse(TestSupport.isClosed(terminated), "doWork ended before done closed");
                assertEquals(baseline + 1, goroutines(), "doWork's goroutine is running");
                done.close();
                terminated.receive();
                awaitGoroutines(baseline, TestSupport.LEAK_BOUND);
                return null;
            });
            List<String> expected = new ArrayList<>(strings);
            expected.add("doWork exited.");
            assertEquals(expected, out.lines(), "it prints what it got, then that it exited");
        }
    }

    @Property(tries = 10)
    void theLeakyDoWorkRunsUntilReleased(@ForAll @IntRange(min = 0, max = 100) int waitMillis) {
        int baseline = goroutines();
        try (CapturedStdout out = new CapturedStdout()) {
            TestSupport.bounded(() -> {
                Leak.Leaky<Void> leak = Leak.doWork(null);
                sleep(Duration.ofMillis(waitMillis));
                assertEquals(baseline + 1, goroutines(), "the leaked goroutine is still running");
                assertTrue(leak.goroutine().isAlive());
                assertFalse(TestSupport.isClosed(leak.stream()), "completed closed, yet nothing can end doWork(nil)");
                assertEquals(List.of(), out.lines());
                release(leak);
                assertEquals(baseline, goroutines(), "release ends it");
                assertTrue(TestSupport.isClosed(leak.stream()));
                return null;
            });
            assertEquals(List.of("Releasing the leak (Go cannot): interrupting its goroutine.", "doWork exited."),
                    out.lines());
        }
    }

    /** The consumer reads a few ints, closes done, and either stops reading or reads on until the stream closes. */
    @Property
    void theFixedNewRandStreamEndsOnceDoneCloses(@ForAll @IntRange(min = 0, max = 10) int reads,
            @ForAll long seed, @ForAll boolean drainAfterDone) {
        int baseline = goroutines();
        Random expected = new Random(seed);
        try (CapturedStdout out = new CapturedStdout()) {
            TestSupport.bounded(() -> {
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
                awaitGoroutines(baseline, TestSupport.LEAK_BOUND);
                return null;
            });
            assertEquals(List.of("newRandStream closure exited."), out.lines());
        }
        Statistics.label("after done").collect(drainAfterDone ? "drains the stream" : "stops reading");
    }

    @Property(tries = 10)
    void theLeakyNewRandStreamRunsUntilReleased(@ForAll @IntRange(min = 0, max = 5) int reads,
            @ForAll @IntRange(min = 0, max = 100) int waitMillis) {
        int baseline = goroutines();
        try (CapturedStdout out = new CapturedStdout()) {
            TestSupport.bounded(() -> {
                Leak.Leaky<Integer> leak = Leak.newRandStream(new Random(1));
                for (int i = 0; i < reads; i++) {
                    leak.stream().receive();
                }
                sleep(Duration.ofMillis(waitMillis));
                assertEquals(baseline + 1, goroutines(), "the writer is still running, blocked on its send");
                assertTrue(leak.goroutine().isAlive());
                release(leak);
                assertEquals(baseline, goroutines(), "release ends it");
                return null;
            });
            assertEquals(List.of("Releasing the leak (Go cannot): interrupting its goroutine.",
                    "newRandStream closure exited."), out.lines());
        }
    }
}
