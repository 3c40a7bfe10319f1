///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Go's context package ported: the book's greeting/farewell program with a done channel, then with withCancel and withTimeout, then failing fast on the deadline; and request-scoped values with typed keys.
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
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

// The context package: a done channel with extra bells and whistles. A Context is passed down the call graph as the
// first parameter of every function; it tells them when to give up (cancelled by whoever holds its cancel function,
// or by its deadline, and always when its parent is) and why (err()), and it carries request-scoped values.
//
// The book's example: a program prints a greeting and a farewell at the same time, and both look up the locale,
// which is slow. It is shown four times: (1) with a done channel; (2) with a context, where genGreeting gives up on
// the lookup after a timeout, and its failure cancels the sibling genFarewell; (3) where locale checks the deadline
// up front and fails at once if the lookup cannot finish in time; (4) values in a context, with typed keys.
//
// From Concurrency in Go, chapter 4, "The context Package"; the book's code: kat-co/concurrency-in-go-src,
// concurrency-patterns-in-go/the-context-package/: fig-greeter-with-done-chan.go,
// fig-greeter-with-context.go (the deadline check and the values are in the text only).
@Command(name = "context", mixinStandardHelpOptions = true, version = "context 1.0",
        description = "Go's context package ported: the book's greeting/farewell program with a done channel, then "
                + "with withCancel and withTimeout, then failing fast on the deadline; and request-scoped values with "
                + "typed keys.")
public class CancelContext implements Callable<Integer> {

    @Option(names = "--timeout", defaultValue = "1s", converter = Script.GoDuration.class,
            description = "How long genGreeting waits for the locale in versions 2 and 3 (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--lookup", defaultValue = "1m", converter = Script.GoDuration.class,
            description = "How long a locale lookup takes in versions 2 and 3 (default: ${DEFAULT-VALUE}, as in the book).")
    Duration lookup;

    @Option(names = "--short-lookup", defaultValue = "100ms", converter = Script.GoDuration.class,
            description = "How long a lookup takes in version 1, which has no timeout and would wait out a whole "
                    + "minute (default: ${DEFAULT-VALUE}).")
    Duration shortLookup;

    @Spec
    CommandSpec spec;

    // ---- 1. With a done channel --------------------------------------------------------------------------

    // Both lookups take their full time: a done channel can stop them, but nothing here gives up after a timeout,
    // and nothing lets a failing greeting cancel the farewell. That takes more channels and more plumbing.
    static class DoneChannel {
        final Duration lookup;

        DoneChannel(Duration lookup) {
            this.lookup = lookup;
        }

        void main() {
            WaitGroup wg = new WaitGroup();
            Chan<Void> done = make();
            try {                                                   // defer close(done)
                wg.add(1);
                go(() -> {
                    try {                                           // defer wg.Done()
                        printGreeting(done);
                    } catch (Exception err) {
                        System.out.println(err.getMessage());
                    } finally {
                        wg.done();
                    }
                });
                wg.add(1);
                go(() -> {
                    try {
                        printFarewell(done);
                    } catch (Exception err) {
                        System.out.println(err.getMessage());
                    } finally {
                        wg.done();
                    }
                });
                wg.await();
            } finally {
                done.close();
            }
        }

        void printGreeting(ReceiveOnly<?> done) throws Exception {
            System.out.printf("%s world!%n", genGreeting(done));
        }

        void printFarewell(ReceiveOnly<?> done) throws Exception {
            System.out.printf("%s world!%n", genFarewell(done));
        }

        String genGreeting(ReceiveOnly<?> done) throws Exception {
            if (locale(done).equals("EN/US")) {
                return "hello";
            }
            throw new Exception("unsupported locale");
        }

        String genFarewell(ReceiveOnly<?> done) throws Exception {
            if (locale(done).equals("EN/US")) {
                return "goodbye";
            }
            throw new Exception("unsupported locale");
        }

        // locale: a slow lookup that gives up when done is closed.
        // Unlike the book's locale (fig-greeter-with-done-chan.go, fig-greeter-with-context.go): its
        // `case <-time.After(1 * time.Minute)` leaves its timer alive for the whole minute when done wins (until
        // Go 1.23, which collects unreferenced timers). A timer that is stopped on the way out is released at once.
        String locale(ReceiveOnly<?> done) throws Exception {
            Timer lookupTimer = newTimer(lookup);
            try {                                                   // defer lookupTimer.Stop()
                switch (select(onReceive(done), onReceive(lookupTimer.c())).index()) {
                    case 0 -> throw new Exception("canceled");      // case <-done: return "", fmt.Errorf("canceled")
                    case 1 -> { }                                   // case <-lookupTimer.C:
                }
            } finally {
                lookupTimer.stop();
            }
            return "EN/US";
        }
    }

    // ---- 2. With a context: withCancel in main, withTimeout in genGreeting ---------------------------------

    // main derives a cancellable context; when printGreeting fails it calls cancel, which also cancels
    // printFarewell's lookup. genGreeting derives a child with a timeout, so that its lookup gives up after
    // `timeout` instead of waiting the whole `lookup`. Its error is DeadlineExceeded; the farewell's is Canceled.
    static class WithContext {
        final Duration lookup;
        final Duration timeout;

        WithContext(Duration lookup, Duration timeout) {
            this.lookup = lookup;
            this.timeout = timeout;
        }

        void main() {
            WaitGroup wg = new WaitGroup();
            Cancelable c = withCancel(background());                // ctx, cancel := context.WithCancel(
            Context ctx = c.ctx();                           //     context.Background())
            CancelFunc cancel = c.cancel();
            try {                                                   // defer cancel()
                wg.add(1);
                go(() -> {
                    try {
                        printGreeting(ctx);
                    } catch (Exception err) {
                        System.out.printf("cannot print greeting: %s%n", err.getMessage());
                        cancel.cancel();                            // the greeting failed: cancel the farewell
                    } finally {
                        wg.done();
                    }
                });
                wg.add(1);
                go(() -> {
                    try {
                        printFarewell(ctx);
                    } catch (Exception err) {
                        System.out.printf("cannot print farewell: %s%n", err.getMessage());
                    } finally {
                        wg.done();
                    }
                });
                wg.await();
            } finally {
                cancel.cancel();
            }
        }

        void printGreeting(Context ctx) throws Exception {
            System.out.printf("%s world!%n", genGreeting(ctx));
        }

        void printFarewell(Context ctx) throws Exception {
            System.out.printf("%s world!%n", genFarewell(ctx));
        }

        // genGreeting: gives the lookup at most `timeout`. The child context is cancelled when the timeout passes,
        // or when main cancels ctx, whichever comes first; its own cancel, on the way out, stops its timer.
        String genGreeting(Context ctx) throws Exception {
            Cancelable c = withTimeout(ctx, timeout);               // ctx, cancel := context.WithTimeout(ctx, 1*time.Second)
            try {                                                   // defer cancel()
                if (locale(c.ctx()).equals("EN/US")) {
                    return "hello";
                }
                throw new Exception("unsupported locale");
            } finally {
                c.cancel().cancel();
            }
        }

        String genFarewell(Context ctx) throws Exception {
            if (locale(ctx).equals("EN/US")) {
                return "goodbye";
            }
            throw new Exception("unsupported locale");
        }

        // locale: a slow lookup that gives up when ctx is done, and says why: `throw ctx.err()` is Go's
        // `return "", ctx.Err()`, and the error is Canceled or DeadlineExceeded.
        String locale(Context ctx) throws Exception {
            Timer lookupTimer = newTimer(lookup);
            try {
                switch (select(onReceive(ctx.done()), onReceive(lookupTimer.c())).index()) {
                    case 0 -> throw ctx.err();                      // case <-ctx.Done(): return "", ctx.Err()
                    case 1 -> { }                                   // case <-lookupTimer.C:
                }
            } finally {
                lookupTimer.stop();
            }
            return "EN/US";
        }
    }

    // ---- 3. locale checks the deadline first ---------------------------------------------------------------

    // The same program, but locale looks at the deadline before it starts: if the lookup cannot finish in time it
    // fails at once, instead of spending the whole timeout on a call that is bound to be cut off. The catch, as the
    // book says: the function must know how long its work will take, which is hard to know.
    static class FailFast extends WithContext {
        FailFast(Duration lookup, Duration timeout) {
            super(lookup, timeout);
        }

        volatile boolean gaveUpAtOnce;                              // for main to say so

        @Override
        String locale(Context ctx) throws Exception {
            Optional<Instant> deadline = ctx.deadline();
            if (deadline.isPresent() && !deadline.get().isAfter(now().plus(lookup))) {
                gaveUpAtOnce = true;
                throw DeadlineExceeded;                             // return "", context.DeadlineExceeded
            }
            return super.locale(ctx);
        }
    }

    // ---- 4. Request-scoped values ------------------------------------------------------------------------

    // Values in a context are for request-scoped data that crosses API boundaries (a user id, an auth token, a trace
    // id), not for optional parameters. The book's heuristics: the data should transit process or API boundaries, be
    // immutable, be data rather than types with methods, trend toward simple types, and decorate operations rather
    // than drive them.
    static class Values {

        // The book's first try uses strings as keys, and so does a library the request passes through: both write
        // "userID", and the later one wins. staticcheck flags string keys for this reason (SA1029).
        static void processRequestWithStringKeys(String userID, String authToken) {
            Context ctx = withValue(background(), "userID", userID);
            ctx = withValue(ctx, "authToken", authToken);
            System.out.print("string keys: ");
            handleResponseWithStringKeys(ctx);
            System.out.print("string keys, and a library also sets \"userID\": ");
            handleResponseWithStringKeys(Library.withStringKey(ctx));
        }

        static void handleResponseWithStringKeys(Context ctx) {
            System.out.printf("handling response for %s (%s)%n", ctx.value("userID"), ctx.value("authToken"));
        }

        // The fix: an unexported key type, here a private enum (Go: `type ctxKey int` with constants ctxUserID and
        // ctxAuthToken). Keys of different types never compare equal, so no other package's key can collide with
        // these, and the typed accessors userID and authToken are the only way in.
        private enum ctxKey { userID, authToken }

        static String userID(Context ctx) {
            return (String) ctx.value(ctxKey.userID);              // c.Value(ctxUserID).(string)
        }

        static String authToken(Context ctx) {
            return (String) ctx.value(ctxKey.authToken);
        }

        static void processRequest(String userID, String authToken) {
            Context ctx = withValue(background(), ctxKey.userID, userID);
            ctx = withValue(ctx, ctxKey.authToken, authToken);
            System.out.print("typed keys: ");
            handleResponse(ctx);
            System.out.print("typed keys, and a library also sets its userID: ");
            handleResponse(Library.withTypedKey(ctx));
        }

        static void handleResponse(Context ctx) {
            System.out.printf("handling response for %s (auth: %s)%n", userID(ctx), authToken(ctx));
        }

        // Another package on the request's path that stores a user id of its own (a number, in its own sense).
        // Java's `private` is per top-level class, so within this one file it keeps nothing out; in a real program
        // this is another class, and its key type is private to it.
        static final class Library {
            private enum key { userID }

            static Context withStringKey(Context ctx) {
                return withValue(ctx, "userID", 42);
            }

            static Context withTypedKey(Context ctx) {
                return withValue(ctx, key.userID, 42);
            }
        }
    }

    // ---- main --------------------------------------------------------------------------------------------

    // Go's d.Truncate(100 * time.Millisecond): what was measured, to the 100 ms the lesson needs (version 1 takes
    // one lookup, version 2 the timeout). On virtual time it is exact. A real run is only
    // ever late (no timer fires early), by a few milliseconds, so truncating, not rounding, keeps its lines the same.
    static String truncated(Duration d) {
        Duration unit = Duration.ofMillis(100);
        return Script.durationString(unit.multipliedBy(d.toNanos() / unit.toNanos()), unit);
    }

    // Go's d.String(), for the options as given, such as 1m0s.
    static String exactly(Duration d) {
        return Script.durationString(d, Duration.ofNanos(1));
    }

    @Override
    public Integer call() {
        Script.require(spec, timeout.isPositive(), "--timeout must be positive");
        Script.require(spec, lookup.isPositive(), "--lookup must be positive");
        Script.require(spec, !shortLookup.isNegative(), "--short-lookup must not be negative");

        System.out.println("== 1. a done channel: both lookups take their time ==");
        Instant start = now();
        new DoneChannel(shortLookup).main();
        System.out.println("took " + truncated(since(start)));   // time.Since(start)

        System.out.println("== 2. withCancel and withTimeout: genGreeting gives up, and cancels genFarewell ==");
        start = now();
        new WithContext(lookup, timeout).main();
        System.out.println("gave up after " + truncated(since(start)) + ", when the timeout passed, long before a "
                + "lookup would end (" + exactly(lookup) + ")");

        System.out.println("== 3. locale checks the deadline first, and fails at once ==");
        FailFast failFast = new FailFast(lookup, timeout);
        failFast.main();
        // Said from what locale did, not read from a clock, which a stalled machine would push past 0s.
        System.out.println("gave up " + (failFast.gaveUpAtOnce ? "at once, before any lookup" : "after a lookup")
                + ", without waiting for the timeout (" + exactly(timeout) + ")");

        System.out.println("== 4. request-scoped values ==");
        Values.processRequestWithStringKeys("jane", "abc123");
        Values.processRequest("jane", "abc123");

        // Every cancel released its timer at once, and every goroutine ended: nothing is left behind.
        awaitGoroutines(0, LEAK_BOUND);
        System.out.println("left running: " + goroutines() + " goroutines, " + timers() + " timers");
        return 0;
    }

    public static void main(String... args) {
        Script.run(new CancelContext(), args);
    }
}

// Version 1's two lines come from two goroutines that finish at the same moment, so they may come in either order.
//
// Output:
// == 1. a done channel: both lookups take their time ==
// {any order}
// hello world!
// goodbye world!
// {end any order}
// took 100ms
// == 2. withCancel and withTimeout: genGreeting gives up, and cancels genFarewell ==
// cannot print greeting: context deadline exceeded
// cannot print farewell: context canceled
// gave up after 1s, when the timeout passed, long before a lookup would end (1m0s)
// == 3. locale checks the deadline first, and fails at once ==
// cannot print greeting: context deadline exceeded
// cannot print farewell: context canceled
// gave up at once, before any lookup, without waiting for the timeout (1s)
// == 4. request-scoped values ==
// string keys: handling response for jane (abc123)
// string keys, and a library also sets "userID": handling response for 42 (abc123)
// typed keys: handling response for jane (auth: abc123)
// typed keys, and a library also sets its userID: handling response for jane (auth: abc123)
// left running: 0 goroutines, 0 timers
