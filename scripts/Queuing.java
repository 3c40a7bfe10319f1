///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Queuing: a buffer between a short and a long stage frees the short stage sooner but does not make the pipeline faster; then Little's law, L = lambda * W, measured on a running pipeline.
//JAVA 21+
//DEPS info.picocli:picocli:4.7.7
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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
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
@Command(name = "queuing", mixinStandardHelpOptions = true, version = "queuing 1.0",
        description = "A buffer between a short and a long stage; then Little's law measured on a stable pipeline.")
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
            description = "Little's law: average time a worker takes per unit, drawn between 0 and twice this (default: ${DEFAULT-VALUE}).")
    Duration service;

    @Option(names = "--workers", description = "Little's law: workers serving the queue (default: ${DEFAULT-VALUE}).")
    int workers = 16;

    @Option(names = "--run-for", defaultValue = "1s", converter = Script.GoDuration.class, paramLabel = "<duration>",
            description = "Little's law: how long units keep arriving and the observer keeps looking (default: ${DEFAULT-VALUE}).")
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
    static <T> ReceiveOnly<T> sleep(ReceiveOnly<?> done, Duration d, ReceiveOnly<T> in, SendOnly<Instant> finished) {
        Chan<T> out = make();
        go(() -> {
            try {
                while (true) {
                    Selected received = select(onReceive(done), onReceive(in));
                    if (received.index() == 0 || !received.ok()) {          // done, or in closed
                        return;
                    }
                    T value = received.value();
                    if (!pause(done, d) || select(onReceive(done), onSend(out, value)).index() == 0) {
                        return;
                    }
                }
            } finally {
                finished.send(Instant.now());
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
            try {
                while (true) {
                    Selected received = select(onReceive(done), onReceive(in));
                    if (received.index() == 0 || !received.ok()) {
                        return;
                    }
                    T value = received.value();
                    if (select(onReceive(done), onSend(bufferedStream, value)).index() == 0) {
                        return;
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
            Instant start = Instant.now();
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
    // long stage is done after 100 + 3 x 400 = 1.3s. Measured times only ever run late (a timer never fires early),
    // so they are truncated to the scale, as Go's d.Truncate(scale), and printed; the conclusions are decided with a
    // margin of several scale units so that a busy machine cannot flip them.
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
    // receives them. An observer counts how many are inside, as you would count customers in a shop; lambda is
    // counted at the door; W is timed per unit. Over a window of T, L comes out slightly below lambda * W: the units
    // still inside when the observer stops have their whole W counted but only part of their stay in L (about
    // W/2T, a few percent here).
    //
    // How can W be decreased? Lambda is set by the arrivals, so L and W move together, and L/n = lambda * W/n is what follows from making W n times shorter, not a way to do it. W
    // shrinks only if units are served faster: faster stages, or more workers at the slowest stage so that fewer of
    // them wait. A queue makes neither faster. It lets L grow (units wait in it), and at the same lambda that is a
    // longer W (nL = lambda * nW); it cannot raise lambda past what the slowest stage serves, because then the system
    // is no longer stable and the law no longer applies. For a pipeline, L = lambda * sum_i(W_i): a
    // unit's time in the pipeline is the sum of its times in each stage. And the pipeline can take in no more units per second than its slowest stage serves: it is only as fast as its slowest stage.

    record Unit(long enteredAt) {}

    // The door of the system: it counts units in and out, so the observer can see how many are inside at any time.
    static final class Gate {
        private final AtomicLong entered = new AtomicLong();
        private final AtomicLong inside = new AtomicLong();

        Unit enter() {
            entered.incrementAndGet();
            inside.incrementAndGet();
            return new Unit(System.nanoTime());
        }

        Duration leave(Unit unit) {
            inside.decrementAndGet();
            return Duration.ofNanos(System.nanoTime() - unit.enteredAt());
        }

        long entered() {
            return entered.get();
        }

        long inside() {
            return inside.get();
        }
    }

    // arrivals: a ticker's for-select loop, a paced generator: a new unit enters the system on every tick, until runFor
    // has passed (it then closes its stream) or done closes.
    static ReceiveOnly<Unit> arrivals(ReceiveOnly<?> done, Gate gate, Duration every, Duration runFor) {
        Chan<Unit> unitStream = make();
        go(() -> {
            Ticker ticker = newTicker(every);
            ReceiveOnly<Instant> timeUp = after(runFor);
            try {
                while (true) {
                    switch (select(onReceive(done), onReceive(timeUp), onReceive(ticker.c())).index()) {
                        case 0, 1 -> { return; }
                        default -> {
                            if (select(onReceive(done), onSend(unitStream, gate.enter())).index() == 0) {
                                return;
                            }
                        }
                    }
                }
            } finally {
                ticker.stop();
                unitStream.close();
            }
        });
        return unitStream;
    }

    // serve: one worker of the slow stage; each unit takes between 0 and twice `service`, at random, then moves on.
    static <T> ReceiveOnly<T> serve(ReceiveOnly<?> done, Duration service, ReceiveOnly<T> in) {
        Chan<T> servedStream = make();
        go(() -> {
            try {
                for (T unit : in) {
                    Duration took = Duration.ofNanos(ThreadLocalRandom.current().nextLong(2 * service.toNanos() + 1));
                    if (!pause(done, took) || select(onReceive(done), onSend(servedStream, unit)).index() == 0) {
                        return;
                    }
                }
            } finally {
                servedStream.close();
            }
        });
        return servedStream;
    }

    record Observation(double averageInside, double arrivalsPerSecond) {}

    // observe: a ticker's for-select loop that looks how many units are inside on every tick and averages what it
    // saw, each look weighted by how long it stood for (so a late tick does not skew it). After runFor it sends L and
    // lambda (the units that entered, per second) and closes its stream.
    static ReceiveOnly<Observation> observe(ReceiveOnly<?> done, Gate gate, Duration every, Duration runFor) {
        Chan<Observation> observation = make(1);
        go(() -> {
            Ticker ticker = newTicker(every);
            ReceiveOnly<Instant> timeUp = after(runFor);
            long start = System.nanoTime();
            long enteredBefore = gate.entered();
            long lastLook = start;
            long inside = gate.inside();
            double unitNanos = 0;                                           // the area under inside(t)
            try {
                while (true) {
                    int fired = select(onReceive(done), onReceive(timeUp), onReceive(ticker.c())).index();
                    if (fired == 0) {
                        return;
                    }
                    long now = System.nanoTime();
                    unitNanos += (double) inside * (now - lastLook);
                    lastLook = now;
                    inside = gate.inside();
                    if (fired == 1) {
                        double seconds = (now - start) / 1e9;
                        observation.send(new Observation(unitNanos / (now - start),
                                (gate.entered() - enteredBefore) / seconds));
                        return;
                    }
                }
            } finally {
                ticker.stop();
                observation.close();
            }
        });
        return observation;
    }

    void littlesLaw() {
        Chan<Void> done = make();
        try {                                                               // defer close(done)
            double arrivalRate = 1e9 / every.toNanos();
            double capacity = workers * 1e9 / Math.max(1, service.toNanos());
            System.out.printf("%nLittle's law, L = lambda * W: a unit arrives every %s, waits in a queue for one of %d workers,%n",
                    show(every), workers);
            System.out.printf("and takes 0 to %s to serve (%s on average). The workers serve %.0f units/s, %s the %.0f that arrive: %s.%n",
                    show(service.multipliedBy(2)), show(service), capacity,
                    capacity > arrivalRate ? "more than" : "no more than", arrivalRate,
                    capacity > arrivalRate ? "stable" : "NOT stable, the queue grows");

            Gate gate = new Gate();
            ReceiveOnly<Observation> observation = observe(done, gate, Duration.ofMillis(1), runFor);
            ReceiveOnly<Unit> queue = buffer(done, 1000, arrivals(done, gate, every, runFor));
            List<ReceiveOnly<Unit>> servers = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                servers.add(serve(done, service, queue));                   // fan out
            }
            long served = 0;
            Duration timeInSystem = Duration.ZERO;
            for (Unit unit : FanIn.fanIn(done, servers)) {                  // fan in; the unit leaves the system
                timeInSystem = timeInSystem.plus(gate.leave(unit));
                served++;
            }
            Observation seen = observation.receive();
            double w = served == 0 ? 0 : timeInSystem.toNanos() / 1e9 / served;
            double lambdaW = seen.arrivalsPerSecond() * w;
            double difference = lambdaW == 0 ? 0 : Math.abs(seen.averageInside() - lambdaW) / lambdaW;

            System.out.printf("Measured over %s (an observer looked every 1ms):%n", show(runFor));
            System.out.printf("  L      = %.2f units in the system on average%n", seen.averageInside());
            System.out.printf("  lambda = %.1f units arrived per second%n", seen.arrivalsPerSecond());
            System.out.printf("  W      = %s in the system per unit on average (%d units)%n",
                    Script.durationString(Duration.ofNanos(Math.round(w * 1e9)), Duration.ofMillis(1)), served);
            System.out.printf("  lambda * W = %.2f units; L differs from it by %.1f%%%n", lambdaW, 100 * difference);
            System.out.println("L is within 20% of lambda * W: " + (served > 0 && difference <= 0.20));
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
        Script.require(spec, !runFor.isZero(), "--run-for must be positive");
        whenAQueueHelps();
        littlesLaw();
        return 0;
    }

    public static void main(String... args) {
        Script.run(new Queuing(), args);
    }
}

// With the default scale the four times read 900ms and 1.3s, then 300ms and 1.3s; they are holes because a very
// busy machine could make one of them late by a scale unit.
//
// Output:
// take(3, repeat(0)) -> short stage (100ms a value) -> long stage (400ms a value),
// run twice at the same time: without a buffer, and with a buffer of 2 after the short stage.
//   without a buffer: short stage done after {duration}, long stage (the pipeline) after {duration}
//   with a buffer:    short stage done after {duration}, long stage (the pipeline) after {duration}
// With the buffer the short stage was done sooner: it is free for other work while the long stage catches up.
// The pipeline as a whole was not faster: it runs at the pace of its slowest stage.
//
// Little's law, L = lambda * W: a unit arrives every 5ms, waits in a queue for one of 16 workers,
// and takes 0 to 100ms to serve (50ms on average). The workers serve 320 units/s, more than the 200 that arrive: stable.
// Measured over 1s (an observer looked every 1ms):
//   L      = {number} units in the system on average
//   lambda = {number} units arrived per second
//   W      = {duration} in the system per unit on average ({int} units)
//   lambda * W = {number} units; L differs from it by {number}%
// L is within 20% of lambda * W: true
