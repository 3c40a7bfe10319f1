package gochan;

import static gochan.Go.go;
import static gochan.Go.onDefault;
import static gochan.Go.onReceive;
import static gochan.Go.select;

import gochan.Go.Chan;
import gochan.Go.Panic;
import gochan.Go.ReceiveOnly;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Go's {@code context} package: a deadline, a cancellation signal and request-scoped values, carried down a call
 * graph. It has two purposes: cancelling branches of the call graph, and a bag of request-scoped data.
 *
 * <pre>{@code
 * var c = Context.withTimeout(ctx, Duration.ofSeconds(1));  // ctx, cancel := context.WithTimeout(ctx, time.Second)
 * try {                                                     // defer cancel()
 *     switch (select(onReceive(c.ctx().done()), onReceive(results)).index()) {
 *         case 0 -> throw c.ctx().err();                    // case <-ctx.Done(): return ctx.Err()
 *         case 1 -> { ... }
 *     }
 * } finally {
 *     c.cancel().cancel();
 * }
 * }</pre>
 *
 * <p>Go's rules for programs that use contexts (go vet checks only that cancel functions are called; the rest are
 * conventions), which hold here too:
 * <ul>
 * <li>Pass a Context explicitly, as the <b>first parameter</b> of each function that needs it, named {@code ctx}.
 *     Do not store it in a field. Do not pass null, even where a function permits it: pass {@link #todo()} when
 *     unsure which Context to use.
 * <li>Call the cancel function on every path once the work is done ({@code defer cancel()}: here a
 *     {@code finally}). Cancelling releases the context's resources: its timer and its place in its parent.
 * <li>Use values only for request-scoped data that crosses processes and API boundaries, not to pass optional
 *     parameters to functions (see {@link #withValue}).
 * <li>The same Context may be handed to any number of goroutines: every method is safe to call from any thread.
 * </ul>
 *
 * <p>A Context is immutable: a function that receives one can neither cancel it nor change it. It derives a child
 * instead ({@code withCancel}, {@code withDeadline}, {@code withTimeout}, {@code withValue}), and only the holder of
 * the child's cancel function can cancel the child. Cancelling a context cancels all of its descendants, never its
 * parent or its siblings.
 *
 * <p>So a context covers the three sides of cancelling a goroutine: its parent may want to cancel it; it may want to
 * cancel its own children; and its blocking operations must be pre-emptable, which they are when they select on
 * {@code ctx.done()} beside their work.
 */
public interface Context {

    /** When work done for this context should be cancelled, or empty if no deadline is set. Go's Deadline(). */
    Optional<Instant> deadline();

    /**
     * A channel that is closed when work done for this context should be cancelled: by a cancel function, by the
     * deadline, or because the parent was. For {@code select(onReceive(ctx.done()), ...)}. It is null (Go's nil
     * channel: a select case on it is never ready) for a context that can never be cancelled, such as
     * {@link #background()} or {@link #withoutCancel}; use it in a select, or with the static {@code Go.receive},
     * not as {@code done().receive()}.
     */
    ReceiveOnly<Void> done();

    /** Null until done() is closed; then {@link #Canceled} or {@link #DeadlineExceeded}, the same value forever. */
    ContextError err();

    /** The value the nearest {@code withValue} above this context stored under key, or null if none did. */
    Object value(Object key);

    // =====================================================================================================
    // Errors
    // =====================================================================================================

    /**
     * The two values {@code err()} can have, Go's {@code context.Canceled} and {@code context.DeadlineExceeded}.
     * There is one instance of each, compared with {@code ==} as Go compares error variables. They are exceptions
     * so that Java code can {@code throw ctx.err()} where Go code would {@code return ctx.Err()}; being values, they
     * carry no stack trace.
     */
    final class ContextError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final boolean timeout;

        private ContextError(String message, boolean timeout) {
            super(message, null, false, false); // no stack trace: one shared instance is thrown from everywhere
            this.timeout = timeout;
        }

        /** Go's {@code Timeout() bool}: true for DeadlineExceeded, as for a network timeout. */
        public boolean timeout() {
            return timeout;
        }

        /** Go's {@code err.Error()}: "context canceled", so that printing an error reads as in Go. */
        @Override
        public String toString() {
            return getMessage();
        }
    }

    /** The error err() returns when the context was cancelled. */
    ContextError Canceled = new ContextError("context canceled", false);

    /** The error err() returns when the context's deadline passed. */
    ContextError DeadlineExceeded = new ContextError("context deadline exceeded", true);

    // =====================================================================================================
    // The roots: Background and TODO
    // =====================================================================================================

    /**
     * An empty context: never cancelled, no deadline, no values. The root of every tree of contexts: in main, in
     * initialisation, in tests, and as the top-level context of an incoming request. Only TODO is a placeholder.
     */
    static Context background() {
        return EmptyCtx.BACKGROUND;
    }

    /** Also empty: a placeholder where it is not yet clear which context to use, or none is passed in yet. */
    static Context todo() {
        return EmptyCtx.TODO;
    }

    // =====================================================================================================
    // Cancellation: WithCancel, WithCancelCause, Cause
    // =====================================================================================================

    /**
     * Go's CancelFunc: tells the work to stop, does not wait for it to stop. Idempotent; safe from any thread. When
     * it returns, the context and every context derived from it are done.
     */
    @FunctionalInterface
    interface CancelFunc {
        void cancel();
    }

    /** Go's CancelCauseFunc (Go 1.20): cancels like CancelFunc and records why. */
    @FunctionalInterface
    interface CancelCauseFunc {
        void cancel(Exception cause);
    }

    /**
     * Go's two results {@code ctx, cancel}. Closing it cancels, so that
     * {@code try (var c = withTimeout(parent, d)) { work(c.ctx()); }} is the Java form of
     * {@code ctx, cancel := context.WithTimeout(parent, d); defer cancel()}.
     */
    record Cancelable(Context ctx, CancelFunc cancel) implements AutoCloseable {
        @Override
        public void close() {
            cancel.cancel();
        }
    }

    /** Go's two results {@code ctx, cancel} of WithCancelCause. Closing it cancels with no cause: {@code defer cancel(nil)}. */
    record CancelableWithCause(Context ctx, CancelCauseFunc cancel) implements AutoCloseable {
        @Override
        public void close() {
            cancel.cancel(null);
        }
    }

    /** A child whose done() closes when cancel is called or when the parent's done() closes, whichever is first. */
    static Cancelable withCancel(Context parent) {
        CancelCtx c = CancelCtx.withCancel(parent);
        return new Cancelable(c, () -> c.cancel(true, Canceled, null));
    }

    /** Like withCancel, but cancel(cause) records a cause, which {@link #cause} returns; err() is still Canceled. */
    static CancelableWithCause withCancelCause(Context parent) {
        CancelCtx c = CancelCtx.withCancel(parent);
        return new CancelableWithCause(c, cause -> c.cancel(true, Canceled, cause));
    }

    /**
     * Why c was cancelled: whatever cancelled c first decides it. If that was a CancelCauseFunc, of c or of an
     * ancestor, its cause; a deadline of {@link #withDeadlineCause} or {@link #withTimeoutCause}, that cause;
     * otherwise c.err() (Canceled, or DeadlineExceeded for a deadline), even if an ancestor is cancelled with a cause
     * later. Null while c is not cancelled, and always for {@link #withoutCancel}.
     *
     * <p>Like Go, it finds the nearest cancellable context of this file through {@code c.value(key)} with a key
     * only this file holds, so it also sees through a Context of your own that wraps one of these and forwards
     * {@code value()} to it.
     */
    static Exception cause(Context c) {
        if (c.value(CancelCtx.KEY) instanceof CancelCtx cc) { // c.Value(&cancelCtxKey).(*cancelCtx)
            return cc.cause();
        }
        return c.err(); // not derived from a cancellable context of this file: no cause beyond err()
    }

    // =====================================================================================================
    // Deadlines: WithDeadline, WithTimeout, WithDeadlineCause, WithTimeoutCause
    // =====================================================================================================

    /**
     * A child that is also cancelled when the clock reaches {@code deadline} (err() is then DeadlineExceeded). If
     * the parent's deadline is earlier, the child keeps the parent's: a deadline can only move closer. Cancel it as
     * soon as the work is done: that stops its timer at once. The clock is {@link Go#now()}, and the timer a
     * {@link Go#afterFunc}: in a bubble both are virtual, so a context there is done exactly at its deadline.
     */
    static Cancelable withDeadline(Context parent, Instant deadline) {
        return withDeadlineCause(parent, deadline, null);
    }

    /** {@code withDeadline(parent, now + timeout)}. */
    static Cancelable withTimeout(Context parent, Duration timeout) {
        return withDeadline(parent, Go.now().plus(timeout));
    }

    /**
     * Like withDeadline, and when the deadline passes, {@link #cause} is {@code cause} (err() is still
     * DeadlineExceeded). The cancel function sets no cause: cancelling first gives Canceled for both (Go 1.21).
     */
    static Cancelable withDeadlineCause(Context parent, Instant deadline, Exception cause) {
        if (parent == null) {
            throw new Panic("cannot create context from nil parent");
        }
        Optional<Instant> current = parent.deadline();
        if (current.isPresent() && current.get().isBefore(deadline)) {
            return withCancel(parent); // the current deadline is already sooner than the new one
        }
        TimerCtx c = new TimerCtx(parent, deadline);
        c.propagateCancel();
        Duration dur = Duration.between(Go.now(), deadline); // Go's time.Until(d)
        if (dur.isNegative() || dur.isZero()) {
            c.cancel(true, DeadlineExceeded, cause); // the deadline has already passed
            return new Cancelable(c, () -> c.cancel(false, Canceled, null));
        }
        c.mu.lock();
        try {
            if (c.err == null) { // the parent may have been cancelled in the meantime: then no timer is needed
                c.timer = Go.afterFunc(dur, () -> c.cancel(true, DeadlineExceeded, cause));
            }
        } finally {
            c.mu.unlock();
        }
        return new Cancelable(c, () -> c.cancel(true, Canceled, null));
    }

    /** {@code withDeadlineCause(parent, now + timeout, cause)} (Go 1.21). */
    static Cancelable withTimeoutCause(Context parent, Duration timeout, Exception cause) {
        return withDeadlineCause(parent, Go.now().plus(timeout), cause);
    }

    // =====================================================================================================
    // WithoutCancel (Go 1.21)
    // =====================================================================================================

    /**
     * A child that keeps the parent's values and nothing else: it is never done (done() is null), has no deadline,
     * err() and {@link #cause} are null, even when the parent is cancelled. For work that must outlive the request
     * that started it, such as a write-behind or an audit log, while keeping its request id.
     */
    static Context withoutCancel(Context parent) {
        if (parent == null) {
            throw new Panic("cannot create context from nil parent");
        }
        return new WithoutCancelCtx(parent);
    }

    // =====================================================================================================
    // Values: WithValue
    // =====================================================================================================

    /**
     * A child that carries {@code val} under {@code key}. Go's guidance, and the book's five heuristics (Concurrency in Go, chapter 4, "The context Package"), for what belongs
     * in a context:
     * <ol>
     * <li>The data should transit process or API boundaries (a request id, a user's identity, a trace span).
     * <li>The data should be immutable.
     * <li>The data should be data, not types with methods.
     * <li>The data should trend toward simple types.
     * <li>The data should help decorate operations, not drive them: if a function cannot work without it, it is a
     *     parameter, not a context value. Context values are not for optional parameters.
     * </ol>
     *
     * <p>Keys are compared the way Go compares interface values: equal only if they have the same class and are
     * equal. A package should never use a String as its key (another package may use the same string); it
     * declares a private key type, such as {@code private enum ctxKey { userID }} or a private record, so no other
     * code can even name its keys. Go panics for keys without ==; the Java trap is an array, whose equals is
     * identity, so arrays are refused the same way.
     */
    static Context withValue(Context parent, Object key, Object val) {
        if (parent == null) {
            throw new Panic("cannot create context from nil parent");
        }
        if (key == null) {
            throw new Panic("nil key");
        }
        if (key.getClass().isArray()) {
            throw new Panic("key is not comparable");
        }
        return new ValueCtx(parent, key, val);
    }

    // =====================================================================================================
    // AfterFunc (Go 1.21)
    // =====================================================================================================

    /** Go's {@code stop func() bool}. */
    @FunctionalInterface
    interface StopFunc {
        /** Stops f from running; true if that happened, false if f already started or stop was called before. */
        boolean stop();
    }

    /**
     * Runs f in its own goroutine once ctx is done (at once if it already is), unless stopped first. Several calls
     * on one context are independent. stop does not wait for f to finish. If ctx is an {@link AfterFuncer}, its own
     * afterFunc schedules the call.
     */
    static StopFunc afterFunc(Context ctx, Runnable f) {
        if (ctx == null) {
            throw new Panic("cannot create context from nil parent");
        }
        AfterFuncCtx a = new AfterFuncCtx(ctx, f);
        a.propagateCancel();
        return () -> {
            if (!a.once.compareAndSet(false, true)) {
                return false;
            }
            a.cancel(true, Canceled, null); // detach from ctx: nothing is left waiting for it
            return true;
        };
    }

    /**
     * Go's {@code afterFuncer}: a Context of your own that can run a function once it is done. A child of such a
     * context (withCancel, withDeadline, afterFunc) registers through it instead of starting a goroutine to watch
     * its done(), and cancelling the child calls the returned StopFunc.
     */
    interface AfterFuncer {
        /** Arranges for f to run in its own goroutine once this context is done; the StopFunc unregisters it. */
        StopFunc afterFunc(Runnable f);
    }
}

/*
 * Implementation, following Go's src/context/context.go (Go 1.21 and later). The package-private classes below are
 * the concrete contexts; the interface above is all that callers see.
 *
 * A cancellable context (CancelCtx, and TimerCtx and AfterFuncCtx, which extend it) registers itself in the
 * children of the nearest cancellable context above it, found as Go finds it: parent.value(CancelCtx.KEY), accepted
 * only if parent.done() is that context's own done channel (a wrapper with a done channel of its own must be
 * watched, not bypassed). Otherwise it registers through an AfterFuncer parent, or a goroutine watches the parent.
 *
 * Cancelling a context: under its lock, the first cancel records the error and cause, closes done and takes the
 * children; then, one context at a time, it does the same to each child, grandchild and so on. Go recurses instead,
 * holding each context's lock while it cancels the children below, which is 100,000 nested locks and stack frames
 * for a chain of 100,000 contexts. Here a cancel holds one lock at a time, and locks are still taken only from
 * parent to child (a child's lock is never held while a parent's is taken), so no two cancels can deadlock.
 *
 * What Go's nested locks also gave: when cancel returns, every descendant is done, even if another goroutine was
 * cancelling part of the tree at the same moment (Go's cancel would wait for that one's lock). Here, each cancel
 * call is a Cancellation, recorded on every context it cancels; a cancel that finds a context already cancelled
 * waits until that Cancellation has finished. It only ever waits for a cancel that started lower in the tree, which
 * never waits for it, so the waits cannot form a cycle, and a cancel never waits while holding a lock.
 *
 * Everything that walks up the chain of parents (value, deadline, done and err of a value context, toString) is a
 * loop, never a recursion, so a chain of any depth fits on any stack.
 */

/** background() and todo(): never cancelled, no values, no deadline. */
final class EmptyCtx implements Context {
    static final EmptyCtx BACKGROUND = new EmptyCtx("context.Background");
    static final EmptyCtx TODO = new EmptyCtx("context.TODO");

    private final String name;

    private EmptyCtx(String name) {
        this.name = name;
    }

    @Override
    public Optional<Instant> deadline() {
        return Optional.empty();
    }

    @Override
    public ReceiveOnly<Void> done() {
        return null; // Go's nil channel: never closed
    }

    @Override
    public Context.ContextError err() {
        return null;
    }

    @Override
    public Object value(Object key) {
        return null;
    }

    @Override
    public String toString() {
        return name;
    }
}

/** A context derived from a parent by this file: the walks up the chain of parents, as loops. */
abstract class DerivedCtx implements Context {
    final Context parent;

    DerivedCtx(Context parent) {
        this.parent = parent;
    }

    /** What this context adds to its parent's name: ".WithCancel", ".WithValue(k, v)", ... */
    abstract String nameSuffix();

    // Go's value(c, key): the nearest value context holding key, or, for KEY, the nearest cancellable context.
    static Object lookup(Context c, Object key) {
        while (true) {
            if (c instanceof ValueCtx v) {
                if (ValueCtx.sameKey(v.key, key)) {
                    return v.val;
                }
                c = v.parent;
            } else if (c instanceof CancelCtx cc) {
                if (key == CancelCtx.KEY) {
                    return cc;
                }
                c = cc.parent;
            } else if (c instanceof WithoutCancelCtx w) {
                if (key == CancelCtx.KEY) {
                    return null; // so that cause(withoutCancel(ctx)) is null, as in Go
                }
                c = w.parent;
            } else if (c instanceof EmptyCtx) {
                return null;
            } else {
                return c.value(key); // someone's own Context implementation
            }
        }
    }

    // The nearest deadline: a TimerCtx's own; cancel and value contexts have their parent's.
    static Optional<Instant> deadline(Context c) {
        while (true) {
            if (c instanceof TimerCtx t) {
                return t.deadline();
            } else if (c instanceof CancelCtx cc) {
                c = cc.parent;
            } else if (c instanceof ValueCtx v) {
                c = v.parent;
            } else {
                return c.deadline(); // background, withoutCancel, or someone's own Context
            }
        }
    }

    // The nearest context above value contexts: a value context's done() and err() are that one's.
    static Context aboveValues(Context c) {
        while (c instanceof ValueCtx v) {
            c = v.parent;
        }
        return c;
    }

    // Go's contextName(parent) + suffix, for the whole chain: the root's name, then each suffix from the top down.
    @Override
    public final String toString() {
        Deque<DerivedCtx> chain = new ArrayDeque<>();
        Context c = this;
        while (c instanceof DerivedCtx d) {
            chain.push(d);
            c = d.parent;
        }
        StringBuilder name = new StringBuilder(String.valueOf(c));
        while (!chain.isEmpty()) {
            name.append(chain.pop().nameSuffix());
        }
        return name.toString();
    }
}

/** A context that can be cancelled; cancelling it cancels its children. Go's cancelCtx. */
class CancelCtx extends DerivedCtx {
    // Go's &cancelCtxKey: value(KEY) returns the nearest CancelCtx. No code outside this file can name it.
    static final Object KEY = new Object();

    private final Chan<Void> done = Go.make(); // closed by the first cancel

    final ReentrantLock mu = new ReentrantLock(); // guards the fields below (and TimerCtx.timer)
    private Set<CancelCtx> children;              // the cancellable contexts just below; set to null by the first cancel
    Context.ContextError err;                     // set by the first cancel
    Exception cause;                              // set by the first cancel
    private Cancellation cancelledBy;             // set by the first cancel: the call that cancels the subtree
    private Context.StopFunc stopWatchingParent;  // set if the parent is an AfterFuncer (Go's stopCtx)

    CancelCtx(Context parent) {
        super(parent);
    }

    static CancelCtx withCancel(Context parent) {
        if (parent == null) {
            throw new Panic("cannot create context from nil parent");
        }
        CancelCtx c = new CancelCtx(parent);
        c.propagateCancel();
        return c;
    }

    // propagateCancel arranges for this context to be cancelled when its parent is.
    final void propagateCancel() {
        ReceiveOnly<Void> parentDone = parent.done();
        if (parentDone == null) {
            return; // the parent is never cancelled
        }
        if (select(onReceive(parentDone), onDefault()).index() == 0) {
            cancel(false, parent.err(), Context.cause(parent)); // the parent is already cancelled: born cancelled
            return;
        }
        CancelCtx p = parentCancelCtx(parent);
        if (p != null) { // the parent is a CancelCtx, or derives from one and shares its done channel
            p.mu.lock();
            try {
                if (p.err != null) {
                    cancel(false, p.err, p.cause); // cancelled since the check above
                } else {
                    if (p.children == null) {
                        p.children = new HashSet<>();
                    }
                    p.children.add(this);
                }
            } finally {
                p.mu.unlock();
            }
            return;
        }
        if (parent instanceof Context.AfterFuncer a) { // the parent can call us back: no goroutine needed
            mu.lock();
            try {
                stopWatchingParent = a.afterFunc(() -> cancel(false, parent.err(), Context.cause(parent)));
            } finally {
                mu.unlock();
            }
            return;
        }
        // A parent of a type this file does not know (someone's own Context implementation) cannot hold children:
        // watch its done channel from a goroutine, which ends when either context is done.
        go(() -> {
            if (select(onReceive(parentDone), onReceive(done)).index() == 0) {
                cancel(false, parent.err(), Context.cause(parent));
            }
        });
    }

    // parentCancelCtx: the CancelCtx that parent's done() belongs to, or null. parent.value(KEY) finds the nearest
    // one, through value contexts and through wrappers that forward value(); a wrapper whose done() is a channel of
    // its own must not be bypassed, so the done channels must be the same.
    static CancelCtx parentCancelCtx(Context parent) {
        ReceiveOnly<Void> parentDone = parent.done();
        if (parentDone == null) {
            return null;
        }
        if (!(parent.value(KEY) instanceof CancelCtx p)) {
            return null;
        }
        return p.done == parentDone ? p : null;
    }

    // removeFromParent: Go's removeChild(c.Context, c), so that a cancelled child is not kept by a live parent.
    final void removeFromParent() {
        Context.StopFunc stop;
        mu.lock();
        try {
            stop = stopWatchingParent;
        } finally {
            mu.unlock();
        }
        if (stop != null) {
            stop.stop();
            return;
        }
        CancelCtx p = parentCancelCtx(parent);
        if (p == null) {
            return;
        }
        p.mu.lock();
        try {
            if (p.children != null) {
                p.children.remove(this);
            }
        } finally {
            p.mu.unlock();
        }
    }

    /** One call of cancel, recorded on each context it cancels, so that a later cancel can wait until it is done. */
    static final class Cancellation {
        private final CountDownLatch finished = new CountDownLatch(1);

        void finish() {
            finished.countDown();
        }

        // Not interruptible, as Go's lock is not: a cancel returns only once the whole subtree is done.
        void await() {
            boolean interrupted = false;
            while (true) {
                try {
                    finished.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // cancel closes done, cancels every descendant and, if removeFromParent, removes this context from its parent's
    // children. Only the first call does anything; a later one (or a deadline that fires after a cancel) waits until
    // the first has finished, so that err() never changes once set and every descendant is done when cancel returns.
    final void cancel(boolean removeFromParent, Context.ContextError err, Exception cause) {
        if (err == null) {
            throw new Panic("context: internal error: missing cancel error");
        }
        if (cause == null) {
            cause = err;
        }
        Cancellation mine = new Cancellation();
        try {
            Deque<CancelCtx> descendants = new ArrayDeque<>();
            Cancellation first = claim(mine, err, cause, descendants);
            if (first != null) {
                first.await();                        // already cancelled: by a call that may still be at work below
            } else {
                cancelled();
                while (!descendants.isEmpty()) {      // for child := range c.children { child.cancel(false, err, cause) }
                    CancelCtx d = descendants.pop();
                    Cancellation other = d.claim(mine, err, cause, descendants);
                    if (other == null) {
                        d.cancelled();
                    } else {
                        other.await();                // d's own cancel got there first, and cancels d's subtree
                    }
                }
            }
        } finally {
            mine.finish();
        }
        if (removeFromParent) {
            removeFromParent();
        }
    }

    // claim: under this context's lock, a first cancel records err and cause, closes done and hands the children
    // over to be cancelled next; it returns null. A later one returns the Cancellation that came first.
    private Cancellation claim(Cancellation by, Context.ContextError err, Exception cause, Deque<CancelCtx> next) {
        mu.lock();
        try {
            if (this.err != null) {
                return cancelledBy;
            }
            this.err = err;
            this.cause = cause;
            cancelledBy = by;
            done.close();
            if (children != null) {
                next.addAll(children);
                children = null;
            }
            return null;
        } finally {
            mu.unlock();
        }
    }

    /** What a subclass does once it is cancelled, outside the lock: stop a timer, start a function. */
    void cancelled() {
    }

    @Override
    public Optional<Instant> deadline() {
        return DerivedCtx.deadline(parent);
    }

    @Override
    public ReceiveOnly<Void> done() {
        return done;
    }

    // err() and cause() return only once the cancel that set them has finished, as Go's do (they wait for the lock
    // that Go's cancel holds until every descendant is done): once err() is set, every descendant's is too.
    @Override
    public Context.ContextError err() {
        Context.ContextError e;
        Cancellation by;
        mu.lock();
        try {
            e = err;
            by = cancelledBy;
        } finally {
            mu.unlock();
        }
        if (by != null) {
            by.await();
        }
        return e;
    }

    final Exception cause() {
        Exception c;
        Cancellation by;
        mu.lock();
        try {
            c = cause;
            by = cancelledBy;
        } finally {
            mu.unlock();
        }
        if (by != null) {
            by.await();
        }
        return c;
    }

    @Override
    public Object value(Object key) {
        return lookup(this, key);
    }

    @Override
    String nameSuffix() {
        return ".WithCancel";
    }
}

/** A CancelCtx with a deadline and the timer that cancels it then. Go's timerCtx. */
final class TimerCtx extends CancelCtx {
    private final Instant deadline;
    Go.Timer timer; // guarded by mu; null once stopped

    TimerCtx(Context parent, Instant deadline) {
        super(parent);
        this.deadline = deadline;
    }

    // Stops the timer at once, so a context cancelled early leaves no timer behind.
    @Override
    void cancelled() {
        mu.lock();
        try {
            if (timer != null) {
                timer.stop();
                timer = null;
            }
        } finally {
            mu.unlock();
        }
    }

    @Override
    public Optional<Instant> deadline() {
        return Optional.of(deadline);
    }

    @Override
    String nameSuffix() {
        return ".WithDeadline(" + deadline + " [" + Duration.between(Go.now(), deadline) + "])";
    }
}

/** A CancelCtx that runs a function, once, when it is cancelled. Go's afterFuncCtx. */
final class AfterFuncCtx extends CancelCtx {
    final AtomicBoolean once = new AtomicBoolean(); // either starts f or stops it from running (Go's sync.Once)
    private final Runnable f;

    AfterFuncCtx(Context parent, Runnable f) {
        super(parent);
        this.f = f;
    }

    @Override
    void cancelled() {
        if (once.compareAndSet(false, true)) {
            go(f);
        }
    }
}

/** One key and its value; everything else is the parent's. Go's valueCtx. */
final class ValueCtx extends DerivedCtx {
    final Object key;
    final Object val;

    ValueCtx(Context parent, Object key, Object val) {
        super(parent);
        this.key = key;
        this.val = val;
    }

    // Go's == on interface values: the same dynamic type, and equal values.
    static boolean sameKey(Object a, Object b) {
        return a == b || (b != null && a.getClass() == b.getClass() && a.equals(b));
    }

    // Go's stringify: a value's own toString, or, if its class has none, the name of its type.
    private static String stringify(Object v) {
        if (v == null) {
            return "<nil>";
        }
        try {
            if (v.getClass().getMethod("toString").getDeclaringClass() == Object.class) {
                return v.getClass().getTypeName(); // Object's toString would print an identity hash
            }
        } catch (NoSuchMethodException impossible) {
            throw new AssertionError(impossible); // every class has a public toString()
        }
        return v.toString();
    }

    @Override
    public Optional<Instant> deadline() {
        return DerivedCtx.deadline(parent);
    }

    @Override
    public ReceiveOnly<Void> done() {
        return aboveValues(parent).done();
    }

    @Override
    public Context.ContextError err() {
        return aboveValues(parent).err();
    }

    @Override
    public Object value(Object key) {
        return lookup(this, key);
    }

    @Override
    String nameSuffix() {
        return ".WithValue(" + stringify(key) + ", " + stringify(val) + ")";
    }
}

/** The parent's values, and never done. Go's withoutCancelCtx. */
final class WithoutCancelCtx extends DerivedCtx {
    WithoutCancelCtx(Context parent) {
        super(parent);
    }

    @Override
    public Optional<Instant> deadline() {
        return Optional.empty();
    }

    @Override
    public ReceiveOnly<Void> done() {
        return null;
    }

    @Override
    public Context.ContextError err() {
        return null;
    }

    @Override
    public Object value(Object key) {
        return lookup(this, key);
    }

    @Override
    String nameSuffix() {
        return ".WithoutCancel";
    }
}
