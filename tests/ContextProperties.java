import static gochan.Context.Canceled;
import static gochan.Context.DeadlineExceeded;
import static gochan.Context.background;
import static gochan.Context.withCancel;
import static gochan.Context.withDeadline;
import static gochan.Context.withTimeout;
import static gochan.Context.withValue;
import static gochan.Go.awaitBlocked;
import static gochan.Go.bubble;
import static gochan.Go.go;
import static gochan.Go.goroutines;
import static gochan.Go.make;
import static gochan.Go.now;
import static gochan.Go.receive;
import static gochan.Go.since;
import static gochan.Go.sleep;
import static gochan.Go.timers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gochan.Context;
import gochan.Context.CancelFunc;
import gochan.Context.Cancelable;
import gochan.Context.ContextError;
import gochan.Go;
import gochan.Go.Chan;
import gochan.Go.WaitGroup;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
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
 * deadlines that fire or are pre-empted, and value lookups. Every try that involves time runs in a bubble, on
 * virtual time: a deadline is checked to the nanosecond, a day's timeout costs nothing, and awaitBlocked() tells
 * when whatever was due has happened, so no expectation has a margin. After every try no goroutine and no timer
 * is left.
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

    /**
     * Runs the body in a bubble (Go's synctest.Test), bounded in real time in case a goroutine spins instead of
     * blocking. The bubble's timers are its own, which NoTimersLeft does not see: the body must leave none.
     */
    static void inBubble(Runnable body) {
        TestSupport.bounded(() -> {
            bubble(() -> {
                body.run();
                assertEquals(0, timers(), "timer(s) left running in the bubble");
            });
            return null;
        });
    }

    // Key types for values. Key and OtherKey hold the same ints: Go compares keys by type and value, so Key(1) and
    // OtherKey(1) must never find each other's values (nor the String "1", nor the Integer 1).
    record Key(int id) {}

    record OtherKey(int id) {}

    static final int KEYS = 3; // ids 0..2 are set by value nodes; id KEYS is never set

    /** A timeout of 1 ns to a day: often a few milliseconds, so that two of them are often equal. */
    @Provide
    Arbitrary<Duration> timeouts() {
        return Arbitraries.oneOf(
                Arbitraries.longs().between(1, 3).map(Duration::ofMillis),
                Arbitraries.longs().between(1, Duration.ofDays(1).toNanos()).map(Duration::ofNanos));
    }

    // ---- property 1: random trees, random cancellations, time passing -------------------------------------------

    enum Kind { CANCEL, DEADLINE, VALUE }

    /**
     * One node of a tree: where it hangs (under the previous node if chainRoll is below the tree's chain
     * percentage, which makes deep trees; otherwise under a node picked at random, which makes wide ones), what
     * kind of child it is, and its data.
     */
    record NodeSpec(int parentPick, int chainRoll, Kind kind, int deadlineTens, int keyId) {}

    // Deadlines and sleeps are whole multiples of 10 ms, so that a deadline often falls exactly where a sleep ends,
    // or on another node's deadline. A deadline of 0 is the moment the tree is built: that node is born exceeded.
    static final Duration TICK = Duration.ofMillis(10);

    @Provide
    Arbitrary<List<NodeSpec>> trees() {
        Arbitrary<NodeSpec> node = Combinators.combine(
                Arbitraries.integers().between(0, 1000),
                Arbitraries.integers().between(0, 99),
                Arbitraries.of(Kind.class),
                Arbitraries.integers().between(0, 50),            // deadline: this many ticks after the tree is built
                Arbitraries.integers().between(0, KEYS - 1)).as(NodeSpec::new);
        return node.list().ofMinSize(1).ofMaxSize(30);
    }

    /** What happens to a tree: a cancel of the node picked, or time passing (0 to 10 ticks). */
    record Event(boolean sleep, int pick, int ticks) {}

    @Provide
    Arbitrary<List<Event>> events() {
        return Combinators.combine(
                Arbitraries.of(true, false),
                Arbitraries.integers().between(0, 1000),
                Arbitraries.integers().between(0, 10)).as(Event::new).list().ofMinSize(1).ofMaxSize(20);
    }

    /** A tree built from specs at the bubble's time {@code built}, with the model's view of it. */
    static final class Tree {
        final List<Integer> parent = new ArrayList<>();          // -1: background()
        final List<Kind> kind = new ArrayList<>();
        final List<Context> ctx = new ArrayList<>();
        final List<CancelFunc> cancel = new ArrayList<>();       // null for value nodes
        final List<Instant> ownDeadline = new ArrayList<>();     // null unless a DEADLINE node
        final List<Integer> keyId = new ArrayList<>();           // -1 unless a VALUE node
        final List<ContextError> err = new ArrayList<>();        // the model's err(): null until the node is done
        final Instant built;

        Tree(List<NodeSpec> specs, int chainPercent, Instant built) {
            this.built = built;
            for (int i = 0; i < specs.size(); i++) {
                NodeSpec spec = specs.get(i);
                int p = spec.chainRoll() < chainPercent ? i - 1 : spec.parentPick() % (i + 1) - 1;
                Context parentCtx = p < 0 ? background() : ctx.get(p);
                parent.add(p);
                kind.add(spec.kind());
                err.add(null);
                switch (spec.kind()) {
                    case CANCEL -> {
                        Cancelable c = withCancel(parentCtx);
                        add(c.ctx(), c.cancel(), null, -1);
                    }
                    case DEADLINE -> {
                        Instant d = built.plus(TICK.multipliedBy(spec.deadlineTens()));
                        Cancelable c = withDeadline(parentCtx, d);
                        add(c.ctx(), c.cancel(), d, -1);
                    }
                    case VALUE -> add(withValue(parentCtx, new Key(spec.keyId()), "value of node " + i), null, null,
                            spec.keyId());
                }
            }
            passTime(built); // deadlines at the moment of building are already exceeded
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

        // ---- the model: the first of its ancestors' cancels and deadlines decides a node's error, for good ----

        /** Node root is cancelled, or its deadline passed: it and every descendant not yet done are done with e. */
        void done(int root, ContextError e) {
            for (int i = 0; i < size(); i++) {
                if (err.get(i) == null && path(i).contains(root)) {
                    err.set(i, e);
                }
            }
        }

        /** The clock reached now: every deadline at or before it has passed. */
        void passTime(Instant now) {
            for (int i = 0; i < size(); i++) {
                if (ownDeadline.get(i) != null && !ownDeadline.get(i).isAfter(now)) {
                    done(i, DeadlineExceeded);
                }
            }
        }

        /** The model's deadline: the earliest own deadline along the path. */
        Optional<Instant> expectedDeadline(int i) {
            return path(i).stream().map(ownDeadline::get).filter(d -> d != null).min(Instant::compareTo);
        }

        /**
         * Whether node i still holds a timer: withDeadline makes one only if its deadline is not later than the
         * parent's (a later one is covered by the parent's timer) and the node was not born done; the timer is
         * gone once the node is done, stopped by the cancel or spent by firing.
         */
        boolean holdsTimer(int i) {
            if (kind.get(i) != Kind.DEADLINE || err.get(i) != null) {
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

    /**
     * Random trees of contexts (deep, wide, with deadlines earlier, equal or later than their parents'), then random
     * events: a cancel of some node, or time passing. After every event each node is done exactly if a cancel of
     * itself or of an ancestor, or a deadline along its path, came first, with that one's error, and exactly the
     * timers of the deadline nodes still waiting are live.
     */
    @Property(tries = 200)
    void eachNodeIsDoneWithTheErrorOfTheFirstCancelOrDeadlineOnItsPath(
            @ForAll("trees") List<NodeSpec> specs,
            @ForAll @IntRange(min = 0, max = 100) int chainPercent,
            @ForAll("events") List<Event> events) {
        Tree[] shape = new Tree[1];
        inBubble(() -> {
            Tree tree = new Tree(specs, chainPercent, now());
            shape[0] = tree;
            int n = tree.size();
            try {
                checkTree(tree, "after building");
                for (Event event : events) {
                    int i = event.pick() % n;
                    if (event.sleep()) {
                        sleep(TICK.multipliedBy(event.ticks()));
                        awaitBlocked();                              // the deadlines due by now have fired
                        tree.passTime(now());
                        checkTree(tree, "at " + since(tree.built));
                    } else if (tree.cancel.get(i) != null) {         // a value node has no cancel function
                        tree.cancel.get(i).cancel();
                        tree.done(i, Canceled);
                        checkTree(tree, "after cancelling node " + i + " at " + since(tree.built));
                    }
                }
            } finally {
                tree.cancel.forEach(f -> { if (f != null) f.cancel(); });   // defer cancel(), for every node
            }
        });
        Tree tree = shape[0];
        int depth = tree.maxDepth();
        int fanOut = tree.maxFanOut();
        Statistics.label("depth").collect(depth <= 3 ? "1-3" : depth <= 10 ? "4-10" : "> 10");
        Statistics.label("fan-out").collect(fanOut <= 1 ? "0-1" : fanOut <= 4 ? "2-4" : "> 4");
        Statistics.label("errors at the end").collect(
                tree.err.contains(Canceled) ? tree.err.contains(DeadlineExceeded) ? "both" : "Canceled only"
                        : tree.err.contains(DeadlineExceeded) ? "DeadlineExceeded only" : "none");
    }

    /** Everything the model says about every node, and the exact number of live timers. */
    static void checkTree(Tree tree, String when) {
        int liveTimers = 0;
        for (int i = 0; i < tree.size(); i++) {
            Context c = tree.ctx.get(i);
            List<Integer> path = tree.path(i);
            ContextError expected = tree.err.get(i);
            boolean cancellable = path.stream().anyMatch(n -> tree.kind.get(n) != Kind.VALUE);
            String where = when + ": node " + i + " (" + tree.kind.get(i) + ", path " + path + ")";

            assertSame(expected, c.err(), where + ": err()");
            assertSame(expected, Context.cause(c), where + ": cause() without a cause is err()");
            if (cancellable) {
                assertNotNull(c.done(), where + ": a cancellable context has a done channel");
                assertEquals(expected != null, Go.isClosed(c.done()), where + ": done() closed");
            } else {
                assertNull(c.done(), where + ": under background() with no cancel above, done() is Go's nil channel");
            }
            assertEquals(tree.expectedDeadline(i), c.deadline(), where + ": deadline()");
            for (int key = 0; key <= KEYS; key++) {
                assertEquals(tree.expectedValue(i, key), c.value(new Key(key)), where + ": value(Key(" + key + "))");
                assertNull(c.value(new OtherKey(key)), where + ": a key of another type never matches");
            }
            if (tree.holdsTimer(i)) {
                liveTimers++;
            }
        }
        // In a bubble timers() counts the bubble's own: exactly those of the deadline nodes still waiting.
        assertEquals(liveTimers, timers(), when + ": live timers");
        assertEquals(0, goroutines(), when + ": nothing runs between steps (afterFunc goroutines have ended)");
    }

    // ---- property 2: a deadline fires exactly on time, the earlier of the child's and its parent's --------------

    /** A parent for the context under test. DEADLINE parents have a deadline of their own, random too. */
    enum ParentKind { BACKGROUND, CANCEL, VALUE_OVER_CANCEL, DEADLINE, VALUE_OVER_DEADLINE }

    static Cancelable parent(ParentKind kind, Duration parentTimeout) {
        return switch (kind) {
            case BACKGROUND -> new Cancelable(background(), () -> { });
            case CANCEL -> withCancel(background());
            case VALUE_OVER_CANCEL -> {
                Cancelable c = withCancel(background());
                yield new Cancelable(withValue(c.ctx(), new Key(0), "v"), c.cancel());
            }
            case DEADLINE -> withTimeout(background(), parentTimeout);
            case VALUE_OVER_DEADLINE -> {
                Cancelable c = withTimeout(background(), parentTimeout);
                yield new Cancelable(withValue(c.ctx(), new Key(0), "v"), c.cancel());
            }
        };
    }

    static boolean hasDeadline(ParentKind kind) {
        return kind == ParentKind.DEADLINE || kind == ParentKind.VALUE_OVER_DEADLINE;
    }

    /**
     * Go's synctest example for WithTimeout, over random timeouts and parents: the context is not done a nanosecond
     * before its deadline, and is done at exactly it, with DeadlineExceeded, and so is a child made before. The
     * deadline is the earlier of its own and its parent's; only a deadline not later than the parent's has a timer
     * of its own; the parent is exceeded only if its own deadline has come.
     */
    @Property
    void aTimeoutIsDoneAtExactlyTheEarlierOfItsDeadlineAndItsParents(@ForAll("timeouts") Duration timeout,
                                                                    @ForAll ParentKind parentKind,
                                                                    @ForAll("timeouts") Duration parentTimeout) {
        boolean parentFirst = hasDeadline(parentKind) && parentTimeout.compareTo(timeout) < 0;
        Duration due = parentFirst ? parentTimeout : timeout;
        inBubble(() -> {
            Instant start = now();
            Cancelable parent = parent(parentKind, parentTimeout);
            Cancelable c = withTimeout(parent.ctx(), timeout);
            Cancelable child = withCancel(c.ctx());                 // a descendant made before the deadline
            try {
                assertEquals(Optional.of(start.plus(due)), c.ctx().deadline(), "deadline()");
                assertEquals((hasDeadline(parentKind) ? 1 : 0) + (parentFirst ? 0 : 1), timers(),
                        "the parent's timer, and one of c's own unless the parent's comes first");

                sleep(due.minusNanos(1));
                awaitBlocked();
                assertNull(c.ctx().err(), "done a nanosecond before the deadline");
                assertFalse(Go.isClosed(c.ctx().done()), "done() closed a nanosecond before the deadline");

                receive(c.ctx().done());
                assertEquals(due, since(start), "done() closed at the wrong time");
                assertSame(DeadlineExceeded, c.ctx().err());
                assertSame(DeadlineExceeded, Context.cause(c.ctx()));
                assertSame(DeadlineExceeded, child.ctx().err(), "the descendant is done with the same error");
                awaitBlocked();                                     // both timers, if they are due together
                boolean parentExceeded = hasDeadline(parentKind) && parentTimeout.compareTo(timeout) <= 0;
                assertSame(parentExceeded ? DeadlineExceeded : null, parent.ctx().err(),
                        "a child's deadline never cancels its parent; the parent's own deadline does");
                assertEquals(hasDeadline(parentKind) && !parentExceeded ? 1 : 0, timers(), "the timers left");
                c.cancel().cancel();                                // after the deadline: changes nothing
                assertSame(DeadlineExceeded, c.ctx().err());
            } finally {
                child.cancel().cancel();
                c.cancel().cancel();
                parent.cancel().cancel();
            }
        });
        Statistics.collect(!hasDeadline(parentKind) ? "no parent deadline"
                : parentTimeout.equals(timeout) ? "the same deadline as the parent's"
                : parentFirst ? "the parent's deadline first" : "its own deadline first");
    }

    // ---- property 3: a cancel before the deadline is never overridden, nor is the deadline by a later cancel ----

    /** When the context is cancelled: a nanosecond before, at or after its deadline, or anywhere up to twice it. */
    record Schedule(Duration timeout, Duration cancelAt) {}

    @Provide
    Arbitrary<Schedule> schedules() {
        return timeouts().flatMap(timeout -> Arbitraries.oneOf(
                        Arbitraries.of(-1L, 0L, 1L).map(timeout::plusNanos),
                        Arbitraries.longs().between(0, timeout.toNanos() * 2).map(Duration::ofNanos))
                .map(cancelAt -> new Schedule(timeout, cancelAt)));
    }

    @Property
    void aCancelBeforeTheDeadlineGivesCanceledAndOneAtOrAfterItChangesNothing(@ForAll("schedules") Schedule schedule,
                                                                            @ForAll ParentKind parentKind) {
        Duration timeout = schedule.timeout();
        Duration cancelAt = schedule.cancelAt();
        ContextError expected = cancelAt.compareTo(timeout) < 0 ? Canceled : DeadlineExceeded;
        inBubble(() -> {
            Instant start = now();
            Cancelable parent = parent(parentKind, Duration.ofDays(3)); // later than anything below
            int parentTimers = timers();
            Cancelable c = withTimeout(parent.ctx(), timeout);
            Cancelable child = withCancel(c.ctx());
            try {
                sleep(cancelAt);
                awaitBlocked();                                     // a deadline due now has fired (Go: Now() >= d)
                assertSame(expected == Canceled ? null : DeadlineExceeded, c.ctx().err(), "before the cancel");
                c.cancel().cancel();
                assertSame(expected, c.ctx().err());
                assertTrue(Go.isClosed(c.ctx().done()));
                assertSame(expected, child.ctx().err(), "the descendant has the same error");
                assertEquals(parentTimers, timers(), "the cancel stopped the timer at once, or it had fired");

                sleep(timeout.minus(cancelAt).plusNanos(1));        // past the deadline, if it was still ahead
                awaitBlocked();
                assertSame(expected, c.ctx().err(), "err() changed after it was set");
                assertSame(expected, child.ctx().err());
                assertNull(parent.ctx().err(), "cancelling a child never cancels its parent");
            } finally {
                child.cancel().cancel();
                parent.cancel().cancel();
            }
        });
        int order = cancelAt.compareTo(timeout);
        Statistics.collect(order < 0 ? "cancelled before the deadline" : order == 0 ? "cancelled at the deadline"
                : "cancelled after the deadline");
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

    // ---- property 5: concurrent cancels in one chain each return only once everything below them is done ----------

    /**
     * Goroutines cancel nodes of one chain at the same moment (the root and a node below it, two nodes in the
     * middle, the same node twice). When each cancel returns, every context below its node is done, although
     * another goroutine may be cancelling part of them: Go's cancel guarantees it by holding each lock while it
     * cancels the children, the port by waiting for that other cancel. Checked through the done channels, bottom
     * first (the last to be closed), since err() itself waits for a cancel in progress.
     */
    @Property(tries = 40)
    void eachOfSeveralConcurrentCancelsReturnsOnlyOnceEveryContextBelowItIsDone(
            @ForAll @IntRange(min = 2, max = 20_000) int depth,
            @ForAll @Size(min = 2, max = 4) List<@IntRange(min = 0, max = 99) Integer> percents) {
        List<Context> chain = new ArrayList<>();
        List<CancelFunc> cancels = new ArrayList<>();
        Context ctx = background();
        for (int i = 0; i < depth; i++) {
            Cancelable c = i % 100 == 99 ? withTimeout(ctx, Duration.ofHours(1)) : withCancel(ctx);
            cancels.add(c.cancel());
            ctx = i % 3 == 2 ? withValue(c.ctx(), i, i) : c.ctx();
            chain.add(ctx);
        }
        List<Integer> picks = percents.stream().map(p -> depth * p / 100).toList();
        ConcurrentLinkedQueue<String> notDone = new ConcurrentLinkedQueue<>();
        TestSupport.bounded(() -> {
            Chan<Void> start = make();
            WaitGroup wg = new WaitGroup();
            for (int pick : picks) {
                wg.add(1);
                go(() -> {
                    try {
                        receive(start);
                        cancels.get(pick).cancel();                 // when
                        for (int j = depth - 1; j >= pick; j--) {    // then
                            if (!Go.isClosed(chain.get(j).done())) {
                                notDone.add("level " + j + " below the cancel of level " + pick);
                                break;
                            }
                        }
                    } finally {
                        wg.done();
                    }
                });
            }
            start.close();
            wg.await();
            return null;
        });
        cancels.get(0).cancel();                                    // the rest of the chain, and its timers
        assertEquals(List.of(), List.copyOf(notDone), "a cancel returned before everything below it was done");
        Statistics.label("nodes").collect(picks.stream().distinct().count() < picks.size() ? "the same twice" : "distinct");
        Statistics.label("depth").collect(depth < 1000 ? "< 1000" : ">= 1000");
    }
}
