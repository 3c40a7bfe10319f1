///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION The for-select loop: sending iteration values until done, and looping on work with a default case until done.
//JAVA 21+
//DEPS info.picocli:picocli:4.7.7
// To run it elsewhere, copy it with: gochan/Go.java gochan/Script.java
//SOURCES gochan/Go.java
//SOURCES gochan/Script.java

import static gochan.Go.*;

import gochan.Script;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.LongUnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

// The for-select loop: a loop (infinite, or over a range) with a select inside, one of whose cases is `<-done`.
// It comes in two shapes: sending values out on a channel until told to stop, and doing work that cannot wait on
// a channel, checking between two units of work whether it has been told to stop.
//
// From Concurrency in Go, chapter 4, "The for-select Loop"; its code is in the text only.
@Command(name = "forselect", mixinStandardHelpOptions = true, version = "forselect 1.0",
        description = "The for-select loop: sending iteration values until done, and looping on work with a default "
                + "case until done.")
public class ForSelect implements Callable<Integer> {

    @Option(names = "--values", split = ",", paramLabel = "VALUE",
            description = "The values sendValues sends (default: ${DEFAULT-VALUE}).")
    List<String> values = List.of("a", "b", "c");

    @Option(names = "--work-for", defaultValue = "200ms", converter = Script.GoDuration.class,
            description = "How long before done closes and the worker stops (default: ${DEFAULT-VALUE}).")
    Duration workFor;

    @Spec
    CommandSpec spec;

    // sendValues, shape 1: `for _, s := range values { select { case <-done: return; case stringStream <- s: } }`.
    // Each send can be abandoned: if nobody takes the value and done closes, the goroutine returns.
    static ReceiveOnly<String> sendValues(ReceiveOnly<?> done, List<String> values) {
        Chan<String> stringStream = make();
        go(() -> {
            try {                                                   // defer close(stringStream)
                for (String s : values) {
                    switch (select(onReceive(done), onSend(stringStream, s)).index()) {
                        case 0 -> { return; }                       // case <-done: return
                        case 1 -> { }                               // case stringStream <- s:
                    }
                }
            } finally {
                stringStream.close();
            }
        });
        return stringStream;
    }

    // One unit of work that does not block on any channel (the book's "non-preemptable work"): here, some
    // arithmetic that a select cannot interrupt halfway.
    static long unitOfWork(long seed) {
        long x = seed;
        for (int i = 0; i < 10_000; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        return x;
    }

    // workUntilDone, shape 2: `for { select { case <-done: return; default: }; /* work */ }`. The default case
    // makes the select a non-blocking check, so the loop keeps working (each unit is given the last one's result)
    // until done is closed. It sends how many units it completed on its result channel, then closes it.
    // The loop never blocks, so it must let other goroutines run: Go preempts a goroutine that runs too long, but
    // the JVM never preempts a virtual thread, and on one CPU the goroutine that closes done would never run.
    static ReceiveOnly<Long> workUntilDone(ReceiveOnly<?> done, LongUnaryOperator unitOfWork) {
        Chan<Long> unitsDone = make(1);
        go(() -> {
            long units = 0;
            long x = 1;
            try {                                                   // defer close(unitsDone)
                while (true) {
                    switch (select(onReceive(done), onDefault()).index()) { // select {
                        case 0 -> {                                 // case <-done:
                            unitsDone.send(units);                  //     (buffered: never blocks)
                            return;                                 //     return
                        }
                        case 1 -> { }                               // default:
                    }
                    x = unitOfWork.applyAsLong(x);                  // the work, after the select
                    units++;
                    gosched();                                      // runtime.Gosched(): never preempted
                }
            } finally {
                unitsDone.close();
            }
        });
        return unitsDone;
    }

    @Override
    public Integer call() {
        Script.require(spec, !workFor.isZero(), "--work-for must be positive");

        System.out.println("Sending iteration values until done:");
        Chan<Void> done = make();
        try {                                                       // defer close(done)
            for (String s : sendValues(done, values)) {
                System.out.println(s);
            }
        } finally {
            done.close();
        }

        // The same stage, stopped early: read one value, close done, and the stage gives up on the rest. It may
        // still hand over a value or two it was offering when done closed (select picks at random between two
        // ready cases), so drain the stream until the stage closes it.
        Chan<Void> stop = make();
        ReceiveOnly<String> stringStream = sendValues(stop, values);
        System.out.println("Read " + stringStream.receive() + ", then closed done.");
        stop.close();
        for (String ignored : stringStream) { }
        System.out.println("sendValues stopped and closed its stream.");

        System.out.println("Looping on work with a default case until done:");
        Chan<Void> workDone = make();
        afterFunc(workFor, workDone::close); // time.AfterFunc(d, func() { close(done) })
        long units = workUntilDone(workDone, ForSelect::unitOfWork).receive();
        System.out.println("Worked until done closed: " + units + " units of work (the count varies from run to run).");
        return 0;
    }

    public static void main(String... args) {
        // Not on virtual time: the default-case loop never blocks, so time would never move (Go's synctest hangs too).
        Script.runInRealTime(new ForSelect(), args);
    }
}

// Output:
// Sending iteration values until done:
// a
// b
// c
// Read a, then closed done.
// sendValues stopped and closed its stream.
// Looping on work with a default case until done:
// Worked until done closed: {int} units of work (the count varies from run to run).
