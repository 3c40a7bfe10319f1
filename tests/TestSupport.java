import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import gochan.Go;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import net.jqwik.api.lifecycle.AroundTryHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.TryExecutionResult;
import net.jqwik.api.lifecycle.TryExecutor;
import net.jqwik.api.lifecycle.TryLifecycleContext;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.function.ThrowingSupplier;

/** What every test of concurrent code needs: a bound on each try, a leak check, and panics that fail the test. */
final class TestSupport {
    private TestSupport() {}

    /** How long a single concurrent try may take before it counts as a deadlock. */
    static final Duration TRY_BOUND = Duration.ofSeconds(10);

    // ---- panics ---------------------------------------------------------------------------------

    private static final ConcurrentLinkedQueue<String> panics = new ConcurrentLinkedQueue<>();

    /** Replaces Go's print-and-exit: a panic is recorded, and the runner fails the test during which it happened. */
    static void installPanicRecorder() {
        Go.setPanicHandler((goroutine, panic) -> panics.add(Go.panicReport(goroutine, panic)));
    }

    /** The panics recorded since the last call, as text ("" if none). */
    static String takePanics() {
        StringBuilder text = new StringBuilder();
        for (String panic; (panic = panics.poll()) != null; ) {
            text.append(panic).append('\n');
        }
        return text.toString();
    }

    // ---- bounds ---------------------------------------------------------------------------------

    /** Runs the body with a time bound, so that a deadlock fails the test instead of hanging the suite. */
    static <T> T bounded(ThrowingSupplier<T> body) {
        return assertTimeoutPreemptively(TRY_BOUND, body, "deadlock? the try did not finish within " + TRY_BOUND);
    }

    // ---- bubbles ---------------------------------------------------------------------------------

    /** Go's reasons for a bubble's deadlock (runtime/synctest.go). */
    static final String ALL_BLOCKED = "deadlock: all goroutines in bubble are blocked";
    static final String ROOT_EXITED = "deadlock: main bubble goroutine has exited but blocked goroutines remain";

    /** Runs f in a bubble, bounded: the Deadlock it throws, or null if every goroutine of the bubble ended. */
    static Deadlock verdict(Runnable f) {
        return bounded(() -> {
            try {
                bubble(f);
                return null;
            } catch (Deadlock deadlock) {
                return deadlock;
            }
        });
    }

    /** Waits (parking, with a bound) until the goroutines started since {@code baseline} have all ended. */
    static void assertNoGoroutineLeft(int baseline) {
        Go.awaitGoroutines(baseline, LEAK_BOUND); // throws naming every goroutine still running, with its stack
    }

    /**
     * The leak check as a hook: for Jupiter {@code @ExtendWith(TestSupport.NoLeaks.class)}, for jqwik
     * {@code @AddLifecycleHook(TestSupport.NoLeaks.class)}. After each test or each try, every goroutine started
     * during it must have ended.
     */
    static final class NoLeaks implements BeforeEachCallback, AfterEachCallback, AroundTryHook {
        private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(NoLeaks.class);

        @Override
        public void beforeEach(ExtensionContext context) {
            context.getStore(NAMESPACE).put("baseline", Go.goroutines());
        }

        @Override
        public void afterEach(ExtensionContext context) {
            assertNoGoroutineLeft(context.getStore(NAMESPACE).get("baseline", Integer.class));
        }

        @Override
        public PropagationMode propagateTo() {
            return PropagationMode.ALL_DESCENDANTS; // on a class, jqwik applies a hook to its tries only when told so
        }

        @Override
        public TryExecutionResult aroundTry(TryLifecycleContext context, TryExecutor aTry, List<Object> parameters) {
            int baseline = Go.goroutines();
            TryExecutionResult result = aTry.execute(parameters);
            if (result.status() == TryExecutionResult.Status.SATISFIED) {
                try {
                    assertNoGoroutineLeft(baseline);
                } catch (IllegalStateException leak) {
                    return TryExecutionResult.falsified(new AssertionError(leak.getMessage()));
                }
            }
            return result;
        }
    }

    // ---- channels ---------------------------------------------------------------------------------

    /** Receives everything from the stream until it is closed. */
    static <T> List<T> drain(ReceiveOnly<T> stream) {
        List<T> values = new ArrayList<>();
        for (T v : stream) {
            values.add(v);
        }
        return values;
    }

    /** Sends the values on a new channel with the given buffer, then closes it; stops early once done is closed. */
    static ReceiveOnly<Integer> producer(ReceiveOnly<?> done, List<Integer> values, int capacity) {
        Chan<Integer> stream = make(capacity);
        go(() -> {
            try {
                for (int v : values) {
                    switch (select(onReceive(done), onSend(stream, v)).index()) {
                        case 0 -> { return; }                       // case <-done: return
                        case 1 -> { }                               // case stream <- v:
                    }
                }
            } finally {
                stream.close();
            }
        });
        return stream;
    }

    static int[] ints(List<Integer> values) {
        return values.stream().mapToInt(Integer::intValue).toArray();
    }

    // ---- the repository -------------------------------------------------------------------------

    /** The repository root: the nearest folder, from the working directory up, that holds catalog.json. */
    static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("catalog.json")) && Files.isDirectory(dir.resolve("tests"))) {
                return dir;
            }
        }
        throw new IllegalStateException("run the tests from inside the repository (no catalog.json found above "
                + Path.of("").toAbsolutePath() + ")");
    }
}
