import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Goroutines: {@code go} runs a body in a new virtual thread, {@code goroutines()} counts the live ones, and an
 * exception escaping a goroutine is a panic, handed to the panic handler.
 */
@ExtendWith(TestSupport.NoLeaks.class)
class GoroutineTest {

    @Test
    void goRunsTheBodyInANewVirtualThread_namedGoroutineN() {
        Blocking.bounded(() -> {
            // given
            CompletableFuture<Thread> ranIn = new CompletableFuture<>();

            // when
            Thread goroutine = go(() -> ranIn.complete(Thread.currentThread()));

            // then
            Thread thread = ranIn.get(5, TimeUnit.SECONDS);
            assertSame(goroutine, thread);
            assertTrue(thread.isVirtual());
            assertTrue(thread.getName().matches("goroutine-\\d+"), thread.getName());
            Blocking.awaitEnd(goroutine);
        });
    }

    @Test
    void goroutinesCountsTheLiveOnes_andReturnsToTheBaseline() {
        Blocking.bounded(() -> {
            // given
            int baseline = goroutines();
            Chan<Void> release = make();

            // when: five goroutines block until released
            List<Thread> started = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                started.add(go(() -> release.receive()));
            }

            // then: they count as soon as go returns
            assertEquals(baseline + 5, goroutines());

            // when
            release.close();

            // then: each one is uncounted as it ends
            awaitGoroutines(baseline, LEAK_BOUND);
            assertEquals(baseline, goroutines());
            started.forEach(Blocking::awaitEnd);
        });
    }

    @Test
    void awaitGoroutinesFails_namingTheStuckGoroutineAndItsStack() {
        Blocking.bounded(() -> {
            // given: a goroutine stuck in a receive
            int baseline = goroutines();
            Chan<Void> release = make();
            Thread stuck = go(() -> release.receive());
            Blocking.awaitParked(stuck);

            // when
            IllegalStateException failure = assertThrows(IllegalStateException.class,
                    () -> awaitGoroutines(baseline, Duration.ofMillis(100)));

            // then: the message says which goroutine and where it is stuck
            String message = failure.getMessage();
            String id = stuck.getName().substring("goroutine-".length());
            assertTrue(message.contains("goroutine " + id + " [chan receive]:\n"), message);
            assertTrue(message.contains("GoroutineTest.lambda$"), message); // the line where it is stuck
            assertTrue(message.contains("\tGoroutineTest.java:"), message);

            // and it can still be released
            release.close();
            Blocking.awaitEnd(stuck);
        });
    }

    @Test
    void aPanicCallsThePanicHandler_withTheGoroutineAndTheException() {
        CompletableFuture<Thread> panickedIn = new CompletableFuture<>();
        CompletableFuture<Throwable> panic = new CompletableFuture<>();
        setPanicHandler((goroutine, exception) -> {
            panickedIn.complete(goroutine);
            panic.complete(exception);
        });
        try {
            Blocking.bounded(() -> {
                // when
                Thread goroutine = go(() -> {
                    throw new IllegalStateException("boom");
                });

                // then
                assertSame(goroutine, panickedIn.get(5, TimeUnit.SECONDS));
                assertEquals(IllegalStateException.class, panic.get().getClass());
                assertEquals("boom", panic.get().getMessage());
                Blocking.awaitEnd(goroutine);
            });
        } finally {
            TestSupport.installPanicRecorder(); // the handler the test runner needs
        }
    }

    @Test
    void panicReportStartsLikeGos_andNamesTheGoroutine() {
        CompletableFuture<String> report = new CompletableFuture<>();
        setPanicHandler((goroutine, exception) -> report.complete(panicReport(goroutine, exception)));
        try {
            Blocking.bounded(() -> {
                // given
                Chan<Integer> closed = make();
                closed.close();

                // when: a goroutine sends on a closed channel
                Thread goroutine = go(() -> closed.send(1));

                // then: "panic: <message>", a blank line, "goroutine-N [running]:", then the stack
                String text = report.get(5, TimeUnit.SECONDS);
                assertTrue(text.startsWith("panic: send on closed channel\n\n" + goroutine.getName() + " [running]:\n"),
                        text);
                assertTrue(text.contains("\tat "), text);
                Blocking.awaitEnd(goroutine);
            });
        } finally {
            TestSupport.installPanicRecorder();
        }
    }

    @Test
    void panicReportOfAnyOtherException_namesItsClass() {
        // when
        String text = panicReport(Thread.currentThread(), new IllegalStateException("boom"));

        // then
        assertTrue(text.startsWith("panic: java.lang.IllegalStateException: boom\n\n"), text);
    }
}
