import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.statistics.Statistics;

/** Properties of Or.or: the result closes once any input closes and not before, and its goroutines all end. */
@PropertyDefaults(tries = 100)
// propagateTo is needed: a hook on a class reaches its properties' tries only when propagated (jqwik's default for
// a hook is NO_DESCENDANTS, which silently skips the leak check).
@AddLifecycleHook(value = TestSupport.NoLeaks.class, propagateTo = PropagationMode.ALL_DESCENDANTS)
class OrProperties {

    /** How long a closed input may take to close the result: generous, this is about "eventually", not speed. */
    static final Duration PROMPTLY = Duration.ofSeconds(2);

    /** True if c closes within the bound (these channels never carry values); releases its timer either way. */
    static boolean closesWithin(ReceiveOnly<?> c, Duration bound) {
        Timer timer = newTimer(bound);
        try {
            Selected s = select(onReceive(c), onReceive(timer.c()));
            assertTrue(s.index() == 1 || !s.ok(), "the or-channel delivered a value instead of closing");
            return s.index() == 0;
        } finally {
            timer.stop();
        }
    }

    /**
     * The whole check: or over n fresh channels; the result is not closed while no input is, not even after
     * {@code wait} (time for the tree of goroutines to be built); then the inputs in {@code toClose} are closed, in
     * that order, and the result must close, stay closed, and every goroutine or started must end although the
     * other inputs stay open.
     */
    static void checkOr(int n, List<Integer> toClose, Duration wait) {
        TestSupport.bounded(() -> {
            int baseline = goroutines();
            List<Chan<Void>> inputs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                inputs.add(make());
            }
            ReceiveOnly<?> result = Or.or(inputs.toArray(ReceiveOnly<?>[]::new));
            if (n == 0) {
                assertNull(result, "or() must be nil, a channel that never closes");
                assertEquals(baseline, goroutines(), "or() must start no goroutine");
                return null;
            }
            if (n == 1) {
                assertSame(inputs.get(0), result, "or(c) must be c itself");
                assertEquals(baseline, goroutines(), "or(c) must start no goroutine");
            }

            // Not before: no input is closed, so the result must not be, now or after waiting a while.
            assertFalse(TestSupport.isClosed(result), "the or-channel closed although no input was closed");
            assertFalse(closesWithin(result, wait), "the or-channel closed within " + wait + " with no input closed");

            for (int i : toClose) {
                inputs.get(i).close();
            }
            assertTrue(closesWithin(result, PROMPTLY),
                    "closed inputs " + toClose + " of " + n + " but the or-channel stayed open for " + PROMPTLY);
            assertFalse(result.receiveOk().ok(), "a closed channel must stay closed");
            // The rest of the inputs are still open: the tree must end anyway, down and up from the one that fired.
            TestSupport.assertNoGoroutineLeft(baseline);
            return null;
        });
    }

    // Proves, for 0 to 20 inputs and any nonempty set of them closed in any order: the or-channel does not close
    // before an input closes, closes once one does, and leaves no goroutine behind.
    @Property
    void closesOnceAnyInputClosesAndNotBefore(@ForAll @IntRange(min = 0, max = 20) int n,
                                              @ForAll @IntRange(min = 0, max = 10) int waitMillis,
                                              @ForAll Random random) {
        List<Integer> toClose = new ArrayList<>();
        if (n > 0) {
            List<Integer> all = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                all.add(i);
            }
            Collections.shuffle(all, random);
            int howMany = random.nextInt(4) == 0 ? 1 + random.nextInt(n) : 1; // usually one, sometimes several
            toClose = all.subList(0, howMany);
        }
        Statistics.label("inputs").collect(n <= 4 ? String.valueOf(n) : n <= 10 ? "5-10" : "11-20");
        Statistics.label("first closed").collect(toClose.isEmpty() ? "none (no input)"
                : toClose.get(0) < 3 ? "one of the first three" : "deeper in the tree");
        Statistics.label("inputs closed").collect(toClose.size() <= 1 ? toClose.size() : "several");
        checkOr(n, toClose, Duration.ofMillis(waitMillis));
    }

    /** Every single input of an or of n, closed alone. */
    static void checkEachInputAlone(int n) {
        for (int i = 0; i < n; i++) {
            checkOr(n, List.of(i), Duration.ofMillis(5));
        }
    }

    @Example
    void orOfNothingIsNilAndStartsNothing() {
        checkOr(0, List.of(), Duration.ofMillis(5));
    }

    @Example
    void orOfOneIsThatChannel() {
        checkEachInputAlone(1);
    }

    @Example
    void orOfTwoClosesWithEither() {
        checkEachInputAlone(2);
    }

    @Example
    void orOfThreeClosesWithAny() {
        checkEachInputAlone(3);
    }

    @Example
    void orOfFourClosesWithAnyIncludingTheOneInTheSubtree() {
        checkEachInputAlone(4);
    }

    // Go's nil channel is a valid input: it never closes, so it must neither close the result nor keep it open.
    @Example
    void nilInputsAreNeverReady() {
        TestSupport.bounded(() -> {
            int baseline = goroutines();
            Chan<Void> c = make();
            ReceiveOnly<?> result = Or.or(null, null, null, c, null);
            assertFalse(closesWithin(result, Duration.ofMillis(20)));
            c.close();
            assertTrue(closesWithin(result, PROMPTLY));
            TestSupport.assertNoGoroutineLeft(baseline);
            return null;
        });
    }
}
