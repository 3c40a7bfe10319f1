///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Queuing: a buffer between a short and a long stage frees the short stage sooner but does not make the pipeline faster.
//JAVA 21+
//DEPS info.picocli:picocli:4.7.7
// To run it elsewhere, copy it with: gochan/Go.java gochan/Script.java Pipeline.java
//SOURCES gochan/Go.java
//SOURCES gochan/Script.java
//SOURCES Pipeline.java

import static gochan.Go.*;

import gochan.Script;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

// Queuing: a stage hands its results to a queue (a buffer) instead of waiting until the next stage is ready for
// them. A queue almost never makes a pipeline finish sooner: it decouples the stages, so that a fast stage is done
// with its part (and free to do other work) while a slow one is still busy. Little's law says why a queue cannot
// shorten the time a unit spends in the system: LittlesLaw.java measures it on a running system.
//
// Note that take does not cancel the stages before it once it has its items: it only stops taking; repeat stays
// blocked on its next send until done is closed. And what the queue does is let the short stage finish three times
// sooner while the pipeline as a whole takes exactly as long.
//
// From Concurrency in Go, chapter 4, "Queuing"; its pipeline is in the text only (the section's published file,
// kat-co/concurrency-in-go-src, concurrency-patterns-in-go/queuing/buffering_test.go, benchmarks bufio).
@Command(name = "queuing", mixinStandardHelpOptions = true, version = "queuing 1.0",
        description = "Queuing: a buffer between a short and a long stage frees the short stage sooner but does not "
                + "make the pipeline faster.")
public class Queuing implements Callable<Integer> {

    @Option(names = "--scale", defaultValue = "100ms", converter = Script.GoDuration.class, paramLabel = "<duration>",
            description = "How long the book's second lasts: the short stage takes one per value, the long stage four"
                    + " (default: ${DEFAULT-VALUE}; 1s runs at the book's pace).")
    Duration scale;

    @Option(names = "--buffer", description = "Room in the buffer between the short and the long stage (default: ${DEFAULT-VALUE}).")
    int bufferSize = 2;

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
        whenAQueueHelps();
        return 0;
    }

    public static void main(String... args) {
        Script.run(new Queuing(), args);
    }
}

// This is the output on virtual time (GOCHAN_TIME=virtual), where every time is exact. A real run prints the same
// lines as long as the machine runs each timer within a few milliseconds: the pipeline's times are truncated to the
// scale.
//
// Output:
// take(3, repeat(0)) -> short stage (100ms a value) -> long stage (400ms a value),
// run twice at the same time: without a buffer, and with a buffer of 2 after the short stage.
//   without a buffer: short stage done after 900ms, long stage (the pipeline) after 1.3s
//   with a buffer:    short stage done after 300ms, long stage (the pipeline) after 1.3s
// With the buffer the short stage was done sooner: it is free for other work while the long stage catches up.
// The pipeline as a whole was not faster: it runs at the pace of its slowest stage.
