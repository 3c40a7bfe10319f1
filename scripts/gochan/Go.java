package gochan;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Go's channels, {@code select}, goroutines, {@code sync.WaitGroup} and timers, on Java virtual threads.
 *
 * <p>Write {@code import static gochan.Go.*;} and the Go vocabulary is in scope:
 * <pre>{@code
 * Chan<Integer> intStream = make();          // intStream := make(chan int)
 * go(() -> { intStream.send(42); });         // go func() { intStream <- 42 }()
 * Integer v = intStream.receive();           // v := <-intStream (null once closed: Go's zero value)
 * var r = intStream.receiveOk();             // v, ok := <-intStream
 * for (int i : intStream) { ... }            // for i := range intStream { ... }
 * switch (select(onReceive(done), onSend(out, v)).index()) {   // select {
 *     case 0 -> { return; }                  // case <-done: return
 *     case 1 -> { out = null; }              // case out <- v: out = nil
 * }                                          // }
 * var fromIn = onReceive(in);                // a case is a typed handle to its value
 * Selected s = select(onReceive(done), fromIn);                 // select {
 * switch (s.index()) {
 *     case 0 -> { return; }                  // case <-done: return
 *     case 1 -> { use(s.value(fromIn)); }    // case v := <-in: use(v)
 * }                                          // }
 * }</pre>
 *
 * <p>The semantics are Go's:
 * <ul>
 * <li>{@code make(n)} makes a channel with a buffer of n values ({@code make()} is unbuffered); n &lt; 0 panics.
 * <li>A send blocks until a receiver takes the value or the buffer has room; a receive blocks until there is a
 *     value or the channel is closed. Values buffered before {@code close} are still delivered, in order; after
 *     that a receive returns {@code null} (Go's zero value) and {@code ok == false}, forever.
 * <li>Send on a closed channel panics with "send on closed channel", also for a sender blocked when the channel is
 *     closed; closing twice panics with "close of closed channel".
 * <li>Blocked senders and blocked receivers are served in arrival order (FIFO).
 * <li>A {@code null} channel is Go's nil channel wherever this class takes a channel as an argument (the static
 *     {@code send}, {@code receive}, {@code range}, {@code close} and the select cases): sending and receiving block
 *     forever, {@code close} panics with "close of nil channel", and a select case on it is never ready.
 * <li>{@link ReceiveOnly} is Go's {@code <-chan T} and {@link SendOnly} is {@code chan<- T}: the compiler enforces the
 *     direction. {@link Chan} is both.
 * <li>{@link #select} picks uniformly at random among the ready cases (Go does; some Java libraries prefer the first
 *     one). If none is ready it runs the default case, or parks until exactly one case can proceed. A case that loses
 *     leaves no trace on its channel. It returns which case fired, as Go's {@code reflect.Select} does, so that the
 *     caller can {@code switch} on it and {@code return}, {@code break} or assign locals from a case body.
 * <li>Java has interruption and Go does not: a goroutine interrupted while blocked in send, receive, select or
 *     {@code WaitGroup.await} gets an {@link Interrupted} exception and keeps its interrupt flag set. The operation
 *     either completed before the interrupt (and then returns normally) or left no trace.
 * <li>An exception escaping a goroutine is a panic: by default it is printed with the goroutine's stack and the
 *     process exits with status 2, as in Go. {@link #setPanicHandler} replaces that (tests do).
 * <li>When the JVM's main thread (goroutine 1) and every goroutine are blocked in the helper and nothing could wake
 *     them, the program stops as Go's does: "fatal error: all goroutines are asleep - deadlock!", a dump of the
 *     goroutines (what each waits in, where, and who started it), exit status 2. Threads started without
 *     {@code go} are checked first, so a program that can still make progress is never reported.
 *     {@link #goroutineDump} gives the same dump on demand, and {@code kill -USR1 <pid>} prints it from outside.
 * <li>{@link #bubble} runs a function with its goroutines as a group, as Go's {@code testing/synctest} does, on a
 *     virtual clock that moves only when all of them are blocked, and throws {@link Deadlock} with the dump if the
 *     group deadlocks, instead of ending the program. {@link #now} and {@link #since} read that clock inside a bubble
 *     and the real one outside.
 * <li>Timers and tickers behave as since Go 1.23: after {@code stop} or {@code reset} no stale time is received.
 * <li>With {@code GOCHAN_TRACE=FILE} (or {@code -Dgochan.trace=FILE}) the helper records which goroutine sent
 *     what to whom ({@link Trace}), and a script run by Script writes it to FILE as diagrams when it ends. Off, it
 *     costs nothing: the switch is a static final, read once.
 * </ul>
 */
public final class Go {
    private Go() {}

    /*
     * Implementation notes, following Go's runtime (src/runtime/chan.go and select.go).
     *
     * Every channel has one lock, a ring buffer and two wait queues: blocked senders (sendq) and blocked receivers
     * (recvq). A blocked operation is a Waiter in one of those queues (Go's sudog). Invariants, true whenever the
     * channel's lock is free, where a "live" waiter is one whose Parked.state is still SPINNING or WAITING:
     *   - at least one of sendq and recvq has no live waiter (except for a single select that both sends and
     *     receives on the same unbuffered channel, as in Go);
     *   - a non-empty buffer means no live receiver waits;
     *   - a buffer with room means no live sender waits.
     * Every operation below is written to keep them.
     *
     * A select parks one Waiter per case, on every channel it names, and all of them share one Parked object. The
     * rule that makes select correct: whoever wakes a waiter must first win the compare-and-set on the shared
     * Parked.state. A waker that loses (another case of that select already fired, or the goroutine was
     * interrupted) drops the waiter and tries the next one in the queue, so two senders can never both complete into
     * one select. Plain send and receive use the same mechanism with a single waiter.
     *
     * Locks: a goroutine holds at most one channel lock, except in select, which locks all of its channels in one
     * global order (increasing Chan.id) so that two selects cannot deadlock each other. A goroutine whose send or
     * receive another one completes is unparked once that one has released the channel's lock (Chan.release), as
     * Go readies it only after unlocking. Unlike Go's closechan, close here unparks its waiters at once, under the
     * lock: it may complete many, and a close is rare.
     */

    // =====================================================================================================
    // Panics and interruption
    // =====================================================================================================

    /** A Go run-time panic caused by misusing the helper, with Go's own message ("send on closed channel"). */
    public static final class Panic extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Panic(String message) {
            super(message);
        }
    }

    /** Thrown by an operation that was blocked when its goroutine was interrupted; the interrupt flag stays set. */
    public static final class Interrupted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Interrupted(String operation) {
            super("interrupted while blocked in " + operation);
        }
    }

    // =====================================================================================================
    // Channel types
    // =====================================================================================================

    /** Go's {@code <-chan T}: a channel that can only be received from (and ranged over with for-each). */
    public sealed interface ReceiveOnly<T> extends Iterable<T> permits Chan {
        /** {@code v := <-ch}: blocks until a value arrives; {@code null} once the channel is closed and drained. */
        T receive();

        /** {@code v, ok := <-ch}: {@code ok} is false when the channel is closed and drained. */
        Received<T> receiveOk();

        int len();

        int cap();
    }

    /** Go's {@code chan<- T}: a channel that can only be sent to and closed. */
    public sealed interface SendOnly<T> permits Chan {
        /** {@code ch <- v}: blocks until a receiver takes the value or the buffer has room. */
        void send(T value);

        /** {@code close(ch)}. */
        void close();

        int len();

        int cap();
    }

    /** The result of Go's two-value receive, {@code v, ok := <-ch}. */
    public record Received<T>(T value, boolean ok) {}

    // Markers returned by Chan.tryReceiveLocked, so that receiving allocates nothing.
    private static final Object NOT_READY = new Object();
    private static final Object CLOSED = new Object();

    /** Go's {@code chan T}. Make one with {@link #make()} or {@link #make(int)}. */
    public static final class Chan<T> implements ReceiveOnly<T>, SendOnly<T> {
        private static final AtomicLong nextId = new AtomicLong();

        final long id = nextId.incrementAndGet(); // the global lock order used by select
        final Bubble bubble = Bubble.ofCurrentThread(); // as in Go, a channel made in a bubble belongs to it
        final ReentrantLock lock = new ReentrantLock();
        final WaitQueue sendq = new WaitQueue();
        final WaitQueue recvq = new WaitQueue();
        private final Object[] buffer; // a ring of count values starting at head
        private int head;
        private int count;
        private boolean closed;
        private final boolean timer; // a timer's or ticker's channel: len and cap say 0, as in Go 1.23
        final Trace.OfChan trace; // what it carried from whom to whom; null unless tracing is on

        private Chan(int capacity) {
            this(capacity, false);
        }

        private Chan(int capacity, boolean timer) {
            if (capacity < 0) {
                throw new Panic("makechan: size out of range (negative buffer size " + capacity + ")"); // Go's message, and the size
            }
            buffer = new Object[capacity];
            this.timer = timer;
            trace = Trace.ON ? new Trace.OfChan(bubble, capacity, timer) : null;
        }

        /**
         * A timer's channel. Go 1.23 made timer channels synchronous: a time is never seen after stop or reset. Here
         * the timer sends into a buffer of one, so that it never blocks, and stop and reset take back (drain) what
         * nobody has received yet; which is the same thing seen from outside.
         */
        static Chan<Instant> forTimer() {
            return new Chan<>(1, true);
        }

        /**
         * Takes the channel's lock. Go's runtime lock spins a little before it sleeps (runtime/lock_futex.go;
         * lock_spinbit.go since Go 1.24); so does the lock of an unbuffered channel here. Nothing blocks while a
         * channel's lock is held, so the holder, on the other carrier, lets go soon, while a virtual thread that parks
         * for the lock costs a park and a wake-up. In ping-pong the partner finds the lock held almost every time
         * (for the enqueue of a waiter). A buffered channel waits at once: its two sides then take turns in batches,
         * which measured faster than both spinning on the lock. On one carrier, or on a platform thread, it waits at
         * once too (Parked.maySpinHere).
         */
        void acquire() {
            if (unbuffered() && Parked.maySpinHere()) {
                for (int tries = 0; tries < LOCK_SPINS; tries++) {
                    if (lock.tryLock()) {
                        return;
                    }
                    Thread.onSpinWait();
                }
            }
            lock.lock();
        }

        private static final int LOCK_SPINS = 100;

        /**
         * Releases the lock, then unparks the goroutine whose send or receive was completed while it was held, if
         * any. Go does the same (runtime/chan.go: send and recv call goready after unlocking the channel): a woken
         * select locks its channels again at once (pass 3) and would find this one still held. (Measured: select over
         * 2 channels took about 10% less time than with the unpark before the unlock.)
         */
        void release() {
            Thread woken = toUnpark;
            if (woken == null) {
                lock.unlock();
                return;
            }
            toUnpark = null; // cleared only when set: clearing it on every release dirties this object's cache line
            lock.unlock();
            LockSupport.unpark(woken);
        }

        /** Guarded by the lock: the goroutine a send or receive completed, for release to unpark. */
        Thread toUnpark;

        // ---- the steps shared by plain operations and select; the channel must be locked ----

        /** Hands the value to a waiting receiver, or buffers it. False if the send would block. */
        boolean trySendLocked(T value) {
            if (closed) {
                throw new Panic("send on closed channel");
            }
            // A receiver is waiting: the buffer is empty, so give it the value directly. (Receivers wait only on an
            // empty buffer, so with values buffered the queue is not even read: one cache line less per send.)
            for (Waiter receiver; count == 0 && (receiver = recvq.poll()) != null; ) {
                receiver.elem = value;
                if (receiver.fireOk()) {
                    if (Trace.ON) {
                        trace.handedOver(Trace.sender(this), receiver.parked.g, value);
                    }
                    return true;
                }
            }
            if (count < buffer.length) {
                int slot = tail();
                buffer[slot] = value;
                if (Trace.ON) {
                    trace.buffered(slot, Trace.sender(this));
                }
                count++;
                return true;
            }
            return false;
        }

        /** Returns a value, or CLOSED (closed and drained), or NOT_READY (the receive would block). */
        Object tryReceiveLocked() {
            if (closed && count == 0) {
                if (Trace.ON) {
                    trace.sawClosed(Trace.current());
                }
                return CLOSED;
            }
            // A sender is waiting, so the buffer is full (or there is none). Take the oldest value and move the
            // sender's value into the freed slot, which keeps both the order and the invariants. (Senders wait only
            // on a full buffer, so below that the queue is not even read.)
            for (Waiter sender; count == buffer.length && (sender = sendq.poll()) != null; ) {
                if (sender.fireOk()) {
                    if (buffer.length == 0) {
                        if (Trace.ON) {
                            trace.handedOver(sender.parked.g, Trace.current(), sender.elem);
                        }
                        return sender.elem;
                    }
                    Object oldest = takeFromBufferTraced();
                    int slot = tail();
                    buffer[slot] = sender.elem;
                    if (Trace.ON) {
                        trace.buffered(slot, sender.parked.g);
                    }
                    count++;
                    return oldest;
                }
            }
            return count > 0 ? takeFromBufferTraced() : NOT_READY;
        }

        /** The free slot after the values in the ring (the buffer is not full). No %: a division per value costs. */
        private int tail() {
            int slot = head + count;
            return slot < buffer.length ? slot : slot - buffer.length;
        }

        /** takeFromBuffer, for a receive: the value's sender and receiver are traced (a drain receives nothing). */
        private Object takeFromBufferTraced() {
            if (Trace.ON) {
                trace.unbuffered(head, Trace.current(), buffer[head]);
            }
            return takeFromBuffer();
        }

        private Object takeFromBuffer() {
            Object value = buffer[head];
            buffer[head] = null; // let the value be collected
            head = head + 1 == buffer.length ? 0 : head + 1;
            count--;
            return value;
        }

        // ---- Go's operations ----

        @Override
        public void send(T value) {
            if (bubble != Bubble.PROGRAM) {
                bubble.checkInside("send on synctest channel from outside bubble");
            }
            Waiter waiter;
            acquire();
            try {
                if (trySendLocked(value)) {
                    return;
                }
                // only a blocking send allocates; on an unbuffered channel it is a hand-off
                waiter = new Waiter(Parked.on(CHAN_SEND, bubble, unbuffered()), this, 0, value);
                sendq.enqueue(waiter);
            } finally {
                release();
            }
            if (waiter.parked.await() == Parked.CANCELLED) {
                dequeue(waiter);
                throw new Interrupted("send");
            }
            if (!waiter.ok) { // woken by close
                throw new Panic("send on closed channel");
            }
        }

        @Override
        public T receive() {
            Object got = receiveOrClosed();
            return got == CLOSED ? null : cast(got);
        }

        @Override
        public Received<T> receiveOk() {
            Object got = receiveOrClosed();
            return got == CLOSED ? new Received<>(null, false) : new Received<>(cast(got), true);
        }

        private Object receiveOrClosed() {
            if (bubble != Bubble.PROGRAM) {
                bubble.checkInside("receive on synctest channel from outside bubble");
            }
            Waiter waiter;
            acquire();
            try {
                Object got = tryReceiveLocked();
                if (got != NOT_READY) {
                    return got;
                }
                // only a blocking receive allocates; on an unbuffered channel it is a hand-off
                waiter = new Waiter(Parked.on(CHAN_RECEIVE, bubble, unbuffered()), this, 0, null);
                recvq.enqueue(waiter);
            } finally {
                release();
            }
            if (waiter.parked.await() == Parked.CANCELLED) {
                dequeue(waiter);
                throw new Interrupted("receive");
            }
            return waiter.ok ? waiter.elem : CLOSED;
        }

        boolean unbuffered() {
            return buffer.length == 0;
        }

        /** Go's non-blocking send ({@code select} with a default case), used by timers, which run outside bubbles. */
        boolean trySend(T value) {
            acquire();
            try {
                return trySendLocked(value);
            } finally {
                release();
            }
        }

        /** Empties the buffer; true if it held a value. Only for timer channels, where no sender ever waits. */
        boolean drain() {
            acquire();
            try {
                boolean held = count > 0;
                while (count > 0) {
                    takeFromBuffer();
                }
                return held;
            } finally {
                release();
            }
        }

        @Override
        public void close() {
            if (bubble != Bubble.PROGRAM) {
                bubble.checkInside("close of synctest channel from outside bubble");
            }
            acquire();
            try {
                if (closed) {
                    throw new Panic("close of closed channel");
                }
                closed = true;
                if (Trace.ON) {
                    trace.closed(Trace.current());
                }
                // Release every waiter: receivers get (null, false), senders wake up to panic.
                for (Waiter receiver; (receiver = recvq.poll()) != null; ) {
                    receiver.elem = null;
                    if (receiver.fire(false) && Trace.ON) {
                        trace.sawClosed(receiver.parked.g);
                    }
                }
                for (Waiter sender; (sender = sendq.poll()) != null; ) {
                    sender.fire(false);
                }
            } finally {
                release();
            }
        }

        private void dequeue(Waiter waiter) {
            acquire();
            try {
                if (waiter.queue != null) { // null: a waker has dequeued it already
                    waiter.queue.remove(waiter);
                }
            } finally {
                release();
            }
        }

        @Override
        public int len() {
            acquire();
            try {
                return timer ? 0 : count;
            } finally {
                release();
            }
        }

        @Override
        public int cap() {
            return timer ? 0 : buffer.length;
        }

        /** {@code for v := range ch}: ends when the channel is closed and drained. */
        @Override
        public Iterator<T> iterator() {
            return new Iterator<>() {
                private Object next = NOT_READY; // NOT_READY: not received yet

                @Override
                public boolean hasNext() {
                    if (next == NOT_READY) {
                        next = receiveOrClosed();
                    }
                    return next != CLOSED;
                }

                @Override
                public T next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException("channel closed");
                    }
                    T value = cast(next);
                    next = NOT_READY;
                    return value;
                }
            };
        }

        @SuppressWarnings("unchecked")
        private static <T> T cast(Object value) {
            return (T) value;
        }

        @Override
        public String toString() {
            return "chan#" + id + "(cap " + buffer.length + ")";
        }
    }

    /** {@code make(chan T)}: an unbuffered channel. */
    public static <T> Chan<T> make() {
        return new Chan<>(0);
    }

    /** {@code make(chan T, capacity)}: a buffered channel; a negative capacity panics. */
    public static <T> Chan<T> make(int capacity) {
        return new Chan<>(capacity);
    }

    // =====================================================================================================
    // Parking: Go's sudog and the one compare-and-set a correct select needs
    // =====================================================================================================

    // Why a goroutine is blocked, in Go's words (runtime/runtime2.go, waitReasonStrings): the dump shows them.
    static final String CHAN_SEND = "chan send";
    static final String CHAN_RECEIVE = "chan receive";
    static final String SELECT = "select";
    static final String SELECT_NO_CASES = "select (no cases)";
    static final String CHAN_SEND_NIL = "chan send (nil chan)";
    static final String CHAN_RECEIVE_NIL = "chan receive (nil chan)";
    static final String WAITGROUP_WAIT = "sync.WaitGroup.Wait";
    static final String SLEEP = "sleep";
    static final String SYNCTEST_WAIT = "synctest.Wait";
    static final String AWAIT_GOROUTINES = "awaitGoroutines"; // not in Go: Script's wait for goroutines at exit

    /**
     * One blocked goroutine. A plain operation has one Waiter on it; a select has one per case; sleep,
     * WaitGroup.await and awaitGoroutines park on a Parked of their own.
     *
     * It is also the accounting of who waits on what (see G): the goroutine counts itself blocked in await, just
     * before it parks, and whoever wakes it counts it running again inside fire, before unpark. So a goroutine that
     * is about to run again is never counted as blocked, and "the last one has blocked" cannot race a hand-off that
     * is still on its way.
     *
     * Not in Go: a hand-off may spin before it parks (see SPINS). While it spins its state is SPINNING: it still
     * counts as running, and a waker that completes it then neither counts it nor unparks it. Only when it gives up
     * does it move to WAITING (one compare-and-set, so a waker sees one or the other) and count itself blocked.
     */
    static final class Parked {
        static final int WAITING = -1;   // about to park, or parked: await counts it blocked (if it counts at all)
        static final int CANCELLED = -2; // interrupted
        static final int TIMED_OUT = -3; // awaitUntil's deadline passed
        static final int LEAKED = -4;    // awaitGoroutines: the goroutines it waits for are all blocked for good
        static final int SPINNING = -5;  // waiting, but not parked yet and still counted running

        /**
         * Why a hand-off spins, and when. Parking a virtual thread and waking it again costs a few microseconds
         * here: the woken thread is queued on its waker's carrier, and the other carrier's OS thread often has to be
         * woken to take it. A partner that answers within a microsecond or two (ping-pong, a select fed by busy
         * producers) is cheaper to wait for by spinning, as the JDK's SynchronousQueue (LinkedTransferQueue.await)
         * and Jox do. Go does not spin in chan.go; its scheduler makes the wake-up cheap instead (runnext).
         * So a wait spins SPINS times (Thread.onSpinWait: about 28 ns each on the 2-CPU machines we measured, so
         * about 4 us in all; it depends on the CPU) before it parks, but only where that is unlikely to delay
         * anybody:
         *   - it is a hand-off: a send or receive on an unbuffered channel, or a select whose channels are all
         *     unbuffered. A buffered channel does better parked: its other side fills or drains many values before
         *     the parked one runs again;
         *   - the goroutine is a virtual thread outside a bubble and the JVM has more than one carrier thread: on one
         *     carrier, the goroutine it waits for could not run until the spin ends;
         *   - at most four goroutines per carrier are running, itself included (MAX_RUNNING_TO_SPIN). A spin holds a
         *     carrier that a runnable goroutine may be waiting for, for 4 us at most, about what parking and waking
         *     cost anyway. But where many goroutines block at once, such as a daisy chain of 100,000 starting up,
         *     spinning would burn a carrier for each of them. (The JDK asks instead whether its carrier has queued
         *     work, through a method only java.util.concurrent can call.) With 2 carriers a select fed by 4
         *     producers still spins: measured, two to three times as fast as when it spun only while every running
         *     goroutine had a carrier of its own;
         *   - tracing is off (a traced run records every wait).
         */
        static final int SPINS = 128;
        static final int CARRIERS = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
                Runtime.getRuntime().availableProcessors());
        static final int MAX_RUNNING_TO_SPIN = 4 * CARRIERS;
        static int forcedSpins = -1; // Go.spinEveryHandOff (set before its goroutines start); -1: the rules above

        final G g;
        final Thread thread;
        final String reason; // one of the wait reasons above
        /**
         * Durably blocked, as Go's synctest says: only a goroutine of the same bubble (or one of its timers) can
         * wake it. In the program outside bubbles every helper operation is durable.
         */
        final boolean durable;
        long since; // System.nanoTime() when it blocked
        /**
         * SPINNING or WAITING, then exactly once either the index of the case that fired or one of the codes above.
         * A field of its own, compared and set through a VarHandle (as the JDK's own queues do), not an
         * AtomicInteger: in a hand-off the waker's compare-and-set and the waiter's spin then touch this one object,
         * one allocation and one indirection less (bench/README.md: ping-pong and select took about 10-15% less
         * time). Not an AtomicIntegerFieldUpdater either, though it reads better: with one, Fray (tests/modelcheck)
         * missed a read-then-set put in place of the compare-and-set in 1,000 schedules; with the VarHandle it
         * caught it within four.
         */
        private volatile int state;
        private static final VarHandle STATE = stateHandle();

        private static VarHandle stateHandle() {
            try {
                return MethodHandles.lookup().findVarHandle(Parked.class, "state", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private boolean casState(int expected, int result) {
            return STATE.compareAndSet(this, expected, result);
        }

        int state() {
            return state;
        }

        /** It started SPINNING: counted running until it moves to WAITING itself, even if fired before await. */
        private final boolean spinsFirst;

        private Parked(G g, String reason, boolean durable, boolean spin) {
            this.g = g;
            this.thread = g.thread;
            this.reason = reason;
            this.durable = durable;
            this.spinsFirst = spin;
            this.state = spin ? SPINNING : WAITING;
        }

        /** A Parked for an operation of the calling thread on something that belongs to {@code owner}. */
        static Parked on(String reason, Bubble owner) {
            return on(reason, owner, false);
        }

        /** The same for an operation that may be a hand-off (see SPINS): then it may spin before it parks. */
        static Parked on(String reason, Bubble owner, boolean handOff) {
            G g = G.current();
            return new Parked(g, reason, owner == g.bubble, handOff && mayCarrierSpin(g));
        }

        private static boolean mayCarrierSpin(G g) {
            if (forcedSpins >= 0) {
                return true;
            }
            return !Trace.ON && g.goroutine && g.bubble == Bubble.PROGRAM && maySpinHere();
        }

        /** More than one carrier, and the calling thread is virtual: a spin here leaves a carrier for the others. */
        static boolean maySpinHere() {
            return CARRIERS > 1 && Thread.currentThread().isVirtual();
        }

        /**
         * Completes the wait with {@code result} if the goroutine is still waiting, and wakes it if it has parked (or
         * is about to). Only the caller that wins the compare-and-set may hand the goroutine anything, so a select
         * completes exactly one case.
         */
        boolean fire(int result) {
            return fire(result, null);
        }

        /**
         * fire, but if the goroutine must be unparked, {@code locked}'s release does it (null: at once). The caller
         * holds that channel's lock, releases it with Chan.release, and completes at most one goroutine before it
         * does: the channel has one field for the goroutine to unpark.
         */
        boolean fire(int result, Chan<?> locked) {
            if (state == SPINNING && casState(SPINNING, result)) {
                return true; // it never counted itself blocked, and sees the result without being unparked
            }
            if (!casState(WAITING, result)) {
                return false; // another case of its select fired first, or it was interrupted
            }
            g.wake(this); // counted running before it can run, so nobody sees everyone blocked in between
            if (locked != null) {
                assert locked.toUnpark == null : "two goroutines completed under one lock";
                locked.toUnpark = thread;
            } else {
                LockSupport.unpark(thread);
            }
            return true;
        }

        /**
         * Waits (spinning first, if it is a hand-off that may) until a waker fires it, and returns what the waker
         * passed (a case index, or LEAKED); or returns
         * CANCELLED if the thread was interrupted first (the caller must then dequeue its waiters). The interrupt
         * flag stays set.
         */
        int await() {
            return awaitUntil(0, false);
        }

        /** await, or TIMED_OUT once System.nanoTime() passes the deadline. */
        int awaitUntil(long deadline, boolean timed) {
            if (spinsFirst) { // never timed: only sends, receives and selects spin, and none of them has a deadline
                // A waker may have fired it already, while it still counted running: then it must not count itself
                // blocked below, as nobody will count it running again (the first read of the loop returns).
                // An interrupt is seen once the spin is over, at most SPINS later.
                int spins = forcedSpins >= 0 ? forcedSpins : G.runningOnCarriers() <= MAX_RUNNING_TO_SPIN ? SPINS : 0;
                for (; spins > 0; spins--) {
                    int fired = state;
                    if (fired != SPINNING) {
                        return fired;
                    }
                    Thread.onSpinWait();
                }
                // Give up: WAITING from now on. A waker that fires after this counts it running again, perhaps even
                // before block below counts it out: the count is one too high for that moment, never too low.
                if (!casState(SPINNING, WAITING)) {
                    return state; // fired on the last spin (or before await, if it did not spin)
                }
            }
            since = System.nanoTime();
            g.block(this);
            if (Trace.ON) {
                Trace.blocked(g, reason);
            }
            try {
                while (true) {
                    int fired = state;
                    if (fired != WAITING) {
                        return fired; // the waker wrote the result before its compare-and-set: it is visible here
                    }
                    if (thread.isInterrupted()) { // the flag stays set: a bubble's driver reads it (Bubble.drive)
                        return cancel(CANCELLED);
                    }
                    if (!timed) {
                        LockSupport.park(this);
                    } else {
                        long remaining = deadline - System.nanoTime();
                        if (remaining <= 0) {
                            return cancel(TIMED_OUT);
                        }
                        LockSupport.parkNanos(this, remaining);
                    }
                }
            } finally {
                g.unblocked();
            }
        }

        /** Ends the wait without a waker; if a waker fired first, its result wins and is returned instead. */
        private int cancel(int reason) {
            if (casState(WAITING, reason)) {
                g.wake(this); // nobody else will count it running again
                return reason;
            }
            return state;
        }
    }

    /** A blocked send or receive on one channel, in that channel's sendq or recvq. Guarded by the channel's lock. */
    static final class Waiter {
        final Parked parked;
        final Chan<?> channel;
        final int caseIndex;
        Object elem; // the value to send, or the value received
        boolean ok; // receive: a value arrived (false: closed); send: it was taken (false: closed)
        WaitQueue queue; // the queue this waiter is in, or null
        Waiter prev;
        Waiter next;

        Waiter(Parked parked, Chan<?> channel, int caseIndex, Object elem) {
            this.parked = parked;
            this.channel = channel;
            this.caseIndex = caseIndex;
            this.elem = elem;
        }

        /** Completes this waiter's operation if its goroutine is still waiting: elem must be written first. */
        boolean fire(boolean ok) {
            this.ok = ok;
            return parked.fire(caseIndex);
        }

        /**
         * fire(true) by a send or receive, which holds the channel's lock: the channel unparks the goroutine when it
         * releases the lock (Chan.release). A send or receive completes one waiter at most, so one field holds it;
         * close, which may complete many, uses fire(false).
         */
        boolean fireOk() {
            this.ok = true;
            return parked.fire(caseIndex, channel);
        }
    }

    /** Go's waitq: a FIFO of waiters, doubly linked so that a losing select case is removed in O(1). */
    static final class WaitQueue {
        private Waiter first;
        private Waiter last;

        void enqueue(Waiter waiter) {
            waiter.queue = this;
            waiter.prev = last;
            waiter.next = null;
            if (last == null) {
                first = waiter;
            } else {
                last.next = waiter;
            }
            last = waiter;
        }

        Waiter poll() {
            Waiter waiter = first;
            if (waiter != null) {
                remove(waiter);
            }
            return waiter;
        }

        /** Removes the waiter if it is still in this queue (a waker may have taken it already). */
        void remove(Waiter waiter) {
            if (waiter.queue != this) {
                return;
            }
            if (waiter.prev == null) {
                first = waiter.next;
            } else {
                waiter.prev.next = waiter.next;
            }
            if (waiter.next == null) {
                last = waiter.prev;
            } else {
                waiter.next.prev = waiter.prev;
            }
            waiter.queue = null;
            waiter.prev = null;
            waiter.next = null;
        }
    }

    /** Parks the calling goroutine forever, as an operation on a nil channel does; only an interrupt ends it. */
    private static void blockForever(String reason, String operation) {
        Parked.on(reason, G.current().bubble).await(); // nobody can ever fire it: it returns only when interrupted
        throw new Interrupted(operation);
    }

    // =====================================================================================================
    // Operations that accept Go's nil channel (null)
    // =====================================================================================================

    /** {@code ch <- v}, where a nil channel blocks forever. */
    public static <T> void send(SendOnly<T> ch, T value) {
        if (ch == null) {
            blockForever(CHAN_SEND_NIL, "send on nil channel");
        }
        ch.send(value);
    }

    /** {@code <-ch}, where a nil channel blocks forever. */
    public static <T> T receive(ReceiveOnly<T> ch) {
        if (ch == null) {
            blockForever(CHAN_RECEIVE_NIL, "receive from nil channel");
        }
        return ch.receive();
    }

    /** {@code v, ok := <-ch}, where a nil channel blocks forever. */
    public static <T> Received<T> receiveOk(ReceiveOnly<T> ch) {
        if (ch == null) {
            blockForever(CHAN_RECEIVE_NIL, "receive from nil channel");
        }
        return ch.receiveOk();
    }

    /** {@code for v := range ch}, where ranging over a nil channel blocks forever. */
    public static <T> Iterable<T> range(ReceiveOnly<T> ch) {
        if (ch == null) {
            return () -> {
                blockForever(CHAN_RECEIVE_NIL, "range over nil channel");
                throw new AssertionError("unreachable");
            };
        }
        return ch;
    }

    /** {@code close(ch)}: a nil channel panics with "close of nil channel". */
    public static void close(SendOnly<?> ch) {
        if (ch == null) {
            throw new Panic("close of nil channel");
        }
        ch.close();
    }

    // =====================================================================================================
    // select
    // =====================================================================================================

    /**
     * One case of a select, and the handle to read its value with: make it with {@link #onReceive}, {@link #onSend}
     * or {@link #onDefault}. A case holds no state of its own, so one handle can be given to many selects.
     */
    public static final class Case<T> {
        private enum Kind { RECEIVE, SEND, DEFAULT }

        private final Kind kind;
        private final Chan<?> channel; // null: Go's nil channel, never ready
        private final Object value;

        private Case(Kind kind, Chan<?> channel, Object value) {
            this.kind = kind;
            this.channel = channel;
            this.value = value;
        }

        /** The queue a waiter of this case parks in; the channel must not be nil. */
        private WaitQueue queue() {
            return kind == Kind.SEND ? channel.sendq : channel.recvq;
        }

        @Override
        public String toString() {
            String ch = channel == null ? "nil" : channel.toString();
            return switch (kind) {
                case RECEIVE -> "onReceive(" + ch + ")";
                case SEND -> "onSend(" + ch + ", " + value + ")";
                case DEFAULT -> "onDefault()";
            };
        }
    }

    /** {@code case v, ok := <-ch:}; read v with {@link Selected#value(Case)} and ok with {@link Selected#ok()}. */
    public static <T> Case<T> onReceive(ReceiveOnly<T> ch) {
        return new Case<>(Case.Kind.RECEIVE, (Chan<?>) ch, null);
    }

    /** {@code case ch <- value:}. */
    public static <T> Case<T> onSend(SendOnly<T> ch, T value) {
        return new Case<>(Case.Kind.SEND, (Chan<?>) ch, value);
    }

    /** {@code default:}. At most one per select. */
    public static Case<Void> onDefault() {
        return new Case<>(Case.Kind.DEFAULT, null, null);
    }

    /**
     * Which case of a select fired: its position in the argument list, and for a receive the value (read through
     * the case's handle, so that it comes with its type) and ok.
     */
    public static final class Selected {
        private final Case<?> fired;
        private final int index;
        private final Object value;
        private final boolean ok;

        private Selected(Case<?> fired, int index, Object value, boolean ok) {
            this.fired = fired;
            this.index = index;
            this.value = value;
            this.ok = ok;
        }

        /** The position of the case that fired, counting from 0 in the order the cases were given. */
        public int index() {
            return index;
        }

        /**
         * The value the receive case {@code handle} got: {@code v} in Go's {@code case v, ok := <-ch:} (null once the
         * channel is closed, Go's zero value). Panics if {@code handle} is not the receive case that fired.
         */
        @SuppressWarnings("unchecked") // the value came from the channel of handle, a Case<T>
        public <T> T value(Case<T> handle) {
            if (handle != fired) {
                throw new Panic("select: value of a case that did not fire: asked for " + handle + ", but case "
                        + index + " fired, " + fired);
            }
            if (handle.kind != Case.Kind.RECEIVE) {
                throw new Panic("select: value of " + handle + ": only a receive case has a value");
            }
            return (T) value;
        }

        /** For a receive case, false if the channel was closed and drained. */
        public boolean ok() {
            return ok;
        }

        @Override
        public String toString() {
            return "Selected[index=" + index + ", value=" + value + ", ok=" + ok + "]";
        }
    }

    /**
     * Go's {@code select}: waits until one of the cases can proceed, performs exactly that one, and returns which
     * one it was. With several ready, it picks one uniformly at random; with none ready, it runs the default case
     * if there is one. A case on a nil channel is never ready; a select with no cases blocks forever. A send case on
     * a closed channel panics when chosen.
     */
    public static Selected select(Case<?>... cases) {
        Selected selected = choose(cases);
        if (Trace.ON) {
            Trace.selected(cases, selected.index);
        }
        return selected;
    }

    private static Selected choose(Case<?>... cases) {
        int defaultIndex = -1;
        int[] pollOrder = new int[cases.length];
        int polled = 0;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < cases.length; i++) {
            if (cases[i].kind == Case.Kind.DEFAULT) {
                if (defaultIndex >= 0) {
                    throw new Panic("select: multiple defaults");
                }
                defaultIndex = i;
            } else if (cases[i].channel != null) { // nil-channel cases are skipped entirely
                if (cases[i].channel.bubble != Bubble.PROGRAM) {
                    cases[i].channel.bubble.checkInside("select on synctest channel from outside bubble");
                }
                // Fisher-Yates, inside out: a uniformly random order of the cases that can ever be ready.
                int j = random.nextInt(polled + 1);
                pollOrder[polled] = pollOrder[j];
                pollOrder[j] = i;
                polled++;
            }
        }
        if (polled == 0) {
            if (defaultIndex >= 0) {
                return new Selected(cases[defaultIndex], defaultIndex, null, false);
            }
            blockForever(cases.length == 0 ? SELECT_NO_CASES : SELECT, "select"); // Go blocks forever too
        }
        Chan<?>[] lockOrder = lockOrder(cases);
        Waiter[] waiters;
        Parked parked;

        lockAll(lockOrder);
        try {
            // Pass 1: take the first ready case, in random order.
            for (int p = 0; p < polled; p++) {
                int i = pollOrder[p];
                Case<?> c = cases[i];
                if (c.kind == Case.Kind.SEND) {
                    if (sendLocked(c.channel, c.value)) {
                        return new Selected(c, i, null, true);
                    }
                } else {
                    Object got = c.channel.tryReceiveLocked();
                    if (got != NOT_READY) {
                        return got == CLOSED ? new Selected(c, i, null, false) : new Selected(c, i, got, true);
                    }
                }
            }
            if (defaultIndex >= 0) {
                return new Selected(cases[defaultIndex], defaultIndex, null, false);
            }
            // Pass 2: nothing is ready; enqueue one waiter per case, all sharing one Parked. As in plain send and
            // receive, only an operation that blocks allocates waiters. The select is durable (in a bubble) only if
            // every channel belongs to the bubble.
            Bubble owner = cases[pollOrder[0]].channel.bubble;
            boolean handOff = true; // every channel unbuffered: it may spin (see Parked.SPINS)
            for (int p = 0; p < polled; p++) {
                Chan<?> channel = cases[pollOrder[p]].channel;
                if (channel.bubble != owner) {
                    owner = null;
                }
                handOff &= channel.unbuffered();
            }
            parked = Parked.on(SELECT, owner, handOff);
            waiters = new Waiter[cases.length];
            for (int p = 0; p < polled; p++) {
                int i = pollOrder[p];
                waiters[i] = new Waiter(parked, cases[i].channel, i, cases[i].value);
                cases[i].queue().enqueue(waiters[i]);
            }
        } finally {
            unlockAll(lockOrder);
        }

        int fired = parked.await();

        // Pass 3: dequeue the waiters of the cases that lost. The winner's waker dequeued it already, and so did any
        // waker that lost the compare-and-set on parked: WaitQueue.remove skips a waiter that is no longer queued.
        lockAll(lockOrder);
        try {
            for (int p = 0; p < polled; p++) {
                int i = pollOrder[p];
                cases[i].queue().remove(waiters[i]);
            }
        } finally {
            unlockAll(lockOrder);
        }
        if (fired == Parked.CANCELLED) {
            throw new Interrupted("select");
        }
        Waiter winner = waiters[fired];
        if (cases[fired].kind == Case.Kind.SEND) {
            if (!winner.ok) {
                throw new Panic("send on closed channel");
            }
            return new Selected(cases[fired], fired, null, true);
        }
        return new Selected(cases[fired], fired, winner.ok ? winner.elem : null, winner.ok);
    }

    /**
     * Whether a signal channel, one that is closed and never sent on (such as done), is closed, without blocking:
     * Go's {@code select { case <-done: return true; default: return false }}. A value received instead would be
     * lost to its reader, so that panics.
     */
    public static boolean isClosed(ReceiveOnly<?> signal) {
        Selected s = select(onReceive(signal), onDefault());
        if (s.index() == 0 && s.ok()) {
            throw new Panic("isClosed: received a value from " + signal + ", which is not a signal channel");
        }
        return s.index() == 0;
    }

    @SuppressWarnings("unchecked")
    private static boolean sendLocked(Chan<?> channel, Object value) {
        return ((Chan<Object>) channel).trySendLocked(value);
    }

    /** The distinct channels of the cases, sorted by id: the one order in which every select locks. */
    private static Chan<?>[] lockOrder(Case<?>[] cases) {
        Chan<?>[] channels = new Chan<?>[cases.length];
        int n = 0;
        next:
        for (Case<?> c : cases) {
            if (c.channel == null) {
                continue;
            }
            for (int k = 0; k < n; k++) {
                if (channels[k] == c.channel) {
                    continue next; // the same channel in two cases is locked once
                }
            }
            int i = n++; // insertion sort: a select has a handful of cases
            for (; i > 0 && channels[i - 1].id > c.channel.id; i--) {
                channels[i] = channels[i - 1];
            }
            channels[i] = c.channel;
        }
        return n == channels.length ? channels : Arrays.copyOf(channels, n);
    }

    private static void lockAll(Chan<?>[] channels) {
        for (Chan<?> channel : channels) {
            channel.acquire();
        }
    }

    private static void unlockAll(Chan<?>[] channels) {
        for (int i = channels.length - 1; i >= 0; i--) {
            channels[i].release();
        }
    }

    // =====================================================================================================
    // Goroutines, and who waits on what
    // =====================================================================================================

    /*
     * Go's runtime knows every goroutine (its g) and what each one waits for: that is how it can say "all
     * goroutines are asleep - deadlock!" (runtime/proc.go, checkdead) and print who waits where. The helper keeps
     * the same accounting for the goroutines it starts:
     *   - a G for every goroutine started by go, one for the JVM's main thread (goroutine 1, as in Go), and one for
     *     any other thread while it is blocked in a helper operation;
     *   - every bubble counts its goroutines that are not durably blocked (running) and what could still wake one
     *     (pending): for the program, the real clock's timers, tickers and sleeps; for a bubble, its driver while
     *     it decides what comes next. The program outside bubbles is the bubble PROGRAM, where every helper
     *     operation is durable;
     *   - a goroutine counts itself blocked just before it parks (Parked.await), and whoever wakes it counts it
     *     running again before unpark (Parked.fire); go counts a goroutine before it starts; a real timer stays
     *     pending until its action (which may wake or start a goroutine) has run.
     * So once running and pending of a bubble are both zero at the same moment (they share one atomic word), nothing
     * of that bubble can run again unless time moves. A bubble (Go's testing/synctest) holds all of its goroutines,
     * channels and timers, so it decides alone: move its virtual clock to the next timer, or declare a deadlock
     * (Bubble.drive). The program is not so closed: threads started without go (an executor, an HTTP server, a test
     * framework) may still send. So for the program the Watchdog confirms with a dump of every thread of the JVM
     * before it reports.
     *
     * The operations that do not block pay nothing for this: the counting happens only in await and fire.
     */

    /** Go's g: what the helper knows of one goroutine, or of another thread while it is blocked in the helper. */
    static final class G {
        private static final AtomicLong ids = new AtomicLong(1); // 1 is main's, as in Go
        /** Every goroutine, main, and every other thread while it is blocked in the helper. */
        static final Map<Thread, G> all = new ConcurrentHashMap<>();
        static final ThreadLocal<G> otherThreads = new ThreadLocal<>();
        private static final AtomicInteger goroutineCount = new AtomicInteger();

        final long id;
        final Thread thread;
        final Bubble bubble;
        final boolean goroutine;  // started by go
        final boolean counted;    // in its bubble's running count: goroutines and main; the Watchdog sees the rest
        final long creator;       // the goroutine that called go, 0 if none
        final StackWalker.StackFrame goCall; // the line of that go call
        volatile Parked parked;   // what it is blocked in, null while it runs
        Trace.Group traceGroup;   // its group in the diagrams, set when tracing (Trace.groupOf)

        private G(long id, Thread thread, Bubble bubble, boolean goroutine, boolean counted, long creator,
                StackWalker.StackFrame goCall) {
            this.id = id;
            this.thread = thread;
            this.bubble = bubble;
            this.goroutine = goroutine;
            this.counted = counted;
            this.creator = creator;
            this.goCall = goCall;
        }

        private static final G MAIN; // goroutine 1, the JVM's main thread, if the helper found it

        static {
            // The JVM's main thread is goroutine 1 and counts as running until it blocks in the helper. Found by
            // name, whichever thread first uses the helper.
            Thread main = Thread.currentThread();
            if (!isMain(main)) {
                main = Thread.getAllStackTraces().keySet().stream().filter(G::isMain).findFirst().orElse(null);
            }
            if (main != null) {
                MAIN = new G(1, main, Bubble.PROGRAM, false, true, 0, null);
                all.put(main, MAIN);
                Bubble.PROGRAM.quiet.addAndGet(Bubble.RUNNING);
            } else {
                MAIN = null;
            }
        }

        /**
         * About how many goroutines of the program want a carrier thread: those counted running (which includes one
         * spinning in a hand-off, holding its carrier, and one blocked outside the helper, in I/O or sleep, holding
         * none), less main, which has an OS thread of its own. Goroutines of bubbles and other threads are not counted:
         * an estimate, which only decides whether a hand-off spins.
         */
        static int runningOnCarriers() {
            int running = Bubble.running(Bubble.PROGRAM.quiet.get());
            return MAIN != null && MAIN.parked == null ? running - 1 : running;
        }

        private static boolean isMain(Thread thread) {
            return thread.getName().equals("main") && !thread.isVirtual() && !thread.isDaemon();
        }

        /** The calling thread's G: its goroutine's, main's, or one made for another thread on first use. */
        static G current() {
            Thread thread = Thread.currentThread();
            G g = all.get(thread);
            if (g == null) {
                g = otherThreads.get();
                if (g == null) {
                    g = new G(ids.incrementAndGet(), thread, Bubble.PROGRAM, false, false, 0, null);
                    otherThreads.set(g);
                }
            }
            return g;
        }

        /** The goroutine counts itself blocked, just before it parks. */
        void block(Parked p) {
            parked = p;
            if (!counted) {
                all.put(thread, this); // seen by the Watchdog and in dumps while it is blocked
                Bubble.PROGRAM.quietCheck(Bubble.PROGRAM.quiet.get());
            } else if (p.durable) {
                bubble.countOut(Bubble.RUNNING);
            }
        }

        /** Its waker (or the goroutine itself, cancelling) counts it running again, before it runs. */
        void wake(Parked p) {
            if (counted && p.durable) {
                bubble.quiet.addAndGet(Bubble.RUNNING);
                if (bubble != Bubble.PROGRAM) {
                    bubble.wokeOne = true; // for the bubble's driver: its alarms woke somebody
                }
            }
        }

        /** Back from a wait. */
        void unblocked() {
            parked = null;
            if (!counted) {
                all.remove(thread);
            }
        }
    }

    // ---- go ----------------------------------------------------------------------------------------------

    private static final Set<Parked> goroutineWatchers = ConcurrentHashMap.newKeySet();
    private static final AtomicInteger goroutineWatcherCount = new AtomicInteger();
    private static volatile BiConsumer<Thread, Throwable> panicHandler = Go::printPanicAndExit;
    private static final StackWalker stackWalker = StackWalker.getInstance();

    /** {@code go f()}: runs the body in a new virtual thread, named "goroutine-N" after its goroutine id. */
    public static Thread go(Runnable body) {
        G creator = G.current();
        return start(body, creator.bubble, creator.id, goCall(body), false);
    }

    /**
     * The line of the go call, for "created by" in dumps. Walking the stack costs about as much as starting the
     * goroutine, so it is walked once per lambda (or anonymous class): the lambda is almost always written in the
     * go call itself, so every goroutine it starts was started from the same line. The price: a Runnable made by one
     * lambda and passed to go from several lines shows the first of them.
     */
    private static StackWalker.StackFrame goCall(Runnable body) {
        Class<?> type = body.getClass();
        return type.isHidden() || type.isAnonymousClass() ? goCallOfLambda.get(type) : callerOfHelper();
    }

    private static final ClassValue<StackWalker.StackFrame> goCallOfLambda = new ClassValue<>() {
        @Override
        protected StackWalker.StackFrame computeValue(Class<?> lambda) {
            return callerOfHelper();
        }
    };

    /** The user's line that called into the helper: the first frame outside this class and the JDK. */
    private static StackWalker.StackFrame callerOfHelper() {
        return stackWalker.walk(frames -> frames
                .filter(f -> !isHelperClass(f.getClassName()) && !isJdkClass(f.getClassName()))
                .findFirst()).orElse(null);
    }

    private static boolean isHelperClass(String className) {
        return className.equals("gochan.Go") || className.startsWith("gochan.Go$");
    }

    /**
     * Where goroutines run: virtual threads, unless a test says otherwise. Fray (tests/modelcheck), which checks the
     * helper schedule by schedule, cannot schedule virtual threads: its tests pass {@code Thread.ofPlatform().factory()}
     * here before they start anything, so that the goroutines of go, afterFunc and the context port run on threads
     * Fray controls. Read at each start. For tests only: in a program a goroutine should cost what a virtual thread
     * costs.
     */
    static void setGoroutineThreads(ThreadFactory threads) {
        goroutineThreads = threads;
    }

    private static volatile ThreadFactory goroutineThreads = Thread.ofVirtual().factory(); // thread-safe, unlike a builder

    /**
     * Makes every hand-off (Parked.SPINS) spin {@code spins} times before it parks, on any thread and whatever the
     * count of running goroutines. For Fray only (tests/modelcheck), whose goroutines are platform threads that would
     * otherwise never spin: so that it checks the spinning paths too, where a waker may complete a goroutine before
     * it parks, or race it as it gives up spinning.
     */
    static void spinEveryHandOff(int spins) {
        Parked.forcedSpins = spins;
    }

    private static Thread start(Runnable body, Bubble bubble, long creator, StackWalker.StackFrame goCall,
            boolean bubbleRoot) {
        long id = G.ids.incrementAndGet();
        G[] self = new G[1]; // the thread and its G refer to each other; thread.start() publishes both
        Thread thread = goroutineThreads.newThread(() -> runGoroutine(self[0], body, bubbleRoot));
        thread.setName("goroutine-" + id);
        G g = self[0] = new G(id, thread, bubble, true, true, creator, goCall);
        // Counted before it starts, so that goroutines() counts it as soon as go returns, and its creator (which
        // is running) never leaves a moment where nobody seems to run.
        G.all.put(thread, g);
        G.goroutineCount.incrementAndGet();
        if (bubble != Bubble.PROGRAM) {
            bubble.live.incrementAndGet(); // the program's is goroutineCount
            bubble.wokeOne = true;
        }
        bubble.quiet.addAndGet(Bubble.RUNNING);
        try {
            thread.start();
        } catch (Throwable notStarted) { // out of memory, or the JVM shutting down: undo the counts
            G.all.remove(thread);
            G.goroutineCount.decrementAndGet();
            if (bubble != Bubble.PROGRAM) {
                bubble.live.decrementAndGet();
            }
            bubble.countOut(Bubble.RUNNING);
            throw notStarted;
        }
        return thread;
    }

    private static void runGoroutine(G g, Runnable body, boolean bubbleRoot) {
        if (Trace.ON) {
            Trace.started(g, bubbleRoot);
        }
        try {
            body.run();
        } catch (Throwable panic) {
            if (g.bubble.released && panic instanceof Interrupted) {
                // ended by its bubble's verdict, as expected
            } else if (g.bubble == Bubble.PROGRAM || g.bubble.panicsEndProgram) {
                panicHandler.accept(g.thread, panic);
            } else {
                g.bubble.panicked(panic);
            }
        } finally {
            if (Trace.ON) {
                Trace.ended(g);
            }
            if (bubbleRoot) {
                g.bubble.rootExitedAt = System.nanoTime();
                g.bubble.rootExited = true;
            }
            G.all.remove(g.thread);
            G.goroutineCount.decrementAndGet();
            if (g.bubble != Bubble.PROGRAM) {
                g.bubble.live.decrementAndGet();
            }
            // Wake awaitGoroutines, if anyone waits: this thread removes itself and then reads the watcher count,
            // while a watcher counts itself and then reads the goroutine count, so one of the two sees the other.
            if (goroutineWatcherCount.get() > 0) {
                for (Parked watcher : goroutineWatchers) {
                    watcher.fire(0);
                }
            }
            g.bubble.countOut(Bubble.RUNNING);
        }
    }

    /**
     * The number of goroutines started by {@link #go} that have not ended yet. In a bubble, those of the bubble other
     * than its main goroutine (which outside is the JVM's main thread, not counted either), so that a program prints
     * the same counts in a bubble as outside.
     */
    public static int goroutines() {
        return goroutinesSeenBy(Bubble.ofCurrentThread());
    }

    private static int goroutinesSeenBy(Bubble bubble) {
        return bubble == Bubble.PROGRAM ? G.goroutineCount.get() : bubble.live.get() - (bubble.rootExited ? 0 : 1);
    }

    /**
     * Parks until at most {@code count} goroutines are running. It throws an IllegalStateException with the dump of
     * the goroutines left as soon as they are all blocked for good (nothing could ever wake them), or at the latest
     * after the timeout.
     */
    public static void awaitGoroutines(int count, Duration timeout) {
        Bubble bubble = Bubble.ofCurrentThread();
        long deadline = System.nanoTime() + Math.max(0, Math.min(saturatedNanos(timeout), Long.MAX_VALUE / 2));
        goroutineWatcherCount.incrementAndGet();
        try {
            while (goroutinesSeenBy(bubble) > count) {
                Parked parked = Parked.on(AWAIT_GOROUTINES, Bubble.PROGRAM); // it counts goroutines of the whole program
                goroutineWatchers.add(parked);
                if (goroutinesSeenBy(bubble) <= count) {
                    parked.fire(0); // the last one ended between the check and add, and did not see us
                }
                int woken = parked.awaitUntil(deadline, true);
                goroutineWatchers.remove(parked);
                switch (woken) {
                    case Parked.CANCELLED -> throw new Interrupted("awaitGoroutines");
                    case Parked.TIMED_OUT -> throw new IllegalStateException(
                            leftOver(bubble, count, "still running after " + goDuration(timeout)));
                    case Parked.LEAKED -> throw new IllegalStateException(leftOver(bubble, count, "blocked for good"));
                    default -> { } // one ended: count again
                }
            }
        } finally {
            goroutineWatcherCount.decrementAndGet();
        }
    }

    /** A bound as Go prints it when it is round ("5s", "100ms"), else Java's ISO form. */
    private static String goDuration(Duration d) {
        if (d.toNanosPart() == 0) {
            return d.toSeconds() + "s";
        }
        return d.toNanosPart() % 1_000_000 == 0 && d.toSeconds() == 0 ? d.toMillis() + "ms" : d.toString();
    }

    private static String leftOver(Bubble bubble, int expected, String how) {
        List<G> left = G.all.values().stream()
                .filter(g -> g.goroutine && (bubble == Bubble.PROGRAM || g.bubble == bubble)).toList();
        return leftOver(left.size(), expected, how, dump(left));
    }

    /** "2 goroutines blocked for good (expected at most 0 left):", a blank line, and the dump. */
    static String leftOver(int left, int expected, String how, String dump) {
        return left + (left == 1 ? " goroutine " : " goroutines ") + how + " (expected at most " + expected
                + " left):\n\n" + dump;
    }

    /** Replaces what happens when an exception escapes a goroutine (by default: print it and exit with status 2). */
    public static void setPanicHandler(BiConsumer<Thread, Throwable> handler) {
        panicHandler = handler;
    }

    /** Go's default: "panic: message", the goroutine's stack, and exit status 2. */
    public static void printPanicAndExit(Thread goroutine, Throwable panic) {
        System.err.println(panicReport(goroutine, panic));
        System.exit(2);
    }

    /** The text Go prints for a panic: the message, then the goroutine and its stack. */
    public static String panicReport(Thread goroutine, Throwable panic) {
        StringBuilder report = new StringBuilder("panic: ")
                .append(panic instanceof Panic ? panic.getMessage() : panic.toString())
                .append("\n\n").append(goroutine.getName()).append(" [running]:");
        for (StackTraceElement frame : panic.getStackTrace()) {
            report.append("\n\tat ").append(frame);
        }
        for (Throwable cause = panic.getCause(); cause != null; cause = cause.getCause()) {
            report.append("\ncaused by: ").append(cause);
        }
        return report.toString();
    }

    /**
     * Pays, before a script reads the clock, what the JVM charges only once (Go pays none of it): the first virtual
     * thread starts the scheduler's carrier threads, the first stack walk loads its machinery, and the first timer
     * starts the timer thread; together tens of milliseconds, which would otherwise show in the first thing a
     * script times. No goroutine is started, so goroutine ids stay as they were.
     */
    static void warmUp() {
        try {
            Thread.ofVirtual().start(Go::callerOfHelper).join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        RealClock.INSTANCE.scheduler.prestartCoreThread();
    }

    /** {@code runtime.NumCPU()}. */
    public static int numCPU() {
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * {@code runtime.Gosched()}: yields the processor, allowing other goroutines to run; the caller is not suspended
     * for longer than that and goes on as soon as it gets a carrier thread again. Go needs Gosched rarely, because its
     * scheduler preempts a goroutine that runs for more than about 10ms; the JVM never preempts a virtual thread, so
     * a loop that never blocks (a for-select with a default case, say) keeps its carrier thread until it ends, and
     * with one carrier (one CPU) no other goroutine runs, not even the one that would tell it to stop. Such a loop
     * must call gosched() on each turn.
     *
     * <p>It parks for 1ns rather than calling {@link Thread#yield()}: on JDK 25 with one carrier, a virtual thread
     * that yields in a loop is run again and again, before a goroutine that a timer or a platform thread woke (the
     * scheduler keeps taking work from the queue the yielder goes back to), so {@code time.AfterFunc(d, cancel)}
     * never gets to run. A park takes the caller off the carrier, which then runs whatever else is ready. It costs
     * tens of microseconds where a yield costs a few: a price for a loop that must not hang.
     */
    public static void gosched() {
        LockSupport.parkNanos(1);
    }

    // ---- bubbles: a group of goroutines with a verdict -------------------------------------------------------

    /**
     * A group of goroutines that sees all of its own channels, timers and WaitGroups, with a clock of its own: Go's
     * synctest bubble. PROGRAM is the program outside any bubble, on the real clock.
     */
    static final class Bubble {
        static final Bubble PROGRAM = new Bubble(0, RealClock.INSTANCE, true);
        private static final AtomicLong ids = new AtomicLong();
        private static volatile boolean anyMade; // until the first bubble, every thread is in PROGRAM

        final long id;
        final Clock clock;
        /**
         * Two counts in one word, so that "both are zero" is one moment, not two reads: the goroutines that are not
         * durably blocked (running, the low half) and what could still wake one without them (pending, the high
         * half): in PROGRAM the real clock's alarms, in a bubble its driver while it decides. A waker counts running
         * up before it counts pending down, so the word never passes through zero while a wake-up is on its way.
         */
        final AtomicLong quiet = new AtomicLong();
        static final long RUNNING = 1;
        static final long PENDING = 1L << 32;
        final AtomicInteger live = new AtomicInteger();    // goroutines that have not ended (not kept for PROGRAM)
        final AtomicInteger timers = new AtomicInteger();  // timers and tickers that will still fire: Go.timers()
        volatile boolean rootExited;
        volatile long rootExitedAt; // System.nanoTime()
        volatile boolean released; // after a deadlock its goroutines are interrupted: their Interrupted is expected
        private final Semaphore stillMoments = new Semaphore(0); // one permit each time nothing of the bubble runs
        volatile boolean wokeOne; // a goroutine was woken since the driver last cleared it
        final AtomicReference<Parked> blockedWaiter = new AtomicReference<>(); // the goroutine in awaitBlocked
        private final AtomicReference<Throwable> firstPanic = new AtomicReference<>(); // rethrown by bubble()
        final boolean panicsEndProgram; // a panic goes to the panic handler, as outside bubbles (Script's bubble)

        private Bubble(long id, Clock clock, boolean panicsEndProgram) {
            this.id = id;
            this.clock = clock;
            this.panicsEndProgram = panicsEndProgram;
        }

        static Bubble ofCurrentThread() {
            if (!anyMade) {
                return PROGRAM;
            }
            G g = G.all.get(Thread.currentThread());
            return g == null ? PROGRAM : g.bubble;
        }

        /** Go's fatal error for using a bubble's channel, timer or WaitGroup from outside it; here a panic. */
        void checkInside(String misuse) {
            if (ofCurrentThread() != this) {
                throw new Panic(misuse);
            }
        }

        static int running(long word) {
            return (int) word;
        }

        static int pending(long word) {
            return (int) (word >>> 32);
        }

        /** Counts one goroutine (RUNNING) or one timer (PENDING) out, and looks whether that left the bubble still. */
        void countOut(long what) {
            long word = quiet.addAndGet(-what);
            if (running(word) == 0) {
                quietCheck(word);
            }
        }

        /**
         * Called with the word an update has just left, when nothing of the bubble runs. For the program, the Watchdog
         * decides what that means. In a bubble, whoever left it still hands the moment to the bubble's driver, which
         * counts itself pending while it decides, so that the same moment is never handed twice.
         */
        void quietCheck(long word) {
            if (this == PROGRAM) {
                if (word == 0) {
                    Watchdog.request(); // threads outside the helper may still run: the Watchdog looks at them all
                }
            } else if (word == 0 && quiet.compareAndSet(0, PENDING)) {
                stillMoments.release();
            }
        }

        static final String STILL_RUNNING = "still running";
        // Go's reasons (runtime/synctest.go)
        static final String ALL_BLOCKED = "deadlock: all goroutines in bubble are blocked";
        static final String ROOT_EXITED = "deadlock: main bubble goroutine has exited but blocked goroutines remain";

        /**
         * Go's synctest.Run loop, on the thread that called bubble(). Each time every goroutine of the bubble is
         * durably blocked (or has ended) it does the first of these that applies, as Go does:
         *   - no goroutine is left: the bubble is over, and it returns null;
         *   - alarms are due at the current time: it runs them (once the main goroutine has returned, time has
         *     stopped, and it is a deadlock instead);
         *   - a goroutine waits in awaitBlocked: it wakes it;
         *   - alarms are pending and the bubble's main goroutine still runs: it moves the clock to the earliest one,
         *     and runs every alarm due then;
         *   - otherwise it is a deadlock, and it returns Go's reason.
         * Java has interruption and Go does not: an interrupted goroutine wakes by itself, without a waker to count
         * it running first. So each round first waits for any such goroutine to count itself running
         * (interruptOnItsWay), and lets the moment go if one already has.
         * Not in Go: when only tickers' ticks are left, and each of those tickers has ticked once without waking
         * anybody since a goroutine last ran, it is a deadlock too: the tick filled the ticker's channel or found it
         * full, so no later tick can change anything, and Go's clock would tick on for ever. And if goroutines still
         * run the bound after the main goroutine has returned, it returns STILL_RUNNING (Go would wait for ever).
         */
        String drive(Duration runningBound) throws InterruptedException {
            VirtualClock virtualClock = (VirtualClock) clock;
            Set<Ticker> tickedInVain = new HashSet<>(); // since a goroutine last ran
            while (true) {
                if (!stillMoments.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    if (rootExited && System.nanoTime() - rootExitedAt > runningBound.toNanos()) {
                        return STILL_RUNNING;
                    }
                    continue;
                }
                if (interruptOnItsWay()) {
                    LockSupport.parkNanos(10_000); // let it count itself running, then look again
                    countOut(PENDING);
                    continue;
                }
                if (running(quiet.get()) > 0) { // one woke by itself (an interrupt) since: it will block again
                    countOut(PENDING);
                    continue;
                }
                if (wokeOne) {
                    wokeOne = false;
                    tickedInVain.clear();
                }
                if (live.get() == 0) { // read after running: a goroutine that ends counts itself out of live first
                    return null;
                }
                boolean rootGone = rootExited; // read once: time stops when it is set
                List<VirtualClock.VirtualAlarm> due = rootGone ? List.of() : virtualClock.takeDue();
                if (due.isEmpty()) {
                    if (!(rootGone && virtualClock.anyDue())) { // Go wakes its root for due timers first, and stops
                        Parked waiter = blockedWaiter.getAndSet(null);
                        if (waiter != null) {
                            waiter.fire(0);
                            countOut(PENDING);
                            continue;
                        }
                    }
                    if (rootGone) {
                        return ROOT_EXITED;
                    }
                    if (virtualClock.onlyTicksOf(tickedInVain) || !virtualClock.advance()) {
                        return ALL_BLOCKED;
                    }
                    due = virtualClock.takeDue();
                }
                due.forEach(VirtualClock.VirtualAlarm::run);
                if (!wokeOne) {
                    due.stream().filter(alarm -> alarm.ticker != null).forEach(alarm -> tickedInVain.add(alarm.ticker));
                }
                countOut(PENDING); // if that woke nobody, the bubble is still again, and the next round begins
            }
        }

        /**
         * A goroutine of the bubble parked in the helper whose thread has been interrupted: it is about to wake
         * and count itself running (Parked.cancel), but nobody counted it running for it, as Parked.fire does. Java
         * has interruption and Go does not: without this, the bubble could look still while it is on its way.
         */
        private boolean interruptOnItsWay() {
            return G.all.values().stream()
                    .anyMatch(g -> g.bubble == this && g.parked != null && g.thread.isInterrupted());
        }

        void timerDone() {
            countOut(PENDING);
        }

        void panicked(Throwable panic) {
            firstPanic.compareAndSet(null, panic);
        }

        List<G> members() {
            return G.all.values().stream().filter(g -> g.bubble == this).toList();
        }
    }

    /** The report of a deadlock: Go's one-line message, and the dump of the goroutines that are blocked for good. */
    public static final class Deadlock extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final String reason;
        private final String dump;
        private final transient List<Blocked> blocked;

        Deadlock(String reason, Collection<G> goroutines) {
            this(reason, Go.dump(goroutines), goroutines.stream().map(Go::blocked).toList());
        }

        private Deadlock(String reason, String dump, List<Blocked> blocked) {
            super(reason + "\n\n" + dump);
            this.reason = reason;
            this.dump = dump;
            this.blocked = blocked;
        }

        /** Go's message: "deadlock: all goroutines in bubble are blocked", ... */
        public String reason() {
            return reason;
        }

        /** The goroutine dump, in Go's format. */
        public String dump() {
            return dump;
        }

        /** Each goroutine that was blocked, with its operation. */
        public List<Blocked> blocked() {
            return blocked;
        }
    }

    /** One goroutine of a dump: its id, its thread, and Go's name for what it waits in ("chan send", ...). */
    public record Blocked(long goroutine, Thread thread, String operation) {}

    private static Blocked blocked(G g) {
        Parked p = g.parked;
        return new Blocked(g.id, g.thread, p == null ? "running" : p.reason);
    }

    /**
     * Go's {@code synctest.Test}: runs f in a new goroutine, in a new bubble that holds every goroutine it starts (and
     * theirs) and the channels, timers, tickers and WaitGroups they make, and returns once all of them have ended.
     *
     * <p>The bubble has its own clock: {@link #now} starts at 2000-01-01T00:00:00Z, and time moves only when every
     * goroutine of the bubble is durably blocked (blocked in the helper on a channel, timer or WaitGroup of the
     * bubble, or sleeping): then it jumps to the next timer, ticker or sleep that is due, at once. So a test that
     * sleeps an hour takes microseconds, and what it measures with {@link #since} is exact.
     *
     * <p>If they deadlock (each one durably blocked, and no timer that could wake one), it ends them with an
     * interrupt, so that nothing is left running, and throws {@link Deadlock} with Go's message and the dump of the
     * bubble, instead of ending the program. Once f has returned, time stops, as in Go: goroutines left blocked are a
     * deadlock too, and goroutines still running 5 s later (real time) are reported with an IllegalStateException and
     * their dump. The first exception that escapes a goroutine of the bubble is rethrown here instead of going to
     * the panic handler.
     */
    public static void bubble(Runnable f) {
        bubble(f, false);
    }

    /** bubble(f), where a panic of a goroutine goes to the panic handler (by default: print it, exit 2), as outside. */
    static void bubble(Runnable f, boolean panicsEndProgram) {
        G caller = G.current();
        if (caller.bubble != Bubble.PROGRAM) {
            throw new Panic("synctest.Run called from within a synctest bubble");
        }
        Bubble.anyMade = true;
        Bubble bubble = new Bubble(Bubble.ids.incrementAndGet(), new VirtualClock(), panicsEndProgram);
        start(f, bubble, caller.id, callerOfHelper(), true);
        String verdict;
        try {
            verdict = bubble.drive(LEAK_BOUND);
        } catch (InterruptedException e) {
            endBubble(bubble); // before the flag is set again, so that it can wait for them to end
            Thread.currentThread().interrupt();
            throw new Interrupted("bubble");
        }
        RuntimeException failure = null;
        if (verdict == Bubble.STILL_RUNNING) {
            List<G> left = bubble.members();
            failure = new IllegalStateException(left.size() + (left.size() == 1 ? " goroutine" : " goroutines")
                    + " still running " + goDuration(LEAK_BOUND)
                    + " after the bubble's main goroutine returned:\n\n" + dump(left));
        } else if (verdict != null) {
            failure = new Deadlock(verdict, bubble.members());
        }
        if (failure != null) {
            endBubble(bubble);
        }
        Throwable panic = bubble.firstPanic.get();
        if (panic != null) {
            if (failure != null) {
                panic.addSuppressed(failure);
            }
            if (panic instanceof RuntimeException unchecked) {
                throw unchecked;
            }
            if (panic instanceof Error error) {
                throw error;
            }
            throw new RuntimeException(panic);
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** How long goroutines may go on running once their program's or bubble's main function has returned. */
    public static final Duration LEAK_BOUND = Duration.ofSeconds(5);

    /** Go's line for the program's deadlock (runtime/proc.go, checkdead). */
    static final String FATAL_DEADLOCK = "fatal error: all goroutines are asleep - deadlock!";

    /** Ends every goroutine of a bubble with an interrupt, and waits (up to 5 s) until they have ended. */
    private static void endBubble(Bubble bubble) {
        bubble.released = true;
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        // Again until none is left: a goroutine that was still running may have started another meanwhile.
        for (List<G> members = bubble.members(); !members.isEmpty() && System.nanoTime() < deadline;
                members = bubble.members()) {
            members.forEach(g -> g.thread.interrupt());
            for (G g : members) {
                try {
                    g.thread.join(Duration.ofMillis(10));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    // ---- the program's deadlock: Go's "all goroutines are asleep" --------------------------------------------

    /**
     * Go's checkdead (runtime/proc.go) for the program: when every goroutine of the program is blocked in the
     * helper and nothing is pending, a daemon thread looks at every thread of the JVM, virtual ones included. If no
     * other thread can run user code either, it prints "fatal error: all goroutines are asleep - deadlock!" and the
     * dump on standard error and halts with status 2, as Go does (or, if the JVM's main thread waits in
     * awaitGoroutines, tells it that what it waits for is blocked for good). A thread blocked anywhere else (a JDK
     * lock, I/O, Thread.sleep, a Process) counts as running. Turned off by -Dgochan.deadlock=off or
     * GOCHAN_DEADLOCK=off.
     */
    static final class Watchdog {
        static final boolean ENABLED = !"off".equals(
                System.getProperty("gochan.deadlock", System.getenv().getOrDefault("GOCHAN_DEADLOCK", "on")));
        private static volatile Thread thread;
        private static volatile boolean requested;

        static void request() {
            if (!ENABLED) {
                return;
            }
            requested = true;
            Thread watchdog = thread;
            LockSupport.unpark(watchdog != null ? watchdog : startOnce());
        }

        private static synchronized Thread startOnce() {
            if (thread == null) {
                Thread watchdog = new Thread(Watchdog::run, "go-deadlock-watchdog");
                watchdog.setDaemon(true);
                thread = watchdog;
                watchdog.start();
            }
            return thread;
        }

        private static void run() {
            long recheck = 0; // after an unsure check: look again later, in case what ran has stopped for good
            while (true) {
                if (recheck == 0) {
                    while (!requested) {
                        LockSupport.park();
                    }
                } else if (!requested) {
                    LockSupport.parkNanos(recheck);
                }
                requested = false;
                try {
                    Map<G, Parked> asleep = blockedForGood();
                    if (asleep == null) {
                        recheck = 0;
                    } else if (asleep.isEmpty()) {
                        recheck = recheck == 0 ? 50_000_000L : Math.min(2 * recheck, 2_000_000_000L);
                    } else {
                        recheck = 0;
                        report(asleep);
                    }
                } catch (Throwable unexpected) { // never let the watchdog die, and never report on a doubt
                    recheck = 0;
                }
            }
        }

        /**
         * Every G with what it was blocked in, if all are blocked for good; null if one is running (its next block
         * will ask again); an empty map if only threads outside the helper may still run.
         */
        private static Map<G, Parked> blockedForGood() throws IOException {
            Map<G, Parked> before = snapshot();
            if (before == null) {
                return null;
            }
            // A thread that the JDK's dump shows idle may have just been started, or handed a task (unparked),
            // by a goroutine that has blocked since, and not have run yet. Give it time to run first: if it does
            // anything with a channel, the snapshot changes and there is no dump to take at all.
            long graceEnds = System.nanoTime() + GRACE_NANOS;
            for (long left = GRACE_NANOS; left > 0; left = graceEnds - System.nanoTime()) {
                LockSupport.parkNanos(left); // in a loop: a request() meanwhile unparks this thread early
            }
            if (!before.equals(snapshot())) {
                return null;
            }
            if (!otherThreadsIdle(before.keySet())) {
                return Map.of();
            }
            return before.equals(snapshot()) ? before : null; // nothing moved while we looked at the other threads
        }

        private static final long GRACE_NANOS = 200_000_000L;

        private static Map<G, Parked> snapshot() {
            if (Bubble.PROGRAM.quiet.get() != 0) {
                return null;
            }
            Map<G, Parked> blocked = new HashMap<>();
            for (G g : G.all.values()) {
                Parked p = g.parked;
                if (p == null || p.state() != Parked.WAITING || Bubble.pending(g.bubble.quiet.get()) > 0) {
                    return null;
                }
                blocked.put(g, p);
            }
            return blocked.isEmpty() ? null : blocked;
        }

        /** Whether every thread the helper does not know is a JDK thread with nothing to do. */
        private static boolean otherThreadsIdle(Set<G> known) throws IOException {
            if ("false".equalsIgnoreCase(System.getProperty("jdk.trackAllThreads", ""))) {
                return false; // the JDK's dump would leave out virtual threads started without go: never sure
            }
            Set<Long> knownIds = new HashSet<>();
            known.forEach(g -> knownIds.add(g.thread.threadId()));
            knownIds.add(Thread.currentThread().threadId());
            for (ThreadInfo other : allThreads()) {
                if (!knownIds.contains(other.id()) && !other.idle()) {
                    return false;
                }
            }
            return true;
        }

        /** A thread as the JDK's thread dump shows it. */
        record ThreadInfo(long id, String name, boolean virtual, String state, List<String> frames) {
            private static final Set<String> JDK_DAEMONS = Set.of("Reference Handler", "Finalizer",
                    "Signal Dispatcher", "Common-Cleaner", "Notification Thread", "Attach Listener",
                    "VirtualThread-unblocker");
            private static final Set<String> HELPER_THREADS = Set.of("go-timers", "go-deadlock-watchdog",
                    "go-signal-set-up", "SIGUSR1 handler"); // the timers' wake-ups are counted as pending

            /** A JDK thread that runs no user code and waits for nothing timed: it cannot wake anybody. */
            boolean idle() {
                if (!virtual && HELPER_THREADS.contains(name)) {
                    return true;
                }
                if (frames.stream().anyMatch(f -> !isJdkFrame(f))) {
                    return false; // user code: running, or blocked outside the helper
                }
                if (JDK_DAEMONS.contains(name) || (name.startsWith("ForkJoinPool") && !virtual
                        && (name.endsWith("delayScheduler") || frames.stream().anyMatch(f -> f.contains("awaitWork"))))) {
                    return true; // the JVM's own threads, idle carriers of virtual threads, our timers (counted)
                }
                // An untimed wait in the JDK's own code: only a running thread could hand it work. (A timed one may
                // run a scheduled task; a thread without frames may not have started its code yet.)
                return "WAITING".equals(state) && !frames.isEmpty();
            }

            private static boolean isJdkFrame(String frame) {
                return isJdkClass(frame.substring(frame.indexOf('/') + 1)); // "java.base/java.lang.Thread.run(...)"
            }
        }

        /** Every live thread, virtual ones included, from HotSpotDiagnosticMXBean.dumpThreads (Java 21+). */
        private static List<ThreadInfo> allThreads() throws IOException {
            Path file = Files.createTempFile("gochan-threads", ".txt");
            try {
                Files.delete(file); // dumpThreads wants to create the file itself
                ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                        .dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
                return parseThreadDump(Files.readAllLines(file));
            } finally {
                Files.deleteIfExists(file);
            }
        }

        // #23 "name" virtual TIMED_WAITING 2026-11-29T21:31:24Z      (Java 21 prints no state)
        private static final Pattern THREAD_HEADER = Pattern.compile("^#(\\d+) \"(.*)\"( virtual)?(?: ([A-Z_]+))?.*");

        static List<ThreadInfo> parseThreadDump(List<String> lines) {
            List<ThreadInfo> threads = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                Matcher header = THREAD_HEADER.matcher(lines.get(i));
                if (!header.matches()) {
                    continue;
                }
                List<String> frames = new ArrayList<>();
                for (; i + 1 < lines.size() && !lines.get(i + 1).isBlank(); i++) {
                    String line = lines.get(i + 1).strip();
                    if (line.startsWith("at ")) {
                        frames.add(line.substring(3));
                    }
                }
                threads.add(new ThreadInfo(Long.parseLong(header.group(1)), header.group(2),
                        header.group(3) != null, header.group(4), frames));
            }
            return threads;
        }

        private static void report(Map<G, Parked> asleep) {
            boolean awaited = false;
            for (Parked p : asleep.values()) {
                if (p.reason.equals(AWAIT_GOROUTINES)) {
                    awaited |= p.fire(Parked.LEAKED); // not a deadlock: what it waits for has leaked
                }
            }
            if (awaited) {
                return;
            }
            System.out.flush();
            System.err.print(FATAL_DEADLOCK + "\n\n" + dump(asleep.keySet()));
            System.err.flush();
            Runtime.getRuntime().halt(2); // Go's fatal error runs no deferred code either
        }
    }

    // ---- goroutine dumps -------------------------------------------------------------------------------------

    /**
     * Go's {@code runtime.Stack(buf, true)}: every goroutine, what it waits for, since when, at which line, and which
     * goroutine started it where. Other threads appear while they are blocked in the helper.
     */
    public static String goroutineDump() {
        return dump(G.all.values());
    }

    /** Go's format (runtime/traceback.go), with Java frames: "goroutine 7 [chan send, 2 minutes]:" and the stack. */
    static String dump(Collection<G> goroutines) {
        long now = System.nanoTime();
        StringBuilder text = new StringBuilder();
        for (G g : goroutines.stream().sorted(Comparator.comparingLong((G g) -> g.id)).toList()) {
            if (!text.isEmpty()) {
                text.append('\n');
            }
            Parked p = g.parked;
            text.append("goroutine ").append(g.id).append(" [");
            if (p == null) {
                text.append("running");
            } else {
                text.append(p.reason);
                if (g.bubble != Bubble.PROGRAM && p.durable) {
                    text.append(" (durable)");
                }
                long minutes = (now - p.since) / 60_000_000_000L;
                if (minutes >= 1) {
                    text.append(", ").append(minutes).append(" minutes");
                }
            }
            if (g.bubble != Bubble.PROGRAM) {
                text.append(", synctest bubble ").append(g.bubble.id);
            }
            if (!g.counted) {
                text.append(", thread ").append(g.thread.getName()); // not started by go
            }
            text.append("]:\n");
            for (StackTraceElement frame : userFrames(g.thread.getStackTrace())) {
                appendFrame(text, frame.getClassName() + "." + frame.getMethodName(), frame);
            }
            if (g.goCall != null) {
                StackTraceElement call = g.goCall.toStackTraceElement();
                text.append("created by ").append(call.getClassName()).append('.').append(call.getMethodName())
                        .append(" in goroutine ").append(g.creator).append("\n\t")
                        .append(call.getFileName()).append(':').append(call.getLineNumber()).append('\n');
            }
        }
        return text.toString();
    }

    private static void appendFrame(StringBuilder text, String function, StackTraceElement frame) {
        text.append(function).append("(...)\n\t").append(frame.getFileName()).append(':')
                .append(frame.getLineNumber()).append('\n');
    }

    /**
     * The frames a reader wants, as Go hides its runtime's: no frames of this class, of picocli or of Script, no
     * reflection, and no JDK frames above the first user frame or below the last one.
     */
    static List<StackTraceElement> userFrames(StackTraceElement[] stack) {
        List<StackTraceElement> frames = new ArrayList<>();
        for (StackTraceElement frame : stack) {
            String c = frame.getClassName();
            if (!(isHelperClass(c) || c.equals("gochan.Script") || c.startsWith("picocli.")
                    || c.startsWith("java.lang.reflect.") || c.startsWith("jdk.internal.reflect."))) {
                frames.add(frame);
            }
        }
        for (int i = frames.size() - 1; i > 0; i--) {
            if (isBridgeBelow(frames.get(i - 1), frames.get(i))) {
                frames.remove(i); // javac's bridge for a generic method, say Callable.call: not a line of the user's
            }
        }
        int first = 0;
        int end = frames.size();
        while (first < end && isJdkClass(frames.get(first).getClassName())) {
            first++;
        }
        while (end > first && isJdkClass(frames.get(end - 1).getClassName())) {
            end--;
        }
        return frames.subList(first, end);
    }

    /** Whether {@code lower} is a bridge method that called {@code upper}, the method it stands for. */
    private static boolean isBridgeBelow(StackTraceElement upper, StackTraceElement lower) {
        if (!upper.getClassName().equals(lower.getClassName())
                || !upper.getMethodName().equals(lower.getMethodName())) {
            return false;
        }
        try {
            Class<?> type = Class.forName(lower.getClassName(), false, Go.class.getClassLoader());
            return Arrays.stream(type.getDeclaredMethods())
                    .anyMatch(m -> m.isBridge() && m.getName().equals(lower.getMethodName()));
        } catch (ClassNotFoundException | LinkageError | SecurityException notHere) {
            return false;
        }
    }

    private static boolean isJdkClass(String c) {
        return c.startsWith("java.") || c.startsWith("jdk.") || c.startsWith("sun.") || c.startsWith("com.sun.");
    }

    /**
     * From another terminal, {@code kill -USR1 <pid>} prints the goroutine dump of a running program on its
     * standard error (Go answers Ctrl-\ with one, and exits; this one keeps running). The JVM keeps SIGQUIT for its
     * own thread dump. sun.misc.Signal is reached by reflection so that compiling the helper prints no warning about
     * an internal API; where it is missing, there is simply no signal. Until the helper is first used, the JVM does
     * not handle SIGUSR1, and the signal ends it (as it ends any program that does not handle it).
     */
    private static void dumpOnSignal() {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Object onSignal = java.lang.reflect.Proxy.newProxyInstance(handler.getClassLoader(),
                    new Class<?>[] {handler}, (proxy, method, args) -> {
                        if (method.getName().equals("handle")) {
                            System.err.print("SIGUSR1: goroutine dump\n\n" + goroutineDump() + "\n");
                            System.err.flush();
                        }
                        return null;
                    });
            signal.getMethod("handle", signal, handler)
                    .invoke(null, signal.getConstructor(String.class).newInstance("USR1"), onSignal);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError noSignal) {
            // not on this JVM or platform
        }
    }

    static {
        // On a thread of its own: loading the reflection proxy takes tens of milliseconds, which a script's start
        // should not wait for.
        Thread signalSetUp = new Thread(Go::dumpOnSignal, "go-signal-set-up");
        signalSetUp.setDaemon(true);
        signalSetUp.start();
    }

    // =====================================================================================================
    // sync.WaitGroup
    // =====================================================================================================

    /** Go's {@code sync.WaitGroup}. Its Wait is {@code await()}, because Java's Object already has a wait(). */
    public static final class WaitGroup {
        private final ReentrantLock lock = new ReentrantLock();
        private final List<Parked> waiters = new ArrayList<>(); // goroutines blocked in await
        private int counter;
        private Bubble bubble; // as in Go, the bubble of the first add (null: none yet)

        public void add(int delta) {
            Bubble caller = Bubble.ofCurrentThread();
            lock.lock();
            try {
                if (counter == 0 && waiters.isEmpty()) {
                    bubble = caller;
                } else if (bubble != caller) {
                    throw new Panic(bubble == Bubble.PROGRAM || caller == Bubble.PROGRAM
                            ? "sync: WaitGroup.Add called from inside and outside synctest bubble"
                            : "sync: WaitGroup.Add called from multiple synctest bubbles");
                }
                if (counter + delta < 0) {
                    throw new Panic("sync: negative WaitGroup counter");
                }
                counter += delta;
                if (counter == 0) {
                    waiters.forEach(waiter -> waiter.fire(0));
                    waiters.clear();
                }
            } finally {
                lock.unlock();
            }
        }

        public void done() {
            add(-1);
        }

        /** Blocks until the counter is zero. */
        public void await() {
            Parked parked;
            lock.lock();
            try {
                if (counter == 0) {
                    return;
                }
                parked = Parked.on(WAITGROUP_WAIT, bubble);
                waiters.add(parked);
            } finally {
                lock.unlock();
            }
            if (parked.await() == Parked.CANCELLED) {
                lock.lock();
                try {
                    waiters.remove(parked);
                } finally {
                    lock.unlock();
                }
                throw new Interrupted("WaitGroup.await");
            }
        }
    }

    // =====================================================================================================
    // Time: the real clock outside bubbles, a virtual clock in each bubble (Go's testing/synctest)
    // =====================================================================================================

    /*
     * Every timer, ticker and sleep is an Alarm on a Clock: an action to run at a given time. Outside bubbles the
     * clock is the real one, and one shared platform thread runs every alarm, so a timer costs no thread of its own.
     * In a bubble it is the bubble's virtual clock, as in Go's testing/synctest: it stands still while any goroutine
     * of the bubble runs, and when all of them are durably blocked the bubble moves it to the earliest alarm and runs
     * that (Bubble.drive). Timer, Ticker and sleep are written once, against Clock, and run on either.
     *
     * Scripts and the context port read the time only through now() and since(), never System.nanoTime() or
     * Instant.now(): so in a bubble everything a pattern does sees the virtual clock.
     */

    /** {@code time.Now()}: the real time outside bubbles; in a bubble, its virtual time (it starts at 2000-01-01T00:00:00Z). */
    public static Instant now() {
        Clock clock = Bubble.ofCurrentThread().clock;
        return clock.instant(clock.nanos());
    }

    /** {@code time.Since(t)}: how long ago t was, on the same clock as {@link #now}. */
    public static Duration since(Instant t) {
        return Duration.between(t, now());
    }

    /** {@code time.Sleep(d)}: blocks the goroutine for d (at once if d <= 0); an interrupt ends it with {@link Interrupted}. */
    public static void sleep(Duration duration) {
        long nanos = saturatedNanos(duration);
        if (nanos <= 0) {
            return;
        }
        G g = G.current();
        Parked parked = Parked.on(SLEEP, g.bubble);
        Alarm alarm = g.bubble.clock.schedule(nanos, null, due -> parked.fire(0));
        if (parked.await() == Parked.CANCELLED) {
            alarm.cancel();
            throw new Interrupted("sleep");
        }
    }

    /**
     * Go's {@code synctest.Wait()}: blocks until every other goroutine of the caller's bubble is durably blocked (so
     * that whatever they were going to do without more time passing is done). Only one goroutine of a bubble may
     * wait at a time. (Named after {@link WaitGroup#await}: Java's Object already has a wait().)
     */
    public static void awaitBlocked() {
        G g = G.current();
        if (g.bubble == Bubble.PROGRAM) {
            throw new Panic("goroutine is not in a bubble");
        }
        Parked parked = Parked.on(SYNCTEST_WAIT, g.bubble);
        if (!g.bubble.blockedWaiter.compareAndSet(null, parked)) {
            throw new Panic("wait already in progress");
        }
        if (parked.await() == Parked.CANCELLED) {
            g.bubble.blockedWaiter.compareAndSet(parked, null);
            throw new Interrupted("awaitBlocked");
        }
    }

    /** A clock that runs actions at given times, in nanoseconds on its own scale. */
    abstract static sealed class Clock permits RealClock, VirtualClock {
        /** The time now, in this clock's nanoseconds. */
        abstract long nanos();

        /** A time of this clock as an Instant. */
        abstract Instant instant(long nanos);

        /**
         * Runs the action {@code delay} nanoseconds from now (at once if delay <= 0), passing it the time it was due.
         * A ticker's tick names its ticker (null for any other alarm): a bubble needs that to tell a deadlock from a
         * ticker nobody listens to.
         */
        abstract Alarm schedule(long delay, Ticker ticker, LongConsumer action);
    }

    /** A scheduled action. Cancelling once it has started to run does nothing: its owner must tell it is stale. */
    interface Alarm {
        void cancel();
    }

    /** The real clock: System.nanoTime(), and one daemon platform thread that runs every alarm. */
    static final class RealClock extends Clock {
        static final RealClock INSTANCE = new RealClock();
        // now() is an Instant that never goes backwards: the wall clock when the helper loaded, plus nanoTime since.
        private static final Instant ORIGIN = Instant.now();
        private static final long ORIGIN_NANOS = System.nanoTime();

        private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "go-timers");
            thread.setDaemon(true);
            return thread;
        });

        private RealClock() {
            scheduler.setRemoveOnCancelPolicy(true); // a stopped timer is released at once, not when it would have fired
        }

        @Override
        long nanos() {
            return System.nanoTime();
        }

        @Override
        Instant instant(long nanos) {
            return ORIGIN.plusNanos(nanos - ORIGIN_NANOS);
        }

        // An alarm is pending in PROGRAM from now until its action has run or it is cancelled: the action may wake a
        // goroutine, so while it is pending the program is not deadlocked (Go's checkdead also gives up while a
        // timer is pending).
        @Override
        Alarm schedule(long delay, Ticker ticker, LongConsumer action) {
            long due = saturatedAdd(System.nanoTime(), Math.max(0, delay));
            // Whichever claims it first, the task or cancel, counts it out: exactly once. (FutureTask.cancel alone
            // cannot tell: it also succeeds while the task is running.)
            AtomicBoolean claimed = new AtomicBoolean();
            Bubble.PROGRAM.quiet.addAndGet(Bubble.PENDING);
            ScheduledFuture<?> scheduled = scheduler.schedule(() -> {
                if (claimed.compareAndSet(false, true)) {
                    try {
                        action.accept(due);
                    } finally {
                        Bubble.PROGRAM.timerDone();
                    }
                }
            }, due - System.nanoTime(), TimeUnit.NANOSECONDS);
            return () -> {
                if (claimed.compareAndSet(false, true)) {
                    scheduled.cancel(false);
                    Bubble.PROGRAM.timerDone(); // it will never run
                }
            };
        }
    }

    /**
     * A bubble's clock: it starts at midnight UTC, 2000-01-01, as Go's synctest does, and only the bubble moves it,
     * to the earliest alarm, when every goroutine of the bubble is durably blocked.
     */
    static final class VirtualClock extends Clock {
        static final long START = 946_684_800_000_000_000L; // 2000-01-01T00:00:00Z in nanoseconds since 1970

        private final ReentrantLock lock = new ReentrantLock();
        private volatile long now = START; // written under lock
        private final TreeSet<VirtualAlarm> alarms = new TreeSet<>(); // guarded by lock
        private long scheduled; // alarms ever scheduled: equal times run in the order they were scheduled

        final class VirtualAlarm implements Alarm, Comparable<VirtualAlarm> {
            final long due;
            final long order = scheduled++;
            final Ticker ticker; // the ticker whose tick this is, or null
            private final LongConsumer action;

            VirtualAlarm(long due, Ticker ticker, LongConsumer action) {
                this.due = due;
                this.ticker = ticker;
                this.action = action;
            }

            void run() {
                action.accept(due);
            }

            @Override
            public void cancel() {
                lock.lock();
                try {
                    alarms.remove(this);
                } finally {
                    lock.unlock();
                }
            }

            @Override
            public int compareTo(VirtualAlarm other) {
                int byTime = Long.compare(due, other.due);
                return byTime != 0 ? byTime : Long.compare(order, other.order);
            }
        }

        @Override
        long nanos() {
            return now;
        }

        @Override
        Instant instant(long nanos) {
            return Instant.ofEpochSecond(0, nanos);
        }

        @Override
        Alarm schedule(long delay, Ticker ticker, LongConsumer action) {
            lock.lock();
            try {
                VirtualAlarm alarm = new VirtualAlarm(saturatedAdd(now, Math.max(0, delay)), ticker, action);
                alarms.add(alarm);
                return alarm;
            } finally {
                lock.unlock();
            }
        }

        /** Removes the alarms due now, earliest first, for the caller to run outside the lock. */
        List<VirtualAlarm> takeDue() {
            lock.lock();
            try {
                List<VirtualAlarm> due = new ArrayList<>();
                while (!alarms.isEmpty() && alarms.first().due <= now) {
                    due.add(alarms.pollFirst());
                }
                return due;
            } finally {
                lock.unlock();
            }
        }

        /** Moves the time to the earliest alarm; false if there is none. */
        boolean advance() {
            lock.lock();
            try {
                if (alarms.isEmpty()) {
                    return false;
                }
                now = alarms.first().due;
                return true;
            } finally {
                lock.unlock();
            }
        }

        /** True if an alarm is due now. */
        boolean anyDue() {
            lock.lock();
            try {
                return !alarms.isEmpty() && alarms.first().due <= now;
            } finally {
                lock.unlock();
            }
        }

        /** True if every alarm left is a tick of one of these tickers (or none is left). */
        boolean onlyTicksOf(Set<Ticker> tickers) {
            lock.lock();
            try {
                return alarms.stream().allMatch(alarm -> alarm.ticker != null && tickers.contains(alarm.ticker));
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * The number of timers and tickers that have neither fired (timers) nor been stopped: those of the caller's bubble,
     * or outside bubbles those of the program.
     */
    public static int timers() {
        return Bubble.ofCurrentThread().timers.get();
    }

    /** A duration in nanoseconds, capped at about 292 years, the longest a Go Duration can be. */
    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException tooLong) {
            return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    private static long saturatedAdd(long a, long b) {
        try {
            return Math.addExact(a, b);
        } catch (ArithmeticException beyondAnyLifetime) {
            return b > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
    }

    private static long saturatedMultiply(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException beyondAnyLifetime) {
            return Long.MAX_VALUE; // only used with positive factors
        }
    }

    /** Go's panic for a bubble's timer or ticker used from outside it. */
    private static void checkTimerBubble(Bubble owner) {
        Bubble caller = Bubble.ofCurrentThread();
        if (owner != Bubble.PROGRAM && caller != owner) {
            throw new Panic(caller == Bubble.PROGRAM ? "synctest timer accessed from outside bubble"
                    : "timer moved between synctest bubbles");
        }
    }

    /**
     * Go's {@code *time.Timer}: fires once, after its duration, unless stopped first. As since Go 1.23, its channel
     * holds no stale value: after {@code stop()} or {@code reset()} returns, no time sent before that call can be
     * received (a time not yet received is taken back, and stop then returns true), and {@code len()} and
     * {@code cap()} of the channel are 0. The time sent is the time the timer was due.
     */
    public static final class Timer {
        private final Bubble bubble = Bubble.ofCurrentThread();
        private final Clock clock = bubble.clock;
        private final Chan<Instant> c;    // where it sends the time; null for an afterFunc timer
        private final Runnable afterFunc; // what it runs instead; null for a channel timer
        // Held while it fires, so that stop() and reset() wait for a firing in progress and then take its time back.
        private final ReentrantLock lock = new ReentrantLock();
        private boolean armed;   // guarded by lock
        private long generation; // guarded by lock: an alarm of an earlier generation is stale and does nothing
        private Alarm alarm;     // guarded by lock

        private Timer(Duration delay, Chan<Instant> c, Runnable afterFunc) {
            this.c = c;
            this.afterFunc = afterFunc;
            lock.lock();
            try {
                arm(delay);
            } finally {
                lock.unlock();
            }
        }

        private void arm(Duration delay) {
            long gen = ++generation;
            armed = true;
            bubble.timers.incrementAndGet();
            alarm = clock.schedule(saturatedNanos(delay), null, due -> fire(gen, due));
        }

        private void fire(long gen, long due) {
            lock.lock();
            try {
                if (gen != generation || !armed) {
                    return; // stopped or reset after this alarm was taken to run
                }
                armed = false;
                bubble.timers.decrementAndGet();
                if (c != null) {
                    c.trySend(clock.instant(due)); // never blocks: stop and reset leave the buffer empty
                } else {
                    afterFunc.run();
                }
            } finally {
                lock.unlock();
            }
        }

        /** The channel on which the time is delivered when the timer fires (null for an afterFunc timer). */
        public ReceiveOnly<Instant> c() {
            return c;
        }

        /** Stops the timer; true if that prevented it from firing (or took back a time nobody had received). */
        public boolean stop() {
            checkTimerBubble(bubble);
            lock.lock();
            try {
                return disarm();
            } finally {
                lock.unlock();
            }
        }

        /**
         * Makes the timer fire after d from now, as a new one would: true if it was still going to fire (Go's
         * {@code Reset}). No time sent before the call is received after it.
         */
        public boolean reset(Duration d) {
            checkTimerBubble(bubble);
            lock.lock();
            try {
                boolean wasArmed = disarm();
                arm(d);
                return wasArmed;
            } finally {
                lock.unlock();
            }
        }

        private boolean disarm() {
            boolean wasArmed = armed;
            generation++;
            if (armed) {
                armed = false;
                bubble.timers.decrementAndGet();
                alarm.cancel();
            }
            return (c != null && c.drain()) || wasArmed;
        }
    }

    /** {@code time.NewTimer(d)}: sends the time on {@code c()} after d. */
    public static Timer newTimer(Duration delay) {
        return new Timer(delay, Chan.forTimer(), null);
    }

    /** {@code time.After(d)}: a channel that receives the time once, after d. */
    public static ReceiveOnly<Instant> after(Duration delay) {
        return newTimer(delay).c();
    }

    /** {@code time.AfterFunc(d, f)}: runs f in its own goroutine after d, unless the timer is stopped first. */
    public static Timer afterFunc(Duration delay, Runnable f) {
        G caller = G.current();
        StackWalker.StackFrame call = goCall(f);
        return new Timer(delay, null, () -> start(f, caller.bubble, caller.id, call, false));
    }

    /**
     * Go's {@code *time.Ticker}: sends the time every period until stopped, dropping ticks a slow reader misses. As
     * since Go 1.23, no tick sent before {@code stop()} or {@code reset()} is received after it.
     */
    public static final class Ticker {
        private final Bubble bubble = Bubble.ofCurrentThread();
        private final Clock clock = bubble.clock;
        private final Chan<Instant> c = Chan.forTimer();
        private final ReentrantLock lock = new ReentrantLock();
        private boolean armed;   // guarded by lock
        private long generation; // guarded by lock
        private long period;     // guarded by lock
        private Alarm nextTick;  // guarded by lock

        private Ticker(Duration period) {
            lock.lock();
            try {
                arm(checkedPeriod(period, "non-positive interval for NewTicker"));
            } finally {
                lock.unlock();
            }
        }

        private static Duration checkedPeriod(Duration period, String complaint) {
            if (period.isNegative() || period.isZero()) {
                throw new Panic(complaint);
            }
            return period;
        }

        private void arm(Duration period) {
            this.period = saturatedNanos(period);
            long gen = ++generation;
            if (!armed) {
                armed = true;
                bubble.timers.incrementAndGet();
            }
            nextTick = clock.schedule(this.period, this, due -> tick(gen, due));
        }

        // The next tick is, as in Go's runtime/time.go, the first period boundary after now: a ticker that has fallen
        // behind skips ticks, instead of staying at the head of the timer queue and starving every other timer (which
        // scheduleAtFixedRate would do). On a virtual clock a tick is never late.
        private void tick(long gen, long due) {
            lock.lock();
            try {
                if (gen != generation || !armed) {
                    return;
                }
                c.trySend(clock.instant(due)); // drops the tick if the last one is still unread
                long now = clock.nanos();
                long late = Math.max(0, now - due);
                long next = saturatedAdd(due, saturatedMultiply(period, 1 + late / period));
                nextTick = clock.schedule(next - now, this, nextDue -> tick(gen, nextDue));
            } finally {
                lock.unlock();
            }
        }

        public ReceiveOnly<Instant> c() {
            return c;
        }

        /** Stops the ticker; no more ticks are sent, and an unread one is taken back. Like Go, it does not close the channel. */
        public void stop() {
            checkTimerBubble(bubble);
            lock.lock();
            try {
                disarm();
                if (armed) {
                    armed = false;
                    bubble.timers.decrementAndGet();
                }
            } finally {
                lock.unlock();
            }
        }

        /** Go's {@code Ticker.Reset(d)}: the ticker goes on (or again) with period d, the next tick d from now. */
        public void reset(Duration period) {
            checkTimerBubble(bubble);
            lock.lock();
            try {
                checkedPeriod(period, "non-positive interval for Ticker.Reset"); // before it stops: a bad reset changes nothing
                disarm();
                arm(period);
            } finally {
                lock.unlock();
            }
        }

        private void disarm() {
            generation++;
            if (nextTick != null) {
                nextTick.cancel();
                nextTick = null;
            }
            c.drain();
        }
    }

    /** {@code time.NewTicker(d)}. Go's {@code time.Tick} is left out: here a ticker nobody can stop runs forever. */
    public static Ticker newTicker(Duration period) {
        return new Ticker(period);
    }

    // =====================================================================================================
    // Tracing: which goroutine sent what to whom, for the diagrams Script draws
    // =====================================================================================================

    /**
     * Records what goroutines do with channels, when {@code -Dgochan.trace=FILE} or {@code GOCHAN_TRACE=FILE} is
     * set; Script writes it to FILE as diagrams when the program ends.
     *
     * <p>Free when off: ON is a static final, read once when the helper loads, so the JIT drops every
     * {@code if (Trace.ON)} from the compiled code (an option parsed by the script, later, could not be folded
     * away). When on, it keeps counts of everything, folded by the line of code (a channel's {@code make}, a
     * goroutine's {@code go}), and the first TIMELINE events in order: its memory is bounded however long the
     * program runs. The hooks on a channel run under the channel's lock, and each buffer slot remembers who filled
     * it, so every value is paired with its sender and its receiver.
     */
    static final class Trace {
        static final String FILE = System.getProperty("gochan.trace", System.getenv("GOCHAN_TRACE"));
        static final boolean ON = FILE != null && !FILE.isBlank();
        static final int TIMELINE = 400;
        static final Object TIMER = "timer"; // the sender on a timer's or ticker's channel
        private static final long START = System.nanoTime();

        /** Goroutines started by one go call (or main, the timers, another thread): one node of the topology. */
        static final class Group {
            final String key; // "go FanIn.primeFinder FanIn.java:66", "main", "timer", "thread HttpClient-N"
            final StackTraceElement goCall; // null but for goroutines
            final LongAdder started = new LongAdder();
            final LongAdder ended = new LongAdder();
            final Map<String, LongAdder> blocked = new ConcurrentHashMap<>(); // by Go's wait reason

            Group(String key, StackTraceElement goCall) {
                this.key = key;
                this.goCall = goCall;
            }
        }

        /** The channels made on one line: one arrow (or one done-style node) of the topology. */
        static final class ChanSite {
            final StackTraceElement made; // the user's line; null if none (made by the JDK's threads)
            final boolean timer;
            final Set<Integer> capacities = ConcurrentHashMap.newKeySet();
            final LongAdder channels = new LongAdder();
            final LongAdder closes = new LongAdder();
            final Map<List<Group>, LongAdder> carried = new ConcurrentHashMap<>(); // [from, to] -> values
            final Set<Group> closers = ConcurrentHashMap.newKeySet();
            final Set<Group> sawClosed = ConcurrentHashMap.newKeySet();
            final Set<Group> listeners = ConcurrentHashMap.newKeySet(); // had it in a select's receive case

            ChanSite(StackTraceElement made, boolean timer) {
                this.made = made;
                this.timer = timer;
            }
        }

        /** One channel's part. Called under the channel's lock, except for the constructor. */
        static final class OfChan {
            final ChanSite site;
            final Bubble bubble;
            private final Object[] slotSenders; // who filled each slot of the buffer

            OfChan(Bubble bubble, int capacity, boolean timer) {
                StackWalker.StackFrame caller = callerOfHelper();
                StackTraceElement made = caller == null ? null : caller.toStackTraceElement();
                String key = (timer ? "timer " : "") + made;
                this.site = sites.computeIfAbsent(key, k -> new ChanSite(made, timer));
                this.bubble = bubble;
                this.slotSenders = new Object[capacity];
                site.capacities.add(timer ? 0 : capacity);
                site.channels.increment();
            }

            void handedOver(Object from, Object to, Object value) {
                site.carried.computeIfAbsent(List.of(groupOf(from), groupOf(to)), k -> new LongAdder()).increment();
                log(VALUE, bubble, from, to, this, value);
            }

            void buffered(int slot, Object from) {
                slotSenders[slot] = from;
            }

            void unbuffered(int slot, Object to, Object value) {
                Object from = slotSenders[slot];
                slotSenders[slot] = null;
                handedOver(from, to, value);
            }

            void closed(Object by) {
                site.closes.increment();
                site.closers.add(groupOf(by));
                log(CLOSE, bubble, by, null, this, null);
            }

            void sawClosed(Object by) {
                site.sawClosed.add(groupOf(by));
                log(SAW_CLOSED, bubble, by, null, this, null);
            }
        }

        static final Map<String, Group> groups = new ConcurrentHashMap<>();
        static final Map<String, ChanSite> sites = new ConcurrentHashMap<>();

        // ---- the timeline: the first events, in the order they happened ----

        static final int GO = 0, VALUE = 1, CLOSE = 2, SAW_CLOSED = 3, SELECT = 4;

        /**
         * One event: from and to are actors (a G, TIMER, or a Thread the helper has no G for); a GO event's from is
         * the creator's goroutine id; at is in nanoseconds since the trace started, or since the bubble's clock did.
         */
        record Event(int kind, long at, boolean virtual, Object from, Object to, OfChan chan, Object detail) {}

        private static final AtomicReferenceArray<Event> timeline = new AtomicReferenceArray<>(TIMELINE);
        private static final AtomicInteger logged = new AtomicInteger();
        static final LongAdder events = new LongAdder(); // all of them, kept or not

        private static void log(int kind, Bubble bubble, Object from, Object to, OfChan chan, Object detail) {
            events.increment();
            if (logged.get() < TIMELINE) { // checked first, so that the counter never overflows
                int i = logged.getAndIncrement();
                if (i < TIMELINE) {
                    boolean virtual = bubble != Bubble.PROGRAM;
                    long at = virtual ? bubble.clock.nanos() - VirtualClock.START : System.nanoTime() - START;
                    timeline.set(i, new Event(kind, at, virtual, from, to, chan, detail));
                }
            }
        }

        /** The events kept, in order; read once every goroutine has ended. */
        static List<Event> timeline() {
            List<Event> kept = new ArrayList<>();
            for (int i = 0; i < Math.min(logged.get(), TIMELINE); i++) {
                Event e = timeline.get(i);
                if (e != null) {
                    kept.add(e);
                }
            }
            return kept;
        }

        // ---- who is acting ----

        /** The calling thread as an actor: its G if the helper has one (a goroutine, main), else the thread. */
        static Object current() {
            Thread thread = Thread.currentThread();
            G g = G.all.get(thread);
            if (g == null) {
                g = G.otherThreads.get(); // G.current() would make one, and number it: ids must stay as untraced
            }
            return g != null ? g : thread;
        }

        /** Who sends on the channel: a timer's channel is sent to by its timer, whichever thread runs it. */
        static Object sender(Chan<?> channel) {
            return channel.timer ? TIMER : current();
        }

        static Group groupOf(Object actor) {
            if (actor instanceof G g) {
                Group group = g.traceGroup;
                if (group == null) { // a benign race: both compute the same group
                    g.traceGroup = group = g.id == 1 ? group("main", null)
                            : g.goroutine ? goGroup(g.goCall) : threadGroup(g.thread);
                }
                return group;
            }
            return actor instanceof Thread thread ? threadGroup(thread) : group("timer", null);
        }

        private static Group goGroup(StackWalker.StackFrame goCall) {
            if (goCall == null) {
                return group("go ?", null);
            }
            StackTraceElement call = goCall.toStackTraceElement();
            return group("go " + call.getClassName() + "." + call.getMethodName() + " " + call.getFileName() + ":"
                    + call.getLineNumber(), call);
        }

        private static Group threadGroup(Thread thread) {
            return group("thread " + thread.getName().replaceAll("\\d+", "N"), null); // one node per pool
        }

        private static Group group(String key, StackTraceElement goCall) {
            return groups.computeIfAbsent(key, k -> new Group(k, goCall));
        }

        // ---- the hooks outside channels ----

        static void started(G g, boolean bubbleRoot) {
            if (bubbleRoot) {
                g.traceGroup = group("main", null); // the script's main, run in a bubble (GOCHAN_TIME=virtual)
            }
            groupOf(g).started.increment();
            log(GO, g.bubble, g.creator, g, null, null);
        }

        static void ended(G g) {
            groupOf(g).ended.increment();
        }

        static void blocked(G g, String reason) {
            groupOf(g).blocked.computeIfAbsent(reason, r -> new LongAdder()).increment();
        }

        /** A select chose a case: its receive cases make the caller a listener of their channels. */
        static void selected(Case<?>[] cases, int chosen) {
            Object me = current();
            Group group = groupOf(me);
            for (Case<?> c : cases) {
                if (c.kind == Case.Kind.RECEIVE && c.channel != null) {
                    c.channel.trace.site.listeners.add(group);
                }
            }
            Case<?> c = cases[chosen];
            log(SELECT, c.channel == null ? Bubble.ofCurrentThread() : c.channel.bubble, me, null,
                    c.channel == null ? null : c.channel.trace, c.kind.name());
        }
    }
}
