///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Google Search 1.0, 2.0, 2.1 and 3.0 from Rob Pike's talk Go Concurrency Patterns (2012): fake Web, Image and Video searches run one after the other, then concurrently, then with a timeout, then over replicas with First.
//JAVA 21+
//DEPS info.picocli:picocli:4.7.7
// To run it elsewhere, copy it with: gochan/Go.java gochan/Script.java
//SOURCES gochan/Go.java
//SOURCES gochan/Script.java

import static gochan.Go.*;

import gochan.Script;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

// Google Search, from Rob Pike's talk "Go Concurrency Patterns" (2012), slides "Example: Google Search" to "Google
// Search 3.0"; the code is golang/talks, content/2012/concurrency/support/google.go, google2.1.go, google2.2.go,
// google2.3.go and google3.0.go (a file's number is not its slide's: 2.0 is google2.1.go, 2.1 is google2.2.go, and
// google2.3.go is First). Given a query, Google sends it to Web, Image and Video search and returns their
// results. Four versions, each a small change to the one before: 1.0 calls the three searches one after the other
// (it takes the sum of their latencies); 2.0 runs them concurrently (the slowest one's latency); 2.1 stops waiting
// after 80 ms (a slow server costs its result, not the page); 3.0 sends each search to several replicas and takes
// the first answer (the slow tail gets rare). "No locks. No condition variables. No callbacks."
@Command(name = "google", mixinStandardHelpOptions = true, version = "google 1.0",
        description = "Google Search 1.0, 2.0, 2.1 and 3.0 from Rob Pike's talk Go Concurrency Patterns (2012): fake "
                + "Web, Image and Video searches run one after the other, then concurrently, then with a timeout, then "
                + "over replicas with First.")
public class Google implements Callable<Integer> {

    @Option(names = "--query", description = "What to search for (default: ${DEFAULT-VALUE}).")
    String query = "golang";

    @Option(names = "--seed", paramLabel = "SEED",
            description = "Seed of the fake searches' latencies, 0 to 99 ms each (default: ${DEFAULT-VALUE}).")
    long seed = 33053; // one that shows each version's point: 2.1 times out, 3.0 gets all three in time

    @Option(names = "--timeout", defaultValue = "80ms", converter = Script.GoDuration.class, paramLabel = "<duration>",
            description = "How long 2.1 and 3.0 wait for results (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--replicas",
            description = "Replicas of each search, for First and 3.0 (default: ${DEFAULT-VALUE}).")
    int replicas = 2;

    // Not --version: that one prints the script's version (mixinStandardHelpOptions). Named like pike's --section.
    @Option(names = "--section", split = ",", paramLabel = "VERSION",
            description = "Run only these versions: 1.0, 2.0, 2.1, first, 3.0 (default: all, in the talk's order); "
                    + "each prints what it prints in the full run.")
    List<String> only;

    static final List<String> VERSIONS = List.of("1.0", "2.0", "2.1", "first", "3.0");

    @Spec
    CommandSpec spec;

    // ==== The fake framework (slide "Google Search: A fake framework") =================================

    /** {@code type Result string}. The text ends with a newline, as the talk's does. */
    record Result(String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    /** {@code type Search func(query string) Result}. */
    interface Search {
        Result search(String query);
    }

    // fakeSearch: a search that takes its latency, then returns its result. The talk's latency is
    // time.Duration(rand.Intn(100)) * time.Millisecond, drawn from the shared rand as each search runs, so
    // concurrent searches draw in whatever order they run. Here each search draws from its own supply (see
    // latencies), so that a seed decides every latency.
    static Search fakeSearch(String kind, Supplier<Duration> latency) {
        return query -> {
            sleep(latency.get());                                   // time.Sleep(... rand.Intn(100) ...)
            return new Result(kind + " result for " + quoted(query) + "\n"); // fmt.Sprintf("%s result for %q\n", ...)
        };
    }

    // A search's own supply of rand.Intn(100) milliseconds, seeded from seeds: the searches are made in a fixed
    // order, so each gets the same Random, and the same latencies, on every run with the same seed.
    static Supplier<Duration> latencies(Random seeds) {
        Random rand = new Random(seeds.nextLong());
        return () -> Duration.ofMillis(rand.nextInt(100));
    }

    // Go's %q, for the queries this takes: the text in double quotes, with \ and " escaped.
    static String quoted(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    // ==== Google Search 1.0 (google.go) ===================================================================

    // The three searches one after the other: the time is the sum of their latencies. The talk's Web, Image and
    // Video are package variables; here they are parameters, so that a test can give each its latency.
    static List<Result> google10(String query, Search web, Search image, Search video) {
        List<Result> results = new ArrayList<>();
        results.add(web.search(query));                             // results = append(results, Web(query))
        results.add(image.search(query));                           // results = append(results, Image(query))
        results.add(video.search(query));                           // results = append(results, Video(query))
        return results;
    }

    // ==== Google Search 2.0 (google2.1.go) ================================================================

    // The three at once, each in its own goroutine, and wait for all: the time is the slowest one's latency, and
    // the results come in the order the searches end. Every send here has its receive, so c can stay unbuffered.
    static List<Result> google20(String query, Search web, Search image, Search video) {
        Chan<Result> c = make();                                    // c := make(chan Result)
        go(() -> c.send(web.search(query)));                        // go func() { c <- Web(query) } ()
        go(() -> c.send(image.search(query)));                      // go func() { c <- Image(query) } ()
        go(() -> c.send(video.search(query)));                      // go func() { c <- Video(query) } ()

        List<Result> results = new ArrayList<>();
        for (int i = 0; i < 3; i++) {                               // for i := 0; i < 3; i++ {
            results.add(c.receive());                               //     result := <-c; results = append(...)
        }
        return results;
    }

    // ==== Google Search 2.1 (google2.2.go) ================================================================

    // Don't wait for slow servers: the same, but the loop also selects on a timeout, and returns what it has when
    // that fires. The time is the slowest one's latency, or the timeout if that comes first.
    //
    // Fixed from the talk's google2.2.go: its c is unbuffered, so a search that ends after the timeout blocks
    // forever on its send (nobody receives any more): one goroutine leaked per late search, on every call. With
    // room for all three results, a late search sends into the buffer and ends. (The talk's Google also prints
    // "timed out" as it returns; here the caller does, so that Google prints nothing.)
    static List<Result> google21(String query, Duration timeout, Search web, Search image, Search video) {
        Chan<Result> c = make(3);                                   // c := make(chan Result): 3, see above
        go(() -> c.send(web.search(query)));                        // go func() { c <- Web(query) } ()
        go(() -> c.send(image.search(query)));                      // go func() { c <- Image(query) } ()
        go(() -> c.send(video.search(query)));                      // go func() { c <- Video(query) } ()
        return collect(c, 3, timeout);
    }

    // The loop 2.1 and 3.0 share: receive n results unless the timeout fires first. time.After's timer stays until
    // it fires, even when every result came in time; this one is stopped on the way out, so it leaves nothing.
    static List<Result> collect(ReceiveOnly<Result> c, int n, Duration timeout) {
        Timer timer = newTimer(timeout);                            // timeout := time.After(80 * time.Millisecond)
        try {
            List<Result> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {                           // for i := 0; i < 3; i++ {
                var fromC = onReceive(c);
                Selected s = select(fromC, onReceive(timer.c()));   // select {
                switch (s.index()) {
                    case 0 -> results.add(s.value(fromC));          // case result := <-c: results = append(...)
                    case 1 -> { return results; }                   // case <-timeout: fmt.Println("timed out"); return
                }
            }
            return results;
        } finally {
            timer.stop();
        }
    }

    // ==== First (google2.3.go) ============================================================================

    // Avoid the timeout: send the query to several replicas of a search and take the first answer.
    //
    // Fixed from the talk: its c is unbuffered (in google2.3.go and google3.0.go alike), so `return <-c` takes
    // the fastest answer and every slower replica then blocks forever on its send: replicas - 1 goroutines leaked
    // per call. With room for every replica's answer, each one sends and ends. (They still finish their search:
    // a Search takes no done channel to stop it.)
    static Result first(String query, Search... replicas) {
        Chan<Result> c = make(replicas.length);                     // c := make(chan Result): len(replicas), see above
        IntConsumer searchReplica =                                 // searchReplica := func(i int) {
                i -> c.send(replicas[i].search(query));             //     c <- replicas[i](query) }
        for (int i = 0; i < replicas.length; i++) {                 // for i := range replicas {
            int r = i;
            go(() -> searchReplica.accept(r));                      //     go searchReplica(i)
        }
        return c.receive();                                         // return <-c
    }

    // ==== Google Search 3.0 (google3.0.go) ================================================================

    // Reduce tail latency with replicated search servers: 2.1, where each search is First over its replicas. Each
    // kind of result comes from its fastest replica, so the page times out only when every replica of a kind is slow.
    // Buffered for the reason given at 2.1: after the timeout, a late First would block forever on its send.
    static List<Result> google30(String query, Duration timeout, Search[] web, Search[] image, Search[] video) {
        Chan<Result> c = make(3);                                   // c := make(chan Result): 3, see 2.1
        go(() -> c.send(first(query, web)));                        // go func() { c <- First(query, Web1, Web2) } ()
        go(() -> c.send(first(query, image)));                      // go func() { c <- First(query, Image1, ...
        go(() -> c.send(first(query, video)));                      // go func() { c <- First(query, Video1, ...
        return collect(c, 3, timeout);
    }

    // ==== The demo ========================================================================================

    // Go's fmt.Println(results) for a []Result: "[a b c]". Each result ends with a newline, so each is on its line.
    static String sprint(List<Result> results) {
        StringJoiner slice = new StringJoiner(" ", "[", "]");
        results.forEach(r -> slice.add(r.text()));
        return slice.toString();
    }

    // The talk's main prints the time as measured, to the nanosecond. Here it is cut down to 10 ms: on virtual time
    // it is exact, and a real run, which is never early and late by a millisecond or so, prints the same.
    static String shown(Duration elapsed) {
        return Script.durationString(Duration.ofMillis(elapsed.toMillis() / 10 * 10), Duration.ofMillis(10));
    }

    // Not in the talk: each version once, with searches that take no time, before anything is timed. The first run
    // of each would otherwise count the JVM's one-time costs (loading and linking what it uses), 10 ms and more;
    // Go, compiled ahead of time, has none. Only the versions that will run (--section), so that a traced run of one
    // version draws no other's goroutines.
    void warmUp() {
        Search instant = fakeSearch("warm-up", () -> Duration.ZERO);
        Search[] instants = {instant, instant};
        if (runs("1.0")) {
            sprint(google10(query, instant, instant, instant));
        }
        if (runs("2.0")) {
            google20(query, instant, instant, instant);
        }
        if (runs("2.1")) {
            google21(query, timeout, instant, instant, instant);
        }
        if (runs("first")) {
            first(query, instants);
        }
        if (runs("3.0")) {
            google30(query, timeout, instants, instants, instants);
        }
        shown(since(now()));
    }

    boolean runs(String version) {
        return only == null || only.contains(version);
    }

    // Replicas of one kind of search: web1, web2, ...
    Search[] replicasOf(String kind, Random seeds) {
        Search[] searches = new Search[replicas];
        for (int i = 0; i < replicas; i++) {
            searches[i] = fakeSearch(kind + (i + 1), latencies(seeds));
        }
        return searches;
    }

    @Override
    public Integer call() {
        Script.require(spec, replicas >= 1, "--replicas must be at least 1, got " + replicas);
        Script.require(spec, timeout.isPositive(), "--timeout must be positive, got " + timeout);
        Script.require(spec, only == null || VERSIONS.containsAll(only),
                "--section takes " + String.join(", ", VERSIONS) + "; got " + only);
        Random seeds = new Random(seed);
        Supplier<Duration> webLatency = latencies(seeds);
        Supplier<Duration> imageLatency = latencies(seeds);
        Supplier<Duration> videoLatency = latencies(seeds);
        Search web = fakeSearch("web", webLatency);                // Web = fakeSearch("web")
        Search image = fakeSearch("image", imageLatency);          // Image = fakeSearch("image")
        Search video = fakeSearch("video", videoLatency);          // Video = fakeSearch("video")
        // 1.0, 2.0 and 2.1 each draw one latency of Web, Image and Video; one left out draws them all the same, so
        // that the next one run gets the latencies it gets in the full run.
        Runnable skipped = () -> List.of(webLatency, imageLatency, videoLatency).forEach(Supplier::get);
        Search[] replica = replicasOf("replica ", seeds);           // fakeSearch("replica 1"), fakeSearch("replica 2")
        Search[] webs = replicasOf("web", seeds);                  // Web1 = fakeSearch("web1"), ...
        Search[] images = replicasOf("image", seeds);
        Search[] videos = replicasOf("video", seeds);
        String timeoutText = Script.durationString(timeout, Duration.ofMillis(1));
        warmUp();

        if (runs("1.0")) {
            System.out.println("== Google Search 1.0: Web, Image and Video one after the other ==");
            Instant start = now();                                  // start := time.Now()
            List<Result> results = google10(query, web, image, video); // results := Google("golang")
            Duration elapsed = since(start);                        // elapsed := time.Since(start)
            System.out.println(sprint(results));                    // fmt.Println(results)
            System.out.println(shown(elapsed));                     // fmt.Println(elapsed)
        } else {
            skipped.run();
        }

        if (runs("2.0")) {
            System.out.println("== Google Search 2.0: the three at once, waiting for all ==");
            Instant start = now();
            List<Result> results = google20(query, web, image, video);
            Duration elapsed = since(start);
            System.out.println(sprint(results));
            System.out.println(shown(elapsed));
        } else {
            skipped.run();
        }

        if (runs("2.1")) {
            System.out.println("== Google Search 2.1: the three at once, waiting at most " + timeoutText + " ==");
            Instant start = now();
            List<Result> results = google21(query, timeout, web, image, video);
            Duration elapsed = since(start);
            if (results.size() < 3) {
                System.out.println("timed out");
            }
            System.out.println(sprint(results));
            System.out.println(shown(elapsed));
        }

        if (runs("first")) {
            System.out.println("== First: one search sent to " + replicas + " replicas, the first answer wins ==");
            Instant start = now();
            Result result = first(query, replica);                 // result := First("golang", ...)
            Duration elapsed = since(start);
            System.out.println(result);                             // fmt.Println(result): its newline, then Println's
            System.out.println(shown(elapsed));
        }

        if (runs("3.0")) {
            System.out.println("== Google Search 3.0: each search First over " + replicas + " replicas, waiting at "
                    + "most " + timeoutText + " ==");
            Instant start = now();
            List<Result> results = google30(query, timeout, webs, images, videos);
            Duration elapsed = since(start);
            if (results.size() < 3) {
                System.out.println("timed out");
            }
            System.out.println(sprint(results));
            System.out.println(shown(elapsed));
        }

        // Not in the talk. The searches that Google or First stopped waiting for are still running; each ends
        // within 100 ms of its start (rand.Intn(100)). Once that has passed, none is left: each sent its late result
        // into the room its channel keeps for it. With the talk's unbuffered channels they would be blocked forever.
        sleep(Duration.ofMillis(100));
        awaitGoroutines(0, LEAK_BOUND);
        System.out.println("goroutines left: " + goroutines() + ", timers left: " + timers());
        return 0;
    }

    public static void main(String... args) {
        Script.run(new Google(), args);
    }
}

// Output:
// == Google Search 1.0: Web, Image and Video one after the other ==
// [web result for "golang"
//  image result for "golang"
//  video result for "golang"
// ]
// 220ms
// == Google Search 2.0: the three at once, waiting for all ==
// [image result for "golang"
//  video result for "golang"
//  web result for "golang"
// ]
// 70ms
// == Google Search 2.1: the three at once, waiting at most 80ms ==
// timed out
// [video result for "golang"
//  web result for "golang"
// ]
// 80ms
// == First: one search sent to 2 replicas, the first answer wins ==
// replica 2 result for "golang"
//
// 10ms
// == Google Search 3.0: each search First over 2 replicas, waiting at most 80ms ==
// [web2 result for "golang"
//  video1 result for "golang"
//  image2 result for "golang"
// ]
// 50ms
// goroutines left: 0, timers left: 0
