import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Supplier;
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
import net.jqwik.api.statistics.Statistics;

/**
 * Properties of LittlesLaw.java: the gate, arrivals, service times, and the system Little's law is measured on. Every
 * try that involves time runs in a bubble, on virtual time, so the expectations are exact (no margins).
 */
@PropertyDefaults(tries = 40)
@AddLifecycleHook(TestSupport.NoLeaks.class)
class LittlesLawProperties {

    static <T> T inBubble(Supplier<T> body) {
        return QueuingProperties.inBubble(body);
    }

    static Duration millis(long n) {
        return Duration.ofMillis(n);
    }

    /** A unit comes in, or the one inside longest leaves, after a pause. */
    record Step(int afterMillis, boolean comesIn) {}

    @Provide
    Arbitrary<List<Step>> steps() {
        return Combinators.combine(Arbitraries.integers().between(0, 20), Arbitraries.of(true, false))
                .as(Step::new).list().ofMaxSize(30);
    }

    // The gate adds up, over its window, the time units spend inside: a window opens with the first unit and closes
    // `window` later, and each unit counts for the part of its stay that lies in the window, whatever comes in or
    // leaves after it closes. Each leave returns the unit's exact time inside. Checked against the same sums made
    // unit by unit, for a random run of arrivals and departures.
    @Property
    void theGateCountsTheTimeInsideDuringItsWindow(@ForAll("steps") List<Step> steps,
            @ForAll @IntRange(min = 1, max = 300) int windowMillis) {
        Duration window = millis(windowMillis);
        LittlesLaw.Observation seen = inBubble(() -> {
            LittlesLaw.Gate gate = new LittlesLaw.Gate(window);
            Deque<LittlesLaw.Unit> inside = new ArrayDeque<>();
            for (Step step : steps) {
                sleep(millis(step.afterMillis()));
                if (step.comesIn()) {
                    inside.add(gate.enter());
                } else if (!inside.isEmpty()) {
                    LittlesLaw.Unit unit = inside.remove();
                    assertEquals(since(unit.enteredAt()), gate.leave(unit), "the unit's time inside");
                }
            }
            assertEquals(inside.size(), gate.inside(), "units inside");
            return gate.look();
        });

        // The model: the times each unit came in and left (left: never, while it is still inside at the end).
        long opens = -1;
        long closes = -1;
        long now = 0;
        long entered = 0;
        Duration timeInside = Duration.ZERO;
        Deque<Long> stillInside = new ArrayDeque<>();
        List<long[]> stays = new ArrayList<>();
        for (Step step : steps) {
            now += step.afterMillis();
            if (step.comesIn()) {
                if (opens < 0) {
                    opens = now;
                    closes = now + windowMillis;
                }
                entered += now < closes ? 1 : 0;
                stillInside.add(now);
            } else if (!stillInside.isEmpty()) {
                stays.add(new long[] {stillInside.remove(), now});
            }
        }
        for (long in : stillInside) {
            stays.add(new long[] {in, Long.MAX_VALUE});
        }
        for (long[] stay : stays) {
            timeInside = timeInside.plus(millis(Math.max(0, Math.min(stay[1], closes) - stay[0])));
        }
        Statistics.collect(stays.isEmpty() ? "no unit" : closes < now ? "window closed before the end" : "window open at the end");
        assertEquals(new LittlesLaw.Observation(entered, window, timeInside), seen);
    }

    // arrivals lets in count units, the first at once and one every `every` after it, numbered in order; each is
    // delivered at the time it came in, and the stream then closes.
    @Property(tries = 30)
    void arrivalsLetsInOneUnitEveryPeriod(@ForAll @IntRange(min = 1, max = 50) int everyMillis,
            @ForAll @IntRange(min = 0, max = 40) int count) {
        Duration every = millis(everyMillis);
        inBubble(() -> {
            Instant start = now();
            LittlesLaw.Gate gate = new LittlesLaw.Gate(Duration.ofHours(1));
            Chan<Void> done = make();
            try {
                long i = 0;
                for (LittlesLaw.Unit unit : LittlesLaw.arrivals(done, gate, every, count)) {
                    Instant due = start.plus(every.multipliedBy(i));
                    assertEquals(new LittlesLaw.Unit(i, due), unit, "unit " + i);
                    assertEquals(due, now(), "unit " + i + " delivered late");
                    i++;
                }
                assertEquals(count, i, "units delivered");
                assertEquals(count, gate.inside(), "units counted in at the gate");
            } finally {
                done.close();
            }
            return null;
        });
    }

    // Any ten units in a row take `service` on average, each between 0 and twice `service`.
    @Property
    void serviceTimesAverageServiceOverTenUnits(@ForAll @IntRange(min = 1, max = 1000) int serviceMillis,
            @ForAll @IntRange(min = 0, max = 1000) int first) {
        Duration service = millis(serviceMillis);
        Duration total = Duration.ZERO;
        for (long n = first; n < first + 10; n++) {
            Duration took = LittlesLaw.serviceTime(n, service);
            assertTrue(took.isPositive() && took.compareTo(service.multipliedBy(2)) < 0, "unit " + n + " takes " + took);
            total = total.plus(took);
        }
        assertEquals(service, total.dividedBy(10));
    }

    // The system Little's law is measured on is a first-come first-served queue with `workers` servers: unit n comes
    // in at n * every, starts when it is there and a worker is free, and leaves its service time later, whichever
    // worker takes it. So what the gate and the consumer measure is exactly what that model gives: the units in during
    // the window, the time they spent inside it (L times the window), each unit's time in the system (W), stable or
    // not.
    @Property(tries = 30)
    void theSystemIsAQueueWithWorkersServers(@ForAll @IntRange(min = 1, max = 10) int everyMillis,
            @ForAll @IntRange(min = 1, max = 100) int serviceMillis,
            @ForAll @IntRange(min = 1, max = 20) int workers,
            @ForAll @IntRange(min = 1, max = 60) int units) {
        Duration every = millis(everyMillis);
        Duration service = millis(serviceMillis);
        Duration runFor = every.multipliedBy(units);
        Statistics.collect(workers * everyMillis > serviceMillis ? "stable" : "not stable");

        LittlesLaw.Measured measured = inBubble(() -> {
            Chan<Void> done = make();
            try {
                return LittlesLaw.measure(done, every, service, workers, runFor);
            } finally {
                done.close();
            }
        });

        PriorityQueue<Duration> free = new PriorityQueue<>();      // when each worker is next free
        for (int i = 0; i < workers; i++) {
            free.add(Duration.ZERO);
        }
        Duration timeInside = Duration.ZERO;
        Duration timeInSystem = Duration.ZERO;
        for (int n = 0; n < units; n++) {
            Duration arrives = every.multipliedBy(n);
            Duration leaves = QueuingProperties.max(arrives, free.remove()).plus(LittlesLaw.serviceTime(n, service));
            free.add(leaves);
            timeInSystem = timeInSystem.plus(leaves.minus(arrives));
            timeInside = timeInside.plus((leaves.compareTo(runFor) < 0 ? leaves : runFor).minus(arrives));
        }
        assertEquals(new LittlesLaw.Measured(new LittlesLaw.Observation(units, runFor, timeInside), units, timeInSystem),
                measured);
    }

    // The script's defaults: a unit every 5ms, 50ms of service on average, 16 workers, 1s. Nobody waits for a worker,
    // so W is the average service time, 50ms, and lambda is 200 a second; L, 9.61, is 3.9% below lambda * W = 10, the
    // part of the last units' stays that falls after the window. The script prints them rounded: 10, 200, 50ms, 10.
    @Example
    void theDefaultsGiveExactlyWhatTheScriptPrintsRounded() {
        LittlesLaw.Measured measured = inBubble(() -> {
            Chan<Void> done = make();
            try {
                return LittlesLaw.measure(done, millis(5), millis(50), 16, Duration.ofSeconds(1));
            } finally {
                done.close();
            }
        });
        assertEquals(200, measured.served());
        assertEquals(millis(50), measured.averageTimeInSystem());
        assertEquals(new LittlesLaw.Observation(200, Duration.ofSeconds(1), millis(9_610)), measured.seen());
        assertEquals(200.0, measured.seen().arrivalsPerSecond());
        assertEquals(9.61, measured.seen().averageInside());
    }

}
