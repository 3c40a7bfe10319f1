///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION The bridge channel: flattens a channel of channels into one stream, in order, all of it cancelled through done; here the book's ten channels of one value each.
//JAVA 21+
//DEPS info.picocli:picocli:4.7.7
// To run it elsewhere, copy it with: gochan/Go.java gochan/Script.java OrDone.java Pipeline.java
//SOURCES gochan/Go.java
//SOURCES gochan/Script.java
//SOURCES OrDone.java

import static gochan.Go.*;

import gochan.Script;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

// The bridge channel. Sometimes values arrive as a sequence of channels, a channel of channels: a stage whose
// lifetime is intermittent hands out a fresh channel each time it restarts. A consumer who only wants the values
// should not have to care. bridge(done, chanStream) drains each channel in turn onto one stream, so the consumer
// ranges over a single channel, and all of it stops when done closes.
//
// The book's bridge works on interface{} because Go had no generics; this one is generic.
//
// From Concurrency in Go, chapter 4, "The bridge-channel"; the book's code: kat-co/concurrency-in-go-src,
// concurrency-patterns-in-go/the-bridge-channel/fig-bridge-channel.go.
@Command(name = "bridge", mixinStandardHelpOptions = true, version = "bridge 1.0",
        description = "The bridge channel: flattens a channel of channels into one stream, in order, all of it "
                + "cancelled through done; here the book's ten channels of one value each.")
public class Bridge implements Callable<Integer> {

    @Option(names = "--streams", description = "How many one-value channels genVals sends (default: ${DEFAULT-VALUE}).")
    int streams = 10;

    @Spec
    CommandSpec spec;

    // bridge: for each channel received from chanStream, forward its values (through orDone) until it closes.
    static <T> ReceiveOnly<T> bridge(ReceiveOnly<?> done, ReceiveOnly<ReceiveOnly<T>> chanStream) {
        Chan<T> valStream = make();
        go(() -> {
            try {                                                   // defer close(valStream)
                while (true) {
                    var fromChanStream = onReceive(chanStream);
                    Selected s = select(onReceive(done), fromChanStream); // select {
                    switch (s.index()) {
                        case 0 -> { return; }                       // case <-done: return
                        case 1 -> {                                 // case maybeStream, ok := <-chanStream:
                            if (!s.ok()) {
                                return;                             // if ok == false { return }
                            }
                        }
                    }
                    ReceiveOnly<T> stream = s.value(fromChanStream); // stream = maybeStream
                    for (T val : OrDone.orDone(done, stream)) {
                        // case <-done: like the book, no return here: orDone closes its stream, the loop ends,
                        // and the select above returns.
                        select(onReceive(done), onSend(valStream, val));
                    }
                }
            } finally {
                valStream.close();
            }
        });
        return valStream;
    }

    // genVals: the book's channel of channels, each a buffered channel holding one value and already closed.
    // The book's genVals has no done and blocks forever if its reader stops early; this one takes done.
    static ReceiveOnly<ReceiveOnly<Integer>> genVals(ReceiveOnly<?> done, int count) {
        Chan<ReceiveOnly<Integer>> chanStream = make();
        go(() -> {
            try {                                                   // defer close(chanStream)
                for (int i = 0; i < count; i++) {
                    Chan<Integer> stream = make(1);
                    stream.send(i);
                    stream.close();
                    switch (select(onReceive(done), onSend(chanStream, stream)).index()) {
                        case 0 -> { return; }                       // case <-done: return
                        case 1 -> { }                               // case chanStream <- stream:
                    }
                }
            } finally {
                chanStream.close();
            }
        });
        return chanStream;
    }

    @Override
    public Integer call() {
        Script.require(spec, streams >= 0, "--streams must not be negative, got " + streams);
        // The book passes a nil done (a select case on nil is never ready, so nothing can cancel it); here done is
        // real and closed when we are finished, as everywhere else.
        Chan<Void> done = make();
        try {                                                       // defer close(done)
            StringJoiner line = new StringJoiner(" ");
            for (int v : bridge(done, genVals(done, streams))) {
                line.add(String.valueOf(v));
            }
            System.out.println(line);
        } finally {
            done.close();
        }
        return 0;
    }

    public static void main(String... args) {
        Script.run(new Bridge(), args);
    }
}

// Output:
// 0 1 2 3 4 5 6 7 8 9
