import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.statistics.Statistics;

/**
 * Properties of Healing's steward and of the book's ward that generates values across restarts. Each try runs in a
 * bubble, on virtual time, so "one timeout after the last heartbeat" and "at once" are asserted to the nanosecond.
 * What the script logs is captured, so that the runner's report stays readable.
 */
@PropertyDefaults(tries = 100)
// propagateTo is needed: a hook on a class reaches its properties' tries only when propagated (jqwik's default for
// a hook is NO_DESCENDANTS, which silently skips the leak check).
@AddLifecycleHook(value = TestSupport.NoLeaks.class, propagateTo = PropagationMode.ALL_DESCENDANTS)
class HealingProperties {

    /** Runs the body in a bubble, bounded in real time; returns the lines its goroutines printed. */
    static List<String> inBubble(Runnable body) {
        return TestSupport.bounded(() -> {
            try (CapturedStdout out = new CapturedStdout()) {
                bubble(body);
                return out.lines();
            }
        });
    }

    static long count(List<String> lines, String text) {
        return lines.stream().filter(line -> line.contains(text)).count();
    }

    // =====================================================================================================
    // The steward
    // =====================================================================================================

    /**
     * Wards with a script. Ward i beats after each of its gaps in turn (a blocking send, or done), then goes silent
     * and waits for its done; with closesHeartbeat it closes its heartbeat once silent. Ward number gaps.size() has
     * no script: once it has started, `enough` closes and the test ends there. Each start checks that the steward
     * has closed the last ward's done first: it waits on it from the steward's own goroutine, which would deadlock
     * the bubble (reported as a Deadlock) if the steward meant to close it only later.
     */
    static final class ScriptedWards implements Healing.StartGoroutineFn {
        final List<List<Duration>> gaps;
        final boolean closesHeartbeat;
        final List<Instant> starts = new CopyOnWriteArrayList<>();
        final List<Instant> beats = new CopyOnWriteArrayList<>();
        final List<ReceiveOnly<?>> dones = new CopyOnWriteArrayList<>();
        final List<Instant> doneClosed = new CopyOnWriteArrayList<>(); // by ward, for the scripted ones
        final Chan<Void> enough = make();

        ScriptedWards(List<List<Duration>> gaps, boolean closesHeartbeat) {
            this.gaps = gaps;
            this.closesHeartbeat = closesHeartbeat;
            for (int i = 0; i < gaps.size(); i++) {
                doneClosed.add(Instant.MIN);
            }
        }

        @Override
        public ReceiveOnly<?> start(ReceiveOnly<?> done, Duration pulseInterval) {
            int i = starts.size();
            Instant now = now();
            starts.add(now);
            if (i > 0) {
                receive(dones.get(i - 1));
                assertEquals(now, now(), "the last ward's done must close as this one starts");
            }
            dones.add(done);
            if (i == gaps.size()) {
                enough.close();
                return null;
            }
            Chan<Object> heartbeat = make();
            go(() -> {
                for (Duration gap : gaps.get(i)) {
                    Timer timer = newTimer(gap);
                    try {
                        switch (select(onReceive(done), onReceive(timer.c())).index()) {
                            case 0 -> {                             // case <-done:
                                doneClosed.set(i, now());
                                return;
                            }
                            case 1 -> { }                           // case <-timer.C:
                        }
                    } finally {
                        timer.stop();
                    }
                    switch (select(onReceive(done), onSend(heartbeat, Healing.PULSE)).index()) {
                        case 0 -> {                                 // case <-done:
                            doneClosed.set(i, now());
                            return;
                        }
                        case 1 -> { }                               // case heartbeat <- struct{}{}:
                    }
                    beats.add(now());
                }
                if (closesHeartbeat) {
                    heartbeat.close();
                }
                receive(done);
                doneClosed.set(i, now());
            });
            return heartbeat;
        }
    }

    /** Timeouts of 2 to 10 units, and the wards' scripts: 1 to 5 wards, each with 0 to 4 gaps shorter than it. */
    record StewardCase(Duration unit, int timeoutUnits, List<List<Integer>> gapUnits, int pulseUnits) {
        Duration timeout() {
            return unit.multipliedBy(timeoutUnits);
        }

        List<List<Duration>> gaps() {
            return gapUnits.stream().map(g -> g.stream().map(unit::multipliedBy).toList()).toList();
        }
    }

    @Provide
    Arbitrary<StewardCase> stewardCases() {
        Arbitrary<Duration> units = Arbitraries.of(Duration.ofNanos(1), Duration.ofMillis(1), Duration.ofSeconds(1),
                Duration.ofHours(1));
        return Combinators.combine(units, Arbitraries.integers().between(2, 10)).flatAs((unit, t) -> {
            Arbitrary<List<List<Integer>>> gaps = Arbitraries.integers().between(1, t - 1).list().ofMaxSize(4)
                    .list().ofMinSize(1).ofMaxSize(5);
            return Combinators.combine(gaps, Arbitraries.integers().between(1, 3 * t))
                    .as((g, pulse) -> new StewardCase(unit, t, g, pulse));
        });
    }

    // Proves, for any wards that beat at intervals shorter than the timeout and then fall silent (or close their
    // heartbeat): the steward starts the first ward at once and each next one exactly one timeout after the last
    // beat of the one before (or after its start, if it never beat); it has closed the old ward's done when it
    // starts the new one, and that done closes at exactly that instant, not before; whatever the steward's own
    // pulse interval. Then closing done closes the steward's heartbeat at once and leaves no goroutine or timer.
    @Property
    void restartsExactlyOneTimeoutAfterTheLastHeartbeat(@ForAll("stewardCases") StewardCase c,
                                                        @ForAll boolean closesHeartbeat) {
        Statistics.label("wards restarted").collect(c.gapUnits().size());
        Statistics.label("a ward that never beats").collect(c.gapUnits().stream().anyMatch(List::isEmpty));
        Statistics.label("silent ward's heartbeat").collect(closesHeartbeat ? "closed" : "open");
        AtomicReference<ScriptedWards> made = new AtomicReference<>();
        AtomicReference<Instant> t0 = new AtomicReference<>();
        AtomicReference<Instant> closedAt = new AtomicReference<>();
        List<String> log = inBubble(() -> {
            ScriptedWards wards = new ScriptedWards(c.gaps(), closesHeartbeat); // its channel belongs to the bubble
            made.set(wards);
            t0.set(now());
            Chan<Void> done = make();
            ReceiveOnly<?> heartbeat = Healing.newSteward(c.timeout(), wards).start(done, c.unit().multipliedBy(c.pulseUnits()));
            receive(wards.enough);
            closedAt.set(now());
            done.close();
            while (heartbeat.receiveOk().ok()) {
                // pulses the steward sent while done was open
            }
            assertEquals(closedAt.get(), now(), "the steward's heartbeat must close as done closes");
            awaitBlocked();
            assertEquals(0, goroutines(), "goroutines left after close(done)");
            assertEquals(0, timers(), "timers left after close(done)");
        });

        List<Instant> expectedStarts = new ArrayList<>(List.of(t0.get()));
        List<Instant> expectedBeats = new ArrayList<>();
        for (List<Duration> gaps : c.gaps()) {
            Instant last = expectedStarts.get(expectedStarts.size() - 1);
            for (Duration gap : gaps) {
                last = last.plus(gap);
                expectedBeats.add(last);
            }
            expectedStarts.add(last.plus(c.timeout()));
        }
        ScriptedWards wards = made.get();
        assertEquals(expectedStarts, wards.starts, "ward starts");
        assertEquals(expectedBeats, wards.beats, "heartbeats");
        assertEquals(expectedStarts.subList(1, expectedStarts.size()), wards.doneClosed,
                "each scripted ward's done must close exactly when the next ward starts");
        assertEquals(c.gapUnits().size(), count(log, "steward: ward unhealthy; restarting"), String.join("\n", log));
    }

    // Proves what the steward does not do: wait for an unhealthy ward to exit. Wards that never beat and linger a
    // while after their done closes are restarted every timeout all the same, so at each start exactly the old
    // wards still lingering are running beside the new one (here several at once when they linger longer than a
    // timeout). Closing done closes the steward's heartbeat at once; the lingering wards end when they choose to.
    @Property
    void doesNotWaitForAnUnhealthyWardToExit(@ForAll @IntRange(min = 1, max = 6) int restarts,
                                             @ForAll @IntRange(min = 2, max = 10) int timeoutMs,
                                             @ForAll @IntRange(min = 1, max = 40) int lingerMs) {
        Duration timeout = Duration.ofMillis(timeoutMs);
        // A ward that would end exactly as a new one starts could end before it or after it: leave that tie out.
        Duration linger = Duration.ofMillis(lingerMs % timeoutMs == 0 ? lingerMs + 1 : lingerMs);
        long overlap = linger.toNanos() / timeout.toNanos() + 1; // old wards still running at a start, at most
        Statistics.label("old wards running beside a new one, at most").collect(Math.min(overlap, restarts));
        List<Integer> runningAtStart = new CopyOnWriteArrayList<>();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger started = new AtomicInteger();
        inBubble(() -> {
            Chan<Void> enough = make();
            Healing.StartGoroutineFn stubborn = (done, pulseInterval) -> {
                runningAtStart.add(running.getAndIncrement());
                if (started.incrementAndGet() == restarts + 1) {
                    enough.close();
                }
                go(() -> {
                    receive(done);
                    sleep(linger);                                  // ignores done for a while
                    running.decrementAndGet();
                });
                return null;
            };
            Chan<Void> done = make();
            ReceiveOnly<?> heartbeat = Healing.newSteward(timeout, stubborn).start(done, Duration.ofHours(1));
            Instant start = now();
            receive(enough);
            assertEquals(timeout.multipliedBy(restarts), since(start), "the last restart");
            Instant closedAt = now();
            done.close();
            assertFalse(heartbeat.receiveOk().ok(), "the steward's heartbeat must close");
            assertEquals(closedAt, now(), "the steward must end as done closes, without waiting for its wards");
            sleep(linger);
            awaitBlocked();
            assertEquals(0, goroutines(), "goroutines left once the wards have lingered");
            assertEquals(0, timers(), "timers left");
        });
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i <= restarts; i++) {
            expected.add((int) Math.min(i, overlap));
        }
        assertEquals(expected, runningAtStart, "old wards still running at each start (timeout " + timeout
                + ", linger " + linger + ")");
    }

    // The book's first figure on virtual time: a ward that never beats is restarted every 4 s, each old ward halts
    // as its successor starts, and at 9 s main halts the steward, whose heartbeat closes at once, and the last ward.
    @Example
    void theBooksFirstFigure() {
        List<Instant> starts = new CopyOnWriteArrayList<>();
        List<String> log = inBubble(() -> {
            Instant start = now();
            Healing.StartGoroutineFn doWork = (done, pulseInterval) -> {
                starts.add(now());
                return Healing.irresponsibleWard(done, pulseInterval);
            };
            Chan<Void> done = make();
            afterFunc(Duration.ofSeconds(9), () -> {
                Healing.log("main: halting steward and ward.");
                done.close();
            });
            for (Object pulse : Healing.newSteward(Duration.ofSeconds(4), doWork).start(done, Duration.ofSeconds(4))) {
                assertTrue(since(start).toSeconds() % 4 == 0, "the steward beats every 4 s");
            }
            assertEquals(Duration.ofSeconds(9), since(start), "the steward ends when done closes");
            Healing.log("Done");
            awaitBlocked();
            assertEquals(0, goroutines(), "goroutines left");
            assertEquals(0, timers(), "timers left");
            Instant t0 = starts.get(0);
            assertEquals(List.of(t0, t0.plusSeconds(4), t0.plusSeconds(8)), starts, "ward starts");
        });
        List<String> expected = List.of(
                "00:00:00 ward: Hello, I'm irresponsible!",
                "00:00:04 steward: ward unhealthy; restarting",
                "00:00:04 ward: Hello, I'm irresponsible!",
                "00:00:04 ward: I am halting.",
                "00:00:08 steward: ward unhealthy; restarting",
                "00:00:08 ward: Hello, I'm irresponsible!",
                "00:00:08 ward: I am halting.",
                "00:00:09 main: halting steward and ward.",
                "00:00:09 ward: I am halting.",
                "00:00:09 Done");
        assertEquals(sorted(expected), sorted(log), "the lines, in any order within one second");
        // What is ordered: the steward says it restarts before it starts the new ward.
        assertTrue(log.indexOf("00:00:04 steward: ward unhealthy; restarting")
                < log.indexOf("00:00:04 ward: Hello, I'm irresponsible!"), String.join("\n", log));
    }

    static List<String> sorted(List<String> lines) {
        List<String> copy = new ArrayList<>(lines);
        Collections.sort(copy);
        return copy;
    }

    // =====================================================================================================
    // The ward that generates values across restarts (doWorkFn and bridge)
    // =====================================================================================================

    /**
     * An intList: a prefix of distinct non-negative values (so that a value tells where it stands), then, usually, a
     * negative value (half the time) and anything after it, which the ward never reaches.
     */
    @Provide
    Arbitrary<List<Integer>> intLists() {
        Arbitrary<List<Integer>> prefix = Arbitraries.integers().between(0, 99).list().uniqueElements()
                .ofMinSize(1).ofMaxSize(5);
        Arbitrary<List<Integer>> tail = Arbitraries.oneOf(
                Arbitraries.just(List.<Integer>of()),
                Arbitraries.integers().between(-9, -1).flatMap(negative -> Arbitraries.integers().between(-9, 99)
                        .list().ofMaxSize(3).map(rest -> {
                            List<Integer> t = new ArrayList<>(List.of(negative));
                            t.addAll(rest);
                            return t;
                        })));
        return Combinators.combine(prefix, tail).as((p, t) -> {
            List<Integer> list = new ArrayList<>(p);
            list.addAll(t);
            return list;
        });
    }

    /** The values a ward sends before it dies: the list up to its first negative value. */
    static List<Integer> lifetime(List<Integer> intList) {
        List<Integer> values = new ArrayList<>();
        for (int v : intList) {
            if (v < 0) {
                break;
            }
            values.add(v);
        }
        return values;
    }

    static boolean dies(List<Integer> intList) {
        return intList.stream().anyMatch(v -> v < 0);
    }

    /** The book's doWork, counted: each start's instant is recorded. */
    static Healing.StartGoroutineFn counted(Healing.StartGoroutineFn doWork, List<Instant> starts) {
        return (done, pulseInterval) -> {
            starts.add(now());
            return doWork.start(done, pulseInterval);
        };
    }

    // Proves, for a consumer that takes n values as fast as they come: it gets exactly the first n values of the
    // ward's values over and over (a new ward starts at the beginning of intList), nothing lost, nothing repeated,
    // in order; a ward that dies is replaced exactly one timeout after it started, so the m-th value arrives at
    // exactly (m / values per ward) timeouts; a ward that never dies is never restarted. The book's run (1, 2, -1,
    // 3, 4, 5; take 6; 1ms) is one case: 1 2 1 2 1 2 at 0, 0, 1ms, 1ms, 2ms, 2ms.
    @Property
    void aFastConsumerGetsEveryValueAcrossRestarts(@ForAll("intLists") List<Integer> intList,
                                                   @ForAll @IntRange(min = 0, max = 20) int n,
                                                   @ForAll @IntRange(min = 1, max = 5) int timeoutMs) {
        List<Integer> perWard = lifetime(intList);
        int p = perWard.size();
        Statistics.label("the ward").collect(dies(intList) ? "dies" : "never dies");
        Duration timeout = Duration.ofMillis(2L * timeoutMs);
        List<Instant> starts = new CopyOnWriteArrayList<>();
        List<Integer> got = new ArrayList<>();
        List<Duration> at = new ArrayList<>();
        AtomicReference<Instant> t0 = new AtomicReference<>();
        List<String> log = inBubble(() -> {
            t0.set(now());
            Chan<Void> done = make();
            try {
                Healing.WorkFn work = Healing.doWorkFn(done, TestSupport.ints(intList));
                Healing.newSteward(timeout, counted(work.doWork(), starts)).start(done, Duration.ofHours(1));
                for (int v : Pipeline.take(done, work.intStream(), n)) {
                    got.add(v);
                    at.add(since(t0.get()));
                }
            } finally {
                done.close();
            }
            awaitBlocked();
            assertEquals(0, goroutines(), "goroutines left after close(done)");
            assertEquals(0, timers(), "timers left after close(done)");
        });
        List<Integer> expected = new ArrayList<>();
        List<Duration> expectedAt = new ArrayList<>();
        for (int m = 0; m < n; m++) {
            expected.add(perWard.get(m % p));
            expectedAt.add(dies(intList) ? timeout.multipliedBy(m / p) : Duration.ZERO);
        }
        assertEquals(expected, got, "values of " + intList);
        assertEquals(expectedAt, at, "when each value arrived");
        int wards = dies(intList) ? Math.max(1, (n + p - 1) / p) : 1;
        Statistics.label("wards").collect(wards == 1 ? "1" : wards <= 3 ? "2-3" : "more");
        List<Instant> expectedStarts = new ArrayList<>();
        for (int k = 0; k < wards; k++) {
            expectedStarts.add(t0.get().plus(timeout.multipliedBy(k)));
        }
        assertEquals(expectedStarts, starts, "ward starts");
        assertEquals(wards - 1, count(log, "steward: ward unhealthy; restarting"), String.join("\n", log));
    }

    // Proves what the book's design guarantees when the consumer is slow, pausing up to three timeouts between
    // values: a ward beats only while it waits to send a value, not while it waits for bridge to take its stream
    // (bridge takes it only once it has passed on all the last ward's values), so healthy but waiting wards are
    // restarted too, and a ward stopped half-way loses its place: the next one starts over. So the consumer gets,
    // in order, each ward's values up to wherever it was stopped, ward after ward in the order they started:
    // every value is the first of intList or the one after the value before it (nothing skipped, repeated or
    // mixed within a run; bridge drains a stopped ward's stream before it takes the next), there are no more runs
    // than wards, wards start at least a timeout apart, and the consumer gets all its n values. A ward that never
    // dies is never restarted, however slow the consumer: it hands its stream over at once (bridge is waiting for
    // the first), and from then on it beats every half timeout while it waits.
    @Property
    void aSlowConsumerGetsEachWardsValuesInOrder(@ForAll("intLists") List<Integer> intList,
                                                 @ForAll @IntRange(min = 1, max = 20) int n,
                                                 @ForAll @IntRange(min = 1, max = 5) int timeoutMs,
                                                 @ForAll Random random) {
        Duration timeout = Duration.ofMillis(2L * timeoutMs);
        long seed = random.nextLong();
        List<Instant> starts = new CopyOnWriteArrayList<>();
        List<Integer> got = new ArrayList<>();
        inBubble(() -> {
            Random pace = new Random(seed);
            Chan<Void> done = make();
            try {
                Healing.WorkFn work = Healing.doWorkFn(done, TestSupport.ints(intList));
                Healing.newSteward(timeout, counted(work.doWork(), starts)).start(done, Duration.ofHours(1));
                ReceiveOnly<Integer> values = Pipeline.take(done, work.intStream(), n);
                while (true) {
                    sleep(Duration.ofNanos(pace.nextLong(3 * timeout.toNanos())));
                    Received<Integer> r = values.receiveOk();
                    if (!r.ok()) {
                        break;
                    }
                    got.add(r.value());
                }
            } finally {
                done.close();
            }
            awaitBlocked();
            assertEquals(0, goroutines(), "goroutines left after close(done)");
            assertEquals(0, timers(), "timers left after close(done)");
        });
        assertEquals(n, got.size(), "the consumer must get its n values: " + got);
        int runs = assertEachWardsValuesInOrder(got, intList);
        for (int i = 1; i < starts.size(); i++) {
            assertTrue(Duration.between(starts.get(i - 1), starts.get(i)).compareTo(timeout) >= 0,
                    "wards started less than a timeout apart: " + starts);
        }
        assertTrue(runs <= starts.size(), runs + " runs of values from " + starts.size() + " wards: " + got);
        if (!dies(intList)) {
            assertEquals(1, starts.size(), "a ward that never dies beats while it waits, and is never restarted");
        }
        Statistics.label("wards").collect(starts.size() == 1 ? "1" : starts.size() <= 5 ? "2-5" : "more");
        Statistics.label("a ward stopped before the end of its values").collect(hasTruncatedWard(got, intList));
    }

    /**
     * Checks the order the book's design guarantees, and returns the number of wards' runs of values: the first
     * value is the first of intList, and each next one is the one after the value before it (round again for a
     * ward that never dies) or the first of intList again, where a new ward's run begins. So a value that went
     * missing or came twice in the middle of a run, or two wards' values mixed, would fail it.
     */
    static int assertEachWardsValuesInOrder(List<Integer> got, List<Integer> intList) {
        List<Integer> perWard = lifetime(intList);
        int runs = 0;
        for (int i = 0; i < got.size(); i++) {
            int before = i == 0 ? -1 : perWard.indexOf(got.get(i - 1));
            boolean next = i > 0 && (before + 1 < perWard.size() ? got.get(i).equals(perWard.get(before + 1))
                    : !dies(intList) && got.get(i).equals(perWard.get(0)));
            assertTrue(next || got.get(i).equals(perWard.get(0)),
                    "value " + i + " is out of order: " + got + " of " + intList);
            runs += next ? 0 : 1;
        }
        return runs;
    }

    /** True if a ward's run of values ends before the last value a ward sends. */
    static boolean hasTruncatedWard(List<Integer> got, List<Integer> intList) {
        List<Integer> perWard = lifetime(intList);
        for (int i = 1; i < got.size(); i++) {
            if (dies(intList) && got.get(i).equals(perWard.get(0)) && perWard.indexOf(got.get(i - 1)) + 1 < perWard.size()) {
                return true;
            }
        }
        return false;
    }

    // Proves that closing done at a random moment ends everything the ward's figure started: the consumer's loop
    // ends at that very instant (it pauses with a select on done), the steward, its wards, bridge and take all end,
    // and no timer is left; before that, the consumer got the values in the order the design guarantees. A ward
    // that dies before its first value (intList starts with a negative) is restarted every timeout until then.
    @Property
    void doneAtARandomMomentEndsStewardWardsAndBridge(@ForAll("intLists") List<Integer> list,
                                                     @ForAll("oneInFour") boolean diesAtOnce,
                                                     @ForAll @IntRange(min = 0, max = 60) int closeAfterMs,
                                                     @ForAll @IntRange(min = 1, max = 5) int timeoutMs,
                                                     @ForAll Random random) {
        List<Integer> intList = new ArrayList<>(list);
        if (diesAtOnce) {
            intList.add(0, -1);
        }
        Duration timeout = Duration.ofMillis(2L * timeoutMs);
        Duration closeAfter = Duration.ofMillis(closeAfterMs);
        long seed = random.nextLong();
        List<Instant> starts = new CopyOnWriteArrayList<>();
        List<Integer> got = new ArrayList<>();
        inBubble(() -> {
            Random pace = new Random(seed);
            Instant start = now();
            Chan<Void> done = make();
            afterFunc(closeAfter, done::close);
            Healing.WorkFn work = Healing.doWorkFn(done, TestSupport.ints(intList));
            Healing.newSteward(timeout, counted(work.doWork(), starts)).start(done, Duration.ofHours(1));
            ReceiveOnly<Integer> values = Pipeline.take(done, work.intStream(), Integer.MAX_VALUE);
            while (true) {
                Timer pause = newTimer(Duration.ofNanos(pace.nextLong(timeout.toNanos())));
                try {
                    if (select(onReceive(done), onReceive(pause.c())).index() == 0) {
                        break;
                    }
                } finally {
                    pause.stop();
                }
                Received<Integer> r = values.receiveOk();
                if (!r.ok()) {
                    break;
                }
                got.add(r.value());
            }
            assertEquals(closeAfter, since(start), "the consumer's loop must end as done closes");
            awaitBlocked();
            assertEquals(0, goroutines(), "goroutines left after close(done)");
            assertEquals(0, timers(), "timers left after close(done)");
        });
        Statistics.label("values before done closed").collect(got.isEmpty() ? "none" : got.size() < 10 ? "1-9" : "10+");
        Statistics.label("the ward dies before its first value").collect(diesAtOnce);
        List<Integer> perWard = lifetime(intList);
        if (perWard.isEmpty()) {
            assertEquals(List.of(), got, "a ward that dies before its first value sends nothing");
            // Restarts every timeout from 0; one due exactly as done closes may or may not happen.
            long due = closeAfter.toNanos() / timeout.toNanos();
            boolean tie = closeAfter.toNanos() % timeout.toNanos() == 0 && due > 0;
            assertTrue(starts.size() == due + 1 || tie && starts.size() == due,
                    starts.size() + " wards started, closing after " + closeAfter + " with a timeout of " + timeout);
            return;
        }
        assertEachWardsValuesInOrder(got, intList);
    }

    @Provide
    Arbitrary<Boolean> oneInFour() {
        return Arbitraries.integers().between(0, 3).map(i -> i == 0);
    }

    // The book's second figure exactly, on virtual time: 1, 2, -1, 3, 4, 5 with a 1ms timeout, take 6. The
    // consumer gets 1 2 1 2 1 2, the wards start at 0, 1ms and 2ms, each logs its negative value, and the steward
    // restarts twice.
    @Example
    void theBooksSecondFigure() {
        List<Instant> starts = new CopyOnWriteArrayList<>();
        List<Integer> got = new ArrayList<>();
        List<Duration> at = new ArrayList<>();
        List<String> log = inBubble(() -> {
            Instant start = now();
            Chan<Void> done = make();
            try {
                Healing.WorkFn work = Healing.doWorkFn(done, 1, 2, -1, 3, 4, 5);
                Healing.newSteward(Duration.ofMillis(1), counted(work.doWork(), starts)).start(done, Duration.ofHours(1));
                for (int v : Pipeline.take(done, work.intStream(), 6)) {
                    got.add(v);
                    at.add(since(start));
                }
            } finally {
                done.close();
            }
            assertEquals(List.of(start, start.plusMillis(1), start.plusMillis(2)), starts, "ward starts");
        });
        assertEquals(List.of(1, 2, 1, 2, 1, 2), got);
        Duration ms = Duration.ofMillis(1);
        assertEquals(List.of(Duration.ZERO, Duration.ZERO, ms, ms, ms.multipliedBy(2), ms.multipliedBy(2)), at);
        assertEquals(3, count(log, "negative value: -1"), String.join("\n", log));
        assertEquals(2, count(log, "steward: ward unhealthy; restarting"), String.join("\n", log));
    }
}
