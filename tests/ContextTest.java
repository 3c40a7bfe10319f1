import static gochan.Context.Canceled;
import static gochan.Context.DeadlineExceeded;
import static gochan.Context.afterFunc;
import static gochan.Context.background;
import static gochan.Context.cause;
import static gochan.Context.todo;
import static gochan.Context.withCancel;
import static gochan.Context.withCancelCause;
import static gochan.Context.withDeadline;
import static gochan.Context.withTimeout;
import static gochan.Context.withValue;
import static gochan.Go.go;
import static gochan.Go.goroutines;
import static gochan.Go.make;
import static gochan.Go.onReceive;
import static gochan.Go.select;
import static gochan.Go.sleep;
import static gochan.Go.timers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gochan.Context;
import gochan.Context.CancelFunc;
import gochan.Context.Cancelable;
import gochan.Context.CancelableWithCause;
import gochan.Context.ContextError;
import gochan.Context.StopFunc;
import gochan.Go;
import gochan.Go.Chan;
import gochan.Go.Panic;
import gochan.Go.ReceiveOnly;
import gochan.Go.WaitGroup;
import java.lang.ref.Reference;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

/** The context port's corners: Go's misuse messages, races on cancel, children born cancelled, causes, AfterFunc. */
@ExtendWith(TestSupport.NoLeaks.class)
@ExtendWith(ContextProperties.NoTimersLeft.class)
class ContextTest {

    static final Duration FAR = Duration.ofHours(1);

    static void assertPanics(String message, Executable misuse) {
        Panic panic = assertThrows(Panic.class, misuse);
        assertEquals(message, panic.getMessage());
    }

    /** Waits (bounded) until done is closed; fails if it is not within 5 s. */
    static void awaitDone(Context ctx) {
        assertTrue(ContextProperties.awaitDone(ctx), () -> "not done within 5 s: " + ctx);
    }

    // ---- misuse ---------------------------------------------------------------------------------------------------

    @Test
    void misuseGetsGosMessages() {
        String nilParent = "cannot create context from nil parent";
        assertPanics(nilParent, () -> withCancel(null));
        assertPanics(nilParent, () -> withCancelCause(null));
        assertPanics(nilParent, () -> withDeadline(null, Instant.now().plus(FAR)));
        assertPanics(nilParent, () -> withTimeout(null, FAR));
        assertPanics(nilParent, () -> withValue(null, "key", "value"));
        assertPanics(nilParent, () -> afterFunc(null, () -> { }));
        assertPanics("nil key", () -> withValue(background(), null, "value"));
        assertPanics("key is not comparable", () -> withValue(background(), new int[] {1}, "value"));
    }

    @Test
    void errorsAreGosTwoValues() {
        assertEquals("context canceled", Canceled.getMessage());
        assertEquals("context deadline exceeded", DeadlineExceeded.getMessage());
        assertEquals("context canceled", Canceled.toString(), "printed like Go's err.Error()");
        assertFalse(Canceled.timeout());
        assertTrue(DeadlineExceeded.timeout(), "Go's DeadlineExceeded is a timeout error");
        assertEquals(0, Canceled.getStackTrace().length, "a shared value carries no stack trace");
    }

    @Test
    void backgroundAndTodoAreEmptyAndNeverDone() {
        for (Context root : List.of(background(), todo())) {
            assertNull(root.done(), "Go's nil channel: a select case on it is never ready");
            assertNull(root.err());
            assertEquals(Optional.empty(), root.deadline());
            assertNull(root.value("anything"));
            assertNull(cause(root));
        }
        assertEquals("context.Background", background().toString());
        assertEquals("context.TODO", todo().toString());
    }

    // ---- cancel: idempotent, from any thread, stable -------------------------------------------------------------

    @Test
    void cancelIsIdempotentAndSafeFromManyGoroutinesAtOnce() {
        TestSupport.bounded(() -> {
            for (int round = 0; round < 100; round++) {
                // A deadline of about 1 ms races the cancels too, in some rounds.
                Cancelable c = withTimeout(background(), Duration.ofNanos(round % 2 == 0 ? 1_000_000 : FAR.toNanos()));
                Cancelable child = withCancel(c.ctx());
                CountDownLatch start = new CountDownLatch(1);
                WaitGroup wg = new WaitGroup();
                ConcurrentLinkedQueue<ContextError> seen = new ConcurrentLinkedQueue<>();
                for (int g = 0; g < 8; g++) {
                    wg.add(1);
                    go(() -> {
                        try {
                            start.await();
                            c.cancel().cancel();                    // closing done twice would panic here
                            seen.add(c.ctx().err());
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        } finally {
                            wg.done();
                        }
                    });
                }
                start.countDown();
                wg.await();
                ContextError err = c.ctx().err();
                assertTrue(err == Canceled || err == DeadlineExceeded, "err() = " + err);
                if (round % 2 == 1) {
                    assertSame(Canceled, err, "no deadline could fire within the hour");
                }
                for (ContextError e : seen) {
                    assertSame(err, e, "every goroutine saw the one error the first cancel set");
                }
                assertSame(err, child.ctx().err());
                child.cancel().cancel();
            }
            return null;
        });
    }

    @Test
    void errNeverChangesOnceSet() {
        TestSupport.bounded(() -> {
            Cancelable c = withTimeout(background(), Duration.ofMillis(20));
            awaitDone(c.ctx());
            c.cancel().cancel();                                    // a cancel after the deadline
            for (int i = 0; i < 1000; i++) {
                assertSame(DeadlineExceeded, c.ctx().err());
            }
            Cancelable d = withTimeout(background(), Duration.ofMillis(20));
            d.cancel().cancel();                                    // a cancel before the deadline
            sleep(Duration.ofMillis(60));
            assertSame(Canceled, d.ctx().err(), "the deadline overrode an earlier cancel");
            return null;
        });
    }

    // ---- children of done parents ----------------------------------------------------------------------------------

    @Test
    void aChildOfACancelledParentIsBornCancelled() {
        TestSupport.bounded(() -> {
            Cancelable parent = withCancel(background());
            parent.cancel().cancel();
            int timersBefore = timers();

            Cancelable cancelChild = withCancel(parent.ctx());
            Cancelable timeoutChild = withTimeout(parent.ctx(), FAR);
            Context valueChild = withValue(parent.ctx(), "k", "v");
            CancelableWithCause causeChild = withCancelCause(parent.ctx());
            for (Context child : List.of(cancelChild.ctx(), timeoutChild.ctx(), valueChild, causeChild.ctx())) {
                assertSame(Canceled, child.err(), child.toString());
                assertTrue(TestSupport.isClosed(child.done()), child.toString());
            }
            assertEquals(timersBefore, timers(), "a child born cancelled starts no timer");

            AtomicInteger ran = new AtomicInteger();
            Chan<Void> ranSignal = make();
            afterFunc(parent.ctx(), () -> { ran.incrementAndGet(); ranSignal.close(); });
            Go.receive(ranSignal);                                  // runs at once, in its own goroutine
            assertEquals(1, ran.get());

            Cancelable expired = withTimeout(background(), Duration.ofMillis(1));
            awaitDone(expired.ctx());
            assertSame(DeadlineExceeded, withCancel(expired.ctx()).ctx().err(), "the parent's error is inherited");
            return null;
        });
    }

    @Test
    void childrenCreatedWhileTheParentIsBeingCancelledAllEndUpCancelled() {
        // Goroutines keep deriving children while the parent is cancelled, so some are always half-way through
        // propagateCancel at that moment: each must see the cancel, or be registered in time to get it.
        TestSupport.bounded(() -> {
            for (int round = 0; round < 200; round++) {
                Cancelable parent = withCancel(background());
                ConcurrentLinkedQueue<Cancelable> children = new ConcurrentLinkedQueue<>();
                CountDownLatch running = new CountDownLatch(2);
                WaitGroup wg = new WaitGroup();
                for (int g = 0; g < 2; g++) {
                    int kind = g;
                    wg.add(1);
                    go(() -> {
                        try {
                            running.countDown();
                            // At most 100 before the cancel (a bound on the work, if the cancel is slow to come),
                            // then 20 more after it.
                            for (int before = 0, after = 0; after < 20; ) {
                                if (parent.ctx().err() != null) {
                                    after++;
                                } else if (++before > 100) {
                                    Thread.yield();
                                    continue;
                                }
                                children.add(kind == 0 ? withCancel(parent.ctx()) : withTimeout(parent.ctx(), FAR));
                            }
                        } finally {
                            wg.done();
                        }
                    });
                }
                running.await();
                parent.cancel().cancel();
                wg.await();
                for (Cancelable child : children) {
                    assertSame(Canceled, child.ctx().err(), "a child derived while its parent was being cancelled");
                }
            }
            return null;
        });
    }

    // ---- deadlines -------------------------------------------------------------------------------------------------

    @Test
    void aDeadlineInThePastIsBornExceededWithoutATimer() {
        int timersBefore = timers();
        Cancelable c = withDeadline(background(), Instant.now().minusSeconds(1));
        assertSame(DeadlineExceeded, c.ctx().err());
        assertTrue(TestSupport.isClosed(c.ctx().done()));
        assertEquals(timersBefore, timers());
        c.cancel().cancel();
        assertSame(DeadlineExceeded, c.ctx().err());
    }

    @Test
    void aChildCannotPushItsParentsDeadlineLater() {
        Cancelable parent = withTimeout(background(), FAR);
        int timersBefore = timers();
        Cancelable child = withTimeout(parent.ctx(), FAR.multipliedBy(2));
        try {
            assertEquals(parent.ctx().deadline(), child.ctx().deadline());
            assertEquals(timersBefore, timers(), "the parent's timer covers the child: no timer of its own");
            Cancelable sooner = withTimeout(parent.ctx(), Duration.ofMinutes(1));
            assertTrue(sooner.ctx().deadline().orElseThrow().isBefore(parent.ctx().deadline().orElseThrow()));
            assertEquals(timersBefore + 1, timers(), "a sooner deadline has its own timer");
            sooner.cancel().cancel();
            assertEquals(timersBefore, timers(), "cancel stopped it at once");
        } finally {
            child.cancel().cancel();
            parent.cancel().cancel();
        }
    }

    // ---- Cause (Go 1.20) -------------------------------------------------------------------------------------------

    @Test
    void causeIsTheFirstCancelsCauseAndReachesDescendants() {
        CancelableWithCause c = withCancelCause(background());
        Context child = withValue(withCancel(c.ctx()).ctx(), "k", "v");
        assertNull(cause(c.ctx()), "no cause before cancellation");
        Exception why = new IllegalStateException("the upstream failed");
        c.cancel().cancel(why);
        c.cancel().cancel(new IllegalStateException("too late"));
        assertSame(Canceled, c.ctx().err(), "err() is still Canceled");
        assertSame(why, cause(c.ctx()));
        assertSame(why, cause(child), "descendants have the same cause");

        CancelableWithCause noCause = withCancelCause(background());
        noCause.cancel().cancel(null);
        assertSame(Canceled, cause(noCause.ctx()), "without a cause, the cause is err()");
        Cancelable plain = withCancel(background());
        plain.cancel().cancel();
        assertSame(Canceled, cause(plain.ctx()));
    }

    // ---- AfterFunc (Go 1.21) ---------------------------------------------------------------------------------------

    @Test
    void afterFuncRunsOnceWhenDoneAndNotAfterStop() {
        TestSupport.bounded(() -> {
            int before = goroutines();
            Cancelable c = withCancel(background());
            AtomicInteger ran = new AtomicInteger();
            Chan<Void> ranSignal = make();
            StopFunc stop = afterFunc(c.ctx(), () -> { ran.incrementAndGet(); ranSignal.close(); });
            assertEquals(0, ran.get());
            c.cancel().cancel();
            c.cancel().cancel();
            Go.receive(ranSignal);
            TestSupport.assertNoGoroutineLeft(before);
            assertEquals(1, ran.get(), "f runs once");
            assertFalse(stop.stop(), "f already ran");

            Cancelable d = withCancel(background());
            AtomicInteger stopped = new AtomicInteger();
            StopFunc stopFirst = afterFunc(d.ctx(), stopped::incrementAndGet);
            assertTrue(stopFirst.stop(), "stopped before ctx was done");
            assertFalse(stopFirst.stop(), "a second stop has nothing to stop");
            d.cancel().cancel();
            sleep(Duration.ofMillis(20));
            assertEquals(0, stopped.get(), "a stopped f never runs");

            assertTrue(afterFunc(background(), stopped::incrementAndGet).stop(), "background is never done");
            return null;
        });
    }

    // ---- resources -------------------------------------------------------------------------------------------------

    /** Creates a child of parent (a plain one, or one with a timeout), cancels it or not, and forgets it. */
    static WeakReference<Context> forgottenChild(Context parent, boolean timeout, boolean cancel) {
        Cancelable child = timeout ? withTimeout(parent, FAR) : withCancel(parent);
        if (cancel) {
            child.cancel().cancel();
        }
        return new WeakReference<>(child.ctx());
    }

    static boolean collected(WeakReference<Context> ref) {
        for (int i = 0; i < 20 && ref.get() != null; i++) {
            System.gc();
            sleep(Duration.ofMillis(5));
        }
        return ref.get() == null;
    }

    @Test
    void aCancelledChildIsReleasedByItsParentAndItsTimer() {
        Cancelable parent = withCancel(background());
        try {
            assertTrue(collected(forgottenChild(parent.ctx(), false, true)), "the parent still holds a cancelled child");
            assertTrue(collected(forgottenChild(parent.ctx(), true, true)), "a cancelled timeout child is still held");
            // The check can fail: a live child is held by its parent (which must cancel it later).
            assertFalse(collected(forgottenChild(parent.ctx(), false, false)), "the parent dropped a live child");
        } finally {
            parent.cancel().cancel();
            Reference.reachabilityFence(parent);
        }
    }

    /** Someone's own Context implementation: the port cannot register children with it, so it watches it. */
    static final class ForeignContext implements Context {
        final Chan<Void> done = make();
        volatile ContextError err;

        void cancel() {
            err = Canceled;
            done.close();
        }

        @Override
        public Optional<Instant> deadline() {
            return Optional.empty();
        }

        @Override
        public ReceiveOnly<Void> done() {
            return done;
        }

        @Override
        public ContextError err() {
            return err;
        }

        @Override
        public Object value(Object key) {
            return "foreign".equals(key) ? "from the foreign context" : null;
        }
    }

    @Test
    void aForeignParentIsWatchedByAGoroutineThatEndsWithEitherContext() {
        TestSupport.bounded(() -> {
            int before = goroutines();
            ForeignContext foreign = new ForeignContext();
            Cancelable child = withCancel(foreign);
            assertEquals(before + 1, goroutines(), "one goroutine watches the foreign parent");
            assertEquals("from the foreign context", withValue(child.ctx(), "k", "v").value("foreign"));
            foreign.cancel();
            awaitDone(child.ctx());
            assertSame(Canceled, child.ctx().err());
            TestSupport.assertNoGoroutineLeft(before);

            ForeignContext other = new ForeignContext();
            Cancelable cancelledFirst = withCancel(other);
            cancelledFirst.cancel().cancel();
            TestSupport.assertNoGoroutineLeft(before);              // the watcher ends with the child, too
            assertNull(other.err());
            return null;
        });
    }

    @Test
    void aDeepChainOfValuesIsLookedUpWithoutRecursion() {
        Context ctx = withValue(background(), "root", "found");
        List<CancelFunc> cancels = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            if (i % 1000 == 0) {
                Cancelable c = withCancel(ctx);
                cancels.add(c.cancel());
                ctx = c.ctx();
            }
            ctx = withValue(ctx, i, i);
        }
        assertEquals("found", ctx.value("root"));
        assertNull(ctx.value("missing"));
        assertNotNull(ctx.value(0));
        cancels.forEach(CancelFunc::cancel);
    }
}
