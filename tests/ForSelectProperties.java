import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.statistics.Statistics;

/**
 * Properties of the two for-select shapes in ForSelect.java: both stop at their first look at done once it closes,
 * leaving nothing. No real-time bound: sendValues runs on virtual time, and workUntilDone is told when to stop by its
 * own work, so that what it did before and after can be counted exactly.
 */
@PropertyDefaults(tries = 40)
@AddLifecycleHook(TestSupport.NoLeaks.class)
class ForSelectProperties {

    /** Runs the body in a bubble, bounded in real time in case it hangs. */
    static <T> T inBubble(Supplier<T> body) {
        return TestSupport.bounded(() -> {
            AtomicReference<T> result = new AtomicReference<>();
            bubble(() -> result.set(body.get()));
            return result.get();
        });
    }

    @Property
    void sendValuesSendsEveryValueInOrderThenCloses(@ForAll @Size(max = 10) List<String> values) {
        List<String> got = TestSupport.bounded(() -> {
            Chan<Void> done = make();
            try {
                List<String> all = new ArrayList<>();
                for (String s : ForSelect.sendValues(done, values)) {
                    all.add(s);
                }
                return all;
            } finally {
                done.close();
            }
        });
        assertEquals(values, got);
    }

    /**
     * The consumer reads a prefix, closes done, then either stops reading or reads on until the stream closes. In
     * both cases the stage ends at once: on virtual time, with no time passing, once every goroutine has settled
     * (awaitBlocked). A reader that goes on may get a few more values (select picks at random between done and a
     * send that is also ready), but always the next ones, in order.
     */
    @Property
    void sendValuesStopsWhenDoneCloses(@ForAll @Size(max = 10) List<String> values,
            @ForAll @IntRange(min = 0, max = 10) int reads, @ForAll boolean readOnAfterDone) {
        int toRead = Math.min(reads, values.size());
        List<String> got = inBubble(() -> {
            Chan<Void> done = make();
            ReceiveOnly<String> stream = ForSelect.sendValues(done, values);
            List<String> read = new ArrayList<>();
            for (int i = 0; i < toRead; i++) {
                read.add(stream.receive());
            }
            Instant closedAt = now();
            done.close();
            if (readOnAfterDone) {
                for (String late : stream) {
                    read.add(late);
                }
            }
            awaitBlocked();
            assertEquals(0, goroutines(), "sendValues is still running after done closed");
            assertEquals(closedAt, now(), "time passed");
            return read;
        });
        assertEquals(values.subList(0, got.size()), got, "a prefix of the values, in order");
        assertTrue(got.size() >= toRead);
        if (!readOnAfterDone) {
            assertEquals(toRead, got.size());
        }
        Statistics.label("stopped").collect(toRead == values.size() ? "after the last value" : "early");
        Statistics.label("late values").collect(got.size() - toRead);
    }

    /**
     * workUntilDone works until done closes, and stops at its next look at done: done is closed by the k-th unit of
     * work itself (or before the loop starts, for k = 0), and the loop reports exactly k units and starts no other.
     * Its default-case loop never blocks, so virtual time could not help here (nor can Go's synctest); counting
     * units is exact instead. A loop that looked at done only every other unit, or stopped early, fails.
     */
    @Property(tries = 30)
    void workUntilDoneStopsAtItsFirstLookAtDone(@ForAll @IntRange(min = 0, max = 200) int k) {
        TestSupport.bounded(() -> {
            Chan<Void> done = make();
            AtomicLong started = new AtomicLong();
            if (k == 0) {
                done.close();
            }
            ReceiveOnly<Long> unitsDone = ForSelect.workUntilDone(done, x -> {
                if (started.incrementAndGet() == k) {
                    done.close();
                }
                return ForSelect.unitOfWork(x);
            });
            assertEquals(k, unitsDone.receive(), "units reported");
            assertEquals(k, started.get(), "units started");
            assertFalse(unitsDone.receiveOk().ok(), "it closes its result channel after the count");
            return null;
        });
    }

    /**
     * The demo ends on one carrier thread, as on a machine with one CPU: workUntilDone calls gosched() on each turn,
     * so the goroutine that closes done (started by a timer) gets to run. Without it the loop keeps the only
     * carrier and never ends. It runs in a JVM of its own, since the number of carriers is fixed when a JVM starts.
     * The bound only tells a hang from a slow start: the demo works for 200ms and a JVM starts in about a second,
     * but this machine may be busy (or paused by tests/chaos).
     */
    @Example
    void theDemoEndsOnOneCarrierThread() throws Exception {
        DeadlockReportTest.Run run = DeadlockReportTest.run(ForSelect.class, DeadlockReportTest.BOUND, Map.of(),
                "-Djdk.virtualThreadScheduler.parallelism=1");
        assertFalse(run.killed(), "the demo did not end on one carrier thread within " + DeadlockReportTest.BOUND
                + "\n" + run.describe());
        assertEquals(0, run.status(), run.describe());
        assertTrue(run.out().matches("(?s).*Worked until done closed: \\d+ units of work.*"), run.describe());
    }
}
