import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
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
 * Properties of Or.or: the result closes once any input closes and not before, and its goroutines all end. Each try
 * runs in a bubble, on virtual time: waiting hours costs nothing, "at once" means "with no time passing", and
 * awaitBlocked() tells when the tree of goroutines has settled, so every expectation is exact.
 */
@PropertyDefaults(tries = 100)
// propagateTo is needed: a hook on a class reaches its properties' tries only when propagated (jqwik's default for
// a hook is NO_DESCENDANTS, which silently skips the leak check).
@AddLifecycleHook(value = TestSupport.NoLeaks.class, propagateTo = PropagationMode.ALL_DESCENDANTS)
class OrProperties {

    /** Runs the body in a bubble, bounded in real time in case a goroutine spins instead of blocking. */
    static void inBubble(Runnable body) {
        TestSupport.bounded(() -> {
            bubble(body);
            return null;
        });
    }

    /**
     * The goroutines or starts for n inputs: one per node of its tree. Each node selects on three inputs and on the
     * or of the rest plus its own orDone, so each level takes two inputs off; an or of 2 or 3 is one node.
     */
    static int treeSize(int n) {
        return n < 2 ? 0 : n / 2;
    }

    /**
     * The whole check, in a bubble: or over n fresh channels; once the tree has settled it has its expected size and
     * the result is not closed, not even after {@code wait} more; then the inputs in {@code toClose} are closed, in
     * that order, and the result must close with no time passing, stay closed, and every goroutine or started must
     * end although the other inputs stay open.
     */
    static void checkOr(int n, List<Integer> toClose, Duration wait) {
        inBubble(() -> {
            List<Chan<Void>> inputs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                inputs.add(make());
            }
            ReceiveOnly<?> result = Or.or(inputs.toArray(ReceiveOnly<?>[]::new));
            if (n == 0) {
                assertNull(result, "or() must be nil, a channel that never closes");
                assertEquals(0, goroutines(), "or() must start no goroutine");
                return;
            }
            if (n == 1) {
                assertSame(inputs.get(0), result, "or(c) must be c itself");
            }
            awaitBlocked(); // the whole tree is built and waiting
            assertEquals(treeSize(n), goroutines(), "goroutines of the or-tree over " + n + " inputs");

            // Not before: no input is closed, so the result must not be, now or after waiting any time.
            assertFalse(isClosed(result), "the or-channel closed although no input was closed");
            sleep(wait);
            assertFalse(isClosed(result), "the or-channel closed after " + wait + " with no input closed");

            Instant closedAt = now();
            for (int i : toClose) {
                inputs.get(i).close();
            }
            // If it never closed, the bubble would be a deadlock and bubble() would throw it, with the dump.
            assertFalse(result.receiveOk().ok(), "the or-channel delivered a value instead of closing");
            assertEquals(Duration.ZERO, since(closedAt), "closed inputs " + toClose + " of " + n
                    + ": the or-channel must close at once, with no time passing");
            assertFalse(result.receiveOk().ok(), "a closed channel must stay closed");
            // The rest of the inputs are still open: the tree must end anyway, down and up from the one that fired.
            awaitBlocked();
            assertEquals(0, goroutines(), "goroutines of the or-tree left after it closed");
        });
    }

    // Proves, for 0 to 20 inputs and any nonempty set of them closed in any order: the or-channel does not close
    // before an input closes, however long we wait, closes at once when one does, and leaves no goroutine behind.
    @Property
    void closesOnceAnyInputClosesAndNotBefore(@ForAll @IntRange(min = 0, max = 20) int n,
                                              @ForAll("waits") Duration wait,
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
        checkOr(n, toClose, wait);
    }

    /** From nothing to a day, in steps of a millisecond, a second or an hour: on virtual time all cost the same. */
    @Provide
    Arbitrary<Duration> waits() {
        return Arbitraries.oneOf(
                Arbitraries.longs().between(0, 1_000).map(Duration::ofMillis),
                Arbitraries.longs().between(1, 3_600).map(Duration::ofSeconds),
                Arbitraries.longs().between(1, 24).map(Duration::ofHours));
    }

    // Proves the script's lesson with its own sig: or over signals of any durations closes after exactly the
    // shortest one, virtual time, and then only the signals of that duration are closed, the or-tree has ended,
    // and the others' goroutines and timers last until done closes.
    @Property
    void closesAfterExactlyTheShortestSignal(@ForAll @Size(min = 1, max = 20)
                                             List<@IntRange(min = 0, max = 30) Integer> steps,
                                             @ForAll("units") Duration unit) {
        List<Duration> durations = steps.stream().map(unit::multipliedBy).toList();
        Duration shortest = Collections.min(durations);
        long ofShortest = durations.stream().filter(shortest::equals).count();
        Statistics.label("signals of the shortest duration").collect(ofShortest == 1 ? "one" : "several");
        inBubble(() -> {
            Chan<Void> done = make();
            ReceiveOnly<?>[] sigs = new ReceiveOnly<?>[durations.size()];
            for (int i = 0; i < sigs.length; i++) {
                sigs[i] = Or.sig(done, durations.get(i));
            }
            Instant start = now();
            receive(Or.or(sigs));
            assertEquals(shortest, since(start), "or over " + durations + " closed after " + since(start));

            awaitBlocked(); // every signal due now has closed, and the or-tree has ended
            List<Duration> closed = new ArrayList<>();
            for (int i = 0; i < sigs.length; i++) {
                if (isClosed(sigs[i])) {
                    closed.add(durations.get(i));
                }
            }
            assertEquals(Collections.nCopies((int) ofShortest, shortest), closed, "the signals closed of " + durations);
            int open = sigs.length - (int) ofShortest;
            assertEquals(open, goroutines(), "one goroutine per open signal, none of the or-tree");
            assertEquals(open, timers(), "one timer per open signal");

            done.close();
            awaitBlocked();
            assertEquals(0, goroutines(), "goroutines left after close(done)");
            assertEquals(0, timers(), "timers left after close(done)");
        });
    }

    @Provide
    Arbitrary<Duration> units() {
        return Arbitraries.of(Duration.ofMillis(1), Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ofHours(1));
    }

    /** Every single input of an or of n, closed alone. */
    static void checkEachInputAlone(int n) {
        for (int i = 0; i < n; i++) {
            checkOr(n, List.of(i), Duration.ofHours(1));
        }
    }

    @Example
    void orOfNothingIsNilAndStartsNothing() {
        checkOr(0, List.of(), Duration.ofHours(1));
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
        inBubble(() -> {
            Chan<Void> c = make();
            ReceiveOnly<?> result = Or.or(null, null, null, c, null);
            awaitBlocked();
            sleep(Duration.ofHours(1));
            assertFalse(isClosed(result), "an or of nil channels and an open one closed");
            Instant closedAt = now();
            c.close();
            receive(result);
            assertEquals(Duration.ZERO, since(closedAt), "the or-channel must close at once");
            awaitBlocked();
            assertEquals(0, goroutines(), "goroutines of the or-tree left after it closed");
        });
    }
}
