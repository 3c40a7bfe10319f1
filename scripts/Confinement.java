///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Confinement: ad hoc (data shared by convention only) and lexical (the compiler enforces it: chanOwner hands out a receive-only channel, and each goroutine of printData gets only its half of a byte array).
//JAVA 21+
//DEPS info.picocli:picocli:4.7.7
// To run it elsewhere, copy it with: gochan/Go.java gochan/Script.java
//SOURCES gochan/Go.java
//SOURCES gochan/Script.java

import static gochan.Go.*;

import gochan.Script;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

// Confinement: make sure a piece of data is only ever available to one goroutine, and it needs no lock. Ad hoc
// confinement does it by convention alone; lexical confinement uses scope (and, for channels, the type system) so
// that nothing else can even reach the data.
//
// From Concurrency in Go, chapter 4, "Confinement"; the book's code: kat-co/concurrency-in-go-src,
// concurrency-patterns-in-go/confinement/: fig-confinement-ad-hoc.go, fig-confinement-ownership.go,
// fig-confinement-structs.go.
@Command(name = "confinement", mixinStandardHelpOptions = true, version = "confinement 1.0",
        description = "Confinement: ad hoc (data shared by convention only) and lexical (the compiler enforces it: "
                + "chanOwner hands out a receive-only channel, and each goroutine of printData gets only its half of a "
                + "byte array).")
public class Confinement implements Callable<Integer> {

    @Option(names = "--text", paramLabel = "TEXT",
            description = "The text printData splits into two halves (default: ${DEFAULT-VALUE}).")
    String text = "golang";

    @Spec
    CommandSpec spec;

    // ---- Ad hoc confinement ------------------------------------------------------------------------------

    // The data every part of this class can reach, as Go's closure can reach main's local `data`. Only loopData's
    // goroutine touches it, but only by convention. That is fragile: nothing stops the next person who edits this
    // file from writing data[0] = 1 from main while loopData reads it. That would be a data race, which no compiler
    // or code review reliably flags, and the convention lives only in people's heads.
    static int[] data = new int[4];                                 // data := make([]int, 4)

    // loopData: sends every element of the shared data, then closes the channel.
    static void loopData(SendOnly<Integer> handleData) {
        try {                                                       // defer close(handleData)
            for (int i = 0; i < data.length; i++) {
                handleData.send(data[i]);
            }
        } finally {
            handleData.close();
        }
    }

    // ---- Lexical confinement of a channel ----------------------------------------------------------------

    // chanOwner: creates the channel inside its own scope, so its goroutine is the only one that can send on it or
    // close it, and hands out only a receive-only view (Go's <-chan int).
    // The loop `i <= 5` is the book's (fig-confinement-ownership.go): it sends 6 values into a buffer of 5.
    // That is fine: a buffer bounds how far the producer can run ahead of the consumer, not how many values it
    // sends; the sixth send simply waits until the consumer has taken the first value.
    static ReceiveOnly<Integer> chanOwner() {
        Chan<Integer> results = make(5);
        go(() -> {
            try {                                                   // defer close(results)
                for (int i = 0; i <= 5; i++) {
                    results.send(i);
                }
            } finally {
                results.close();
            }
        });
        return results;
    }

    // consumer: can only read.
    static void consumer(ReceiveOnly<Integer> results) {
        // results.send(1);  // does not compile: ReceiveOnly has no send
        // results.close();  // does not compile either: only the owner can close
        // (A cast back to Chan would compile: types stop accidents, not someone determined to break the rule.)
        for (int result : results) {
            System.out.println("Received: " + result);
        }
        System.out.println("Done receiving!");
    }

    // ---- Lexical confinement of data ---------------------------------------------------------------------

    // printData: each goroutine gets only its half of the bytes, so the two need no lock although they share one
    // array. Java has no slices; a read-only ByteBuffer view of part of the array is the closest thing. (Go's
    // data[:3] could even be resliced up to its capacity to reach the other half; a read-only view cannot, as
    // its array() throws.)
    static void printData(WaitGroup wg, ByteBuffer data) {
        try {                                                       // defer wg.Done()
            StringBuilder buff = new StringBuilder();
            while (data.hasRemaining()) {
                buff.append((char) data.get());
            }
            System.out.println(buff);
        } finally {
            wg.done();
        }
    }

    @Override
    public Integer call() {
        Script.require(spec, text.length() >= 2 && text.chars().allMatch(c -> c < 128),
                "--text must be at least 2 ASCII characters, got \"" + text + "\"");

        System.out.println("Ad hoc confinement:");
        Chan<Integer> handleData = make();
        go(() -> loopData(handleData));
        for (int num : handleData) {
            System.out.println(num);
        }

        System.out.println("Lexical confinement of a channel:");
        ReceiveOnly<Integer> results = chanOwner();
        consumer(results);

        System.out.println("Lexical confinement of data (the halves print in either order):");
        WaitGroup wg = new WaitGroup();
        wg.add(2);
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        int half = bytes.length / 2;
        ByteBuffer all = ByteBuffer.wrap(bytes).asReadOnlyBuffer();
        go(() -> printData(wg, all.slice(0, half)));                 // data[:3]
        go(() -> printData(wg, all.slice(half, bytes.length - half))); // data[3:]
        wg.await();
        return 0;
    }

    public static void main(String... args) {
        Script.run(new Confinement(), args);
    }
}

// The two halves of "golang" are printed by two goroutines, in either order.
//
// Output:
// Ad hoc confinement:
// 0
// 0
// 0
// 0
// Lexical confinement of a channel:
// Received: 0
// Received: 1
// Received: 2
// Received: 3
// Received: 4
// Received: 5
// Done receiving!
// Lexical confinement of data (the halves print in either order):
// {any order}
// gol
// ang
// {end any order}
