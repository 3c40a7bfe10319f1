import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.statistics.Statistics;

/** Properties of OrDone.orDone: it forwards everything until its input closes, and stops promptly on done. */
@PropertyDefaults(tries = 100)
// propagateTo is needed: a hook on a class reaches its properties' tries only when propagated (jqwik's default for
// a hook is NO_DESCENDANTS, which silently skips the leak check).
@AddLifecycleHook(value = TestSupport.NoLeaks.class, propagateTo = PropagationMode.ALL_DESCENDANTS)
class OrDoneProperties {

    /** A generous bound for "stops promptly once done is closed": about liveness, not speed. */
    static final Duration PROMPTLY = Duration.ofSeconds(2);

    /**
     * What the input does: sends forever; sends its first values and then nothing, closing only when done closes;
     * or sends them and is left open for good, its sender gone (a channel owned by a part of the system that our
     * done does not reach: only orDone's own select on done can end the loop then). Every sender stops on done,
     * so that a test leaves no goroutine of its own behind.
     */
    enum Input { ENDLESS, GOES_QUIET, LEFT_OPEN }

    /** Sends 0, 1, 2, ...: forever (ENDLESS), or only the first `values` of them (see Input). */
    static ReceiveOnly<Integer> counter(ReceiveOnly<?> done, Input input, int values) {
        Chan<Integer> c = make();
        go(() -> {
            for (int i = 0; input == Input.ENDLESS || i < values; i++) {
                if (select(onReceive(done), onSend(c, i)).index() == 0) {
                    break;
                }
            }
            if (input != Input.LEFT_OPEN) {
                receive(done); // quiet, but open, until done
                c.close();
            }
        });
        return c;
    }

    // Proves that orDone forwards every value of its input, in order, and ends the consumer's loop when the input
    // closes, with done still open, whatever the input's buffer.
    @Property
    void forwardsEveryValueUntilTheInputCloses(@ForAll @Size(max = 50) List<Integer> values,
                                               @ForAll @IntRange(min = 0, max = 3) int capacity) {
        Statistics.label("values").collect(values.isEmpty() ? "none" : values.size() == 1 ? "one" : "several");
        List<Integer> received = TestSupport.bounded(() -> {
            Chan<Void> done = make();
            try {
                List<Integer> got = new ArrayList<>();
                for (int v : OrDone.orDone(done, TestSupport.producer(done, values, capacity))) {
                    got.add(v);
                }
                assertFalse(TestSupport.isClosed(done));
                return got;
            } finally {
                done.close();
            }
        });
        assertEquals(values, received);
    }

    /** Who closes done: the consumer itself after k values, or another goroutine once it has them. */
    enum Closer { CONSUMER, OTHER_GOROUTINE }

    // Proves that once done closes (after the consumer has k values), a consumer that keeps ranging sees its loop
    // end promptly, one that stops reading strands nothing, and what arrived is right: the first k values in
    // order, then possibly a few more (Go's random select may still hand one over) but never out of order; from an
    // input that sent only k values (and then went quiet, or was left open for good), exactly those k. Afterwards
    // no goroutine is left (the NoLeaks hook): neither orDone's nor the input's.
    @Property
    void stopsPromptlyOnceDoneCloses(@ForAll @IntRange(min = 0, max = 20) int k,
                                     @ForAll Input input,
                                     @ForAll Closer closer,
                                     @ForAll boolean keepsReading) {
        Statistics.label("k").collect(k == 0 ? "0" : k <= 3 ? "1-3" : "4-20");
        List<Integer> received = TestSupport.bounded(() -> {
            Chan<Void> done = make();
            Chan<Void> haveK = make();
            AtomicLong closedAt = new AtomicLong();
            Runnable closeDone = () -> {
                closedAt.set(System.nanoTime());
                done.close();
            };
            if (closer == Closer.OTHER_GOROUTINE) {
                go(() -> {
                    receive(haveK);
                    closeDone.run();
                });
            }
            Runnable reachedK = closer == Closer.CONSUMER ? closeDone : haveK::close;
            if (k == 0) {
                reachedK.run();
            }
            List<Integer> got = new ArrayList<>();
            for (int v : OrDone.orDone(done, counter(done, input, k))) {
                got.add(v);
                if (got.size() == k) {
                    reachedK.run();
                }
                if (got.size() >= k && !keepsReading) {
                    break; // abandon the loop: orDone must not stay blocked sending to nobody
                }
                if (got.size() > k) {
                    long since = closedAt.get() == 0 ? 0 : System.nanoTime() - closedAt.get();
                    assertTrue(since < PROMPTLY.toNanos(),
                            "still receiving " + Duration.ofNanos(since) + " after done closed: " + v);
                }
            }
            if (keepsReading) {
                long since = System.nanoTime() - closedAt.get();
                assertTrue(since < PROMPTLY.toNanos(), "the loop took " + Duration.ofNanos(since) + " to end");
            }
            if (!TestSupport.isClosed(done)) { // the consumer abandoned before another goroutine closed done
                receive(done);
            }
            return got;
        });
        Statistics.label("after done closed").collect(received.size() > k ? "more values arrived" : "none arrived");
        assertTrue(received.size() >= k, "only " + received.size() + " values before done closed, wanted " + k);
        for (int i = 0; i < k; i++) {
            assertEquals(i, received.get(i), "value " + i + " of " + received);
        }
        for (int i = 1; i < received.size(); i++) {
            assertTrue(received.get(i - 1) < received.get(i), "out of order or repeated: " + received);
        }
        if (input != Input.ENDLESS) {
            assertEquals(k, received.size(), "the input sent only " + k + " values: " + received);
        }
    }

    // A nil input never delivers and never closes: only done ends the loop.
    @Example
    void nilInputEndsOnDone() {
        TestSupport.bounded(() -> {
            Chan<Void> done = make();
            afterFunc(Duration.ofMillis(20), done::close);
            int count = 0;
            for (Object ignored : OrDone.orDone(done, (ReceiveOnly<Object>) null)) {
                count++;
            }
            assertEquals(0, count);
            assertTrue(TestSupport.isClosed(done));
            return null;
        });
    }
}
