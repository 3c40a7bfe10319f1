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
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.statistics.Statistics;

/** Properties of Tee.tee: both outputs get the whole input, in order, in lockstep; done stops it cleanly. */
@PropertyDefaults(tries = 60)
// propagateTo is needed: a hook on a class reaches its properties' tries only when propagated (jqwik's default for
// a hook is NO_DESCENDANTS, which silently skips the leak check).
@AddLifecycleHook(value = TestSupport.NoLeaks.class, propagateTo = PropagationMode.ALL_DESCENDANTS)
class TeeProperties {

    /** How a consumer paces itself before each receive. */
    enum Pace { FAST, YIELDS, SLEEPS, MIXED }

    static void pause(Pace pace, Random random) {
        Pace p = pace == Pace.MIXED ? Pace.values()[random.nextInt(3)] : pace;
        switch (p) {
            case YIELDS -> Thread.yield();
            case SLEEPS -> sleep(Duration.ofNanos(random.nextInt(1_500_000)));
            default -> { }
        }
    }

    // Proves that both outputs receive exactly the input sequence, in order, whatever the speed of each consumer,
    // and that they advance in lockstep.
    //
    // The lockstep check, and why it is sound: each consumer counts its receive *attempts*, incrementing its
    // counter just before each receive. Tee sends value i (counting from 1) to one output only after it has sent
    // value i-1 to the other, and that send completed only when the other consumer's receive, begun after its
    // (i-1)-th increment, took it. So the increment happens-before the send of i-1, which happens-before the send
    // of i, which happens-before this consumer's receive returns: right after receiving value i, a consumer must
    // read the other's attempts as at least i-1. Counting completed receives instead would be unsound (the other
    // consumer may have received i-1 and not yet counted it). A tee that buffers, or lets one output run ahead,
    // fails the check as soon as one consumer is slow: the fast one gets value i while the slow one has not even
    // started to receive value i-1.
    @Property
    void bothOutputsGetTheInputInOrderAndInLockstep(@ForAll @Size(max = 40) List<Integer> values,
                                                    @ForAll Pace pace1, @ForAll Pace pace2,
                                                    @ForAll Random random) {
        Statistics.label("values").collect(values.isEmpty() ? "none" : values.size() == 1 ? "one" : "several");
        Statistics.label("paces").collect(pace1 == pace2 ? "same" : "different");
        List<List<Integer>> received = List.of(new ArrayList<>(), new ArrayList<>());
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        AtomicInteger[] attempts = {new AtomicInteger(), new AtomicInteger()};
        long seed1 = random.nextLong();
        long seed2 = random.nextLong();
        TestSupport.bounded(() -> {
            Chan<Void> done = make();
            try {
                Tee.Pair<Integer> outs = Tee.tee(done, TestSupport.producer(done, values, 0));
                List<ReceiveOnly<Integer>> out = List.of(outs.out1(), outs.out2());
                Pace[] paces = {pace1, pace2};
                long[] seeds = {seed1, seed2};
                WaitGroup wg = new WaitGroup();
                wg.add(2);
                for (int me = 0; me < 2; me++) {
                    int self = me;
                    int other = 1 - me;
                    go(() -> {
                        try {
                            Random myRandom = new Random(seeds[self]);
                            while (true) {
                                pause(paces[self], myRandom);
                                attempts[self].incrementAndGet();
                                Received<Integer> r = out.get(self).receiveOk();
                                if (!r.ok()) {
                                    return;
                                }
                                received.get(self).add(r.value());
                                int i = received.get(self).size();
                                int otherAttempts = attempts[other].get();
                                if (otherAttempts < i - 1) {
                                    violations.add("out" + (self + 1) + " got value " + i + " while out" + (other + 1)
                                            + " had attempted only " + otherAttempts + " receives");
                                }
                            }
                        } finally {
                            wg.done();
                        }
                    });
                }
                wg.await();
            } finally {
                done.close();
            }
            return null;
        });
        assertTrue(violations.isEmpty(), String.join("\n", violations));
        assertEquals(values, received.get(0), "out1");
        assertEquals(values, received.get(1), "out2");
    }

    /** What a consumer does with its output once the test starts: read until it closes, stop early, or never read. */
    enum Reader { KEEPS_READING, STOPS_EARLY, NEVER_READS }

    /**
     * Sends 0, 1, 2, ... until done closes, then closes; or, left open, sends only the first n and then leaves the
     * channel open for good, its sender gone (a channel our done does not reach: only tee's own done handling can
     * stop it then).
     */
    static ReceiveOnly<Integer> counter(ReceiveOnly<?> done, boolean leftOpen, int n) {
        Chan<Integer> c = make();
        go(() -> {
            for (int i = 0; !leftOpen || i < n; i++) {
                if (select(onReceive(done), onSend(c, i)).index() == 0) {
                    break;
                }
            }
            if (!leftOpen) {
                c.close();
            }
        });
        return c;
    }

    // Proves that closing done at a random moment stops tee cleanly, whether its input is endless or left open for
    // good: outputs still being read close promptly, tee is not left blocked on an output nobody reads (the bubble
    // reports a goroutine left blocked as a Deadlock, and the NoLeaks hook sees every goroutine end), and what each
    // output got is right: while done was open, exactly 0, 1, 2, ... (checked right after each receive); after,
    // possibly a few more values, never out of order.
    //
    // It runs in a bubble, on virtual time, so that "promptly" is exact. Once done is closed, nothing in tee, orDone
    // or counter waits for anything but a consumer: every select they make has a case on done. And virtual time
    // moves only when every goroutine waits. So a consumer that keeps reading sees its output close at exactly the
    // later of two moments: when done closed, and when its own last pause ended. It may be mid-pause when done
    // closes, or take a few more values (tee's select may still pick a send), each followed by a pause; but no time
    // passes that it did not spend in its own pauses. A tee that noticed done late (polling it every millisecond,
    // say) would close its outputs later than that.
    //
    // The random moment: a closer closes done once the consumers have received k values between them, or after a
    // random virtual delay if that comes first. The delay can only run out when every goroutine waits (consumers in
    // their pauses, or nobody reading), which is how done can close in the middle of a pause. It cannot hang the
    // bubble: goroutines that run on without ever all waiting are consumers that keep receiving, and they reach k.
    @Property
    void doneAtARandomMomentStopsTeeCleanly(@ForAll Reader reader1, @ForAll Reader reader2,
                                            @ForAll Pace pace1, @ForAll Pace pace2,
                                            @ForAll @IntRange(min = 0, max = 10) int stopAfter,
                                            @ForAll @IntRange(min = 0, max = 10) int closeAfterValues,
                                            @ForAll @IntRange(min = 0, max = 3000) int closeAfterMicros,
                                            @ForAll boolean inputLeftOpen,
                                            @ForAll @IntRange(min = 0, max = 10) int inputValues,
                                            @ForAll Random random) {
        Statistics.label("readers").collect(reader1 + "/" + reader2);
        Statistics.label("input").collect(inputLeftOpen ? "left open" : "endless");
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        AtomicReference<String> closedBy = new AtomicReference<>();
        ConcurrentLinkedQueue<String> loopEnds = new ConcurrentLinkedQueue<>();
        long seed1 = random.nextLong();
        long seed2 = random.nextLong();
        TestSupport.bounded(() -> {
            bubble(() -> {
                Instant start = now();
                Chan<Void> done = make();
                Chan<Void> haveK = make();
                AtomicInteger received = new AtomicInteger(); // by both consumers
                AtomicReference<Instant> closedAt = new AtomicReference<>();
                go(() -> { // the closer
                    Timer delay = newTimer(Duration.ofNanos(closeAfterMicros * 1000L));
                    try {
                        boolean afterK = select(onReceive(haveK), onReceive(delay.c())).index() == 0;
                        closedBy.set(afterK ? "after k values" : "after the virtual delay");
                    } finally {
                        delay.stop();
                    }
                    closedAt.set(now());
                    done.close();
                });
                if (closeAfterValues == 0) {
                    haveK.close();
                }
                Tee.Pair<Integer> outs = Tee.tee(done, counter(done, inputLeftOpen, inputValues));
                List<ReceiveOnly<Integer>> out = List.of(outs.out1(), outs.out2());
                Reader[] readers = {reader1, reader2};
                Pace[] paces = {pace1, pace2};
                long[] seeds = {seed1, seed2};
                WaitGroup wg = new WaitGroup();
                wg.add(2);
                for (int me = 0; me < 2; me++) {
                    int self = me;
                    String name = "out" + (self + 1);
                    go(() -> {
                        try {
                            if (readers[self] == Reader.NEVER_READS) {
                                return;
                            }
                            Random myRandom = new Random(seeds[self]);
                            List<Integer> got = new ArrayList<>();
                            int whileOpen = 0;
                            while (true) {
                                pause(paces[self], myRandom);
                                Instant pauseEnded = now();
                                Received<Integer> r = out.get(self).receiveOk();
                                if (!r.ok()) {
                                    Instant end = now();
                                    Instant closed = closedAt.get();
                                    if (closed == null) {
                                        violations.add(name + " closed while done was open");
                                    } else if (!end.equals(later(closed, pauseEnded))) {
                                        violations.add(name + " closed at +" + Duration.between(start, end)
                                                + ", done closed at +" + Duration.between(start, closed)
                                                + ", its last pause ended at +" + Duration.between(start, pauseEnded)
                                                + " (virtual time since the start)");
                                    }
                                    loopEnds.add(end.equals(closed) ? "when done closed"
                                            : "after done closed, at the end of a pause");
                                    return;
                                }
                                if (received.incrementAndGet() == closeAfterValues) {
                                    haveK.close();
                                }
                                int v = r.value();
                                if (!got.isEmpty() && got.getLast() >= v) {
                                    violations.add(name + " out of order: " + got + " then " + v);
                                }
                                got.add(v);
                                if (!isClosed(done)) {
                                    if (v != whileOpen) {
                                        violations.add(name + " got " + got + " while done was open");
                                    }
                                    whileOpen++;
                                }
                                if (readers[self] == Reader.STOPS_EARLY && got.size() >= stopAfter) {
                                    return;
                                }
                            }
                        } finally {
                            wg.done();
                        }
                    });
                }
                wg.await();
                receive(done); // the closer has run, so its goroutine ends too
            });
            return null;
        });
        Statistics.label("done closed").collect(closedBy.get());
        for (String end : loopEnds) {
            Statistics.label("a read loop ended").collect(end);
        }
        assertTrue(violations.isEmpty(), String.join("\n", violations));
    }

    /** The later of two instants. */
    static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
