///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Rate limiting with token buckets (Go's x/time/rate, on Bucket4j): ten ReadFile and ten ResolveAddress calls on an API connection without a limit, with one limit, with a multi-limiter (per second and per minute) and with tiered limits per resource.
//JAVA 21+
//DEPS info.picocli:picocli:4.7.7
//DEPS com.bucket4j:bucket4j_jdk17-core:8.19.0
// To run it elsewhere, copy it with: gochan/Go.java gochan/Context.java gochan/Script.java
//SOURCES gochan/Go.java
//SOURCES gochan/Context.java
//SOURCES gochan/Script.java

import static gochan.Context.*;
import static gochan.Go.*;

import gochan.Context;
import gochan.Script;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

// Rate limiting: a system lets each user do only so much per unit of time, so that no one can flood it, by mistake
// or on purpose. The book does it with a token bucket, Go's golang.org/x/time/rate: a bucket holds at most `burst`
// tokens and is refilled at `rate` tokens a second; each call takes a token, and waits for one if the bucket is
// empty. So in any stretch of time t at most burst + rate x t calls get through.
//
// The book's four programs (concurrency-at-scale/rate-limiting/), each with ten ReadFile and ten ResolveAddress calls
// on one API connection, each call in its own goroutine: without a limit (fig-no-rate-limit.go); one call a second
// (fig-simple-rate-limit.go); a multi-limiter, two a second and ten a minute (fig-multi-rate-limit.go); and tiered
// limits per resource: the API's, plus the disk's for ReadFile and the network's for ResolveAddress
// (fig-tiered-rate-limit.go, which does not compile: its main calls Open, and the file defines neither Open nor
// APIConnection; they are taken from the book's text).
@Command(name = "ratelimit", mixinStandardHelpOptions = true, version = "ratelimit 1.0",
        description = "Rate limiting with token buckets (Go's x/time/rate, on Bucket4j): ten ReadFile and ten "
                + "ResolveAddress calls on an API connection without a limit, with one limit, with a multi-limiter (per "
                + "second and per minute) and with tiered limits per resource.")
public class RateLimit implements Callable<Integer> {

    @Option(names = "--calls", description = "Calls of each kind, ReadFile and ResolveAddress (default: ${DEFAULT-VALUE}).")
    int calls = 10;

    @Option(names = "--gap", defaultValue = "100ms", converter = Script.GoDuration.class, paramLabel = "<duration>",
            description = "How long after the ReadFile calls the ResolveAddress calls start (default: ${DEFAULT-VALUE};"
                    + " 0s starts them all at once, as the book does, and which reach the limiter first varies).")
    Duration gap;

    @Spec
    CommandSpec spec;

    // ---- Go's rate.Limiter, on Bucket4j ----------------------------------------------------------------------

    // The book's RateLimiter interface: anything that can make a caller wait its turn, and say how fast it lets
    // callers through (Go's rate.Limit: events per second). Wait is await here, as in WaitGroup: Object has a wait().
    // It throws what Go returns as an error: ctx.err() when ctx is done first, or the limiter's own complaint.
    interface RateLimiter {
        void await(Context ctx) throws Exception;                  // Wait(context.Context) error

        double limit();                                             // Limit() rate.Limit
    }

    // The book's Per: eventCount events per duration, given as the time between two events, Go's rate.Every(d).
    // Kept as a duration so that a limiter's arithmetic is in whole nanoseconds: exact on virtual time.
    static Duration per(int eventCount, Duration duration) {
        return duration.dividedBy(eventCount);                      // rate.Every(duration / time.Duration(eventCount))
    }

    // The bucket's clock: Go's now() in nanoseconds, virtual in a bubble.
    static final TimeMeter GO_CLOCK = new TimeMeter() {
        @Override
        public long currentTimeNanos() {
            Instant t = now();
            return t.getEpochSecond() * 1_000_000_000L + t.getNano();
        }

        @Override
        public boolean isWallClockBased() {
            return false;
        }
    };

    // Limiter: Go's rate.NewLimiter(r, b). Bucket4j keeps the tokens: a bucket of `burst` tokens, full at first, that
    // gains one every `every` (a greedy refill), on GO_CLOCK. Bucket4j's own waiting (asBlocking()) parks on the
    // real clock, knows nothing of ctx and cannot give a token back, so the waiting is Go's WaitN: reserve a token,
    // possibly one not there yet (the bucket goes into debt), then wait for it on a timer or for ctx.done(),
    // whichever comes first.
    static final class Limiter implements RateLimiter {
        private final Duration every;
        private final Bucket bucket;
        private long reservations;                                  // guarded by this; see the cancel below

        Limiter(Duration every, int burst) {
            if (every.isNegative() || every.isZero() || burst < 1) {
                throw new IllegalArgumentException("a limiter needs a positive interval and a burst of at least 1");
            }
            this.every = every;
            this.bucket = Bucket.builder()
                    .addLimit(limit -> limit.capacity(burst).refillGreedy(1, every))
                    .withCustomTimePrecision(GO_CLOCK)
                    .build();
        }

        @Override
        public double limit() {
            return 1e9 / every.toNanos();
        }

        @Override
        public void await(Context ctx) throws Exception {
            if (ctx.err() != null) {                                // select { case <-ctx.Done(): return ctx.Err()
                throw ctx.err();                                    // default: }
            }
            long delay;
            long ticket;
            synchronized (this) {                                   // r := lim.reserveN(t, 1, waitLimit)
                Instant t = now();
                long waitLimit = ctx.deadline().map(d -> Duration.between(t, d).toNanos()).orElse(Long.MAX_VALUE);
                if (bucket.estimateAbilityToConsume(1).getNanosToWaitForRefill() > waitLimit) {
                    throw new Exception("rate: Wait(n=1) would exceed context deadline");
                }
                delay = bucket.consumeIgnoringRateLimits(1);        // the nanoseconds until the token is there
                ticket = ++reservations;
            }
            if (delay == 0) {
                return;
            }
            Timer timer = newTimer(Duration.ofNanos(delay));
            try {                                                   // defer stop()
                switch (select(onReceive(ctx.done()), onReceive(timer.c())).index()) { // select {
                    case 0 -> { }                                   // case <-ctx.Done(): (below)
                    case 1 -> { return; }                           // case <-ch: return nil
                }
            } finally {
                timer.stop();
            }
            // r.Cancel(): ctx was done first. Go gives the token back only if no later reservation was made, because
            // the later ones were given their times on the strength of this one. Bucket4j has no handle on a
            // reservation, so the limiter numbers them; once this one is given back, the one before it is the last.
            synchronized (this) {
                if (ticket == reservations) {
                    bucket.addTokens(1);
                    reservations--;
                }
            }
            throw ctx.err();                                        // case <-ctx.Done(): return ctx.Err()
        }
    }

    // multiLimiter: the book's. It waits on each of its limiters in turn, most restrictive first, so a call gets
    // through only once every one of them has let it through. A token taken from one limiter is not given back
    // when a later one fails.
    record MultiLimiter(List<RateLimiter> limiters) implements RateLimiter {
        @Override
        public void await(Context ctx) throws Exception {
            for (RateLimiter l : limiters) {                        // for _, l := range l.limiters {
                l.await(ctx);                                       //     if err := l.Wait(ctx); err != nil { return err }
            }
        }

        @Override
        public double limit() {
            return limiters.get(0).limit();                         // the most restrictive
        }
    }

    static MultiLimiter multiLimiter(RateLimiter... limiters) {
        RateLimiter[] byLimit = limiters.clone();                   // the book sorts the caller's slice in place
        Arrays.sort(byLimit, Comparator.comparingDouble(RateLimiter::limit)); // sort.Slice(limiters, byLimit)
        return new MultiLimiter(List.of(byLimit));
    }

    // ---- The API connection, four ways -------------------------------------------------------------------------

    // The book's APIConnection with its two calls; each of its four programs defines its own.
    interface APIConnection {
        void readFile(Context ctx) throws Exception;

        void resolveAddress(Context ctx) throws Exception;
    }

    // fig-no-rate-limit.go: every call goes through at once.
    static final class Unlimited implements APIConnection {
        @Override
        public void readFile(Context ctx) {
            // Pretend we do work here
        }

        @Override
        public void resolveAddress(Context ctx) {
            // Pretend we do work here
        }
    }

    // fig-simple-rate-limit.go: one limiter for the whole connection, one call a second, no burst.
    static final class SimpleLimit implements APIConnection {
        final RateLimiter rateLimiter = new Limiter(per(1, Duration.ofSeconds(1)), 1); // rate.NewLimiter(rate.Limit(1), 1)

        @Override
        public void readFile(Context ctx) throws Exception {
            rateLimiter.await(ctx);                                 // if err := a.rateLimiter.Wait(ctx); err != nil {
            // Pretend we do work here                              //     return err }
        }

        @Override
        public void resolveAddress(Context ctx) throws Exception {
            rateLimiter.await(ctx);
            // Pretend we do work here
        }
    }

    // fig-multi-rate-limit.go: two calls a second with no burst, and ten a minute with a burst of ten.
    static final class MultiLimit implements APIConnection {
        final RateLimiter rateLimiter = multiLimiter(
                new Limiter(per(2, Duration.ofSeconds(1)), 1),      // secondLimit := rate.NewLimiter(Per(2, time.Second), 1)
                new Limiter(per(10, Duration.ofMinutes(1)), 10));   // minuteLimit := rate.NewLimiter(Per(10, time.Minute), 10)

        @Override
        public void readFile(Context ctx) throws Exception {
            rateLimiter.await(ctx);
            // Pretend we do work here
        }

        @Override
        public void resolveAddress(Context ctx) throws Exception {
            rateLimiter.await(ctx);
            // Pretend we do work here
        }
    }

    // Tiered limits, from the book's text: the API's own limits (two a second with a burst of two, ten a minute),
    // one disk read a second, three network requests a second with a burst of three. Each call combines the API's
    // limit with the limit of the resource it uses.
    static final class Tiered implements APIConnection {
        final RateLimiter apiLimit = multiLimiter(
                new Limiter(per(2, Duration.ofSeconds(1)), 2),      // rate.NewLimiter(Per(2, time.Second), 2)
                new Limiter(per(10, Duration.ofMinutes(1)), 10));   // rate.NewLimiter(Per(10, time.Minute), 10)
        final RateLimiter diskLimit = multiLimiter(
                new Limiter(per(1, Duration.ofSeconds(1)), 1));     // rate.NewLimiter(rate.Limit(1), 1)
        final RateLimiter networkLimit = multiLimiter(
                new Limiter(per(3, Duration.ofSeconds(1)), 3));     // rate.NewLimiter(Per(3, time.Second), 3)

        @Override
        public void readFile(Context ctx) throws Exception {
            multiLimiter(apiLimit, diskLimit).await(ctx);           // MultiLimiter(a.apiLimit, a.diskLimit).Wait(ctx)
            // Pretend we do work here
        }

        @Override
        public void resolveAddress(Context ctx) throws Exception {
            multiLimiter(apiLimit, networkLimit).await(ctx);        // MultiLimiter(a.apiLimit, a.networkLimit).Wait(ctx)
            // Pretend we do work here
        }
    }

    // ---- The book's main --------------------------------------------------------------------------------------

    // What the book logs: one line per call, when it got through, here measured from the first call that did (the
    // way one reads the book's timestamps).
    record Call(Duration at, String what) {}

    // The book's main, the same in all four programs: `calls` ReadFile and `calls` ResolveAddress calls, each in its
    // own goroutine, and wait for all of them. The book starts all of them at once: which reach the limiter first is
    // then up to the scheduler, and its output changes from run to run. Here the ResolveAddress calls start `gap`
    // after the ReadFile calls, so the ReadFile calls are first in line, and every run lets the same calls through
    // at the same times (the gap is long enough for a goroutine slowed down by the JVM's start-up to reach the
    // limiter, and short enough to change no time the limiters give out). It returns the log in time order (calls
    // that got through at the same time, by name).
    // Go's goroutine goes on to log "ReadFile" after "cannot ReadFile"; here a call logs one or the other.
    static List<Call> callAll(APIConnection apiConnection, int calls, Duration gap) {
        Instant start = now();
        List<Call> log = Collections.synchronizedList(new ArrayList<>());
        WaitGroup wg = new WaitGroup();
        wg.add(2 * calls);
        for (int i = 0; i < calls; i++) {
            go(() -> {
                try {                                               // defer wg.Done()
                    apiConnection.readFile(background());
                    log.add(new Call(since(start), "ReadFile"));    // log.Printf("ReadFile")
                } catch (Exception err) {                           // log.Printf("cannot ReadFile: %v", err)
                    log.add(new Call(since(start), "cannot ReadFile: " + err.getMessage()));
                } finally {
                    wg.done();
                }
            });
        }
        sleep(gap);
        for (int i = 0; i < calls; i++) {
            go(() -> {
                try {
                    apiConnection.resolveAddress(background());
                    log.add(new Call(since(start), "ResolveAddress"));
                } catch (Exception err) {
                    log.add(new Call(since(start), "cannot ResolveAddress: " + err.getMessage()));
                } finally {
                    wg.done();
                }
            });
        }
        wg.await();
        List<Call> inOrder = new ArrayList<>(log);
        inOrder.sort(Comparator.comparing(Call::at).thenComparing(Call::what));
        Duration first = inOrder.isEmpty() ? Duration.ZERO : inOrder.get(0).at();
        return inOrder.stream().map(c -> new Call(c.at().minus(first), c.what())).toList();
    }

    // ---- main ---------------------------------------------------------------------------------------------------

    // Times are rounded to half a second: with the default options every time a limiter gives out is a multiple of
    // it (on virtual time, exactly), and a real run, where a timer may fire a little late, prints the same.
    static String show(Duration d) {
        return Script.durationString(d, Duration.ofMillis(500));
    }

    // Prints each kind of call on one line, with the times its calls got through.
    static void print(String title, List<Call> log) {
        System.out.println(title);
        for (String what : log.stream().map(Call::what).distinct().sorted().toList()) {
            StringJoiner times = new StringJoiner(" ");
            log.stream().filter(c -> c.what().equals(what)).forEach(c -> times.add(show(c.at())));
            System.out.printf("  %-15s %s%n", what, times);
        }
        System.out.println("  Done after " + show(log.isEmpty() ? Duration.ZERO : log.get(log.size() - 1).at()));
    }

    @Override
    public Integer call() {
        Script.require(spec, calls >= 0, "--calls must not be negative, got " + calls);
        List<String> titles = List.of(
                "No limit (fig-no-rate-limit.go):",
                "One limit: 1 a second, burst 1 (fig-simple-rate-limit.go):",
                "A multi-limiter: 2 a second burst 1, and 10 a minute burst 10 (fig-multi-rate-limit.go):",
                "Tiered limits: the API's (2 a second burst 2, and 10 a minute burst 10), and the disk's (1 a second)\n"
                        + "for ReadFile or the network's (3 a second burst 3) for ResolveAddress (the book's text):");
        List<APIConnection> connections = List.of(new Unlimited(), new SimpleLimit(), new MultiLimit(), new Tiered());
        // The four run side by side, each on its own connection, so the whole takes as long as the slowest (a
        // minute); then each one's log is printed.
        List<ReceiveOnly<List<Call>>> logs = new ArrayList<>();
        for (APIConnection apiConnection : connections) {
            Chan<List<Call>> log = make(1);
            go(() -> log.send(callAll(apiConnection, calls, gap)));
            logs.add(log);
        }
        for (int i = 0; i < titles.size(); i++) {
            print(titles.get(i), logs.get(i).receive());
        }
        return 0;
    }

    public static void main(String... args) {
        Script.run(new RateLimit(), args);
    }
}

// This is the output on virtual time (GOCHAN_TIME=virtual), where the times are exact. A real run takes a minute and
// prints the same lines: the times are rounded to half a second, and each is measured from the first call through.
//
// Output:
// No limit (fig-no-rate-limit.go):
//   ReadFile        0s 0s 0s 0s 0s 0s 0s 0s 0s 0s
//   ResolveAddress  0s 0s 0s 0s 0s 0s 0s 0s 0s 0s
//   Done after 0s
// One limit: 1 a second, burst 1 (fig-simple-rate-limit.go):
//   ReadFile        0s 1s 2s 3s 4s 5s 6s 7s 8s 9s
//   ResolveAddress  10s 11s 12s 13s 14s 15s 16s 17s 18s 19s
//   Done after 19s
// A multi-limiter: 2 a second burst 1, and 10 a minute burst 10 (fig-multi-rate-limit.go):
//   ReadFile        0s 500ms 1s 1.5s 2s 2.5s 3s 3.5s 4s 4.5s
//   ResolveAddress  6s 12s 18s 24s 30s 36s 42s 48s 54s 1m0s
//   Done after 1m0s
// Tiered limits: the API's (2 a second burst 2, and 10 a minute burst 10), and the disk's (1 a second)
// for ReadFile or the network's (3 a second burst 3) for ResolveAddress (the book's text):
//   ReadFile        0s 1s 2s 3s 4s 5s 6s 7s 8s 9s
//   ResolveAddress  6s 12s 18s 24s 30s 36s 42s 48s 54s 1m0s
//   Done after 1m0s
