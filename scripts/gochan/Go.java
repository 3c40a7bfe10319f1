package gochan;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;

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
 * </ul>
 */
public final class Go {
    private Go() {}

    /*
     * Implementation notes, following Go's runtime (src/runtime/chan.go and select.go).
     *
     * Every channel has one lock, a ring buffer and two wait queues: blocked senders (sendq) and blocked receivers
     * (recvq). A blocked operation is a Waiter in one of those queues (Go's sudog). Invariants, true whenever the
     * channel's lock is free, where a "live" waiter is one whose Parked.state is still WAITING:
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
     * global order (increasing Chan.id) so that two selects cannot deadlock each other.
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
        final ReentrantLock lock = new ReentrantLock();
        final WaitQueue sendq = new WaitQueue();
        final WaitQueue recvq = new WaitQueue();
        private final Object[] buffer; // a ring of count values starting at head
        private int head;
        private int count;
        private boolean closed;

        private Chan(int capacity) {
            if (capacity < 0) {
                throw new Panic("makechan: size out of range (negative buffer size " + capacity + ")"); // Go's message, and the size
            }
            buffer = new Object[capacity];
        }

        // ---- the steps shared by plain operations and select; the channel must be locked ----

        /** Hands the value to a waiting receiver, or buffers it. False if the send would block. */
        boolean trySendLocked(T value) {
            if (closed) {
                throw new Panic("send on closed channel");
            }
            // A receiver is waiting: the buffer is empty, so give it the value directly.
            for (Waiter receiver; (receiver = recvq.poll()) != null; ) {
                receiver.elem = value;
                if (receiver.fire(true)) {
                    return true;
                }
            }
            if (count < buffer.length) {
                buffer[(head + count) % buffer.length] = value;
                count++;
                return true;
            }
            return false;
        }

        /** Returns a value, or CLOSED (closed and drained), or NOT_READY (the receive would block). */
        Object tryReceiveLocked() {
            if (closed && count == 0) {
                return CLOSED;
            }
            // A sender is waiting, so the buffer is full (or there is none). Take the oldest value and move the
            // sender's value into the freed slot, which keeps both the order and the invariants.
            for (Waiter sender; (sender = sendq.poll()) != null; ) {
                if (sender.fire(true)) {
                    if (buffer.length == 0) {
                        return sender.elem;
                    }
                    Object oldest = takeFromBuffer();
                    buffer[(head + count) % buffer.length] = sender.elem;
                    count++;
                    return oldest;
                }
            }
            return count > 0 ? takeFromBuffer() : NOT_READY;
        }

        private Object takeFromBuffer() {
            Object value = buffer[head];
            buffer[head] = null; // let the value be collected
            head = (head + 1) % buffer.length;
            count--;
            return value;
        }

        // ---- Go's operations ----

        @Override
        public void send(T value) {
            Waiter waiter;
            lock.lock();
            try {
                if (trySendLocked(value)) {
                    return;
                }
                waiter = new Waiter(new Parked(), this, 0, value); // only a blocking send allocates
                sendq.enqueue(waiter);
            } finally {
                lock.unlock();
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
            Waiter waiter;
            lock.lock();
            try {
                Object got = tryReceiveLocked();
                if (got != NOT_READY) {
                    return got;
                }
                waiter = new Waiter(new Parked(), this, 0, null); // only a blocking receive allocates
                recvq.enqueue(waiter);
            } finally {
                lock.unlock();
            }
            if (waiter.parked.await() == Parked.CANCELLED) {
                dequeue(waiter);
                throw new Interrupted("receive");
            }
            return waiter.ok ? waiter.elem : CLOSED;
        }

        /** Go's non-blocking send ({@code select} with a default case), used by timers. */
        boolean trySend(T value) {
            lock.lock();
            try {
                return trySendLocked(value);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            lock.lock();
            try {
                if (closed) {
                    throw new Panic("close of closed channel");
                }
                closed = true;
                // Release every waiter: receivers get (null, false), senders wake up to panic.
                for (Waiter receiver; (receiver = recvq.poll()) != null; ) {
                    receiver.elem = null;
                    receiver.fire(false);
                }
                for (Waiter sender; (sender = sendq.poll()) != null; ) {
                    sender.fire(false);
                }
            } finally {
                lock.unlock();
            }
        }

        private void dequeue(Waiter waiter) {
            lock.lock();
            try {
                if (waiter.queue != null) { // null: a waker has dequeued it already
                    waiter.queue.remove(waiter);
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public int len() {
            lock.lock();
            try {
                return count;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public int cap() {
            return buffer.length;
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

    /** One blocked goroutine. A plain operation has one Waiter on it; a select has one per case. */
    static final class Parked {
        static final int WAITING = -1;
        static final int CANCELLED = -2;

        final Thread thread = Thread.currentThread();
        /** WAITING, then exactly once either the index of the case that fired or CANCELLED. */
        final AtomicInteger state = new AtomicInteger(WAITING);

        /**
         * Parks until a waker fires one of our waiters, and returns that case's index; or returns CANCELLED if the
         * thread was interrupted first (the caller must then dequeue its waiters). The interrupt flag stays set.
         */
        int await() {
            while (true) {
                int fired = state.get();
                if (fired != WAITING) {
                    return fired; // the waker wrote the result before its compare-and-set, so it is visible here
                }
                if (Thread.interrupted()) {
                    state.compareAndSet(WAITING, CANCELLED); // if this loses, a case fired: report it instead
                    thread.interrupt();
                    return state.get();
                }
                LockSupport.park(this);
            }
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
            if (!parked.state.compareAndSet(Parked.WAITING, caseIndex)) {
                return false; // another case of its select fired first, or it was interrupted
            }
            // Go wakes the goroutine after unlocking the channel. Here it is woken at once, which is simpler and
            // costs only this: a woken select goes on to lock its channels (pass 3), and may wait for our lock.
            LockSupport.unpark(parked.thread);
            return true;
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
    private static void blockForever(String operation) {
        new Parked().await(); // nobody can ever fire it, so it returns only when interrupted
        throw new Interrupted(operation);
    }

    // =====================================================================================================
    // Operations that accept Go's nil channel (null)
    // =====================================================================================================

    /** {@code ch <- v}, where a nil channel blocks forever. */
    public static <T> void send(SendOnly<T> ch, T value) {
        if (ch == null) {
            blockForever("send on nil channel");
        }
        ch.send(value);
    }

    /** {@code <-ch}, where a nil channel blocks forever. */
    public static <T> T receive(ReceiveOnly<T> ch) {
        if (ch == null) {
            blockForever("receive from nil channel");
        }
        return ch.receive();
    }

    /** {@code v, ok := <-ch}, where a nil channel blocks forever. */
    public static <T> Received<T> receiveOk(ReceiveOnly<T> ch) {
        if (ch == null) {
            blockForever("receive from nil channel");
        }
        return ch.receiveOk();
    }

    /** {@code for v := range ch}, where ranging over a nil channel blocks forever. */
    public static <T> Iterable<T> range(ReceiveOnly<T> ch) {
        if (ch == null) {
            return () -> {
                blockForever("range over nil channel");
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

    /** One case of a select: make it with {@link #onReceive}, {@link #onSend} or {@link #onDefault}. */
    public static final class Case {
        private enum Kind { RECEIVE, SEND, DEFAULT }

        private final Kind kind;
        private final Chan<?> channel; // null: Go's nil channel, never ready
        private final Object value;

        private Case(Kind kind, Chan<?> channel, Object value) {
            this.kind = kind;
            this.channel = channel;
            this.value = value;
        }
    }

    /** {@code case v, ok := <-ch:}. */
    public static Case onReceive(ReceiveOnly<?> ch) {
        return new Case(Case.Kind.RECEIVE, (Chan<?>) ch, null);
    }

    /** {@code case ch <- value:}. */
    public static <T> Case onSend(SendOnly<T> ch, T value) {
        return new Case(Case.Kind.SEND, (Chan<?>) ch, value);
    }

    /** {@code default:}. At most one per select. */
    public static Case onDefault() {
        return new Case(Case.Kind.DEFAULT, null, null);
    }

    /** Which case of a select fired: its position in the argument list, and for a receive the value and ok. */
    public static final class Selected {
        private final int index;
        private final Object value;
        private final boolean ok;

        private Selected(int index, Object value, boolean ok) {
            this.index = index;
            this.value = value;
            this.ok = ok;
        }

        /** The position of the case that fired, counting from 0 in the order the cases were given. */
        public int index() {
            return index;
        }

        /** The value a receive case got (null for a send, the default, or a closed channel). */
        @SuppressWarnings("unchecked")
        public <T> T value() {
            return (T) value; // typed by the caller, like the v in Go's "case v := <-ch"
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
    public static Selected select(Case... cases) {
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
                // Fisher-Yates, inside out: a uniformly random order of the cases that can ever be ready.
                int j = random.nextInt(polled + 1);
                pollOrder[polled] = pollOrder[j];
                pollOrder[j] = i;
                polled++;
            }
        }
        if (polled == 0) {
            if (defaultIndex >= 0) {
                return new Selected(defaultIndex, null, false);
            }
            blockForever("select"); // no cases, or only nil channels: Go blocks forever
        }
        Chan<?>[] lockOrder = lockOrder(cases);
        Waiter[] waiters;
        Parked parked;

        lockAll(lockOrder);
        try {
            // Pass 1: take the first ready case, in random order.
            for (int p = 0; p < polled; p++) {
                int i = pollOrder[p];
                Case c = cases[i];
                if (c.kind == Case.Kind.SEND) {
                    if (sendLocked(c.channel, c.value)) {
                        return new Selected(i, null, true);
                    }
                } else {
                    Object got = c.channel.tryReceiveLocked();
                    if (got != NOT_READY) {
                        return got == CLOSED ? new Selected(i, null, false) : new Selected(i, got, true);
                    }
                }
            }
            if (defaultIndex >= 0) {
                return new Selected(defaultIndex, null, false);
            }
            // Pass 2: nothing is ready; enqueue one waiter per case, all sharing one Parked. As in plain send and
            // receive, only an operation that blocks allocates waiters.
            parked = new Parked();
            waiters = new Waiter[cases.length];
            for (int p = 0; p < polled; p++) {
                int i = pollOrder[p];
                Case c = cases[i];
                waiters[i] = new Waiter(parked, c.channel, i, c.value);
                (c.kind == Case.Kind.SEND ? c.channel.sendq : c.channel.recvq).enqueue(waiters[i]);
            }
        } finally {
            unlockAll(lockOrder);
        }

        int fired = parked.await();

        // Pass 3: dequeue the waiters of the cases that lost (the one that fired was dequeued by its waker).
        lockAll(lockOrder);
        try {
            for (Waiter waiter : waiters) {
                if (waiter != null) {
                    if (waiter.queue != null) { // null: a waker has dequeued it already
                    waiter.queue.remove(waiter);
                }
                }
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
            return new Selected(fired, null, true);
        }
        return new Selected(fired, winner.ok ? winner.elem : null, winner.ok);
    }

    @SuppressWarnings("unchecked")
    private static boolean sendLocked(Chan<?> channel, Object value) {
        return ((Chan<Object>) channel).trySendLocked(value);
    }

    /** The distinct channels of the cases, sorted by id: the one order in which every select locks. */
    private static Chan<?>[] lockOrder(Case[] cases) {
        Chan<?>[] channels = new Chan<?>[cases.length];
        int n = 0;
        next:
        for (Case c : cases) {
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
            channel.lock.lock();
        }
    }

    private static void unlockAll(Chan<?>[] channels) {
        for (int i = channels.length - 1; i >= 0; i--) {
            channels[i].lock.unlock();
        }
    }

    // =====================================================================================================
    // Goroutines
    // =====================================================================================================

    private static final AtomicLong goroutineIds = new AtomicLong();
    private static final Set<Thread> liveGoroutines = ConcurrentHashMap.newKeySet();
    private static final ReentrantLock goroutineExitLock = new ReentrantLock();
    private static final Condition goroutineExited = goroutineExitLock.newCondition();
    private static final AtomicInteger goroutineWatchers = new AtomicInteger();
    private static volatile BiConsumer<Thread, Throwable> panicHandler = Go::printPanicAndExit;

    /** {@code go f()}: runs the body in a new virtual thread, named "goroutine-N". */
    public static Thread go(Runnable body) {
        Thread goroutine = Thread.ofVirtual()
                .name("goroutine-" + goroutineIds.incrementAndGet())
                .unstarted(() -> runGoroutine(body));
        liveGoroutines.add(goroutine); // before start, so that goroutines() counts it as soon as go returns
        goroutine.start();
        return goroutine;
    }

    private static void runGoroutine(Runnable body) {
        try {
            body.run();
        } catch (Throwable panic) {
            panicHandler.accept(Thread.currentThread(), panic);
        } finally {
            liveGoroutines.remove(Thread.currentThread());
            // Only awaitGoroutines needs the signal, so skip the lock when nobody waits. No wake-up is lost: this
            // thread removes itself and then reads the watcher count, while a watcher counts itself and then reads
            // the set's size; both are volatile, so at least one of the two sees the other's write.
            if (goroutineWatchers.get() > 0) {
                goroutineExitLock.lock();
                try {
                    goroutineExited.signalAll();
                } finally {
                    goroutineExitLock.unlock();
                }
            }
        }
    }

    /** The number of goroutines started by {@link #go} that have not ended yet. */
    public static int goroutines() {
        return liveGoroutines.size();
    }

    /**
     * Parks until at most {@code count} goroutines are running. After the timeout it throws an
     * IllegalStateException that names each goroutine still running, with its stack.
     */
    public static void awaitGoroutines(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        goroutineExitLock.lock();
        goroutineWatchers.incrementAndGet();
        try {
            while (liveGoroutines.size() > count) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw new IllegalStateException(describeGoroutines(count, timeout));
                }
                goroutineExited.awaitNanos(remaining);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Interrupted("awaitGoroutines");
        } finally {
            goroutineWatchers.decrementAndGet();
            goroutineExitLock.unlock();
        }
    }

    private static String describeGoroutines(int expected, Duration timeout) {
        List<Thread> running = List.copyOf(liveGoroutines);
        StringBuilder report = new StringBuilder(running.size() + " goroutines still running after " + timeout
                + " (expected at most " + expected + "):");
        for (Thread goroutine : running) {
            report.append("\n\n").append(goroutine.getName()).append(" [").append(goroutine.getState()).append("]:");
            for (StackTraceElement frame : goroutine.getStackTrace()) {
                report.append("\n\tat ").append(frame);
            }
        }
        return report.toString();
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

    /** {@code runtime.NumCPU()}. */
    public static int numCPU() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** {@code time.Sleep(d)}; an interrupt ends it with {@link Interrupted}. */
    public static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Interrupted("sleep");
        }
    }

    // =====================================================================================================
    // sync.WaitGroup
    // =====================================================================================================

    /** Go's {@code sync.WaitGroup}. Its Wait is {@code await()}, because Java's Object already has a wait(). */
    public static final class WaitGroup {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition zero = lock.newCondition();
        private int counter;

        public void add(int delta) {
            lock.lock();
            try {
                if (counter + delta < 0) {
                    throw new Panic("sync: negative WaitGroup counter");
                }
                counter += delta;
                if (counter == 0) {
                    zero.signalAll();
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
            lock.lock();
            try {
                while (counter > 0) {
                    zero.await();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Interrupted("WaitGroup.await");
            } finally {
                lock.unlock();
            }
        }
    }

    // =====================================================================================================
    // Timers: one shared platform thread schedules them all, so a timer costs no thread of its own
    // =====================================================================================================

    private static final ScheduledThreadPoolExecutor timerScheduler = newTimerScheduler();
    private static final AtomicInteger liveTimers = new AtomicInteger();

    private static ScheduledThreadPoolExecutor newTimerScheduler() {
        var scheduler = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "go-timers");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.setRemoveOnCancelPolicy(true); // a stopped timer is released at once, not when it would have fired
        return scheduler;
    }

    /** The number of timers and tickers that have neither fired (timers) nor been stopped. */
    public static int timers() {
        return liveTimers.get();
    }

    /** A duration in nanoseconds, capped at about 292 years, the longest a Go Duration can be. */
    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException tooLong) {
            return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /**
     * Go's {@code *time.Timer}: fires once, after its duration, unless stopped first. Its channel has a buffer of one,
     * as before Go 1.23: a time that was sent but not yet received stays there after {@code stop()}, which then
     * returns false. (Go 1.23 made timer channels unbuffered, so that nothing stale is received after Stop.)
     */
    public static final class Timer {
        private final AtomicBoolean live = new AtomicBoolean(true);
        private final Chan<Instant> c;
        private final ScheduledFuture<?> scheduled;

        private Timer(Duration delay, Runnable onFire, Chan<Instant> c) {
            this.c = c;
            long nanos = Math.max(0, saturatedNanos(delay)); // computed first: a failure here must not count a timer
            liveTimers.incrementAndGet();
            this.scheduled = timerScheduler.schedule(() -> {
                if (live.compareAndSet(true, false)) {
                    liveTimers.decrementAndGet();
                    onFire.run();
                }
            }, nanos, TimeUnit.NANOSECONDS);
        }

        /** The channel on which the time is delivered when the timer fires (null for an afterFunc timer). */
        public ReceiveOnly<Instant> c() {
            return c;
        }

        /** Stops the timer; true if that prevented it from firing. */
        public boolean stop() {
            if (!live.compareAndSet(true, false)) {
                return false;
            }
            liveTimers.decrementAndGet();
            scheduled.cancel(false);
            return true;
        }
    }

    /** {@code time.NewTimer(d)}: sends the current time on {@code c()} after d. */
    public static Timer newTimer(Duration delay) {
        Chan<Instant> c = make(1); // buffered, so the timer never blocks on a receiver that went away
        return new Timer(delay, () -> c.trySend(Instant.now()), c);
    }

    /** {@code time.After(d)}: a channel that receives the current time once, after d. */
    public static ReceiveOnly<Instant> after(Duration delay) {
        return newTimer(delay).c();
    }

    /** {@code time.AfterFunc(d, f)}: runs f in its own goroutine after d, unless the timer is stopped first. */
    public static Timer afterFunc(Duration delay, Runnable f) {
        return new Timer(delay, () -> go(f), null);
    }

    /** Go's {@code *time.Ticker}: sends the time every period until stopped, dropping ticks a slow reader misses. */
    public static final class Ticker {
        private final AtomicBoolean live = new AtomicBoolean(true);
        private final Chan<Instant> c = make(1);
        private final ScheduledFuture<?> scheduled;

        private Ticker(Duration period) {
            if (period.isNegative() || period.isZero()) {
                throw new Panic("non-positive interval for NewTicker");
            }
            long nanos = saturatedNanos(period);
            liveTimers.incrementAndGet();
            scheduled = timerScheduler.scheduleAtFixedRate(
                    () -> c.trySend(Instant.now()), nanos, nanos, TimeUnit.NANOSECONDS);
        }

        public ReceiveOnly<Instant> c() {
            return c;
        }

        /** Stops the ticker; no more ticks are sent. Like Go, it does not close the channel. */
        public void stop() {
            if (live.compareAndSet(true, false)) {
                liveTimers.decrementAndGet();
                scheduled.cancel(false);
            }
        }
    }

    /** {@code time.NewTicker(d)}. Go's {@code time.Tick} is left out: here a ticker nobody can stop runs forever. */
    public static Ticker newTicker(Duration period) {
        return new Ticker(period);
    }
}
