package gochan;

import static gochan.Go.go;
import static gochan.Go.make;
import static gochan.Go.onDefault;
import static gochan.Go.onReceive;
import static gochan.Go.select;
import static gochan.ModelCheck.goroutinesOnPlatformThreads;
import static gochan.ModelCheck.join;
import static gochan.ModelCheck.joinEveryGoroutine;
import static gochan.ModelCheck.outcome;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gochan.Go.Chan;
import gochan.Go.ReceiveOnly;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pastalab.fray.core.command.SystemTimeDelegateType;
import org.pastalab.fray.junit.junit5.FrayTestExtension;
import org.pastalab.fray.junit.junit5.annotations.FrayTest;

/** The context port (scripts/gochan/Context.java): cancellation racing whatever else touches the same tree. */
@ExtendWith(FrayTestExtension.class)
class ContextScenarios {

    private static boolean isDone(Context ctx) {
        return select(onReceive(ctx.done()), onDefault()).index() == 0;   // select { case <-ctx.Done(): default: }
    }

    // A parent cancelled with a cause while a goroutine derives a child, and a grandchild through a value context:
    // whichever comes first, both end up done, with the parent's error and cause.
    @FrayTest(iterations = 200)
    void cancelRacingAChildsCreation() {
        goroutinesOnPlatformThreads();
        var parent = Context.withCancelCause(Context.background());
        Exception cause = new Exception("shutting down");
        AtomicBoolean cancelled = new AtomicBoolean();
        Context[] derived = new Context[2];
        boolean[] cancelledFirst = new boolean[1];
        Thread deriver = go(() -> {
            cancelledFirst[0] = cancelled.get();
            derived[0] = Context.withCancel(parent.ctx()).ctx();
            derived[1] = Context.withCancel(Context.withValue(derived[0], "k", "v")).ctx();
        });
        Thread canceller = go(() -> {
            parent.cancel().cancel(cause);
            cancelled.set(true);
        });
        join(deriver, canceller);

        for (Context c : derived) {
            assertTrue(isDone(c), "a child of a cancelled context is done: " + c);
            assertSame(Context.Canceled, c.err());
            assertSame(cause, Context.cause(c));
        }
        joinEveryGoroutine();
        outcome("cancel racing a child's creation", cancelledFirst[0] ? "cancelled first" : "child first (or both at once)");
    }

    // A context of a type the port does not know, so that a child of it needs a watcher goroutine (started by go):
    // its cancel races the child's own cancel. The child ends up done either way, and the watcher ends.
    @FrayTest(iterations = 200)
    void cancelRacingAWatcherGoroutine() {
        goroutinesOnPlatformThreads();
        Foreign parent = new Foreign();
        var child = Context.withCancel(parent);
        AtomicBoolean parentCancelled = new AtomicBoolean();
        boolean[] parentFirst = new boolean[1];
        Thread parentCancel = go(() -> {
            parent.cancel();
            parentCancelled.set(true);
        });
        Thread childCancel = go(() -> {
            parentFirst[0] = parentCancelled.get();
            child.cancel().cancel();
        });
        join(parentCancel, childCancel);

        assertTrue(isDone(child.ctx()));
        assertSame(Context.Canceled, child.ctx().err());
        joinEveryGoroutine(); // the watcher too: it must have ended, whichever cancel it saw
        outcome("cancel racing a watcher goroutine", parentFirst[0] ? "parent cancelled first" : "child cancelled first (or both at once)");
    }

    // afterFunc's stop racing the context's cancel: f runs exactly when stop says it did not stop it, and once.
    @FrayTest(iterations = 200)
    void afterFuncStopRacingCancel() {
        goroutinesOnPlatformThreads();
        var ctx = Context.withCancel(Context.background());
        AtomicInteger ran = new AtomicInteger();
        Context.StopFunc stop = Context.afterFunc(ctx.ctx(), ran::incrementAndGet);
        boolean[] stopped = new boolean[1];
        Thread canceller = go(() -> ctx.cancel().cancel());
        Thread stopper = go(() -> stopped[0] = stop.stop());
        join(canceller, stopper);
        joinEveryGoroutine(); // f runs in a goroutine of its own

        assertEquals(stopped[0] ? 0 : 1, ran.get());
        assertTrue(!stop.stop(), "a second stop never stops anything");
        outcome("afterFunc's stop racing cancel", stopped[0] ? "stopped" : "ran");
    }

    // A deadline's timer racing an explicit cancel, on Fray's mock clock (each read of the clock moves it 0.1 ms, so
    // where in the schedule the 1 ms deadline passes depends on the schedule). The first decides: the context and
    // its child agree on one error, which never changes. The helper's timer thread outlives the test: Fray stops it.
    @FrayTest(iterations = 200, systemTimeDelegateType = SystemTimeDelegateType.MOCK, ignoreTimedBlock = false,
            abortThreadExecutionAfterMainExit = true)
    void deadlineRacingCancel() {
        goroutinesOnPlatformThreads();
        var ctx = Context.withTimeout(Context.background(), Duration.ofMillis(1));
        var child = Context.withCancel(ctx.ctx());
        Thread canceller = go(() -> ctx.cancel().cancel());
        Go.receive(child.ctx().done());
        join(canceller);

        Context.ContextError err = ctx.ctx().err();
        assertTrue(err == Context.Canceled || err == Context.DeadlineExceeded, "err: " + err);
        assertSame(err, child.ctx().err(), "the child has its parent's error");
        assertSame(err, Context.cause(child.ctx()));
        assertSame(err, ctx.ctx().err(), "err never changes once set");
        joinEveryGoroutine(); // the timer's goroutine, if it fired
        outcome("deadline racing cancel", err.getMessage());
    }

    /** A context implemented outside the port, as a user might: done is a channel it closes when cancelled. */
    private static final class Foreign implements Context {
        private final Chan<Void> done = make();
        private final AtomicBoolean cancelled = new AtomicBoolean();

        void cancel() {
            if (cancelled.compareAndSet(false, true)) {
                Go.close(done);
            }
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
            return cancelled.get() ? Context.Canceled : null;
        }

        @Override
        public Object value(Object key) {
            return null;
        }
    }
}
