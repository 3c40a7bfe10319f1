import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gochan.Context;
import gochan.Go;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
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
import net.jqwik.api.statistics.Statistics;

/**
 * Properties of ErrGroup.java, Go's errgroup: Wait returns the first error, which cancels the others' context;
 * SetLimit(n) never lets more than n tasks run and runs them all; Wait without an error returns null once every task
 * has ended; and nothing is left running. Each try runs in a bubble, on virtual time: the tasks' work is a wait, so
 * "first" is first in time, and every moment is exact (no margins).
 */
@PropertyDefaults(tries = 100)
@AddLifecycleHook(TestSupport.NoLeaks.class)
class ErrGroupProperties {

    /** Runs the body in a bubble and returns its result; bounded in real time in case a goroutine spins. */
    static <T> T inBubble(Supplier<T> body) {
        return TestSupport.bounded(() -> {
            AtomicReference<T> result = new AtomicReference<>();
            bubble(() -> result.set(body.get()));
            return result.get();
        });
    }

    /** What one task saw: when it ended, and whether it was cancelled (it saw ctx done before its work was done). */
    record Outcome(Duration endedAt, boolean cancelled) {}

    /** A task of the tests: works for its latency unless ctx is done first; then fails if told to. */
    static void work(Context ctx, Duration latency, Exception fails) throws Exception {
        Timer timer = newTimer(latency);
        try {
            switch (select(onReceive(ctx.done()), onReceive(timer.c())).index()) {
                case 0 -> throw ctx.err();                          // case <-ctx.Done(): return ctx.Err()
                case 1 -> { }                                       // case <-timer.C:
            }
        } finally {
            timer.stop();
        }
        if (fails != null) {
            throw fails;
        }
    }

    /** Latencies in milliseconds from a few values, so that ties (two failures at once) happen. */
    @Provide
    Arbitrary<List<Integer>> latencies() {
        return Arbitraries.integers().between(0, 5).list().ofMinSize(1).ofMaxSize(20);
    }

    // ---- The first error -------------------------------------------------------------------------------------

    // Proves errgroup's promise with WithContext: Wait returns the error of the task that failed first (in time; of
    // those that failed at that same moment, one of them), exactly when it failed; that error is ctx's cause; every
    // task still working then sees the cancellation at that very moment, and those done sooner finish normally.
    // Without any failure Wait returns null when the last task is done, and ctx is cancelled by Wait itself.
    @Property
    void waitReturnsTheFirstErrorAndTheOthersSeeTheCancellation(@ForAll("latencies") List<Integer> millis,
                                                                @ForAll @Size(max = 20) List<Boolean> failing) {
        int n = millis.size();
        // given n tasks, each working millis[i] and then failing if failing[i]
        List<Exception> errors = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            errors.add(i < failing.size() && failing.get(i) ? new Exception("task " + i + " failed") : null);
        }
        int firstFailure = Integer.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            if (errors.get(i) != null) {
                firstFailure = Math.min(firstFailure, millis.get(i));
            }
        }
        int failedAt = firstFailure;
        long failuresThen = 0;
        for (int i = 0; i < n; i++) {
            failuresThen += errors.get(i) != null && millis.get(i) == failedAt ? 1 : 0;
        }
        Statistics.label("failures at the first failure's moment").collect(failuresThen <= 1 ? failuresThen : "several");
        Statistics.label("tasks").collect(n < 5 ? "1-4" : n < 10 ? "5-9" : "10-20");

        inBubble(() -> {
            Outcome[] outcomes = new Outcome[n];
            Instant start = now();
            // when they run in a group made by WithContext
            ErrGroup.GroupContext gc = ErrGroup.withContext(Context.background());
            ErrGroup.Group g = gc.g();
            Context ctx = gc.ctx();
            for (int i = 0; i < n; i++) {
                int task = i;
                g.go(() -> {
                    try {
                        work(ctx, Duration.ofMillis(millis.get(task)), errors.get(task));
                        outcomes[task] = new Outcome(since(start), false);
                    } catch (Context.ContextError cancelled) {
                        outcomes[task] = new Outcome(since(start), true);
                        throw cancelled;
                    } catch (Exception failed) {
                        outcomes[task] = new Outcome(since(start), false);
                        throw failed;
                    }
                });
            }
            Exception err = g.await();
            Duration returnedAt = since(start);

            // then, without a failure: null, when the last task is done, none of them cancelled
            if (failedAt == Integer.MAX_VALUE) {
                assertNull(err, "Wait without a failure");
                assertEquals(Duration.ofMillis(Collections.max(millis)), returnedAt, "Wait returned at");
                for (int i = 0; i < n; i++) {
                    assertEquals(new Outcome(Duration.ofMillis(millis.get(i)), false), outcomes[i], "task " + i);
                }
                assertSame(Context.Canceled, ctx.err(), "Wait cancels ctx when it returns");
                assertSame(Context.Canceled, Context.cause(ctx), "with no error, the cause is Canceled");
            } else {
                // with one: the error of a task that failed first, at that moment; it is ctx's cause
                Duration first = Duration.ofMillis(failedAt);
                assertNotNull(err, "Wait returned null, but a task failed at " + failedAt + "ms");
                assertTrue(errors.contains(err), "Wait returned " + err + ", not one of the tasks' errors");
                assertEquals(failedAt, (int) millis.get(errors.indexOf(err)), "Wait returned the error of a task failing at "
                        + millis.get(errors.indexOf(err)) + "ms, but one failed at " + failedAt + "ms");
                assertEquals(first, returnedAt, "Wait returned at");
                assertSame(err, Context.cause(ctx), "ctx's cause");
                assertSame(Context.Canceled, ctx.err());
                // every other task: done before, or cancelled at that very moment; one due at that moment (a
                // second failure included) ends then, either way
                for (int i = 0; i < n; i++) {
                    int ms = millis.get(i);
                    Outcome seen = outcomes[i];
                    if (ms < failedAt) {
                        assertEquals(new Outcome(Duration.ofMillis(ms), false), seen, "task " + i + " done first");
                    } else if (ms > failedAt) {
                        assertEquals(new Outcome(first, true), seen, "task " + i + " must see the cancellation then");
                    } else {
                        assertEquals(first, seen.endedAt(), "task " + i + " ended");
                    }
                }
            }
            // and nothing is left running once Wait has returned: no time passes before they are all gone
            awaitBlocked();
            assertEquals(0, goroutines(), "goroutines left after Wait");
            assertEquals(0, timers(), "timers left after Wait");
            return null;
        });
    }

    // A zero Group (new Group()) also returns the first error, but cancels nothing: every task runs to its end, and
    // Wait returns once the last one is done.
    @Property(tries = 50)
    void aZeroGroupReturnsTheFirstErrorAndCancelsNothing(@ForAll("latencies") List<Integer> millis,
                                                         @ForAll @IntRange(min = 0, max = 19) int failing) {
        int n = millis.size();
        int bad = failing % n;
        Exception error = new Exception("task " + bad + " failed");
        inBubble(() -> {
            AtomicInteger finished = new AtomicInteger();
            Instant start = now();
            ErrGroup.Group g = new ErrGroup.Group();
            for (int i = 0; i < n; i++) {
                int task = i;
                g.go(() -> {
                    sleep(Duration.ofMillis(millis.get(task)));
                    finished.incrementAndGet();
                    if (task == bad) {
                        throw error;
                    }
                });
            }
            assertSame(error, g.await());
            assertEquals(Duration.ofMillis(Collections.max(millis)), since(start), "Wait returned at");
            assertEquals(n, finished.get(), "tasks that ran to their end");
            return null;
        });
    }

    // ---- SetLimit --------------------------------------------------------------------------------------------

    /**
     * When each task starts under SetLimit(limit), on paper: Go blocks until a slot is free, and the tasks are
     * started in order, so each one starts when the earliest slot frees, but not before the one before it.
     */
    static List<Duration> startTimes(List<Integer> millis, int limit) {
        PriorityQueue<Long> slotsFreeAt = new PriorityQueue<>();
        for (int i = 0; i < limit; i++) {
            slotsFreeAt.add(0L);
        }
        List<Duration> starts = new ArrayList<>();
        long previous = 0;
        for (int ms : millis) {
            long start = Math.max(previous, slotsFreeAt.poll());
            slotsFreeAt.add(start + ms);
            starts.add(Duration.ofMillis(start));
            previous = start;
        }
        return starts;
    }

    // Proves SetLimit's promise: never more than n tasks at once, exactly n whenever enough are waiting (each task
    // takes at least 1ms), and every task runs exactly once; each starts when a slot frees, as the model on paper
    // says, to the nanosecond; Wait returns null when the last is done, and nothing is left running.
    @Property
    void setLimitNeverRunsMoreThanNAtOnceAndRunsThemAll(@ForAll @Size(max = 30) List<@IntRange(min = 1, max = 5) Integer> millis,
                                                       @ForAll @IntRange(min = 1, max = 8) int limit) {
        int n = millis.size();
        Statistics.label("tasks per slot").collect(n <= limit ? "no more than the limit" : n <= 2 * limit ? "up to 2" : "more");
        inBubble(() -> {
            AtomicInteger running = new AtomicInteger();
            AtomicInteger most = new AtomicInteger();
            AtomicIntegerArray runs = new AtomicIntegerArray(n);
            Duration[] startedAt = new Duration[n];
            Instant start = now();
            // given a group limited to `limit`
            ErrGroup.Group g = new ErrGroup.Group();
            g.setLimit(limit);
            // when n tasks are started through it
            for (int i = 0; i < n; i++) {
                int task = i;
                g.go(() -> {
                    startedAt[task] = since(start);
                    most.accumulateAndGet(running.incrementAndGet(), Math::max);
                    runs.incrementAndGet(task);
                    sleep(Duration.ofMillis(millis.get(task)));
                    running.decrementAndGet();
                });
            }
            Exception err = g.await();
            // then
            assertNull(err);
            assertEquals(Math.min(n, limit), most.get(), "most tasks running at once, with a limit of " + limit);
            for (int i = 0; i < n; i++) {
                assertEquals(1, runs.get(i), "runs of task " + i);
            }
            List<Duration> expected = startTimes(millis, limit);
            assertEquals(expected, List.of(startedAt), "start times");
            Duration last = Duration.ZERO;
            for (int i = 0; i < n; i++) {
                Duration end = expected.get(i).plusMillis(millis.get(i));
                last = end.compareTo(last) > 0 ? end : last;
            }
            assertEquals(last, since(start), "Wait returned at");
            awaitBlocked();
            assertEquals(0, goroutines(), "goroutines left after Wait");
            return null;
        });
    }

    // TryGo starts a task only while the group is below its limit, and never blocks; a limit of 0 lets none start,
    // a negative one removes the limit. (Go's TestTryGo, on virtual time.)
    @Property(tries = 30)
    void tryGoStartsATaskOnlyBelowTheLimit(@ForAll @IntRange(min = 1, max = 10) int limit) {
        inBubble(() -> {
            ErrGroup.Group g = new ErrGroup.Group();
            g.setLimit(limit);
            Chan<Void> release = make();
            for (int i = 0; i < limit; i++) {
                assertTrue(g.tryGo(() -> receive(release)), "TryGo below the limit, task " + i);
            }
            assertFalse(g.tryGo(() -> { }), "TryGo at the limit");
            release.close();
            assertNull(g.await());
            assertTrue(g.tryGo(() -> { }), "TryGo after Wait");
            g.await();
            g.setLimit(0);
            assertFalse(g.tryGo(() -> { }), "TryGo with a limit of 0");
            g.setLimit(-1);
            for (int i = 0; i < 3 * limit; i++) {
                assertTrue(g.tryGo(() -> sleep(Duration.ofMillis(1))), "TryGo without a limit");
            }
            assertNull(g.await());
            return null;
        });
    }

    // ---- Misuse and panics -----------------------------------------------------------------------------------

    @Example
    void changingTheLimitWhileTasksRunPanics() {
        inBubble(() -> {
            ErrGroup.Group g = new ErrGroup.Group();
            g.setLimit(2);
            Chan<Void> release = make();
            g.go(() -> receive(release));
            Go.Panic panic = assertThrows(Go.Panic.class, () -> g.setLimit(3));
            assertEquals("errgroup: modify limit while 1 goroutines in the group are still active", panic.getMessage());
            release.close();
            g.await();
            g.setLimit(3); // allowed again once they have ended
            return null;
        });
    }

    // An Error is a panic, not an error: it escapes the goroutine (here: the bubble rethrows it) instead of being
    // what Wait returns, as errgroup leaves Go's panics alone; the group still counts the task as done.
    @Example
    void anErrorEscapesAsAPanic() {
        AtomicReference<Exception> waited = new AtomicReference<>(new Exception("Wait did not return"));
        AssertionError escaped = assertThrows(AssertionError.class, () -> bubble(() -> {
            ErrGroup.Group g = new ErrGroup.Group();
            g.go(() -> {
                throw new AssertionError("boom");
            });
            waited.set(g.await());
        }));
        assertEquals("boom", escaped.getMessage());
        assertNull(waited.get(), "Wait's error");
    }
}
