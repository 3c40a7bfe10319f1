import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
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
 * Properties of Heartbeat.java's workers and of its consumer, and the book's own tests, ported
 * (concurrency-at-scale/heartbeats/*_test.go). Every try runs in a bubble, on virtual time: a pulse every interval, a
 * timeout one interval and a bit, a worker that takes two seconds to start are all asserted to the nanosecond, with
 * no margins and no real sleeps, and a try of hours of virtual time takes milliseconds.
 */
@PropertyDefaults(tries = 100)
// propagateTo: a hook on a class reaches its properties' tries only when propagated.
@AddLifecycleHook(value = TestSupport.NoLeaks.class, propagateTo = PropagationMode.ALL_DESCENDANTS)
class HeartbeatProperties {

    /** Runs the body in a bubble, bounded in real time in case a goroutine spins instead of blocking. */
    static void inBubble(Runnable body) {
        TestSupport.bounded(() -> {
            bubble(body);
            return null;
        });
    }

    static <T> T valueInBubble(Supplier<T> body) {
        AtomicReference<T> result = new AtomicReference<>();
        inBubble(() -> result.set(body.get()));
        return result.get();
    }

    /** Once everything has settled, no goroutine and no timer or ticker of the bubble is left: nothing leaks. */
    static void assertNothingLeft() {
        awaitBlocked();
        assertEquals(0, goroutines(), "goroutines left");
        assertEquals(0, timers(), "timers or tickers left");
    }

    /** From a millisecond to an hour: on virtual time all cost the same. */
    @Provide
    Arbitrary<Duration> intervals() {
        return Arbitraries.oneOf(
                Arbitraries.longs().between(1, 1_000).map(Duration::ofMillis),
                Arbitraries.longs().between(1, 3_600).map(Duration::ofSeconds));
    }

    static Duration ms(long n) {
        return Duration.ofMillis(n);
    }

    // ---- The interval worker and its consumer ---------------------------------------------------------------

    /**
     * What the consumer of doWork sees, by the book's arithmetic: a pulse every interval, and a result every second
     * interval, a hundredth of an interval after that pulse (Heartbeat.Tickers says why), up to the given number of
     * results.
     */
    static List<Heartbeat.Seen> healthyBeats(Duration interval, int results) {
        List<Heartbeat.Seen> beats = new ArrayList<>();
        for (int k = 1; k <= 2 * results; k++) {
            beats.add(new Heartbeat.Seen(Heartbeat.What.PULSE, interval.multipliedBy(k)));
            if (k % 2 == 0) {
                beats.add(new Heartbeat.Seen(Heartbeat.What.RESULT, interval.multipliedBy(k).plus(interval.dividedBy(100))));
            }
        }
        return beats;
    }

    /** A timeout longer than the interval: the interval plus 1/1000 to 9 intervals. */
    static Duration longerThan(Duration interval, int thousandths) {
        return interval.plus(interval.multipliedBy(thousandths).dividedBy(1000));
    }

    // Proves that a healthy worker's consumer sees exactly the book's arithmetic: a pulse every interval, a result every
    // second one, each at its exact time, every result delivered, and never a timeout, for any timeout longer than the
    // interval (the longest the consumer ever waits); and that nothing is left once done closes.
    @Property
    void aHealthyWorkerPulsesEveryIntervalAndIsNeverCalledStuck(@ForAll("intervals") Duration interval,
                                                                @ForAll @IntRange(min = 1, max = 10) int results,
                                                                @ForAll @IntRange(min = 1, max = 9000) int timeoutOver) {
        Duration timeout = longerThan(interval, timeoutOver);
        Statistics.label("timeout").collect(timeoutOver < 1000 ? "under 2 intervals" : "2 intervals or more");
        List<Heartbeat.Seen> seen = valueInBubble(() -> {
            // given a healthy worker and the book's consumer
            Chan<Void> done = make();
            List<Heartbeat.Seen> log = new ArrayList<>();
            try {
                // when the consumer watches it until it has its results
                Instant start = now();
                Heartbeat.Seen end = Heartbeat.watch(Heartbeat.doWork(done, interval), timeout, results, start, log::add);
                assertEquals(Heartbeat.What.RESULT, end.what());
            } finally {
                done.close();
            }
            assertNothingLeft();
            return log;
        });
        // then it saw every beat at its time, and no timeout
        assertEquals(healthyBeats(interval, results), seen);
    }

    // Proves that a worker that stops after any number of turns of its loop, closing nothing (the book's misbehaving
    // goroutine, with 2), is noticed exactly one timeout after the last pulse or result its consumer saw (one timeout
    // after the start if it never beat at all), and not before.
    @Property
    void aStalledWorkerIsNoticedExactlyOneTimeoutAfterItsLastBeat(@ForAll("intervals") Duration interval,
                                                                  @ForAll @IntRange(min = 0, max = 8) int iterations,
                                                                  @ForAll @IntRange(min = 1, max = 9000) int timeoutOver) {
        Duration timeout = longerThan(interval, timeoutOver);
        Statistics.label("iterations").collect(iterations == 0 ? "0: never beats" : iterations == 2 ? "2: the book's" : "other");
        List<Heartbeat.Seen> seen = valueInBubble(() -> {
            // given a worker that stops after `iterations` turns, and the book's consumer
            Chan<Void> done = make();
            List<Heartbeat.Seen> log = new ArrayList<>();
            try {
                // when the consumer watches it until it gives up
                Instant start = now();
                Heartbeat.watch(Heartbeat.doWorkAndStall(done, interval, iterations), timeout, Integer.MAX_VALUE,
                        start, log::add);
            } finally {
                done.close();
            }
            assertNothingLeft(); // the stalled worker has returned, and stopped its tickers
            return log;
        });
        // then it saw the first `iterations` beats, and gave up exactly one timeout after the last
        List<Heartbeat.Seen> expected = new ArrayList<>(healthyBeats(interval, iterations).subList(0, iterations));
        Duration lastBeat = expected.isEmpty() ? Duration.ZERO : expected.getLast().at();
        expected.add(new Heartbeat.Seen(Heartbeat.What.UNHEALTHY, lastBeat.plus(timeout)));
        assertEquals(expected, seen);
    }

    // Proves why the book's timeout is twice the pulse interval: with a timeout shorter than the interval the
    // consumer gives up on a healthy worker, exactly one timeout after it started, before the first pulse.
    @Property(tries = 30)
    void aTimeoutShorterThanTheIntervalCallsAHealthyWorkerStuck(@ForAll("intervals") Duration interval,
                                                               @ForAll @IntRange(min = 1, max = 999) int thousandths) {
        Duration timeout = interval.multipliedBy(thousandths).dividedBy(1000);
        List<Heartbeat.Seen> seen = valueInBubble(() -> {
            Chan<Void> done = make();
            List<Heartbeat.Seen> log = new ArrayList<>();
            try {
                Heartbeat.watch(Heartbeat.doWork(done, interval), timeout, Integer.MAX_VALUE, now(), log::add);
            } finally {
                done.close();
            }
            assertNothingLeft();
            return log;
        });
        assertEquals(List.of(new Heartbeat.Seen(Heartbeat.What.UNHEALTHY, timeout)), seen);
    }

    /** The workers that pulse on an interval: the script's doWork, and the DoWork of interval_concurrent_test.go. */
    enum IntervalWorker { DO_WORK, NUMS_WITH_INTERVAL }

    // Proves that pulses keep coming every interval, exactly, while the worker waits for a consumer that never takes
    // its result: each send of the worker has a case for the pulse (callout 5 of fig-interval-heartbeat.go).
    @Property
    void pulsesKeepComingWhileTheWorkerWaitsToSend(@ForAll("intervals") Duration interval,
                                                   @ForAll @IntRange(min = 1, max = 20) int pulses,
                                                   @ForAll IntervalWorker worker,
                                                   @ForAll @IntRange(min = 0, max = 5_000) int startDelayMillis) {
        Duration startDelay = worker == IntervalWorker.DO_WORK ? Duration.ZERO : ms(startDelayMillis);
        List<Duration> arrivals = valueInBubble(() -> {
            Chan<Void> done = make();
            List<Duration> times = new ArrayList<>();
            try {
                Instant start = now();
                Heartbeat.Work<?> work = worker == IntervalWorker.DO_WORK ? Heartbeat.doWork(done, interval)
                        : Heartbeat.doWorkOnNumsWithInterval(done, startDelay, interval, 0, 1, 2);
                for (int k = 0; k < pulses; k++) {
                    receive(work.heartbeat());                          // and never a result
                    times.add(since(start));
                }
            } finally {
                done.close();
            }
            assertNothingLeft();
            return times;
        });
        List<Duration> expected = new ArrayList<>();
        for (int k = 1; k <= pulses; k++) {
            expected.add(startDelay.plus(interval.multipliedBy(k)));
        }
        assertEquals(expected, arrivals);
    }

    // ---- Nobody listening --------------------------------------------------------------------------------------

    // Proves that a heartbeat nobody reads never slows the worker: with a consumer that only takes results, each
    // result comes exactly when the worker has it (every second interval, a hundredth after the pulse), as if there
    // were no heartbeat.
    @Property
    void anUnreadHeartbeatNeverSlowsTheIntervalWorker(@ForAll("intervals") Duration interval,
                                                      @ForAll @IntRange(min = 1, max = 10) int results) {
        List<Duration> arrivals = valueInBubble(() -> {
            // given the interval worker
            Chan<Void> done = make();
            List<Duration> times = new ArrayList<>();
            try {
                Instant start = now();
                Heartbeat.Work<Instant> work = Heartbeat.doWork(done, interval);
                // when its consumer only takes results, never a pulse
                for (int j = 0; j < results; j++) {
                    Instant r = work.results().receive();
                    assertEquals(now(), r, "a result is the time its work came in");
                    times.add(since(start));
                }
            } finally {
                done.close();
            }
            assertNothingLeft();
            return times;
        });
        // then each came exactly when its work came in
        List<Duration> expected = new ArrayList<>();
        for (int j = 1; j <= results; j++) {
            expected.add(interval.multipliedBy(2 * j).plus(interval.dividedBy(100)));
        }
        assertEquals(expected, arrivals);
    }

    /** The first `units` numbers below 10 that the seeded Random gives: the results doWorkPerUnit must deliver. */
    static List<Integer> seeded(long seed, int units) {
        Random random = new Random(seed);
        List<Integer> values = new ArrayList<>();
        for (int i = 0; i < units; i++) {
            values.add(random.nextInt(10));
        }
        return values;
    }

    // Proves the same for the pulse per unit of work: nobody reads the heartbeat (its buffer of one fills with the
    // first pulse, and the others are dropped), and still unit i's result comes exactly at i unit times, every one
    // of them, in order; then the results close.
    @Property
    void anUnreadHeartbeatNeverSlowsThePerUnitWorker(@ForAll @IntRange(min = 0, max = 15) int units,
                                                     @ForAll @IntRange(min = 1, max = 1_000) int unitMillis,
                                                     @ForAll long seed) {
        Duration unitTime = ms(unitMillis);
        List<String> seen = valueInBubble(() -> {
            Chan<Void> done = make();
            List<String> log = new ArrayList<>();
            try {
                Instant start = now();
                for (int r : Heartbeat.doWorkPerUnit(done, units, unitTime, new Random(seed)).results()) {
                    log.add(r + " at " + since(start));
                }
                log.add("closed at " + since(start));
            } finally {
                done.close();
            }
            assertNothingLeft();
            return log;
        });
        List<String> expected = new ArrayList<>();
        List<Integer> values = seeded(seed, units);
        for (int i = 0; i < units; i++) {
            expected.add(values.get(i) + " at " + unitTime.multipliedBy(i + 1));
        }
        expected.add("closed at " + unitTime.multipliedBy(units));
        assertEquals(expected, seen);
    }

    // Proves it for the book's test workers too: with nobody reading the heartbeat, every number comes, in order, at
    // the very moment the worker starts (its start delay), with or without interval pulses.
    @Property
    void anUnreadHeartbeatNeverSlowsTheTestWorkers(@ForAll @Size(max = 20) List<Integer> nums,
                                                   @ForAll @IntRange(min = 0, max = 5_000) int startDelayMillis,
                                                   @ForAll("intervals") Duration interval,
                                                   @ForAll boolean withInterval) {
        Duration startDelay = ms(startDelayMillis);
        List<String> seen = valueInBubble(() -> {
            Chan<Void> done = make();
            List<String> log = new ArrayList<>();
            try {
                Instant start = now();
                int[] ints = TestSupport.ints(nums);
                Heartbeat.Work<Integer> work = withInterval
                        ? Heartbeat.doWorkOnNumsWithInterval(done, startDelay, interval, ints)
                        : Heartbeat.doWorkOnNums(done, startDelay, ints);
                for (int n : work.results()) {
                    log.add(n + " at " + since(start));
                }
            } finally {
                done.close();
            }
            assertNothingLeft();
            return log;
        });
        assertEquals(nums.stream().map(n -> n + " at " + startDelay).toList(), seen);
    }

    // ---- A pulse per unit of work ----------------------------------------------------------------------------

    // Proves that the consumer of doWorkPerUnit sees a pulse as each unit begins and then its result: exactly
    // pulse, result, pulse, result, ..., each at its time, and the results are the seeded numbers, in order.
    @Property
    void aPulseComesAsEachUnitBegins(@ForAll @IntRange(min = 0, max = 15) int units,
                                     @ForAll @IntRange(min = 1, max = 1_000) int unitMillis,
                                     @ForAll long seed) {
        Duration unitTime = ms(unitMillis);
        List<String> seen = valueInBubble(() -> bookConsumer(units, unitTime, seed));
        List<String> expected = new ArrayList<>();
        List<Integer> values = seeded(seed, units);
        for (int i = 0; i < units; i++) {
            expected.add("pulse at " + unitTime.multipliedBy(i));
            expected.add("results " + values.get(i) + " at " + unitTime.multipliedBy(i + 1));
        }
        assertEquals(expected, seen);
    }

    /** fig-work-unit-pulse.go's consumer: pulses and results as they come, until either channel closes. */
    static List<String> bookConsumer(int units, Duration unitTime, long seed) {
        Chan<Void> done = make();
        List<String> log = new ArrayList<>();
        try {
            Instant start = now();
            Heartbeat.Work<Integer> work = Heartbeat.doWorkPerUnit(done, units, unitTime, new Random(seed));
            while (true) {
                var fromResults = onReceive(work.results());
                Selected got = select(onReceive(work.heartbeat()), fromResults);
                if (!got.ok()) {
                    break;
                }
                log.add((got.index() == 0 ? "pulse" : "results " + got.value(fromResults)) + " at " + since(start));
            }
        } finally {
            done.close();
        }
        assertNothingLeft();
        return log;
    }

    // Shows why the script's units take time: in the book's figure they take none, and then the consumer may find a
    // pulse and a result both waiting, and select takes either. The results are still all there, in order, but the
    // pulses it sees vary from run to run (a pulse sent while the last one is unread is dropped, and the consumer
    // stops when the results close, even with a pulse still buffered).
    @Property
    void withoutUnitTimeThePulsesSeenVary(@ForAll @IntRange(min = 1, max = 15) int units, @ForAll long seed) {
        List<String> seen = valueInBubble(() -> bookConsumer(units, Duration.ZERO, seed));
        List<String> results = seen.stream().filter(line -> line.startsWith("results")).toList();
        long pulses = seen.size() - results.size();
        Statistics.label("pulses seen").collect(pulses == units ? "one per unit" : "fewer");
        assertEquals(seeded(seed, units).stream().map(v -> "results " + v + " at " + Duration.ZERO).toList(), results);
        assertTrue(pulses <= units, "more pulses than units: " + seen);
    }

    // ---- Cancellation ------------------------------------------------------------------------------------------

    enum Worker { DO_WORK, PER_UNIT, NUMS, NUMS_WITH_INTERVAL }

    // Proves that every worker ends when done closes, closing both its channels, and when: the interval worker and
    // the per-unit worker at that very instant (or when their work is over); the book's test workers only once their
    // start delay is over, because time.Sleep does not watch done. What the results brought is in order. Done closes
    // after a whole number of hundredths of the interval, so it often comes at the very instant of a tick.
    @Property
    void everyWorkerEndsWhenDoneCloses(@ForAll Worker worker,
                                       @ForAll("intervals") Duration interval,
                                       @ForAll @IntRange(min = 1, max = 2_000) int doneAfterHundredths) {
        Duration doneAfter = interval.multipliedBy(doneAfterHundredths).dividedBy(100);
        Duration startDelay = interval.multipliedBy(10);
        int units = 5;
        Duration unitTime = interval.dividedBy(2);
        List<Object> received = new ArrayList<>();
        Duration closedAt = valueInBubble(() -> {
            // given a worker, and done that closes after doneAfter
            Chan<Void> done = make();
            Instant start = now();
            afterFunc(doneAfter, done::close);
            Heartbeat.Work<?> work = switch (worker) {
                case DO_WORK -> Heartbeat.doWork(done, interval);
                case PER_UNIT -> Heartbeat.doWorkPerUnit(done, units, unitTime, new Random(1));
                case NUMS -> Heartbeat.doWorkOnNums(done, startDelay, 0, 1, 2, 3, 5);
                case NUMS_WITH_INTERVAL -> Heartbeat.doWorkOnNumsWithInterval(done, startDelay, interval, 0, 1, 2, 3, 5);
            };
            // when a consumer reads everything it sends
            ReceiveOnly<?> heartbeat = work.heartbeat();
            ReceiveOnly<?> results = work.results();
            Duration resultsClosed = null;
            while (heartbeat != null || results != null) {              // until both are closed (nil: never ready)
                var fromResults = onReceive(results);
                Selected got = select(onReceive(heartbeat), fromResults);
                if (got.ok()) {
                    if (got.index() == 1) {
                        received.add(got.value(fromResults));
                    }
                } else if (got.index() == 0) {
                    heartbeat = null;
                } else {
                    results = null;
                    resultsClosed = since(start);
                }
            }
            receive(done); // it may have ended by itself first
            assertNothingLeft();
            return resultsClosed;
        });
        // then the results closed exactly when the worker's kind says, and nothing was left
        Duration expected = switch (worker) {
            case DO_WORK -> doneAfter;
            case PER_UNIT -> min(doneAfter, unitTime.multipliedBy(units));
            case NUMS, NUMS_WITH_INTERVAL -> startDelay;
        };
        Statistics.label("done").collect(expected.equals(doneAfter) ? "ended it" : "came after the end");
        assertEquals(expected, closedAt);
        if (worker == Worker.NUMS || worker == Worker.NUMS_WITH_INTERVAL) {
            assertEquals(List.of(0, 1, 2, 3, 5).subList(0, received.size()), received, "a prefix, in order");
        }
        if (worker == Worker.PER_UNIT) {
            assertEquals(seeded(1, units).subList(0, received.size()), received, "a prefix, in order");
        }
    }

    static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    // ---- The book's tests ------------------------------------------------------------------------------------

    /** Go's *testing.T, as much of it as the book's tests use: Errorf records a failure and goes on; Fatal stops. */
    static final class T {
        final List<String> errors = new ArrayList<>();

        void errorf(String format, Object... args) {
            errors.add(String.format(format, args));
        }

        void fatal(String message) {
            errors.add(message);
            throw new FailNow();
        }
    }

    static final class FailNow extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FailNow() {
            super(null, null, false, false);
        }
    }

    /** What a test run gives: its failures, and how long it took (virtual time). */
    record Outcome(List<String> errors, Duration took) {}

    /** The book's: DoWork sleeps 2 s before it starts. */
    static final Duration BOOK_START_DELAY = Duration.ofSeconds(2);

    /**
     * Runs one of the book's tests in a bubble, like `go test` on virtual time. A Go test binary exits without
     * waiting for the goroutines a test leaves behind; a bubble waits for them, so the runner lets the worker finish
     * the start delay it sleeps through without watching done, and then checks that nothing is left.
     */
    static Outcome goTest(BiConsumer<T, Duration> test, Duration startDelay) {
        return valueInBubble(() -> {
            T t = new T();
            Instant start = now();
            try {
                test.accept(t, startDelay);
            } catch (FailNow stop) {
                // t.Fatal: the test stops here
            }
            Duration took = since(start);
            sleep(startDelay);
            sleep(Duration.ofSeconds(2)); // and the timers the tests made with time.After fire unread, as in Go
            assertNothingLeft();
            return new Outcome(t.errors, took);
        });
    }

    // bad_concurrent_test.go: TestDoWork_GeneratesAllNumbers with a fixed wait of 1 s for each result.
    static void badTestDoWork_GeneratesAllNumbers(T t, Duration startDelay) {
        Chan<Void> done = make();
        try {                                                           // defer close(done)
            int[] intSlice = {0, 1, 2, 3, 5};
            Heartbeat.Work<Integer> work = Heartbeat.doWorkOnNums(done, startDelay, intSlice); // _, results := DoWork(done, intSlice...)
            for (int i = 0; i < intSlice.length; i++) {                 // for i, expected := range intSlice {
                int expected = intSlice[i];
                var fromResults = onReceive(work.results());
                Selected got = select(fromResults, onReceive(after(Duration.ofSeconds(1))));
                if (got.index() == 0) {                                 // case r := <-results:
                    int r = got.ok() ? got.value(fromResults) : 0;      // (Go's zero value once closed)
                    if (r != expected) {
                        t.errorf("index %s: expected %s, but received %s,", i, expected, r);
                    }
                } else {                                                // case <-time.After(1 * time.Second):
                    t.fatal("test timed out");
                }
            }
        } finally {
            done.close();
        }
    }

    // concurrent_test.go: TestDoWork_GeneratesAllNumbers, which waits for the first heartbeat instead.
    static void testDoWork_GeneratesAllNumbers(T t, Duration startDelay) {
        Chan<Void> done = make();
        try {                                                           // defer close(done)
            int[] intSlice = {0, 1, 2, 3, 5};
            Heartbeat.Work<Integer> work = Heartbeat.doWorkOnNums(done, startDelay, intSlice); // heartbeat, results := DoWork(...)
            receive(work.heartbeat());                                  // <-heartbeat
            int i = 0;
            for (int r : work.results()) {                              // for r := range results {
                if (r != intSlice[i]) {
                    t.errorf("index %s: expected %s, but received %s,", i, intSlice[i], r);
                }
                i++;
            }
        } finally {
            done.close();
        }
    }

    // interval_concurrent_test.go: TestDoWork_GeneratesAllNumbers against the interval DoWork, with a timeout on
    // the silence between beats instead of on each result.
    static void testDoWork_GeneratesAllNumbersWithIntervalPulses(T t, Duration startDelay) {
        Chan<Void> done = make();
        try {                                                           // defer close(done)
            int[] intSlice = {0, 1, 2, 3, 5};
            Duration timeout = Duration.ofSeconds(2);                   // const timeout = 2 * time.Second
            Heartbeat.Work<Integer> work = Heartbeat.doWorkOnNumsWithInterval(done, startDelay, timeout.dividedBy(2),
                    intSlice);                                          // DoWork(done, timeout/2, intSlice...)
            receive(work.heartbeat());                                  // <-heartbeat
            int i = 0;
            while (true) {                                              // for {
                var fromResults = onReceive(work.results());
                Selected got = select(fromResults, onReceive(work.heartbeat()), onReceive(after(timeout)));
                switch (got.index()) {
                    case 0 -> {                                         // case r, ok := <-results:
                        if (!got.ok()) {
                            return;
                        } else if (got.value(fromResults) != intSlice[i]) {
                            t.errorf("index %s: expected %s, but received %s,", i, intSlice[i], got.value(fromResults));
                        }
                        i++;
                    }
                    case 1 -> { }                                       // case <-heartbeat:
                    default -> t.fatal("test timed out");               // case <-time.After(timeout):
                }
            }
        } finally {
            done.close();
        }
    }

    // The book's bad test, as published: its DoWork takes 2 s to start and the test waits 1 s for the first result.
    // It fails, every time, one second in.
    @Example
    void badConcurrentTestFailsEveryTime() {
        Outcome outcome = goTest(HeartbeatProperties::badTestDoWork_GeneratesAllNumbers, BOOK_START_DELAY);
        assertEquals(new Outcome(List.of("test timed out"), Duration.ofSeconds(1)), outcome);
    }

    // The book's good test, as published: it passes, and takes exactly as long as the worker needs to start.
    @Example
    void concurrentTestPasses() {
        Outcome outcome = goTest(HeartbeatProperties::testDoWork_GeneratesAllNumbers, BOOK_START_DELAY);
        assertEquals(new Outcome(List.of(), BOOK_START_DELAY), outcome);
    }

    // The book's interval test, as published: it passes once the first pulse has come, a pulse interval (1 s) after
    // the worker started.
    @Example
    void intervalConcurrentTestPasses() {
        Outcome outcome = goTest(HeartbeatProperties::testDoWork_GeneratesAllNumbersWithIntervalPulses, BOOK_START_DELAY);
        assertEquals(new Outcome(List.of(), BOOK_START_DELAY.plus(Duration.ofSeconds(1))), outcome);
    }

    // Proves the book's point: whether the bad test passes depends on how long the worker takes to start (it passes
    // only if the worker starts before its 1 s guess), while the tests that wait for the heartbeat pass whatever the
    // delay, and take exactly as long as the worker needs. (A delay of exactly 1 s is left out: the worker and the
    // test's timer would be due at the same instant, and which one select saw first would be a coin toss: it is
    // moved a nanosecond later.)
    @Property
    void onlyTheHeartbeatTestsPassWhateverTheWorkerTakes(@ForAll @IntRange(min = 0, max = 10_000) int startDelayMillis) {
        Duration startDelay = ms(startDelayMillis);
        if (startDelay.equals(Duration.ofSeconds(1))) {
            startDelay = startDelay.plusNanos(1);
        }
        boolean quick = startDelay.compareTo(Duration.ofSeconds(1)) < 0;
        Statistics.label("worker").collect(quick ? "starts within the bad test's 1s" : "starts later");

        Outcome bad = goTest(HeartbeatProperties::badTestDoWork_GeneratesAllNumbers, startDelay);
        assertEquals(quick ? new Outcome(List.of(), startDelay) : new Outcome(List.of("test timed out"), Duration.ofSeconds(1)),
                bad);
        assertEquals(new Outcome(List.of(), startDelay),
                goTest(HeartbeatProperties::testDoWork_GeneratesAllNumbers, startDelay));
        assertEquals(new Outcome(List.of(), startDelay.plus(Duration.ofSeconds(1))),
                goTest(HeartbeatProperties::testDoWork_GeneratesAllNumbersWithIntervalPulses, startDelay));
    }

    // Proves that a consumer that waits for the first heartbeat gets every number, in order, whatever the numbers,
    // the worker's start delay and the consumer's own pauses between reads, with either test worker; and that the
    // first heartbeat comes exactly when the worker starts (with interval pulses: one interval later).
    @Property
    void waitingForTheFirstHeartbeatGetsEveryNumberInOrder(@ForAll @Size(max = 20) List<Integer> nums,
                                                           @ForAll @IntRange(min = 0, max = 5_000) int startDelayMillis,
                                                           @ForAll("intervals") Duration interval,
                                                           @ForAll boolean withInterval,
                                                           @ForAll @IntRange(min = 0, max = 3) int pauseMillis) {
        Duration startDelay = ms(startDelayMillis);
        Statistics.label("pauses").collect(pauseMillis == 0 ? "none" : "between reads");
        List<Integer> got = new ArrayList<>();
        Duration firstBeat = valueInBubble(() -> {
            Chan<Void> done = make();
            try {
                Instant start = now();
                int[] ints = TestSupport.ints(nums);
                Heartbeat.Work<Integer> work = withInterval
                        ? Heartbeat.doWorkOnNumsWithInterval(done, startDelay, interval, ints)
                        : Heartbeat.doWorkOnNums(done, startDelay, ints);
                receive(work.heartbeat());
                Duration beat = since(start);
                for (int n : work.results()) {
                    got.add(n);
                    sleep(ms(pauseMillis));
                }
                return beat;
            } finally {
                done.close();
                assertNothingLeft();
            }
        });
        assertEquals(nums, got);
        // (With no numbers the worker sends no pulse: the first receive then returns when the heartbeat closes.)
        Duration expected = withInterval && !nums.isEmpty() ? startDelay.plus(interval) : startDelay;
        assertEquals(expected, firstBeat);
    }
}
