///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION When it goes wrong: a send nobody receives, a range nobody closes, a WaitGroup that never reaches zero, two goroutines waiting for each other, each caught with Go's deadlock report and goroutine dump, then fixed; and a goroutine left behind at exit, named by the leak report.
//JAVA 21+
//DEPS info.picocli:picocli:4.7.7
// To run it elsewhere, copy it with: gochan/Go.java gochan/Script.java
//SOURCES gochan/Go.java
//SOURCES gochan/Script.java

import static gochan.Go.*;

import gochan.Go;
import gochan.Script;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

// When it goes wrong. Four classic mistakes leave every goroutine waiting for another. Go's runtime notices, prints
// a dump of every goroutine and what it waits for, and ends the program; the helper does the same for Java. So that
// the demo can go on, each broken version here runs in a bubble (Go's synctest.Test): a group of goroutines whose
// deadlock is reported to the caller, as a Go.Deadlock exception with Go's reason and the dump, instead of ending
// the JVM. Outside a bubble (try --no-bubble) the same mistake stops the whole program with
// "fatal error: all goroutines are asleep - deadlock!", the dump, and exit status 2.
// The fifth mistake is a leak: a goroutine blocked forever while main goes on. Go says nothing; here the check that
// Script.run makes when a script returns names it, and exits with status 3.
@Command(name = "deadlock", mixinStandardHelpOptions = true, version = "deadlock 1.0",
        description = "When it goes wrong: a send nobody receives, a range nobody closes, a WaitGroup that never "
                + "reaches zero, two goroutines waiting for each other, each caught with Go's deadlock report and "
                + "goroutine dump, then fixed; and a goroutine left behind at exit, named by the leak report.")
public class Deadlock implements Callable<Integer> {

    static final List<String> MISTAKES = List.of("send", "range", "waitgroup", "each-other", "leak");

    @Option(names = "--mistake", paramLabel = "NAME",
            description = "Run only this mistake and its fix: send, range, waitgroup, each-other or leak.")
    String mistake;

    @Option(names = "--no-bubble", description = "Run the broken version as a plain program, as Go would: a deadlock "
            + "ends it with status 2, a leak is reported at exit with status 3. Use it with --mistake.")
    boolean noBubble;

    @Spec
    CommandSpec spec;

    // ---- (a) A send that nobody receives ---------------------------------------------------------------------

    // A send on an unbuffered channel waits until another goroutine receives. Here the only receive comes after it,
    // in the same goroutine: the goroutine waits for itself.
    static void sendNobodyReceives() {
        Chan<Integer> ch = make();                                  // ch := make(chan int)
        ch.send(1);                                                 // ch <- 1: blocks here
        System.out.println("received " + ch.receive());
    }

    // Fixed: a buffer with room for the value (or the receive in another goroutine).
    static void sendWithRoom() {
        Chan<Integer> ch = make(1);                                 // ch := make(chan int, 1)
        ch.send(1);
        System.out.println("received " + ch.receive());
    }

    // ---- (b) A range over a channel nobody closes ------------------------------------------------------------

    // The producer sends three squares and returns; the range takes them, then waits for a fourth forever.
    static void rangeNobodyCloses() {
        Chan<Integer> squares = make();
        go(() -> {
            for (int i = 1; i <= 3; i++) {
                squares.send(i * i);
            }                                                       // no close(squares)
        });
        for (int square : squares) {                                // for square := range squares
            System.out.println("square " + square);
        }
    }

    // Fixed: the producer closes its channel when it returns, whatever happens; that is what ends the range.
    static void rangeOverClosed() {
        Chan<Integer> squares = make();
        go(() -> {
            try {                                                   // defer close(squares)
                for (int i = 1; i <= 3; i++) {
                    squares.send(i * i);
                }
            } finally {
                squares.close();
            }
        });
        for (int square : squares) {
            System.out.println("square " + square);
        }
    }

    // ---- (c) A WaitGroup whose add and done do not match -----------------------------------------------------

    static final List<String> FILES = List.of("a.txt", "", "c.txt");

    // One add per file, but the goroutine that skips the empty name returns before its done: the counter stays at
    // 1 and Wait never returns. (The other way round, one done too many, panics: "sync: negative WaitGroup counter".)
    static void doneSkipped() {
        WaitGroup wg = new WaitGroup();
        AtomicInteger processed = new AtomicInteger();
        for (String file : FILES) {
            wg.add(1);                                              // wg.Add(1)
            go(() -> {
                if (file.isEmpty()) {
                    return;                                         // returns before wg.Done()
                }
                processed.incrementAndGet();
                wg.done();                                          // wg.Done()
            });
        }
        wg.await();                                                 // wg.Wait()
        System.out.println(processed + " of " + FILES.size() + " files processed");
    }

    // Fixed: done in a finally, so that every way out of the goroutine counts.
    static void doneDeferred() {
        WaitGroup wg = new WaitGroup();
        AtomicInteger processed = new AtomicInteger();
        for (String file : FILES) {
            wg.add(1);
            go(() -> {
                try {                                               // defer wg.Done()
                    if (file.isEmpty()) {
                        return;
                    }
                    processed.incrementAndGet();
                } finally {
                    wg.done();
                }
            });
        }
        wg.await();
        System.out.println(processed + " of " + FILES.size() + " files processed (the empty name skipped)");
    }

    // ---- (d) Two goroutines, each waiting for the other ------------------------------------------------------

    // Each says hello first and listens second. On unbuffered channels both wait in their send for the other to
    // listen, and neither ever does.
    static void greet(String me, SendOnly<String> out, ReceiveOnly<String> in) {
        out.send("hello from " + me);                               // out <- "hello from " + me
        System.out.println(me + " got: " + in.receive());
    }

    static void eachWaitsForTheOther() {
        Chan<String> toAlice = make();
        Chan<String> toBob = make();
        go(() -> greet("Bob", toAlice, toBob));                     // go greet("Bob", toAlice, toBob)
        greet("Alice", toBob, toAlice);
    }

    // Fixed: one of them listens first. (Buffered channels would do too, or one select on both the send and the
    // receive.)
    static void greetBack(String me, SendOnly<String> out, ReceiveOnly<String> in) {
        System.out.println(me + " got: " + in.receive());
        out.send("hello from " + me);
    }

    static void oneListensFirst() {
        Chan<String> toAlice = make();
        Chan<String> toBob = make();
        go(() -> greetBack("Bob", toAlice, toBob));
        greet("Alice", toBob, toAlice);
    }

    // ---- (e) A goroutine left behind: a leak at exit ---------------------------------------------------------

    static final Duration TIMEOUT = Duration.ofMillis(100);
    static final Duration FETCH_TAKES = Duration.ofSeconds(1); // well after the timeout, even on a stalled machine
    static final Duration LEAK_BOUND = Duration.ofSeconds(10); // reached only if the leak went unnoticed

    static Thread fetcher; // not in Go, which has no handle on a goroutine: kept only to release the leak

    // fetch gives up after a timeout. Its goroutine then sends the late page to a channel that nobody will receive
    // from, and waits there forever. Main is not blocked, so this is no deadlock: a Go program would exit and take
    // the goroutine with it, silently. The fix is a buffer of one: the late send completes, and nobody reads it.
    static String fetch(int buffer) {
        Chan<String> page = make(buffer);                           // make(chan string), or make(chan string, 1)
        fetcher = go(() -> {
            try {
                sleep(FETCH_TAKES);                                 // the slow work
                page.send("<html>");                                // page <- "<html>"
            } catch (Interrupted released) {
                // Not in Go: only the release in showLeak gets here.
            }
        });
        var fromPage = onReceive(page);
        Selected s = select(fromPage, onReceive(after(TIMEOUT)));   // select {
        return switch (s.index()) {
            case 0 -> "got " + s.value(fromPage);                   // case p := <-page: return p
            default -> "timed out";                                 // case <-time.After(timeout)
        };
    }

    // What Script.runInRealTime does when a script returns, with a shorter bound: wait until no goroutine is left.
    static void showLeak(int buffer) throws InterruptedException {
        System.out.println("fetch: " + fetch(buffer));
        var start = now();                                          // start := time.Now()
        try {
            awaitGoroutines(0, LEAK_BOUND);
        } catch (IllegalStateException leak) {
            boolean beforeBound = since(start).compareTo(LEAK_BOUND) < 0;
            System.out.print("leak: " + leak.getMessage());
            System.out.println(beforeBound ? "(reported as soon as it was blocked for good, before the bound)"
                    : "(reported only when the bound ran out)");
            System.out.println("Releasing the leak (Go cannot): interrupting its goroutine.");
            fetcher.interrupt();
            fetcher.join();
        }
        System.out.println("goroutines running: " + goroutines());
    }

    // ---- Running them ----------------------------------------------------------------------------------------

    // Runs the broken version in a bubble and prints the report it gets: Go's one-line reason, then the dump.
    void showDeadlock(Runnable broken) {
        if (noBubble) {
            broken.run();                                           // as in Go: the deadlock ends the program
            return;
        }
        try {
            bubble(broken);
            System.out.println("no deadlock");
        } catch (Go.Deadlock report) {                              // Go.Deadlock: this class is Deadlock too
            System.out.println(report.reason());
            System.out.println();
            System.out.print(report.dump());
        }
    }

    // Runs the fix in a bubble too: bubble returns once every goroutine in it has ended, and throws otherwise.
    static void showFixed(Runnable fixed) {
        System.out.println("-- fixed:");
        bubble(fixed);
        System.out.println("no deadlock, no goroutine left");
    }

    // Whether this mistake is to run (all of them, unless --mistake names one); if so, prints its title.
    boolean runs(String name, String title) {
        if (mistake != null && !mistake.equals(name)) {
            return false;
        }
        System.out.println("== " + name + ": " + title);
        return true;
    }

    @Override
    public Integer call() throws InterruptedException {
        Script.require(spec, mistake == null || MISTAKES.contains(mistake),
                "--mistake must be one of " + String.join(", ", MISTAKES) + ", got " + mistake);
        if (runs("send", "a send that nobody receives")) {
            showDeadlock(Deadlock::sendNobodyReceives);
            showFixed(Deadlock::sendWithRoom);
        }
        if (runs("range", "a range over a channel nobody closes")) {
            showDeadlock(Deadlock::rangeNobodyCloses);
            showFixed(Deadlock::rangeOverClosed);
        }
        if (runs("waitgroup", "a WaitGroup whose add and done do not match")) {
            showDeadlock(Deadlock::doneSkipped);
            showFixed(Deadlock::doneDeferred);
        }
        if (runs("each-other", "two goroutines, each waiting for the other")) {
            showDeadlock(Deadlock::eachWaitsForTheOther);
            showFixed(Deadlock::oneListensFirst);
        }
        if (runs("leak", "a goroutine left behind at exit")) {
            if (noBubble) {
                System.out.println("fetch: " + fetch(0));
                return 0;                                           // the runner then finds the leak: status 3
            }
            showLeak(0);
            System.out.println("-- fixed:");
            showLeak(1);
        }
        return 0;
    }

    public static void main(String... args) {
        // Not on virtual time: it makes bubbles of its own, and a bubble cannot run inside another.
        Script.runInRealTime(new Deadlock(), args);
    }
}

// Output:
// == send: a send that nobody receives
// deadlock: all goroutines in bubble are blocked
//
// goroutine 2 [chan send (durable), synctest bubble 1]:
// Deadlock.sendNobodyReceives(...)
// 	Deadlock.java:55
// created by Deadlock.showDeadlock in goroutine 1
// 	Deadlock.java:228
// -- fixed:
// received 1
// no deadlock, no goroutine left
// == range: a range over a channel nobody closes
// square 1
// square 4
// square 9
// deadlock: all goroutines in bubble are blocked
//
// goroutine 4 [chan receive (durable), synctest bubble 3]:
// Deadlock.rangeNobodyCloses(...)
// 	Deadlock.java:76
// created by Deadlock.showDeadlock in goroutine 1
// 	Deadlock.java:228
// -- fixed:
// square 1
// square 4
// square 9
// no deadlock, no goroutine left
// == waitgroup: a WaitGroup whose add and done do not match
// deadlock: all goroutines in bubble are blocked
//
// goroutine 8 [sync.WaitGroup.Wait (durable), synctest bubble 5]:
// Deadlock.doneSkipped(...)
// 	Deadlock.java:117
// created by Deadlock.showDeadlock in goroutine 1
// 	Deadlock.java:228
// -- fixed:
// 2 of 3 files processed (the empty name skipped)
// no deadlock, no goroutine left
// == each-other: two goroutines, each waiting for the other
// deadlock: all goroutines in bubble are blocked
//
// goroutine 16 [chan send (durable), synctest bubble 7]:
// Deadlock.greet(...)
// 	Deadlock.java:147
// Deadlock.eachWaitsForTheOther(...)
// 	Deadlock.java:155
// created by Deadlock.showDeadlock in goroutine 1
// 	Deadlock.java:228
//
// goroutine 17 [chan send (durable), synctest bubble 7]:
// Deadlock.greet(...)
// 	Deadlock.java:147
// Deadlock.lambda$eachWaitsForTheOther$0(...)
// 	Deadlock.java:154
// created by Deadlock.eachWaitsForTheOther in goroutine 16
// 	Deadlock.java:154
// -- fixed:
// Bob got: hello from Alice
// Alice got: hello from Bob
// no deadlock, no goroutine left
// == leak: a goroutine left behind at exit
// fetch: timed out
// leak: 1 goroutine blocked for good (expected at most 0 left):
//
// goroutine 20 [chan send]:
// Deadlock.lambda$fetch$0(...)
// 	Deadlock.java:188
// created by Deadlock.fetch in goroutine 1
// 	Deadlock.java:185
// (reported as soon as it was blocked for good, before the bound)
// Releasing the leak (Go cannot): interrupting its goroutine.
// goroutines running: 0
// -- fixed:
// fetch: timed out
// goroutines running: 0
