///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION errgroup, Go's golang.org/x/sync/errgroup: goroutines working on parts of one task; the first error cancels the others through their context and Wait returns it; SetLimit bounds how many run at once, TryGo starts one only if a slot is free.
//JAVA 21+
//DEPS info.picocli:picocli:4.7.7
// To run it elsewhere, copy it with: gochan/Go.java gochan/Context.java gochan/Script.java
//SOURCES gochan/Go.java
//SOURCES gochan/Context.java
//SOURCES gochan/Script.java

import static gochan.Go.*;

import gochan.Context;
import gochan.Go;
import gochan.Script;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

// errgroup: Go's golang.org/x/sync/errgroup, ported from its errgroup/errgroup.go (github.com/golang/sync). A Group
// is a WaitGroup for goroutines that work on parts of one task and can fail: Go(f) runs f in a new goroutine, Wait()
// waits for all of them and returns the first error. A Group made by withContext also cancels a context as soon as
// one fails (or else when Wait returns), so that the others, which select on ctx.done(), stop working for nothing.
// SetLimit(n) bounds how many run at once: Go blocks until one of the n slots is free, and TryGo starts f only if one
// is free now.
//
// Go's f is a func() error. Here it is a Task that returns normally (nil) or throws its error, as the other ports
// in this collection do (`throw ctx.err()` for `return ctx.Err()`). An Error (AssertionError, OutOfMemoryError) or a
// Go.Panic ("send on closed channel") is not an error but a panic: it escapes the goroutine, as errgroup leaves
// Go's panics alone. Wait is await(), as for WaitGroup: Java's Object already has a wait().
//
// errgroup or StructuredTaskScope? Java 25's StructuredTaskScope (a preview, used in ContextJava.java) with its
// default joiner, awaitAllSuccessfulOrThrow, is the JDK's nearest thing: fork is Go, join is Wait, and the first
// failure cancels the rest. The differences: the scope cancels by interrupting its subtasks, so a sleep or a
// blocking read stops by itself, while a Group cancels only ctx, which each task must watch in its selects; the
// scope is opened and closed by one thread in a try-with-resources block and close() waits for every subtask, so
// none can outlive it, while a Group is a plain value (forget Wait and its goroutines run on) and any goroutine may
// call Go on it, where only the scope's owner may fork; join throws the first failure wrapped in a FailedException,
// Wait returns it; each Subtask holds its result, while a Group's tasks store theirs themselves (a slot of an array,
// a channel); and the scope has no SetLimit: a Semaphore acquired before each fork and released as the subtask ends
// does that. Use the scope for a call that forks and joins in one method; the Group where goroutines are added as
// the work is found (Md5.java's walk adds one per file, SetLimit holding the walk back), and on Java 21.
@Command(name = "errgroup", mixinStandardHelpOptions = true, version = "errgroup 1.0",
        description = "errgroup, Go's golang.org/x/sync/errgroup: goroutines working on parts of one task; the first "
                + "error cancels the others through their context and Wait returns it; SetLimit bounds how many run at "
                + "once, TryGo starts one only if a slot is free.")
public class ErrGroup implements Callable<Integer> {

    // ==== The package: errgroup.go ============================================================================

    /** Go's {@code func() error}: returning normally returns nil, throwing an Exception returns that error. */
    @FunctionalInterface
    public interface Task {
        void run() throws Exception;
    }

    private record Token() {}                                       // type token struct{}

    private static final Token TOKEN = new Token();

    /** Go's two results {@code g, ctx} of WithContext. */
    public record GroupContext(Group g, Context ctx) {}

    /**
     * A new Group and a Context derived from ctx, cancelled the first time a task returns an error or the first time
     * Wait returns, whichever occurs first; its cause ({@link Context#cause}) is that error.
     */
    public static GroupContext withContext(Context ctx) {
        Context.CancelableWithCause c = Context.withCancelCause(ctx); // ctx, cancel := context.WithCancelCause(ctx)
        return new GroupContext(new Group(c.cancel()), c.ctx());    // return &Group{cancel: cancel}, ctx
    }

    /**
     * Go's {@code errgroup.Group}: goroutines working on subtasks of one task. {@code new Group()} is Go's zero Group:
     * no limit, and it cancels nothing on error. A Group should not be reused for different tasks.
     */
    public static final class Group {
        private final Context.CancelCauseFunc cancel;               // cancel func(error); null in a zero Group
        private final WaitGroup wg = new WaitGroup();               // wg sync.WaitGroup
        private volatile Chan<Token> sem;                           // sem chan token; null: no limit
        private final AtomicBoolean errOnce = new AtomicBoolean();  // errOnce sync.Once
        private volatile Exception err;                             // err error

        public Group() {
            this(null);
        }

        private Group(Context.CancelCauseFunc cancel) {
            this.cancel = cancel;
        }

        private void done() {
            if (sem != null) {
                sem.receive();                                      // <-g.sem
            }
            wg.done();                                              // g.wg.Done()
        }

        /** Blocks until every task started by go has returned, then returns the first error, or null if none failed. */
        public Exception await() {
            wg.await();                                             // g.wg.Wait()
            if (cancel != null) {
                cancel.cancel(err);                                 // g.cancel(g.err): a nil cause is Canceled
            }
            return err;
        }

        /**
         * Runs f in a new goroutine, once the group is below its limit: until then it blocks. The first task that
         * fails cancels the group's context, if it has one, and its error is what await returns.
         */
        public void go(Task f) {
            if (sem != null) {
                sem.send(TOKEN);                                    // g.sem <- token{}
            }
            wg.add(1);                                              // g.wg.Add(1)
            Go.go(() -> run(f));                                    // go func() { ... }(): Go.go, since go is this method
        }

        /** Runs f in a new goroutine only if the group is below its limit now; true if it started f. */
        public boolean tryGo(Task f) {
            if (sem != null) {
                switch (select(onSend(sem, TOKEN), onDefault()).index()) { // select {
                    case 0 -> { }                                   // case g.sem <- token{}:
                    case 1 -> { return false; }                     // default: return false
                }
            }
            wg.add(1);
            Go.go(() -> run(f));
            return true;
        }

        // The goroutine of go and tryGo.
        private void run(Task f) {
            try {                                                   // defer g.done()
                f.run();
            } catch (Go.Panic panic) {
                throw panic;                                        // a panic, not an error: it escapes
            } catch (Exception err) {                               // if err := f(); err != nil {
                if (errOnce.compareAndSet(false, true)) {           // g.errOnce.Do(func() {
                    this.err = err;                                 // g.err = err
                    if (cancel != null) {
                        cancel.cancel(err);                         // g.cancel(g.err)
                    }
                }
            } finally {
                done();
            }
        }

        /**
         * Limits the tasks running at once to n; a negative n removes the limit, and 0 lets none start. Not while
         * tasks of the group are running (it panics, as Go's does, when it can tell).
         */
        public void setLimit(int n) {
            if (n < 0) {
                sem = null;                                         // g.sem = nil
                return;
            }
            int active = sem == null ? 0 : sem.len();
            if (active != 0) {
                throw new Panic("errgroup: modify limit while " + active + " goroutines in the group are still active");
            }
            sem = make(n);                                          // g.sem = make(chan token, n)
        }
    }

    // ==== The demo =============================================================================================

    @Option(names = "--fail-after", defaultValue = "200ms", converter = Script.GoDuration.class, paramLabel = "<duration>",
            description = "2. When the image search fails (web takes 500ms, video 800ms; default: ${DEFAULT-VALUE}).")
    Duration failAfter;

    @Option(names = "--tasks", description = "3. Tasks started through SetLimit (default: ${DEFAULT-VALUE}).")
    int tasks = 5;

    @Option(names = "--limit", description = "3. The limit: tasks that may run at once (default: ${DEFAULT-VALUE}).")
    int limit = 2;

    @Option(names = "--task-time", defaultValue = "100ms", converter = Script.GoDuration.class, paramLabel = "<duration>",
            description = "3. How long each of those tasks takes (default: ${DEFAULT-VALUE}).")
    Duration taskTime;

    @Spec
    CommandSpec spec;

    static final String[] KINDS = {"web", "image", "video"};

    // search: a fake search that takes its latency, then answers or fails; or stops as soon as ctx is done, with
    // ctx's error. Its wait is a timer, stopped on either way out.
    static String search(Context ctx, String kind, String query, Duration latency, boolean fails) throws Exception {
        Timer timer = newTimer(latency);
        try {
            switch (select(onReceive(ctx.done()), onReceive(timer.c())).index()) {
                case 0 -> throw ctx.err();                          // case <-ctx.Done(): return "", ctx.Err()
                case 1 -> { }                                       // case <-timer.C:
            }
        } finally {
            timer.stop();
        }
        if (fails) {
            throw new Exception("503 Service Unavailable from the " + kind + " server");
        }
        return kind + " result for \"" + query + "\"";         // fmt.Sprintf("%s result for %q", kind, query)
    }

    static String show(Duration d) {
        return Script.durationString(d, Duration.ofMillis(1));
    }

    // A time truncated to a unit (Go's d.Truncate(unit)): exact on virtual time, and what a real run prints too, as
    // long as the waits before it end less than a unit late in all.
    static String show(Duration d, Duration unit) {
        return show(unit.multipliedBy(d.toNanos() / unit.toNanos()));
    }

    static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    // 1. errgroup's "Parallel" example (errgroup_test.go: Google Search 2.0 from Pike's talk, with a Context): three
    // searches at once, each result in its own slot; Wait returns nil once all have answered, and cancels ctx anyway.
    static void parallel() {
        GroupContext gc = withContext(Context.background());       // g, ctx := errgroup.WithContext(ctx)
        Group g = gc.g();
        Context ctx = gc.ctx();
        String[] results = new String[KINDS.length];                // results := make([]Result, len(searches))
        for (int i = 0; i < KINDS.length; i++) {
            int slot = i;
            g.go(() -> {                                            // g.Go(func() error {
                results[slot] = search(ctx, KINDS[slot], "golang", Duration.ofMillis(10 * (slot + 1)), false);
            });
        }
        Exception err = g.await();                                  // if err := g.Wait(); err != nil {
        System.out.println("1. errgroup's Parallel example: web, image and video searched at once.");
        for (String result : results) {
            System.out.println("  " + result);
        }
        System.out.println("Wait returned " + (err == null ? "<nil>" : err.getMessage())
                + ", and ctx is done anyway: " + ctx.err());
    }

    // 2. The same with a search that fails: each task writes what it came to into its own slot, printed in order
    // once Wait has returned.
    void firstErrorCancelsTheOthers() {
        Duration[] latencies = {Duration.ofMillis(500), failAfter, Duration.ofMillis(800)};
        Duration unit = Duration.ofMillis(Math.max(1, gcd(gcd(500, 800), failAfter.toMillis()))); // 100ms by default
        String[] outcomes = new String[KINDS.length];
        Instant start = now();
        GroupContext gc = withContext(Context.background());
        Group g = gc.g();
        Context ctx = gc.ctx();
        for (int i = 0; i < KINDS.length; i++) {
            int slot = i;
            g.go(() -> {
                try {
                    outcomes[slot] = search(ctx, KINDS[slot], "golang", latencies[slot], KINDS[slot].equals("image"));
                } catch (Exception err) {
                    outcomes[slot] = err.getMessage();
                    throw err;                                      // return err
                } finally {
                    outcomes[slot] += " after " + show(since(start), unit);
                }
            });
        }
        Exception err = g.await();
        System.out.printf("%n2. The same, but image fails after %s: its error cancels the others.%n", show(failAfter));
        for (int i = 0; i < KINDS.length; i++) {
            System.out.printf("  %-14s %s%n", KINDS[i] + " (" + show(latencies[i]) + "):", outcomes[i]);
        }
        System.out.println("Wait returned after " + show(since(start), unit) + ": " + (err == null ? "<nil>" : err.getMessage()));
        System.out.println("context.Cause(ctx): " + Context.cause(ctx).getMessage());
    }

    // 3. SetLimit(n): Go blocks while n tasks run, so the loop itself is held back; TryGo does not block. It is
    // tried once the first n tasks have started: they all run for --task-time, so the group is full then.
    void setLimitBoundsTheGroup() {
        Instant start = now();
        Group g = new Group();                                      // var g errgroup.Group
        g.setLimit(limit);                                          // g.SetLimit(limit)
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        Duration[] startedAt = new Duration[tasks];
        Boolean triedWhileFull = null;
        for (int i = 0; i < tasks; i++) {
            int task = i;
            g.go(() -> {                                            // g.Go(func() error {
                startedAt[task] = since(start);
                most.accumulateAndGet(running.incrementAndGet(), Math::max);
                sleep(taskTime);
                running.decrementAndGet();
            });
            if (i == limit - 1) {
                triedWhileFull = g.tryGo(() -> { });                // g.TryGo(func() error { return nil })
            }
        }
        Exception err = g.await();
        System.out.printf("%n3. SetLimit(%d): %d tasks of %s each.%n", limit, tasks, show(taskTime));
        for (int i = 0; i < tasks; i++) {
            System.out.println("  task " + (i + 1) + " started at " + show(startedAt[i], taskTime));
        }
        System.out.println("At most " + most.get() + " ran at once; Wait returned after " + show(since(start), taskTime)
                + " with " + (err == null ? "<nil>" : err.getMessage()) + ".");
        if (triedWhileFull != null) {
            System.out.println("TryGo with " + limit + " running: " + triedWhileFull + "; after Wait: " + g.tryGo(() -> { }));
        }
        g.await();
    }

    @Override
    public Integer call() {
        Script.require(spec, tasks >= 0, "--tasks must not be negative, got " + tasks);
        Script.require(spec, limit >= 1, "--limit must be at least 1, got " + limit);
        Script.require(spec, taskTime.compareTo(Duration.ofMillis(10)) >= 0,
                "--task-time must be at least 10ms, got " + show(taskTime));
        Script.require(spec, !failAfter.isZero(), "--fail-after must be more than 0s");
        parallel();
        firstErrorCancelsTheOthers();
        setLimitBoundsTheGroup();
        return 0;
    }

    public static void main(String... args) {
        Script.run(new ErrGroup(), args);
    }
}

// On virtual time (GOCHAN_TIME=virtual) every time is exact. A real run prints the same lines as long as the waits
// end less than 100ms late in all: the times of part 2 are truncated to the greatest common divisor of the latencies,
// those of part 3 to the task time (both 100ms by default).
//
// Output:
// 1. errgroup's Parallel example: web, image and video searched at once.
//   web result for "golang"
//   image result for "golang"
//   video result for "golang"
// Wait returned <nil>, and ctx is done anyway: context canceled
//
// 2. The same, but image fails after 200ms: its error cancels the others.
//   web (500ms):   context canceled after 200ms
//   image (200ms): 503 Service Unavailable from the image server after 200ms
//   video (800ms): context canceled after 200ms
// Wait returned after 200ms: 503 Service Unavailable from the image server
// context.Cause(ctx): 503 Service Unavailable from the image server
//
// 3. SetLimit(2): 5 tasks of 100ms each.
//   task 1 started at 0s
//   task 2 started at 0s
//   task 3 started at 100ms
//   task 4 started at 100ms
//   task 5 started at 200ms
// At most 2 ran at once; Wait returned after 300ms with <nil>.
// TryGo with 2 running: false; after Wait: true
