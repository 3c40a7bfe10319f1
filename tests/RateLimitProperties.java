import static gochan.Context.Canceled;
import static gochan.Context.DeadlineExceeded;
import static gochan.Context.background;
import static gochan.Context.withCancel;
import static gochan.Context.withTimeout;
import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gochan.Context;
import gochan.Context.Cancelable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.statistics.Statistics;

/**
 * Properties of RateLimit.java's token buckets: the Limiter (Go's rate.Limiter, on Bucket4j), the book's
 * multiLimiter, and the book's four API connections. Every try runs in a bubble, on virtual time, where the
 * buckets refill on the virtual clock: the times calls get through are exact, so each one is compared with a plain
 * model of a token bucket to the nanosecond. After every try no goroutine and no timer is left.
 */
@PropertyDefaults(tries = 60)
@AddLifecycleHook(TestSupport.NoLeaks.class)
class RateLimitProperties {

    /** Runs the body in a bubble and returns its result; bounded in real time in case a goroutine spins. */
    static <T> T inBubble(Supplier<T> body) {
        return TestSupport.bounded(() -> {
            AtomicReference<T> result = new AtomicReference<>();
            bubble(() -> {
                result.set(body.get());
                assertEquals(0, timers(), "timers left");
            });
            return result.get();
        });
    }

    static Duration millis(long n) {
        return Duration.ofMillis(n);
    }

    // ---- The model ----------------------------------------------------------------------------------------------

    /**
     * A token bucket on paper: burst b, one token every `every` nanoseconds, full at first. {@code full} is when it
     * will be full again (it is full from then on if nobody takes a token). A call arriving at t takes a token that
     * may not be there yet, and gets through once the bucket is out of debt: max(t, full - b x every), with full
     * moved on by one token's time. This is Go's rate.Limiter (and GCRA), in whole nanoseconds.
     */
    static final class Bucket {
        final long every;
        final int burst;
        long full = Long.MIN_VALUE / 2;

        Bucket(long every, int burst) {
            this.every = every;
            this.burst = burst;
        }

        long take(long arrival) {
            full = Math.max(full, arrival) + every;
            return Math.max(arrival, full - burst * every);
        }

        /** When calls arriving at these times (in nanoseconds, in order) get through. */
        static List<Long> through(long every, int burst, List<Long> arrivals) {
            Bucket bucket = new Bucket(every, burst);
            return arrivals.stream().sorted().map(bucket::take).toList();
        }
    }

    /** A limit in the tests: a token every `every` milliseconds, a burst of `burst`. */
    record Limit(int everyMillis, int burst) {
        long every() {
            return millis(everyMillis).toNanos();
        }

        RateLimit.Limiter limiter() {
            return new RateLimit.Limiter(millis(everyMillis), burst);
        }
    }

    /** In any window, from one call's time to a later one's, at most burst + (window / every) calls. */
    static void assertNeverMoreThanTheBucketAllows(List<Long> times, Limit limit) {
        List<Long> sorted = times.stream().sorted().toList();
        for (int i = 0; i < sorted.size(); i++) {
            for (int j = i + limit.burst(); j < sorted.size(); j++) {       // fewer calls always fit
                long calls = j - i + 1;
                long window = sorted.get(j) - sorted.get(i);
                assertTrue((calls - limit.burst()) * limit.every() <= window, calls + " calls within " + window
                        + " ns, more than a burst of " + limit.burst() + " plus one per " + limit.everyMillis() + "ms");
            }
        }
    }

    @Provide
    Arbitrary<Limit> limits() {
        return Arbitraries.integers().between(1, 1000).flatMap(every ->
                Arbitraries.integers().between(1, 5).map(burst -> new Limit(every, burst)));
    }

    // ---- Callers ------------------------------------------------------------------------------------------------

    /** Arrivals and the times the calls got through, in nanoseconds from the start. */
    record Observed(List<Long> arrivals, List<Long> through) {}

    /**
     * Each caller, in its own goroutine, pauses for each of its pauses (milliseconds) and then makes one call
     * through the limiter. Returns when every call has got through.
     */
    static Observed call(RateLimit.RateLimiter limiter, List<List<Integer>> callers) {
        Instant start = now();
        List<Long> arrivals = Collections.synchronizedList(new ArrayList<>());
        List<Long> through = Collections.synchronizedList(new ArrayList<>());
        WaitGroup wg = new WaitGroup();
        for (List<Integer> pauses : callers) {
            wg.add(1);
            go(() -> {
                try {
                    for (int pause : pauses) {
                        sleep(millis(pause));
                        arrivals.add(since(start).toNanos());
                        limiter.await(background());
                        through.add(since(start).toNanos());
                    }
                } catch (Exception e) {
                    throw new AssertionError("a call with context.Background() failed", e);
                } finally {
                    wg.done();
                }
            });
        }
        wg.await();
        return new Observed(List.copyOf(arrivals), through.stream().sorted().toList());
    }

    @Provide
    Arbitrary<List<List<Integer>>> callers() {
        Arbitrary<Integer> pause = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(0)), Tuple.of(5, Arbitraries.integers().between(1, 3000)));
        return pause.list().ofMinSize(1).ofMaxSize(6).list().ofMinSize(1).ofMaxSize(6);
    }

    // ---- The token bucket ---------------------------------------------------------------------------------------

    // Whatever the callers do, a bucket never lets more than burst + rate x t calls through in any window of length
    // t, and it lets each call through exactly when a token bucket on paper does: as soon as a token is there.
    @Property
    void aBucketLetsCallsThroughExactlyWhenATokenIsThere(
            @ForAll("limits") Limit limit, @ForAll("callers") List<List<Integer>> callers) {
        Observed seen = inBubble(() -> call(limit.limiter(), callers));
        List<Long> expected = Bucket.through(limit.every(), limit.burst(), seen.arrivals());
        Statistics.collect(expected.equals(seen.arrivals().stream().sorted().toList()) ? "no call waited"
                : "some calls waited");
        assertNeverMoreThanTheBucketAllows(seen.through(), limit);
        assertEquals(expected, seen.through(), "when the calls got through (ns), arriving at " + seen.arrivals());
    }

    // Asked for more than it allows (n callers at once, or one caller calling again and again), a bucket lets
    // exactly burst + rate x t calls through by any time t: the k-th call (from 0) at max(0, k - burst + 1) x every.
    @Property
    void aSaturatedBucketLetsExactlyBurstPlusRateTimesTThrough(
            @ForAll("limits") Limit limit, @ForAll @IntRange(min = 1, max = 30) int n, @ForAll boolean oneCaller) {
        Statistics.collect(oneCaller ? "one caller, again and again" : "n callers at once",
                n > limit.burst() ? "more calls than the burst" : "within the burst");
        List<List<Integer>> callers = oneCaller
                ? List.of(Collections.nCopies(n, 0))
                : Collections.nCopies(n, List.of(0));
        Observed seen = inBubble(() -> call(limit.limiter(), callers));
        List<Long> expected = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            expected.add(Math.max(0, k - limit.burst() + 1) * limit.every());
        }
        assertEquals(expected, seen.through());
    }

    // The book's Per: Per(3, time.Second) is a third of a second truncated to the nanosecond, as Go's Every(d / 3).
    @Example
    void perIsTheTimeBetweenTwoEvents() {
        assertEquals(Duration.ofMillis(500), RateLimit.per(2, Duration.ofSeconds(1)));
        assertEquals(Duration.ofSeconds(6), RateLimit.per(10, Duration.ofMinutes(1)));
        assertEquals(Duration.ofNanos(333_333_333), RateLimit.per(3, Duration.ofSeconds(1)));
        assertEquals(3.000000003, new RateLimit.Limiter(RateLimit.per(3, Duration.ofSeconds(1)), 3).limit(), 1e-12);
    }

    // ---- The multi-limiter --------------------------------------------------------------------------------------

    @Provide
    Arbitrary<List<Limit>> someLimits() {
        return limits().list().ofMinSize(1).ofMaxSize(3);
    }

    // A call through a multi-limiter gets through only when every one of its limits allows it: the times obey each
    // limit's bound, and they are exactly those of the calls passing the buckets one after the other (most
    // restrictive first; the order does not change when the calls get through).
    @Property
    void aMultiLimiterObeysEveryOneOfItsLimits(
            @ForAll("someLimits") List<Limit> limits, @ForAll("callers") List<List<Integer>> callers) {
        Statistics.collect(limits.size() + " limits");
        Observed seen = inBubble(() ->
                call(RateLimit.multiLimiter(limits.stream().map(Limit::limiter).toArray(RateLimit.RateLimiter[]::new)),
                        callers));
        List<Long> expected = seen.arrivals();
        for (Limit limit : limits) {
            assertNeverMoreThanTheBucketAllows(seen.through(), limit);
            expected = Bucket.through(limit.every(), limit.burst(), expected);
        }
        assertEquals(expected.stream().sorted().toList(), seen.through(), "arriving at " + seen.arrivals());
    }

    // The book's MultiLimiter sorts its limiters by Limit(), most restrictive first, and its own Limit() is theirs.
    @Property
    void aMultiLimiterWaitsOnTheMostRestrictiveFirst(@ForAll("someLimits") List<Limit> limits) {
        RateLimit.MultiLimiter multi =
                RateLimit.multiLimiter(limits.stream().map(Limit::limiter).toArray(RateLimit.RateLimiter[]::new));
        List<Double> order = multi.limiters().stream().map(RateLimit.RateLimiter::limit).toList();
        assertEquals(order.stream().sorted().toList(), order);
        assertEquals(order.get(0), multi.limit());
    }

    // ---- Cancellation and deadlines -----------------------------------------------------------------------------

    /** Runs limiter.await(ctx) and returns how long it took and what it threw (null if it got through). */
    record Outcome(Duration took, Exception error) {}

    static Outcome await(RateLimit.RateLimiter limiter, Context ctx) {
        Instant start = now();
        try {
            limiter.await(ctx);
            return new Outcome(since(start), null);
        } catch (Exception e) {
            return new Outcome(since(start), e);
        }
    }

    // A context that is already done: Wait returns its error at once, and takes no token.
    @Property(tries = 20)
    void aDoneContextGetsNoToken(@ForAll("limits") Limit limit) {
        inBubble(() -> {
            RateLimit.Limiter limiter = limit.limiter();
            Cancelable c = withCancel(background());
            c.cancel().cancel();
            Outcome outcome = await(limiter, c.ctx());
            assertEquals(new Outcome(Duration.ZERO, Canceled), outcome);
            for (int i = 0; i < limit.burst(); i++) {               // the whole burst is still there
                assertEquals(new Outcome(Duration.ZERO, null), await(limiter, background()));
            }
            return null;
        });
    }

    // With its burst used up, the bucket has a token again after `every`. A deadline sooner than that: Wait fails at
    // once with Go's "would exceed context deadline" and takes no token (the next call gets through after `every`,
    // as if the failed one had never been made). A deadline later than that: it gets through after `every`. A
    // deadline at that very moment: both are due together, and Go's select picks either.
    @Property
    void aDeadlineTooSoonFailsAtOnceAndTakesNoToken(
            @ForAll("limits") Limit limit, @ForAll @IntRange(min = -1000, max = 1000) int offsetMillis) {
        Duration every = millis(limit.everyMillis());
        Duration timeout = millis(Math.max(1, limit.everyMillis() + offsetMillis));
        int sign = timeout.compareTo(every);
        Statistics.collect(sign < 0 ? "deadline too soon" : sign == 0 ? "deadline when the token is due" : "deadline later");
        inBubble(() -> {
            RateLimit.Limiter limiter = limit.limiter();
            for (int i = 0; i < limit.burst(); i++) {
                await(limiter, background());
            }
            Cancelable c = withTimeout(background(), timeout);
            Outcome outcome;
            try {
                outcome = await(limiter, c.ctx());
            } finally {
                c.cancel().cancel();
            }
            if (sign < 0) {
                assertEquals(Duration.ZERO, outcome.took());
                assertEquals("rate: Wait(n=1) would exceed context deadline", outcome.error().getMessage());
                assertEquals(new Outcome(every, null), await(limiter, background()), "the next call");
            } else if (sign > 0) {
                assertEquals(new Outcome(every, null), outcome);
            } else {
                assertEquals(every, outcome.took());
                assertTrue(outcome.error() == null || outcome.error() == DeadlineExceeded, "got " + outcome.error());
            }
            return null;
        });
    }

    // Calls waiting in line; one of them is cancelled before its turn. It returns at that moment with Canceled, and
    // the others keep their times. Its token goes back to the bucket only if no call lined up after it (Go's
    // Reservation.Cancel: the later calls were given their times counting on it), so a call made right after the
    // cancel takes the cancelled call's place in the first case, and lines up behind the last in the other.
    @Property
    void aCancelledWaitReturnsAtOnceAndGivesItsTokenBackIfItWasLast(
            @ForAll("limits") Limit limit,
            @ForAll @IntRange(min = 1, max = 5) int waiting,
            @ForAll @IntRange(min = 0, max = 4) int cancelIndex,
            @ForAll @IntRange(min = 0, max = 999) int cancelPermille) {
        int cancelled = cancelIndex % waiting;
        Statistics.collect(cancelled == waiting - 1 ? "the last one cancelled" : "one before the last cancelled");
        // The model: the burst at 0, then one call per `every`; the cancelled one is due at (cancelled + 1) x every.
        Bucket model = new Bucket(limit.every(), limit.burst());
        List<Long> due = new ArrayList<>();
        for (int i = 0; i < limit.burst() + waiting; i++) {
            due.add(model.take(0));
        }
        long cancelDue = due.get(limit.burst() + cancelled);
        long cancelAt = cancelDue * cancelPermille / 1000;          // before its turn
        if (cancelled == waiting - 1) {
            model.full -= limit.every();                            // its token goes back
        }
        long newcomerDue = model.take(cancelAt);

        inBubble(() -> {
            RateLimit.Limiter limiter = limit.limiter();
            for (int i = 0; i < limit.burst(); i++) {
                assertEquals(new Outcome(Duration.ZERO, null), await(limiter, background()));
            }
            Cancelable c = withCancel(background());
            List<Chan<Outcome>> outcomes = new ArrayList<>();
            for (int i = 0; i < waiting; i++) {
                Context ctx = i == cancelled ? c.ctx() : background();
                Chan<Outcome> outcome = make(1);
                go(() -> outcome.send(await(limiter, ctx)));
                awaitBlocked();                                     // in line, in this order
                outcomes.add(outcome);
            }
            sleep(Duration.ofNanos(cancelAt));
            c.cancel().cancel();
            awaitBlocked();                                         // the cancelled call has returned
            Outcome newcomer = await(limiter, background());
            assertEquals(Duration.ofNanos(newcomerDue - cancelAt), newcomer.took(), "the call made after the cancel");
            for (int i = 0; i < waiting; i++) {
                Outcome outcome = outcomes.get(i).receive();
                if (i == cancelled) {
                    assertEquals(new Outcome(Duration.ofNanos(cancelAt), Canceled), outcome, "the cancelled call");
                } else {
                    assertEquals(new Outcome(Duration.ofNanos(due.get(limit.burst() + i)), null), outcome, "call " + i);
                }
            }
            return null;
        });
    }

    // Through a multi-limiter too: a call cancelled while it waits for its second limiter returns at that moment.
    @Example
    void aMultiLimiterReturnsAtOnceWhenCancelled() {
        inBubble(() -> {
            RateLimit.MultiLimiter multi = RateLimit.multiLimiter(      // one every 6s, burst 2; then one a second
                    new RateLimit.Limiter(Duration.ofSeconds(1), 1), new RateLimit.Limiter(Duration.ofSeconds(6), 2));
            Cancelable c = withTimeout(background(), Duration.ofSeconds(30));
            try {
                assertEquals(new Outcome(Duration.ZERO, null), await(multi, c.ctx()));
                Cancelable soon = withCancel(c.ctx());
                afterFunc(Duration.ofMillis(500), soon.cancel()::cancel);
                assertEquals(new Outcome(Duration.ofMillis(500), Canceled), await(multi, soon.ctx()));
            } finally {
                c.cancel().cancel();
            }
            return null;
        });
    }

    // ---- The book's four programs -------------------------------------------------------------------------------

    static List<Long> millisOf(List<RateLimit.Call> log, String what) {
        return log.stream().filter(call -> call.what().equals(what)).map(call -> call.at().toMillis()).toList();
    }

    static List<Long> millisEach(long step, long from, int count) {
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            times.add(from + i * step);
        }
        return times;
    }

    // The script's four connections with its defaults (ten calls of each kind, ResolveAddress 100ms later): the
    // times its output shows, to the millisecond, as the book's limits say.
    @Example
    void theFourProgramsLetTheCallsThroughWhenTheirLimitsSay() {
        Duration gap = Duration.ofMillis(100);
        List<List<RateLimit.Call>> logs = inBubble(() -> List.of(
                RateLimit.callAll(new RateLimit.Unlimited(), 10, gap),
                RateLimit.callAll(new RateLimit.SimpleLimit(), 10, gap),
                RateLimit.callAll(new RateLimit.MultiLimit(), 10, gap),
                RateLimit.callAll(new RateLimit.Tiered(), 10, gap)));
        // no limit: all at once
        assertEquals(Collections.nCopies(10, 0L), millisOf(logs.get(0), "ReadFile"));
        assertEquals(Collections.nCopies(10, 100L), millisOf(logs.get(0), "ResolveAddress"));
        // one a second
        assertEquals(millisEach(1000, 0, 10), millisOf(logs.get(1), "ReadFile"));
        assertEquals(millisEach(1000, 10_000, 10), millisOf(logs.get(1), "ResolveAddress"));
        // two a second for the ten a minute allows at once, then one every six seconds
        assertEquals(millisEach(500, 0, 10), millisOf(logs.get(2), "ReadFile"));
        assertEquals(millisEach(6000, 6000, 10), millisOf(logs.get(2), "ResolveAddress"));
        // tiered: ReadFile at the disk's one a second; ResolveAddress waits for the API's minute limit
        assertEquals(millisEach(1000, 0, 10), millisOf(logs.get(3), "ReadFile"));
        assertEquals(millisEach(6000, 6000, 10), millisOf(logs.get(3), "ResolveAddress"));
    }

    // One limit, any number of calls: one a second, ReadFile first.
    @Property(tries = 20)
    void theSimpleLimitLetsOneCallASecondThrough(@ForAll @IntRange(min = 0, max = 15) int calls) {
        List<RateLimit.Call> log = inBubble(() -> RateLimit.callAll(new RateLimit.SimpleLimit(), calls, Duration.ofMillis(100)));
        assertEquals(millisEach(1000, 0, calls), millisOf(log, "ReadFile"));
        assertEquals(millisEach(1000, calls * 1000L, calls), millisOf(log, "ResolveAddress"));
    }
}
