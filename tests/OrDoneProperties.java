import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.statistics.Statistics;

/**
 * Properties of OrDone.orDone: it forwards everything until its input closes, and stops at once on done. The tries
 * that depend on time run in a bubble, on virtual time, where "at once" is exact: no time passes between closing done
 * and the end of the loop.
 */
@PropertyDefaults(tries = 100)
// propagateTo is needed: a hook on a class reaches its properties' tries only when propagated (jqwik's default for
// a hook is NO_DESCENDANTS, which silently skips the leak check).
@AddLifecycleHook(value = TestSupport.NoLeaks.class, propagateTo = PropagationMode.ALL_DESCENDANTS)
class OrDoneProperties {

    /** Runs the body in a bubble, bounded in real time in case a goroutine spins instead of blocking. */
    static void inBubble(Runnable body) {
        TestSupport.bounded(() -> {
            bubble(body);
            return null;
        });
    }

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
                assertFalse(isClosed(done));
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
    // end at once, one that stops reading strands nothing, and what arrived is right: the first k values in order,
    // then possibly a few more (Go's random select may still hand one over) but never out of order; from an input
    // that sent only k values (and then went quiet, or was left open for good), exactly those k. Afterwards no
    // goroutine is left: neither orDone's nor the input's.
    //
    // Nothing here waits on a timer, so the clock moves only if orDone makes it move (say, by polling done with a
    // timeout): "at once" is then exact, no time between closing done and the last value or the loop's end. A loop
    // that never ended would be a deadlock, which bubble() throws with the dump.
    @Property
    void stopsAtOnceWhenDoneCloses(@ForAll @IntRange(min = 0, max = 20) int k,
                                   @ForAll Input input,
                                   @ForAll Closer closer,
                                   @ForAll boolean keepsReading) {
        Statistics.label("k").collect(k == 0 ? "0" : k <= 3 ? "1-3" : "4-20");
        List<Integer> received = new ArrayList<>();
        inBubble(() -> {
            Chan<Void> done = make();
            Chan<Void> haveK = make();
            AtomicReference<Instant> closedAt = new AtomicReference<>();
            Runnable closeDone = () -> {
                closedAt.set(now());
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
            for (int v : OrDone.orDone(done, counter(done, input, k))) {
                received.add(v);
                if (received.size() == k) {
                    reachedK.run();
                }
                if (received.size() >= k && !keepsReading) {
                    break; // abandon the loop: orDone must not stay blocked sending to nobody
                }
                if (received.size() > k && closedAt.get() != null) {
                    assertEquals(Duration.ZERO, since(closedAt.get()), "still receiving after done closed: " + v);
                }
            }
            if (keepsReading) {
                assertEquals(Duration.ZERO, since(closedAt.get()), "the loop ended after done closed, not at once");
            } else {
                receive(done); // the consumer may have abandoned before another goroutine closed done
            }
            awaitBlocked();
            assertEquals(0, goroutines(), "goroutines left: orDone's or the input's");
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

    // The script's second run: the input sends k values and goes quiet (or is left open), done closes after a
    // while; the consumer's plain loop ends exactly then, with exactly those k values.
    // (Not from an ENDLESS input: while it sends, nobody blocks, so the clock could never reach closeAfter.)
    @Property
    void endsExactlyWhenDoneCloses(@ForAll @IntRange(min = 0, max = 20) int k,
                                   @ForAll boolean leftOpen,
                                   @ForAll("delays") Duration closeAfter) {
        Input input = leftOpen ? Input.LEFT_OPEN : Input.GOES_QUIET;
        inBubble(() -> {
            Chan<Void> done = make();
            Instant start = now();
            afterFunc(closeAfter, done::close);
            List<Integer> got = new ArrayList<>();
            for (int v : OrDone.orDone(done, counter(done, input, k))) {
                got.add(v);
            }
            assertEquals(closeAfter, since(start), "the loop must end when done closes");
            assertEquals(IntStream.range(0, k).boxed().toList(), got);
            awaitBlocked();
            assertEquals(0, goroutines(), "goroutines left: orDone's or the input's");
        });
    }

    /**
     * From a millisecond to a day: on virtual time all cost the same. Never zero: done closing at the very start
     * could cut the k values short.
     */
    @Provide
    Arbitrary<Duration> delays() {
        return Arbitraries.oneOf(
                Arbitraries.longs().between(1, 1_000).map(Duration::ofMillis),
                Arbitraries.longs().between(1, 3_600).map(Duration::ofSeconds),
                Arbitraries.longs().between(1, 24).map(Duration::ofHours));
    }

    // A nil input never delivers and never closes: only done ends the loop, exactly when it closes.
    @Example
    void nilInputEndsOnDone() {
        inBubble(() -> {
            Chan<Void> done = make();
            Instant start = now();
            afterFunc(Duration.ofHours(1), done::close);
            int count = 0;
            for (Object ignored : OrDone.orDone(done, (ReceiveOnly<Object>) null)) {
                count++;
            }
            assertEquals(0, count);
            assertEquals(Duration.ofHours(1), since(start), "the loop must end when done closes");
            awaitBlocked();
            assertEquals(0, goroutines(), "orDone's goroutine is left");
        });
    }
}
