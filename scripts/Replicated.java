///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Replicated requests: the same request to several handlers, the first answer wins and close(done) cancels the rest; then timeouts and cancellation: a deadline cancels every handler, work stops at its first look at done, and a cancelled tally leaves writes to roll back.
//JAVA 21+
//DEPS info.picocli:picocli:4.7.7
// To run it elsewhere, copy it with: gochan/Go.java gochan/Context.java gochan/Script.java
//SOURCES gochan/Go.java
//SOURCES gochan/Context.java
//SOURCES gochan/Script.java

import static gochan.Context.*;
import static gochan.Go.*;

import gochan.Context;
import gochan.Script;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

// Replicated requests (the book's chapter 5, section "Replicated Requests"; its code is in the text only, the
// published repository has no file for it). When an answer must come as fast as possible, send the same request to
// several handlers and take whichever answers first; then cancel the others, so that they stop working for nothing.
// It costs a running copy of each handler, and it pays only if the handlers differ (other machines, other paths to
// the data): handlers that are all alike are slow together. Every handler may do the work, and several may finish
// it, so it must be work that can be done twice: a read, or an idempotent write. Only the first answer is taken.
//
// Then the book's section "Timeouts and Cancellation" (also text only). A timeout is a cancellation that comes from
// the clock, and it should cancel everything started for the request. How soon that work stops depends on how
// preemptable it is: at the latest, after its longest step that does not look at done. And work that wrote to shared
// state before it was cancelled leaves writes behind to roll back: fewer, the later and fewer its writes.
@Command(name = "replicated", mixinStandardHelpOptions = true, version = "replicated 1.0",
        description = "Replicated requests: the same request to several handlers, the first answer wins and "
                + "close(done) cancels the rest; then timeouts and cancellation: a deadline cancels every handler, work "
                + "stops at its first look at done, and a cancelled tally leaves writes to roll back.")
public class Replicated implements Callable<Integer> {

    @Option(names = "--handlers", description = "Handlers the request is replicated to (default: ${DEFAULT-VALUE}).")
    int handlers = 10;

    @Option(names = "--seed", paramLabel = "SEED",
            description = "Seed of the handlers' simulated load times, 1 to 5 s each (default: ${DEFAULT-VALUE}).")
    long seed = 6;

    @Option(names = "--timeout", defaultValue = "300ms", converter = Script.GoDuration.class, paramLabel = "<duration>",
            description = "The deadline of the second part (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--step", defaultValue = "200ms", converter = Script.GoDuration.class, paramLabel = "<duration>",
            description = "How long one step of work takes that cannot be interrupted (default: ${DEFAULT-VALUE}).")
    Duration step;

    @Spec
    CommandSpec spec;

    // ==== 1. Replicated requests =====================================================================

    // The book's simulated load: 1 to 5 whole seconds, `time.Duration(1+rand.Intn(5))*time.Second`. (Its text says
    // "between one and six nanoseconds"; its code is what this follows.) The book draws in each handler, from the
    // shared rand, in whatever order the handlers run; here the caller draws them in handler order, so that a seed
    // decides which handler gets which load.
    static List<Duration> simulatedLoadTimes(Random rand, int handlers) {
        List<Duration> loads = new ArrayList<>();
        for (int id = 0; id < handlers; id++) {
            loads.add(Duration.ofSeconds(1 + rand.nextInt(5)));
        }
        return loads;
    }

    // doWork: the book's handler. It waits out its load unless done closes first, then offers its answer unless
    // done closes first; either way it records how long it ran. The book prints that line here, as each handler
    // ends; the cancelled ones all end at the same moment, in no set order, so here each one records its time in
    // its own slot of took and the caller prints them in handler order once wg.await() has returned.
    static void doWork(ReceiveOnly<?> done, int id, Duration simulatedLoadTime, WaitGroup wg,
                       SendOnly<Integer> result, Duration[] took) {
        Instant started = now();                                    // started := time.Now()
        try {                                                       // defer wg.Done()
            // time.After in the book: its timer stays until it fires (seconds after a cancelled handler has
            // returned); a Timer that is stopped on the way out leaves nothing behind.
            Timer load = newTimer(simulatedLoadTime);
            select(onReceive(done), onReceive(load.c()));           // case <-done: / case <-time.After(...):
            load.stop();
            select(onReceive(done), onSend(result, id));            // case <-done: / case result <- id:
            took[id] = since(started);                              // took := time.Since(started)
        } finally {
            wg.done();
        }
    }

    /** What a replicated request came to: the first handler to answer (null if ctx ended first), and when. */
    record Answer(Integer firstReturned, Duration after, List<Duration> took) {}

    // The book's main: one handler per load time, the first answer wins, close(done) cancels the rest, and
    // wg.await() waits until every handler has ended. It also gives up when ctx is done (the book's request has no
    // deadline: pass background(), whose done() is a nil channel, never ready).
    static Answer replicatedRequest(Context ctx, List<Duration> simulatedLoadTimes) {
        int handlers = simulatedLoadTimes.size();
        Chan<Void> done = make();                                   // done := make(chan interface{})
        Chan<Integer> result = make();                              // result := make(chan int)
        Duration[] took = new Duration[handlers];
        WaitGroup wg = new WaitGroup();
        wg.add(handlers);                                           // wg.Add(10)
        Instant start = now();
        for (int i = 0; i < handlers; i++) {                        // for i := 0; i < 10; i++ {
            int id = i;
            go(() -> doWork(done, id, simulatedLoadTimes.get(id), wg, result, took));
        }
        Integer firstReturned = null;
        var fromResult = onReceive(result);
        Selected s = select(onReceive(ctx.done()), fromResult);
        switch (s.index()) {
            case 0 -> { }                                           // ctx done first: no answer (not in the book)
            case 1 -> firstReturned = s.value(fromResult);          // firstReturned := <-result
        }
        Duration after = since(start);
        done.close();                                               // close(done): cancel the remaining handlers
        wg.await();                                                 // wg.Wait()
        return new Answer(firstReturned, after, Arrays.asList(took));
    }

    // What each handler did, in handler order, the way the book prints it ("8 took 1s"), and how it ended. The
    // loads are whole seconds, and so is what is printed: a real run, a few milliseconds late, prints the same.
    static void printHandlers(Answer answer, List<Duration> loads) {
        for (int id = 0; id < loads.size(); id++) {
            String took = Script.durationString(answer.took().get(id), Duration.ofSeconds(1));
            String load = Script.durationString(loads.get(id), Duration.ofSeconds(1));
            if (Integer.valueOf(id).equals(answer.firstReturned())) {
                System.out.println(id + " took " + took + ": the first answer");
            } else if (answer.took().get(id).compareTo(loads.get(id)) < 0) {
                System.out.println(id + " would have taken " + load + ": cancelled after " + took);
            } else {                                                // as fast as the first: a tie
                System.out.println(id + " took " + took + ": answered too, but too late to be taken");
            }
        }
    }

    // ==== 2. Timeouts and cancellation ==============================================================

    static final int STEPS = 3; // the steps of one longCalculation

    // One step of work that nothing can interrupt: CPU work in the book, a sleep here so that the clock can
    // measure it. Each step doubles the value.
    static int step(int value, Duration step) {
        sleep(step);
        return value * 2;
    }

    // longCalculation, not preemptable: once started it runs all its steps.
    static int longCalculation(int value, Duration step) {
        for (int i = 0; i < STEPS; i++) {
            value = step(value, step);
        }
        return value;
    }

    // longCalculation, preemptable: it looks at done before each step, so it stops at most one step after done
    // closes. Null when cancelled (the book's nil).
    static Integer longCalculation(ReceiveOnly<?> done, int value, Duration step) {
        for (int i = 0; i < STEPS; i++) {
            switch (select(onReceive(done), onDefault()).index()) { // select {
                case 0 -> { return null; }                          // case <-done: return nil
                case 1 -> { }                                       // default:
            }
            value = step(value, step);
        }
        return value;
    }

    /** A reallyLongCalculation: the result, or null once done has closed. */
    interface Calculation {
        Integer calculate(ReceiveOnly<?> done, int value, Duration step);
    }

    // The book's three versions. First: nothing in it looks at done.
    static int reallyLongCalculation(int value, Duration step) {
        return longCalculation(longCalculation(value, step), step);
    }

    // Second: preemptable, but only between its two long calls.
    static Integer reallyLongCalculationBetweenCalls(ReceiveOnly<?> done, int value, Duration step) {
        int intermediateResult = longCalculation(value, step);
        switch (select(onReceive(done), onDefault()).index()) {     // select {
            case 0 -> { return null; }                              // case <-done: return nil
            case 1 -> { }                                           // default:
        }
        return longCalculation(intermediateResult, step);
    }

    // Third: longCalculation itself is preemptable, so the whole is preemptable at every step.
    static Integer reallyLongCalculation(ReceiveOnly<?> done, int value, Duration step) {
        Integer intermediateResult = longCalculation(done, value, step);
        return intermediateResult == null ? null : longCalculation(done, intermediateResult, step);
    }

    // The book's stage around the calculation: it reads its value and sends its result in selects on done. It
    // closes `ended` as it returns, so that the caller can tell when it stopped.
    static ReceiveOnly<Void> stage(ReceiveOnly<?> done, ReceiveOnly<Integer> valueStream,
                                   SendOnly<Integer> resultStream, Calculation reallyLongCalculation, Duration step) {
        Chan<Void> ended = make();
        go(() -> {
            try {                                                   // defer close(ended)
                var fromValueStream = onReceive(valueStream);
                Selected s = select(onReceive(done), fromValueStream); // select {
                switch (s.index()) {
                    case 0 -> { return; }                           // case <-done: return
                    case 1 -> { }                                   // case value := <-valueStream:
                }
                Integer result = reallyLongCalculation.calculate(done, s.value(fromValueStream), step);
                if (result == null) {                               // cancelled: the calculation returned nil
                    return;
                }
                select(onReceive(done), onSend(resultStream, result)); // case <-done: / case resultStream <- result:
            } finally {
                ended.close();
            }
        });
        return ended;
    }

    /** A request's result (null if none), when the caller had it or gave up, and when the stage ended. */
    record Outcome(Integer result, Duration callerAfter, Duration stageEndedAfter) {}

    // One request to a stage, with a deadline. The caller returns when the result comes or when the deadline
    // passes, whichever is first; then it waits for the stage to end, only to show when that was.
    static Outcome requestWithTimeout(Duration timeout, Calculation calculation, int value, Duration step) {
        Cancelable c = withTimeout(background(), timeout);         // ctx, cancel := context.WithTimeout(...)
        try {                                                       // defer cancel()
            Chan<Integer> valueStream = make();
            Chan<Integer> resultStream = make();
            Instant start = now();
            ReceiveOnly<Void> ended = stage(c.ctx().done(), valueStream, resultStream, calculation, step);
            select(onReceive(c.ctx().done()), onSend(valueStream, value));
            Integer result = null;
            var fromResultStream = onReceive(resultStream);
            Selected s = select(onReceive(c.ctx().done()), fromResultStream);
            switch (s.index()) {
                case 0 -> { }                                       // case <-ctx.Done(): no result
                case 1 -> result = s.value(fromResultStream);       // case result := <-resultStream:
            }
            Duration callerAfter = since(start);
            receive(ended);
            return new Outcome(result, callerAfter, since(start));
        } finally {
            c.cancel().cancel();
        }
    }

    // Shared state, cancelled. add takes one step per addition and looks at done before each (preemptable, as
    // above); null when cancelled.
    static Integer add(ReceiveOnly<?> done, Duration step, int... values) {
        int sum = values[0];
        for (int i = 1; i < values.length; i++) {
            switch (select(onReceive(done), onDefault()).index()) { // select {
                case 0 -> { return null; }                          // case <-done: return nil
                case 1 -> { }                                       // default:
            }
            sleep(step);
            sum += values[i];
        }
        return sum;
    }

    static void writeTallyToState(List<Integer> state, int tally) {
        state.add(tally);
    }

    /** A way to tally 1 to 9 into the state. */
    interface Tally {
        void tally(ReceiveOnly<?> done, Duration step, List<Integer> state);
    }

    // The book's wrong way: three writes, so a cancellation after the first leaves writes to roll back.
    static void tallyWrittenThreeTimes(ReceiveOnly<?> done, Duration step, List<Integer> state) {
        Integer result = add(done, step, 1, 2, 3);                  // result := add(1, 2, 3)
        if (result == null) {
            return;
        }
        writeTallyToState(state, result);                           // writeTallyToState(result)
        result = add(done, step, result, 4, 5, 6);                  // result = add(result, 4, 5, 6)
        if (result == null) {
            return;
        }
        writeTallyToState(state, result);
        result = add(done, step, result, 7, 8, 9);                  // result = add(result, 7, 8, 9)
        if (result == null) {
            return;
        }
        writeTallyToState(state, result);
    }

    // The book's way: the same additions in memory, and one write at the end.
    static void tallyWrittenOnce(ReceiveOnly<?> done, Duration step, List<Integer> state) {
        Integer result = add(done, step, 1, 2, 3, 4, 5, 6, 7, 8, 9); // result := add(1, 2, ..., 9)
        if (result == null) {
            return;
        }
        writeTallyToState(state, result);                           // writeTallyToState(result)
    }

    // Runs a tally in its own goroutine with a deadline, waits until it has ended, and returns the state it left.
    static List<Integer> tallyWithTimeout(Duration timeout, Tally tally, Duration step) {
        List<Integer> state = new ArrayList<>();
        Cancelable c = withTimeout(background(), timeout);
        try {                                                       // defer cancel()
            Chan<Void> ended = make();
            go(() -> {
                try {                                               // defer close(ended)
                    tally.tally(c.ctx().done(), step, state);
                } finally {
                    ended.close();
                }
            });
            receive(ended);                                         // the close makes the goroutine's writes visible
        } finally {
            c.cancel().cancel();
        }
        return state;
    }

    // ==== The demo ==================================================================================

    // Durations measured are printed rounded to 100 ms: on virtual time they are exact, and a real run, a few
    // milliseconds late, prints the same.
    static String shown(Duration d) {
        return Script.durationString(d, Duration.ofMillis(100));
    }

    // A goroutine that has just called wg.done() or closed its channel may still be returning: wait until every
    // goroutine has ended (this throws, with the dump, if one never does), then show what is left.
    static void printGoroutinesAfterTheyEnd() {
        awaitGoroutines(0, LEAK_BOUND);
        System.out.println("goroutines left: " + goroutines() + ", timers left: " + timers());
    }

    void printOutcome(String label, Calculation calculation) {
        Outcome o = requestWithTimeout(timeout, calculation, 1, step);
        System.out.println(label + (o.result() == null
                ? "the caller gave up after " + shown(o.callerAfter())
                        + "; the stage stopped at " + shown(o.stageEndedAfter())
                : "result " + o.result() + " after " + shown(o.callerAfter())));
    }

    void printTally(String label, Tally tally) {
        List<Integer> state = tallyWithTimeout(timeout, tally, step);
        int toRollBack = state.contains(45) ? 0 : state.size();   // 45: the whole tally, written
        System.out.println(label + "state " + state + ": " + (toRollBack == 0 ? "nothing to roll back"
                : toRollBack + (toRollBack == 1 ? " write" : " writes") + " to roll back"));
    }

    // 1. The book's program, with the loads of the seed.
    void replicatedRequests(List<Duration> loads) {
        System.out.println("== Replicated requests: the same request to " + handlers
                + " handlers, the first answer wins ==");
        Answer answer = replicatedRequest(background(), loads);
        printHandlers(answer, loads);
        System.out.println("Received an answer from #" + answer.firstReturned());
        printGoroutinesAfterTheyEnd();
    }

    // 2. The same request with a deadline, then the three calculations and the two tallies with it.
    void timeoutsAndCancellation(List<Duration> loads) {
        System.out.println("== Timeouts and cancellation: a deadline of "
                + Script.durationString(timeout, Duration.ofMillis(1)) + " ==");
        // A timeout is an implicit cancellation, and what it cancels is everything started for the request.
        Cancelable c = withTimeout(background(), timeout);         // ctx, cancel := context.WithTimeout(...)
        try {                                                       // defer cancel()
            Answer answer = replicatedRequest(c.ctx(), loads);
            long cancelled = IntStream.range(0, handlers)
                    .filter(id -> answer.took().get(id).compareTo(loads.get(id)) < 0).count();
            System.out.println("the replicated request: " + (answer.firstReturned() == null
                    ? "no answer (" + c.ctx().err() + ")" : "an answer from #" + answer.firstReturned())
                    + " after " + shown(answer.after()) + "; " + cancelled + " of " + handlers + " handlers cancelled");
        } finally {
            c.cancel().cancel();
        }
        // Preemptability: the caller always returns at its deadline; the stage stops when its work lets it.
        System.out.println("reallyLongCalculation, 2 x " + STEPS + " steps of "
                + Script.durationString(step, Duration.ofMillis(1)) + ":");
        printOutcome("  not preemptable:               ", (done, value, step) -> reallyLongCalculation(value, step));
        printOutcome("  preemptable between its calls: ", Replicated::reallyLongCalculationBetweenCalls);
        printOutcome("  preemptable at every step:     ", Replicated::reallyLongCalculation);
        // Shared state: the same additions, cancelled at the same moment, written three times or once.
        System.out.println("the tally of 1 to 9, one step of " + Script.durationString(step, Duration.ofMillis(1))
                + " per addition:");
        printTally("  written three times: ", Replicated::tallyWrittenThreeTimes);
        printTally("  written once:        ", Replicated::tallyWrittenOnce);
        printGoroutinesAfterTheyEnd();
    }

    @Override
    public Integer call() {
        Script.require(spec, handlers >= 1, "--handlers must be at least 1, got " + handlers);
        Script.require(spec, timeout.isPositive(), "--timeout must be positive, got " + timeout);
        Script.require(spec, step.isPositive(), "--step must be positive, got " + step);
        List<Duration> loads = simulatedLoadTimes(new Random(seed), handlers);
        replicatedRequests(loads);
        timeoutsAndCancellation(loads);
        return 0;
    }

    public static void main(String... args) {
        Script.run(new Replicated(), args);
    }
}

// Output:
// == Replicated requests: the same request to 10 handlers, the first answer wins ==
// 0 would have taken 2s: cancelled after 1s
// 1 would have taken 2s: cancelled after 1s
// 2 would have taken 2s: cancelled after 1s
// 3 would have taken 4s: cancelled after 1s
// 4 would have taken 2s: cancelled after 1s
// 5 would have taken 4s: cancelled after 1s
// 6 would have taken 3s: cancelled after 1s
// 7 would have taken 5s: cancelled after 1s
// 8 took 1s: the first answer
// 9 would have taken 2s: cancelled after 1s
// Received an answer from #8
// goroutines left: 0, timers left: 0
// == Timeouts and cancellation: a deadline of 300ms ==
// the replicated request: no answer (context deadline exceeded) after 300ms; 10 of 10 handlers cancelled
// reallyLongCalculation, 2 x 3 steps of 200ms:
//   not preemptable:               the caller gave up after 300ms; the stage stopped at 1.2s
//   preemptable between its calls: the caller gave up after 300ms; the stage stopped at 600ms
//   preemptable at every step:     the caller gave up after 300ms; the stage stopped at 400ms
// the tally of 1 to 9, one step of 200ms per addition:
//   written three times: state [6]: 1 write to roll back
//   written once:        state []: nothing to roll back
// goroutines left: 0, timers left: 0
