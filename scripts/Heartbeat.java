///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Heartbeats: a worker pulses every interval or at each unit of work, so that its consumer can tell a stuck worker from a slow one and a test can wait for the worker instead of guessing a timeout; the book's tests ported.
//JAVA 21+
//DEPS info.picocli:picocli:4.7.7
// To run it elsewhere, copy it with: gochan/Go.java gochan/Script.java
//SOURCES gochan/Go.java
//SOURCES gochan/Script.java

import static gochan.Go.*;

import gochan.Script;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

// Heartbeats: a long-lived goroutine tells the outside world it is alive. With a heartbeat on an interval its
// consumer can tell a goroutine that is stuck from one that has no results yet: if neither a pulse nor a result comes
// within a timeout, something is wrong. With a pulse at the start of each unit of work, a test can wait for the
// goroutine to begin instead of guessing how long it might take. Either way the worker sends its pulses with
// `select { case heartbeat <- struct{}{}: default: }`: if nobody listens, the pulse is dropped and the worker goes on.
//
// The book's code is in concurrency-at-scale/heartbeats/: fig-interval-heartbeat.go,
// fig-interval-heartbeat-misbehaving-goroutine.go, fig-work-unit-pulse.go, and the tests bad_concurrent_test.go,
// concurrent_test.go and interval_concurrent_test.go (ported as tests in tests/HeartbeatProperties.java).
@Command(name = "heartbeat", mixinStandardHelpOptions = true, version = "heartbeat 1.0",
        description = "Heartbeats: a worker pulses every interval or at each unit of work, so that its consumer can "
                + "tell a stuck worker from a slow one and a test can wait for the worker instead of guessing a "
                + "timeout; the book's tests ported.")
public class Heartbeat implements Callable<Integer> {

    @Option(names = "--pulse-interval", defaultValue = "100ms", converter = Script.GoDuration.class,
            paramLabel = "<duration>", description = "How often the worker pulses: the book's second"
                    + " (default: ${DEFAULT-VALUE}; 1s runs at the book's pace).")
    Duration pulseInterval;

    @Option(names = "--timeout", converter = Script.GoDuration.class, paramLabel = "<duration>",
            description = "How long the consumer waits for a pulse or a result before it gives up on the worker"
                    + " (default: twice the pulse interval, as in the book).")
    Duration timeout;

    @Option(names = "--seed", description = "Seeds the random results of the units of work (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Spec
    CommandSpec spec;

    // ---- Stages ------------------------------------------------------------------------------------------------

    // What each doWork returns, Go's (<-chan interface{}, <-chan T): the heartbeat and the results. A pulse carries
    // nothing: Go sends struct{}{}, here Void's only value, null.
    record Work<T>(ReceiveOnly<Void> heartbeat, ReceiveOnly<T> results) {}

    // sendPulse: a pulse if someone is listening, else none. The default case is the point: the worker never waits
    // for its listeners, and a heartbeat nobody reads costs it nothing.
    static void sendPulse(SendOnly<Void> heartbeat) {
        select(onSend(heartbeat, null), onDefault());                  // select { case heartbeat <- struct{}{}: default: }
    }

    // sendResult: waits for the consumer to take r, pulsing meanwhile. Every blocking send or receive of the worker
    // needs a case for the pulse, or the heartbeat stops whenever the worker waits.
    static <T> void sendResult(ReceiveOnly<?> done, Ticker pulse, SendOnly<Void> heartbeat, SendOnly<T> results, T r) {
        while (true) {                                                  // for {
            switch (select(onReceive(done), onReceive(pulse.c()), onSend(results, r)).index()) {
                case 0, 2 -> { return; }                                // case <-done: return; case results <- r: return
                default -> sendPulse(heartbeat);                        // case <-pulse: sendPulse()
            }
        }
    }

    // pause: waits d, or less if done closes: false then. A d of zero does not wait at all.
    static boolean pause(ReceiveOnly<?> done, Duration d) {
        if (d.isZero()) {
            return true;
        }
        Timer timer = newTimer(d);
        try {
            return select(onReceive(done), onReceive(timer.c())).index() == 1;
        } finally {
            timer.stop();
        }
    }

    // The two tickers of the interval figures: pulse every pulseInterval, and workGen, the book's stand-in for work
    // coming in, every second interval. Not in the book: workGen starts a hundredth of an interval after pulse. In Go
    // both tick together every second interval (on a real clock pulse, made first, is microseconds ahead); on virtual
    // time they would tick at the very same instant, and which one a select took first would be a coin toss. (If done
    // closes meanwhile, the worker's first select sees it.) Unlike time.Tick's, these tickers are stopped when the
    // worker ends, so that nothing is left running.
    record Tickers(Ticker pulse, Ticker workGen) {
        static Tickers start(ReceiveOnly<?> done, Duration pulseInterval) {
            Ticker pulse = newTicker(pulseInterval);                    // pulse := time.Tick(pulseInterval)
            pause(done, pulseInterval.dividedBy(100));
            Ticker workGen = newTicker(pulseInterval.multipliedBy(2));  // workGen := time.Tick(2 * pulseInterval)
            return new Tickers(pulse, workGen);
        }

        void stop() {
            pulse.stop();
            workGen.stop();
        }
    }

    // doWork (fig-interval-heartbeat.go): pulses every pulseInterval, whatever else it is doing, and sends a result
    // (the time its work came in) every second interval, until done closes.
    static Work<Instant> doWork(ReceiveOnly<?> done, Duration pulseInterval) {
        Chan<Void> heartbeat = make();                                  // heartbeat := make(chan interface{})
        Chan<Instant> results = make();                                 // results := make(chan time.Time)
        go(() -> {
            try {
                Tickers tickers = Tickers.start(done, pulseInterval);
                try {
                    while (true) {                                      // for {
                        var fromWorkGen = onReceive(tickers.workGen().c());
                        Selected got = select(onReceive(done), onReceive(tickers.pulse().c()), fromWorkGen); // select {
                        switch (got.index()) {
                            case 0 -> { return; }                       // case <-done: return
                            case 1 -> sendPulse(heartbeat);             // case <-pulse: sendPulse()
                            case 2 -> sendResult(done, tickers.pulse(), heartbeat, results, got.value(fromWorkGen)); // case r := <-workGen: sendResult(r)
                        }
                    }
                } finally {
                    tickers.stop();
                }
            } finally {
                results.close();                                        // defer close(results)
                heartbeat.close();                                      // defer close(heartbeat)
            }
        });
        return new Work<>(heartbeat, results);
    }

    // doWorkAndStall (fig-interval-heartbeat-misbehaving-goroutine.go): the same worker, except that it stops after
    // `iterations` turns of its loop (the book's: 2), and closes nothing: from outside it has just gone quiet, as a
    // goroutine that hangs would. Only the missing heartbeat can tell.
    static Work<Instant> doWorkAndStall(ReceiveOnly<?> done, Duration pulseInterval, int iterations) {
        Chan<Void> heartbeat = make();
        Chan<Instant> results = make();
        go(() -> {
            Tickers tickers = Tickers.start(done, pulseInterval);
            try {
                for (int i = 0; i < iterations; i++) {                  // for i := 0; i < 2; i++ {
                    var fromWorkGen = onReceive(tickers.workGen().c());
                    Selected got = select(onReceive(done), onReceive(tickers.pulse().c()), fromWorkGen); // select {
                    switch (got.index()) {
                        case 0 -> { return; }                           // case <-done: return
                        case 1 -> sendPulse(heartbeat);                 // case <-pulse: sendPulse()
                        case 2 -> sendResult(done, tickers.pulse(), heartbeat, results, got.value(fromWorkGen)); // case r := <-workGen: sendResult(r)
                    }
                }
            } finally {
                tickers.stop();
            }
        });
        return new Work<>(heartbeat, results);
    }

    // doWorkPerUnit (fig-work-unit-pulse.go): a pulse at the start of each unit of work, then the unit's result (a
    // random number below 10), `units` times. The heartbeat has room for one pulse, so the first one is sent even if
    // nobody is listening yet. Not in the book: each unit takes unitTime. The book's take none, and then its consumer
    // may find a pulse and a result both waiting, and select takes either: the output changes from run to run.
    static Work<Integer> doWorkPerUnit(ReceiveOnly<?> done, int units, Duration unitTime, Random random) {
        Chan<Void> heartbeatStream = make(1);                           // heartbeatStream := make(chan interface{}, 1)
        Chan<Integer> workStream = make();                              // workStream := make(chan int)
        go(() -> {
            try {
                for (int i = 0; i < units; i++) {                       // for i := 0; i < 10; i++ {
                    sendPulse(heartbeatStream);
                    int result = random.nextInt(10);                    // rand.Intn(10), which here takes unitTime
                    if (!pause(done, unitTime)) {
                        return;
                    }
                    switch (select(onReceive(done), onSend(workStream, result)).index()) {
                        case 0 -> { return; }                           // case <-done: return
                        case 1 -> { }                                   // case workStream <- result:
                    }
                }
            } finally {
                workStream.close();                                     // defer close(workStream)
                heartbeatStream.close();                                // defer close(heartbeatStream)
            }
        });
        return new Work<>(heartbeatStream, workStream);
    }

    // doWorkOnNums (dowork_test.go, the DoWork of bad_concurrent_test.go and concurrent_test.go): sends nums in
    // order, each after a pulse, once startDelay has passed (the book's time.Sleep(2 * time.Second), which stands for
    // whatever makes a goroutine slow to start; it does not watch done).
    static Work<Integer> doWorkOnNums(ReceiveOnly<?> done, Duration startDelay, int... nums) {
        Chan<Void> heartbeat = make(1);                                 // heartbeat := make(chan interface{}, 1)
        Chan<Integer> intStream = make();                               // intStream := make(chan int)
        go(() -> {
            try {
                sleep(startDelay);                                      // time.Sleep(2 * time.Second)
                for (int n : nums) {                                    // for _, n := range nums {
                    sendPulse(heartbeat);
                    switch (select(onReceive(done), onSend(intStream, n)).index()) {
                        case 0 -> { return; }                           // case <-done: return
                        case 1 -> { }                                   // case intStream <- n:
                    }
                }
            } finally {
                intStream.close();                                      // defer close(intStream)
                heartbeat.close();                                      // defer close(heartbeat)
            }
        });
        return new Work<>(heartbeat, intStream);
    }

    // doWorkOnNumsWithInterval (interval_concurrent_test.go's DoWork): the same numbers, but pulsing every
    // pulseInterval (from startDelay on) while it waits to send each one.
    static Work<Integer> doWorkOnNumsWithInterval(ReceiveOnly<?> done, Duration startDelay, Duration pulseInterval,
                                                  int... nums) {
        Chan<Void> heartbeat = make(1);
        Chan<Integer> intStream = make();
        go(() -> {
            try {
                sleep(startDelay);
                Ticker pulse = newTicker(pulseInterval);                // pulse := time.Tick(pulseInterval)
                try {
                    numLoop:
                    for (int n : nums) {                                // numLoop: for _, n := range nums {
                        while (true) {                                  // for {
                            switch (select(onReceive(done), onReceive(pulse.c()), onSend(intStream, n)).index()) {
                                case 0 -> { return; }                   // case <-done: return
                                case 1 -> sendPulse(heartbeat);         // case <-pulse: select { case heartbeat <- ...
                                default -> { continue numLoop; }        // case intStream <- n: continue numLoop
                            }
                        }
                    }
                } finally {
                    pulse.stop();
                }
            } finally {
                intStream.close();                                      // defer close(intStream)
                heartbeat.close();                                      // defer close(heartbeat)
            }
        });
        return new Work<>(heartbeat, intStream);
    }

    // ---- The consumer ------------------------------------------------------------------------------------------

    // What the consumer saw, and when (since it started watching): a pulse, a result, a closed channel (the book's
    // `if ok == false { return }`), or nothing within the timeout.
    enum What { PULSE, RESULT, CLOSED, UNHEALTHY }

    record Seen(What what, Duration at) {}

    // watch (the main loop of both interval figures): takes pulses and results as they come, and gives up on the
    // worker when neither has come for `timeout`: the timer starts again on each turn of the loop (the book's
    // `case <-time.After(timeout)`; a timer here, stopped when it loses, so that none is left running). It returns
    // what ended the watch: a closed channel, the timeout, or the `enough`-th result.
    static Seen watch(Work<Instant> work, Duration timeout, int enough, Instant start, Consumer<Seen> log) {
        int results = 0;
        while (true) {                                                  // for {
            Timer timeoutSignal = newTimer(timeout);
            Selected got = select(onReceive(work.heartbeat()), onReceive(work.results()), onReceive(timeoutSignal.c()));
            timeoutSignal.stop();
            Seen seen = switch (got.index()) {
                case 0 -> new Seen(got.ok() ? What.PULSE : What.CLOSED, since(start)); // case _, ok := <-heartbeat:
                case 1 -> new Seen(got.ok() ? What.RESULT : What.CLOSED, since(start)); // case r, ok := <-results:
                default -> new Seen(What.UNHEALTHY, since(start));      // case <-time.After(timeout): return
            };
            log.accept(seen);
            if (seen.what() != What.PULSE && (seen.what() != What.RESULT || ++results == enough)) {
                return seen;
            }
        }
    }

    // ---- The demos ---------------------------------------------------------------------------------------------

    static final int RESULTS = 4;

    static String show(Duration d) {
        return Script.durationString(d, Duration.ofNanos(1));
    }

    // The book's lines, without times: on virtual time the times are exact (the tests check them), but on a real
    // clock the worker's first pulse can be late by most of an interval while a cold JVM loads its code.
    void print(Seen seen) {
        switch (seen.what()) {
            case PULSE -> System.out.println("  pulse");
            case RESULT -> System.out.println("  results");
            case CLOSED -> System.out.println("  the worker closed its channels");
            case UNHEALTHY -> System.out.println("  worker goroutine is not healthy! (nothing for " + show(timeout) + ")");
        }
    }

    // 1. fig-interval-heartbeat.go. The book closes done after 10 s with time.AfterFunc and reads until the worker
    // closes its channels; here the consumer stops after 4 results and closes done itself, because on virtual time
    // done would close at the very instant of the tenth pulse, and which came first would be a coin toss.
    void intervalHeartbeat() {
        System.out.printf("Interval heartbeats (fig-interval-heartbeat.go): a pulse every %s, a result every %s;%n",
                show(pulseInterval), show(pulseInterval.multipliedBy(2)));
        System.out.printf("the consumer gives up after %s without either, and stops after %d results.%n",
                show(timeout), RESULTS);
        Chan<Void> done = make();
        try {                                                           // defer close(done)
            Instant start = now();
            int[] pulses = {0};
            Seen end = watch(doWork(done, pulseInterval), timeout, RESULTS, start, seen -> {
                print(seen);
                pulses[0] += seen.what() == What.PULSE ? 1 : 0;
            });
            if (end.what() == What.RESULT) {
                System.out.printf("  %d pulses for %d results, and never %s without either: the worker is healthy%n",
                        pulses[0], RESULTS, show(timeout));
            }
        } finally {
            done.close();
        }
    }

    // 2. fig-interval-heartbeat-misbehaving-goroutine.go: the worker stops after two turns of its loop, and the
    // consumer notices one timeout after the last pulse.
    void stalledWorker() {
        System.out.println("A worker that stops after two turns of its loop and closes nothing"
                + " (fig-interval-heartbeat-misbehaving-goroutine.go):");
        Chan<Void> done = make();
        try {                                                           // defer close(done)
            Instant start = now();
            watch(doWorkAndStall(done, pulseInterval, 2), timeout, Integer.MAX_VALUE, start, this::print);
        } finally {
            done.close();
        }
    }

    // 3. fig-work-unit-pulse.go: the consumer sees a pulse as each unit begins, then its result.
    void pulsePerUnit() {
        Duration unitTime = pulseInterval.dividedBy(2);
        System.out.printf("A pulse at the start of each unit of work (fig-work-unit-pulse.go): 10 units of %s each%n",
                show(unitTime));
        Chan<Void> done = make();
        try {                                                           // defer close(done)
            Work<Integer> work = doWorkPerUnit(done, 10, unitTime, new Random(seed));
            while (true) {                                              // for {
                var fromResults = onReceive(work.results());
                Selected got = select(onReceive(work.heartbeat()), fromResults); // select {
                if (!got.ok()) {
                    return;                                             // if ok == false { return }
                }
                switch (got.index()) {
                    case 0 -> System.out.println("  pulse");            // case _, ok := <-heartbeat: fmt.Println("pulse")
                    case 1 -> System.out.println("  results " + got.value(fromResults)); // case r, ok := <-results: fmt.Printf("results %v\n", r)
                }
            }
        } finally {
            done.close();
        }
    }

    // 4. The book's tests. DoWork takes a while to start (the book's 2 s; here the timeout), and a test that waits
    // a fixed time for each result (bad_concurrent_test.go: 1 s; here half the timeout) fails or passes depending on
    // how long that is. A test that first waits for the heartbeat (concurrent_test.go) waits exactly as long as the
    // worker needs, no more and no less, and so does one with interval pulses (interval_concurrent_test.go).
    void deterministicTests() {
        int[] intSlice = {0, 1, 2, 3, 5};                              // intSlice := []int{0, 1, 2, 3, 5}
        Duration startDelay = timeout;
        Duration fixedWait = timeout.dividedBy(2);
        System.out.printf("Heartbeats make tests deterministic: DoWork(done, 0, 1, 2, 3, 5) starts after %s.%n",
                show(startDelay));
        Chan<Void> done = make();
        try {                                                           // defer close(done)
            System.out.printf("  bad_concurrent_test.go, time.After(%s) for each result: %s%n", show(fixedWait),
                    waitingAFixedTime(doWorkOnNums(done, startDelay, intSlice), intSlice.length, fixedWait));
            System.out.printf("  concurrent_test.go, <-heartbeat first: %s%n",
                    heartbeatFirst(doWorkOnNums(done, startDelay, intSlice)));
            System.out.printf("  interval_concurrent_test.go, <-heartbeat first, a pulse every %s: %s%n",
                    show(pulseInterval),
                    heartbeatFirst(doWorkOnNumsWithInterval(done, startDelay, pulseInterval, intSlice)));
        } finally {
            done.close();
        }
    }

    // The bad test's loop: a fixed wait for each result.
    static String waitingAFixedTime(Work<Integer> work, int count, Duration wait) {
        StringJoiner got = new StringJoiner(" ");
        for (int i = 0; i < count; i++) {                               // for i, expected := range intSlice {
            Timer timer = newTimer(wait);
            var fromResults = onReceive(work.results());
            Selected s = select(fromResults, onReceive(timer.c()));     // select {
            timer.stop();
            switch (s.index()) {
                case 0 -> got.add(String.valueOf(s.value(fromResults))); // case r := <-results: (compare with expected)
                case 1 -> { return "test timed out"; }                  // case <-time.After(1 * time.Second): t.Fatal(...)
            }
        }
        return got.toString();
    }

    // The good test: <-heartbeat, then range over the results.
    static String heartbeatFirst(Work<Integer> work) {
        receive(work.heartbeat());                                      // <-heartbeat
        StringJoiner got = new StringJoiner(" ");
        for (int r : work.results()) {                                  // for r := range results {
            got.add(String.valueOf(r));
        }
        return got.toString();
    }

    @Override
    public Integer call() {
        Script.require(spec, pulseInterval.compareTo(Duration.ofMillis(1)) >= 0,
                "--pulse-interval must be at least 1ms, got " + show(pulseInterval));
        if (timeout == null) {
            timeout = pulseInterval.multipliedBy(2);                    // const timeout = 2 * time.Second; doWork(done, timeout/2)
        }
        Script.require(spec, !timeout.isZero(), "--timeout must be more than 0s");
        intervalHeartbeat();
        stalledWorker();
        pulsePerUnit();
        deterministicTests();
        return 0;
    }

    public static void main(String... args) {
        Script.run(new Heartbeat(), args);
    }
}

// Output:
// Interval heartbeats (fig-interval-heartbeat.go): a pulse every 100ms, a result every 200ms;
// the consumer gives up after 200ms without either, and stops after 4 results.
//   pulse
//   pulse
//   results
//   pulse
//   pulse
//   results
//   pulse
//   pulse
//   results
//   pulse
//   pulse
//   results
//   8 pulses for 4 results, and never 200ms without either: the worker is healthy
// A worker that stops after two turns of its loop and closes nothing (fig-interval-heartbeat-misbehaving-goroutine.go):
//   pulse
//   pulse
//   worker goroutine is not healthy! (nothing for 200ms)
// A pulse at the start of each unit of work (fig-work-unit-pulse.go): 10 units of 50ms each
//   pulse
//   results 5
//   pulse
//   results 8
//   pulse
//   results 7
//   pulse
//   results 3
//   pulse
//   results 4
//   pulse
//   results 4
//   pulse
//   results 4
//   pulse
//   results 6
//   pulse
//   results 8
//   pulse
//   results 8
// Heartbeats make tests deterministic: DoWork(done, 0, 1, 2, 3, 5) starts after 200ms.
//   bad_concurrent_test.go, time.After(100ms) for each result: test timed out
//   concurrent_test.go, <-heartbeat first: 0 1 2 3 5
//   interval_concurrent_test.go, <-heartbeat first, a pulse every 100ms: 0 1 2 3 5
