import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.statistics.Statistics;

/**
 * Properties of Subscription.java: the talk's Subscribe (its three versions of loop), Merge, and the naive Subscribe's
 * bugs. Every try runs in a bubble, on virtual time, against a scripted Fetcher whose latencies and next-fetch times
 * are whole milliseconds; the tests close half a millisecond off that grid, so no Close ever ties with a fetch and
 * every expectation is exact: when each fetch starts, which items arrive, what Close returns and when.
 *
 * <p>Bug 1 of the naive version, the data race on closed and err, has no test: a race cannot be made to happen on
 * purpose, and Java has no race detector. Bugs 2 and 3 are tested: the naive loop outlives Close by its sleep, and
 * blocks forever on a send nobody takes.
 */
@PropertyDefaults(tries = 200)
@AddLifecycleHook(value = TestSupport.NoLeaks.class, propagateTo = PropagationMode.ALL_DESCENDANTS)
class SubscriptionProperties {

    /** Runs the body in a bubble, bounded in real time in case a goroutine spins instead of blocking. */
    static void inBubble(Runnable body) {
        TestSupport.bounded(() -> {
            bubble(body);
            return null;
        });
    }

    /** Once everything has settled, no goroutine and no timer of the bubble is left. */
    static void assertNothingLeft() {
        awaitBlocked();
        assertEquals(0, goroutines(), "goroutines left");
        assertEquals(0, timers(), "timers left");
    }

    static Duration ms(long n) {
        return Duration.ofMillis(n);
    }

    static final Duration OFF_GRID = Duration.ofNanos(500_000); // half a millisecond: never a fetch's instant
    static final Duration NEVER = Duration.ofDays(1000);

    // ---- A scripted feed, and the schedule it must be fetched on --------------------------------------------

    /** One fetch of the script: the server answers after latencyMs, fails or returns items, and says: next in nextMs. */
    record Step(long latencyMs, List<Integer> items, long nextMs, boolean fails) {}

    static String guid(String channel, int item) {
        return channel + "/Item " + item;
    }

    /**
     * A Fetcher that plays its steps in order, then answers at once with nothing and says to come back in 1000 days
     * (the "extra" fetch). It records when each fetch started; each failing step has its own error, for identity.
     */
    static final class Scripted implements Subscription.Fetcher {
        final String channel;
        final List<Step> steps;
        final List<Exception> errors = new ArrayList<>();
        final List<Instant> starts = new CopyOnWriteArrayList<>();
        final AtomicInteger calls = new AtomicInteger();

        Scripted(String channel, List<Step> steps) {
            this.channel = channel;
            this.steps = steps;
            for (int i = 0; i < steps.size(); i++) {
                errors.add(steps.get(i).fails()
                        ? new Subscription.FetchError(channel + ": fetch " + i + " failed") : null);
            }
        }

        @Override
        public Subscription.Fetched fetch() {
            int i = calls.getAndIncrement();
            starts.add(now());
            if (i >= steps.size()) {
                return new Subscription.Fetched(List.of(), now().plus(NEVER), null);
            }
            Step step = steps.get(i);
            sleep(ms(step.latencyMs()));
            if (step.fails()) {
                return new Subscription.Fetched(List.of(), null, errors.get(i));
            }
            List<Subscription.Item> items = step.items().stream()
                    .map(n -> new Subscription.Item("Item " + n, channel, guid(channel, n))).toList();
            return new Subscription.Fetched(items, now().plus(ms(step.nextMs())), null);
        }
    }

    /** A fetch on paper: when it starts and ends, from the moment of Subscribe, and its error (null for the extra one). */
    record Fetch(Duration start, Duration done, Exception err, int step) {}

    /**
     * When a loop that is never held back by its bound fetches: at once, then at each answer's next (10 s after a
     * failure, the loop's rule), and a last, extra fetch that ends at once. A naive loop fetches on the same schedule.
     */
    static List<Fetch> schedule(Scripted f) {
        List<Fetch> fetches = new ArrayList<>();
        Duration t = Duration.ZERO;
        for (int i = 0; i < f.steps.size(); i++) {
            Step step = f.steps.get(i);
            Duration done = t.plus(ms(step.latencyMs()));
            fetches.add(new Fetch(t, done, f.errors.get(i), i));
            t = done.plus(step.fails() ? Subscription.RETRY_AFTER_ERROR : ms(step.nextMs()));
        }
        fetches.add(new Fetch(t, t, null, -1));
        return fetches;
    }

    /** The GUIDs a reader gets, in order: every item of every successful step, only the first time (dedupe) or always. */
    static List<String> expectedGuids(Scripted f, boolean dedupe) {
        List<String> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Step step : f.steps) {
            if (!step.fails()) {
                for (int n : step.items()) {
                    String g = guid(f.channel, n);
                    if (!dedupe || seen.add(g)) {
                        out.add(g);
                    }
                }
            }
        }
        return out;
    }

    /** The error of the last fetch that ended before `at`: what Close must return. */
    static Exception lastErrorBefore(List<Fetch> fetches, Duration at) {
        Exception err = null;
        for (Fetch f : fetches) {
            if (f.done().compareTo(at) < 0) {
                err = f.err();
            }
        }
        return err;
    }

    /**
     * A moment to close at, half a millisecond off the grid: during a fetch (one picked by `percent`, that far
     * through it) if asked and if one takes time, else `percent` of the way to the extra fetch (up to 10% past it).
     */
    static Duration closeMoment(List<Fetch> fetches, int percent, boolean duringAFetch) {
        List<Fetch> slow = fetches.stream().filter(f -> f.done().compareTo(f.start()) > 0).toList();
        if (duringAFetch && !slow.isEmpty()) {
            Fetch f = slow.get(percent % slow.size());
            long latencyMs = f.done().minus(f.start()).toMillis();
            return f.start().plus(ms(latencyMs * percent / 111)).plus(OFF_GRID);
        }
        return fetches.getLast().start().multipliedBy(percent).dividedBy(100).plus(OFF_GRID);
    }

    /** The fetch on its way at `at`, if any. */
    static Fetch inFlightAt(List<Fetch> fetches, Duration at) {
        return fetches.stream().filter(f -> f.start().compareTo(at) < 0 && at.compareTo(f.done()) < 0)
                .findFirst().orElse(null);
    }

    /** A reader that keeps up: it takes every item as soon as it is sent, and notes when updates closed. */
    static final class Reader {
        final List<Subscription.Item> got = new CopyOnWriteArrayList<>();
        final Chan<Void> ended = make();
        volatile Instant endedAt;

        static Reader keepingUp(ReceiveOnly<Subscription.Item> updates) {
            Reader r = new Reader();
            go(() -> {
                for (Subscription.Item it : updates) {
                    r.got.add(it);
                }
                r.endedAt = now();
                r.ended.close();
            });
            return r;
        }

        List<String> guids() {
            return got.stream().map(Subscription.Item::guid).toList();
        }
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        return steps(0);
    }

    /** Steps whose next is at least 1 ms: no fetch is due the instant the one before ends. */
    @Provide
    Arbitrary<List<Step>> stepsWithADelay() {
        return steps(1);
    }

    static Arbitrary<List<Step>> steps(long minNextMs) {
        Arbitrary<Step> step = Combinators.combine(
                Arbitraries.longs().between(0, 500),
                Arbitraries.integers().between(0, 15).list().ofMaxSize(4), // repeats within and across steps
                Arbitraries.longs().between(minNextMs, 2_000),
                Arbitraries.integers().between(0, 4).map(n -> n == 0))  // one fetch in five fails
                .as(Step::new);
        return step.list().ofMaxSize(12);
    }

    static Subscription.Loop[] allVersions() {
        return Subscription.Loop.values();
    }

    static boolean dedupes(Subscription.Loop version) {
        return version != Subscription.Loop.MERGED;
    }

    // ---- Subscribe -------------------------------------------------------------------------------------------

    // The promise of Subscribe, for a reader that keeps up: each fetch starts exactly when the one before said (10 s
    // after a failure), every distinct item arrives exactly once, in the order first fetched (mergedLoop, which does
    // not dedupe yet, delivers every item of every fetch), and Close returns the error of the last fetch.
    @Property
    void aReaderThatKeepsUpGetsEveryDistinctItemOnceAndCloseTheLastError(
            @ForAll("steps") List<Step> steps,
            @ForAll Subscription.Loop version,
            @ForAll @IntRange(min = 1, max = 12) int maxPending) {
        Statistics.label("version").collect(version);
        Statistics.label("last fetch").collect(steps.isEmpty() ? "none" : steps.getLast().fails() ? "fails" : "succeeds");
        Statistics.label("next").collect(steps.stream().anyMatch(step -> step.nextMs() == 0 && !step.fails())
                ? "at once, sometimes" : "always later");
        inBubble(() -> {
            // given
            Scripted feed = new Scripted("feed", steps);
            List<Fetch> expected = schedule(feed);
            Duration lastScripted = expected.size() == 1 ? Duration.ZERO : expected.get(expected.size() - 2).done();
            Duration closeAt = lastScripted.plus(OFF_GRID);
            Instant t0 = now();
            Subscription.Sub s = Subscription.subscribe(feed, version, maxPending);
            Reader reader = Reader.keepingUp(s.updates());
            // when
            sleep(closeAt);
            Exception err = s.close();
            // then
            receive(reader.ended);
            assertEquals(expectedGuids(feed, dedupes(version)), reader.guids(), "what the reader got");
            assertSame(lastErrorBefore(expected, closeAt), err, "Close must return the last fetch's error");
            List<Duration> starts = feed.starts.stream().map(i -> Duration.between(t0, i)).toList();
            List<Duration> onPaper = expected.stream().map(Fetch::start).filter(d -> d.compareTo(closeAt) < 0).toList();
            assertEquals(onPaper, starts, "when each fetch started");
            assertNothingLeft();
        });
    }

    // Close, at any moment: loop (the async version) answers at once with the error of the last fetch it has
    // finished, closes updates then, and leaves only the fetch in flight, which ends on its own when its answer
    // comes, into fetchDone's buffer. The synchronous versions cannot hear Close during a fetch: they answer when it
    // ends, with its error.
    @Property
    void closeEndsTheLoopAtOnceEvenDuringAFetchOnlyInTheAsyncVersion(
            @ForAll("stepsWithADelay") List<Step> steps,
            @ForAll Subscription.Loop version,
            @ForAll @IntRange(min = 0, max = 110) int percent,
            @ForAll boolean duringAFetch) {
        // given: Close at a random moment of the script, off the millisecond grid
        Scripted feed = new Scripted("feed", steps);
        List<Fetch> expected = schedule(feed);
        Duration closeAt = closeMoment(expected, percent, duringAFetch);
        Fetch inFlight = inFlightAt(expected, closeAt);
        Statistics.label("version").collect(version);
        Statistics.label("Close").collect(inFlight == null ? "between fetches" : "during a fetch");
        inBubble(() -> {
            Instant t0 = now();
            Subscription.Sub s = Subscription.subscribe(feed, version, Subscription.MAX_PENDING);
            Reader reader = Reader.keepingUp(s.updates());
            sleep(closeAt);
            // when
            Exception err = s.close();
            Duration returnedAt = Duration.between(t0, now());
            // then
            boolean waits = inFlight != null && version != Subscription.Loop.ASYNC;
            assertEquals(waits ? inFlight.done() : closeAt, returnedAt, "when Close returned");
            assertSame(waits ? inFlight.err() : lastErrorBefore(expected, closeAt), err, "what Close returned");
            awaitBlocked();
            assertEquals(returnedAt, Duration.between(t0, reader.endedAt), "updates must close as Close returns");
            boolean fetchLeft = inFlight != null && version == Subscription.Loop.ASYNC;
            assertEquals(fetchLeft ? 1 : 0, goroutines(), "only the fetch in flight may still run");
            assertEquals(0, timers(), "timers left");
            if (fetchLeft) {
                sleep(inFlight.done().minus(closeAt));
                assertNothingLeft();
            }
        });
    }

    // The bound: the fetch case is off while maxPending items wait, so the queue holds at most maxPending - 1 plus
    // the new items of one fetch (at most maxPending when each fetch brings one new item, as the talk's fake does).
    // Whatever the reader's pace, it never gets a duplicate, and what it gets is the items in the order first
    // fetched, up to where it stopped.
    @Property
    void aSlowReaderNeverSeesADuplicateAndThePendingQueueStaysBounded(
            @ForAll("steps") List<Step> steps,
            @ForAll("dedupingVersions") Subscription.Loop version,
            @ForAll @IntRange(min = 1, max = 12) int maxPending,
            @ForAll("readGaps") List<Long> gaps,
            @ForAll @IntRange(min = 0, max = 110) int percent) {
        Scripted feed = new Scripted("feed", steps);
        int mostNewInOneFetch = mostNewInOneFetch(feed);
        Statistics.label("version").collect(version);
        Statistics.label("most new items in one fetch").collect(mostNewInOneFetch);
        inBubble(() -> {
            // given: a reader that waits gaps[i] before each read
            Duration closeAt = schedule(feed).getLast().start().multipliedBy(percent).dividedBy(100).plus(OFF_GRID);
            Subscription.Sub s = Subscription.subscribe(feed, version, maxPending);
            List<String> got = new CopyOnWriteArrayList<>();
            Chan<Void> readerEnded = make();
            go(() -> {
                for (int i = 0; ; i++) {
                    sleep(ms(gaps.get(i % gaps.size())));
                    Received<Subscription.Item> it = s.updates().receiveOk();
                    if (!it.ok()) {
                        break;
                    }
                    got.add(it.value().guid());
                }
                readerEnded.close();
            });
            // when
            sleep(closeAt);
            s.close();
            receive(readerEnded);
            // then
            assertTrue(s.mostPending <= maxPending - 1 + Math.max(1, mostNewInOneFetch),
                    "held " + s.mostPending + " with maxPending " + maxPending);
            assertEquals(new HashSet<>(got).size(), got.size(), "a duplicate: " + got);
            List<String> all = expectedGuids(feed, true);
            assertEquals(all.subList(0, got.size()), got, "the reader's items must be the first ones fetched, in order");
            sleep(ms(500));                                         // the longest fetch: one in flight ends
            assertNothingLeft();
        });
    }

    @Provide
    Arbitrary<Subscription.Loop> dedupingVersions() {
        return Arbitraries.of(Subscription.Loop.DEDUPE, Subscription.Loop.ASYNC);
    }

    @Provide
    Arbitrary<List<Long>> readGaps() {
        return Arbitraries.longs().between(0, 3_000).list().ofMinSize(1).ofMaxSize(5);
    }

    static int mostNewInOneFetch(Scripted feed) {
        Set<Integer> seen = new HashSet<>();
        int most = 0;
        for (Step step : feed.steps) {
            if (!step.fails()) {
                int before = seen.size();
                seen.addAll(step.items());
                most = Math.max(most, seen.size() - before);
            }
        }
        return most;
    }

    /** The talk's fake, made endless: each fetch one new item, a random next of 0 to 2 s, and one failure in five. */
    static Subscription.Fetcher endlessFeed(Random rand, AtomicInteger successes) {
        return () -> {
            sleep(ms(rand.nextInt(500)));
            if (rand.nextInt(5) == 0) {
                return new Subscription.Fetched(List.of(), null, new Subscription.FetchError("failed"));
            }
            int n = successes.getAndIncrement();
            return new Subscription.Fetched(List.of(new Subscription.Item("Item " + n, "feed", "feed/Item " + n)),
                    now().plus(ms(rand.nextInt(2_001))), null);
        };
    }

    // Nobody reads: the loops with a bound fetch until they hold exactly maxPending items (one new per fetch), and
    // then never fetch again; an hour or a day changes nothing.
    @Property(tries = 100)
    void withNoReaderTheBoundedLoopsFillUpToMaxPendingAndStop(
            @ForAll("dedupingVersions") Subscription.Loop version,
            @ForAll @IntRange(min = 1, max = 12) int maxPending,
            @ForAll long seed) {
        inBubble(() -> {
            AtomicInteger successes = new AtomicInteger();
            Subscription.Sub s = Subscription.subscribe(endlessFeed(new Random(seed), successes), version, maxPending);
            sleep(Duration.ofHours(1));
            assertEquals(maxPending, s.mostPending, "held after an hour");
            assertEquals(maxPending, successes.get(), "items fetched after an hour");
            sleep(Duration.ofDays(1));
            assertEquals(maxPending, successes.get(), "items fetched a day later");
            s.close();
            assertNothingLeft();
        });
    }

    // The issue the bound fixes: mergedLoop, with nobody reading, fetches on and on.
    @Example
    void withNoReaderMergedLoopHoldsEverythingItFetches() {
        inBubble(() -> {
            AtomicInteger successes = new AtomicInteger();
            Subscription.Sub s = Subscription.subscribe(endlessFeed(new Random(1), successes), Subscription.Loop.MERGED,
                    Subscription.MAX_PENDING);
            sleep(Duration.ofHours(1));
            assertTrue(s.mostPending > 100, "held only " + s.mostPending + " after an hour");
            assertEquals(successes.get(), s.mostPending, "every item fetched is held");
            s.close();
            assertNothingLeft();
        });
    }

    // ---- Merge -----------------------------------------------------------------------------------------------

    // Merge delivers the union: each subscription's items, all of them, each feed's in its own order (interleaved
    // as they come); closing the merge closes every subscription and returns a fetch error if any of their last
    // fetches failed (the last one to arrive, so one of them), and nothing is left.
    @Property(tries = 100)
    void mergeDeliversTheUnionAndCloseClosesEverySubscription(
            @ForAll("feedScripts") List<List<Step>> scripts) {
        Statistics.label("subscriptions").collect(scripts.size());
        inBubble(() -> {
            // given
            List<Scripted> feeds = new ArrayList<>();
            for (int k = 0; k < scripts.size(); k++) {
                feeds.add(new Scripted("feed" + k, scripts.get(k)));
            }
            Duration closeAt = Duration.ZERO;
            for (Scripted f : feeds) {
                List<Fetch> fetches = schedule(f);
                closeAt = max(closeAt, fetches.size() == 1 ? Duration.ZERO : fetches.get(fetches.size() - 2).done());
            }
            closeAt = closeAt.plus(OFF_GRID);
            List<Subscription.Feed> subs = feeds.stream().map(Subscription::subscribe).toList();
            Subscription.Feed merged = Subscription.merge(subs);
            Reader reader = Reader.keepingUp(merged.updates());
            // when
            sleep(closeAt);
            Exception err = merged.close();
            // then
            receive(reader.ended);
            Set<Exception> lastErrors = new HashSet<>();
            int total = 0;
            for (Scripted f : feeds) {
                List<String> expected = expectedGuids(f, true);
                total += expected.size();
                List<String> ofThisFeed = reader.got.stream().filter(it -> it.channel().equals(f.channel))
                        .map(Subscription.Item::guid).toList();
                assertEquals(expected, ofThisFeed, f.channel + "'s items, in the merged stream");
                Exception last = lastErrorBefore(schedule(f), closeAt);
                if (last != null) {
                    lastErrors.add(last);
                }
            }
            assertEquals(total, reader.got.size(), "the merged stream must hold nothing else");
            if (lastErrors.isEmpty()) {
                assertNull(err, "no subscription's last fetch failed");
            } else {
                assertTrue(lastErrors.contains(err), "Close returned " + err + ", not one of " + lastErrors);
            }
            assertNothingLeft();
        });
    }

    static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    @Provide
    Arbitrary<List<List<Step>>> feedScripts() {
        return steps(0).list().ofMinSize(1).ofMaxSize(4);
    }

    // ---- The naive Subscribe ---------------------------------------------------------------------------------

    // naivemain.go's loop after Close, at any moment: Close returns at once, but loop does not stop then. Bug 2: it
    // sleeps on, and returns only at its next fetch time, when it looks at closed. Bug 3: if a fetch with items was
    // on its way and the reader stopped reading when it closed, loop blocks forever on its first send; an hour later
    // it still waits there, with the first item of that fetch. (Taking that item, and the rest, lets it go.)
    @Property
    void theNaiveLoopOutlivesCloseUntilItsSleepEndsOrForeverOnASend(
            @ForAll("stepsWithADelay") List<Step> steps,
            @ForAll @IntRange(min = 0, max = 110) int percent,
            @ForAll boolean duringAFetch,
            @ForAll boolean readerStops) {
        // given
        Scripted feed = new Scripted("feed", steps);
        List<Fetch> expected = schedule(feed);
        Duration closeAt = closeMoment(expected, percent, duringAFetch);
        Fetch inFlight = inFlightAt(expected, closeAt);
        boolean blocksForever = readerStops && inFlight != null && inFlight.err() == null
                && !steps.get(inFlight.step()).items().isEmpty();
        Duration wakes = expected.stream().map(Fetch::start).filter(t -> t.compareTo(closeAt) > 0)
                .findFirst().orElse(expected.getLast().start().plus(NEVER)); // after the extra fetch: its 1000 days
        Statistics.label("after Close").collect(blocksForever ? "blocked on a send (bug 3)" : "sleeps on (bug 2)");
        inBubble(() -> {
            Instant t0 = now();
            Subscription.NaiveSub s = Subscription.naiveSubscribe(feed);
            Chan<Void> stopReading = make();
            Chan<Void> readerEnded = make();
            go(() -> {                                              // reads until closed, or until told to stop
                while (true) {
                    Selected got = select(onReceive(s.updates()), onReceive(stopReading));
                    if (got.index() == 1 || !got.ok()) {
                        break;
                    }
                }
                readerEnded.close();
            });
            sleep(closeAt);
            // when
            if (readerStops) {
                stopReading.close();
                receive(readerEnded);
            }
            s.close();
            // then
            assertEquals(closeAt, Duration.between(t0, now()), "naive Close returns at once");
            if (blocksForever) {
                sleep(Duration.ofHours(1));
                assertFalse(isClosed(s.exited), "loop returned, but it had a send nobody would take");
                var fromUpdates = onReceive(s.updates());
                Selected stuck = select(fromUpdates, onDefault());
                assertEquals(0, stuck.index(), "loop must be blocked sending");
                Subscription.Item it = stuck.value(fromUpdates);
                assertEquals(guid("feed", steps.get(inFlight.step()).items().getFirst()), it.guid());
                go(() -> {                                          // take the rest: loop sleeps, wakes, and returns
                    for (Subscription.Item ignored : s.updates()) {
                    }
                });
                receive(s.exited);
            } else {
                receive(s.exited);
                assertEquals(wakes, Duration.between(t0, s.exitedAt), "loop must return at its next fetch time");
                if (!readerStops) {
                    receive(readerEnded);
                }
            }
            assertNothingLeft();
        });
    }

    // The same moment for the final Subscribe: Close returns at once and updates closes then; nothing blocks on a
    // send, whether the reader reads on or not.
    @Example
    void theFinalLoopDoesNotBlockWhereTheNaiveOneDoes() {
        inBubble(() -> {
            // given: a fetch of 100ms with items, and a reader that stops reading when it closes, 50ms into the fetch
            Scripted feed = new Scripted("feed", List.of(new Step(100, List.of(1, 2), 1_000, false)));
            Subscription.Feed s = Subscription.subscribe(feed);
            sleep(ms(50));
            // when
            Instant closing = now();
            Exception err = s.close();
            // then
            assertNull(err);
            assertEquals(closing, now());
            assertFalse(s.updates().receiveOk().ok(), "updates must be closed, with nothing in it");
            sleep(ms(50));
            assertNothingLeft();
        });
    }
}
