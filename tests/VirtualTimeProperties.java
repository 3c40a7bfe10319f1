import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gochan.Go;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.function.Executable;

/**
 * The bubble's clock, as Go's testing/synctest defines it, over random programs of sleeps, timers, tickers,
 * afterFuncs and channel operations: time moves only when every goroutine is durably blocked, and then only to the
 * earliest alarm; each alarm fires at exactly its due time, in deadline order (ties in the order they were set);
 * awaitBlocked() returns exactly when every other goroutine is durably blocked, without moving the clock; hours of
 * virtual time take no real time. Timers and tickers keep Go 1.23's promises: after stop() or reset() returns no
 * stale time is received, and stop and reset say whether they took something back.
 *
 * Where the test cannot order two events, it keeps them apart: a goroutine that wakes up in the same instant as a
 * timer it then stops could run before the timer fires or after (in Go too). So where timers are stopped or reset,
 * sleeps last whole seconds and the timers and tickers are due off the second (by half a second, or by 1 ms).
 */
@PropertyDefaults(tries = 100)
@AddLifecycleHook(TestSupport.NoLeaks.class)
class VirtualTimeProperties {

    static final Instant MIDNIGHT_2000 = Instant.parse("2000-01-01T00:00:00Z"); // where every bubble's clock starts

    /** Runs f in a bubble, bounded in real time, so that a clock that spins instead of jumping fails the try. */
    static void inBubble(Runnable f) {
        Blocking.bounded(() -> bubble(f));
    }

    // =====================================================================================================
    // The clock jumps from one alarm to the next, and every alarm fires at exactly its due time
    // =====================================================================================================

    /** How a goroutine waits for time; ECHO is channel work with another goroutine, which takes no time. */
    enum Wait { SLEEP, AFTER, TIMER, TICKER, AFTER_FUNC, SLEEPER_SENDS, ECHO }

    /** One step of a goroutine: its wait, for how many units, and for a ticker how many ticks it reads. */
    record Step(Wait kind, int units, int ticks) {
        /** When the goroutine wakes up in this step, counted from the step's start. */
        List<Duration> wakeUps(Duration unit) {
            Duration d = unit.multipliedBy(units);
            return switch (kind) {
                case ECHO -> List.of(Duration.ZERO);
                case TICKER -> {
                    List<Duration> ticksAt = new ArrayList<>();
                    for (int j = 1; j <= ticks; j++) {
                        ticksAt.add(d.multipliedBy(j));
                    }
                    yield ticksAt;
                }
                default -> List.of(d);
            };
        }

        @Override
        public String toString() {
            return switch (kind) {
                case ECHO -> "echo";
                case TICKER -> "ticker " + units + " x" + ticks;
                default -> kind.name().toLowerCase() + " " + units;
            };
        }
    }

    @Provide
    Arbitrary<Step> steps() {
        return Combinators.combine(Arbitraries.of(Wait.class), Arbitraries.integers().between(1, 4),
                Arbitraries.integers().between(1, 3)).as(Step::new);
    }

    /** The times at which a goroutine running these steps wakes up, counted from the start of the bubble. */
    static List<Duration> wakeUps(List<Step> program, Duration unit) {
        List<Duration> times = new ArrayList<>();
        Duration stepStart = Duration.ZERO;
        for (Step step : program) {
            for (Duration offset : step.wakeUps(unit)) {
                times.add(stepStart.plus(offset));
            }
            stepStart = times.get(times.size() - 1);
        }
        return times;
    }

    /** What the goroutines read on the clock when they woke up: each one's readings, and all of them in order. */
    static final class Trace {
        final List<List<Duration>> byGoroutine = new ArrayList<>();
        final List<Duration> inOrder = new ArrayList<>();

        Trace(int goroutines) {
            for (int g = 0; g < goroutines; g++) {
                byGoroutine.add(new ArrayList<>());
            }
        }

        /** Reads since(start) under the lock, so that inOrder lists the readings in the order they were taken. */
        synchronized Duration wokeUp(int g, Instant start) {
            Duration t = since(start);
            byGoroutine.get(g).add(t);
            inOrder.add(t);
            return t;
        }

        /** A timer's time as received: it must be the time the timer was due, and the clock must read it too. */
        void received(Instant value, Instant due, int g, Instant start) {
            assertEquals(due, value, "the time sent is the time the timer was due");
            assertEquals(Duration.between(start, due), wokeUp(g, start), "the receiver wakes up at the due time");
        }
    }

    /** Runs one step in goroutine g; echo is a goroutine that answers every request at once. */
    static void run(Step step, Duration unit, int g, Instant start, Trace trace, Chan<Chan<Integer>> echo) {
        Duration d = unit.multipliedBy(step.units());
        Instant began = now();
        switch (step.kind()) {
            case SLEEP -> {
                sleep(d);
                trace.wokeUp(g, start);
            }
            case AFTER -> trace.received(after(d).receive(), began.plus(d), g, start);
            case TIMER -> trace.received(newTimer(d).c().receive(), began.plus(d), g, start);
            case TICKER -> {
                Ticker ticker = newTicker(d);
                for (int j = 1; j <= step.ticks(); j++) {
                    trace.received(ticker.c().receive(), began.plus(d.multipliedBy(j)), g, start);
                }
                ticker.stop();
            }
            case AFTER_FUNC -> {
                Chan<Instant> ran = make();
                afterFunc(d, () -> ran.send(now()));
                trace.received(ran.receive(), began.plus(d), g, start);
            }
            case SLEEPER_SENDS -> {
                Chan<Instant> woke = make();
                go(() -> {
                    sleep(d);
                    woke.send(now());
                });
                trace.received(woke.receive(), began.plus(d), g, start);
            }
            case ECHO -> {
                Chan<Integer> reply = make();
                echo.send(reply);
                assertEquals(42, reply.receive());
                trace.wokeUp(g, start);
            }
        }
    }

    /** Runs each program in a goroutine of a bubble, the root waiting for all of them; returns what they read. */
    static Trace runInBubble(List<List<Step>> programs, Duration unit) {
        Trace trace = new Trace(programs.size());
        inBubble(() -> {
            Instant start = now();
            assertEquals(MIDNIGHT_2000, start);
            Chan<Chan<Integer>> echo = make();
            go(() -> {
                for (Chan<Integer> reply : echo) {
                    reply.send(42);
                }
            });
            WaitGroup all = new WaitGroup();
            all.add(programs.size());
            for (int g = 0; g < programs.size(); g++) {
                int self = g;
                go(() -> {
                    for (Step step : programs.get(self)) {
                        run(step, unit, self, start, trace, echo);
                    }
                    all.done();
                });
            }
            all.await();
            echo.close();
            assertEquals(0, timers(), "every timer has fired and every ticker is stopped");
        });
        return trace;
    }

    // Proves that the clock moves only to the earliest pending alarm and that every alarm fires at exactly its due
    // time: each goroutine wakes up at exactly the times its own steps add up to (so the clock never jumped past an
    // alarm, nor fired one early), the time a timer sends is the time it was due, channel work takes no time, and
    // the readings of all goroutines, in the order they were taken, never go back.
    @Property
    void theClockMovesOnlyToTheEarliestAlarm_andEachFiresAtExactlyItsDueTime(
            @ForAll @Size(min = 1, max = 4) List<@Size(min = 1, max = 4) List<@From("steps") Step>> programs) {
        // given
        Duration unit = Duration.ofSeconds(1);
        List<List<Duration>> expected = programs.stream().map(p -> wakeUps(p, unit)).toList();

        // when
        Trace trace = runInBubble(programs, unit);

        // then: each goroutine woke up at exactly its due times
        assertEquals(expected, trace.byGoroutine);

        // then: the clock never went back, and the times it showed are exactly the due times
        for (int i = 1; i < trace.inOrder.size(); i++) {
            assertTrue(trace.inOrder.get(i - 1).compareTo(trace.inOrder.get(i)) <= 0,
                    "the clock went back: " + trace.inOrder);
        }
        TreeSet<Duration> dueTimes = new TreeSet<>();
        expected.forEach(dueTimes::addAll);
        assertEquals(dueTimes, new TreeSet<>(trace.inOrder));

        long sharedDueTimes = expected.stream().flatMap(List::stream).count() - dueTimes.size();
        Statistics.label("goroutines").collect(programs.size());
        Statistics.label("wake-ups at a time another one also woke at").collect(sharedDueTimes > 0 ? "some" : "none");
    }

    // Proves that the bubble does not sleep for real: programs that wait hours, days in all, take well under the
    // bound in real time (a generous one: it is about not sleeping, not about speed), and still wake up exactly.
    @Property(tries = 20)
    void hoursOfVirtualTimeTakeNoRealTime(
            @ForAll @Size(min = 1, max = 4) List<@Size(min = 1, max = 3) List<@From("steps") Step>> programs) {
        // given
        Duration unit = Duration.ofHours(6);
        List<List<Duration>> expected = programs.stream().map(p -> wakeUps(p, unit)).toList();
        Duration longest = expected.stream().map(times -> times.get(times.size() - 1))
                .max(Comparator.naturalOrder()).orElseThrow();

        // when
        long began = System.nanoTime(); // real time, outside the bubble
        Trace trace = runInBubble(programs, unit);
        Duration took = Duration.ofNanos(System.nanoTime() - began);

        // then
        assertEquals(expected, trace.byGoroutine);
        assertTrue(took.compareTo(Duration.ofSeconds(2)) < 0, longest + " of virtual time took " + took);
        Statistics.label("virtual days").collect(longest.toDays());
    }

    // =====================================================================================================
    // Timers fire in deadline order, ties in the order they were set
    // =====================================================================================================

    enum Act { SET, STOP, RESET, SLEEP }

    /**
     * SET and RESET are for {@code seconds} + 500 ms, SLEEP for {@code seconds}; STOP and RESET act on timer number
     * {@code timer} modulo the number set so far.
     */
    record Op(Act act, int timer, int seconds) {
        Duration duration() {
            return act == Act.SLEEP ? Duration.ofSeconds(seconds) : Duration.ofSeconds(seconds).plusMillis(500);
        }

        @Override
        public String toString() {
            return switch (act) {
                case SET -> "set " + duration();
                case STOP -> "stop #" + timer;
                case RESET -> "reset #" + timer + " " + duration();
                case SLEEP -> "sleep " + duration();
            };
        }
    }

    @Provide
    Arbitrary<List<Op>> timerOps() {
        return Combinators.combine(Arbitraries.of(Act.class), Arbitraries.integers().between(0, 5),
                Arbitraries.integers().between(0, 3)).as(Op::new).list().ofMinSize(1).ofMaxSize(15);
    }

    /** A firing: which timer, and when (since the start). */
    record Fired(int timer, Duration at) {}

    /** The afterFunc timers as they should behave: which are set, when each is due, and in what order set. */
    static final class AfterFuncModel {
        final List<Duration> due = new ArrayList<>();
        final List<Long> setAt = new ArrayList<>(); // the order of set and reset: equal due times fire in it
        final List<Boolean> armed = new ArrayList<>();
        final List<Fired> fired = new ArrayList<>();
        Duration now = Duration.ZERO;
        long sets;

        int set(Duration d) {
            due.add(now.plus(d));
            setAt.add(sets++);
            armed.add(true);
            return due.size() - 1;
        }

        boolean stop(int i) {
            boolean was = armed.get(i);
            armed.set(i, false);
            return was;
        }

        boolean reset(int i, Duration d) {
            boolean was = stop(i);
            due.set(i, now.plus(d));
            setAt.set(i, sets++);
            armed.set(i, true);
            return was;
        }

        /** Fires the armed timers due by then, earliest first, ties in the order they were set. */
        void advanceTo(Duration then) {
            List<Integer> firing = new ArrayList<>();
            for (int i = 0; i < due.size(); i++) {
                if (armed.get(i) && due.get(i).compareTo(then) <= 0) {
                    firing.add(i);
                }
            }
            firing.sort(Comparator.comparing((Integer i) -> due.get(i)).thenComparing(setAt::get));
            for (int i : firing) {
                armed.set(i, false);
                fired.add(new Fired(i, due.get(i)));
            }
            now = then;
        }

        Duration lastDue() {
            return due.stream().max(Comparator.naturalOrder()).orElse(Duration.ZERO);
        }
    }

    /** The goroutine id, from the thread's name "goroutine-N": the helper numbers goroutines as it starts them. */
    static long goroutineId() {
        return Long.parseLong(Thread.currentThread().getName().substring("goroutine-".length()));
    }

    // Proves that alarms fire in deadline order, ties in the order they were set (or last reset), each at exactly its
    // due time, that a stopped timer never fires, and that stop and reset report whether the timer was still set.
    // An afterFunc starts its goroutine when its timer fires, and goroutines are numbered as they start, so their
    // numbers give the order of the firings, whatever order the goroutines then run in.
    @Property
    void timersFireInDeadlineOrder_tiesInTheOrderTheyWereSet_eachAtItsDueTime(
            @ForAll("timerOps") List<Op> ops) {
        // given
        AfterFuncModel model = new AfterFuncModel();
        ConcurrentLinkedQueue<long[]> firings = new ConcurrentLinkedQueue<>(); // {goroutine id, timer, nanos}

        // when: the root sets, stops, resets and sleeps as told, then sleeps until every timer set has fired
        inBubble(() -> {
            Instant start = now();
            List<Timer> timers = new ArrayList<>();
            for (Op op : ops) {
                int i = timers.isEmpty() ? -1 : op.timer() % timers.size();
                switch (op.act()) {
                    case SET -> {
                        int self = model.set(op.duration());
                        timers.add(afterFunc(op.duration(),
                                () -> firings.add(new long[] {goroutineId(), self, since(start).toNanos()})));
                    }
                    case STOP -> {
                        if (i >= 0) {
                            assertEquals(model.stop(i), timers.get(i).stop(), op + ": was it still set?");
                        }
                    }
                    case RESET -> {
                        if (i >= 0) {
                            assertEquals(model.reset(i, op.duration()), timers.get(i).reset(op.duration()),
                                    op + ": was it still set?");
                        }
                    }
                    case SLEEP -> {
                        model.advanceTo(model.now.plus(op.duration()));
                        sleep(op.duration());
                    }
                }
                assertEquals(model.now, since(start));
            }
            Duration last = model.lastDue();
            if (last.compareTo(model.now) > 0) {
                sleep(last.minus(model.now));
                model.advanceTo(last);
            }
        });

        // then: in the order they fired, the timers and the times are the model's
        List<Fired> observed = firings.stream().sorted(Comparator.comparingLong(f -> f[0]))
                .map(f -> new Fired((int) f[1], Duration.ofNanos(f[2]))).toList();
        assertEquals(model.fired, observed);

        Statistics.label("firings").collect(observed.size());
        long ties = observed.stream().map(Fired::at).distinct().count();
        Statistics.label("two firings at the same time").collect(ties < observed.size() ? "yes" : "no");
    }

    // =====================================================================================================
    // Go 1.23 timers and tickers: no stale time after stop or reset
    // =====================================================================================================

    enum Use { SLEEP, STOP, RESET, POLL, RECEIVE }

    /** SLEEP for {@code seconds}; RESET to {@code seconds} + 1 ms (a ticker's period to at least 1 s + 1 ms). */
    record Move(Use use, int seconds) {
        Duration duration() {
            return use == Use.SLEEP ? Duration.ofSeconds(seconds) : Duration.ofSeconds(seconds).plusMillis(1);
        }

        @Override
        public String toString() {
            return switch (use) {
                case SLEEP, RESET -> use.name().toLowerCase() + " " + duration();
                default -> use.name().toLowerCase();
            };
        }
    }

    @Provide
    Arbitrary<List<Move>> moves() {
        // Sleeps, stops and resets more often than receives: a time taken back needs a sleep past the due time
        // followed by a stop or reset, before anything receives it.
        Arbitrary<Use> uses = Arbitraries.frequency(Tuple.of(3, Use.SLEEP), Tuple.of(2, Use.STOP),
                Tuple.of(2, Use.RESET), Tuple.of(1, Use.POLL), Tuple.of(1, Use.RECEIVE));
        return Combinators.combine(uses, Arbitraries.integers().between(1, 3)).as(Move::new)
                .list().ofMinSize(1).ofMaxSize(15);
    }

    /** Go's non-blocking receive (select with a default): the time if one is there, else null. */
    static Instant poll(ReceiveOnly<Instant> c) {
        var fromC = onReceive(c);
        Selected got = select(fromC, onDefault());
        return got.index() == 0 ? got.value(fromC) : null;
    }

    /** One timer as Go 1.23 says it behaves: set or not, when due, and the time it sent that nobody received. */
    static final class TimerModel {
        Duration now = Duration.ZERO;
        boolean armed = true;
        Duration due;
        Duration unread; // null: none
        boolean tookBack; // a stop or reset took back an unread time: for the statistics

        TimerModel(Duration d) {
            due = d;
        }

        void sleep(Duration d) {
            now = now.plus(d);
            if (armed && due.compareTo(now) <= 0) {
                armed = false;
                unread = due;
            }
        }

        /** Stop and Reset both take back an unread time, and return true if they stopped a firing or took one back. */
        boolean stop() {
            boolean stopped = armed || unread != null;
            tookBack |= unread != null;
            armed = false;
            unread = null;
            return stopped;
        }

        boolean reset(Duration d) {
            boolean stopped = stop();
            armed = true;
            due = now.plus(d);
            return stopped;
        }

        Duration poll() {
            Duration got = unread;
            unread = null;
            return got;
        }

        /** What a blocking receive gets (at the due time, if not fired yet), or null: it would block forever. */
        Duration receive() {
            if (unread != null) {
                return poll();
            }
            if (armed) {
                armed = false;
                now = due;
                return due;
            }
            return null;
        }
    }

    // Proves Go 1.23's timer: stop and reset return true exactly when the timer had not fired or its time was still
    // unread, after either returns no stale time is ever received (only the time of the timer's current setting),
    // the time received is the time it was due, len and cap of its channel are 0, and timers() counts it while set.
    @Property
    void aTimerAfterStopOrReset_neverDeliversAStaleTime(
            @ForAll @IntRange(min = 1, max = 3) int seconds, @ForAll("moves") List<Move> moves) {
        // given
        Duration first = Duration.ofSeconds(seconds).plusMillis(1);
        TimerModel model = new TimerModel(first);

        // when / then: at every move, the timer does what the model says
        inBubble(() -> {
            Instant start = now();
            Timer timer = newTimer(first);
            for (Move move : moves) {
                switch (move.use()) {
                    case SLEEP -> {
                        model.sleep(move.duration());
                        sleep(move.duration());
                    }
                    case STOP -> assertEquals(model.stop(), timer.stop(), "stop");
                    case RESET -> assertEquals(model.reset(move.duration()), timer.reset(move.duration()), "reset");
                    case POLL -> assertEquals(at(start, model.poll()), poll(timer.c()), "poll");
                    case RECEIVE -> {
                        Duration expected = model.receive();
                        if (expected != null) {
                            assertEquals(start.plus(expected), timer.c().receive(), "receive");
                        }
                    }
                }
                assertEquals(model.now, since(start), "after " + move);
                assertEquals(0, timer.c().len(), "len of a timer's channel");
                assertEquals(0, timer.c().cap(), "cap of a timer's channel");
                assertEquals(model.armed ? 1 : 0, timers(), "timers() after " + move);
            }
            timer.stop();
        });

        Statistics.label("stop or reset took back an unread time").collect(model.tookBack ? "yes" : "no");
    }

    static Instant at(Instant start, Duration since) {
        return since == null ? null : start.plus(since);
    }

    /** One ticker as Go 1.23 says it behaves: its period, its next tick, and the one tick its channel may hold. */
    static final class TickerModel {
        Duration now = Duration.ZERO;
        boolean running = true;
        Duration period;
        Duration next;
        Duration unread; // null: none
        boolean dropped; // a tick found the last one unread: for the statistics
        boolean tookBack; // a stop or reset took back an unread tick: for the statistics

        TickerModel(Duration period) {
            this.period = period;
            this.next = period;
        }

        /** A tick that finds the last one unread is dropped. */
        void sleep(Duration d) {
            now = now.plus(d);
            while (running && next.compareTo(now) <= 0) {
                if (unread == null) {
                    unread = next;
                } else {
                    dropped = true;
                }
                next = next.plus(period);
            }
        }

        void stop() {
            tookBack |= unread != null;
            running = false;
            unread = null;
        }

        void reset(Duration p) {
            stop();
            running = true;
            period = p;
            next = now.plus(p);
        }

        Duration poll() {
            Duration got = unread;
            unread = null;
            return got;
        }

        Duration receive() {
            if (unread != null) {
                return poll();
            }
            if (running) {
                now = next;
                next = next.plus(period);
                return now;
            }
            return null;
        }
    }

    // Proves Go 1.23's ticker: it ticks every period exactly, a tick that finds the last one unread is dropped (a
    // slow reader gets the first tick it missed, then the next one on the period's grid), Reset changes the period
    // (the next tick exactly d after the reset), and after Stop or Reset returns no stale tick is received.
    @Property
    void aTickerDropsTicksASlowReaderMisses_andAfterStopOrResetNeverDeliversAStaleTick(
            @ForAll @IntRange(min = 1, max = 3) int seconds, @ForAll("moves") List<Move> moves) {
        // given
        Duration first = Duration.ofSeconds(seconds).plusMillis(1);
        TickerModel model = new TickerModel(first);

        // when / then
        inBubble(() -> {
            Instant start = now();
            Ticker ticker = newTicker(first);
            for (Move move : moves) {
                switch (move.use()) {
                    case SLEEP -> {
                        model.sleep(move.duration());
                        sleep(move.duration());
                    }
                    case STOP -> {
                        model.stop();
                        ticker.stop();
                    }
                    case RESET -> {
                        model.reset(move.duration());
                        ticker.reset(move.duration());
                    }
                    case POLL -> assertEquals(at(start, model.poll()), poll(ticker.c()), "poll");
                    case RECEIVE -> {
                        Duration expected = model.receive();
                        if (expected != null) {
                            assertEquals(start.plus(expected), ticker.c().receive(), "receive");
                        }
                    }
                }
                assertEquals(model.now, since(start), "after " + move);
                assertEquals(0, ticker.c().len(), "len of a ticker's channel");
                assertEquals(0, ticker.c().cap(), "cap of a ticker's channel");
                assertEquals(model.running ? 1 : 0, timers(), "timers() after " + move);
            }
            ticker.stop();
        });

        Statistics.label("a tick was dropped").collect(model.dropped ? "yes" : "no");
        Statistics.label("stop or reset took back an unread tick").collect(model.tookBack ? "yes" : "no");
    }

    @Example
    void aSlowReaderGetsTheFirstTickItMissed_thenTheNextTickOnThePeriodsGrid() {
        inBubble(() -> {
            // given: a ticker of 1 s, and a reader that comes back after 3.5 s
            Instant start = now();
            Ticker ticker = newTicker(Duration.ofSeconds(1));
            sleep(Duration.ofMillis(3500));

            // when
            Instant kept = ticker.c().receive();
            Instant next = ticker.c().receive();

            // then: the ticks of 2 s and 3 s were dropped, not queued
            assertEquals(start.plusSeconds(1), kept);
            assertEquals(start.plusSeconds(4), next);
            assertEquals(Duration.ofSeconds(4), since(start));
            ticker.stop();
        });
    }

    @Example
    void tickerResetChangesThePeriod_theNextTickExactlyThatLongAfterTheReset() {
        inBubble(() -> {
            // given: a ticker of 1 s, read once, and 1.5 s more, so that the tick of 2 s waits unread
            Instant start = now();
            Ticker ticker = newTicker(Duration.ofSeconds(1));
            ticker.c().receive();
            sleep(Duration.ofMillis(1500));

            // when
            ticker.reset(Duration.ofSeconds(5));

            // then: the unread tick is gone, and the new period starts at the reset
            assertNull(poll(ticker.c()), "a tick from before the reset was received after it");
            assertEquals(start.plusMillis(2500 + 5000), ticker.c().receive());
            assertEquals(start.plusMillis(2500 + 10_000), ticker.c().receive());
            ticker.stop();
        });
    }

    // =====================================================================================================
    // awaitBlocked: Go's synctest.Wait
    // =====================================================================================================

    /** A chain of goroutines passing tokens 1..tokens along channels of one capacity: work that takes no time. */
    record Pipeline(int tokens, int stages, int capacity) {}

    @Provide
    Arbitrary<List<Pipeline>> pipelines() {
        return Combinators.combine(Arbitraries.integers().between(0, 15), Arbitraries.integers().between(0, 2),
                Arbitraries.integers().between(0, 3)).as(Pipeline::new).list().ofMaxSize(3);
    }

    /** Starts the pipeline; its sink adds what arrives to {@code got}, then waits on release. */
    static void start(Pipeline pipeline, List<Integer> got, ReceiveOnly<Void> release) {
        List<Chan<Integer>> links = new ArrayList<>();
        for (int i = 0; i <= pipeline.stages(); i++) {
            links.add(make(pipeline.capacity()));
        }
        go(() -> {
            for (int v = 1; v <= pipeline.tokens(); v++) {
                links.get(0).send(v);
            }
            links.get(0).close();
        });
        for (int i = 0; i < pipeline.stages(); i++) {
            Chan<Integer> in = links.get(i);
            Chan<Integer> out = links.get(i + 1);
            go(() -> {
                for (int v : in) {
                    out.send(v);
                }
                out.close();
            });
        }
        go(() -> {
            for (int v : links.get(pipeline.stages())) {
                synchronized (got) {
                    got.add(v);
                }
            }
            release.receive(); // durably blocked until the root closes release
        });
    }

    // Proves that awaitBlocked returns exactly when every other goroutine is durably blocked: all the channel work
    // the others can do without time passing is done (and a goroutine busy on the CPU, which is not blocked at all,
    // has finished), while the clock has not moved and no sleeper has woken. A goroutine asleep for a later time is
    // durably blocked (Go's docs list time.Sleep), so awaitBlocked returns without it. Then sleep(d) + awaitBlocked
    // (Go's synctest.Sleep) sees exactly the sleepers due by d, and the work each did on waking up.
    @Property(tries = 60)
    void awaitBlockedReturnsOnceEveryOtherGoroutineIsDurablyBlocked_withoutMovingTheClock(
            @ForAll("pipelines") List<Pipeline> pipelines,
            @ForAll @Size(max = 4) List<@IntRange(min = 1, max = 3) Integer> sleepers,
            @ForAll boolean busyGoroutine) {
        // given
        List<List<Integer>> got = new ArrayList<>();
        pipelines.forEach(p -> got.add(new ArrayList<>()));
        AtomicReferenceArray<Duration> wokeAt = new AtomicReferenceArray<>(sleepers.size());
        AtomicReferenceArray<Integer> workedOnWaking = new AtomicReferenceArray<>(sleepers.size());
        AtomicBoolean busyDone = new AtomicBoolean();

        inBubble(() -> {
            // given: the pipelines, the sleepers and the busy goroutine running
            Instant start = now();
            Chan<Void> release = make();
            for (int p = 0; p < pipelines.size(); p++) {
                start(pipelines.get(p), got.get(p), release);
            }
            for (int j = 0; j < sleepers.size(); j++) {
                int self = j;
                go(() -> {
                    sleep(Duration.ofSeconds(sleepers.get(self)));
                    wokeAt.set(self, since(start));
                    Chan<Integer> handOff = make(); // on waking, work that takes no time: hand tokens to a goroutine
                    go(() -> {
                        int sum = 0;
                        for (int v : handOff) {
                            sum += v;
                        }
                        workedOnWaking.set(self, sum);
                    });
                    for (int v = 1; v <= 3; v++) {
                        handOff.send(v);
                    }
                    handOff.close();
                });
            }
            if (busyGoroutine) {
                go(() -> {
                    long until = System.nanoTime() + Duration.ofMillis(5).toNanos();
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait(); // running, not blocked: awaitBlocked must wait for it
                    }
                    busyDone.set(true);
                });
            }

            // when
            awaitBlocked();

            // then: all the work that needs no time is done, the clock has not moved, and nobody woke
            for (int p = 0; p < pipelines.size(); p++) {
                synchronized (got.get(p)) {
                    assertEquals(tokens(pipelines.get(p).tokens()), got.get(p), "pipeline " + pipelines.get(p));
                }
            }
            assertEquals(busyGoroutine, busyDone.get(), "the busy goroutine had finished");
            assertEquals(start, now(), "awaitBlocked moved the clock");
            for (int j = 0; j < sleepers.size(); j++) {
                assertNull(wokeAt.get(j), "sleeper " + j + " woke before its time");
            }

            // when: Go's synctest.Sleep up to each sleeper's time in turn
            for (int d : new TreeSet<>(sleepers)) {
                sleep(Duration.ofSeconds(d).minus(since(start)));
                awaitBlocked();

                // then: exactly the sleepers due by now have woken, at their time, and done their work
                assertEquals(Duration.ofSeconds(d), since(start));
                for (int j = 0; j < sleepers.size(); j++) {
                    if (sleepers.get(j) <= d) {
                        assertEquals(Duration.ofSeconds(sleepers.get(j)), wokeAt.get(j), "sleeper " + j);
                        assertEquals(6, workedOnWaking.get(j), "the work sleeper " + j + " did on waking up");
                    } else {
                        assertNull(wokeAt.get(j), "sleeper " + j + " woke before its time");
                    }
                }
            }
            release.close();
        });

        Statistics.label("goroutines besides the root").collect(
                pipelines.stream().mapToInt(p -> p.stages() + 2).sum() + 2 * sleepers.size() + (busyGoroutine ? 1 : 0));
    }

    static List<Integer> tokens(int n) {
        List<Integer> values = new ArrayList<>();
        for (int v = 1; v <= n; v++) {
            values.add(v);
        }
        return values;
    }

    @Example
    void alarmsDueNowRunBeforeAwaitBlockedReturns_butTheClockDoesNotMove() {
        inBubble(() -> {
            // given: an afterFunc and a timer due now, and a timer due 1 ns later
            Instant start = now();
            AtomicBoolean ran = new AtomicBoolean();
            afterFunc(Duration.ZERO, () -> ran.set(true));
            Timer dueNow = newTimer(Duration.ZERO);
            Timer later = newTimer(Duration.ofNanos(1));

            // when
            awaitBlocked();

            // then: what is due now has fired (and the afterFunc's goroutine has run); nothing later has
            assertTrue(ran.get(), "afterFunc(0) had not run");
            assertEquals(start, poll(dueNow.c()));
            assertNull(poll(later.c()), "awaitBlocked moved the clock to the next timer");
            assertEquals(start, now());
            assertTrue(later.stop());
        });
    }

    @Example
    void aGoroutineBlockedOnAChannelOfTheProgram_isNotDurablyBlocked_soAwaitBlockedWaitsForIt()
            throws InterruptedException {
        // given: a channel made outside the bubble, on which a platform thread sends after a while
        Chan<Integer> outside = make();
        Thread sender = Thread.ofPlatform().start(() -> {
            sleep(Duration.ofMillis(20)); // real time: this thread is outside the bubble
            outside.send(7);
        });
        AtomicInteger received = new AtomicInteger();

        // when
        inBubble(() -> {
            go(() -> received.set(outside.receive()));
            awaitBlocked();

            // then: it waited for the value from outside
            assertEquals(7, received.get());
        });
        sender.join();
    }

    @Example
    void aGoroutineBlockedOutsideTheHelper_isNotBlockedAtAll_soAwaitBlockedWaitsForIt() throws InterruptedException {
        // given: a JDK latch (the helper does not see a goroutine waiting on it: it counts as running), released by
        // a platform thread after a while
        CountDownLatch latch = new CountDownLatch(1);
        Thread releaser = Thread.ofPlatform().start(() -> {
            sleep(Duration.ofMillis(20));
            latch.countDown();
        });
        AtomicBoolean passed = new AtomicBoolean();

        // when
        inBubble(() -> {
            go(() -> {
                try {
                    latch.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                passed.set(true);
            });
            awaitBlocked();

            // then
            assertTrue(passed.get());
        });
        releaser.join();
    }

    @Example
    void aSecondAwaitBlockedWhileOneIsInProgress_panics() {
        // given
        AtomicReference<String> secondCall = new AtomicReference<>();

        // when: a goroutine calls awaitBlocked while the root waits in it (the goroutine polls in real time, so it is
        // running, not blocked, and the root's call cannot return before it)
        inBubble(() -> {
            Thread root = Thread.currentThread();
            go(() -> {
                Blocking.awaitParked(root);
                secondCall.set(assertThrows(Panic.class, Go::awaitBlocked).getMessage());
            });
            awaitBlocked();
            assertNotNull(secondCall.get(), "the root's awaitBlocked returned while the goroutine still ran");
        });

        // then
        assertEquals("wait already in progress", secondCall.get());
    }

    @Example
    void awaitBlockedOutsideABubble_panics() {
        // when: on the test's thread, and in a goroutine of the program
        Panic onThisThread = assertThrows(Panic.class, Go::awaitBlocked);
        AtomicReference<Throwable> inGoroutine = new AtomicReference<>();
        Blocking.awaitEnd(go(() -> inGoroutine.set(assertThrows(Panic.class, Go::awaitBlocked))));

        // then
        assertEquals("goroutine is not in a bubble", onThisThread.getMessage());
        assertEquals("goroutine is not in a bubble", inGoroutine.get().getMessage());
    }

    // =====================================================================================================
    // Tickers and deadlocks; timers used from outside their bubble
    // =====================================================================================================

    // Proves that tickers nobody reads do not keep a deadlocked bubble alive: Go's clock would tick on forever,
    // here the bubble reports the deadlock (and does not spin until the try's bound).
    @Property(tries = 30)
    void tickersNobodyReads_doNotHideADeadlock(
            @ForAll @Size(min = 1, max = 3) List<@IntRange(min = 1, max = 1000) Integer> periodsInMillis,
            @ForAll boolean rootWaits) {
        // when: every goroutine is stuck on a channel nobody sends on, while the tickers tick into their channels
        Deadlock deadlock = TestSupport.verdict(() -> {
            for (int millis : periodsInMillis) {
                newTicker(Duration.ofMillis(millis));
            }
            Chan<Integer> never = make();
            go(never::receive);
            if (rootWaits) {
                never.receive();
            }
        });

        // then
        assertNotNull(deadlock, "a deadlock behind tickers nobody reads was not reported");
        assertEquals(rootWaits ? TestSupport.ALL_BLOCKED : TestSupport.ROOT_EXITED, deadlock.reason());
        assertEquals(rootWaits ? 2 : 1, deadlock.blocked().size(), deadlock::getMessage);
    }

    @Example
    void aTickerThatWakesItsReader_isNeverTakenForADeadlock_howeverManyTicks() {
        inBubble(() -> {
            // given
            Instant start = now();
            Ticker ticker = newTicker(Duration.ofMillis(1));

            // when
            for (int i = 0; i < 1000; i++) {
                ticker.c().receive();
            }

            // then
            assertEquals(Duration.ofSeconds(1), since(start));
            ticker.stop();
        });
    }

    @Example
    void aTickerNobodyReads_doesNotHideASlowerTickerThatWakesSomebody() {
        inBubble(() -> {
            // given: a ticker of 1 ms that nobody reads, and one of 10 ms the root reads once
            Instant start = now();
            Ticker unread = newTicker(Duration.ofMillis(1));
            Ticker read = newTicker(Duration.ofMillis(10));

            // when
            Instant tick = read.c().receive();

            // then: as in Go, the root gets its tick (the unread ticker's ticks are dropped meanwhile)
            assertEquals(start.plusMillis(10), tick);
            assertEquals(Duration.ofMillis(10), since(start));
            unread.stop();
            read.stop();
        });
    }

    // Java has interruption and Go does not: an interrupted goroutine wakes by itself, with no waker to count it
    // running first. The bubble must see that wake-up on its way: the interrupter blocking right after is never a
    // deadlock, and the clock does not move before the interrupted goroutine has run.
    @Property(tries = 300)
    void anInterruptIsAWakeUpTheBubbleWaitsFor(@ForAll boolean interrupterSleeps) {
        // given
        AtomicReference<Duration> interruptedAt = new AtomicReference<>();
        Deadlock deadlock = TestSupport.verdict(() -> {
            Instant start = now();
            Chan<Integer> never = make();
            Chan<Void> done = make();
            Thread waiter = go(() -> {
                try {
                    never.receive();
                } catch (Interrupted expected) {
                    interruptedAt.set(since(start));
                    done.close();
                }
            });
            awaitBlocked(); // the waiter is durably blocked

            // when: it is interrupted, and the interrupter blocks at once
            waiter.interrupt();
            if (interrupterSleeps) {
                sleep(Duration.ofHours(1));
            }
            done.receive();
        });

        // then
        Statistics.label("the interrupter").collect(interrupterSleeps ? "sleeps an hour" : "receives");
        assertNull(deadlock, () -> "a false deadlock:\n" + deadlock.getMessage());
        assertEquals(Duration.ZERO, interruptedAt.get(), "the clock moved before the interrupted goroutine ran");
    }

    // Go's synctestRun stops at once when the bubble's main goroutine has returned, without running the timers due
    // then: time has stopped, so a goroutine waiting for one is blocked for good.
    @Example
    void aTimerDueWhenTheFunctionReturns_neverFires() {
        // when
        Deadlock deadlock = TestSupport.verdict(() -> {
            Timer timer = newTimer(Duration.ZERO); // due at the current instant
            go(() -> timer.c().receive());
        });

        // then
        assertNotNull(deadlock);
        assertEquals(TestSupport.ROOT_EXITED, deadlock.reason());
        assertEquals(List.of("chan receive"), deadlock.blocked().stream().map(Blocked::operation).toList());
    }

    // Go's synctest.Test would wait for ever for a goroutine that never blocks durably after the bubble's function
    // returned; the helper gives it 5 s of real time and then reports it with the dump, and ends it.
    @Example
    void aGoroutineStillRunningAfterTheFunctionReturned_isReportedWithItsDump() {
        // given: a goroutine of the bubble waiting on a channel made outside it, so not durably blocked
        Chan<Integer> outside = make();
        AtomicReference<Thread> waiter = new AtomicReference<>();

        // when: the bubble's function returns while it waits
        long startNanos = System.nanoTime();
        IllegalStateException stillRunning = assertThrows(IllegalStateException.class,
                () -> TestSupport.bounded(() -> {
                    bubble(() -> waiter.set(go(() -> outside.receive()))); // line: waits on the outside
                    return null;
                }));

        // then: reported after the bound, with the dump of what is left, and ended
        Duration waited = Duration.ofNanos(System.nanoTime() - startNanos);
        assertTrue(waited.compareTo(Duration.ofSeconds(5)) >= 0, "reported after " + waited);
        assertTrue(stillRunning.getMessage().startsWith(
                "1 goroutine still running 5s after the bubble's main goroutine returned:\n\ngoroutine "),
                stillRunning.getMessage());
        assertTrue(stillRunning.getMessage().contains("[chan receive, synctest bubble "), stillRunning.getMessage());
        Blocking.awaitEnd(waiter.get()); // the bubble ended it
    }

    @Example
    void aBubblesTimersAndTickers_panicWhenUsedFromOutsideIt() {
        // given: a timer, an afterFunc timer and a ticker, left set when their bubble ended
        AtomicReference<Timer> timer = new AtomicReference<>();
        AtomicReference<Timer> afterFuncTimer = new AtomicReference<>();
        AtomicReference<Ticker> ticker = new AtomicReference<>();
        inBubble(() -> {
            timer.set(newTimer(Duration.ofHours(1)));
            afterFuncTimer.set(afterFunc(Duration.ofHours(1), () -> {}));
            ticker.set(newTicker(Duration.ofHours(1)));
        });
        Map<String, Executable> uses = Map.of(
                "Timer.stop", () -> timer.get().stop(),
                "Timer.reset", () -> timer.get().reset(Duration.ofSeconds(1)),
                "afterFunc's Timer.stop", () -> afterFuncTimer.get().stop(),
                "afterFunc's Timer.reset", () -> afterFuncTimer.get().reset(Duration.ofSeconds(1)),
                "Ticker.stop", () -> ticker.get().stop(),
                "Ticker.reset", () -> ticker.get().reset(Duration.ofSeconds(1)));

        // when / then: from outside any bubble
        uses.forEach((use, call) -> assertEquals("synctest timer accessed from outside bubble",
                assertThrows(Panic.class, call, use).getMessage(), use));
        assertEquals("receive on synctest channel from outside bubble",
                assertThrows(Panic.class, () -> timer.get().c().receive()).getMessage());

        // when / then: from another bubble
        inBubble(() -> uses.forEach((use, call) -> assertEquals("timer moved between synctest bubbles",
                assertThrows(Panic.class, call, use).getMessage(), use)));
    }
}
