import static gochan.Context.*;
import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Random;
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
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.statistics.Statistics;

/**
 * Properties of Replicated.java: the replicated request, the three reallyLongCalculations under a deadline, and the
 * tally under cancellation. Each try runs in a bubble, on virtual time: handlers' loads, steps of work and deadlines
 * are waits, so every moment is exact (no margins), and awaitBlocked() tells when the goroutines have settled.
 */
@PropertyDefaults(tries = 100)
@AddLifecycleHook(TestSupport.NoLeaks.class)
class ReplicatedProperties {

    /** Runs the body in a bubble and returns its result; bounded in real time in case a goroutine spins. */
    static <T> T inBubble(Supplier<T> body) {
        return TestSupport.bounded(() -> {
            AtomicReference<T> result = new AtomicReference<>();
            bubble(() -> result.set(body.get()));
            return result.get();
        });
    }

    /** After the work: every goroutine it started has ended, and every timer it set is released. */
    static void assertNothingLeft() {
        awaitBlocked(); // a goroutine that has just called wg.done() or closed its channel may still be returning
        assertEquals(0, goroutines(), "goroutines left");
        assertEquals(0, timers(), "timers left");
    }

    /** Loads in whole units, few distinct values so that ties at the fastest are common. */
    @Provide
    Arbitrary<List<Duration>> loads() {
        Arbitrary<Duration> unit = Arbitraries.of(Duration.ofMillis(1), Duration.ofSeconds(1), Duration.ofHours(1));
        return unit.flatMap(u -> Arbitraries.integers().between(1, 5).map(u::multipliedBy)
                .list().ofMinSize(1).ofMaxSize(20));
    }

    // ---- 1. Replicated requests ------------------------------------------------------------------------------

    // Proves the pattern's promise: the answer comes from a fastest handler, after exactly its load; every other
    // handler is cancelled at that same moment (it ran exactly as long as the fastest, not its own load), the
    // request returns with no more time passing, and no goroutine or timer is left.
    @Property
    void theFirstAnswerIsTheFastestHandlersAndTheRestAreCancelled(@ForAll("loads") List<Duration> loads) {
        Duration fastest = Collections.min(loads);
        long tied = loads.stream().filter(fastest::equals).count();
        Statistics.label("handlers").collect(loads.size() == 1 ? "1" : loads.size() <= 5 ? "2-5" : "6-20");
        Statistics.label("fastest").collect(tied == 1 ? "one" : "a tie");
        inBubble(() -> {
            // given: one request replicated over handlers with these loads, and no deadline
            Instant start = now();
            // when
            Replicated.Answer answer = Replicated.replicatedRequest(background(), loads);
            // then
            assertEquals(fastest, answer.after(), "the first answer came after " + answer.after() + "; loads " + loads);
            assertEquals(fastest, loads.get(answer.firstReturned()),
                    "#" + answer.firstReturned() + " answered first; loads " + loads);
            assertEquals(fastest, since(start), "the request returned after every handler had ended: at once");
            for (int id = 0; id < loads.size(); id++) {
                assertEquals(fastest, answer.took().get(id),
                        "handler #" + id + " (load " + loads.get(id) + ") ran for " + answer.took().get(id));
            }
            assertNothingLeft();
            return null;
        });
    }

    // A deadline or a cancel from the caller, at a random moment, cancels every handler at that moment if none has
    // answered yet: the request returns exactly then, with no answer and ctx's error; otherwise the fastest answers
    // as without it. Either way nothing is left running, and the context's timer is released by its cancel.
    @Property
    void aDeadlineOrACancelEndsTheRequestAndEveryHandlerExactlyThen(@ForAll("loads") List<Duration> loads,
                                                                    @ForAll @IntRange(min = 1, max = 99) int percent,
                                                                    @ForAll boolean byDeadline) {
        Duration fastest = Collections.min(loads);
        // A moment between 0.06 and 5.94 times the fastest load, plus 1 ns: never a load (those are whole units)
        Duration at = fastest.multipliedBy(percent * 6L).dividedBy(100).plusNanos(1);
        Statistics.label("ends by").collect(byDeadline ? "deadline" : "cancel");
        Statistics.label("before the first answer").collect(at.compareTo(fastest) < 0);
        inBubble(() -> {
            // given: a context that ends at `at`, by its deadline or by a cancel (time.AfterFunc(at, cancel))
            Cancelable c = byDeadline ? withTimeout(background(), at) : withCancel(background());
            Timer canceller = byDeadline ? null : afterFunc(at, () -> c.cancel().cancel());
            try {
                // when
                Replicated.Answer answer = Replicated.replicatedRequest(c.ctx(), loads);
                // then
                if (at.compareTo(fastest) < 0) {
                    assertNull(answer.firstReturned(), "an answer although ctx ended first");
                    assertEquals(at, answer.after(), "the request must end exactly when ctx does");
                    assertSame(byDeadline ? DeadlineExceeded : Canceled, c.ctx().err());
                    for (int id = 0; id < loads.size(); id++) {
                        assertEquals(at, answer.took().get(id), "handler #" + id + " must be cancelled at " + at);
                    }
                } else {
                    assertEquals(fastest, answer.after(), "the fastest must answer as without ctx");
                    assertEquals(fastest, loads.get(answer.firstReturned()));
                }
            } finally {
                c.cancel().cancel();
                if (canceller != null) {
                    canceller.stop();
                }
            }
            assertNothingLeft();
            return null;
        });
    }

    // The script's loads: handler n's load is the n-th draw of 1 to 5 whole seconds from the seeded Random.
    @Example
    void theDefaultSeedGivesTheLoadsTheScriptShows() {
        List<Duration> loads = Replicated.simulatedLoadTimes(new Random(6), 10);
        assertEquals(List.of(2L, 2L, 2L, 4L, 2L, 4L, 3L, 5L, 1L, 2L), loads.stream().map(Duration::toSeconds).toList());
    }

    // ---- 2. Timeouts and cancellation ------------------------------------------------------------------------

    /** A deadline that never falls on a step boundary, so that "before" and "after" a step are never a tie. */
    static Duration offTheSteps(Duration step, int steps, int percent) {
        return step.multipliedBy(steps).plus(step.multipliedBy(percent).dividedBy(100));
    }

    static long ceilSteps(Duration d, Duration step) {
        return (d.toNanos() + step.toNanos() - 1) / step.toNanos();
    }

    // Proves the book's preemptability argument, exactly: the caller returns at its deadline whatever the work (or
    // with the result, if the work ends first); the stage stops at its first look at done after the deadline. For
    // the version that never looks, that is after all 6 steps; for the one that looks between its two calls, after
    // 3 steps (or 6, if the deadline comes after the look); for the one that looks before every step, at the end of
    // the step in progress.
    @Property
    void theCallerReturnsAtItsDeadlineAndTheStageAtItsFirstLookAtDone(
            @ForAll @IntRange(min = 1, max = 1_000) int stepMillis,
            @ForAll @IntRange(min = 0, max = 7) int fullSteps,
            @ForAll @IntRange(min = 1, max = 99) int percent,
            @ForAll @IntRange(min = 0, max = 2) int version,
            @ForAll @IntRange(min = -100, max = 100) int value) {
        Duration step = Duration.ofMillis(stepMillis);
        Duration timeout = offTheSteps(step, fullSteps, percent);
        int total = 2 * Replicated.STEPS;
        Replicated.Calculation calculation = switch (version) {
            case 0 -> (done, v, s) -> Replicated.reallyLongCalculation(v, s);
            case 1 -> Replicated::reallyLongCalculationBetweenCalls;
            default -> Replicated::reallyLongCalculation;
        };
        long stageSteps = fullSteps >= total ? total : switch (version) {
            case 0 -> total;
            case 1 -> fullSteps < Replicated.STEPS ? Replicated.STEPS : total;
            default -> ceilSteps(timeout, step);
        };
        Statistics.label("version").collect(List.of("not preemptable", "between calls", "every step").get(version));
        Statistics.label("deadline").collect(fullSteps >= total ? "after the work" : "during the work");
        inBubble(() -> {
            // when: one request with this deadline
            Replicated.Outcome outcome = Replicated.requestWithTimeout(timeout, calculation, value, step);
            // then
            if (fullSteps >= total) {
                assertEquals(value << total, outcome.result(), "each of the " + total + " steps doubles the value");
                assertEquals(step.multipliedBy(total), outcome.callerAfter());
            } else {
                assertNull(outcome.result(), "a result although the deadline came first");
                assertEquals(timeout, outcome.callerAfter(), "the caller must give up exactly at its deadline");
            }
            assertEquals(step.multipliedBy(stageSteps), outcome.stageEndedAfter(),
                    "deadline " + timeout + ", steps of " + step + ": when the stage stopped");
            assertNothingLeft();
            return null;
        });
    }

    // Proves the book's point about shared state: cancelled at any moment, the three-writes tally leaves exactly the
    // writes made before it (a prefix of 6, 21, 45: what must be rolled back), the one-write tally leaves nothing or
    // the whole; both stop at the end of the step in progress, and leave nothing running.
    @Property
    void aCancelledTallyLeavesOnlyTheWritesMadeBeforeIt(
            @ForAll @IntRange(min = 1, max = 1_000) int stepMillis,
            @ForAll @IntRange(min = 0, max = 9) int fullSteps,
            @ForAll @IntRange(min = 1, max = 99) int percent,
            @ForAll boolean once) {
        Duration step = Duration.ofMillis(stepMillis);
        Duration timeout = offTheSteps(step, fullSteps, percent);
        // The additions: 2 for add(1, 2, 3), then 3 and 3; a write follows the last step of each add, and the last
        // look at done before that write is one step earlier.
        List<Integer> expected = once
                ? (fullSteps >= 7 ? List.of(45) : List.of())
                : List.of(6, 21, 45).subList(0, fullSteps >= 7 ? 3 : fullSteps >= 4 ? 2 : fullSteps >= 1 ? 1 : 0);
        Statistics.label("tally").collect(once ? "written once" : "written three times");
        Statistics.label("writes left").collect(expected.size());
        inBubble(() -> {
            // given
            Replicated.Tally tally = once ? Replicated::tallyWrittenOnce : Replicated::tallyWrittenThreeTimes;
            Instant start = now();
            // when: cancelled by its deadline
            List<Integer> state = Replicated.tallyWithTimeout(timeout, tally, step);
            // then
            assertEquals(expected, state, "cancelled at " + timeout + " with steps of " + step);
            assertEquals(step.multipliedBy(Math.min(8, ceilSteps(timeout, step))), since(start),
                    "the tally must stop at the end of the step in progress");
            assertNothingLeft();
            return null;
        });
    }
}
