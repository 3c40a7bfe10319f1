///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Healing unhealthy goroutines: a steward restarts its ward when the ward's heartbeat stops; then a ward that sends values across its restarts, read as one stream through bridge.
//JAVA 21+
//DEPS info.picocli:picocli:4.7.7
// To run it elsewhere, copy it with: gochan/Go.java gochan/Script.java Or.java OrDone.java Pipeline.java Bridge.java
//SOURCES gochan/Go.java
//SOURCES gochan/Script.java
//SOURCES Or.java
//SOURCES OrDone.java
//SOURCES Bridge.java
//SOURCES Pipeline.java

import static gochan.Go.*;

import gochan.Script;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

// Healing unhealthy goroutines. A long-lived goroutine can get stuck (waiting on something that will not come) or
// die, and nothing outside notices. A steward watches a goroutine, its ward, through the ward's heartbeat: when no
// beat comes within a timeout, the steward closes the ward's done and starts a new ward. The steward has the same
// signature as what it starts (a startGoroutineFn), so a steward can itself be watched by another.
//
// The book's two figures (kat-co/concurrency-in-go-src, concurrency-at-scale/healing-unhealthy-goroutines/):
// fig-example-steward-usage.go, a ward that never beats and is restarted every timeout; and
// fig-more-complicated-ward.go, a ward that sends values and dies on a negative one, read across its restarts as
// one stream through bridge.
//
// Note what the steward does not do: it does not wait for an unhealthy ward to exit. It closes the ward's done and
// starts the next ward at once; a ward that ignores done keeps running beside its successor.
@Command(name = "healing", mixinStandardHelpOptions = true, version = "healing 1.0",
        description = "Healing unhealthy goroutines: a steward restarts its ward when the ward's heartbeat stops; "
                + "then a ward that sends values across its restarts, read as one stream through bridge.")
public class Healing implements Callable<Integer> {

    @Option(names = "--timeout", defaultValue = "4s", converter = Script.GoDuration.class, paramLabel = "<duration>",
            description = "First figure: how long the steward waits for a heartbeat (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--halt-after", defaultValue = "9s", converter = Script.GoDuration.class, paramLabel = "<duration>",
            description = "First figure: when main closes done (default: ${DEFAULT-VALUE}).")
    Duration haltAfter;

    @Option(names = "--ints", split = ",", defaultValue = "1,2,-1,3,4,5", paramLabel = "<int>",
            description = "Second figure: the ward's intList; a negative value kills the ward (default: ${DEFAULT-VALUE}).")
    List<Integer> ints;

    @Option(names = "--take", paramLabel = "<n>", description = "Second figure: how many values main takes (default: ${DEFAULT-VALUE}).")
    int take = 6;

    // The book's is 1ms. Its ward beats only while it waits to send a value, not while it waits for bridge to take
    // its stream, so a steward that gives it 1ms restarts wards that are only slow whenever the machine is: a JVM
    // still warming up on a busy machine does it. With 100ms a real run prints what the book shows.
    @Option(names = "--ward-timeout", defaultValue = "100ms", converter = Script.GoDuration.class, paramLabel = "<duration>",
            description = "Second figure: the steward's timeout; the book's is 1ms (default: ${DEFAULT-VALUE}).")
    Duration wardTimeout;

    @Spec
    CommandSpec spec;

    // The book's log.SetFlags(log.Ltime | log.LUTC) starts each line with the UTC time of day, to the second. Here
    // it is the time since the figure started (logStart), so that every run prints the same lines; in a bubble,
    // whose clock starts at midnight, that is what log would print. Left at the epoch, it is the time of day.
    static volatile Instant logStart = Instant.EPOCH;

    static void log(String message) {                               // log.Println(message)
        Duration t = since(logStart);
        System.out.printf("%02d:%02d:%02d %s%n", t.toHoursPart(), t.toMinutesPart(), t.toSecondsPart(), message);
    }

    /** A heartbeat's value: Go's struct{}{}, which says nothing but "alive". */
    static final Object PULSE = new Object();

    // ---- The steward ------------------------------------------------------------------------------------

    /** type startGoroutineFn func(done <-chan interface{}, pulseInterval time.Duration) (heartbeat <-chan interface{}) */
    @FunctionalInterface
    interface StartGoroutineFn {
        ReceiveOnly<?> start(ReceiveOnly<?> done, Duration pulseInterval);
    }

    /** What the steward keeps of its current ward: the done it closes to stop it, and the heartbeat it watches. */
    record Ward(Chan<Void> done, ReceiveOnly<?> heartbeat) {}

    // startWard: the ward's done closes when the steward closes wardDone or when the steward's own done closes,
    // and the ward is asked to beat twice per timeout.
    static Ward startWard(ReceiveOnly<?> done, Duration timeout, StartGoroutineFn startGoroutine) {
        Chan<Void> wardDone = make();                               // wardDone = make(chan interface{})
        return new Ward(wardDone,                                   // wardHeartbeat = startGoroutine(or(wardDone, done), timeout/2)
                startGoroutine.start(Or.or(wardDone, done), timeout.dividedBy(2)));
    }

    // newSteward: returns a startGoroutineFn that starts a steward watching a ward made by startGoroutine. Every
    // beat of the ward starts a new timeout; when one runs out the steward closes the ward's done and starts a new
    // ward, without waiting for the old one to exit. The steward beats itself every pulseInterval, and ends, and
    // ends its ward, when done closes.
    static StartGoroutineFn newSteward(Duration timeout, StartGoroutineFn startGoroutine) {
        return (done, pulseInterval) -> {
            Chan<Object> heartbeat = make();                        // heartbeat := make(chan interface{})
            go(() -> {
                Ticker pulse = null;
                try {                                               // defer close(heartbeat)
                    Ward ward = startWard(done, timeout, startGoroutine);   // startWard()
                    pulse = newTicker(pulseInterval);               // pulse := time.Tick(pulseInterval)
                    monitorLoop:
                    while (true) {
                        // time.After's timer cannot be stopped; this one is, when the loop moves on, so that no
                        // timer outlives the steward.
                        Timer timeoutSignal = newTimer(timeout);    // timeoutSignal := time.After(timeout)
                        try {
                            while (true) {
                                Selected got = select(onReceive(done), onReceive(pulse.c()),
                                        onReceive(ward.heartbeat()), onReceive(timeoutSignal.c()));
                                switch (got.index()) {
                                    case 0 -> { return; }           // case <-done: return
                                    case 1 -> select(onSend(heartbeat, PULSE), onDefault()); // case <-pulse: non-blocking heartbeat <- struct{}{}
                                    case 2 -> {                     // case <-wardHeartbeat: continue monitorLoop
                                        // The book's steward takes a receive from a closed heartbeat for a beat:
                                        // a ward that closes its heartbeat when it exits (as the heartbeat section's
                                        // do) would keep the steward looping at full speed, never restarting it.
                                        // Here a closed heartbeat is silence (nil), and the timeout runs out.
                                        if (!got.ok()) {
                                            ward = new Ward(ward.done(), null);
                                            continue;
                                        }
                                        continue monitorLoop;
                                    }
                                    case 3 -> {                     // case <-timeoutSignal:
                                        log("steward: ward unhealthy; restarting");
                                        ward.done().close();        // close(wardDone): it does not wait for the ward
                                        ward = startWard(done, timeout, startGoroutine);   // startWard()
                                        continue monitorLoop;
                                    }
                                }
                            }
                        } finally {
                            timeoutSignal.stop();
                        }
                    }
                } finally {
                    if (pulse != null) {
                        pulse.stop();
                    }
                    heartbeat.close();
                }
            });
            return heartbeat;
        };
    }

    // ---- Figure 1: a ward that never beats ----------------------------------------------------------------

    // doWork: says hello, returns a nil heartbeat (a nil channel never beats, so the steward always times out),
    // and halts when its done closes.
    static ReceiveOnly<?> irresponsibleWard(ReceiveOnly<?> done, Duration pulseInterval) {
        log("ward: Hello, I'm irresponsible!");
        go(() -> {
            receive(done);                                          // <-done
            log("ward: I am halting.");
        });
        return null;                                                // return nil
    }

    void stewardUsage() {
        System.out.println("fig-example-steward-usage.go: a ward that never beats, timeout "
                + Script.durationString(timeout, Duration.ofMillis(1)));
        logStart = now();
        StartGoroutineFn doWorkWithSteward = newSteward(timeout, Healing::irresponsibleWard);

        Chan<Void> done = make();
        afterFunc(haltAfter, () -> {                                // time.AfterFunc(9*time.Second, func() {...})
            log("main: halting steward and ward.");
            done.close();
        });

        for (Object pulse : doWorkWithSteward.start(done, timeout)) { // for range doWorkWithSteward(done, 4*time.Second) {}
        }
        log("Done");
        // Not in the book: its program exits here, maybe before the last ward has said it halts. This one waits for
        // that goodbye, so that it does not land in the next figure's output.
        awaitGoroutines(0, LEAK_BOUND);
    }

    // ---- Figure 2: a ward that generates values across restarts --------------------------------------------

    /** doWorkFn's two results: the ward's startGoroutineFn, and the one stream of every ward's values. */
    record WorkFn(StartGoroutineFn doWork, ReceiveOnly<Integer> intStream) {}

    // doWorkFn: each ward it starts makes a fresh stream, hands it to bridge through intChanStream, then sends the
    // values of intList over and over, beating while it waits to send, until a negative value kills it. bridge
    // reads the wards' streams one after the other, so the caller reads one intStream for as long as the steward
    // keeps a ward alive. A new ward starts again at the beginning of intList: it keeps nothing of the last one.
    //
    // The book's fig-more-complicated-ward.go does not compile: its bridge is commented out ("undefined: bridge"),
    // and that bridge calls an orDone the file never defines. Here they are Bridge.bridge and OrDone.orDone.
    static WorkFn doWorkFn(ReceiveOnly<?> done, int... intList) {
        Chan<ReceiveOnly<Integer>> intChanStream = make();          // intChanStream := make(chan (<-chan interface{}))
        ReceiveOnly<Integer> intStream = Bridge.bridge(done, intChanStream);   // intStream := bridge(done, intChanStream)
        // Go's doWork shadows done and intStream with its own; Java does not let a lambda's parameter or local
        // shadow the method's, so they are wardDone and wardStream.
        StartGoroutineFn doWork = (wardDone, pulseInterval) -> {
            Chan<Integer> wardStream = make();                      // intStream := make(chan interface{})
            Chan<Object> heartbeat = make();                        // heartbeat := make(chan interface{})
            go(() -> {
                Ticker pulse = null;
                try {                                               // defer close(intStream)
                    switch (select(onReceive(wardDone), onSend(intChanStream, wardStream)).index()) {
                        case 0 -> { return; }                       // case <-done: return
                        case 1 -> { }                               // case intChanStream <- intStream:
                    }
                    pulse = newTicker(pulseInterval);               // pulse := time.Tick(pulseInterval)
                    while (true) {
                        valueLoop:
                        for (int intVal : intList) {
                            if (intVal < 0) {
                                log("negative value: " + intVal);   // log.Printf("negative value: %v\n", intVal)
                                return;
                            }
                            while (true) {
                                switch (select(onReceive(wardDone), onReceive(pulse.c()), onSend(wardStream, intVal)).index()) {
                                    case 0 -> { return; }           // case <-done: return
                                    case 1 -> select(onSend(heartbeat, PULSE), onDefault()); // case <-pulse: non-blocking heartbeat <- struct{}{}
                                    case 2 -> { continue valueLoop; } // case intStream <- intVal: continue valueLoop
                                }
                            }
                        }
                    }
                } finally {
                    if (pulse != null) {
                        pulse.stop();
                    }
                    wardStream.close();
                }
            });
            return heartbeat;
        };
        return new WorkFn(doWork, intStream);
    }

    void moreComplicatedWard() {
        StringJoiner list = new StringJoiner(", ");
        ints.forEach(i -> list.add(String.valueOf(i)));
        System.out.println("fig-more-complicated-ward.go: a ward that sends " + list + ", timeout "
                + Script.durationString(wardTimeout, Duration.ofMillis(1)));
        logStart = now();
        Chan<Void> done = make();
        try {                                                       // defer close(done)
            WorkFn work = doWorkFn(done, ints.stream().mapToInt(Integer::intValue).toArray());
            StartGoroutineFn doWorkWithSteward = newSteward(wardTimeout, work.doWork());
            doWorkWithSteward.start(done, Duration.ofHours(1));     // doWorkWithSteward(done, 1*time.Hour)

            // Pipeline.take: the book's take, here as in its pipeline figures, receives outside its select
            // (`takeStream <- <-valueStream`); Pipeline.java says why that is fixed there.
            for (int intVal : Pipeline.take(done, work.intStream(), take)) {
                System.out.println("Received: " + intVal);          // fmt.Printf("Received: %v\n", intVal)
            }
        } finally {
            done.close();
        }
    }

    @Override
    public Integer call() {
        Script.require(spec, timeout.compareTo(Duration.ofNanos(2)) >= 0, "--timeout must be at least 2ns");
        Script.require(spec, wardTimeout.compareTo(Duration.ofNanos(2)) >= 0, "--ward-timeout must be at least 2ns");
        Script.require(spec, take >= 0, "--take must not be negative, got " + take);
        // A ward whose first value is negative sends nothing, and main would wait for ever (with no values at all,
        // the book's ward loops for ever without blocking).
        Script.require(spec, take == 0 || !ints.isEmpty() && ints.get(0) >= 0,
                "--ints must start with a value that is not negative, got " + ints);
        stewardUsage();
        moreComplicatedWard();
        return 0;
    }

    public static void main(String... args) {
        Script.run(new Healing(), args);
    }
}

// Lines of one instant come in any order, as in Go: a restarted ward halts while the steward starts the next one,
// and the last ward halts while main says Done; in the second figure a ward logs its negative value while main
// prints the values it sent. On virtual time the instants are exact.
//
// Unordered output:
// fig-example-steward-usage.go: a ward that never beats, timeout 4s
// 00:00:00 ward: Hello, I'm irresponsible!
// 00:00:04 steward: ward unhealthy; restarting
// 00:00:04 ward: Hello, I'm irresponsible!
// 00:00:04 ward: I am halting.
// 00:00:08 steward: ward unhealthy; restarting
// 00:00:08 ward: Hello, I'm irresponsible!
// 00:00:08 ward: I am halting.
// 00:00:09 main: halting steward and ward.
// 00:00:09 ward: I am halting.
// 00:00:09 Done
// fig-more-complicated-ward.go: a ward that sends 1, 2, -1, 3, 4, 5, timeout 100ms
// Received: 1
// 00:00:00 negative value: -1
// Received: 2
// 00:00:00 steward: ward unhealthy; restarting
// Received: 1
// 00:00:00 negative value: -1
// Received: 2
// 00:00:00 steward: ward unhealthy; restarting
// Received: 1
// 00:00:00 negative value: -1
// Received: 2
