///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Advanced Go Concurrency Patterns (Ajmani, 2013): fake feeds turned into subscriptions by a for-select loop that owns its state, merged and closed through a chan chan error; the naive version's three bugs; then the talk's fixes: dedupe, a bounded pending queue, an asynchronous fetch.
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
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

// Sameer Ajmani's "Advanced Go Concurrency Patterns" (Google I/O 2013): golang/talks, content/2013/advconc.slide,
// and the programs beside it in content/2013/advconc/: fakemain/fakemain.go (Subscribe, Merge and every version of
// loop the slides build) and naivemain/naivemain.go (the naive Subscribe and its three bugs).
//
// A Fetcher fetches a feed's items once and says when to fetch next; Subscribe turns it into a stream of items that
// can be closed. Its loop goroutine owns all the mutable state (pending items, next fetch time, last error) and
// changes it only in a for-select loop, so no lock is needed. Close asks the loop to exit through a channel of
// reply channels (chan chan error), and a case is switched off by setting its channel to nil.
@Command(name = "subscription", mixinStandardHelpOptions = true, version = "subscription 1.0",
        description = "Advanced Go Concurrency Patterns (Ajmani, 2013): fake feeds turned into subscriptions by a "
                + "for-select loop that owns its state, merged and closed through a chan chan error; the naive "
                + "version's three bugs; then the talk's fixes: dedupe, a bounded pending queue, an asynchronous fetch.")
public class Subscription implements Callable<Integer> {

    @Option(names = "--seed",
            description = "Seeds the fake feeds: next fetch times and failures (default: ${DEFAULT-VALUE}).")
    long seed = 203;

    @Option(names = "--failure-rate", paramLabel = "<0..1>",
            description = "How often a fake fetch fails (default: ${DEFAULT-VALUE}; the talk's fake never fails).")
    double failureRate = 0.1;

    @Option(names = "--close-after", defaultValue = "3s", converter = Script.GoDuration.class, paramLabel = "<duration>",
            description = "When main closes the merged subscription (default: ${DEFAULT-VALUE}, as in the talk).")
    Duration closeAfter;

    @Spec
    CommandSpec spec;

    // ==== What we have: a Fetcher ==================================================================

    /** An Item is a stripped-down RSS item. */
    record Item(String title, String channel, String guid) {}      // type Item struct{ Title, Channel, GUID string }

    /** What Fetch returns: Go's (items []Item, next time.Time, err error). */
    record Fetched(List<Item> items, Instant next, Exception err) {}

    /** Fetches Items and returns the time when the next fetch should be attempted; on failure, a non-null err. */
    interface Fetcher {
        Fetched fetch();                                            // Fetch() (items []Item, next time.Time, err error)
    }

    /** A failed fetch. Go's errors are values: no stack trace. */
    static final class FetchError extends Exception {
        private static final long serialVersionUID = 1L;

        FetchError(String message) {
            super(message, null, false, false);
        }
    }

    static final Duration HALF_SECOND = Duration.ofMillis(500);

    // The talk's fakeFetcher: each fetch makes one new item, "Item 0", "Item 1", ..., whose GUID is channel/title,
    // and says to fetch again 0 to 2 s later (rand.Intn(5) * 500ms). With duplicates (the talk's FakeDuplicates,
    // which no published main sets) it returns every item so far, not just the new one. Two things are added that a
    // real feed has and the talk's fake does not: the server takes `latency` to answer, and a fetch fails with
    // probability failureRate. Each fake has its own seeded Random, and draws twice per fetch whatever happens, so a
    // seed gives the same items, times and failures to every version of loop.
    static final class FakeFetcher implements Fetcher {
        final String channel;
        final Duration latency;
        final double failureRate;
        final boolean duplicates;
        final Random rand;
        final List<Item> items = new ArrayList<>();

        FakeFetcher(String channel, Duration latency, double failureRate, boolean duplicates, Random rand) {
            this.channel = channel;
            this.latency = latency;
            this.failureRate = failureRate;
            this.duplicates = duplicates;
            this.rand = rand;
        }

        @Override
        public Fetched fetch() {
            sleep(latency);                                         // (not in the talk's fake: answering takes time)
            Instant now = now();                                    // now := time.Now()
            // next = now.Add(time.Duration(rand.Intn(5)) * 500 * time.Millisecond)
            Instant next = now.plus(HALF_SECOND.multipliedBy(rand.nextInt(5)));
            if (rand.nextDouble() < failureRate) {                  // (not in the talk's fake)
                return new Fetched(List.of(), null, new FetchError("fetch " + channel + ": fake failure"));
            }
            String title = "Item " + items.size();                  // Title: fmt.Sprintf("Item %d", len(f.items))
            Item item = new Item(title, channel, channel + "/" + title); // item.GUID = item.Channel + "/" + item.Title
            items.add(item);                                        // f.items = append(f.items, item)
            return new Fetched(duplicates ? List.copyOf(items) : List.of(item), next, null);
        }
    }

    // ==== What we want: a Subscription ==============================================================

    /**
     * Go's Subscription interface (named Feed here, because this class is Subscription): delivers Items over a
     * channel. Close cancels the subscription, closes the Updates channel, and returns the last fetch error, if any.
     */
    interface Feed {
        ReceiveOnly<Item> updates();                                // Updates() <-chan Item

        Exception close();                                          // Close() error (null: nil)
    }

    static final int MAX_PENDING = 10;                              // const maxPending = 10
    static final Duration RETRY_AFTER_ERROR = Duration.ofSeconds(10);
    static final Instant ZERO_TIME = Instant.parse("0001-01-01T00:00:00Z"); // Go's zero time.Time: long past

    /** The versions of loop the slides build, in order: mergedLoop, dedupeLoop, and loop (async fetch). */
    enum Loop { MERGED, DEDUPE, ASYNC }

    // `var fetchDelay time.Duration; if now := time.Now(); next.After(now) { fetchDelay = next.Sub(now) }`: how long
    // until next, or 0 if it has passed. Every version of loop starts its turn with it.
    static Duration fetchDelay(Instant next) {
        Instant now = now();
        return next.isAfter(now) ? Duration.between(now, next) : Duration.ZERO;
    }

    // A Go `startFetch := time.After(fetchDelay)` here is a Timer, stopped after each select: an unread time.After
    // would stay set until it fires, and the loop makes one per turn (Go since 1.23 collects an unreferenced timer).
    static ReceiveOnly<Instant> channelOf(Timer timer) {
        return timer == null ? null : timer.c();                    // a nil channel: that case is off
    }

    static void stop(Timer timer) {
        if (timer != null) {
            timer.stop();
        }
    }

    /** Go's sub: implements the subscription with one goroutine, loop, that owns every piece of mutable state. */
    static final class Sub implements Feed {
        final Fetcher fetcher;                                      // fetches items
        final Chan<Item> updates = make();                          // sends items to the user
        final Chan<Chan<Exception>> closing = make();               // for Close
        final int maxPending;
        volatile int mostPending; // not in the talk: the most items loop ever held, for the demo and the tests

        Sub(Fetcher fetcher, int maxPending) {
            this.fetcher = fetcher;
            this.maxPending = maxPending;
        }

        @Override
        public ReceiveOnly<Item> updates() {
            return updates;
        }

        // Close asks loop to exit and waits for its answer: the request is the reply channel itself.
        @Override
        public Exception close() {
            Chan<Exception> errc = make();                          // errc := make(chan error)
            closing.send(errc);                                     // s.closing <- errc
            return errc.receive();                                  // return <-errc
        }

        private void held(List<Item> pending) {
            mostPending = Math.max(mostPending, pending.size());
        }

        // mergedLoop: the slides' three cases in one select. Close: answer with the last error and exit. Fetch: when
        // the timer for next fires. Send: the first pending item, with the send case on only while pending is not
        // empty (a nil channel is never ready; `s.updates <- pending[0]` on an empty queue would panic).
        void mergedLoop() {
            List<Item> pending = new ArrayList<>();                 // var pending []Item
            Instant next = ZERO_TIME;                               // var next time.Time
            Exception err = null;                                   // var err error
            while (true) {
                Timer startFetch = newTimer(fetchDelay(next));      // startFetch := time.After(fetchDelay)
                Item first = null;                                  // var first Item
                Chan<Item> updates = null;                          // var updates chan Item
                if (!pending.isEmpty()) {
                    first = pending.getFirst();
                    updates = this.updates;                         // enable send case
                }
                var fromClosing = onReceive(closing);
                Selected s = select(fromClosing, onReceive(startFetch.c()), onSend(updates, first)); // select {
                stop(startFetch);
                switch (s.index()) {
                    case 0 -> {                                     // case errc := <-s.closing:
                        Chan<Exception> errc = s.value(fromClosing);
                        errc.send(err);                             // errc <- err
                        this.updates.close();                       // close(s.updates)
                        return;
                    }
                    case 1 -> {                                     // case <-startFetch:
                        Fetched fetched = fetcher.fetch();          // fetched, next, err = s.fetcher.Fetch()
                        next = fetched.next();
                        err = fetched.err();
                        if (err != null) {
                            next = now().plus(RETRY_AFTER_ERROR);   // next = time.Now().Add(10 * time.Second)
                            break;
                        }
                        pending.addAll(fetched.items());            // pending = append(pending, fetched...)
                        held(pending);
                    }
                    case 2 -> pending.removeFirst();                // case updates <- first: pending = pending[1:]
                }
            }
        }

        // dedupeLoop: mergedLoop, plus two fixes. Fetch may return items already seen: keep the GUIDs seen and
        // queue only new items. And pending grows without bound while the reader is slow: switch the fetch case
        // off (a nil startFetch) while maxPending items wait.
        void dedupeLoop() {
            List<Item> pending = new ArrayList<>();
            Instant next = ZERO_TIME;
            Exception err = null;
            Set<String> seen = new HashSet<>();                     // var seen = make(map[string]bool) // set of item.GUIDs
            while (true) {
                Timer startFetch = null;                            // var startFetch <-chan time.Time
                if (pending.size() < maxPending) {                  // if len(pending) < maxPending {
                    startFetch = newTimer(fetchDelay(next));        //     startFetch = time.After(fetchDelay)
                }
                Item first = null;
                Chan<Item> updates = null;
                if (!pending.isEmpty()) {
                    first = pending.getFirst();
                    updates = this.updates;                         // enable send case
                }
                var fromClosing = onReceive(closing);
                Selected s = select(fromClosing, onReceive(channelOf(startFetch)), onSend(updates, first)); // select {
                stop(startFetch);
                switch (s.index()) {
                    case 0 -> {                                     // case errc := <-s.closing:
                        Chan<Exception> errc = s.value(fromClosing);
                        errc.send(err);
                        this.updates.close();
                        return;
                    }
                    case 1 -> {                                     // case <-startFetch:
                        Fetched fetched = fetcher.fetch();
                        next = fetched.next();
                        err = fetched.err();
                        if (err != null) {
                            next = now().plus(RETRY_AFTER_ERROR);
                            break;
                        }
                        for (Item item : fetched.items()) {         // for _, item := range fetched {
                            if (seen.add(item.guid())) {            //     if !seen[item.GUID] { ...; seen[item.GUID] = true
                                pending.add(item);                  //         pending = append(pending, item)
                            }
                        }
                        held(pending);
                    }
                    case 2 -> pending.removeFirst();                // case updates <- first: pending = pending[1:]
                }
            }
        }

        // loop, the talk's final version: dedupeLoop with Fetch run in its own goroutine, so that a slow fetch
        // blocks neither Close nor the sends. fetchDone is non-nil exactly while a fetch runs; the fetch case is off
        // then, and the fetchDone case is on. Its buffer of one lets the fetch goroutine finish even after loop has
        // exited: Close never waits for a fetch.
        void loop() {
            Chan<Fetched> fetchDone = null;                         // var fetchDone chan fetchResult
            List<Item> pending = new ArrayList<>();
            Instant next = ZERO_TIME;
            Exception err = null;
            Set<String> seen = new HashSet<>();
            while (true) {
                Timer startFetch = null;
                if (fetchDone == null && pending.size() < maxPending) { // if fetchDone == nil && len(pending) < maxPending {
                    startFetch = newTimer(fetchDelay(next));        //     startFetch = time.After(fetchDelay)
                }
                Item first = null;
                Chan<Item> updates = null;
                if (!pending.isEmpty()) {
                    first = pending.getFirst();
                    updates = this.updates;                         // enable send case
                }
                var fromClosing = onReceive(closing);
                var fromFetchDone = onReceive(fetchDone);
                Selected s = select(fromClosing, onReceive(channelOf(startFetch)), fromFetchDone,
                        onSend(updates, first));                    // select {
                stop(startFetch);
                switch (s.index()) {
                    case 0 -> {                                     // case errc := <-s.closing:
                        Chan<Exception> errc = s.value(fromClosing);
                        errc.send(err);
                        this.updates.close();
                        return;
                    }
                    case 1 -> {                                     // case <-startFetch:
                        Chan<Fetched> done = make(1);               // fetchDone = make(chan fetchResult, 1)
                        fetchDone = done;
                        go(() -> done.send(fetcher.fetch()));       // go func() { ...; fetchDone <- fetchResult{...} }()
                    }
                    case 2 -> {                                     // case result := <-fetchDone:
                        fetchDone = null;
                        Fetched result = s.value(fromFetchDone);
                        next = result.next();                       // next, err = result.next, result.err
                        err = result.err();
                        if (err != null) {
                            next = now().plus(RETRY_AFTER_ERROR);
                            break;
                        }
                        for (Item item : result.items()) {
                            if (seen.add(item.guid())) {            // if id := item.GUID; !seen[id] { ...; seen[id] = true
                                pending.add(item);
                            }
                        }
                        held(pending);
                    }
                    case 3 -> pending.removeFirst();                // case updates <- first: pending = pending[1:]
                }
            }
        }
    }

    /** Subscribe returns a new subscription that uses fetcher to fetch Items: the talk's final loop. */
    static Feed subscribe(Fetcher fetcher) {
        return subscribe(fetcher, Loop.ASYNC, MAX_PENDING);
    }

    /** Subscribe with one of the slides' versions of loop, and a bound on pending for the two that have one. */
    static Sub subscribe(Fetcher fetcher, Loop version, int maxPending) {
        Sub s = new Sub(fetcher, maxPending);                       // s := &sub{fetcher: fetcher, ...}
        Runnable loop = switch (version) {
            case MERGED -> s::mergedLoop;
            case DEDUPE -> s::dedupeLoop;
            case ASYNC -> s::loop;
        };
        go(loop);                                                   // go s.loop()
        return s;
    }

    // ==== Merge =====================================================================================

    /** Go's merge: one goroutine per subscription forwards its items to updates until quit is closed. */
    static final class Merged implements Feed {
        final List<Feed> subs;
        final Chan<Item> updates = make();
        final Chan<Void> quit = make();
        final Chan<Exception> errs = make();

        Merged(List<Feed> subs) {
            this.subs = subs;
        }

        @Override
        public ReceiveOnly<Item> updates() {
            return updates;
        }

        // Close closes quit, which every forwarding goroutine watches; each one closes its subscription and sends
        // the error back. It returns the last non-nil error to arrive.
        @Override
        public Exception close() {
            quit.close();                                           // close(m.quit)
            Exception err = null;
            for (int i = 0; i < subs.size(); i++) {                 // for _ = range m.subs {
                Exception e = errs.receive();                       //     if e := <-m.errs; e != nil {
                if (e != null) {
                    err = e;                                        //         err = e
                }
            }
            updates.close();                                        // close(m.updates)
            return err;
        }
    }

    /** Merge returns a subscription that merges the item streams from subs. Closing it closes subs. */
    static Feed merge(List<? extends Feed> subs) {
        Merged m = new Merged(List.copyOf(subs));
        for (Feed s : subs) {                                       // for _, sub := range subs {
            go(() -> {                                              //     go func(s Subscription) {
                while (true) {
                    var fromUpdates = onReceive(s.updates());
                    Selected got = select(onReceive(m.quit), fromUpdates); // select {
                    switch (got.index()) {
                        case 0 -> {                                 // case <-m.quit:
                            m.errs.send(s.close());                 //     m.errs <- s.Close()
                            return;                                 //     return
                        }
                        case 1 -> { }                               // case it = <-s.Updates():
                    }
                    Item it = got.value(fromUpdates);
                    switch (select(onReceive(m.quit), onSend(m.updates, it)).index()) { // select {
                        case 0 -> {                                 // case <-m.quit:
                            m.errs.send(s.close());                 //     m.errs <- s.Close()
                            return;                                 //     return
                        }
                        case 1 -> { }                               // case m.updates <- it:
                    }
                }
            });
        }
        return m;
    }

    // ==== The naive version (naivemain.go) ==========================================================

    // naiveSub: a loop that fetches, sends, and sleeps, with the state shared with Close in plain fields. The talk's
    // three bugs, as its slides mark them:
    //  1. closed and err are written by one goroutine and read by another with nothing ordering the two (no lock, no
    //     channel; here not volatile either): a data race. Go's race detector reports it (the talk's race.out); Java
    //     has no race detector, and its memory model, like Go's, does not even promise that loop ever sees closed.
    //  2. time.Sleep cannot be interrupted: after Close, loop sleeps on until its next fetch (10 s after an error).
    //  3. The send on s.updates blocks until someone receives: if the reader has stopped reading (closed), loop
    //     blocks there forever.
    static final class NaiveSub implements Feed {
        final Fetcher fetcher;
        final Chan<Item> updates = make();
        boolean closed;                                             // bug 1: no synchronization
        Exception err;                                              // bug 1: no synchronization
        final Chan<Void> exited = make(); // not in the talk: closed as loop returns, so that the demo can tell
        volatile Instant exitedAt;        // not in the talk: when loop returned

        NaiveSub(Fetcher fetcher) {
            this.fetcher = fetcher;
        }

        @Override
        public ReceiveOnly<Item> updates() {
            return updates;
        }

        void loop() {
            try {                                                   // defer close(exited)
                while (true) {
                    if (closed) {                                   // if s.closed {            // bug 1
                        updates.close();                            //     close(s.updates)
                        return;
                    }
                    Fetched fetched = fetcher.fetch();              // items, next, err := s.fetcher.Fetch()
                    if (fetched.err() != null) {
                        err = fetched.err();                        // s.err = err              // bug 1
                        sleep(RETRY_AFTER_ERROR);                   // time.Sleep(10 * time.Second) // bug 2
                        continue;
                    }
                    for (Item item : fetched.items()) {
                        updates.send(item);                         // s.updates <- item        // bug 3
                    }
                    Instant now = now();
                    if (fetched.next().isAfter(now)) {
                        sleep(Duration.between(now, fetched.next())); // time.Sleep(next.Sub(now)) // bug 2
                    }
                }
            } finally {
                exitedAt = now();
                exited.close();
            }
        }

        @Override
        public Exception close() {
            closed = true;                                          // s.closed = true          // bug 1
            return err;                                             // return s.err             // bug 1
        }
    }

    static NaiveSub naiveSubscribe(Fetcher fetcher) {
        NaiveSub s = new NaiveSub(fetcher);
        go(s::loop);                                                // go s.loop()
        return s;
    }

    // ==== The demo ==================================================================================

    // The three feeds of the talk's mains. Their servers answer in 110, 230 and 370 ms. A fetch starts at 0, then
    // when the one before said: a whole number of half seconds after it ended. So the j-th fetch of a feed starts j
    // latencies past a whole half second, and no multiple of those latencies below 50 is one: in a run like this
    // one no fetch starts or ends at a whole half second (such as 3s, when main closes), except the first.
    static final List<String> DOMAINS = List.of("blog.golang.org", "googleblog.blogspot.com",
            "googledevelopers.blogspot.com");
    static final List<Duration> LATENCIES = List.of(Duration.ofMillis(110), Duration.ofMillis(230), Duration.ofMillis(370));

    // Fetch(domain): a fake fetcher for the feed, seeded by the seed and the feed's position.
    Fetcher fetch(int feed, double failureRate, boolean duplicates) {
        return new FakeFetcher(DOMAINS.get(feed), LATENCIES.get(feed), failureRate, duplicates, new Random(seed + feed));
    }

    static String errString(Exception err) {
        return err == null ? "<nil>" : err.getMessage();            // how fmt prints an error, nil included
    }

    // Durations printed are rounded to 100 ms: on virtual time they are exact, and a real run, whose fetch times
    // drift a few milliseconds late one fetch after another, prints the same.
    static String shown(Duration d) {
        return Script.durationString(d, Duration.ofMillis(100));
    }

    // The talk's main: merge the feeds, close after closeAfter (time.AfterFunc), print the stream until Close has
    // closed it. Go prints "closed:" from the AfterFunc goroutine while main's range may already be over; here main
    // waits for that line, so that the lines after it are always after it. Returns when Close was called.
    Instant printMerged(Feed merged) {
        Instant[] closedAt = new Instant[1];
        Chan<Void> printed = make();
        afterFunc(closeAfter, () -> {                               // time.AfterFunc(3*time.Second, func() {
            closedAt[0] = now();
            System.out.println("closed: " + errString(merged.close())); // fmt.Println("closed:", merged.Close())
            printed.close();
        });
        for (Item it : merged.updates()) {                          // for it := range merged.Updates() {
            System.out.println(it.channel() + " " + it.title());    //     fmt.Println(it.Channel, it.Title)
        }
        receive(printed);                                           // (the close makes closedAt visible here)
        return closedAt[0];
    }

    // 1. fakemain.go: the talk's example, with the final Subscribe. A fetch may still be on its way when Close
    // returns (loop does not wait for it); it ends within one latency, and then nothing is left.
    void fakemain() {
        System.out.println("== fakemain.go: three subscriptions merged, closed after " + shown(closeAfter) + " ==");
        List<Feed> subs = new ArrayList<>();
        for (int feed = 0; feed < DOMAINS.size(); feed++) {
            subs.add(subscribe(fetch(feed, failureRate, false)));   // Subscribe(Fetch("blog.golang.org")), ...
        }
        printMerged(merge(subs));
        sleep(LATENCIES.getLast());
        awaitGoroutines(0, LEAK_BOUND);
        System.out.println("goroutines left: " + goroutines() + ", timers left: " + timers());
    }

    // 2. naivemain.go: the same feeds (the same items at the same times) with the naive Subscribe. Then, as the
    // talk's main does, wait 1 s ("The loops are still running. Let the race detector notice."), and instead of its
    // panic that dumps the stacks, say where each loop is. A non-blocking receive tells a loop blocked sending
    // (bug 3) from one asleep (bug 2), and takes the item it was stuck on; the rest are drained the same way, so
    // that every loop gets to its closed check and returns, and the run ends with nothing left.
    void naivemain() {
        System.out.println("== naivemain.go: the same feeds with the naive Subscribe, closed after "
                + shown(closeAfter) + " ==");
        List<NaiveSub> subs = new ArrayList<>();
        for (int feed = 0; feed < DOMAINS.size(); feed++) {
            subs.add(naiveSubscribe(fetch(feed, failureRate, false))); // NaiveSubscribe(Fetch("blog.golang.org")), ...
        }
        Instant closedAt = printMerged(merge(subs));
        System.out.println("  Close returned at once: it wrote closed and read err while the loops ran (bug 1)");
        sleep(Duration.ofSeconds(1));                               // time.Sleep(1 * time.Second)
        System.out.println("1s after Close:");
        for (NaiveSub s : subs) {
            String feed = "  " + ((FakeFetcher) s.fetcher).channel + ": ";
            if (isClosed(s.exited)) {
                System.out.println(feed + "loop has returned");
                continue;
            }
            var fromUpdates = onReceive(s.updates);
            Selected stuck = select(fromUpdates, onDefault());
            switch (stuck.index()) {
                case 0 -> System.out.println(feed + "loop blocked sending " + stuck.value(fromUpdates).title()
                        + ", which nobody would receive (bug 3)");
                case 1 -> System.out.println(feed + "loop asleep in time.Sleep (bug 2)");
            }
        }
        System.out.println("once each loop is awake and has nothing left to send, it sees closed and returns:");
        for (NaiveSub s : subs) {
            go(() -> {
                for (Item ignored : s.updates()) {                  // drain: nobody else reads it now
                }
            });
        }
        for (NaiveSub s : subs) {
            receive(s.exited);
            System.out.println("  " + ((FakeFetcher) s.fetcher).channel + ": "
                    + shown(Duration.between(closedAt, s.exitedAt)) + " after Close");
        }
        awaitGoroutines(0, LEAK_BOUND);
    }

    /** What a reader saw of one subscription: the items, and how many of them it had already seen. */
    record Read(int items, int duplicates) {}

    // A reader that takes everything until `stop`, then closes the subscription.
    static Read readFor(Feed feed, Duration stop) {
        Timer timer = newTimer(stop);
        Set<String> seen = new HashSet<>();
        int items = 0;
        reading:
        while (true) {
            var fromUpdates = onReceive(feed.updates());
            Selected got = select(onReceive(timer.c()), fromUpdates);
            switch (got.index()) {
                case 0 -> { break reading; }                        // case <-timer.C: stop reading
                case 1 -> {                                         // case it := <-s.Updates():
                    items++;
                    seen.add(got.value(fromUpdates).guid());
                }
            }
        }
        feed.close();
        return new Read(items, items - seen.size());
    }

    // Runs one comparison for each version side by side, in its own goroutine (so the run takes as long as one),
    // and returns the results in the order of the versions.
    static <T> List<T> sideBySide(List<Loop> versions, Function<Loop, T> run) {
        List<Chan<T>> results = new ArrayList<>();
        for (Loop version : versions) {
            Chan<T> result = make(1);
            results.add(result);
            go(() -> result.send(run.apply(version)));
        }
        return results.stream().map(Chan::receive).toList();
    }

    /** When Close returned and when the fetch in flight ended, both from the moment Close was called. */
    record SlowClose(Duration closeReturned, Duration fetchEnded) {}

    // A server that answers in `slow` (and says to come back in a minute), closed 1 s into the first fetch.
    static SlowClose closeDuringASlowFetch(Loop version, Duration slow) {
        AtomicReference<Instant> fetchEnded = new AtomicReference<>();
        Fetcher slowServer = () -> {
            sleep(slow);
            fetchEnded.set(now());
            return new Fetched(List.of(new Item("Item 0", "slow.example", "slow.example/Item 0")),
                    now().plus(Duration.ofMinutes(1)), null);
        };
        Feed s = subscribe(slowServer, version, MAX_PENDING);
        sleep(Duration.ofSeconds(1));
        Instant closing = now();
        s.close();
        Duration took = since(closing);
        sleep(slow);                                                // the fetch has ended by then, whatever loop did
        return new SlowClose(took, Duration.between(closing, fetchEnded.get()));
    }

    // 3. The slides' improvements, each on one feed that every version fetches with the same seed.
    void improvements() {
        System.out.println("== The talk's fixes, one feed each: mergedLoop, dedupeLoop, loop ==");
        // Issue: Fetch may return duplicates. Fix: filter items before adding to pending.
        System.out.println("Fetch returns every item so far (FakeDuplicates); a reader reads for "
                + shown(closeAfter) + ":");
        List<Loop> versions = List.of(Loop.MERGED, Loop.DEDUPE);
        List<Read> reads = sideBySide(versions,
                version -> readFor(subscribe(fetch(0, 0, true), version, MAX_PENDING), closeAfter));
        for (int i = 0; i < versions.size(); i++) {
            Read read = reads.get(i);
            System.out.println("  " + name(versions.get(i)) + ": " + read.items() + " items, "
                    + (read.duplicates() == 0 ? "no duplicates" : read.duplicates() + " of them duplicates"));
        }
        // Issue: pending queue grows without bound. Fix: disable the fetch case when too much is pending.
        Duration unread = Duration.ofSeconds(15);
        System.out.println("Nobody reads for " + shown(unread) + ":");
        List<Sub> subs = versions.stream().map(version -> subscribe(fetch(0, 0, false), version, MAX_PENDING)).toList();
        sleep(unread);
        for (int i = 0; i < subs.size(); i++) {
            subs.get(i).close();
            int held = subs.get(i).mostPending;
            System.out.println("  " + name(versions.get(i)) + " held " + held + " items"
                    + (held == MAX_PENDING ? " (maxPending)" : ""));
        }
        // Issue: loop blocks on Fetch. Fix: run Fetch asynchronously.
        Duration slow = Duration.ofSeconds(2);
        System.out.println("Close 1s into a fetch that takes " + shown(slow) + ":");
        List<Loop> syncAndAsync = List.of(Loop.DEDUPE, Loop.ASYNC);
        List<SlowClose> closes = sideBySide(syncAndAsync, version -> closeDuringASlowFetch(version, slow));
        for (int i = 0; i < syncAndAsync.size(); i++) {
            String took = shown(closes.get(i).closeReturned());
            String fetchEnded = shown(closes.get(i).fetchEnded());
            System.out.println("  " + name(syncAndAsync.get(i)) + ": Close returned after " + took
                    + (took.equals(fetchEnded) ? ", when the fetch ended"
                            : "; the fetch ended " + fetchEnded + " after Close, on its own"));
        }
    }

    static String name(Loop version) {
        return switch (version) {
            case MERGED -> "mergedLoop";
            case DEDUPE -> "dedupeLoop";
            case ASYNC -> "loop";
        };
    }

    @Override
    public Integer call() {
        Script.require(spec, failureRate >= 0 && failureRate <= 1,
                "--failure-rate must be between 0 and 1, got " + failureRate);
        Script.require(spec, closeAfter.isPositive(), "--close-after must be positive, got " + closeAfter);
        fakemain();
        naivemain();
        improvements();
        return 0;
    }

    public static void main(String... args) {
        Script.run(new Subscription(), args);
    }
}

// The feeds' latencies keep every fetch of this run at its own instant, so the lines come in one order, as on
// virtual time; a real run prints the same.
//
// Output:
// == fakemain.go: three subscriptions merged, closed after 3s ==
// blog.golang.org Item 0
// googleblog.blogspot.com Item 0
// googledevelopers.blogspot.com Item 0
// googleblog.blogspot.com Item 1
// googledevelopers.blogspot.com Item 1
// googledevelopers.blogspot.com Item 2
// blog.golang.org Item 1
// blog.golang.org Item 2
// closed: fetch googledevelopers.blogspot.com: fake failure
// goroutines left: 0, timers left: 0
// == naivemain.go: the same feeds with the naive Subscribe, closed after 3s ==
// blog.golang.org Item 0
// googleblog.blogspot.com Item 0
// googledevelopers.blogspot.com Item 0
// googleblog.blogspot.com Item 1
// googledevelopers.blogspot.com Item 1
// googledevelopers.blogspot.com Item 2
// blog.golang.org Item 1
// blog.golang.org Item 2
// closed: fetch googledevelopers.blogspot.com: fake failure
//   Close returned at once: it wrote closed and read err while the loops ran (bug 1)
// 1s after Close:
//   blog.golang.org: loop has returned
//   googleblog.blogspot.com: loop blocked sending Item 2, which nobody would receive (bug 3)
//   googledevelopers.blogspot.com: loop asleep in time.Sleep (bug 2)
// once each loop is awake and has nothing left to send, it sees closed and returns:
//   blog.golang.org: 300ms after Close
//   googleblog.blogspot.com: 1.7s after Close
//   googledevelopers.blogspot.com: 9.5s after Close
// == The talk's fixes, one feed each: mergedLoop, dedupeLoop, loop ==
// Fetch returns every item so far (FakeDuplicates); a reader reads for 3s:
//   mergedLoop: 6 items, 3 of them duplicates
//   dedupeLoop: 3 items, no duplicates
// Nobody reads for 15s:
//   mergedLoop held 14 items
//   dedupeLoop held 10 items (maxPending)
// Close 1s into a fetch that takes 2s:
//   dedupeLoop: Close returned after 1s, when the fetch ended
//   loop: Close returned after 0s; the fetch ended 1s after Close, on its own
