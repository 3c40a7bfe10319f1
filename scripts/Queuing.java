///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Queuing: a buffer between a short and a long stage frees the short stage sooner but does not make the pipeline faster; then Little's law, L = lambda * W, measured on a running pipeline.
//JAVA 21+
//DEPS info.picocli:picocli:4.7.7
// To run it elsewhere, copy it with: gochan/Go.java gochan/Script.java Pipeline.java FanIn.java
//SOURCES gochan/Go.java
//SOURCES gochan/Script.java
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

// Queuing: a stage hands its results to a queue (a buffer) instead of waiting until the next stage is ready for
// them. A queue almost never makes a pipeline finish sooner: it decouples the stages, so that a fast stage is done
// with its part (and free to do other work) while a slow one is still busy. Little's law says why a queue cannot
// shorten the time a unit spends in the system, and it is checked here on a running pipeline.
//
// Note that take does not cancel the stages before it once it has its items: it only stops taking; repeat stays
// blocked on its next send until done is closed. And what the queue does is let the short stage finish three times
// sooner while the pipeline as a whole takes exactly as long.
//
// From Concurrency in Go, chapter 4, "Queuing"; its pipeline is in the text only (the section's published file,
// kat-co/concurrency-in-go-src, concurrency-patterns-in-go/queuing/buffering_test.go, benchmarks bufio).
@Command(name = "queuing", mixinStandardHelpOptions = true, version = "queuing 1.0",
        description = "Queuing: a buffer between a short and a long stage frees the short stage sooner but does not "
                + "make the pipeline faster; then Little's law, L = lambda * W, measured on a running pipeline.")
public class Queuing implements Callable<Integer> {

    @Option(names = "--scale", defaultValue = "100ms", converter = Script.GoDuration.class, paramLabel = "<duration>",
            description = "How long the book's second lasts: the short stage takes one per value, the long stage four"
                    + " (default: ${DEFAULT-VALUE}; 1s runs at the book's pace).")
    Duration scale;

    @Option(names = "--buffer", description = "Room in the buffer between the short and the long stage (default: ${DEFAULT-VALUE}).")
    int bufferSize = 2;

    @Option(names = "--every", defaultValue = "5ms", converter = Script.GoDuration.class, paramLabel = "<duration>",
            description = "Little's law: a unit arrives this often (default: ${DEFAULT-VALUE}).")
    Duration every;

    @Option(names = "--service", defaultValue = "50ms", converter = Script.GoDuration.class, paramLabel = "<duration>",
            description = "Little's law: average time a worker takes per unit; the units take 1/10, 3/10, ..., 19/10 of it"
                    + " in turn (default: ${DEFAULT-VALUE}).")
    Duration service;

    @Option(names = "--workers", description = "Little's law: workers serving the queue (default: ${DEFAULT-VALUE}).")
    int workers = 16;

    @Option(names = "--run-for", defaultValue = "1s", converter = Script.GoDuration.class, paramLabel = "<duration>",
            description = "Little's law: how long units keep arriving, and the window L and lambda are measured over"
                    + " (default: ${DEFAULT-VALUE}).")
    Duration runFor;

    @Spec
    CommandSpec spec;

    // ---- Stages --------------------------------------------------------------------------------------------

    // pause: `select { case <-done: return false; case <-timer.C: }`; false if done closed first. A timer rather
    // than time.After, so that it can be stopped at once when done wins instead of living on until it fires.
    static boolean pause(ReceiveOnly<?> done, Duration d) {
        Timer timer = newTimer(d);
        try {
            return select(onReceive(done), onReceive(timer.c())).index() == 1;
        } finally {
            timer.stop();
        }
    }

    // sleep: the book's stand-in for a stage that works d on each value: it waits d, then passes the value on.
    // When its input runs dry (or done closes) it sends the time on finished, which must have room for that one
    // value (make(1)), and closes its stream: Go's `defer close(out)` then `defer func() { finished <- time.Now() }()`.
    // Its work is a wait, so on virtual time (GOCHAN_TIME=virtual) the times it reports are exact.
    static <T> ReceiveOnly<T> sleep(ReceiveOnly<?> done, Duration d, ReceiveOnly<T> in, SendOnly<Instant> finished) {
        Chan<T> out = make();
        go(() -> {
            try {                                                           // defer close(out)
                while (true) {
                    var fromIn = onReceive(in);
                    Selected s = select(onReceive(done), fromIn);           // select {
                    switch (s.index()) {
                        case 0 -> { return; }                               // case <-done: return
                        case 1 -> {                                         // case v, ok := <-in:
                            if (!s.ok()) {
                                return;                                     // if ok == false { return }
                            }
                        }
                    }
                    if (!pause(done, d)) {
                        return;
                    }
                    switch (select(onReceive(done), onSend(out, s.value(fromIn))).index()) {
                        case 0 -> { return; }                               // case <-done: return
                        case 1 -> { }                                       // case out <- v:
                    }
                }
            } finally {
                finished.send(now());
                out.close();
            }
        });
        return out;
    }

    // buffer: the book's queue stage: moves values from in to a channel with room for n, so the stage before it
    // can hand off values without waiting for the stage after it (n in the channel, plus the one this goroutine holds
    // while the channel is full).
    static <T> ReceiveOnly<T> buffer(ReceiveOnly<?> done, int n, ReceiveOnly<T> in) {
        Chan<T> bufferedStream = make(n);
        go(() -> {
            try {                                                           // defer close(bufferedStream)
                while (true) {
                    var fromIn = onReceive(in);
                    Selected s = select(onReceive(done), fromIn);           // select {
                    switch (s.index()) {
                        case 0 -> { return; }                               // case <-done: return
                        case 1 -> {                                         // case v, ok := <-in:
                            if (!s.ok()) {
                                return;                                     // if ok == false { return }
                            }
                        }
                    }
                    switch (select(onReceive(done), onSend(bufferedStream, s.value(fromIn))).index()) {
                        case 0 -> { return; }                               // case <-done: return
                        case 1 -> { }                                       // case bufferedStream <- v:
                    }
                }
            } finally {
                bufferedStream.close();
            }
        });
        return bufferedStream;
    }

    // ---- When a queue helps ----------------------------------------------------------------------------------

    record Timing(Duration shortDone, Duration longDone) {}

    // The book's pipeline: take(3, repeat(0)) -> short stage -> (buffer) -> long stage. It runs in a goroutine of its
    // own and sends how long after its start each stage finished.
    ReceiveOnly<Timing> timePipeline(ReceiveOnly<?> done, boolean buffered) {
        Chan<Timing> timing = make(1);
        go(() -> {
            Instant start = now();
            Chan<Instant> shortFinished = make(1);
            Chan<Instant> longFinished = make(1);
            ReceiveOnly<Integer> zeros = Pipeline.take(done, Pipeline.repeat(done, 0), 3);
            ReceiveOnly<Integer> shortStage = sleep(done, scale, zeros, shortFinished);
            ReceiveOnly<Integer> queue = buffered ? buffer(done, bufferSize, shortStage) : shortStage;
            ReceiveOnly<Integer> longStage = sleep(done, scale.multipliedBy(4), queue, longFinished);
            for (int zero : longStage) {                                    // pipeline := long; drain it
            }
            timing.send(new Timing(Duration.between(start, shortFinished.receive()),
                    Duration.between(start, longFinished.receive())));
        });
        return timing;
    }

    // With the default scale, one value takes 100ms in the short stage and 400ms in the long one, and three values
    // go through. Unbuffered, the short stage can hand on a value only when the long stage is ready for it: it is done
    // after 100 + 400 + 400 = 900ms. Buffered, it hands all three to the buffer and is done after 300ms. Either way the
    // long stage is done after 100 + 3 x 400 = 1.3s. On virtual time these are the times measured. On real time they
    // only ever run late (a timer never fires early), so they are truncated to the scale, as Go's d.Truncate(scale),
    // and print the same; the conclusions are decided with a margin of several scale units so that a busy machine
    // cannot flip them.
    void whenAQueueHelps() {
        Chan<Void> done = make();
        try {                                                               // defer close(done)
            System.out.printf("take(3, repeat(0)) -> short stage (%s a value) -> long stage (%s a value),%n",
                    show(scale), show(scale.multipliedBy(4)));
            System.out.printf("run twice at the same time: without a buffer, and with a buffer of %d after the short stage.%n",
                    bufferSize);
            ReceiveOnly<Timing> unbufferedRun = timePipeline(done, false);
            ReceiveOnly<Timing> bufferedRun = timePipeline(done, true);
            Timing unbuffered = unbufferedRun.receive();
            Timing buffered = bufferedRun.receive();
            for (Timing run : List.of(unbuffered, buffered)) {
                System.out.printf("  %s short stage done after %s, long stage (the pipeline) after %s%n",
                        run == unbuffered ? "without a buffer:" : "with a buffer:   ",
                        show(truncate(run.shortDone())), show(truncate(run.longDone())));
            }
            Duration margin = scale.multipliedBy(3);
            boolean shortSooner = buffered.shortDone().plus(margin).compareTo(unbuffered.shortDone()) < 0;
            boolean pipelineFaster = buffered.longDone().plus(margin).compareTo(unbuffered.longDone()) < 0;
            System.out.println(shortSooner
                    ? "With the buffer the short stage was done sooner: it is free for other work while the long stage catches up."
                    : "With the buffer the short stage was NOT done sooner.");
            System.out.println(pipelineFaster
                    ? "With the buffer the pipeline as a whole was faster."
                    : "The pipeline as a whole was not faster: it runs at the pace of its slowest stage.");
        } finally {
            done.close();
        }
    }

    // ---- Little's law ----------------------------------------------------------------------------------------

    // Little's law: in a stable system, one where units leave as fast as they arrive, L = lambda * W:
    //   L      the average number of units in the system,
    //   lambda the rate at which units arrive,
    //   W      the average time a unit spends in the system.
    // It holds whatever the stages do inside. Here units arrive at a steady pace, wait in a queue (the buffer stage)
    // for one of several workers (fanned out, and fanned back in with FanIn.fanIn), and leave when the consumer
    // receives them. The gate at the door counts how many are inside at every moment, as you would count customers
    // in a shop, and so gives L and lambda over a window of T; W is timed per unit. L comes out slightly below
    // lambda * W: the units still inside when the window closes have their whole W counted but only part of their
    // stay in L (a few percent here).
    //
    // How can W be decreased? Lambda is set by the arrivals, so L and W move together, and L/n = lambda * W/n is what
    // follows from making W n times shorter, not a way to do it. W shrinks only if units are served faster: faster
    // stages, or more workers at the slowest stage so that fewer of them wait. A queue makes neither faster. It lets
    // L grow (units wait in it), and at the same lambda that is a longer W (nL = lambda * nW); it cannot raise lambda
    // past what the slowest stage serves, because then the system is no longer stable and the law no longer applies.
    // For a pipeline, L = lambda * sum_i(W_i): a unit's time in the pipeline is the sum of its times in each stage.
    // And the pipeline can take in no more units per second than its slowest stage serves: it is only as fast as its
    // slowest stage.

    // A unit is numbered at the door, as a ticket, and carries the time it came in.
    record Unit(long number, Instant enteredAt) {}

    // What the gate adds up over its window: the units that came in, and the time they spent inside (the area under
    // inside(t): two units inside for 1s count 2s). L and lambda follow.
    record Observation(long entered, Duration window, Duration timeInside) {
        double averageInside() {                                            // L
            return (double) timeInside.toNanos() / window.toNanos();
        }

        double arrivalsPerSecond() {                                        // lambda
            return entered / (window.toNanos() / 1e9);
        }
    }

    // The door of the system. It numbers the units in and counts them in and out, and since it sees every change of
    // how many are inside, it adds up the time they spend inside; no observer looking every so often could count L
    // better. It counts over a window that opens when the first unit comes in, so that a late start does not count
    // as an empty shop, and closes `window` later. Units enter in the arrivals goroutine and leave in the consumer:
    // hence the lock.
    static final class Gate {
        private final Duration window;
        private Instant closes;                                             // `window` after the first unit came in
        private Instant lastChange;
        private long numbered;                                              // units in so far
        private long entered;                                               // of them, those in during the window
        private long inside;
        private Duration timeInside = Duration.ZERO;                        // during the window

        Gate(Duration window) {
            this.window = window;
        }

        synchronized Unit enter() {
            Instant at = now();
            if (closes == null) {
                closes = at.plus(window);
                lastChange = at;
            }
            addTimeInside(at);
            if (at.isBefore(closes)) {
                entered++;
            }
            inside++;
            return new Unit(numbered++, at);
        }

        synchronized Duration leave(Unit unit) {                            // the unit's W
            Instant at = now();
            addTimeInside(at);
            inside--;
            return Duration.between(unit.enteredAt(), at);
        }

        // What the window adds up to: ask once it has closed, or once no unit will come in or leave any more.
        synchronized Observation look() {
            if (closes != null) {
                addTimeInside(closes);
            }
            return new Observation(entered, window, timeInside);
        }

        synchronized long inside() {
            return inside;
        }

        // Adds the time the units inside spent there since the last change, as far as it lies in the window.
        private void addTimeInside(Instant at) {
            Instant until = at.isBefore(closes) ? at : closes;
            if (until.isAfter(lastChange)) {
                timeInside = timeInside.plus(Duration.between(lastChange, until).multipliedBy(inside));
                lastChange = until;
            }
        }
    }

    // arrivals: a paced generator: a unit enters the system at once and then one every `every`, count in all; then it
    // closes its stream (or it stops when done closes). Each unit waits for its own time, start + i * every, not for a
    // ticker's next tick: a ticker drops the ticks a busy machine makes it miss, and the units would fall behind for
    // good. And it counts units rather than watching a clock, so that the last one comes `every` before the window
    // closes, never at the very moment it closes (which of the two came first would be a coin toss).
    static ReceiveOnly<Unit> arrivals(ReceiveOnly<?> done, Gate gate, Duration every, long count) {
        Chan<Unit> unitStream = make();
        go(() -> {
            try {                                                           // defer close(unitStream)
                Instant start = now();
                for (long i = 0; i < count; i++) {
                    Duration untilDue = Duration.between(now(), start.plus(every.multipliedBy(i)));
                    if (!pause(done, untilDue)) {                           // time.Sleep(time.Until(due)), or done
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
                    if (!pause(done, serviceTime(unit.number(), service))) {
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
    }

    // The system: arrivals -> queue -> workers, fanned out and back in; units leave in the consumer, here. Units keep
    // arriving for runFor, the gate's window; W is timed on every unit, up to the last one out.
    static Measured measure(ReceiveOnly<?> done, Duration every, Duration service, int workers, Duration runFor) {
        Gate gate = new Gate(runFor);
        ReceiveOnly<Unit> queue = buffer(done, 1000, arrivals(done, gate, every, runFor.dividedBy(every)));
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

    // On virtual time L, lambda and W are exact: 9.61, 200 and 50ms by default, L 3.9% below lambda * W = 10 (the
    // window's edge). A real run is late by a millisecond or so per unit, so L and lambda * W are printed as whole
    // units and W to the step between service times (10ms by default): coarse enough to print the same, fine enough
    // to see the law hold.
    void littlesLaw() {
        Chan<Void> done = make();
        try {                                                               // defer close(done)
            double arrivalRate = 1e9 / every.toNanos();
            double capacity = workers * 1e9 / Math.max(1, service.toNanos());
            System.out.printf("%nLittle's law, L = lambda * W: a unit arrives every %s, waits in a queue for one of %d workers,%n",
                    show(every), workers);
            System.out.printf("and takes %s, %s, ..., %s to serve, unit after unit (%s on average).%n",
                    show(serviceTime(0, service)), show(serviceTime(1, service)), show(serviceTime(9, service)),
                    show(service));
            System.out.printf("The workers serve %.0f units/s, %s the %.0f that arrive: %s.%n", capacity,
                    capacity > arrivalRate ? "more than" : "no more than", arrivalRate,
                    capacity > arrivalRate ? "stable" : "NOT stable, the queue grows");

            Measured measured = measure(done, every, service, workers, runFor);
            Observation seen = measured.seen();
            Duration w = measured.averageTimeInSystem();
            double lambdaW = seen.arrivalsPerSecond() * w.toNanos() / 1e9;
            double difference = lambdaW == 0 ? 0 : Math.abs(seen.averageInside() - lambdaW) / lambdaW;

            System.out.printf("Measured over %s from the first arrival (the gate counts every unit in and out):%n",
                    show(runFor));
            System.out.printf("  L      = %.0f units in the system on average%n", seen.averageInside());
            System.out.printf("  lambda = %.0f units arrived per second%n", seen.arrivalsPerSecond());
            System.out.printf("  W      = %s in the system per unit on average (%d units)%n",
                    Script.durationString(w, serviceTime(1, service).minus(serviceTime(0, service))), measured.served());
            System.out.printf("  lambda * W = %.0f units%n", lambdaW);
            System.out.println("L is within 10% of lambda * W: " + (measured.served() > 0 && difference <= 0.10));
        } finally {
            done.close();
        }
    }

    // ---- main ------------------------------------------------------------------------------------------------

    Duration truncate(Duration d) {                                         // Go's d.Truncate(scale)
        return scale.multipliedBy(d.toNanos() / scale.toNanos());
    }

    static String show(Duration d) {
        return Script.durationString(d, Duration.ofMillis(1));
    }

    @Override
    public Integer call() {
        Script.require(spec, scale.toMillis() >= 1, "--scale must be at least 1ms, got " + show(scale));
        Script.require(spec, bufferSize >= 0, "--buffer must not be negative, got " + bufferSize);
        Script.require(spec, every.toMillis() >= 1, "--every must be at least 1ms, got " + show(every));
        Script.require(spec, workers >= 1, "--workers must be at least 1, got " + workers);
        Script.require(spec, runFor.compareTo(every) >= 0,
                "--run-for must be at least --every (" + show(every) + "), got " + show(runFor));
        whenAQueueHelps();
        littlesLaw();
        return 0;
    }

    public static void main(String... args) {
        Script.run(new Queuing(), args);
    }
}

// This is the output on virtual time (GOCHAN_TIME=virtual), where every time is exact. A real run prints the same
// lines as long as the machine runs each timer within a few milliseconds: the pipeline's times are truncated to the
// scale, and Little's law is printed in whole units, W to 10ms.
//
// Output:
// take(3, repeat(0)) -> short stage (100ms a value) -> long stage (400ms a value),
// run twice at the same time: without a buffer, and with a buffer of 2 after the short stage.
//   without a buffer: short stage done after 900ms, long stage (the pipeline) after 1.3s
//   with a buffer:    short stage done after 300ms, long stage (the pipeline) after 1.3s
// With the buffer the short stage was done sooner: it is free for other work while the long stage catches up.
// The pipeline as a whole was not faster: it runs at the pace of its slowest stage.
//
// Little's law, L = lambda * W: a unit arrives every 5ms, waits in a queue for one of 16 workers,
// and takes 5ms, 15ms, ..., 95ms to serve, unit after unit (50ms on average).
// The workers serve 320 units/s, more than the 200 that arrive: stable.
// Measured over 1s from the first arrival (the gate counts every unit in and out):
//   L      = 10 units in the system on average
//   lambda = 200 units arrived per second
//   W      = 50ms in the system per unit on average (200 units)
//   lambda * W = 10 units
// L is within 10% of lambda * W: true
