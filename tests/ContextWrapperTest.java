import static gochan.Context.Canceled;
import static gochan.Context.afterFunc;
import static gochan.Context.background;
import static gochan.Context.cause;
import static gochan.Context.withCancel;
import static gochan.Context.withCancelCause;
import static gochan.Context.withTimeout;
import static gochan.Go.awaitBlocked;
import static gochan.Go.goroutines;
import static gochan.Go.make;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gochan.Context;
import gochan.Context.AfterFuncer;
import gochan.Context.Cancelable;
import gochan.Context.CancelableWithCause;
import gochan.Context.ContextError;
import gochan.Context.StopFunc;
import gochan.Go;
import gochan.Go.Chan;
import gochan.Go.ReceiveOnly;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Contexts of your own around the port's, as Go's tests build them (x_test.go's otherContext, customDoneContext
 * and customCauseContext, context_test.go's myCtx and myDoneCtx, afterfunc_test.go's afterFuncContext). Go finds
 * the cancel context inside a wrapper through Value(&cancelCtxKey); a child registers with it directly, with no
 * goroutine and synchronously, if the wrapper's Done is that context's; otherwise a goroutine watches the wrapper.
 * Goroutines are counted in a bubble, where awaitBlocked() says when a watcher has ended.
 */
@ExtendWith(TestSupport.NoLeaks.class)
@ExtendWith(ContextProperties.NoTimersLeft.class)
class ContextWrapperTest {

    static final Duration VERY_LONG = Duration.ofHours(1000);

    /** Go's otherContext (and myCtx): a struct embedding a Context, so it forwards all four methods. */
    record Wrapper(Context inner) implements Context {
        @Override
        public Optional<Instant> deadline() {
            return inner.deadline();
        }

        @Override
        public ReceiveOnly<Void> done() {
            return inner.done();
        }

        @Override
        public ContextError err() {
            return inner.err();
        }

        @Override
        public Object value(Object key) {
            return inner.value(key);
        }
    }

    /** Go's customDoneContext: forwards everything but done(), which is a channel of its own. */
    record OwnDone(Context inner, Chan<Void> donec) implements Context {
        @Override
        public Optional<Instant> deadline() {
            return inner.deadline();
        }

        @Override
        public ReceiveOnly<Void> done() {
            return donec;
        }

        @Override
        public ContextError err() {
            return inner.err();
        }

        @Override
        public Object value(Object key) {
            return inner.value(key);
        }
    }

    static void assertDone(Context c, ContextError err, String what) {
        assertTrue(Go.isClosed(c.done()), what + " is not done");
        assertSame(err, c.err(), what);
    }

    // Go's TestWithCancel: cancel propagates synchronously through otherContext.
    @Test
    void aChildOfAWrapperIsCancelledBeforeTheCancelReturns() {
        ContextProperties.inBubble(() -> {
            Cancelable c1 = withCancel(background());
            Wrapper o = new Wrapper(c1.ctx());
            Cancelable c2 = withCancel(o);
            assertEquals(0, goroutines(), "registered with c1: nothing watches o");
            assertNotNull(o.done());
            assertNull(c2.ctx().err());

            c1.cancel().cancel();                                   // Should propagate synchronously.

            for (Context c : List.of(c1.ctx(), o, c2.ctx())) {
                assertDone(c, Canceled, c.toString());
            }
        });
    }

    // Go's XTestCustomContextGoroutines, goroutine for goroutine.
    @Test
    void aWrapperSharingItsDoneChannelNeedsNoWatcher_oneWithItsOwnGetsOne() {
        ContextProperties.inBubble(() -> {
            // myDoneCtx{Background()}: a done channel the port cannot know, so one goroutine watches it
            Cancelable cancel0 = withCancel(new OwnDone(background(), make()));
            assertEquals(1, goroutines(), "a watcher for a done channel of its own");
            cancel0.cancel().cancel();
            awaitBlocked();
            assertEquals(0, goroutines(), "the watcher ends with the child");
            Cancelable timeout0 = withTimeout(new OwnDone(background(), make()), VERY_LONG);
            assertEquals(1, goroutines());
            timeout0.cancel().cancel();
            awaitBlocked();
            assertEquals(0, goroutines());

            Cancelable ctx1 = withCancel(background());
            Wrapper ctx2 = new Wrapper(ctx1.ctx());                 // myCtx{ctx1}
            Cancelable ctx3 = withCancel(ctx2);
            assertEquals(0, goroutines(), "myCtx shares ctx1's done: ctx3 registers with ctx1");
            StopFunc stop = afterFunc(ctx2, () -> { });
            assertEquals(0, goroutines(), "so does an afterFunc");
            assertTrue(stop.stop());

            Cancelable cancel3b = withCancel(new OwnDone(ctx2, make()));
            assertEquals(1, goroutines(), "ctx1 is not providing Done, must not be used");
            cancel3b.cancel().cancel();
            awaitBlocked();
            assertEquals(0, goroutines());

            Cancelable ctx4 = withTimeout(ctx3.ctx(), VERY_LONG);
            Cancelable ctx5 = withCancel(ctx4.ctx());
            ctx5.cancel().cancel();
            Cancelable ctx6 = withTimeout(ctx5.ctx(), VERY_LONG);
            ctx6.cancel().cancel();
            ctx1.cancel().cancel();
            Cancelable ctx7 = withCancel(ctx5.ctx());               // applied to a cancelled context
            assertEquals(0, goroutines(), "none of these watches anything");

            assertDone(ctx3.ctx(), Canceled, "ctx3, cancelled through ctx1 synchronously");
            assertDone(ctx4.ctx(), Canceled, "ctx4");
            assertDone(ctx7.ctx(), Canceled, "ctx7");
            awaitBlocked();
            assertEquals(0, goroutines());
        });
    }

    // Go's Cause: through Value(&cancelCtxKey), so through any wrapper that forwards value().
    @Test
    void causeSeesThroughAWrapperThatForwardsValue_andItsChildrenInheritIt() {
        ContextProperties.inBubble(() -> {
            CancelableWithCause inner = withCancelCause(background());
            Wrapper wrapper = new Wrapper(inner.ctx());
            Cancelable child = withCancel(wrapper);
            assertNull(cause(wrapper), "not cancelled yet");

            Exception why = new IllegalStateException("the upstream failed");
            inner.cancel().cancel(why);

            assertSame(Canceled, wrapper.err());
            assertSame(why, cause(wrapper), "cause() looked only at err()");
            assertSame(why, cause(child.ctx()), "the child of the wrapper did not inherit the cause");
            assertSame(why, cause(withCancel(wrapper).ctx()), "nor a child born cancelled");
        });
    }

    // Go's TestCustomContextPropagation: a done channel of its own is watched, and the watcher passes the cause on.
    @Test
    void aChildOfAWrapperWithItsOwnDoneIsCancelledByTheWatcherWithTheInnerCause() {
        ContextProperties.inBubble(() -> {
            Exception why = new IllegalStateException("TestCustomContextPropagation");
            Chan<Void> donec = make();
            CancelableWithCause ctx1 = withCancelCause(background());
            OwnDone ctx2 = new OwnDone(ctx1.ctx(), donec);
            Cancelable ctx3 = withCancel(ctx2);
            try {
                ctx1.cancel().cancel(why);
                assertNull(ctx3.ctx().err(), "ctx2's done is not closed yet: ctx3 must wait for it");
                donec.close();

                Go.receive(ctx3.ctx().done());
                assertSame(Canceled, ctx3.ctx().err());
                assertSame(why, cause(ctx3.ctx()), "child has wrong cause");
            } finally {
                ctx3.cancel().cancel();
            }
        });
    }

    /** Go's customCauseContext: a Context of its own, with no values, that can cancel one child itself. */
    static final class CustomCauseContext implements Context {
        private final ReentrantLock mu = new ReentrantLock();
        private final Chan<Void> done = make();
        private ContextError err;
        private Context.CancelFunc cancelChild;

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
            mu.lock();
            try {
                return err;
            } finally {
                mu.unlock();
            }
        }

        @Override
        public Object value(Object key) {
            return null;
        }

        void cancel() {
            Context.CancelFunc child;
            mu.lock();
            try {
                err = Canceled;
                done.close();
                child = cancelChild;
            } finally {
                mu.unlock();
            }
            if (child != null) {
                child.cancel();
            }
        }
    }

    // Go's TestCustomContextCause, step for step.
    @Test
    void aContextOfYourOwnHasNoCauseButErr_andItsChildKeepsItsOwnCause() {
        ContextProperties.inBubble(() -> {
            // If we cancel a custom context, Err and Cause return Canceled.
            CustomCauseContext ccc = new CustomCauseContext();
            ccc.cancel();
            assertSame(Canceled, ccc.err());
            assertSame(Canceled, cause(ccc));

            // A child cancelled with a cause has it; the custom parent is not cancelled.
            ccc = new CustomCauseContext();
            CancelableWithCause ctx = withCancelCause(ccc);
            Exception why = new IllegalStateException("TestCustomContextCause");
            ctx.cancel().cancel(why);
            assertSame(Canceled, ctx.ctx().err());
            assertSame(why, cause(ctx.ctx()));
            assertNull(ccc.err());
            assertNull(cause(ccc));

            // Cancelling the custom parent now changes nothing in the child.
            ccc.cancel();
            awaitBlocked();
            assertSame(why, cause(ctx.ctx()));
            assertSame(Canceled, ccc.err());
            assertSame(Canceled, cause(ccc));

            // A custom context that cancels its child itself.
            CustomCauseContext ccc2 = new CustomCauseContext();
            Cancelable child = withCancel(ccc2);
            ccc2.cancelChild = child.cancel();
            ccc2.cancel();
            assertSame(Canceled, child.ctx().err());
            assertSame(Canceled, cause(child.ctx()));
            awaitBlocked();                                         // its watcher has seen it and ended
            assertEquals(0, goroutines());
        });
    }

    /** Go's afterFuncContext (afterfunc_test.go): a Context of its own that can run functions once it is done. */
    static final class AfterFuncContext implements Context, AfterFuncer {
        private final ReentrantLock mu = new ReentrantLock();
        private final Map<Object, Runnable> afterFuncs = new HashMap<>();
        private final Chan<Void> done = make();
        private ContextError err;

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
            mu.lock();
            try {
                return err;
            } finally {
                mu.unlock();
            }
        }

        @Override
        public Object value(Object key) {
            return null;
        }

        @Override
        public StopFunc afterFunc(Runnable f) {
            mu.lock();
            try {
                Object k = new Object();
                afterFuncs.put(k, f);
                return () -> {
                    mu.lock();
                    try {
                        return afterFuncs.remove(k) != null;
                    } finally {
                        mu.unlock();
                    }
                };
            } finally {
                mu.unlock();
            }
        }

        int registered() {
            mu.lock();
            try {
                return afterFuncs.size();
            } finally {
                mu.unlock();
            }
        }

        void cancel(ContextError e) {
            mu.lock();
            try {
                if (err != null) {
                    return;
                }
                err = e;
                done.close();
                for (Runnable f : afterFuncs.values()) {
                    Go.go(f);
                }
                afterFuncs.clear();
            } finally {
                mu.unlock();
            }
        }
    }

    // afterfunc_test.go: TestCustomContextAfterFuncCancel, ...Timeout, ...AfterFunc; no goroutine watches ctx0.
    @Test
    void childrenOfAnAfterFuncerRegisterThroughItAndAreCancelledByIt() {
        ContextProperties.inBubble(() -> {
            AfterFuncContext ctx0 = new AfterFuncContext();
            Cancelable ctx1 = withCancel(ctx0);
            Cancelable ctx2 = withTimeout(ctx0, VERY_LONG);
            Chan<Void> donec = make();
            StopFunc stop = afterFunc(ctx0, donec::close);
            assertEquals(0, goroutines(), "the AfterFuncer calls back: no goroutine watches it");
            assertEquals(3, ctx0.registered());
            try {
                ctx0.cancel(Canceled);
                Go.receive(ctx1.ctx().done());
                Go.receive(ctx2.ctx().done());
                Go.receive(donec);
                assertSame(Canceled, ctx1.ctx().err());
                assertSame(Canceled, ctx2.ctx().err());
            } finally {
                stop.stop();
                ctx1.cancel().cancel();
                ctx2.cancel().cancel();
            }
        });
    }

    // afterfunc_test.go: TestCustomContextAfterFuncUnregisterCancel, ...Timeout, ...AfterFunc.
    @Test
    void cancellingAChildOfAnAfterFuncerUnregistersIt() {
        ContextProperties.inBubble(() -> {
            AfterFuncContext ctx0 = new AfterFuncContext();
            Cancelable cancel1 = withCancel(ctx0);
            Cancelable cancel2 = withCancel(ctx0);
            assertEquals(2, ctx0.registered(), "after WithCancel(ctx0)");
            cancel1.cancel().cancel();
            cancel2.cancel().cancel();
            assertEquals(0, ctx0.registered(), "after canceling WithCancel(ctx0)");

            Cancelable timeout = withTimeout(ctx0, VERY_LONG);
            assertEquals(1, ctx0.registered(), "after WithTimeout(ctx0, d)");
            timeout.cancel().cancel();
            assertEquals(0, ctx0.registered(), "after canceling WithTimeout(ctx0, d)");

            StopFunc stop = afterFunc(ctx0, () -> { });
            assertEquals(1, ctx0.registered(), "after AfterFunc(ctx0, f)");
            assertTrue(stop.stop());
            assertEquals(0, ctx0.registered(), "after stopping AfterFunc(ctx0, f)");
            assertFalse(stop.stop());
        });
    }
}
