import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import gochan.Script;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.statistics.Statistics;

/** Properties of the stages of Queuing.java: sleep, buffer, arrivals and observe. */
@PropertyDefaults(tries = 40)
@AddLifecycleHook(TestSupport.NoLeaks.class)
class QueuingProperties {

    // A queue changes when stages finish, never what they deliver: generator -> sleep -> buffer(n) -> sleep yields the
    // generator's values in the generator's order, as the same pipeline without the buffer does. Each sleep stage
    // reports that it finished exactly once.
    @Property
    void theBufferedPipelineDeliversTheSameValuesInTheSameOrder(
            @ForAll @Size(max = 20) List<Integer> values,
            @ForAll @IntRange(min = 0, max = 5) int n,
            @ForAll @IntRange(min = 0, max = 2) int shortMillis,
            @ForAll @IntRange(min = 0, max = 3) int longMillis) {
        Statistics.collect(n < values.size() ? "buffer fills up" : "buffer never full");
        for (boolean buffered : new boolean[] {false, true}) {
            List<Integer> delivered = TestSupport.bounded(() -> {
                int baseline = goroutines();
                Chan<Void> done = make();
                Chan<Instant> shortFinished = make(1);
                Chan<Instant> longFinished = make(1);
                List<Integer> out;
                try {
                    ReceiveOnly<Integer> shortStage = Queuing.sleep(done, Duration.ofMillis(shortMillis),
                            Pipeline.generator(done, TestSupport.ints(values)), shortFinished);
                    ReceiveOnly<Integer> queue = buffered ? Queuing.buffer(done, n, shortStage) : shortStage;
                    out = TestSupport.drain(Queuing.sleep(done, Duration.ofMillis(longMillis), queue, longFinished));
                } finally {
                    done.close();
                }
                Instant shortAt = shortFinished.receive();
                Instant longAt = longFinished.receive();
                assertFalse(longAt.isBefore(shortAt), "the long stage finished before the short one");
                awaitGoroutines(baseline, Duration.ofSeconds(2));
                assertEquals(0, shortFinished.len() + longFinished.len(), "a stage reported twice");
                return out;
            });
            assertEquals(values, delivered, buffered ? "with a buffer of " + n : "without a buffer");
        }
    }

    // buffer alone is the identity on streams, for every size including 0 (a hand-off goroutine).
    @Property
    void bufferDeliversEveryValueInOrder(
            @ForAll @Size(max = 50) List<Integer> values, @ForAll @IntRange(min = 0, max = 10) int n) {
        List<Integer> delivered = TestSupport.bounded(() -> {
            Chan<Void> done = make();
            try {
                return TestSupport.drain(Queuing.buffer(done, n, Pipeline.generator(done, TestSupport.ints(values))));
            } finally {
                done.close();
            }
        });
        assertEquals(values, delivered);
    }

    /** Where a stage is when done closes. */
    enum Moment { WAITING_FOR_INPUT, PAUSING, BLOCKED_SENDING }

    // sleep stops promptly when done closes, wherever it is: waiting for a value that never comes, in the middle of a
    // 10 s pause, or blocked handing a value to nobody. Its stream closes, it reports once, and no goroutine is left.
    @Property(tries = 30)
    void sleepStopsPromptlyOnDone(@ForAll Moment moment, @ForAll @IntRange(min = 0, max = 5) int millisBeforeClose) {
        Statistics.collect(moment);
        TestSupport.bounded(() -> {
            int baseline = goroutines();
            Chan<Void> done = make();
            Chan<Integer> in = make(1);                     // never closed: only done can end the stage
            Chan<Instant> finished = make(1);
            Duration d = moment == Moment.PAUSING ? Duration.ofSeconds(10) : Duration.ZERO;
            ReceiveOnly<Integer> out = Queuing.sleep(done, d, in, finished);
            if (moment != Moment.WAITING_FOR_INPUT) {
                in.send(42);                                // the stage takes it and pauses, or blocks sending it
            }
            sleep(Duration.ofMillis(millisBeforeClose));
            Instant closedAt = Instant.now();
            done.close();
            Instant reported = finished.receive();
            assertTrue(Duration.between(closedAt, reported).compareTo(Duration.ofSeconds(2)) < 0,
                    "sleep reported " + Duration.between(closedAt, reported) + " after done closed");
            assertFalse(out.receiveOk().ok(), "the stage's stream is closed and no value was passed on");
            awaitGoroutines(baseline, Duration.ofSeconds(2));
            return null;
        });
    }

    // buffer stops promptly when done closes, whether it waits for input or is blocked on a full channel.
    @Property(tries = 30)
    void bufferStopsPromptlyOnDone(@ForAll @IntRange(min = 0, max = 4) int n, @ForAll @IntRange(min = 0, max = 6) int sent) {
        Statistics.collect(sent > n ? "blocked sending" : "waiting for input");
        TestSupport.bounded(() -> {
            int baseline = goroutines();
            Chan<Void> done = make();
            Chan<Integer> in = make(sent);                  // never closed: only done can end the stage
            ReceiveOnly<Integer> queue = Queuing.buffer(done, n, in);
            for (int i = 0; i < sent; i++) {
                in.send(i);
            }
            done.close();
            awaitGoroutines(baseline, Duration.ofSeconds(2));
            List<Integer> left = TestSupport.drain(queue);
            assertTrue(left.size() <= n, "more values queued than the buffer has room for: " + left);
            for (int i = 0; i < left.size(); i++) {
                assertEquals(i, left.get(i), "the queue keeps the order");
            }
            return null;
        });
    }

    // arrivals lets in a unit per tick until its time is up, then closes its stream: every unit counted in at the gate
    // is delivered, none is invented, and they come in the order they entered.
    @Property(tries = 15)
    void arrivalsDeliversEveryUnitItCountsIn(@ForAll @IntRange(min = 1, max = 5) int everyMillis,
            @ForAll @IntRange(min = 5, max = 40) int runForMillis) {
        Queuing.Gate gate = new Queuing.Gate();
        List<Queuing.Unit> units = TestSupport.bounded(() -> {
            Chan<Void> done = make();
            try {
                return TestSupport.drain(Queuing.arrivals(done, gate, Duration.ofMillis(everyMillis), Duration.ofMillis(runForMillis)));
            } finally {
                done.close();
            }
        });
        Statistics.collect(units.isEmpty() ? "no unit" : "some units");
        assertEquals(gate.entered(), units.size(), "units counted in at the gate");
        assertEquals(units.size(), gate.inside(), "nobody left yet");
        for (int i = 1; i < units.size(); i++) {
            assertTrue(units.get(i - 1).enteredAt() <= units.get(i).enteredAt(), "units out of order");
        }
    }

    // The observer's L is a time average: with k units inside all along it is exactly k, and with nobody arriving
    // during the window lambda is 0.
    @Property(tries = 10)
    void observeSeesAConstantCountAsItself(@ForAll @IntRange(min = 0, max = 20) int k,
            @ForAll @IntRange(min = 2, max = 30) int runForMillis) {
        Queuing.Gate gate = new Queuing.Gate();
        for (int i = 0; i < k; i++) {
            gate.enter();
        }
        Queuing.Observation seen = TestSupport.bounded(() -> {
            Chan<Void> done = make();
            try {
                return Queuing.observe(done, gate, Duration.ofMillis(1), Duration.ofMillis(runForMillis)).receive();
            } finally {
                done.close();
            }
        });
        assertEquals(k, seen.averageInside(), 1e-9);
        assertEquals(0, seen.arrivalsPerSecond(), 1e-9);
    }

    @Example
    void durationsAreReadAsGoWritesThem() {
        Script.GoDuration parse = new Script.GoDuration();
        assertEquals(Duration.ofMillis(100), parse.convert("100ms"));
        assertEquals(Duration.ofMillis(1500), parse.convert("1.5s"));
        assertEquals(Duration.ofMinutes(2), parse.convert("2m"));
        assertEquals(Duration.ofNanos(250_000), parse.convert("250us"));
    }
}
