import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.function.Executable;

/**
 * What the channel tests need to talk about blocking: "this goroutine is now parked", "it is still blocked", "it has
 * ended", each with a bound so that a bug fails the test instead of hanging it.
 */
final class Blocking {
    private Blocking() {}

    /** TestSupport.bounded for a body that returns nothing. */
    static void bounded(Executable body) {
        TestSupport.bounded(() -> {
            body.execute();
            return null;
        });
    }

    /**
     * Waits until the goroutine is parked (Thread.State WAITING, or TIMED_WAITING for a sleep): a goroutine in a
     * channel operation parks only when it has to wait, so from then on it is queued on the channel.
     */
    static void awaitParked(Thread goroutine) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!isParked(goroutine)) {
            if (!goroutine.isAlive()) {
                fail(goroutine.getName() + " ended instead of blocking");
            }
            if (System.nanoTime() > deadline) {
                fail(goroutine.getName() + " did not block; it is " + goroutine.getState());
            }
            LockSupport.parkNanos(Duration.ofMillis(1).toNanos()); // real time, also in a bubble: the others may never block
        }
    }

    /** Shows that a parked goroutine stays blocked: after a short wait it has neither returned nor woken up. */
    static void assertStillBlocked(Thread goroutine) {
        LockSupport.parkNanos(Duration.ofMillis(50).toNanos()); // real time, also in a bubble
        assertTrue(isParked(goroutine),
                goroutine.getName() + " should still be blocked, but it is " + goroutine.getState());
    }

    private static boolean isParked(Thread goroutine) {
        Thread.State state = goroutine.getState();
        return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
    }

    /**
     * Runs the operation in a goroutine and shows that it blocks for good: it parks and stays parked, and only an
     * interrupt ends it, with {@link Interrupted} and the interrupt flag still set. So a test of "blocks forever"
     * leaves no goroutine behind.
     */
    static void assertBlocksUntilInterrupted(Runnable operation) {
        bounded(() -> {
            // given: a goroutine running the operation
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicBoolean interruptFlag = new AtomicBoolean();
            Thread goroutine = go(() -> {
                try {
                    operation.run();
                } catch (Throwable t) {
                    thrown.set(t);
                    interruptFlag.set(Thread.currentThread().isInterrupted());
                }
            });

            // then: it blocks and stays blocked
            awaitParked(goroutine);
            assertStillBlocked(goroutine);

            // when
            goroutine.interrupt();

            // then: only the interrupt ended it, and the flag is still set
            awaitEnd(goroutine);
            assertInstanceOf(Interrupted.class, thrown.get());
            assertTrue(interruptFlag.get(), "the interrupt flag should stay set");
        });
    }

    /** Waits until the goroutine has ended. */
    static void awaitEnd(Thread goroutine) {
        try {
            if (!goroutine.join(Duration.ofSeconds(5))) {
                fail(goroutine.getName() + " did not end; it is " + goroutine.getState());
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
