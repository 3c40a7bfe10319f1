///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Pipelines: the generators repeat, repeatFn and take, and the book's multiply/add pipeline, each stage cancelled through done.
//JAVA 21+
//DEPS info.picocli:picocli:4.7.7
// To run it elsewhere, copy it with: gochan/Go.java gochan/Script.java
//SOURCES gochan/Go.java
//SOURCES gochan/Script.java

import static gochan.Go.*;

import gochan.Script;
import java.util.Random;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

// A pipeline is a series of stages joined by channels. Each stage is a goroutine that receives values from the
// stage before it, does one thing with each, and sends the results on. Every stage takes `done` as its first
// parameter and returns as soon as `done` is closed, so closing one channel tears the whole pipeline down.
//
// The book writes its generators over interface{} because Go had no generics when it was written; here they are
// generic, so a stream of ints needs no toInt stage and no type assertions.
//
// From Concurrency in Go, chapter 4, "Pipelines"; the book's code: kat-co/concurrency-in-go-src,
// concurrency-patterns-in-go/: generator, multiply and add in
// pipelines/best-practices-for-constructing-pipelines/fig-pipelines-chan-stream-processing.go; repeat and take in
// pipelines/some-handy-generators/fig-take-and-repeat-pipeline.go; repeatFn in
// fan-out-fan-in/fig-naive-prime-finder.go.
@Command(name = "pipeline", mixinStandardHelpOptions = true, version = "pipeline 1.0",
        description = "Pipelines: the generators repeat, repeatFn and take, and the book's multiply/add pipeline, "
                + "each stage cancelled through done.")
public class Pipeline implements Callable<Integer> {

    @Option(names = "--count", description = "How many values take() takes from each generator (default: ${DEFAULT-VALUE}).")
    int count = 10;

    @Option(names = "--seed", description = "Seed of the random numbers repeatFn draws (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Spec
    CommandSpec spec;

    // ---- The book's first channel pipeline ----------------------------------------------------------------

    // generator: turns a list of values into a stream, stopping early if done is closed.
    static ReceiveOnly<Integer> generator(ReceiveOnly<?> done, int... integers) {
        Chan<Integer> intStream = make();
        go(() -> {
            try {                                                   // defer close(intStream)
                for (int i : integers) {
                    switch (select(onReceive(done), onSend(intStream, i)).index()) {
                        case 0 -> { return; }                       // case <-done: return
                        case 1 -> { }                               // case intStream <- i:
                    }
                }
            } finally {
                intStream.close();
            }
        });
        return intStream;
    }

    static ReceiveOnly<Integer> multiply(ReceiveOnly<?> done, ReceiveOnly<Integer> intStream, int multiplier) {
        Chan<Integer> multipliedStream = make();
        go(() -> {
            try {                                                   // defer close(multipliedStream)
                for (int i : intStream) {
                    switch (select(onReceive(done), onSend(multipliedStream, i * multiplier)).index()) {
                        case 0 -> { return; }                       // case <-done: return
                        case 1 -> { }                               // case multipliedStream <- i * multiplier:
                    }
                }
            } finally {
                multipliedStream.close();
            }
        });
        return multipliedStream;
    }

    static ReceiveOnly<Integer> add(ReceiveOnly<?> done, ReceiveOnly<Integer> intStream, int additive) {
        Chan<Integer> addedStream = make();
        go(() -> {
            try {                                                   // defer close(addedStream)
                for (int i : intStream) {
                    switch (select(onReceive(done), onSend(addedStream, i + additive)).index()) {
                        case 0 -> { return; }                       // case <-done: return
                        case 1 -> { }                               // case addedStream <- i + additive:
                    }
                }
            } finally {
                addedStream.close();
            }
        });
        return addedStream;
    }

    // ---- Generators --------------------------------------------------------------------------------------

    // repeat: sends its values over and over, in order, until done is closed. Repeating no values at all gives an
    // empty stream; the book's loop would spin forever without ever looking at done.
    @SafeVarargs
    static <T> ReceiveOnly<T> repeat(ReceiveOnly<?> done, T... values) {
        Chan<T> valueStream = make();
        go(() -> {
            try {                                                   // defer close(valueStream)
                while (values.length > 0) {
                    for (T v : values) {
                        switch (select(onReceive(done), onSend(valueStream, v)).index()) {
                            case 0 -> { return; }                   // case <-done: return
                            case 1 -> { }                           // case valueStream <- v:
                        }
                    }
                }
            } finally {
                valueStream.close();
            }
        });
        return valueStream;
    }

    // take: passes on the first num values of valueStream, then closes its own stream.
    // The book's take (pipelines/some-handy-generators/fig-take-and-repeat-pipeline.go) receives with
    // `takeStream <- <-valueStream`, where the receive runs before the select is entered. That receive cannot be
    // cancelled by done, and once valueStream is closed it forwards zero values until num is reached. Here the
    // receive is a select case of its own, and a closed valueStream ends take early.
    static <T> ReceiveOnly<T> take(ReceiveOnly<?> done, ReceiveOnly<T> valueStream, int num) {
        Chan<T> takeStream = make();
        go(() -> {
            try {                                                   // defer close(takeStream)
                for (int i = 0; i < num; i++) {
                    var fromValueStream = onReceive(valueStream);
                    Selected s = select(onReceive(done), fromValueStream); // select {
                    switch (s.index()) {
                        case 0 -> { return; }                       // case <-done: return
                        case 1 -> {                                 // case v, ok := <-valueStream:
                            if (!s.ok()) {
                                return;                             // valueStream closed: stop early
                            }
                        }
                    }
                    switch (select(onReceive(done), onSend(takeStream, s.value(fromValueStream))).index()) {
                        case 0 -> { return; }                       // case <-done: return
                        case 1 -> { }                               // case takeStream <- v:
                    }
                }
            } finally {
                takeStream.close();
            }
        });
        return takeStream;
    }

    // repeatFn: calls fn for each value it sends, until done is closed. Like Go's `case valueStream <- fn():`, it
    // computes a value before it knows whether anyone will take it, so at most one value is computed and dropped.
    static <T> ReceiveOnly<T> repeatFn(ReceiveOnly<?> done, Supplier<T> fn) {
        Chan<T> valueStream = make();
        go(() -> {
            try {                                                   // defer close(valueStream)
                while (true) {
                    switch (select(onReceive(done), onSend(valueStream, fn.get())).index()) {
                        case 0 -> { return; }                       // case <-done: return
                        case 1 -> { }                               // case valueStream <- fn():
                    }
                }
            } finally {
                valueStream.close();
            }
        });
        return valueStream;
    }

    // ---- main --------------------------------------------------------------------------------------------

    @Override
    public Integer call() {
        Script.require(spec, count >= 0, "--count must not be negative, got " + count);
        Chan<Void> done = make();
        try {                                                       // defer close(done)
            System.out.println("multiply(add(multiply(generator(1, 2, 3, 4), 2), 1), 2):");
            ReceiveOnly<Integer> intStream = generator(done, 1, 2, 3, 4);
            ReceiveOnly<Integer> pipeline = multiply(done, add(done, multiply(done, intStream, 2), 1), 2);
            for (int v : pipeline) {
                System.out.println(v);
            }

            StringJoiner ones = new StringJoiner(" ");
            for (int num : take(done, repeat(done, 1), count)) {
                ones.add(String.valueOf(num));
            }
            System.out.println("take(" + count + ", repeat(1)): " + ones);

            Random random = new Random(seed); // only repeatFn's goroutine draws from it
            System.out.println("take(" + count + ", repeatFn(rand)):");
            for (int num : take(done, repeatFn(done, () -> random.nextInt(1_000_000)), count)) {
                System.out.println(num);
            }
        } finally {
            done.close();
        }
        return 0;
    }

    public static void main(String... args) {
        Script.run(new Pipeline(), args);
    }
}

// Output:
// multiply(add(multiply(generator(1, 2, 3, 4), 2), 1), 2):
// 6
// 10
// 14
// 18
// take(10, repeat(1)): 1 1 1 1 1 1 1 1 1 1
// take(10, repeatFn(rand)):
// 548985
// 764588
// 641847
// 970313
// 64254
// 814904
// 504434
// 906606
// 239978
// 301748
