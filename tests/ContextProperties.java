import static gochan.Context.Canceled;
import static gochan.Context.DeadlineExceeded;
import static gochan.Context.background;
import static gochan.Context.withCancel;
import static gochan.Context.withDeadline;
import static gochan.Context.withTimeout;
import static gochan.Context.withValue;
import static gochan.Go.onDefault;
import static gochan.Go.onReceive;
import static gochan.Go.select;
import static gochan.Go.sleep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gochan.Context;
import gochan.Context.CancelFunc;
import gochan.Context.Cancelable;
import gochan.Go;
import gochan.Go.ReceiveOnly;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AroundTryHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.TryExecutionResult;
import net.jqwik.api.lifecycle.TryExecutor;
import net.jqwik.api.lifecycle.TryLifecycleContext;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The context port (scripts/gochan/Context.java) against a model: random trees of contexts, random cancellations,
 * deadlines that fire or are pre-empted, and value lookups. After every try no goroutine and no timer is left.
 */
@PropertyDefaults(tries = 100)
// Without propagateTo, jqwik applies a hook registered on a class to the class alone, never to its tries.
@AddLifecycleHook(value = TestSupport.NoLeaks.class, propagateTo = PropagationMode.ALL_DESCENDANTS)
@AddLifecycleHook(value = ContextProperties.NoTimersLeft.class, propagateTo = PropagationMode.ALL_DESCENDANTS)
class ContextProperties {

    // ---- a leak check for timers, beside TestSupport.NoLeaks for goroutines -------------------------------------

    /**
     * After each try (jqwik) or test (Jupiter), Go.timers() must be back at most at its value before: a cancelled
     * context stops its timer at once, and a fired one is gone, so nothing needs waiting for. "At most", because a
     * timer left by an earlier test may fire meanwhile and lower the count; nothing else runs at the same time.
     */
    static final class NoTimersLeft implements AroundTryHook, BeforeEachCallback, AfterEachCallback {
        private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(NoTimersLeft.class);

        @Override
        public PropagationMode propagateTo() {
            return PropagationMode.ALL_DESCENDANTS; // from the class down to every try
        }

        @Override
        public TryExecutionResult aroundTry(TryLifecycleContext context, TryExecutor aTry, List<Object> parameters) {
            int baseline = Go.timers();
            TryExecutionResult result = aTry.execute(parameters);
            if (result.status() == TryExecutionResult.Status.SATISFIED && Go.timers() > baseline) {
                return TryExecutionResult.falsified(new AssertionError(
                        (Go.timers() - baseline) + " timer(s) left running after the try"));
            }
            return result;
        }

        @Override
        public void beforeEach(ExtensionContext context) {
            context.getStore(NAMESPACE).put("baseline", Go.timers());
        }

        @Override
        public void afterEach(ExtensionContext context) {
            int baseline = context.getStore(NAMESPACE).get("baseline", Integer.class);
            assertTrue(Go.timers() <= baseline, (Go.timers() - baseline) + " timer(s) left running after the test");
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    /** Waits until ctx is done: true, or false after 5 s. Its timer is stopped on the way out: no leak. */
    static boolean awaitDone(Context ctx) {
        Go.Timer giveUp = Go.newTimer(Duration.ofSeconds(5));
        try {
            return select(onReceive(ctx.done()), onReceive(giveUp.c())).index() == 0;
        } finally {
            giveUp.stop();
        }
    }

    // Key types for values. Key and OtherKey hold the same ints: Go compares keys by type and value, so Key(1) and
    // OtherKey(1) must never find each other's values (nor the String "1", nor the Integer 1).
    record Key(int id) {}

    record OtherKey(int id) {}

    static final int KEYS = 3; // ids 0..2 are set by value nodes; id KEYS is never set

    // ---- property 1: random trees, random cancellations --------------------------------------------------------

    enum Kind { CANCEL, DEADLINE, VALUE }

    /**
     * One node of a tree: where it hangs (under the previous node if chainRoll is below the tree's chain
     * percentage, which makes deep trees; otherwise under a node picked at random, which makes wide ones), what
     * kind of child it is, and its data.
     */
    record NodeSpec(int parentPick, int chainRoll, Kind kind, int deadlineMinutes, int keyId) {}

    @Provide
    Arbitrary<List<NodeSpec>> trees() {
        Arbitrary<NodeSpec> node = Combinators.combine(
                Arbitraries.integers().between(0, 1000),
                Arbitraries.integers().between(0, 99),
                Arbitraries.of(Kind.class),
                Arbitraries.integers().between(0, 600),           // deadline: 1 h + this many minutes from now
                Arbitraries.integers().between(0, KEYS - 1)).as(NodeSpec::new);
        return node.list().ofMinSize(1).ofMaxSize(30);
    }

    @Provide
    Arbitrary<List<Integer>> cancelPicks() {
        return Arbitraries.integers().between(0, 1000).list().ofMinSize(1).ofMaxSize(15);
    }

    /** A tree built from specs, with the model's view of it. */
    static final class Tree {
        final List<Integer> parent = new ArrayList<>();          // -1: background()
        final List<Kind> kind = new ArrayList<>();
        final List<Context> ctx = new ArrayList<>();
        final List<CancelFunc> cancel = new ArrayList<>();       // null for value nodes
        final List<Instant> ownDeadline = new ArrayList<>();     // null unless a DEADLINE node
        final List<Integer> keyId = new ArrayList<>();           // -1 unless a VALUE node
        final Instant base = Instant.now().plus(Duration.ofHours(1));

        Tree(List<NodeSpec> specs, int chainPercent) {
            for (int i = 0; i < specs.size(); i++) {
                NodeSpec spec = specs.get(i);
                int p = spec.chainRoll() < chainPercent ? i - 1 : spec.parentPick() % (i + 1) - 1;
                Context parentCtx = p < 0 ? background() : ctx.get(p);
                parent.add(p);
                kind.add(spec.kind());
                switch (spec.kind()) {
                    case CANCEL -> {
                        Cancelable c = withCancel(parentCtx);
                        add(c.ctx(), c.cancel(), null, -1);
                    }
                    case DEADLINE -> {
                        Instant d = base.plus(Duration.ofMinutes(spec.deadlineMinutes()));
                        Cancelable c = withDeadline(parentCtx, d);
                        add(c.ctx(), c.cancel(), d, -1);
                    }
                    case VALUE -> add(withValue(parentCtx, new Key(spec.keyId()), "value of node " + i), null, null,
                            spec.keyId());
                }
            }
        }

        private void add(Context c, CancelFunc f, Instant deadline, int key) {
            ctx.add(c);
            cancel.add(f);
            ownDeadline.add(deadline);
            keyId.add(key);
        }

        int size() {
            return ctx.size();
        }

        /** Node i and its ancestors, nearest first. */
        List<Integer> path(int i) {
            List<Integer> path = new ArrayList<>();
            for (int n = i; n >= 0; n = parent.get(n)) {
                path.add(n);
            }
            return path;
        }

        int maxFanOut() {
            int max = 0;
            for (int i = -1; i < size(); i++) {
                int node = i;
                max = Math.max(max, (int) parent.stream().filter(p -> p == node).count());
            }
            return max;
        }

        int maxDepth() {
            int max = 0;
            for (int i = 0; i < size(); i++) {
                max = Math.max(max, path(i).size());
            }
            return max;
        }

        /** The model's deadline: the earliest own deadline along the path. */
        Optional<Instant> expectedDeadline(int i) {
            return path(i).stream().map(ownDeadline::get).filter(d -> d != null).min(Instant::compareTo);
        }

        /** Whether withDeadline made a timer for node i: only if its deadline is not later than the parent's. */
        boolean hasTimer(int i) {
            if (kind.get(i) != Kind.DEADLINE) {
                return false;
            }
            Optional<Instant> parentDeadline = parent.get(i) < 0 ? Optional.empty() : expectedDeadline(parent.get(i));
            return parentDeadline.isEmpty() || !parentDeadline.get().isBefore(ownDeadline.get(i));
        }

        /** The model's value: the nearest value node on the path with this key, or null. */
        Object expectedValue(int i, int key) {
            for (int n : path(i)) {
                if (kind.get(n) == Kind.VALUE && keyId.get(n) == key) {
                    return "value of node " + n;
                }
            }
            return null;
        }
    }

    @Property(tries = 200)
    void cancellingANodeCancelsExactlyItsDescendants(@ForAll("trees") List<NodeSpec> specs,
                                                     @ForAll @IntRange(min = 0, max = 100) int chainPercent,
                                                     @ForAll("cancelPicks") List<Integer> picks) {
        Tree shape = TestSupport.bounded(() -> {
            int timersBefore = Go.timers();
            Tree tree = new Tree(specs, chainPercent);
            int n = tree.size();
            Set<Integer> cancelled = new HashSet<>();
            try {
                checkTree(tree, cancelled, timersBefore);
                for (int pick : picks) {
                    int i = pick % n;
                    if (tree.cancel.get(i) == null) {
                        continue; // a value node has no cancel function
                    }
                    tree.cancel.get(i).cancel();
                    cancelled.add(i);
                    checkTree(tree, cancelled, timersBefore);
                }
            } finally {
                tree.cancel.forEach(f -> { if (f != null) f.cancel(); });   // defer cancel(), for every node
            }
            return tree;
        });
        int depth = shape.maxDepth();
        int fanOut = shape.maxFanOut();
        Statistics.label("depth").collect(depth <= 3 ? "1-3" : depth <= 10 ? "4-10" : "> 10");
        Statistics.label("fan-out").collect(fanOut <= 1 ? "0-1" : fanOut <= 4 ? "2-4" : "> 4");
    }

    /** Everything the model says about every node, including how many timers may still be live. */
    static void checkTree(Tree tree, Set<Integer> cancelled, int timersBefore) {
        int liveTimers = 0;
        for (int i = 0; i < tree.size(); i++) {
            Context c = tree.ctx.get(i);
            List<Integer> path = tree.path(i);
            boolean expectDone = path.stream().anyMatch(cancelled::contains);
            boolean cancellable = path.stream().anyMatch(n -> tree.kind.get(n) != Kind.VALUE);
            String where = "node " + i + " (" + tree.kind.get(i) + ", path " + path + ", cancelled " + cancelled + ")";

            assertSame(expectDone ? Canceled : null, c.err(), where + ": err()");
            if (cancellable) {
                assertNotNull(c.done(), where + ": a cancellable context has a done channel");
                assertEquals(expectDone, TestSupport.isClosed(c.done()), where + ": done() closed");
            } else {
                assertNull(c.done(), where + ": under background() with no cancel above, done() is Go's nil channel");
            }
            assertEquals(tree.expectedDeadline(i), c.deadline(), where + ": deadline()");
            for (int key = 0; key <= KEYS; key++) {
                assertEquals(tree.expectedValue(i, key), c.value(new Key(key)), where + ": value(Key(" + key + "))");
                assertNull(c.value(new OtherKey(key)), where + ": a key of another type never matches");
            }
            if (tree.hasTimer(i) && !expectDone) {
                liveTimers++;
            }
        }
        // A cancelled deadline node stopped its timer at once; the others still hold theirs.
        assertTrue(Go.timers() <= timersBefore + liveTimers,
                "timers: " + (Go.timers() - timersBefore) + " live, expected at most " + liveTimers);
    }

    // ---- property 2: deadlines fire, and a cancel that comes first is never overridden ---------------------------

    /** A parent for the context under test: it must not change when the deadline fires. */
    enum ParentKind { BACKGROUND, CANCEL, VALUE_OVER_CANCEL, LATER_DEADLINE }

    @Property(tries = 15)
    void aShortTimeoutFiresOnTimeWithDeadlineExceeded(@ForAll @IntRange(min = 20, max = 150) int timeoutMillis,
                                                       @ForAll ParentKind parentKind) {
        TestSupport.bounded(() -> {
            Cancelable parent = parent(parentKind);
            Duration timeout = Duration.ofMillis(timeoutMillis);
            Instant before = Instant.now();
            long start = System.nanoTime();
            Cancelable c = withTimeout(parent.ctx(), timeout);
            Instant after = Instant.now();
            Cancelable child = withCancel(c.ctx());                 // a descendant created before the deadline
            try {
                Instant deadline = c.ctx().deadline().orElseThrow();
                assertFalse(deadline.isBefore(before.plus(timeout)), "deadline() is creation time + timeout");
                assertFalse(deadline.isAfter(after.plus(timeout)), "deadline() is creation time + timeout");

                boolean fired = awaitDone(c.ctx());
                long took = System.nanoTime() - start;
                assertTrue(fired, "the deadline did not fire within 5 s");
                assertTrue(took >= timeout.toNanos(), "done after " + took + " ns, before the timeout " + timeout);
                assertTrue(took < timeout.plusSeconds(2).toNanos(), "done only after " + took + " ns");
                assertSame(DeadlineExceeded, c.ctx().err());
                assertSame(DeadlineExceeded, Context.cause(c.ctx()));
                assertSame(DeadlineExceeded, child.ctx().err(), "the descendant is done with the same error");
                assertNull(parent.ctx().err(), "the parent is not cancelled by its child's deadline");
                c.cancel().cancel();                                // after the deadline: changes nothing
                assertSame(DeadlineExceeded, c.ctx().err());
            } finally {
                child.cancel().cancel();
                c.cancel().cancel();
                parent.cancel().cancel();
            }
            return null;
        });
    }

    static Cancelable parent(ParentKind kind) {
        return switch (kind) {
            case BACKGROUND -> new Cancelable(background(), () -> { });
            case CANCEL -> withCancel(background());
            case VALUE_OVER_CANCEL -> {
                Cancelable c = withCancel(background());
                yield new Cancelable(withValue(c.ctx(), new Key(0), "v"), c.cancel());
            }
            case LATER_DEADLINE -> withTimeout(background(), Duration.ofHours(1));
        };
    }

    @Property(tries = 15)
    void cancelBeforeTheDeadlineGivesCanceledForGood(@ForAll @IntRange(min = 60, max = 200) int timeoutMillis,
                                                      @ForAll @IntRange(min = 0, max = 250) int cancelAfterMillis,
                                                      @ForAll ParentKind parentKind) {
        boolean cancelledFirst = TestSupport.bounded(() -> {
            Cancelable parent = parent(parentKind);
            int timersBefore = Go.timers();
            long start = System.nanoTime();
            Cancelable c = withTimeout(parent.ctx(), Duration.ofMillis(timeoutMillis));
            Cancelable child = withCancel(c.ctx());
            try {
                sleep(Duration.ofMillis(cancelAfterMillis));
                long cancelledAt = System.nanoTime() - start;
                c.cancel().cancel();
                boolean beforeDeadline = cancelledAt < Duration.ofMillis(timeoutMillis).toNanos();
                Context.ContextError first = c.ctx().err();
                assertNotNull(first, "done, one way or the other");
                if (beforeDeadline) { // the deadline cannot have fired yet, so the cancel decided the error
                    assertSame(Canceled, first);
                    assertTrue(Go.timers() <= timersBefore, "cancel stops the timer at once");
                }
                assertTrue(TestSupport.isClosed(c.ctx().done()));
                assertSame(first, child.ctx().err(), "the descendant has the same error");
                sleep(Duration.ofMillis(Math.max(0, timeoutMillis - cancelAfterMillis) + 30)); // past the deadline
                assertSame(first, c.ctx().err(), "the deadline passed and changed err()");
                assertSame(first, child.ctx().err());
                assertNull(parent.ctx().err(), "cancelling a child never cancels its parent");
                return beforeDeadline;
            } finally {
                child.cancel().cancel();
                parent.cancel().cancel();
            }
        });
        Statistics.collect(cancelledFirst ? "cancelled before the deadline" : "cancelled after the deadline passed");
    }

    // ---- property 3: values come from the nearest ancestor that set them ------------------------------------------

    /** A step of a chain: wrap the context in a value (with one of many keys) or in a cancel or deadline context. */
    record Step(int kind, int keyPick, int value) {}

    // Keys of different types with the same "content": Go tells them apart by type, so must the port.
    static Object key(int pick) {
        int id = pick % KEYS;
        return switch (pick / KEYS % 5) {
            case 0 -> new Key(id);
            case 1 -> new OtherKey(id);
            case 2 -> String.valueOf(id);
            case 3 -> id;                // Integer
            default -> (long) id;        // Long
        };
    }

    static final int KEY_PICKS = KEYS * 5;

    @Provide
    Arbitrary<List<Step>> chains() {
        return Combinators.combine(
                Arbitraries.integers().between(0, 3),             // 0, 1: value; 2: cancel; 3: deadline
                Arbitraries.integers().between(0, KEY_PICKS - 1),
                Arbitraries.integers().between(0, 99)).as(Step::new).list().ofMinSize(1).ofMaxSize(40);
    }

    @Property
    void valueIsTheNearestAncestorsValueOrNull(@ForAll("chains") List<Step> steps) {
        Context ctx = background();
        List<CancelFunc> cancels = new ArrayList<>();
        List<Object[]> set = new ArrayList<>();                 // {key, value}, in order of setting
        try {
            for (Step step : steps) {
                switch (step.kind()) {
                    case 0, 1 -> {
                        Object k = key(step.keyPick());
                        ctx = withValue(ctx, k, step.value());
                        set.add(new Object[] {k, step.value()});
                    }
                    case 2 -> {
                        Cancelable c = withCancel(ctx);
                        cancels.add(c.cancel());
                        ctx = c.ctx();
                    }
                    default -> {
                        Cancelable c = withTimeout(ctx, Duration.ofHours(1));
                        cancels.add(c.cancel());
                        ctx = c.ctx();
                    }
                }
                // Every key, looked up with a fresh but equal instance, finds the latest value set for it, or null.
                for (int pick = 0; pick < KEY_PICKS; pick++) {
                    Object k = key(pick);
                    Object expected = null;
                    for (Object[] kv : set) {
                        if (kv[0].equals(k)) {
                            expected = kv[1];
                        }
                    }
                    assertEquals(expected, ctx.value(k), "value(" + k + " : " + k.getClass().getSimpleName() + ")");
                }
            }
            cancels.forEach(CancelFunc::cancel);
            for (Object[] kv : set) { // values stay readable after cancellation
                assertNotNull(ctx.value(kv[0]));
            }
        } finally {
            cancels.forEach(CancelFunc::cancel);
        }
    }
}
