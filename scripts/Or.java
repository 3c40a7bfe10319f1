///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION The or-channel: one channel that closes as soon as any of several closes, built as a recursive tree of goroutines that all end together.
//JAVA 21+
//DEPS info.picocli:picocli:4.7.7
// To run it elsewhere, copy it with: gochan/Go.java gochan/Script.java
//SOURCES gochan/Go.java
//SOURCES gochan/Script.java

import static gochan.Go.*;

import gochan.Script;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

// The or-channel. A closed channel is a signal that every receiver sees at once. When you wait for any one of
// several such signals and do not know how many there will be, you cannot write a select with one case per
// channel; or(...) combines them into a single channel that closes as soon as any of them closes. It is
// recursive: one goroutine selects on the first three channels and on the or of all the rest, so the goroutines
// form a tree, and closing any channel ends every goroutine of the tree, up and down.
//
// or never looks at a value, only at closing, so it takes channels of any element type: ReceiveOnly<?> is the
// Java spelling of the book's <-chan interface{}.
//
// From Concurrency in Go, chapter 4, "The or-channel"; the book's code: kat-co/concurrency-in-go-src,
// concurrency-patterns-in-go/the-or-channel/fig-or-channel.go.
@Command(name = "or", mixinStandardHelpOptions = true, version = "or 1.0",
        description = "The or-channel: one channel that closes as soon as any of several closes, built as a recursive "
                + "tree of goroutines that all end together.")
public class Or implements Callable<Integer> {

    @Option(names = "--signals", split = ",", defaultValue = "2h,5m,1s,1h,1m", converter = Script.GoDuration.class,
            description = "How long each signal takes to close: 100ms, 1s, 5m, 2h, 1h30m... (default: ${DEFAULT-VALUE}).")
    List<Duration> durations;

    @Spec
    CommandSpec spec;

    // or: the book's recursive or-channel. The result closes when any of the channels closes.
    static ReceiveOnly<?> or(ReceiveOnly<?>... channels) {
        if (channels.length == 0) {
            return null;                                            // nil: an or of nothing never closes
        }
        if (channels.length == 1) {
            return channels[0];                                     // an or of one channel is that channel
        }
        ReceiveOnly<?>[] inputs = channels.clone();                 // the goroutine reads them later: a caller
                                                                    // reusing its array must not change them
        Chan<Void> orDone = make();
        go(() -> {
            try {                                                   // defer close(orDone)
                if (inputs.length == 2) {                           // case 2: select on both, no recursion
                    select(onReceive(inputs[0]), onReceive(inputs[1]));
                    return;
                }
                // The rest of the channels plus our own orDone, so that the subtree also ends when this
                // goroutine ends because one of the first three closed: closing orDone (below) is what makes
                // the goroutines down the tree exit; the subtree's result closing makes this one exit, and so on
                // up. Unlike the book's fig-or-channel.go: its append(channels[3:], orDone) writes orDone into the caller's
                // array when it has spare capacity (a caller of or(cs[:5]...) sees cs[5] overwritten, from
                // another goroutine: a data race). Here the rest is always a fresh array.
                ReceiveOnly<?>[] rest = Arrays.copyOfRange(inputs, 3, inputs.length + 1);
                rest[rest.length - 1] = orDone;
                // With exactly three channels the rest is just orDone, and or(orDone) is orDone itself: a case
                // that is never ready while this select waits, so it costs nothing.
                select(onReceive(inputs[0]), onReceive(inputs[1]), onReceive(inputs[2]), onReceive(or(rest)));
            } finally {
                orDone.close();
            }
        });
        return orDone;
    }

    // sig: the book's signal, a channel that closes after the given time. The book's sig sleeps in its
    // goroutine, so a two-hour signal outlives the program; this one waits on a timer or on done, and releases
    // the timer either way, so ending the demo leaves no goroutine and no timer behind.
    static ReceiveOnly<Void> sig(ReceiveOnly<?> done, Duration after) {
        Chan<Void> c = make();
        go(() -> {
            Timer timer = newTimer(after);
            try {                                                   // defer close(c)
                select(onReceive(done), onReceive(timer.c()));
            } finally {
                timer.stop();
                c.close();
            }
        });
        return c;
    }


    @Override
    public Integer call() {
        Chan<Void> done = make();
        try {                                                       // defer close(done)
            ReceiveOnly<?>[] sigs = new ReceiveOnly<?>[durations.size()];
            StringJoiner names = new StringJoiner(", ");
            for (int i = 0; i < sigs.length; i++) {
                sigs[i] = sig(done, durations.get(i));
                names.add("sig(" + Script.durationString(durations.get(i), Duration.ofMillis(1)) + ")");
            }
            System.out.println("<-or(" + names + ")");
            // Read at once: a signal can have closed by now (and its goroutine ended) only if the machine stalled
            // here for longer than the shortest signal (1s by default); the count would then be one short, and true.
            System.out.println("goroutines before or: " + goroutines() + " (one per signal)");

            Instant start = now();
            receive(or(sigs));
            Duration took = since(start);                           // time.Since(start)
            int shortest = 0;
            for (int i = 1; i < sigs.length; i++) {
                shortest = durations.get(i).compareTo(durations.get(shortest)) < 0 ? i : shortest;
            }
            // Rounded to 100 ms, which is all the lesson needs ("after the shortest signal, not the longest"):
            // on virtual time it is exact, and a real run ends a few milliseconds late.
            System.out.println("done after " + Script.durationString(took, Duration.ofMillis(100))
                    + " (the shortest signal: " + Script.durationString(durations.get(shortest), Duration.ofMillis(1)) + ")");

            StringJoiner closed = new StringJoiner(", ");
            int open = 0;
            for (int i = 0; i < sigs.length; i++) {
                if (isClosed(sigs[i])) {
                    closed.add("sig(" + Script.durationString(durations.get(i), Duration.ofMillis(1)) + ")");
                } else {
                    open++;
                }
            }
            System.out.println("closed: " + closed);
            // The or-tree's goroutines end together once one signal has closed; the open signals keep theirs
            // until done. awaitGoroutines fails (and so does the program) if the tree is still running after 5 s.
            awaitGoroutines(open, LEAK_BOUND);
            System.out.println("goroutines after or: " + goroutines()
                    + " (the signals still open; the or-tree has ended)");
        } finally {
            done.close();
        }
        awaitGoroutines(0, LEAK_BOUND);
        System.out.println("after close(done): " + goroutines() + " goroutines, " + timers() + " timers");
        return 0;
    }

    public static void main(String... args) {
        Script.run(new Or(), args);
    }
}

// Output:
// <-or(sig(2h0m0s), sig(5m0s), sig(1s), sig(1h0m0s), sig(1m0s))
// goroutines before or: 5 (one per signal)
// done after 1s (the shortest signal: 1s)
// closed: sig(1s)
// goroutines after or: 4 (the signals still open; the or-tree has ended)
// after close(done): 0 goroutines, 0 timers
