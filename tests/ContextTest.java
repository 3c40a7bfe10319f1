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
import static gochan.Context.withDeadlineCause;
import static gochan.Context.withTimeoutCause;
import static gochan.Context.withValue;
import static gochan.Context.withoutCancel;
import static gochan.Go.awaitBlocked;
import static gochan.Go.go;
import static gochan.Go.goroutines;
import static gochan.Go.make;
import static gochan.Go.now;
import static gochan.Go.onReceive;
import static gochan.Go.select;
import static gochan.Go.since;
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
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

/**
 * The context port's corners: Go's misuse messages, races on cancel, children born cancelled, deadlines, causes,
 * AfterFunc. Whatever involves time runs in a bubble, where a deadline is exact to the nanosecond.
 */
@ExtendWith(TestSupport.NoLeaks.class)
@ExtendWith(ContextProperties.NoTimersLeft.class)
class ContextTest {

    static final Duration FAR = Duration.ofHours(1);

    static void assertPanics(String message, Executable misuse) {
        Panic panic = assertThrows(Panic.class, misuse);
        assertEquals(message, panic.getMessage());
    }

    /** In a bubble, on virtual time: see ContextProperties.inBubble. */
    static void inBubble(Runnable body) {
        ContextProperties.inBubble(body);
    }

    // ---- misuse ---------------------------------------------------------------------------------------------------

    @Test
    void misuseGetsGosMessages() {
        String nilParent = "cannot create context from nil parent";
        assertPanics(nilParent, () -> withCancel(null));
        assertPanics(nilParent, () -> withCancelCause(null));
        assertPanics(nilParent, () -> withDeadline(null, now().plus(FAR)));
        assertPanics(nilParent, () -> withTimeout(null, FAR));
        assertPanics(nilParent, () -> withValue(null, "key", "value"));
        assertPanics(nilParent, () -> afterFunc(null, () -> { }));
        assertPanics(nilParent, () -> withoutCancel(null));
        assertPanics(nilParent, () -> withDeadlineCause(null, now().plus(FAR), new Exception()));
        assertPanics(nilParent, () -> withTimeoutCause(null, FAR, new Exception()));
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
        inBubble(() -> {
            for (int round = 0; round < 100; round++) {
                // given: in even rounds a deadline comes at 1 ms, the very moment the cancels start, and races them
                Duration timeout = round % 2 == 0 ? Duration.ofMillis(1) : FAR;
                Cancelable c = withTimeout(background(), timeout);
                Cancelable child = withCancel(c.ctx());
                Chan<Void> start = make();
                WaitGroup wg = new WaitGroup();
                ConcurrentLinkedQueue<ContextError> seen = new ConcurrentLinkedQueue<>();
                for (int g = 0; g < 8; g++) {
                    wg.add(1);
                    go(() -> {
                        try {
                            Go.receive(start);
                            c.cancel().cancel();                    // closing done twice would panic here
                            seen.add(c.ctx().err());
                        } finally {
                            wg.done();
                        }
                    });
                }

                // when
                sleep(Duration.ofMillis(1));
                start.close();
                wg.await();
                awaitBlocked();                                     // the deadline's own cancel has ended too

                // then
                ContextError err = c.ctx().err();
                assertTrue(err == Canceled || err == DeadlineExceeded, "err() = " + err);
                if (timeout.equals(FAR)) {
                    assertSame(Canceled, err, "no deadline is due for an hour");
                }
                for (ContextError e : seen) {
                    assertSame(err, e, "every goroutine saw the one error the first cancel set");
                }
                assertSame(err, child.ctx().err());
                assertEquals(0, timers(), "spent or stopped");
                child.cancel().cancel();
            }
        });
    }

    @Test
    void errNeverChangesOnceSet() {
        inBubble(() -> {
            // given: a deadline that fired, then a cancel
            Instant start = now();
            Cancelable c = withTimeout(background(), Duration.ofMillis(20));
            Go.receive(c.ctx().done());
            assertEquals(Duration.ofMillis(20), since(start));
            c.cancel().cancel();
            assertSame(DeadlineExceeded, c.ctx().err(), "a cancel after the deadline changed err()");

            // given: a cancel, then the time of the deadline
            Cancelable d = withTimeout(background(), Duration.ofMillis(20));
            d.cancel().cancel();
            sleep(Duration.ofMillis(20));
            awaitBlocked();
            assertSame(Canceled, d.ctx().err(), "the deadline overrode an earlier cancel");
        });
    }

    // ---- children of done parents ----------------------------------------------------------------------------------

    @Test
    void aChildOfACancelledParentIsBornCancelled() {
        inBubble(() -> {
            Cancelable parent = withCancel(background());
            parent.cancel().cancel();

            Cancelable cancelChild = withCancel(parent.ctx());
            Cancelable timeoutChild = withTimeout(parent.ctx(), FAR);
            Context valueChild = withValue(parent.ctx(), "k", "v");
            CancelableWithCause causeChild = withCancelCause(parent.ctx());
            for (Context child : List.of(cancelChild.ctx(), timeoutChild.ctx(), valueChild, causeChild.ctx())) {
                assertSame(Canceled, child.err(), child.toString());
                assertTrue(Go.isClosed(child.done()), child.toString());
            }
            assertEquals(0, timers(), "a child born cancelled starts no timer");

            AtomicInteger ran = new AtomicInteger();
            Chan<Void> ranSignal = make();
            afterFunc(parent.ctx(), () -> { ran.incrementAndGet(); ranSignal.close(); });
            Go.receive(ranSignal);                                  // runs at once, in its own goroutine
            assertEquals(1, ran.get());

            Cancelable expired = withTimeout(background(), Duration.ofMillis(1));
            Go.receive(expired.ctx().done());
            assertSame(DeadlineExceeded, withCancel(expired.ctx()).ctx().err(), "the parent's error is inherited");
            assertSame(DeadlineExceeded, withTimeout(expired.ctx(), FAR).ctx().err());
            assertEquals(0, timers());
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

    // Go's synctest example "Context.WithTimeout" (src/testing/synctest/synctest.go), statement for statement.
    @Test
    void aTimeoutIsNotDoneANanosecondBeforeItsDeadline_andIsDoneAtIt() {
        inBubble(() -> {
            Duration timeout = Duration.ofSeconds(5);               // const timeout = 5 * time.Second
            Cancelable c = withTimeout(background(), timeout);      // ctx, cancel := context.WithTimeout(t.Context(),
                                                                    //     timeout)
            try {                                                   // defer cancel()
                // Wait just less than the timeout.
                sleep(timeout.minusNanos(1));                       // time.Sleep(timeout - time.Nanosecond)
                awaitBlocked();                                     // synctest.Wait()
                assertNull(c.ctx().err(), "before timeout");

                // Wait the rest of the way until the timeout.
                sleep(Duration.ofNanos(1));                         // time.Sleep(time.Nanosecond)
                awaitBlocked();
                assertSame(DeadlineExceeded, c.ctx().err(), "after timeout");
            } finally {
                c.cancel().cancel();
            }
        });
    }

    @Test
    void aDeadlineNowOrInThePastIsBornExceededWithoutATimer_aNanosecondLaterIsNot() {
        inBubble(() -> {
            Instant start = now();
            for (Instant deadline : List.of(start.minusSeconds(1), start)) {
                Cancelable c = withDeadline(background(), deadline);
                assertSame(DeadlineExceeded, c.ctx().err(), "deadline " + deadline + " at " + start);
                assertTrue(Go.isClosed(c.ctx().done()));
                assertEquals(0, timers());
                c.cancel().cancel();
                assertSame(DeadlineExceeded, c.ctx().err());
            }
            Cancelable soon = withDeadline(background(), start.plusNanos(1));
            assertNull(soon.ctx().err());
            assertEquals(1, timers());
            Go.receive(soon.ctx().done());
            assertEquals(Duration.ofNanos(1), since(start));
            assertSame(DeadlineExceeded, soon.ctx().err());
            assertEquals(0, timers(), "a timer that fired is gone");
        });
    }

    @Test
    void aChildCannotPushItsParentsDeadlineLater() {
        inBubble(() -> {
            // given: a parent due in an hour, and children due later, at the same time and sooner
            Instant start = now();
            Cancelable parent = withTimeout(background(), FAR);
            Cancelable later = withTimeout(parent.ctx(), FAR.multipliedBy(2));
            Cancelable same = withDeadline(parent.ctx(), start.plus(FAR));
            Cancelable sooner = withTimeout(parent.ctx(), Duration.ofMinutes(1));
            try {
                // then
                assertEquals(Optional.of(start.plus(FAR)), later.ctx().deadline(), "the parent's deadline, not later");
                assertEquals(Optional.of(start.plus(FAR)), same.ctx().deadline());
                assertEquals(Optional.of(start.plus(Duration.ofMinutes(1))), sooner.ctx().deadline());
                // Go makes a timer unless the parent's deadline is strictly before: the same deadline gets its own.
                assertEquals(3, timers(), "the parent's, same's and sooner's: the parent's timer covers later");
                sooner.cancel().cancel();
                assertEquals(2, timers(), "cancel stopped sooner's timer at once");

                Go.receive(later.ctx().done());
                assertEquals(FAR, since(start), "the later child is done at its parent's deadline");
                awaitBlocked();
                for (Cancelable c : List.of(parent, later, same)) {
                    assertSame(DeadlineExceeded, c.ctx().err(), c.ctx().toString());
                }
                assertSame(Canceled, sooner.ctx().err());
                assertEquals(0, timers());
            } finally {
                for (Cancelable c : List.of(sooner, same, later, parent)) {
                    c.cancel().cancel();
                }
            }
        });
    }

    @Test
    void toStringShowsTheDeadlineAndTheTimeLeftOnTheContextsClock() {
        inBubble(() -> {
            Cancelable c = withTimeout(background(), Duration.ofSeconds(5));
            try {
                sleep(Duration.ofSeconds(2));
                // Go's form: the parent, the deadline and the time left on the clock (Go prints 3s, Java PT3S).
                assertEquals("context.Background.WithDeadline(2000-01-01T00:00:05Z [PT3S])", c.ctx().toString());
                assertEquals("context.Background.WithDeadline(2000-01-01T00:00:05Z [PT3S]).WithValue(k, v)",
                        withValue(c.ctx(), "k", "v").toString());
            } finally {
                c.cancel().cancel();
            }
        });
    }

    /** A key type with no toString of its own (Go's key1, which has no String method). */
    static final class Key1 {
    }

    /** A key type with a toString (Go's key2, which has a String method). */
    record Key2(int id) {
        @Override
        public String toString() {
            return "key2(" + id + ")";
        }
    }

    // Go's TestWithCancel and TestValues: the names, and keys and values printed as Go's stringify prints them.
    @Test
    void toStringNamesKeysAndValuesAsGoDoes() {
        Cancelable c1 = withCancel(background());
        assertEquals("context.Background.WithCancel", c1.ctx().toString());
        c1.cancel().cancel();
        Context c = withValue(withValue(background(), new Key1(), "c1k1"), new Key2(1), "c2k2");
        assertEquals("context.Background.WithValue(ContextTest$Key1, c1k1).WithValue(key2(1), c2k2)", c.toString(),
                "a type name where there is no toString of its own, not an identity hash");
        assertEquals("context.Background.WithValue(key2(1), <nil>)", withValue(background(), new Key2(1), null)
                .toString(), "nil is printed as Go prints it");
        assertEquals("context.TODO.WithoutCancel", withoutCancel(todo()).toString());
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

    // ---- Go 1.21: WithoutCancel, WithDeadlineCause, WithTimeoutCause ----------------------------------------------

    record CauseCase(String name, Supplier<Context> ctx, ContextError err, Exception cause) {}

    // Go's TestCause (x_test.go), row for row: err() and cause() of a context built and cancelled in each way.
    @Test
    void errAndCauseAreAsInGosTestCause() {
        Duration forever = Duration.ofSeconds(1_000_000);
        Exception parentCause = new Exception("parentCause");
        Exception childCause = new Exception("childCause");
        Exception tooSlow = new Exception("tooSlow");
        Exception finishedEarly = new Exception("finishedEarly");
        List<CauseCase> cases = List.of(
                new CauseCase("Background", Context::background, null, null),
                new CauseCase("TODO", Context::todo, null, null),
                new CauseCase("WithCancel", () -> {
                    Cancelable c = withCancel(background());
                    c.cancel().cancel();
                    return c.ctx();
                }, Canceled, Canceled),
                new CauseCase("WithCancelCause", () -> {
                    CancelableWithCause c = withCancelCause(background());
                    c.cancel().cancel(parentCause);
                    return c.ctx();
                }, Canceled, parentCause),
                new CauseCase("WithCancelCause nil", () -> {
                    CancelableWithCause c = withCancelCause(background());
                    c.cancel().cancel(null);
                    return c.ctx();
                }, Canceled, Canceled),
                new CauseCase("WithCancelCause: parent cause before child", () -> {
                    CancelableWithCause parent = withCancelCause(background());
                    CancelableWithCause child = withCancelCause(parent.ctx());
                    parent.cancel().cancel(parentCause);
                    child.cancel().cancel(childCause);
                    return child.ctx();
                }, Canceled, parentCause),
                new CauseCase("WithCancelCause: parent cause after child", () -> {
                    CancelableWithCause parent = withCancelCause(background());
                    CancelableWithCause child = withCancelCause(parent.ctx());
                    child.cancel().cancel(childCause);
                    parent.cancel().cancel(parentCause);
                    return child.ctx();
                }, Canceled, childCause),
                new CauseCase("WithCancelCause: parent cause before nil", () -> {
                    CancelableWithCause parent = withCancelCause(background());
                    Cancelable child = withCancel(parent.ctx());
                    parent.cancel().cancel(parentCause);
                    child.cancel().cancel();
                    return child.ctx();
                }, Canceled, parentCause),
                new CauseCase("WithCancelCause: parent cause after nil", () -> {
                    CancelableWithCause parent = withCancelCause(background());
                    Cancelable child = withCancel(parent.ctx());
                    child.cancel().cancel();
                    parent.cancel().cancel(parentCause);
                    return child.ctx();
                }, Canceled, Canceled),
                new CauseCase("WithCancelCause: child cause after nil", () -> {
                    Cancelable parent = withCancel(background());
                    CancelableWithCause child = withCancelCause(parent.ctx());
                    parent.cancel().cancel();
                    child.cancel().cancel(childCause);
                    return child.ctx();
                }, Canceled, Canceled),
                new CauseCase("WithCancelCause: child cause before nil", () -> {
                    Cancelable parent = withCancel(background());
                    CancelableWithCause child = withCancelCause(parent.ctx());
                    child.cancel().cancel(childCause);
                    parent.cancel().cancel();
                    return child.ctx();
                }, Canceled, childCause),
                new CauseCase("WithTimeout", () -> {
                    Cancelable c = withTimeout(background(), Duration.ZERO);
                    c.cancel().cancel();
                    return c.ctx();
                }, DeadlineExceeded, DeadlineExceeded),
                new CauseCase("WithTimeout canceled", () -> {
                    Cancelable c = withTimeout(background(), forever);
                    c.cancel().cancel();
                    return c.ctx();
                }, Canceled, Canceled),
                new CauseCase("WithTimeoutCause", () -> {
                    Cancelable c = withTimeoutCause(background(), Duration.ZERO, tooSlow);
                    c.cancel().cancel();
                    return c.ctx();
                }, DeadlineExceeded, tooSlow),
                new CauseCase("WithTimeoutCause canceled", () -> {
                    Cancelable c = withTimeoutCause(background(), forever, tooSlow);
                    c.cancel().cancel();
                    return c.ctx();
                }, Canceled, Canceled),
                new CauseCase("WithTimeoutCause stacked", () -> {
                    CancelableWithCause parent = withCancelCause(background());
                    Cancelable c = withTimeoutCause(parent.ctx(), Duration.ZERO, tooSlow);
                    parent.cancel().cancel(finishedEarly);
                    return c.ctx();
                }, DeadlineExceeded, tooSlow),
                new CauseCase("WithTimeoutCause stacked canceled", () -> {
                    CancelableWithCause parent = withCancelCause(background());
                    Cancelable c = withTimeoutCause(parent.ctx(), forever, tooSlow);
                    parent.cancel().cancel(finishedEarly);
                    return c.ctx();
                }, Canceled, finishedEarly),
                new CauseCase("WithoutCancel", () -> withoutCancel(background()), null, null),
                new CauseCase("WithoutCancel canceled", () -> {
                    CancelableWithCause parent = withCancelCause(background());
                    Context c = withoutCancel(parent.ctx());
                    parent.cancel().cancel(finishedEarly);
                    return c;
                }, null, null),
                new CauseCase("WithoutCancel timeout", () -> {
                    Cancelable parent = withTimeoutCause(background(), Duration.ZERO, tooSlow);
                    Context c = withoutCancel(parent.ctx());
                    parent.cancel().cancel();
                    return c;
                }, null, null));
        inBubble(() -> {
            for (CauseCase test : cases) {
                Context ctx = test.ctx().get();
                assertSame(test.err(), ctx.err(), test.name() + ": ctx.err()");
                assertSame(test.cause(), cause(ctx), test.name() + ": cause(ctx)");
            }
        });
    }

    // Go's TestWithoutCancel, and what "not canceled when parent is canceled" means for its children.
    @Test
    void withoutCancelKeepsTheValuesAndNothingElse() {
        inBubble(() -> {
            // given
            CancelableWithCause parent = withCancelCause(withValue(background(), "key", "value"));
            Cancelable timeout = withTimeout(parent.ctx(), Duration.ofSeconds(1));
            Context ctx = withoutCancel(timeout.ctx());
            Cancelable child = withCancel(ctx);

            // then
            assertEquals(Optional.empty(), ctx.deadline(), "no deadline, though its parent has one");
            assertNull(ctx.done(), "Go's nil channel: never done");
            assertNull(ctx.err());
            assertEquals("value", ctx.value("key"));
            assertEquals("context.Background.WithValue(key, value).WithCancel.WithDeadline(2000-01-01T00:00:01Z "
                    + "[PT1S]).WithoutCancel", ctx.toString());
            assertEquals(0, goroutines(), "a child of a context that is never done needs no watcher");

            // when: the parent is cancelled with a cause
            parent.cancel().cancel(new IllegalStateException("the request is over"));

            // then: neither it nor its child notices
            assertSame(Canceled, timeout.ctx().err());
            assertNull(ctx.err());
            assertNull(cause(ctx), "Go: calling Cause on the returned context returns nil");
            assertNull(child.ctx().err());
            assertEquals("value", child.ctx().value("key"));
            assertSame(Canceled, withCancel(timeout.ctx()).ctx().err(), "whereas a child of the parent is born done");
            assertNull(withCancel(ctx).ctx().err(), "and a child of withoutCancel is not");
            child.cancel().cancel();
        });
    }

    @Test
    void withDeadlineCauseGivesItsCauseWhenTheDeadlinePasses_notWhenCancelled() {
        inBubble(() -> {
            Exception tooSlow = new Exception("tooSlow");
            Instant start = now();

            // the deadline passes: DeadlineExceeded, with the cause, for it and its descendants
            Cancelable c = withDeadlineCause(background(), start.plusSeconds(5), tooSlow);
            Context grandchild = withValue(withCancel(c.ctx()).ctx(), "k", "v");
            Go.receive(c.ctx().done());
            assertEquals(Duration.ofSeconds(5), since(start));
            assertSame(DeadlineExceeded, c.ctx().err());
            assertSame(tooSlow, cause(c.ctx()));
            assertSame(DeadlineExceeded, grandchild.err());
            assertSame(tooSlow, cause(grandchild));
            c.cancel().cancel();
            assertSame(tooSlow, cause(c.ctx()), "a cancel after the deadline changes nothing");

            // cancelled first: Go's "the returned CancelFunc does not set the cause"
            Cancelable d = withTimeoutCause(background(), Duration.ofSeconds(5), tooSlow);
            d.cancel().cancel();
            assertSame(Canceled, d.ctx().err());
            assertSame(Canceled, cause(d.ctx()));
            assertEquals(0, timers(), "cancel stopped the timer");
            try (var e = withTimeoutCause(background(), Duration.ofSeconds(5), tooSlow)) {
                d = e;
            }
            assertSame(Canceled, cause(d.ctx()), "closing cancels with no cause, as Go's defer cancel()");

            // a deadline already past: born exceeded, with the cause, and no timer
            Cancelable past = withDeadlineCause(background(), now(), tooSlow);
            assertSame(DeadlineExceeded, past.ctx().err());
            assertSame(tooSlow, cause(past.ctx()));
            assertEquals(0, timers());

            // a parent whose deadline is sooner: "semantically equivalent to parent", so the parent's cause
            Cancelable parent = withTimeout(background(), Duration.ofSeconds(1));
            Cancelable later = withTimeoutCause(parent.ctx(), Duration.ofSeconds(2), tooSlow);
            assertEquals(parent.ctx().deadline(), later.ctx().deadline());
            assertEquals(1, timers(), "only the parent's timer");
            Go.receive(later.ctx().done());
            assertSame(DeadlineExceeded, later.ctx().err());
            assertSame(DeadlineExceeded, cause(later.ctx()), "the parent's deadline, which has no cause");
            later.cancel().cancel();
            parent.cancel().cancel();
        });
    }

    // Go's TestWithCancelSimultaneouslyCanceledParent and TestCauseRace: a child made while its parent is being
    // cancelled with a cause ends up with that cause, and cause() polled meanwhile is null or the cause, nothing else.
    @Test
    void aCauseSetWhileAChildIsMadeOrWhileCauseIsPolledIsSeenWhole() {
        TestSupport.bounded(() -> {
            for (int i = 0; i < 100; i++) {
                CancelableWithCause parent = withCancelCause(background());
                Exception because = new Exception("Because!");
                go(() -> parent.cancel().cancel(because));
                Cancelable c = withCancel(parent.ctx());
                Exception polled;
                while ((polled = cause(parent.ctx())) == null) {
                    Thread.yield();                                 // runtime.Gosched()
                }
                assertSame(because, polled, "Cause returned another error while the cancel was at work");
                Go.receive(c.ctx().done());
                assertSame(Canceled, c.ctx().err(), "child not canceled");
                assertSame(because, cause(c.ctx()), "child has wrong cause");
            }
            return null;
        });
    }

    // ---- AfterFunc (Go 1.21) ---------------------------------------------------------------------------------------

    @Test
    void afterFuncRunsOnceWhenDoneAndNotAfterStop() {
        inBubble(() -> {
            // given
            Cancelable c = withCancel(background());
            AtomicInteger ran = new AtomicInteger();
            StopFunc stop = afterFunc(c.ctx(), ran::incrementAndGet);
            awaitBlocked();
            assertEquals(0, ran.get(), "f ran before ctx was done");
            assertEquals(0, goroutines(), "afterFunc starts no goroutine until ctx is done");

            // when
            c.cancel().cancel();
            c.cancel().cancel();
            awaitBlocked();                                         // f's goroutine has run and ended

            // then
            assertEquals(1, ran.get(), "f runs once");
            assertEquals(0, goroutines());
            assertFalse(stop.stop(), "f already ran");

            // given: stopped before ctx is done
            Cancelable d = withCancel(background());
            AtomicInteger stopped = new AtomicInteger();
            StopFunc stopFirst = afterFunc(d.ctx(), stopped::incrementAndGet);
            assertTrue(stopFirst.stop(), "stopped before ctx was done");
            assertFalse(stopFirst.stop(), "a second stop has nothing to stop");
            d.cancel().cancel();
            awaitBlocked();
            assertEquals(0, stopped.get(), "a stopped f never runs");
            assertEquals(0, goroutines());

            assertTrue(afterFunc(background(), stopped::incrementAndGet).stop(), "background is never done");
        });
    }

    @Test
    void afterFuncOnATimeoutRunsAtExactlyTheDeadline() {
        inBubble(() -> {
            Instant start = now();
            Cancelable c = withTimeout(background(), Duration.ofMillis(50));
            Chan<Instant> ranAt = make(1);
            afterFunc(c.ctx(), () -> ranAt.send(now()));
            try {
                assertEquals(Duration.ofMillis(50), Duration.between(start, Go.receive(ranAt)));
                assertSame(DeadlineExceeded, c.ctx().err());
            } finally {
                c.cancel().cancel();
            }
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
        // In a bubble: awaitBlocked() returns once the watcher has done its work, so no time bound is needed.
        inBubble(() -> {
            ForeignContext foreign = new ForeignContext();
            Cancelable child = withCancel(foreign);
            assertEquals(1, goroutines(), "one goroutine watches the foreign parent");
            assertEquals("from the foreign context", withValue(child.ctx(), "k", "v").value("foreign"));
            foreign.cancel();
            awaitBlocked();
            assertSame(Canceled, child.ctx().err());
            assertTrue(Go.isClosed(child.ctx().done()));
            assertEquals(0, goroutines(), "the watcher ended with the parent");

            ForeignContext other = new ForeignContext();
            Cancelable cancelledFirst = withCancel(other);
            assertEquals(1, goroutines());
            cancelledFirst.cancel().cancel();
            awaitBlocked();
            assertEquals(0, goroutines(), "the watcher ends with the child, too");
            assertNull(other.err());
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

    // Go's "ctx, cancel := context.WithTimeout(parent, d); defer cancel()" is try-with-resources here: leaving the
    // block cancels, also when it is left by an exception, and the timer is released at once.
    @Test
    void closingACancelableCancelsIt_asGosDeferCancel() {
        // given
        Context[] seen = new Context[3];
        int timersBefore = timers();

        // when
        try (var c = withTimeout(background(), Duration.ofHours(1))) {
            seen[0] = c.ctx();
            assertNull(c.ctx().err(), "not cancelled inside the block");
        }
        try (var c = withCancel(background())) {
            seen[1] = c.ctx();
            throw new IllegalStateException("left by an exception");
        } catch (IllegalStateException expected) {
            // the block was left by an exception
        }
        try (var c = withCancelCause(background())) {
            seen[2] = c.ctx();
        }

        // then
        for (Context ctx : seen) {
            assertSame(Canceled, ctx.err());
        }
        assertSame(Canceled, cause(seen[2]), "closing cancels with no cause, as Go's cancel(nil)");
        assertEquals(timersBefore, timers(), "the timeout's timer is stopped at once");
    }
}
