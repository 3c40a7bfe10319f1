import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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
        return chanStream(done, sizes, kind, outer, lastLeftOpen, () -> { });
    }

    /** chanStream(...), which runs taken each time bridge has taken an inner stream. */
    static ReceiveOnly<ReceiveOnly<Integer>> chanStream(ReceiveOnly<?> done, List<Integer> sizes, Inner kind,
                                                        Outer outer, boolean lastLeftOpen, Runnable taken) {
        Chan<ReceiveOnly<Integer>> chanStream = make();
        go(() -> {
            for (int s = 0; outer == Outer.ENDLESS ? !sizes.isEmpty() : s < sizes.size(); s++) {
                boolean leftOpen = lastLeftOpen && outer != Outer.ENDLESS && s == sizes.size() - 1;
                ReceiveOnly<Integer> stream = inner(done, s, sizes.get(s % sizes.size()), kind, leftOpen);
                if (select(onReceive(done), onSend(chanStream, stream)).index() == 0) {
                    break;
                }
                taken.run();
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

    // Proves that closing done at a random moment stops bridge cleanly, whether chanStream closes, is left open for
    // good or never ends, and whether the last inner stream is left open for good: a consumer still ranging sees
    // its loop end promptly, one that stops reading strands nothing (the bubble reports a goroutine left blocked as
    // a Deadlock, and the NoLeaks hook sees every goroutine end), and what arrived while done was open is exactly a
    // prefix of the concatenation, with anything after it in order.
    //
    // It runs in a bubble, on virtual time, so that "promptly" is exact. Nothing in bridge, orDone or chanStream
    // waits for time, and once done is closed nothing waits for anything but the consumer: every select they make
    // has a case on done. Virtual time moves only when every goroutine waits. So when the consumer's loop ends
    // (after done closed, or by itself when chanStream closed), the time is exactly the later of two moments: when
    // done closed, and when the consumer's own last pause ended. The consumer may be mid-pause when done closes, or
    // take a few more values, each followed by a pause; but no time passes that it did not spend in its own pauses.
    //
    // The random moment: a closer closes done once the consumer has k values or bridge has taken k inner streams,
    // or after a random virtual delay if that comes first. The delay can only run out when every goroutine waits
    // (the consumer in a pause, or nobody reading), which is how done can close in the middle of a pause. It cannot
    // hang the bubble: goroutines that run on without ever all waiting are moving values to the consumer or taking
    // inner streams (an endless chanStream of empty streams), and they reach k.
    @Property
    void doneAtARandomMomentStopsBridgeCleanly(@ForAll("sizes") List<Integer> sizes, @ForAll Inner kind,
                                               @ForAll Outer outer, @ForAll boolean lastLeftOpen,
                                               @ForAll @IntRange(min = 0, max = 30) int k,
                                               @ForAll @IntRange(min = 0, max = 3000) int delayMicros,
                                               @ForAll boolean keepsReading, @ForAll boolean pauses,
                                               @ForAll Random random) {
        Statistics.label("chanStream").collect(outer);
        AtomicReference<List<Integer>> whileOpen = new AtomicReference<>();
        AtomicReference<List<Integer>> received = new AtomicReference<>();
        AtomicReference<String> closedBy = new AtomicReference<>();
        AtomicReference<String> loopEnd = new AtomicReference<>("the consumer stopped reading");
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        long seed = random.nextLong();
        TestSupport.bounded(() -> {
            bubble(() -> {
                Instant start = now();
                Chan<Void> done = make();
                Chan<Void> haveKValues = make();
                Chan<Void> haveKStreams = make();
                AtomicInteger streamsTaken = new AtomicInteger();
                AtomicReference<Instant> closedAt = new AtomicReference<>();
                go(() -> { // the closer
                    Timer delay = newTimer(Duration.ofNanos(delayMicros * 1000L));
                    try {
                        closedBy.set(switch (select(onReceive(haveKValues), onReceive(haveKStreams),
                                onReceive(delay.c())).index()) {
                            case 0 -> "after k values";
                            case 1 -> "after k inner streams";
                            default -> "after the virtual delay";
                        });
                    } finally {
                        delay.stop();
                    }
                    closedAt.set(now());
                    done.close();
                });
                if (k == 0) {
                    haveKValues.close();
                }
                ReceiveOnly<Integer> out = Bridge.bridge(done, chanStream(done, sizes, kind, outer, lastLeftOpen, () -> {
                    if (streamsTaken.incrementAndGet() == k) {
                        haveKStreams.close();
                    }
                }));
                Random pace = new Random(seed);
                List<Integer> got = new ArrayList<>();
                List<Integer> gotWhileOpen = new ArrayList<>();
                while (true) {
                    if (pauses) {
                        sleep(Duration.ofNanos(pace.nextInt(1_500_000))); // a consumer with work to do per value
                    }
                    Instant pauseEnded = now();
                    Received<Integer> r = out.receiveOk();
                    if (!r.ok()) {
                        Instant end = now();
                        Instant closed = closedAt.get(); // null if the loop ended by itself before done closed
                        Instant expected = closed == null ? pauseEnded : later(closed, pauseEnded);
                        if (!end.equals(expected)) {
                            violations.add("the loop ended at +" + Duration.between(start, end) + ", done closed at "
                                    + (closed == null ? "-" : "+" + Duration.between(start, closed))
                                    + ", the last pause ended at +" + Duration.between(start, pauseEnded)
                                    + " (virtual time since the start)");
                        }
                        loopEnd.set(closed == null ? "by itself, done open"
                                : end.equals(closed) ? "when done closed" : "after done closed, at the end of a pause");
                        break;
                    }
                    got.add(r.value());
                    if (!isClosed(done)) {
                        gotWhileOpen.add(r.value());
                    }
                    if (got.size() == k) {
                        haveKValues.close();
                    }
                    if (got.size() >= k && !keepsReading) {
                        break; // abandon the loop: bridge must not stay blocked sending to nobody
                    }
                }
                receive(done); // the closer has run, so its goroutine ends too
                whileOpen.set(gotWhileOpen);
                received.set(got);
            });
            return null;
        });
        Statistics.label("done closed").collect(closedBy.get());
        Statistics.label("the loop ended").collect(loopEnd.get());
        assertTrue(violations.isEmpty(), String.join("\n", violations));
        boolean endless = outer == Outer.ENDLESS;
        assertEquals(concatenation(sizes, endless, whileOpen.get().size()), whileOpen.get(),
                "while done was open, the output must be the concatenation");
        for (int i = 1; i < received.get().size(); i++) {
            assertTrue(received.get().get(i - 1) < received.get().get(i),
                    "out of order or repeated: " + received.get());
        }
        for (int v : received.get()) {
            int s = v / 100;
            boolean exists = !sizes.isEmpty() && (endless || s < sizes.size()) && v % 100 < sizes.get(s % sizes.size());
            assertTrue(exists, v + " is in no inner stream: " + received.get());
        }
    }

    /** The later of two instants. */
    static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
