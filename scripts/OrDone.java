///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION The or-done channel: wraps a channel so that a consumer's plain for-each ends when the channel closes or when done closes.
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
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

// The or-done channel. A consumer ranging over a channel from some other part of the system cannot tell whether
// that channel will ever close when the work is cancelled. `for v := range myChan` would then block forever, and
// a select on done around every receive buries the loop's own logic. orDone(done, c) puts that select in one
// goroutine, so the consumer writes a plain for-each that ends when c closes or when done closes, whichever
// comes first.
//
// The book's orDone works on interface{} because Go had no generics; this one is generic.
//
// From Concurrency in Go, chapter 4, "The or-done-channel"; the book publishes its orDone with the bridge, in
// kat-co/concurrency-in-go-src, concurrency-patterns-in-go/the-bridge-channel/fig-bridge-channel.go.
@Command(name = "ordone", mixinStandardHelpOptions = true, version = "ordone 1.0",
        description = "The or-done channel: wraps a channel so that a consumer's plain for-each ends when the channel "
                + "closes or when done closes.")
public class OrDone implements Callable<Integer> {

    @Option(names = "--values", description = "Values myChan sends before it closes (default: ${DEFAULT-VALUE}).")
    int values = 5;

    @Option(names = "--quiet-after",
            description = "Values myChan sends before it goes quiet, in the second run (default: ${DEFAULT-VALUE}).")
    int quietAfter = 3;

    @Option(names = "--quiet-for", defaultValue = "200ms", converter = Script.GoDuration.class,
            description = "How long myChan is quiet before done closes (default: ${DEFAULT-VALUE}).")
    Duration quietFor;

    @Spec
    CommandSpec spec;

    // orDone: for { select { case <-done: return; case v, ok := <-c: ... } }, forwarding each value until c
    // closes or done closes.
    //
    // The inner select, like the book's, does not return on done: it drops the value it holds and loops back,
    // and the outer select then returns. That is still correct, because Go's select picks at random among ready
    // cases: if c also has a value ready, the outer select may take it (and the inner select may drop it, or hand
    // it to a consumer still reading), but each round ends the loop with probability at least 1/2. A `return`
    // there would stop at once; the consumer cannot tell the two apart, except that after done closes it may see
    // a few more values, not necessarily consecutive ones. Either way nothing is delivered out of order.
    static <T> ReceiveOnly<T> orDone(ReceiveOnly<?> done, ReceiveOnly<T> c) {
        Chan<T> valStream = make();
        go(() -> {
            try {                                                   // defer close(valStream)
                while (true) {
                    var fromC = onReceive(c);
                    Selected s = select(onReceive(done), fromC);    // select {
                    switch (s.index()) {
                        case 0 -> { return; }                       // case <-done: return
                        case 1 -> {                                 // case v, ok := <-c:
                            if (!s.ok()) {
                                return;                             // if ok == false { return }
                            }
                        }
                    }
                    select(onReceive(done), onSend(valStream, s.value(fromC))); // select { case valStream <- v: case <-done: }
                }
            } finally {
                valStream.close();
            }
        });
        return valStream;
    }

    // A producer that sends 1..count and then goes quiet, like a connection that stays open with nothing more to
    // say. It never closes myChan: when done closes it just stops. So a plain `for (int v : myChan)` would block
    // forever; orDone is what lets the consumer stop.
    static ReceiveOnly<Integer> goesQuiet(ReceiveOnly<?> done, int count) {
        Chan<Integer> myChan = make();
        go(() -> {
            for (int i = 1; i <= count; i++) {
                switch (select(onReceive(done), onSend(myChan, i)).index()) {
                    case 0 -> { return; }                           // case <-done: return
                    case 1 -> { }                                   // case myChan <- i:
                }
            }
            receive(done);                                          // quiet until done, and myChan stays open
        });
        return myChan;
    }


    // 1. myChan closes: the loop ends, and done is still open.
    void untilMyChanCloses() {
        Chan<Void> done = make();
        try {                                                       // defer close(done)
            System.out.println("myChan sends " + values + " values and closes:");
            ReceiveOnly<Integer> myChan = Pipeline.generator(done, IntStream.rangeClosed(1, values).toArray());
            StringJoiner got = new StringJoiner(" ", "  ", "");
            for (int val : orDone(done, myChan)) {
                got.add(String.valueOf(val));
            }
            System.out.println(got);
            System.out.println("  the loop ended; done is " + (isClosed(done) ? "closed" : "open"));
        } finally {
            done.close();
        }
    }

    // 2. myChan goes quiet and stays open; done closes (here: a watchdog that gives up once myChan has been quiet
    // for a while) and ends the very same loop. The consumer arms the watchdog when it has the last value, not
    // myChan when it has sent it: that send ends when orDone takes the value, and had the consumer been late (a
    // stalled machine) by quietFor, done would close first and orDone drop the value.
    void untilDoneCloses() {
        System.out.println("myChan sends " + quietAfter + " values and stays open; done closes when it has been quiet"
                + " for " + Script.durationString(quietFor, Duration.ofMillis(1)) + ":");
        Chan<Void> done = make();
        Chan<Void> quiet = make();
        go(() -> {                                                  // the watchdog
            receive(quiet);                                         // quiet is closed once the consumer has it all
            Timer timer = newTimer(quietFor);
            receive(timer.c());
            done.close();
        });
        Instant start = now();
        StringJoiner got = new StringJoiner(" ", "  ", "");
        if (quietAfter == 0) {
            quiet.close();
        }
        for (int val : orDone(done, goesQuiet(done, quietAfter))) {
            got.add(String.valueOf(val));
            if (val == quietAfter) {
                quiet.close();                                      // myChan has nothing more to say
            }
        }
        Duration took = since(start);                               // time.Since(start)
        System.out.println(got);
        // Rounded to 100 ms: the loop ends when done closes, quietFor after myChan went quiet. On virtual time that
        // is exact; a real run ends a few milliseconds late.
        System.out.println("  the loop ended after " + Script.durationString(took, Duration.ofMillis(100))
                + "; done is " + (isClosed(done) ? "closed" : "open"));
    }

    @Override
    public Integer call() {
        Script.require(spec, values >= 0, "--values must not be negative, got " + values);
        Script.require(spec, quietAfter >= 0, "--quiet-after must not be negative, got " + quietAfter);
        untilMyChanCloses();
        untilDoneCloses();
        return 0;
    }

    public static void main(String... args) {
        Script.run(new OrDone(), args);
    }
}

// Output:
// myChan sends 5 values and closes:
//   1 2 3 4 5
//   the loop ended; done is open
// myChan sends 3 values and stays open; done closes when it has been quiet for 200ms:
//   1 2 3
//   the loop ended after 200ms; done is closed
