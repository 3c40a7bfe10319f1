///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Goroutine leaks: a reader blocked forever on a nil channel and a writer blocked forever on a send nobody takes, both fixed with done, proven with the live-goroutine count.
//JAVA 21+
//DEPS info.picocli:picocli:4.7.7
// To run it elsewhere, copy it with: gochan/Go.java gochan/Script.java
//SOURCES gochan/Go.java
//SOURCES gochan/Script.java

import static gochan.Go.*;

import gochan.Script;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

// Preventing goroutine leaks. A goroutine costs memory and is never garbage collected: it ends only when its work
// is complete, when it cannot go on (an error), or when it is told to stop. A goroutine blocked on a channel that
// nobody will ever use again does none of these; it leaks. The fix is the convention used all through this
// collection: the goroutine that starts another is responsible for stopping it, by closing a `done` channel that
// the child selects on next to everything it blocks on.
//
// From Concurrency in Go, chapter 4, "Preventing Goroutine Leaks"; the book's code: kat-co/concurrency-in-go-src,
// concurrency-patterns-in-go/preventing-goroutine-leaks/: fig-goroutine-leaks-example.go,
// fig-goroutine-leaks-cancellation.go, fig-leak-from-blocked-channel-write.go and its -solved.go.
@Command(name = "leak", mixinStandardHelpOptions = true, version = "leak 1.0",
        description = "Goroutine leaks: a reader blocked forever on a nil channel and a writer blocked forever on a "
                + "send nobody takes, both fixed with done, proven with the live-goroutine count.")
public class Leak implements Callable<Integer> {

    @Option(names = "--cancel-after", defaultValue = "300ms", converter = Script.GoDuration.class,
            description = "How long before doWork is cancelled; the book waits 1s (default: ${DEFAULT-VALUE}).")
    Duration cancelAfter;

    @Option(names = "--seed", paramLabel = "SEED",
            description = "Seed of the random ints newRandStream sends (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Spec
    CommandSpec spec;

    // What a leaky stage hands back: its channel, as in Go, plus its goroutine. Go gives no handle on a goroutine,
    // so a Go program keeps a leak until it exits. go() returns the virtual thread; the demo keeps it only to
    // release the leak once it has been shown (see release), because Script.run, unlike Go, insists that no
    // goroutine is left running when the script ends.
    record Leaky<T>(ReceiveOnly<T> stream, Thread goroutine) {}

    // ---- A reader that leaks, and its fix ----------------------------------------------------------------

    // doWork, as the book first writes it: ranges over strings until it is closed. Given nil, it never ends.
    static Leaky<Void> doWork(ReceiveOnly<String> strings) {
        Chan<Void> completed = make();
        Thread goroutine = go(() -> {
            try {                                                   // defer close(completed)
                for (String s : range(strings)) {                   // range over a nil channel: blocks forever
                    System.out.println(s);
                }
            } catch (Interrupted released) {
                // Not in Go: only release() gets here.
            } finally {
                System.out.println("doWork exited.");
                completed.close();
            }
        });
        return new Leaky<>(completed, goroutine);
    }

    // doWork, fixed: a for-select loop over strings and done, so the parent can always stop it.
    // Fixed from the book's fig-goroutine-leaks-cancellation.go: its defers close `terminated` before printing
    // "doWork exited.", so that line races with main's "Done."; here it prints first. Not in the book, which only
    // passes nil: a closed strings channel ends the loop (work completed) instead of spinning on empty strings.
    static ReceiveOnly<Void> doWork(ReceiveOnly<?> done, ReceiveOnly<String> strings) {
        Chan<Void> terminated = make();
        go(() -> {
            try {                                                   // defer close(terminated)
                while (true) {
                    var fromStrings = onReceive(strings);
                    Selected s = select(onReceive(done), fromStrings); // select {
                    switch (s.index()) {
                        case 0 -> { return; }                       // case <-done: return
                        case 1 -> {                                 // case s := <-strings:
                            if (!s.ok()) {
                                return;                             // strings closed: the work is complete
                            }
                            System.out.println(s.value(fromStrings)); // do something interesting
                        }
                    }
                }
            } finally {
                System.out.println("doWork exited.");
                terminated.close();
            }
        });
        return terminated;
    }

    // ---- A writer that leaks, and its fix ----------------------------------------------------------------

    // newRandStream, as the book first writes it: sends random ints forever. Once its reader stops reading, the
    // next send blocks forever.
    static Leaky<Integer> newRandStream(Random rand) {
        Chan<Integer> randStream = make();
        Thread goroutine = go(() -> {
            try {                                                   // defer close(randStream)
                while (true) {
                    randStream.send(rand.nextInt());
                }
            } catch (Interrupted released) {
                // Not in Go: only release() gets here.
            } finally {
                System.out.println("newRandStream closure exited.");
                randStream.close();
            }
        });
        return new Leaky<>(randStream, goroutine);
    }

    // newRandStream, fixed: every send is a select that also watches done.
    static ReceiveOnly<Integer> newRandStream(ReceiveOnly<?> done, Random rand) {
        Chan<Integer> randStream = make();
        go(() -> {
            try {                                                   // defer close(randStream)
                while (true) {
                    switch (select(onReceive(done), onSend(randStream, rand.nextInt())).index()) {
                        case 0 -> { return; }                       // case <-done: return
                        case 1 -> { }                               // case randStream <- rand.Int():
                    }
                }
            } finally {
                System.out.println("newRandStream closure exited.");
                randStream.close();
            }
        });
        return randStream;
    }

    // ---- Showing and releasing a leak --------------------------------------------------------------------

    // Not in Go: ends a leaked goroutine by interrupting it. The helper turns the interrupt into an Interrupted
    // exception thrown from the operation the goroutine is blocked in, which the goroutine catches.
    static void release(Leaky<?> leak) throws InterruptedException {
        System.out.println("Releasing the leak (Go cannot): interrupting its goroutine.");
        leak.goroutine().interrupt();
        leak.goroutine().join();
    }

    // A goroutine that has just closed its channel may still be returning, so wait for every goroutine to end
    // (this throws, naming the goroutine, if one never does) before showing the count.
    static void printGoroutinesAfterTheyEnd() {
        awaitGoroutines(0, LEAK_BOUND);
        System.out.println("goroutines running: " + goroutines());
    }

    static void printRandomInts(ReceiveOnly<Integer> randStream) {
        System.out.println("3 random ints:");
        for (int i = 1; i <= 3; i++) {
            System.out.println(i + ": " + randStream.receive());
        }
    }

    @Override
    public Integer call() throws InterruptedException {

        System.out.println("-- doWork(nil) leaks:");
        Leaky<Void> leakedReader = doWork(null);
        System.out.println("Done.");
        System.out.println("goroutines running: " + goroutines() + " (doWork, blocked forever on a nil channel)");
        release(leakedReader);
        printGoroutinesAfterTheyEnd();

        System.out.println("-- doWork(done, nil) is cancelled:");
        Chan<Void> done = make();
        ReceiveOnly<Void> terminated = doWork(done, null);
        go(() -> {                                                  // cancel the operation after a while
            sleep(cancelAfter);
            System.out.println("Cancelling doWork goroutine...");
            done.close();
        });
        terminated.receive();                                       // <-terminated
        System.out.println("Done.");
        printGoroutinesAfterTheyEnd();

        System.out.println("-- newRandStream() leaks:");
        Leaky<Integer> leakedWriter = newRandStream(new Random(seed)); // only its goroutine draws from the Random
        printRandomInts(leakedWriter.stream());
        System.out.println("goroutines running: " + goroutines() + " (newRandStream, blocked forever sending)");
        release(leakedWriter);
        printGoroutinesAfterTheyEnd();

        System.out.println("-- newRandStream(done) is cancelled:");
        Chan<Void> randDone = make();
        printRandomInts(newRandStream(randDone, new Random(seed)));
        randDone.close();
        // The book sleeps a second here so that the closure gets to print; waiting for it to end is exact.
        printGoroutinesAfterTheyEnd();
        return 0;
    }

    public static void main(String... args) {
        Script.run(new Leak(), args);
    }
}

// Output:
// -- doWork(nil) leaks:
// Done.
// goroutines running: 1 (doWork, blocked forever on a nil channel)
// Releasing the leak (Go cannot): interrupting its goroutine.
// doWork exited.
// goroutines running: 0
// -- doWork(done, nil) is cancelled:
// Cancelling doWork goroutine...
// doWork exited.
// Done.
// goroutines running: 0
// -- newRandStream() leaks:
// 3 random ints:
// 1: -1155869325
// 2: 431529176
// 3: 1761283695
// goroutines running: 1 (newRandStream, blocked forever sending)
// Releasing the leak (Go cannot): interrupting its goroutine.
// newRandStream closure exited.
// goroutines running: 0
// -- newRandStream(done) is cancelled:
// 3 random ints:
// 1: -1155869325
// 2: 431529176
// 3: 1761283695
// newRandStream closure exited.
// goroutines running: 0
