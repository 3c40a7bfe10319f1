import static gochan.Context.Canceled;
import static gochan.Context.background;
import static gochan.Context.cause;
import static gochan.Context.withCancel;
import static gochan.Context.withCancelCause;
import static gochan.Context.withDeadline;
import static gochan.Context.withTimeout;
import static gochan.Context.withValue;
import static gochan.Context.withoutCancel;
import static gochan.Go.now;
import static gochan.Go.timers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import gochan.Context;
import gochan.Go;
import gochan.Context.Cancelable;
import gochan.Context.CancelableWithCause;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Chains of 100,000 derived contexts, as Go handles them (its goroutine stacks grow). Each test runs on a thread
 * with a deliberately small stack, 256 KB, where a recursion one frame per level would overflow long before
 * 100,000 levels: so passing here shows that nothing depends on the depth of the chain, in any JVM.
 */
@ExtendWith(TestSupport.NoLeaks.class)
@ExtendWith(ContextProperties.NoTimersLeft.class)
class ContextDeepChainTest {

    static final int LEVELS = 100_000;
    static final long SMALL_STACK = 256 * 1024;

    /** Runs body on a new platform thread with a 256 KB stack, and rethrows what it threw (within 60 s). */
    static void onASmallStack(Runnable body) {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(null, () -> {
            try {
                body.run();
            } catch (Throwable e) {
                thrown.set(e);
            }
        }, "small stack", SMALL_STACK);
        t.start();
        try {
            t.join(Duration.ofSeconds(60));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
        assertTrue(!t.isAlive(), "still running after 60 s");
        if (thrown.get() instanceof Error e) {
            throw e;
        }
        if (thrown.get() instanceof RuntimeException e) {
            throw e;
        }
    }

    /** The 256 KB stack is small enough to matter: a plain recursion 100,000 deep overflows on it. */
    @Test
    void theSmallStackCannotHoldARecursionAsDeepAsTheChains() {
        assertTrue(assertOverflows(), "a 100,000-deep recursion fit on the small stack: the tests below prove nothing");
    }

    static int depth(int n) {
        return n == 0 ? 0 : 1 + depth(n - 1);
    }

    static boolean assertOverflows() {
        try {
            onASmallStack(() -> depth(LEVELS));
            return false;
        } catch (StackOverflowError expected) {
            return true;
        }
    }

    @Test
    void cancellingTheRootOfAChainOf100000CancelsEveryDescendantBeforeItReturns() {
        onASmallStack(() -> {
            // given: cancel contexts, every 1000th with a deadline (each sooner than the one above, so each has a
            // timer of its own), and values between them
            int timersBefore = timers();
            Instant farAway = now().plus(Duration.ofDays(1));
            CancelableWithCause root = withCancelCause(background());
            List<Context> chain = new ArrayList<>(List.of(root.ctx()));
            Context ctx = root.ctx();
            for (int i = 1; i < LEVELS; i++) {
                if (i % 1000 == 0) {
                    ctx = withDeadline(ctx, farAway.minusSeconds(i / 1000)).ctx();
                } else {
                    ctx = i % 2 == 0 ? withValue(ctx, i, i) : withCancel(ctx).ctx();
                }
                chain.add(ctx);
            }
            assertEquals(timersBefore + LEVELS / 1000 - 1, timers(), "a timer for each withDeadline");

            // when
            Exception why = new IllegalStateException("the request was abandoned");
            root.cancel().cancel(why);

            // then: every level is done, with the root's cause, and no timer is left
            for (int i = 0; i < LEVELS; i++) {
                Context c = chain.get(i);
                assertTrue(Go.isClosed(c.done()), "level " + i + " is not done");
                assertSame(Canceled, c.err(), "level " + i);
                assertSame(why, cause(c), "level " + i);
            }
            assertEquals(timersBefore, timers(), "every withDeadline's timer is stopped");
        });
    }

    @Test
    void cancellingTheMiddleOfAChainCancelsTheLowerHalfOnly() {
        onASmallStack(() -> {
            Cancelable root = withCancel(background());
            List<Cancelable> chain = new ArrayList<>(List.of(root));
            for (int i = 1; i < LEVELS; i++) {
                chain.add(withCancel(chain.get(i - 1).ctx()));
            }
            chain.get(LEVELS / 2).cancel().cancel();
            for (int i = 0; i < LEVELS; i++) {
                assertSame(i < LEVELS / 2 ? null : Canceled, chain.get(i).ctx().err(), "level " + i);
            }
            root.cancel().cancel();
            assertSame(Canceled, chain.get(LEVELS / 2 - 1).ctx().err());
        });
    }

    @Test
    void aValueContext100000LevelsDownHasItsAncestorsDoneErrDeadlineValuesAndCause() {
        onASmallStack(() -> {
            // given: a timeout, then 100,000 value contexts below it
            Instant deadline = now().plus(Duration.ofHours(1));
            CancelableWithCause root = withCancelCause(withValue(background(), "root", "found"));
            Cancelable timeout = withTimeout(root.ctx(), Duration.between(now(), deadline));
            Context ctx = timeout.ctx();
            for (int i = 0; i < LEVELS; i++) {
                ctx = withValue(ctx, i, i);
            }

            // then
            assertSame(timeout.ctx().done(), ctx.done(), "a value context's done() is its parent's");
            assertNull(ctx.err());
            assertNull(cause(ctx));
            assertEquals(timeout.ctx().deadline(), ctx.deadline());
            assertEquals("found", ctx.value("root"));
            assertEquals(0, ctx.value(0));
            assertNull(ctx.value("missing"));

            // and a child 100,000 levels down registers with the timeout's context, and is cancelled with it
            Cancelable child = withCancel(ctx);
            Exception why = new IllegalStateException("shutting down");
            root.cancel().cancel(why);
            assertSame(Canceled, ctx.err());
            assertSame(why, cause(ctx));
            assertSame(Canceled, child.ctx().err());
            assertSame(why, cause(child.ctx()));
            timeout.cancel().cancel();
        });
    }

    @Test
    void aCancelContext100000LevelsBelowADeadlineHasThatDeadline() {
        onASmallStack(() -> {
            Cancelable timeout = withTimeout(background(), Duration.ofHours(1));
            List<Cancelable> cancels = new ArrayList<>();
            Context ctx = timeout.ctx();
            for (int i = 0; i < LEVELS; i++) {
                Cancelable c = withCancel(ctx);
                cancels.add(c);
                ctx = c.ctx();
            }
            assertEquals(timeout.ctx().deadline(), ctx.deadline());
            timeout.cancel().cancel();
            assertSame(Canceled, ctx.err());
        });
    }

    @Test
    void withoutCancel100000LevelsDownSeesValuesButNoDeadlineOrCancel() {
        onASmallStack(() -> {
            Cancelable timeout = withTimeout(withValue(background(), "root", "found"), Duration.ofHours(1));
            Context ctx = timeout.ctx();
            for (int i = 0; i < LEVELS; i++) {
                ctx = i % 2 == 0 ? withoutCancel(ctx) : withValue(ctx, i, i);
            }
            timeout.cancel().cancel();
            assertNull(ctx.done());
            assertNull(ctx.err());
            assertNull(cause(ctx));
            assertEquals(Optional.empty(), ctx.deadline());
            assertEquals("found", ctx.value("root"));
        });
    }

    @Test
    void toStringOfAChainOf100000NamesEveryLevel() {
        onASmallStack(() -> {
            Cancelable root = withCancel(background());
            Context ctx = root.ctx();
            for (int i = 0; i < LEVELS; i++) {
                ctx = i % 2 == 0 ? withCancel(ctx).ctx() : withValue(ctx, "k", "v");
            }
            String name = ctx.toString();
            assertTrue(name.startsWith("context.Background.WithCancel.WithCancel.WithValue(k, v)"), name.substring(0, 80));
            assertTrue(name.endsWith(".WithCancel.WithValue(k, v)"));
            assertEquals(1 + LEVELS / 2, name.split("\\.WithCancel", -1).length - 1);
            assertEquals(LEVELS / 2, name.split("\\.WithValue", -1).length - 1);
            root.cancel().cancel();
        });
    }
}
