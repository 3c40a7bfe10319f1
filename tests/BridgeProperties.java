import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.statistics.Statistics;

/** Properties of Bridge.bridge: the output is the inner streams concatenated in order; done stops it cleanly. */
@PropertyDefaults(tries = 80)
// propagateTo is needed: a hook on a class reaches its properties' tries only when propagated (jqwik's default for
// a hook is NO_DESCENDANTS, which silently skips the leak check).
@AddLifecycleHook(value = TestSupport.NoLeaks.class, propagateTo = PropagationMode.ALL_DESCENDANTS)
class BridgeProperties {

    static final Duration PROMPTLY = Duration.ofSeconds(2);

    /** The sizes of the inner streams: 0 to 10 streams of 0 to 10 values each. */
    @Provide
    Arbitrary<List<Integer>> sizes() {
        return Arbitraries.integers().between(0, 10).list().ofMaxSize(10);
    }

    /** The j-th value of inner stream s: distinct, and increasing along the concatenation. */
    static int value(int s, int j) {
        return s * 100 + j;
    }

    /** How an inner stream is made: already filled and closed (the book's genVals), or fed by its own goroutine. */
    enum Inner { PREFILLED, LIVE }

    /**
     * Inner stream s: its values, then closed; or, left open, never closed at all, its sender gone (a channel our
     * done does not reach: only bridge's own select on done, through orDone, can leave it then).
     */
    static ReceiveOnly<Integer> inner(ReceiveOnly<?> done, int s, int size, Inner kind, boolean leftOpen) {
        if (kind == Inner.PREFILLED) {
            Chan<Integer> stream = make(size);
            for (int j = 0; j < size; j++) {
                stream.send(value(s, j));
            }
            if (!leftOpen) {
                stream.close();
            }
            return stream;
        }
        Chan<Integer> stream = make();
        go(() -> {
            for (int j = 0; j < size; j++) {
                if (select(onReceive(done), onSend(stream, value(s, j))).index() == 0) {
                    break;
                }
            }
            if (!leftOpen) {
                stream.close();
            }
        });
        return stream;
    }

    /** What chanStream does after its inner streams: closes; is left open for good; or never ends (until done). */
    enum Outer { CLOSES, LEFT_OPEN, ENDLESS }

    /**
     * The channel of channels: inner stream s has sizes[s] values (ENDLESS cycles through sizes until done); with
     * lastLeftOpen, the last inner stream of a finite chanStream is never closed.
     */
    static ReceiveOnly<ReceiveOnly<Integer>> chanStream(ReceiveOnly<?> done, List<Integer> sizes, Inner kind,
                                                        Outer outer, boolean lastLeftOpen) {
        Chan<ReceiveOnly<Integer>> chanStream = make();
        go(() -> {
            for (int s = 0; outer == Outer.ENDLESS ? !sizes.isEmpty() : s < sizes.size(); s++) {
                boolean leftOpen = lastLeftOpen && outer != Outer.ENDLESS && s == sizes.size() - 1;
                ReceiveOnly<Integer> stream = inner(done, s, sizes.get(s % sizes.size()), kind, leftOpen);
                if (select(onReceive(done), onSend(chanStream, stream)).index() == 0) {
                    break;
                }
            }
            if (outer == Outer.ENDLESS) {
                receive(done); // without sizes the loop never ran: an endless stream of nothing lasts until done
            }
            if (outer != Outer.LEFT_OPEN) {
                chanStream.close();
            }
        });
        return chanStream;
    }

    /** The first n values of the concatenation (fewer if it has fewer). */
    static List<Integer> concatenation(List<Integer> sizes, boolean endless, int n) {
        List<Integer> values = new ArrayList<>();
        int total = sizes.stream().mapToInt(Integer::intValue).sum();
        for (int s = 0; values.size() < n && (endless ? total > 0 : s < sizes.size()); s++) {
            for (int j = 0; j < sizes.get(s % sizes.size()) && values.size() < n; j++) {
                values.add(value(s, j));
            }
        }
        return values;
    }

    // Proves that bridge's output is exactly the concatenation of the inner streams, in order, for any number and
    // sizes of inner streams (empty ones included), however they are fed.
    @Property
    void outputIsTheConcatenationOfTheInnerStreams(@ForAll("sizes") List<Integer> sizes, @ForAll Inner kind) {
        Statistics.label("inner streams").collect(sizes.isEmpty() ? "none" : sizes.size() == 1 ? "one" : "several");
        Statistics.label("an empty inner stream").collect(sizes.contains(0));
        List<Integer> received = TestSupport.bounded(() -> {
            Chan<Void> done = make();
            try {
                List<Integer> got = new ArrayList<>();
                for (int v : Bridge.bridge(done, chanStream(done, sizes, kind, Outer.CLOSES, false))) {
                    got.add(v);
                }
                return got;
            } finally {
                done.close();
            }
        });
        assertEquals(concatenation(sizes, false, Integer.MAX_VALUE), received);
    }

    // Proves that closing done at a random moment (after the consumer has k values, or after a random delay if
    // that comes first) stops bridge cleanly, whether chanStream closes, is left open for good or never ends, and
    // whether the last inner stream is left open for good: a consumer still ranging sees its loop end promptly,
    // one that stops reading strands nothing (the NoLeaks hook sees every goroutine end), and what arrived while
    // done was open is exactly a prefix of the concatenation, with anything after it in order.
    @Property
    void doneAtARandomMomentStopsBridgeCleanly(@ForAll("sizes") List<Integer> sizes, @ForAll Inner kind,
                                               @ForAll Outer outer, @ForAll boolean lastLeftOpen,
                                               @ForAll @IntRange(min = 0, max = 30) int k,
                                               @ForAll @IntRange(min = 0, max = 3000) int delayMicros,
                                               @ForAll boolean keepsReading) {
        Statistics.label("chanStream").collect(outer);
        List<Integer> whileOpen = new ArrayList<>();
        List<Integer> received = TestSupport.bounded(() -> {
            Chan<Void> done = make();
            Chan<Void> haveK = make();
            AtomicLong closedAt = new AtomicLong();
            go(() -> { // closes done when the consumer has k values, or after the delay
                Timer timer = newTimer(Duration.ofNanos(delayMicros * 1000L));
                try {
                    select(onReceive(haveK), onReceive(timer.c()));
                } finally {
                    timer.stop();
                }
                closedAt.set(System.nanoTime());
                done.close();
            });
            if (k == 0) {
                haveK.close();
            }
            List<Integer> got = new ArrayList<>();
            boolean ended = true;
            for (int v : Bridge.bridge(done, chanStream(done, sizes, kind, outer, lastLeftOpen))) {
                got.add(v);
                if (!TestSupport.isClosed(done)) {
                    whileOpen.add(v);
                }
                if (got.size() == k) {
                    haveK.close();
                }
                if (got.size() >= k && !keepsReading) {
                    ended = false;
                    break; // abandon the loop: bridge must not stay blocked sending to nobody
                }
            }
            if (ended && closedAt.get() != 0) { // the loop ended after done closed: it must have been prompt
                long since = System.nanoTime() - closedAt.get();
                assertTrue(since < PROMPTLY.toNanos(), "the loop took " + Duration.ofNanos(since) + " to end");
            }
            receive(done); // the closer has run, so its goroutine ends too
            return got;
        });
        boolean endless = outer == Outer.ENDLESS;
        assertEquals(concatenation(sizes, endless, whileOpen.size()), whileOpen,
                "while done was open, the output must be the concatenation");
        for (int i = 1; i < received.size(); i++) {
            assertTrue(received.get(i - 1) < received.get(i), "out of order or repeated: " + received);
        }
        for (int v : received) {
            int s = v / 100;
            boolean exists = !sizes.isEmpty() && (endless || s < sizes.size()) && v % 100 < sizes.get(s % sizes.size());
            assertTrue(exists, v + " is in no inner stream: " + received);
        }
    }
}
