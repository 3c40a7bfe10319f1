import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gochan.Script;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
 * Properties of the stages of Queuing.java: sleep and buffer, alone and in the book's pipeline. Every try that involves time runs in a bubble, on virtual time: the stages' work is a wait, so their times are
 * exact and the expectations are too (no margins); awaitBlocked() tells when the goroutines have settled.
 */
@PropertyDefaults(tries = 40)
@AddLifecycleHook(TestSupport.NoLeaks.class)
class QueuingProperties {

    /** Runs the body in a bubble and returns its result; bounded in real time in case a goroutine spins. */
    static <T> T inBubble(Supplier<T> body) {
        return TestSupport.bounded(() -> {
            AtomicReference<T> result = new AtomicReference<>();
            bubble(() -> result.set(body.get()));
            return result.get();
        });
    }

    static Duration millis(long n) {
        return Duration.ofMillis(n);
    }

    // ---- sleep and buffer ----------------------------------------------------------------------------------

    // A queue changes when stages finish, never what they deliver: generator -> sleep -> buffer(n) -> sleep yields the
    // generator's values in the generator's order, as the same pipeline without the buffer does. Each sleep stage
    // reports that it finished exactly once, and no goroutine is left.
    @Property
    void theBufferedPipelineDeliversTheSameValuesInTheSameOrder(
            @ForAll @Size(max = 20) List<Integer> values,
            @ForAll @IntRange(min = 0, max = 5) int n,
            @ForAll @IntRange(min = 0, max = 2) int shortMillis,
            @ForAll @IntRange(min = 0, max = 3) int longMillis) {
        Statistics.collect(n < values.size() ? "buffer fills up" : "buffer never full");
        for (boolean buffered : new boolean[] {false, true}) {
            List<Integer> delivered = inBubble(() -> {
                Chan<Void> done = make();
                Chan<Instant> shortFinished = make(1);
                Chan<Instant> longFinished = make(1);
                List<Integer> out;
                try {
                    ReceiveOnly<Integer> shortStage = Queuing.sleep(done, millis(shortMillis),
                            Pipeline.generator(done, TestSupport.ints(values)), shortFinished);
                    ReceiveOnly<Integer> queue = buffered ? Queuing.buffer(done, n, shortStage) : shortStage;
                    out = TestSupport.drain(Queuing.sleep(done, millis(longMillis), queue, longFinished));
                } finally {
                    done.close();
                }
                shortFinished.receive();
                longFinished.receive();
                awaitBlocked();
                assertEquals(0, shortFinished.len() + longFinished.len(), "a stage reported twice");
                assertEquals(0, goroutines(), "goroutines left");
                return out;
            });
            assertEquals(values, delivered, buffered ? "with a buffer of " + n : "without a buffer");
        }
    }

    // When the stages finish is the book's arithmetic, exactly. With k values, s a value in the short stage and l in
    // the long one, the long stage (the pipeline) is done after s + l + (k - 1) max(s, l), with a buffer or without:
    // it runs at the pace of the slower stage. The short stage is done after max(k s, s + (k - 1 - room) max(s, l)),
    // where room is how many values can wait between the stages: none without a buffer, n + 1 with a buffer of n (n
    // in its channel and one in its goroutine). So a buffer frees the short stage sooner and never finishes the
    // pipeline sooner.
    @Property
    void theStagesFinishWhenTheBookSays(
            @ForAll @IntRange(min = 1, max = 8) int k,
            @ForAll @IntRange(min = 0, max = 5) int n,
            @ForAll boolean buffered,
            @ForAll @IntRange(min = 0, max = 400) int shortMillis,
            @ForAll @IntRange(min = 0, max = 1600) int longMillis) {
        Statistics.collect(longMillis >= shortMillis ? "long stage slower" : "short stage slower");
        Duration s = millis(shortMillis);
        Duration l = millis(longMillis);
        Duration slower = s.compareTo(l) >= 0 ? s : l;
        int room = buffered ? n + 1 : 0;
        Duration shortDone = max(s.multipliedBy(k), s.plus(slower.multipliedBy(k - 1 - room)));
        Duration longDone = s.plus(l).plus(slower.multipliedBy(k - 1));

        List<Duration> finished = inBubble(() -> {
            Instant start = now();
            Chan<Void> done = make();
            Chan<Instant> shortFinished = make(1);
            Chan<Instant> longFinished = make(1);
            try {
                ReceiveOnly<Integer> shortStage = Queuing.sleep(done, s,
                        Pipeline.generator(done, new int[k]), shortFinished);
                ReceiveOnly<Integer> queue = buffered ? Queuing.buffer(done, n, shortStage) : shortStage;
                TestSupport.drain(Queuing.sleep(done, l, queue, longFinished));
            } finally {
                done.close();
            }
            return List.of(Duration.between(start, shortFinished.receive()),
                    Duration.between(start, longFinished.receive()));
        });
        assertEquals(List.of(shortDone, longDone), finished,
                "short and long stage done, " + k + " values, " + (buffered ? "buffer of " + n : "no buffer"));
    }

    static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    // The script's own pipeline, take(3, repeat(0)), one scale a value in the short stage and four in the long: the
    // short stage is done after 9 scales without a buffer and 3 with one (5 with a buffer of 0: it holds one value
    // only); the pipeline after 13 scales either way.
    @Property(tries = 20)
    void theScriptsPipelineTakesThirteenScalesWithOrWithoutABuffer(
            @ForAll @IntRange(min = 1, max = 1000) int scaleMillis, @ForAll @IntRange(min = 0, max = 5) int n) {
        Queuing queuing = new Queuing();
        queuing.scale = millis(scaleMillis);
        queuing.bufferSize = n;
        List<Queuing.Timing> timings = inBubble(() -> {
            Chan<Void> done = make();
            try {
                ReceiveOnly<Queuing.Timing> unbuffered = queuing.timePipeline(done, false);
                ReceiveOnly<Queuing.Timing> buffered = queuing.timePipeline(done, true);
                return List.of(unbuffered.receive(), buffered.receive());
            } finally {
                done.close();
            }
        });
        Duration scale = queuing.scale;
        assertEquals(new Queuing.Timing(scale.multipliedBy(9), scale.multipliedBy(13)), timings.get(0), "without a buffer");
        assertEquals(new Queuing.Timing(scale.multipliedBy(n == 0 ? 5 : 3), scale.multipliedBy(13)), timings.get(1),
                "with a buffer of " + n);
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

    // sleep stops at once when done closes, wherever it is: waiting for a value that never comes, in the middle of a
    // 10 s pause, or blocked handing a value to nobody. It reports the very time done closed, its stream closes with
    // no value passed on, and no goroutine is left.
    @Property(tries = 30)
    void sleepStopsAtOnceOnDone(@ForAll Moment moment, @ForAll @IntRange(min = 0, max = 9_999) int millisBeforeClose) {
        Statistics.collect(moment);
        inBubble(() -> {
            Chan<Void> done = make();
            Chan<Integer> in = make(1);                     // never closed: only done can end the stage
            Chan<Instant> finished = make(1);
            Duration d = moment == Moment.PAUSING ? Duration.ofSeconds(10) : Duration.ZERO;
            ReceiveOnly<Integer> out = Queuing.sleep(done, d, in, finished);
            if (moment != Moment.WAITING_FOR_INPUT) {
                in.send(42);                                // the stage takes it and pauses, or blocks sending it
            }
            sleep(millis(millisBeforeClose));
            Instant closedAt = now();
            done.close();
            assertEquals(closedAt, finished.receive(), "sleep must report the time done closed");
            assertFalse(out.receiveOk().ok(), "the stage's stream is closed and no value was passed on");
            awaitBlocked();
            assertEquals(0, goroutines(), "goroutines left");
            return null;
        });
    }

    // buffer stops when done closes, whether it waits for input or is blocked on a full channel.
    @Property(tries = 30)
    void bufferStopsOnDone(@ForAll @IntRange(min = 0, max = 4) int n, @ForAll @IntRange(min = 0, max = 6) int sent) {
        Statistics.collect(sent > n ? "blocked sending" : "waiting for input");
        inBubble(() -> {
            Chan<Void> done = make();
            Chan<Integer> in = make(sent);                  // never closed: only done can end the stage
            ReceiveOnly<Integer> queue = Queuing.buffer(done, n, in);
            for (int i = 0; i < sent; i++) {
                in.send(i);
            }
            done.close();
            awaitBlocked();
            assertEquals(0, goroutines(), "the buffer's goroutine is left");
            List<Integer> left = TestSupport.drain(queue);
            assertTrue(left.size() <= n, "more values queued than the buffer has room for: " + left);
            for (int i = 0; i < left.size(); i++) {
                assertEquals(i, left.get(i), "the queue keeps the order");
            }
            return null;
        });
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
