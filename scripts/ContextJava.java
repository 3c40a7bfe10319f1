///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION The greeting/farewell program the Java 25 way (preview API): StructuredTaskScope cancels the sibling and times out the lookup, ScopedValue carries request-scoped values.
//JAVA 25
//PREVIEW
//DEPS info.picocli:picocli:4.7.7
// To run it elsewhere, copy it with: gochan/Go.java gochan/Script.java
//SOURCES gochan/Go.java
//SOURCES gochan/Script.java

import gochan.Script;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.StructuredTaskScope;
import java.util.concurrent.StructuredTaskScope.FailedException;
import java.util.concurrent.StructuredTaskScope.Joiner;
import java.util.concurrent.StructuredTaskScope.Subtask;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

// Java's own answer to Go's context: structured concurrency. Forked tasks live inside a scope, the scope's owner
// joins them, and the scope cannot be left before every task has ended. A scope cancels its remaining tasks when
// one fails (or when its timeout passes), by interrupting them; values travel down in ScopedValues instead of a
// context parameter. The program is CancelContext.java's greeting/farewell, written the way Java 25 would.
//
// StructuredTaskScope is a preview API in Java 25 (JEP 505), hence //PREVIEW and exactly //JAVA 25: preview class
// files run only on the release that compiled them, and this API changed in every release so far. ScopedValue is
// final in Java 25 (JEP 506).
//
// | Go (CancelContext.java)                    | Java 25 (this file)                                 | Which does it better                                   |
// |--------------------------------------------|-----------------------------------------------------|--------------------------------------------------------|
// | ctx as every function's first parameter    | nothing to pass: the scope and the ScopedValue      | Java: no parameter threaded through every signature.   |
// |                                            | bindings belong to the thread and its forked tasks  | Go: visible in each signature, and works for any       |
// |                                            |                                                     | goroutine, structured or not.                          |
// | ctx, cancel := context.WithCancel(parent)  | StructuredTaskScope.open(Joiner                     | Java: a failing task cancels its siblings by itself,   |
// | and cancel() when printGreeting fails      |   .awaitAllSuccessfulOrThrow())                     | and close() waits for them: no task can leak. Go:      |
// |                                            |                                                     | cancel from anywhere, for any reason, any graph shape. |
// | <-ctx.Done() in a select                   | Thread interruption: sleep, join, blocking I/O      | Go: explicit, and composes with other channels in one  |
// |                                            | throw InterruptedException                          | select. Java: every blocking JDK call already listens, |
// |                                            |                                                     | but one catch that swallows the interrupt breaks it.   |
// | context.WithTimeout(ctx, 1*time.Second)    | open(joiner, cf -> cf.withTimeout(timeout))         | Even. Both cancel the work when the time is up.        |
// | ctx.Err(): Canceled, DeadlineExceeded      | Subtask.state(): FAILED with its exception, or      | Java: the failing task's own exception, with its stack |
// |                                            | UNAVAILABLE (cancelled); join() throws              | trace. Go: two plain values that any caller can test.  |
// |                                            | FailedException or TimeoutException                 |                                                        |
// | ctx.Deadline(), to fail fast               | none: a scope's timeout is invisible to its tasks;  | Go: the deadline travels with ctx and nests (a child   |
// |                                            | pass it yourself, e.g. in a ScopedValue             | can only move it closer). Java: by hand.               |
// | context.WithValue(ctx, key, v),            | ScopedValue.where(KEY, v).run(...), KEY.get()       | Java: typed (no cast), keys are objects that cannot    |
// | ctx.Value(key).(string)                    |                                                     | collide, the binding ends with the call. Go: values    |
// |                                            |                                                     | go wherever ctx goes, also across processes (gRPC).    |
// | defer cancel()                             | try-with-resources on the scope                     | Java: close() also waits for the tasks to end.         |
@Command(name = "context-java", mixinStandardHelpOptions = true, version = "context-java 1.0",
        description = "The greeting/farewell program the Java 25 way (preview API): StructuredTaskScope cancels the "
                + "sibling and times out the lookup, ScopedValue carries request-scoped values.")
public class ContextJava implements Callable<Integer> {

    @Option(names = "--timeout", defaultValue = "1s", converter = Script.GoDuration.class,
            description = "How long genGreeting waits for the locale (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--lookup", defaultValue = "1m", converter = Script.GoDuration.class,
            description = "How long a locale lookup takes (default: ${DEFAULT-VALUE}, as in the book).")
    Duration lookup;

    @Spec
    CommandSpec spec;

    // ---- 1. A scope cancels the sibling; a scope with a timeout gives up on the lookup -----------------------

    // The deadline genGreeting works to, for code below it that wants to fail fast (version 2). A scope's timeout is
    // not visible to the tasks in it, so the deadline is published by hand, like any request-scoped value.
    static final ScopedValue<Instant> DEADLINE = ScopedValue.newInstance();

    static class Program {
        final Duration lookup;
        final Duration timeout;

        Program(Duration lookup, Duration timeout) {
            this.lookup = lookup;
            this.timeout = timeout;
        }

        // main: forks both, and waits for both. The joiner fails the scope as soon as one task fails, and a failed
        // scope interrupts the tasks still running: Go's cancel(), without the call.
        void main() throws InterruptedException {
            try (var scope = StructuredTaskScope.open(Joiner.<String>awaitAllSuccessfulOrThrow())) {
                Subtask<String> greeting = scope.fork(this::genGreeting);
                Subtask<String> farewell = scope.fork(this::genFarewell);
                try {
                    scope.join();
                } catch (FailedException e) {
                    // reported below, from each task's own outcome
                }
                printOutcome("greeting", greeting);
                printOutcome("farewell", farewell);
            }
        }

        static void printOutcome(String what, Subtask<String> task) {
            switch (task.state()) {
                case SUCCESS -> System.out.printf("%s world!%n", task.get());
                case FAILED -> System.out.printf("cannot print %s: %s%n", what, describe(task.exception()));
                case UNAVAILABLE -> System.out.printf("cannot print %s: cancelled, its sibling failed%n", what);
            }
        }

        // genGreeting: runs the lookup in a scope of its own, with a timeout: when the time is up, join() throws
        // StructuredTaskScope.TimeoutException and close() interrupts the lookup. The deadline is bound in DEADLINE
        // for the code below; an outer deadline that is sooner stays (Go's contexts do that by themselves).
        String genGreeting() throws InterruptedException {
            Instant deadline = Instant.now().plus(timeout);
            if (DEADLINE.isBound() && DEADLINE.get().isBefore(deadline)) {
                deadline = DEADLINE.get();
            }
            Duration remaining = Duration.between(Instant.now(), deadline);
            String locale = ScopedValue.where(DEADLINE, deadline).call(() -> {
                try (var scope = StructuredTaskScope.open(Joiner.<String>anySuccessfulResultOrThrow(),
                        cf -> cf.withTimeout(remaining))) {
                    scope.fork(this::locale);
                    return scope.join();
                }
            });
            if (locale.equals("EN/US")) {
                return "hello";
            }
            throw new IllegalStateException("unsupported locale");
        }

        String genFarewell() throws Exception {
            if (locale().equals("EN/US")) {
                return "goodbye";
            }
            throw new IllegalStateException("unsupported locale");
        }

        // locale: a slow lookup. Sleep is a blocking call, so cancellation reaches it as an interrupt: no done
        // channel, no select.
        String locale() throws Exception {
            Thread.sleep(lookup);
            return "EN/US";
        }
    }

    // ---- 2. locale checks the deadline first -------------------------------------------------------------

    static class FailFast extends Program {
        FailFast(Duration lookup, Duration timeout) {
            super(lookup, timeout);
        }

        @Override
        String locale() throws Exception {
            if (DEADLINE.isBound() && !DEADLINE.get().isAfter(Instant.now().plus(lookup))) {
                throw new TimeoutException("a lookup cannot finish before the deadline");
            }
            return super.locale();
        }
    }

    // A failed task's exception, without the FailedException wrappers that each scope on the way adds.
    static String describe(Throwable t) {
        while (t instanceof FailedException && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    // ---- 3. Request-scoped values: ScopedValue -----------------------------------------------------------

    // A ScopedValue is its own key: an object compared by identity, typed, and private to the class that declares
    // it, so two libraries cannot collide even if both call theirs USER_ID. A binding holds only for the run(...)
    // call and the tasks it forks, and it cannot be changed inside it (the book's second rule for context values: the data should be immutable).
    static class Values {
        private static final ScopedValue<String> USER_ID = ScopedValue.newInstance();
        private static final ScopedValue<String> AUTH_TOKEN = ScopedValue.newInstance();

        static void processRequest(String userID, String authToken) throws InterruptedException {
            ScopedValue.where(USER_ID, userID).where(AUTH_TOKEN, authToken).call(() -> {
                handleResponse("");
                try (var scope = StructuredTaskScope.open()) {     // forked tasks see the caller's bindings
                    scope.fork(() -> handleResponse("in a forked task: "));
                    scope.join();
                }
                Library.call(() -> handleResponse("a library binds its own USER_ID: "));
                return null;
            });
            System.out.println("after the request, USER_ID is bound: " + USER_ID.isBound());
        }

        static void handleResponse(String prefix) {
            System.out.printf("%shandling response for %s (auth: %s)%n", prefix, USER_ID.get(), AUTH_TOKEN.get());
        }

        // Another class on the request's path, with a user id of its own.
        static final class Library {
            private static final ScopedValue<Integer> USER_ID = ScopedValue.newInstance();

            static void call(Runnable next) {
                ScopedValue.where(USER_ID, 42).run(next);
            }
        }
    }

    // ---- main --------------------------------------------------------------------------------------------

    static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    @Override
    public Integer call() throws InterruptedException {
        Script.require(spec, timeout.isPositive(), "--timeout must be positive");
        Script.require(spec, lookup.isPositive(), "--lookup must be positive");

        System.out.println("== 1. a failing task cancels its sibling; a scope's timeout cuts the lookup short ==");
        long start = System.nanoTime();
        new Program(lookup, timeout).main();
        Duration took = since(start);
        System.out.println(took.compareTo(timeout) >= 0 && took.compareTo(lookup) < 0
                ? "gave up when the timeout passed, long before a lookup would end"
                : "took " + Script.durationString(took, Duration.ofMillis(100)));

        System.out.println("== 2. locale checks the deadline first, and fails at once ==");
        start = System.nanoTime();
        new FailFast(lookup, timeout).main();
        took = since(start);
        System.out.println(took.compareTo(timeout) < 0 && took.compareTo(lookup) < 0
                ? "gave up at once, without waiting for the timeout"
                : "took " + Script.durationString(took, Duration.ofMillis(100)));

        System.out.println("== 3. request-scoped values ==");
        Values.processRequest("jane", "abc123");
        return 0;
    }

    public static void main(String... args) {
        // Not on virtual time: StructuredTaskScope and the deadlines here run on the JDK's own clock.
        Script.runInRealTime(new ContextJava(), args);
    }
}

// Output:
// == 1. a failing task cancels its sibling; a scope's timeout cuts the lookup short ==
// cannot print greeting: TimeoutException
// cannot print farewell: cancelled, its sibling failed
// gave up when the timeout passed, long before a lookup would end
// == 2. locale checks the deadline first, and fails at once ==
// cannot print greeting: TimeoutException: a lookup cannot finish before the deadline
// cannot print farewell: cancelled, its sibling failed
// gave up at once, without waiting for the timeout
// == 3. request-scoped values ==
// handling response for jane (auth: abc123)
// in a forked task: handling response for jane (auth: abc123)
// a library binds its own USER_ID: handling response for jane (auth: abc123)
// after the request, USER_ID is bound: false
