///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION The tee channel: splits one stream into two that both get every value, in lockstep (neither output gets more than one value ahead); here the book's take(repeat(1, 2), 4).
//JAVA 21+
//DEPS info.picocli:picocli:4.7.7
// To run it elsewhere, copy it with: gochan/Go.java gochan/Script.java Pipeline.java OrDone.java
//SOURCES gochan/Go.java
//SOURCES gochan/Script.java
//SOURCES Pipeline.java
//SOURCES OrDone.java

import static gochan.Go.*;

import gochan.Script;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

// The tee channel. Like the Unix tee command, which copies its input both to standard output and to a file,
// tee(done, in) copies every value of one stream onto two output streams: one consumer can act on the values
// while another logs them. Go returns the two channels as a pair of results; Java returns a small record.
//
// The outputs advance in lockstep: neither can get more than one value ahead of the other, because tee does not
// take the next value from `in` until both outputs have taken the current one. So the slower consumer sets the
// pace for both (put a buffer after tee if that is not what you want).
//
// From Concurrency in Go, chapter 4, "The tee-channel"; its code is in the text only.
@Command(name = "tee", mixinStandardHelpOptions = true, version = "tee 1.0",
        description = "The tee channel: splits one stream into two that both get every value, in lockstep (neither "
                + "output gets more than one value ahead); here the book's take(repeat(1, 2), 4).")
public class Tee implements Callable<Integer> {

    @Option(names = "--count", description = "How many values to tee (default: ${DEFAULT-VALUE}).")
    int count = 4;

    @Spec
    CommandSpec spec;

    /** Go's two results (_, _ <-chan interface{}). */
    record Pair<T>(ReceiveOnly<T> out1, ReceiveOnly<T> out2) {}

    // tee: sends each value of in to both outputs, in either order, before it takes the next.
    static <T> Pair<T> tee(ReceiveOnly<?> done, ReceiveOnly<T> in) {
        Chan<T> stream1 = make();
        Chan<T> stream2 = make();
        go(() -> {
            try {                                                   // defer close(out1); defer close(out2)
                for (T val : OrDone.orDone(done, in)) {
                    // Go shadows out1 and out2 with copies for this one value (`var out1, out2 = out1, out2`);
                    // Java does not let a local shadow another, so the channels are stream1 and stream2.
                    var out1 = stream1;
                    var out2 = stream2;
                    // One select for both sends, so that neither consumer waits for the other to be ready, and
                    // two rounds, one per output. Once a send has happened its copy is set to null: a select case
                    // on a nil channel is never ready, so the second round can only send to the other output.
                    for (int i = 0; i < 2; i++) {
                        switch (select(onReceive(done), onSend(out1, val), onSend(out2, val)).index()) {
                            case 0 -> { }                           // case <-done: orDone then ends the loop
                            case 1 -> out1 = null;                  // case out1 <- val: out1 = nil
                            case 2 -> out2 = null;                  // case out2 <- val: out2 = nil
                        }
                    }
                }
            } finally {
                stream2.close();
                stream1.close();
            }
        });
        return new Pair<>(stream1, stream2);
    }

    @Override
    public Integer call() {
        Script.require(spec, count >= 0, "--count must not be negative, got " + count);
        Chan<Void> done = make();
        try {                                                       // defer close(done)
            Pair<Integer> outs = tee(done, Pipeline.take(done, Pipeline.repeat(done, 1, 2), count));
            // One consumer reads both outputs, first out1 then out2; it works because tee offers the value to
            // both at once and does not mind which is taken first.
            for (int val1 : outs.out1()) {
                System.out.println("out1: " + val1 + ", out2: " + outs.out2().receive());
            }
        } finally {
            done.close();
        }
        return 0;
    }

    public static void main(String... args) {
        Script.run(new Tee(), args);
    }
}

// Output:
// out1: 1, out2: 1
// out1: 2, out2: 2
// out1: 1, out2: 1
// out1: 2, out2: 2
