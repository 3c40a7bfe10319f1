///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Rob Pike's Go Concurrency Patterns (2012), slide by slide: the generator, fan-in (two goroutines, then select), restoring sequencing with a wait channel, a timeout per message and for the whole conversation, the quit channel and its round trip, and the daisy chain of 100,000 goroutines.
//JAVA 21+
//DEPS info.picocli:picocli:4.7.7
// To run it elsewhere, copy it with: gochan/Go.java gochan/Script.java
//SOURCES gochan/Go.java
//SOURCES gochan/Script.java

import static gochan.Go.*;

import gochan.Script;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

// Rob Pike, "Go Concurrency Patterns", Google I/O 2012, in the talk's order: one section per pattern, each ported
// from its file in golang/talks, content/2012/concurrency/support/, named in the section's title (the talks moved
// to golang.org/x/website in 2021; golang/talks keeps them in its history). A boring speaker, Joe or Ann, says
// "Joe: 0", "Joe: 1", ... after random pauses of under a second or two; the patterns are ways of listening to such
// speakers. The pauses come from a seeded java.util.Random and run on virtual time in the documented run, so the
// conversation is the same every time.
@Command(name = "pike", mixinStandardHelpOptions = true, version = "pike 1.0",
        description = "Rob Pike's Go Concurrency Patterns (2012), slide by slide: the generator, fan-in (two "
                + "goroutines, then select), restoring sequencing with a wait channel, a timeout per message and for "
                + "the whole conversation, the quit channel and its round trip, and the daisy chain of 100,000 "
                + "goroutines.")
public class Pike implements Callable<Integer> {

    @Option(names = "--section", split = ",", paramLabel = "FILE",
            description = "Run only these sections, named after the talk's files: generatorboring, generator2boring,"
                    + " faninboring, selectboring, sequenceboring, timeout, timeoutall, quit, rcvquit, daisy"
                    + " (default: all, in the talk's order).")
    List<String> only;

    @Option(names = "--seed", description = "Seed of the speakers' random pauses (default: ${DEFAULT-VALUE}).")
    long seed = 11;

    @Option(names = "--gophers", description = "Length of the daisy chain, in goroutines (default: ${DEFAULT-VALUE}).")
    int gophers = 100_000;

    @Spec
    CommandSpec spec;

    // ---- The boring speaker ----------------------------------------------------------------------------------

    // rand.Intn(max) milliseconds, again and again: a speaker's pauses. Each speaker gets a source of its own, seeded
    // from main's: Go's rand.Intn is one source shared by every goroutine, so which speaker gets which number would
    // depend on who asks first.
    static Supplier<Duration> randomPauses(Random rand, int maxMillis) {
        Random own = new Random(rand.nextLong());
        return () -> Duration.ofMillis(own.nextInt(maxMillis));
    }

    // time.Sleep(d), cut short when done closes: false if it was. A timer rather than time.After, so that it is
    // stopped at once when done wins instead of being left to fire.
    static boolean pause(ReceiveOnly<?> done, Duration d) {
        Timer timer = newTimer(d);
        try {
            return select(onReceive(done), onReceive(timer.c())).index() == 1;
        } finally {
            timer.stop();
        }
    }

    // boring: the talk's generator, a function that returns a channel (generatorboring.go). It launches a goroutine
    // that talks on the channel forever and hands the channel to the caller, who can only receive from it.
    //
    // It differs from the talk's in two ways, both so that every run ends the same way. It pauses before it speaks,
    // as quit.go's boring does, where the talk's first generators speak first: Joe and Ann would then both say their
    // "0" at the very start, at the same instant, and which one is heard first would be a coin toss (on virtual time
    // too). And it takes done, closed by the caller when it stops listening. The talk's programs end by returning
    // from main, which ends every goroutine with them ("When main returns, the program exits and takes the boring
    // function down with it"); a goroutine used the same way inside a program that goes on would stay blocked on
    // its send forever, a leak, and Script.run reports one. Closing done is the talk's own quit channel (below) as a
    // close that every goroutine hears.
    static ReceiveOnly<String> boring(ReceiveOnly<?> done, String format, String msg, Supplier<Duration> pauses) {
        Chan<String> c = make();                                        // c := make(chan string)
        go(() -> {                                                      // go func() {
            for (int i = 0; ; i++) {                                    //     for i := 0; ; i++ {
                if (!pause(done, pauses.get())) {                       //         time.Sleep(time.Duration(rand.Intn(1e3)) * time.Millisecond)
                    return;
                }
                String message = String.format(format, msg, i);
                switch (select(onReceive(done), onSend(c, message)).index()) {
                    case 0 -> { return; }                               // case <-done: return
                    case 1 -> { }                                       // case c <- fmt.Sprintf("%s %d", msg, i):
                }
            }
        });
        return c;                                                       // return c
    }

    // From generator2boring.go on, the talk's messages have a colon: "Joe: 0".
    static ReceiveOnly<String> boring(ReceiveOnly<?> done, String msg, Supplier<Duration> pauses) {
        return boring(done, "%s: %d", msg, pauses);
    }

    // ---- Generator: function that returns a channel (generatorboring.go) -----------------------------------

    void generatorboring(ReceiveOnly<?> done, Random rand) {
        ReceiveOnly<String> c = boring(done, "%s %d", "boring!", randomPauses(rand, 1000)); // c := boring("boring!")
        for (int i = 0; i < 5; i++) {
            System.out.printf("You say: \"%s\"%n", c.receive());        // fmt.Printf("You say: %q\n", <-c)
        }
        System.out.println("You're boring; I'm leaving.");
    }

    // ---- Channels as a handle on a service (generator2boring.go) -------------------------------------------

    // Two instances of the service. Receiving from each in turn makes Joe and Ann count in lockstep.
    void generator2boring(ReceiveOnly<?> done, Random rand) {
        ReceiveOnly<String> joe = boring(done, "Joe", randomPauses(rand, 1000)); // joe := boring("Joe")
        ReceiveOnly<String> ann = boring(done, "Ann", randomPauses(rand, 1000)); // ann := boring("Ann")
        for (int i = 0; i < 5; i++) {
            System.out.println(joe.receive());                          // fmt.Println(<-joe)
            System.out.println(ann.receive());                          // fmt.Println(<-ann)
        }
        System.out.println("You're both boring; I'm leaving.");
    }

    // ---- Multiplexing (faninboring.go) ---------------------------------------------------------------------

    // fanIn: whoever is ready talks. One goroutine per input copies its messages onto c.
    static <T> ReceiveOnly<T> fanIn(ReceiveOnly<?> done, ReceiveOnly<T> input1, ReceiveOnly<T> input2) {
        Chan<T> c = make();                                             // c := make(chan string)
        go(() -> forward(done, input1, c));                             // go func() { for { c <- <-input1 } }()
        go(() -> forward(done, input2, c));                             // go func() { for { c <- <-input2 } }()
        return c;                                                       // return c
    }

    // for { c <- <-input }, where both the receive and the send end when done closes.
    static <T> void forward(ReceiveOnly<?> done, ReceiveOnly<T> input, SendOnly<T> c) {
        while (true) {                                                  // for {
            var fromInput = onReceive(input);
            Selected s = select(onReceive(done), fromInput);
            switch (s.index()) {
                case 0 -> { return; }                                   // case <-done: return (not in the talk)
                case 1 -> { }                                           // <-input
            }
            switch (select(onReceive(done), onSend(c, s.value(fromInput))).index()) {
                case 0 -> { return; }                                   // case <-done: return
                case 1 -> { }                                           // c <- <-input
            }
        }
    }

    // faninboring.go's speakers pause up to 2 s (rand.Intn(2e3)).
    void faninboring(ReceiveOnly<?> done, Random rand) {
        ReceiveOnly<String> c = fanIn(done, boring(done, "Joe", randomPauses(rand, 2000)),
                boring(done, "Ann", randomPauses(rand, 2000)));         // c := fanIn(boring("Joe"), boring("Ann"))
        for (int i = 0; i < 10; i++) {
            System.out.println(c.receive());                            // fmt.Println(<-c)
        }
        System.out.println("You're both boring; I'm leaving.");
    }

    // ---- Fan-in using select (selectboring.go) -------------------------------------------------------------

    // The same fanIn with a single goroutine: a select takes from whichever input is ready.
    static <T> ReceiveOnly<T> fanInSelect(ReceiveOnly<?> done, ReceiveOnly<T> input1, ReceiveOnly<T> input2) {
        Chan<T> c = make();                                             // c := make(chan string)
        go(() -> {                                                      // go func() {
            while (true) {                                              //     for {
                var fromInput1 = onReceive(input1);
                var fromInput2 = onReceive(input2);
                Selected s = select(onReceive(done), fromInput1, fromInput2); // select {
                T message = null;
                switch (s.index()) {
                    case 0 -> { return; }                               // case <-done: return (not in the talk)
                    case 1 -> message = s.value(fromInput1);            // case s := <-input1: c <- s
                    case 2 -> message = s.value(fromInput2);            // case s := <-input2: c <- s
                }
                switch (select(onReceive(done), onSend(c, message)).index()) {
                    case 0 -> { return; }                               // case <-done: return
                    case 1 -> { }                                       // c <- s
                }
            }
        });
        return c;                                                       // return c
    }

    void selectboring(ReceiveOnly<?> done, Random rand) {
        ReceiveOnly<String> c = fanInSelect(done, boring(done, "Joe", randomPauses(rand, 1000)),
                boring(done, "Ann", randomPauses(rand, 1000)));         // c := fanIn(boring("Joe"), boring("Ann"))
        for (int i = 0; i < 10; i++) {
            System.out.println(c.receive());                            // fmt.Println(<-c)
        }
        System.out.println("You're both boring; I'm leaving.");
    }

    // ---- Restoring sequencing (sequenceboring.go) ----------------------------------------------------------

    // A message carries the channel on which its speaker waits for the go-ahead: a channel sent on a channel. (Go's
    // field is wait; Java's Object has a wait() already, so it takes the speaker's name for it, waitForIt.)
    record Message(String str, Chan<Boolean> waitForIt) {}              // type Message struct { str string; wait chan bool }

    // boring, with a wait after each message: the speaker cannot say the next one until it is given the go-ahead.
    // (It pauses before it speaks, as boring above does; sequenceboring.go's pauses after, before the wait.)
    static ReceiveOnly<Message> boringInTurn(ReceiveOnly<?> done, String msg, Supplier<Duration> pauses) {
        Chan<Message> c = make();                                       // c := make(chan Message)
        Chan<Boolean> waitForIt = make();                               // waitForIt := make(chan bool) // Shared between all messages.
        go(() -> {                                                      // go func() {
            for (int i = 0; ; i++) {                                    //     for i := 0; ; i++ {
                if (!pause(done, pauses.get())) {                       //         time.Sleep(time.Duration(rand.Intn(2e3)) * time.Millisecond)
                    return;
                }
                Message message = new Message(msg + ": " + i, waitForIt);
                switch (select(onReceive(done), onSend(c, message)).index()) {
                    case 0 -> { return; }                               // case <-done: return
                    case 1 -> { }                                       // case c <- Message{ fmt.Sprintf("%s: %d", msg, i), waitForIt }:
                }
                switch (select(onReceive(done), onReceive(waitForIt)).index()) {
                    case 0 -> { return; }                               // case <-done: return
                    case 1 -> { }                                       // <-waitForIt
                }
            }
        });
        return c;                                                       // return c
    }

    // The listener: a message from each speaker, then the go-ahead to each on its private channel. So each round
    // holds one message of each, in whichever order they come. (sequenceboring.go's fanIn is variadic; the
    // two-input one above does the same here.)
    static void inTurns(ReceiveOnly<Message> c, int rounds) {
        for (int i = 0; i < rounds; i++) {
            Message msg1 = c.receive();                                 // msg1 := <-c
            System.out.println(msg1.str());                             // fmt.Println(msg1.str)
            Message msg2 = c.receive();                                 // msg2 := <-c
            System.out.println(msg2.str());                             // fmt.Println(msg2.str)
            msg1.waitForIt().send(true);                                    // msg1.wait <- true
            msg2.waitForIt().send(true);                                    // msg2.wait <- true
        }
    }

    void sequenceboring(ReceiveOnly<?> done, Random rand) {
        ReceiveOnly<Message> c = fanIn(done, boringInTurn(done, "Joe", randomPauses(rand, 2000)),
                boringInTurn(done, "Ann", randomPauses(rand, 2000)));   // c := fanIn(boring("Joe"), boring("Ann"))
        inTurns(c, 5);
        System.out.println("You're all boring; I'm leaving.");
    }

    // ---- Timeout using select (timeout.go) -----------------------------------------------------------------

    // A new time.After on each turn of the loop: it fires only if one message takes longer than the timeout.
    // When it does, main returns, and in timeout.go that leaves Joe behind: once his pause is over he blocks on his
    // send, forever if the program went on (see boring). Each turn also leaves its timer to fire unread, which
    // before Go 1.23 kept the timer from being collected until it fired: harmless for a second.
    static void untilTooSlow(ReceiveOnly<String> c, Duration timeout) {
        while (true) {                                                  // for {
            var fromC = onReceive(c);
            Selected s = select(fromC, onReceive(after(timeout)));// select {
            switch (s.index()) {
                case 0 -> System.out.println(s.value(fromC));           // case s := <-c: fmt.Println(s)
                case 1 -> {                                             // case <-time.After(1 * time.Second):
                    System.out.println("You're too slow.");             //     fmt.Println("You're too slow.")
                    return;                                             //     return
                }
            }
        }
    }

    // timeout.go's Joe pauses up to 1.5 s (rand.Intn(1500)).
    void timeout(ReceiveOnly<?> done, Random rand) {
        ReceiveOnly<String> c = boring(done, "Joe", randomPauses(rand, 1500)); // c := boring("Joe")
        untilTooSlow(c, Duration.ofSeconds(1));
    }

    // ---- Timeout for whole conversation using select (timeoutall.go) ---------------------------------------

    // The timer is made once, outside the loop: it ends the whole conversation, however fast the messages come.
    // timeoutall.go leaves Joe behind in the same way.
    static void untilTimeIsUp(ReceiveOnly<String> c, Duration total) {
        ReceiveOnly<Instant> timeout = after(total);                    // timeout := time.After(5 * time.Second)
        while (true) {                                                  // for {
            var fromC = onReceive(c);
            Selected s = select(fromC, onReceive(timeout));             // select {
            switch (s.index()) {
                case 0 -> System.out.println(s.value(fromC));           // case s := <-c: fmt.Println(s)
                case 1 -> {                                             // case <-timeout:
                    System.out.println("You talk too much.");           //     fmt.Println("You talk too much.")
                    return;                                             //     return
                }
            }
        }
    }

    void timeoutall(ReceiveOnly<?> done, Random rand) {
        ReceiveOnly<String> c = boring(done, "Joe", randomPauses(rand, 1500)); // c := boring("Joe")
        Instant start = now();
        untilTimeIsUp(c, Duration.ofSeconds(5));
        // Not in the talk: how long it lasted, rounded to 100 ms for a run on the real clock (exact on virtual time).
        Duration lasted = since(start);                                 // time.Since(start)
        System.out.println("(the conversation lasted " + Script.durationString(lasted, Duration.ofMillis(100)) + ")");
    }

    // ---- Quit channel (quit.go) ----------------------------------------------------------------------------

    // The talk's own way to stop Joe: a quit channel in the select next to the send. This boring needs no done.
    static ReceiveOnly<String> boring(String msg, ReceiveOnly<Boolean> quit, Supplier<Duration> pauses) {
        Chan<String> c = make();                                        // c := make(chan string)
        go(() -> {                                                      // go func() {
            for (int i = 0; ; i++) {                                    //     for i := 0; ; i++ {
                sleep(pauses.get());                                    //         time.Sleep(time.Duration(rand.Intn(1e3)) * time.Millisecond)
                switch (select(onReceive(quit), onSend(c, msg + ": " + i)).index()) { // select {
                    case 0 -> { return; }                               // case <-quit: return
                    case 1 -> { }                                       // case c <- fmt.Sprintf("%s: %d", msg, i): // do nothing
                }
            }
        });
        return c;                                                       // return c
    }

    void quit(ReceiveOnly<?> done, Random rand) {
        Chan<Boolean> quit = make();                                    // quit := make(chan bool)
        ReceiveOnly<String> c = boring("Joe", quit, randomPauses(rand, 1000)); // c := boring("Joe", quit)
        for (int i = rand.nextInt(10); i >= 0; i--) {                   // for i := rand.Intn(10); i >= 0; i-- { fmt.Println(<-c) }
            System.out.println(c.receive());
        }
        quit.send(true);                                                // quit <- true
    }

    // ---- Receive on quit channel (rcvquit.go) --------------------------------------------------------------

    // The round trip: main says "Bye!" on quit and waits for the answer on the same channel, so it knows that Joe
    // has cleaned up before it goes on. (The talk's cleanup does nothing; the section passes one that says so.)
    static ReceiveOnly<String> boring(String msg, Chan<String> quit, Supplier<Duration> pauses, Runnable cleanup) {
        Chan<String> c = make();                                        // c := make(chan string)
        go(() -> {                                                      // go func() {
            for (int i = 0; ; i++) {                                    //     for i := 0; ; i++ {
                sleep(pauses.get());                                    //         time.Sleep(time.Duration(rand.Intn(1e3)) * time.Millisecond)
                switch (select(onReceive(quit), onSend(c, msg + ": " + i)).index()) { // select {
                    case 0 -> {                                         // case <-quit:
                        cleanup.run();                                  //     cleanup()
                        quit.send("See you!");                          //     quit <- "See you!"
                        return;                                         //     return
                    }
                    case 1 -> { }                                       // case c <- fmt.Sprintf("%s: %d", msg, i): // do nothing
                }
            }
        });
        return c;                                                       // return c
    }

    void rcvquit(ReceiveOnly<?> done, Random rand) {
        Chan<String> quit = make();                                     // quit := make(chan string)
        ReceiveOnly<String> c = boring("Joe", quit, randomPauses(rand, 1000),
                () -> System.out.println("(Joe cleans up)"));            // c := boring("Joe", quit)
        for (int i = rand.nextInt(10); i >= 0; i--) {                   // for i := rand.Intn(10); i >= 0; i-- { fmt.Println(<-c) }
            System.out.println(c.receive());
        }
        quit.send("Bye!");                                              // quit <- "Bye!"
        System.out.printf("Joe says: \"%s\"%n", quit.receive());        // fmt.Printf("Joe says: %q\n", <-quit)
    }

    // ---- Daisy-chain (daisy.go) ----------------------------------------------------------------------------

    // Each gopher waits for a number from its right, adds one and whispers it to its left.
    static void f(SendOnly<Integer> left, ReceiveOnly<Integer> right) {
        left.send(1 + right.receive());                                 // left <- 1 + <-right
    }

    // n gophers in a row, then a 1 whispered to the rightmost: the leftmost channel hears n + 1. The talk ran
    // n = 100000; daisy.go says 10000 since 2013 ("decrease length of the daisy-chain", golang/talks 6317324).
    static int daisyChain(int n) {
        Chan<Integer> leftmost = make();                                // leftmost := make(chan int)
        Chan<Integer> right = leftmost;                                 // right := leftmost
        Chan<Integer> left = leftmost;                                  // left := leftmost
        for (int i = 0; i < n; i++) {                                   // for i := 0; i < n; i++ {
            right = make();                                             //     right = make(chan int)
            // Go evaluates go f(left, right)'s arguments at the go statement; a Java lambda needs them final.
            Chan<Integer> l = left, r = right;
            go(() -> f(l, r));                                          //     go f(left, right)
            left = right;                                               //     left = right
        }
        Chan<Integer> c = right;
        go(() -> c.send(1));                                            // go func(c chan int) { c <- 1 }(right)
        return leftmost.receive();                                      // <-leftmost
    }

    // Neither done nor rand: the chain ends by itself, and nothing in it is random.
    void daisy(ReceiveOnly<?> done, Random rand) {
        System.out.println(daisyChain(gophers));                        // fmt.Println(<-leftmost)
    }

    // ---- main ------------------------------------------------------------------------------------------------

    // One of the talk's programs: the file it comes from, the slide's title, and its main.
    record Section(String file, String title, BiConsumer<ReceiveOnly<?>, Random> main) {}

    List<Section> talk() {
        return List.of(
                new Section("generatorboring", "Generator: function that returns a channel", this::generatorboring),
                new Section("generator2boring", "Channels as a handle on a service", this::generator2boring),
                new Section("faninboring", "Multiplexing", this::faninboring),
                new Section("selectboring", "Fan-in using select", this::selectboring),
                new Section("sequenceboring", "Restoring sequencing", this::sequenceboring),
                new Section("timeout", "Timeout using select", this::timeout),
                new Section("timeoutall", "Timeout for whole conversation using select", this::timeoutall),
                new Section("quit", "Quit channel", this::quit),
                new Section("rcvquit", "Receive on quit channel", this::rcvquit),
                new Section("daisy", "Daisy-chain", this::daisy));
    }

    @Override
    public Integer call() {
        List<Section> talk = talk();
        List<String> files = talk.stream().map(Section::file).toList();
        Script.require(spec, only == null || files.containsAll(only),
                "--section takes " + String.join(", ", files) + "; got " + only);
        Script.require(spec, gophers >= 0, "--gophers must not be negative, got " + gophers);
        for (Section section : talk) {
            if (only != null && !only.contains(section.file())) {
                continue;
            }
            System.out.println("-- " + section.title() + " (" + section.file() + ".go)");
            // Each section is a program of its own: its own random source, seeded alike, and a done closed when
            // its main returns.
            Chan<Void> done = make();
            try {                                                       // defer close(done)
                section.main().accept(done, new Random(seed));
            } finally {
                done.close();
            }
            // Every goroutine the section started ends with it (this throws, naming any that does not).
            awaitGoroutines(0, LEAK_BOUND);
        }
        return 0;
    }

    public static void main(String... args) {
        Script.run(new Pike(), args);
    }
}

// This is the output on virtual time (GOCHAN_TIME=virtual), where the pauses take exactly what the seed says. A
// real run prints the same lines: with the default seed no two events that could swap are closer than 85ms.
//
// Output:
// -- Generator: function that returns a channel (generatorboring.go)
// You say: "boring! 0"
// You say: "boring! 1"
// You say: "boring! 2"
// You say: "boring! 3"
// You say: "boring! 4"
// You're boring; I'm leaving.
// -- Channels as a handle on a service (generator2boring.go)
// Joe: 0
// Ann: 0
// Joe: 1
// Ann: 1
// Joe: 2
// Ann: 2
// Joe: 3
// Ann: 3
// Joe: 4
// Ann: 4
// You're both boring; I'm leaving.
// -- Multiplexing (faninboring.go)
// Joe: 0
// Ann: 0
// Joe: 1
// Ann: 1
// Ann: 2
// Joe: 2
// Joe: 3
// Ann: 3
// Joe: 4
// Joe: 5
// You're both boring; I'm leaving.
// -- Fan-in using select (selectboring.go)
// Joe: 0
// Ann: 0
// Ann: 1
// Joe: 1
// Ann: 2
// Ann: 3
// Joe: 2
// Joe: 3
// Ann: 4
// Joe: 4
// You're both boring; I'm leaving.
// -- Restoring sequencing (sequenceboring.go)
// Joe: 0
// Ann: 0
// Ann: 1
// Joe: 1
// Ann: 2
// Joe: 2
// Joe: 3
// Ann: 3
// Joe: 4
// Ann: 4
// You're all boring; I'm leaving.
// -- Timeout using select (timeout.go)
// Joe: 0
// Joe: 1
// Joe: 2
// You're too slow.
// -- Timeout for whole conversation using select (timeoutall.go)
// Joe: 0
// Joe: 1
// Joe: 2
// Joe: 3
// Joe: 4
// You talk too much.
// (the conversation lasted 5s)
// -- Quit channel (quit.go)
// Joe: 0
// Joe: 1
// -- Receive on quit channel (rcvquit.go)
// Joe: 0
// Joe: 1
// (Joe cleans up)
// Joe says: "See you!"
// -- Daisy-chain (daisy.go)
// 100001
