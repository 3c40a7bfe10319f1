///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Little's law, L = lambda * W, measured on a running system: units arrive at a steady pace, queue for one of several workers, and leave; counted from the first arrival until the system is empty again, the law is exact.
//JAVA 21+
//DEPS info.picocli:picocli:4.7.7
// To run it elsewhere, copy it with: gochan/Go.java gochan/Script.java Queuing.java Pipeline.java FanIn.java
//SOURCES gochan/Go.java
//SOURCES gochan/Script.java
//SOURCES Queuing.java
//SOURCES Pipeline.java
//SOURCES FanIn.java

import static gochan.Go.*;

import gochan.Script;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

// Little's law: L = lambda * W, where
//   L      is the average number of units in the system,
//   lambda the rate at which units arrive,
//   W      the average time a unit spends in the system.
// It holds whatever the stages do inside. Here units arrive at a steady pace, wait in a queue (the buffer stage)
// for one of several workers (fanned out, and fanned back in with FanIn.fanIn), and leave when the consumer
// receives them. The gate at the door counts how many are inside at every moment, as you would count customers in
// a shop, and adds up the time they spend inside (the area under inside(t): two units inside for 1s count 2s); W is
// timed on each unit. Counted from the first arrival until the system is empty again, a time T, the area is
// L * T, and it is also the sum of the units' own times, lambda * T * W: the same time counted two ways, moment by
// moment and unit by unit. So over such a period the law is exact, not an estimate; that is its proof, and it holds
// however slowly a busy or stalled machine runs the stages. Over a window that closes while units are still inside,
// the two counts differ by the part of their stays after it: the law holds for long-run averages, where that edge
// is small against T, in a stable system, one where units leave as fast as they arrive.
//
// How can W be decreased? Lambda is set by the arrivals, so L and W move together, and L/n = lambda * W/n is what
// follows from making W n times shorter, not a way to do it. W shrinks only if units are served faster: faster
// stages, or more workers at the slowest stage so that fewer of them wait. A queue makes neither faster. It lets
// L grow (units wait in it), and at the same lambda that is a longer W (nL = lambda * nW); it cannot raise lambda
// past what the slowest stage serves: then the system is not stable, the queue grows for as long as units arrive,
// and L and W have no long-run average (run longer, and both grow).
// For a pipeline, L = lambda * sum_i(W_i): a unit's time in the pipeline is the sum of its times in each stage.
// And the pipeline can take in no more units per second than its slowest stage serves: it is only as fast as its
// slowest stage.
@Command(name = "littleslaw", mixinStandardHelpOptions = true, version = "littleslaw 1.0",
        description = "Little's law, L = lambda * W, measured on a running system: units arrive at a steady pace, "
                + "queue for one of several workers, and leave; counted from the first arrival until the system is "
                + "empty again, the law is exact.")
public class LittlesLaw implements Callable<Integer> {

    @Option(names = "--every", defaultValue = "5ms", converter = Script.GoDuration.class, paramLabel = "<duration>",
            description = "A unit arrives this often (default: ${DEFAULT-VALUE}).")
    Duration every;

    @Option(names = "--service", defaultValue = "50ms", converter = Script.GoDuration.class, paramLabel = "<duration>",
            description = "Average time a worker takes per unit; the units take 1/10, 3/10, ..., 19/10 of it"
                    + " in turn (default: ${DEFAULT-VALUE}).")
    Duration service;

    @Option(names = "--workers", description = "Workers serving the queue (default: ${DEFAULT-VALUE}).")
    int workers = 16;

    @Option(names = "--run-for", defaultValue = "1s", converter = Script.GoDuration.class, paramLabel = "<duration>",
            description = "How long units keep arriving: runFor / every units in all (default: ${DEFAULT-VALUE}).")
    Duration runFor;

    @Spec
    CommandSpec spec;

    // A unit is numbered at the door, as a ticket, and carries the time it came in.
    record Unit(long number, Instant enteredAt) {}

    // What the gate adds up from the first arrival until the last unit left (T): the units that came in, and the
    // time they spent inside. L and lambda follow.
    record Observation(long entered, Duration period, Duration timeInside) {
        double averageInside() {                                            // L
            return period.isZero() ? 0 : (double) timeInside.toNanos() / period.toNanos();
        }

        double arrivalsPerSecond() {                                        // lambda
            return period.isZero() ? 0 : entered / (period.toNanos() / 1e9);
        }
    }

    // The door of the system. It numbers the units in and counts them in and out, and since it sees every change of
    // how many are inside, it adds up the time they spend inside; no observer looking every so often could count L
    // better. It counts from the moment the first unit comes in, so that a late start does not count as an empty
    // shop. Units enter in the arrivals goroutine and leave in the consumer: hence the lock.
    static final class Gate {
        private Instant opened;                                             // when the first unit came in
        private Instant lastChange;
        private long entered;
        private long inside;
        private Duration timeInside = Duration.ZERO;

        synchronized Unit enter() {
            Instant at = now();
            if (opened == null) {
                opened = at;
                lastChange = at;
            }
            addTimeInside(at);
            inside++;
            return new Unit(entered++, at);
        }

        synchronized Duration leave(Unit unit) {                            // the unit's W
            Instant at = now();
            addTimeInside(at);
            inside--;
            return Duration.between(unit.enteredAt(), at);
        }

        // From the first arrival to the last change: ask once every unit has left, so that T ends with an empty system.
        synchronized Observation look() {
            return new Observation(entered, opened == null ? Duration.ZERO : Duration.between(opened, lastChange),
                    timeInside);
        }

        synchronized long inside() {
            return inside;
        }

        // Adds the time the units inside spent there since the last change.
        private void addTimeInside(Instant at) {
            timeInside = timeInside.plus(Duration.between(lastChange, at).multipliedBy(inside));
            lastChange = at;
        }
    }

    // arrivals: a paced generator: a unit enters the system at once and then one every `every`, count in all; then it
    // closes its stream (or it stops when done closes). Each unit waits for its own time, start + i * every, not for a
    // ticker's next tick: a ticker drops the ticks a busy machine makes it miss, and the units would fall behind for
    // good. And it counts units rather than watching a clock, so that a stalled machine delays units but never
    // drops one: runFor / every units arrive on every run.
    static ReceiveOnly<Unit> arrivals(ReceiveOnly<?> done, Gate gate, Duration every, long count) {
        Chan<Unit> unitStream = make();
        go(() -> {
            try {                                                           // defer close(unitStream)
                Instant start = now();
                for (long i = 0; i < count; i++) {
                    Duration untilDue = Duration.between(now(), start.plus(every.multipliedBy(i)));
                    if (!Queuing.pause(done, untilDue)) {                   // time.Sleep(time.Until(due)), or done
                        return;
                    }
                    switch (select(onReceive(done), onSend(unitStream, gate.enter())).index()) {
                        case 0 -> { return; }                               // case <-done: return
                        case 1 -> { }                                       // case unitStream <- unit:
                    }
                }
            } finally {
                unitStream.close();
            }
        });
        return unitStream;
    }

    // How long unit n takes to serve: ten times spread evenly between 0 and twice `service`, in turn (5ms, 15ms, ...,
    // 95ms for 50ms), so any ten units in a row average `service`. The time belongs to the unit, not to a draw made by
    // whichever worker takes it: virtual time fixes the clock but not which worker takes which unit, and this way it
    // does not matter, so L, lambda and W come out exact.
    static Duration serviceTime(long n, Duration service) {
        return service.multipliedBy(2 * (n % 10) + 1).dividedBy(10);
    }

    // serve: one worker of the slow stage; each unit takes its service time, then moves on.
    static ReceiveOnly<Unit> serve(ReceiveOnly<?> done, Duration service, ReceiveOnly<Unit> in) {
        Chan<Unit> servedStream = make();
        go(() -> {
            try {                                                           // defer close(servedStream)
                for (Unit unit : in) {
                    if (!Queuing.pause(done, serviceTime(unit.number(), service))) {
                        return;
                    }
                    switch (select(onReceive(done), onSend(servedStream, unit)).index()) {
                        case 0 -> { return; }                               // case <-done: return
                        case 1 -> { }                                       // case servedStream <- unit:
                    }
                }
            } finally {
                servedStream.close();
            }
        });
        return servedStream;
    }

    record Measured(Observation seen, long served, Duration timeInSystem) {
        Duration averageTimeInSystem() {                                    // W
            return served == 0 ? Duration.ZERO : timeInSystem.dividedBy(served);
        }

        // L = lambda * W, multiplied by T on both sides: the gate's time inside, and the units' own times added up.
        boolean lawHoldsExactly() {
            return served == seen.entered() && timeInSystem.equals(seen.timeInside());
        }
    }

    // The system: arrivals -> queue -> workers, fanned out and back in; units leave in the consumer, here. Units keep
    // arriving for runFor; W is timed on every unit, and the gate is read once the last one is out.
    static Measured measure(ReceiveOnly<?> done, Duration every, Duration service, int workers, Duration runFor) {
        Gate gate = new Gate();
        ReceiveOnly<Unit> queue = Queuing.buffer(done, 1000, arrivals(done, gate, every, runFor.dividedBy(every)));
        List<ReceiveOnly<Unit>> servers = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            servers.add(serve(done, service, queue));                       // fan out
        }
        long served = 0;
        Duration timeInSystem = Duration.ZERO;
        for (Unit unit : FanIn.fanIn(done, servers)) {                      // fan in; the unit leaves the system
            timeInSystem = timeInSystem.plus(gate.leave(unit));
            served++;
        }
        return new Measured(gate.look(), served, timeInSystem);
    }

    // On virtual time every number is exact: T = 1.09s by default (the last unit arrives at 995ms and takes 95ms),
    // 200 units, 10s inside in all, so L = 9.17, lambda = 183.49 (below the 200 a second that arrive: T includes the
    // last 90ms, when the last units are served and none arrives), W = 50ms. A real run prints slightly different
    // numbers, as every timer fires a little late, and a stalled one very different ones; the last line is true on
    // every run.
    void littlesLaw() {
        Chan<Void> done = make();
        try {                                                               // defer close(done)
            double arrivalRate = 1e9 / every.toNanos();
            double capacity = workers * 1e9 / Math.max(1, service.toNanos());
            boolean stable = capacity > arrivalRate;
            System.out.printf("Little's law, L = lambda * W: a unit arrives every %s, waits in a queue for one of %d workers,%n",
                    show(every), workers);
            System.out.printf("and takes %s, %s, ..., %s to serve, unit after unit (%s on average).%n",
                    show(serviceTime(0, service)), show(serviceTime(1, service)), show(serviceTime(9, service)),
                    show(service));
            System.out.printf("The workers serve %.0f units/s, %s the %.0f that arrive: %s.%n", capacity,
                    stable ? "more than" : "no more than", arrivalRate, stable ? "stable" : "NOT stable, the queue grows");

            Measured measured = measure(done, every, service, workers, runFor);
            Observation seen = measured.seen();
            Duration w = measured.averageTimeInSystem();
            System.out.printf("Counted from the first arrival until the last unit left, T = %s:%n", show(seen.period()));
            System.out.printf("  L      = %.2f units in the system on average%n", seen.averageInside());
            System.out.printf("  lambda = %.2f units arrived per second%n", seen.arrivalsPerSecond());
            System.out.printf("  W      = %s in the system per unit on average (%d units)%n", show(w), measured.served());
            System.out.printf("  lambda * W = %.2f units%n", seen.arrivalsPerSecond() * w.toNanos() / 1e9);
            System.out.printf("Time inside, counted at the gate (L * T): %s; the units' own times added up (lambda * T * W): %s.%n",
                    show(seen.timeInside()), show(measured.timeInSystem()));
            System.out.println("L = lambda * W exactly: " + measured.lawHoldsExactly());
            if (!stable) {
                System.out.println("Not stable: L and W grow for as long as units arrive (try a longer --run-for).");
            }
        } finally {
            done.close();
        }
    }

    // ---- main ------------------------------------------------------------------------------------------------

    static String show(Duration d) {
        return Script.durationString(d, Duration.ofMillis(1));
    }

    @Override
    public Integer call() {
        Script.require(spec, every.toMillis() >= 1, "--every must be at least 1ms, got " + show(every));
        Script.require(spec, workers >= 1, "--workers must be at least 1, got " + workers);
        Script.require(spec, runFor.compareTo(every) >= 0,
                "--run-for must be at least --every (" + show(every) + "), got " + show(runFor));
        littlesLaw();
        return 0;
    }

    public static void main(String... args) {
        Script.run(new LittlesLaw(), args);
    }
}

// This is the output on virtual time (GOCHAN_TIME=virtual), where every time is exact.
//
// Output:
// Little's law, L = lambda * W: a unit arrives every 5ms, waits in a queue for one of 16 workers,
// and takes 5ms, 15ms, ..., 95ms to serve, unit after unit (50ms on average).
// The workers serve 320 units/s, more than the 200 that arrive: stable.
// Counted from the first arrival until the last unit left, T = 1.09s:
//   L      = 9.17 units in the system on average
//   lambda = 183.49 units arrived per second
//   W      = 50ms in the system per unit on average (200 units)
//   lambda * W = 9.17 units
// Time inside, counted at the gate (L * T): 10s; the units' own times added up (lambda * T * W): 10s.
// L = lambda * W exactly: true
