///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Fan-out, fan-in: a slow prime finder fanned out over one goroutine per CPU (at least two) and fanned back in, timed against a single finder.
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
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

// Fan-out, fan-in. When one stage of a pipeline is slow and its items do not depend on each other, start several
// copies of that stage on the same input stream (fan out), then merge their output streams back into one
// (fan in). Here the slow stage is the book's deliberately naive prime finder, fed random numbers by the
// generators of Pipeline.java; the search runs once with a single finder and once with one finder per CPU (at
// least two).
//
// From Concurrency in Go, chapter 4, "Fan-Out, Fan-In"; the book's code: kat-co/concurrency-in-go-src,
// concurrency-patterns-in-go/fan-out-fan-in/: fig-naive-prime-finder.go,
// fig-fan-out-naive-prime-finder.go.
@Command(name = "fanin", mixinStandardHelpOptions = true, version = "fanin 1.0",
        description = "Fan-out, fan-in: a slow prime finder fanned out over one goroutine per CPU (at least two) and "
                + "fanned back in, timed against a single finder.")
public class FanIn implements Callable<Integer> {

    // The book fans out over runtime.NumCPU() finders; at least 2 here, so that a one-CPU machine still shows the
    // fan-out (without a speed-up: two finders then share one CPU).
    @Option(names = "--finders", description = "Prime finders to fan out over (default: the number of CPUs, at least 2).")
    int finders = Math.max(2, numCPU());

    @Option(names = "--primes", description = "How many primes to find (default: ${DEFAULT-VALUE}).")
    int primes = 10;

    @Option(names = "--bound", description = "The random numbers are below this bound (default: ${DEFAULT-VALUE}).")
    int bound = 10_000_000;

    @Option(names = "--seed", description = "Seed of the random numbers (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Spec
    CommandSpec spec;

    // The book's naive test, slow on purpose so that there is work worth spreading over CPUs: it tries every divisor
    // from n-1 down to 2. Fixed from the book's fig-naive-prime-finder.go (and fig-fan-out-naive-prime-finder.go):
    // its primeFinder runs `integer -= 1` first, so it tests and sends the number below the one it was given, and
    // reports 0 and 1 as prime. Here n itself is tested, and numbers below 2 are not prime.
    static boolean isPrime(int n) {
        if (n < 2) {
            return false;
        }
        for (int divisor = n - 1; divisor > 1; divisor--) {
            if (n % divisor == 0) {
                return false;
            }
        }
        return true;
    }

    // primeFinder: the slow stage; passes on the primes among the integers it receives.
    static ReceiveOnly<Integer> primeFinder(ReceiveOnly<?> done, ReceiveOnly<Integer> intStream) {
        Chan<Integer> primeStream = make();
        go(() -> {
            try {                                                   // defer close(primeStream)
                for (int integer : intStream) {
                    if (!isPrime(integer)) {
                        continue;
                    }
                    switch (select(onReceive(done), onSend(primeStream, integer)).index()) {
                        case 0 -> { return; }                       // case <-done: return
                        case 1 -> { }                               // case primeStream <- integer:
                    }
                }
            } finally {
                primeStream.close();
            }
        });
        return primeStream;
    }

    // fanIn: merges the streams into one. One goroutine per input stream forwards its values (multiplex); one more
    // waits for all of them and then closes the merged stream, so the consumer's range ends exactly once.
    static <T> ReceiveOnly<T> fanIn(ReceiveOnly<?> done, List<? extends ReceiveOnly<T>> channels) {
        WaitGroup wg = new WaitGroup();
        Chan<T> multiplexedStream = make();

        wg.add(channels.size());
        for (ReceiveOnly<T> c : channels) {
            go(() -> {                                              // multiplex(c)
                try {
                    for (T i : c) {
                        switch (select(onReceive(done), onSend(multiplexedStream, i)).index()) {
                            case 0 -> { return; }                   // case <-done: return
                            case 1 -> { }                           // case multiplexedStream <- i:
                        }
                    }
                } finally {
                    wg.done();
                }
            });
        }

        go(() -> {                                                  // wait for all the reads to complete
            wg.await();
            multiplexedStream.close();
        });
        return multiplexedStream;
    }

    // The search the book times. The book's random source is shared by repeatFn's single goroutine only, so a
    // seeded java.util.Random is safe here and makes both runs draw the same numbers.
    Duration search(int numFinders) {
        Chan<Void> done = make();
        try {                                                       // defer close(done)
            Instant start = now();
            Random random = new Random(seed);
            ReceiveOnly<Integer> randIntStream = Pipeline.repeatFn(done, () -> random.nextInt(bound));

            System.out.println("Spinning up " + numFinders + " prime finder" + (numFinders == 1 ? "." : "s."));
            List<ReceiveOnly<Integer>> primeFinders = new ArrayList<>();
            for (int i = 0; i < numFinders; i++) {
                primeFinders.add(primeFinder(done, randIntStream)); // fan out
            }
            System.out.println("Primes:");
            for (int prime : Pipeline.take(done, fanIn(done, primeFinders), primes)) {
                System.out.println("  " + prime);
            }
            Duration took = since(start);                           // time.Since(start)
            System.out.println("Search took: " + Script.durationString(took, Duration.ofMillis(1)));
            return took;
        } finally {
            done.close();
        }
    }

    @Override
    public Integer call() {
        Script.require(spec, finders >= 1, "--finders must be at least 1, got " + finders);
        Script.require(spec, primes >= 0, "--primes must not be negative, got " + primes);
        Script.require(spec, bound >= 3, "--bound must be at least 3 (so that 2 can be drawn), got " + bound);
        Duration single = search(1);
        if (finders > 1) {
            System.out.println();
            Duration fannedOut = search(finders);
            System.out.printf("Speed-up with %d finders: %.1fx%n", finders,
                    (double) single.toNanos() / fannedOut.toNanos());
        }
        return 0;
    }

    public static void main(String... args) {
        // Not on virtual time: the speed-up fan-in shows is CPU work, and CPU work takes no virtual time.
        Script.runInRealTime(new FanIn(), args);
    }
}

// Output:
// Spinning up 1 prime finder.
// Primes:
//   {prime}
//   {prime}
//   {prime}
//   {prime}
//   {prime}
//   {prime}
//   {prime}
//   {prime}
//   {prime}
//   {prime}
// Search took: {duration}
//
// Spinning up {int} prime finders.
// Primes:
//   {prime}
//   {prime}
//   {prime}
//   {prime}
//   {prime}
//   {prime}
//   {prime}
//   {prime}
//   {prime}
//   {prime}
// Search took: {duration}
// Speed-up with {int} finders: {number}x
