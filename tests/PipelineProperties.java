import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.statistics.Statistics;

/** Properties of the generators and stages of Pipeline.java: take, repeat, repeatFn, and the multiply/add pipeline. */
@PropertyDefaults(tries = 100)
@AddLifecycleHook(TestSupport.NoLeaks.class)
class PipelineProperties {

    // take(n) over a finite generator of k values yields exactly min(n, k) values: the first ones, in order. Then its
    // stream closes, and closing done ends the generator if take left some of its values unsent.
    @Property
    void takeOverAFiniteStreamYieldsTheFirstMinOfNAndKValues(
            @ForAll @Size(max = 30) List<Integer> values, @ForAll @IntRange(min = 0, max = 40) int n) {
        Statistics.collect(n < values.size() ? "n < k" : n == values.size() ? "n == k" : "n > k");
        List<Integer> taken = TestSupport.bounded(() -> {
            Chan<Void> done = make();
            try {
                return TestSupport.drain(Pipeline.take(done, Pipeline.generator(done, TestSupport.ints(values)), n));
            } finally {
                done.close();
            }
        });
        assertEquals(values.subList(0, Math.min(n, values.size())), taken);
    }

    // take(n) over an endless repeat yields exactly n values. With values all different, repeat cycles them in order:
    // the i-th value taken is values[i mod k].
    @Property
    void takeOverRepeatYieldsNValuesCyclingInOrder(
            @ForAll("distinctValues") List<Integer> values, @ForAll @IntRange(min = 0, max = 60) int n) {
        Statistics.collect(n <= values.size() ? "less than one cycle" : "wraps around");
        List<Integer> taken = TestSupport.bounded(() -> {
            Chan<Void> done = make();
            try {
                return TestSupport.drain(Pipeline.take(done, Pipeline.repeat(done, values.toArray(Integer[]::new)), n));
            } finally {
                done.close();
            }
        });
        assertEquals(n, taken.size());
        for (int i = 0; i < n; i++) {
            assertEquals(values.get(i % values.size()), taken.get(i), "value " + i + " of " + taken);
        }
    }

    @Provide
    Arbitrary<List<Integer>> distinctValues() {
        return Arbitraries.integers().between(-1000, 1000).list().uniqueElements().ofMinSize(1).ofMaxSize(7);
    }

    // repeat with a single value, the book's take(10, repeat(1)).
    @Example
    void takeTenOfRepeatOneIsTenOnes() {
        List<Integer> taken = TestSupport.bounded(() -> {
            Chan<Void> done = make();
            try {
                return TestSupport.drain(Pipeline.take(done, Pipeline.repeat(done, 1), 10));
            } finally {
                done.close();
            }
        });
        assertEquals(List.of(1, 1, 1, 1, 1, 1, 1, 1, 1, 1), taken);
    }

    // repeatFn calls its function once per value taken, in order. After n values are taken and done is closed, it was
    // called n or n+1 times: the extra call is the value a blocked send holds (Go's `case valueStream <- fn():`
    // computes it before the select), and it is never sent. Never more.
    @Property
    void repeatFnCallsItsFunctionOncePerValueTakenPlusAtMostOne(@ForAll @IntRange(min = 0, max = 50) int n) {
        AtomicInteger calls = new AtomicInteger();
        List<List<Integer>> result = new ArrayList<>();
        settlesAtOnce(() -> {
            Chan<Void> done = make();
            try {
                result.add(TestSupport.drain(Pipeline.take(done, Pipeline.repeatFn(done, calls::incrementAndGet), n)));
            } finally {
                done.close();
            }
        }); // repeatFn has returned: it calls fn no more
        List<Integer> taken = result.getFirst();
        List<Integer> expected = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            expected.add(i);
        }
        assertEquals(expected, taken, "each value is the next call's result");
        Statistics.collect(calls.get() - n == 0 ? "called n times" : "called n+1 times");
        assertTrue(calls.get() == n || calls.get() == n + 1, "fn called " + calls.get() + " times for " + n + " values");
    }

    /** One stage of a random multiply/add pipeline. */
    record Op(boolean multiply, int operand) {
        int apply(int v) {
            return multiply ? v * operand : v + operand;
        }
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        return Combinators.combine(Arbitraries.of(true, false), Arbitraries.integers().between(-100, 100))
                .as(Op::new).list().ofMaxSize(6);
    }

    // A pipeline of multiply and add stages over a generator gives what the same operations give done one after the
    // other, value by value, in the same order (the book's multiply(add(multiply(gen, 2), 1), 2) is one such chain).
    @Property
    void multiplyAddPipelineEqualsTheSequentialComputation(
            @ForAll @Size(max = 30) List<@IntRange(min = -10_000, max = 10_000) Integer> values,
            @ForAll("ops") List<Op> ops) {
        Statistics.collect(ops.size());
        List<Integer> expected = values.stream().map(v -> {
            int result = v;
            for (Op op : ops) {
                result = op.apply(result);
            }
            return result;
        }).toList();
        List<Integer> actual = TestSupport.bounded(() -> {
            Chan<Void> done = make();
            try {
                ReceiveOnly<Integer> stream = Pipeline.generator(done, TestSupport.ints(values));
                for (Op op : ops) {
                    stream = op.multiply() ? Pipeline.multiply(done, stream, op.operand())
                            : Pipeline.add(done, stream, op.operand());
                }
                return TestSupport.drain(stream);
            } finally {
                done.close();
            }
        });
        assertEquals(expected, actual);
    }

    @Example
    void theBooksPipelineGives6_10_14_18() {
        List<Integer> actual = TestSupport.bounded(() -> {
            Chan<Void> done = make();
            try {
                ReceiveOnly<Integer> intStream = Pipeline.generator(done, 1, 2, 3, 4);
                return TestSupport.drain(Pipeline.multiply(done, Pipeline.add(done, Pipeline.multiply(done, intStream, 2), 1), 2));
            } finally {
                done.close();
            }
        });
        assertEquals(List.of(6, 10, 14, 18), actual);
    }

    // Closing done after the consumer took some values (and then stopped reading) ends every stage of a
    // multiply/add pipeline over an endless repeat at once: no time passes, and no goroutine is left.
    @Property(tries = 50)
    void closingDoneStopsEveryStageOfAPipeline(
            @ForAll("ops") List<Op> ops, @ForAll @IntRange(min = 0, max = 20) int consumed) {
        settlesAtOnce(() -> {
            Chan<Void> done = make();
            ReceiveOnly<Integer> stream = Pipeline.repeat(done, 1, 2, 3);
            for (Op op : ops) {
                stream = op.multiply() ? Pipeline.multiply(done, stream, op.operand())
                        : Pipeline.add(done, stream, op.operand());
            }
            for (int i = 0; i < consumed; i++) {
                stream.receive();
            }
            done.close();
        });
    }

    /**
     * Runs the body in a bubble, on virtual time, and checks what its last act (closing done) leads to: once every
     * goroutine has ended or is blocked for good (awaitBlocked), none is left, and no time has passed: every stage
     * stopped at its first look at done, with no timeout or poll. No wall-clock bound, so a stalled machine cannot
     * fail it; the bubble reports a stage blocked for good as a deadlock.
     */
    static void settlesAtOnce(Runnable body) {
        Deadlock deadlock = TestSupport.verdict(() -> {
            Instant start = now();
            body.run();
            assertEquals(start, now(), "time passed");
            awaitBlocked();
            assertEquals(0, goroutines(), "goroutines left after done closed");
            assertEquals(start, now(), "time passed after done closed");
        });
        assertNull(deadlock, () -> "blocked for good: " + deadlock.getMessage());
    }
}
