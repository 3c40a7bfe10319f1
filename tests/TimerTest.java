import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Timers: {@code after} and {@code newTimer} deliver the time once, {@code afterFunc} runs a function in a goroutine,
 * a ticker delivers the time repeatedly. All of them share one scheduler thread, so a timer costs no thread.
 *
 * Only lower bounds on time are asserted ("not before d"): how late a timer fires depends on the machine.
 */
@ExtendWith(TestSupport.NoLeaks.class)
class TimerTest {

    private static final Duration SHORT = Duration.ofMillis(100);

    @Test
    void afterDeliversTheTimeOnce_notBeforeTheDuration() {
        Blocking.bounded(() -> {
            // given
            long start = System.nanoTime();
            ReceiveOnly<Instant> timeout = after(SHORT);

            // when
            Instant fired = timeout.receive();

            // then: not before the duration
            assertNotNull(fired);
            long elapsed = System.nanoTime() - start;
            assertTrue(elapsed >= SHORT.toNanos(), "fired after " + Duration.ofNanos(elapsed));

            // then: once; nothing follows, even a period later
            sleep(SHORT.multipliedBy(2));
            assertEquals(0, timeout.len());
        });
    }

    @Test
    void stoppingATimerBeforeItFires_returnsTrue_deliversNothing_andReleasesItAtOnce() {
        Blocking.bounded(() -> {
            // given
            int baseline = timers();
            Timer timer = newTimer(SHORT);
            assertEquals(baseline + 1, timers());

            // when
            boolean stopped = timer.stop();

            // then: it is released at once, not when it would have fired
            assertTrue(stopped);
            assertEquals(baseline, timers());

            // then: nothing comes, even after the duration; stopping again changes nothing
            sleep(SHORT.multipliedBy(2));
            assertEquals(0, timer.c().len());
            assertFalse(timer.stop());
            assertEquals(baseline, timers());
        });
    }

    @Test
    void stoppingATimerAfterItFired_returnsFalse() {
        Blocking.bounded(() -> {
            // given: a timer that has fired
            int baseline = timers();
            Timer timer = newTimer(Duration.ofMillis(10));
            timer.c().receive();

            // when / then
            assertFalse(timer.stop());
            assertEquals(baseline, timers());
        });
    }

    @Test
    void afterFuncRunsTheFunctionInAGoroutine_notBeforeTheDuration() {
        Blocking.bounded(() -> {
            // given
            long start = System.nanoTime();
            CompletableFuture<Thread> ranIn = new CompletableFuture<>();

            // when
            Timer timer = afterFunc(SHORT, () -> ranIn.complete(Thread.currentThread()));

            // then
            Thread thread = ranIn.get(5, TimeUnit.SECONDS);
            long elapsed = System.nanoTime() - start;
            assertTrue(elapsed >= SHORT.toNanos(), "ran after " + Duration.ofNanos(elapsed));
            assertTrue(thread.isVirtual());
            assertTrue(thread.getName().startsWith("goroutine-"), thread.getName());
            assertFalse(timer.stop(), "it already fired");
            Blocking.awaitEnd(thread);
        });
    }

    @Test
    void stoppingAnAfterFuncTimer_preventsTheCall() {
        Blocking.bounded(() -> {
            // given
            AtomicBoolean ran = new AtomicBoolean();
            int goroutinesBefore = goroutines();
            Timer timer = afterFunc(SHORT, () -> ran.set(true));

            // when
            assertTrue(timer.stop());

            // then: even after the duration, nothing ran and no goroutine started
            sleep(SHORT.multipliedBy(2));
            assertFalse(ran.get());
            assertEquals(goroutinesBefore, goroutines());
        });
    }

    @Test
    void aTickerTicksRepeatedly_untilStopped() {
        Blocking.bounded(() -> {
            // given
            int baseline = timers();
            Duration period = Duration.ofMillis(20);
            long start = System.nanoTime();
            Ticker ticker = newTicker(period);
            assertEquals(baseline + 1, timers());

            // when: three ticks
            List<Instant> ticks = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ticks.add(ticker.c().receive());
            }

            // then: in order, and not faster than the period allows
            long elapsed = System.nanoTime() - start;
            assertTrue(elapsed >= period.multipliedBy(3).toNanos(), "3 ticks after " + Duration.ofNanos(elapsed));
            assertFalse(ticks.get(1).isBefore(ticks.get(0)) || ticks.get(2).isBefore(ticks.get(1)), ticks.toString());

            // when
            ticker.stop();

            // then: it no longer counts; after a tick that was already under way, nothing more comes
            assertEquals(baseline, timers());
            sleep(period.multipliedBy(5));
            select(onReceive(ticker.c()), onDefault()); // drops a tick sent just before stop, if any
            sleep(period.multipliedBy(5));
            assertEquals(0, ticker.c().len());
            ticker.stop(); // stopping twice is harmless
            assertEquals(baseline, timers());
        });
    }

    @Test
    void aTickerThatFallsBehindSkipsTicks_insteadOfStarvingOtherTimers() {
        Blocking.bounded(() -> {
            // given: a ticker far faster than the timer thread can tick, that nobody reads
            Ticker flood = newTicker(Duration.ofNanos(1));
            try {
                // when
                long start = System.nanoTime();
                after(SHORT).receive();

                // then: the timer fired, on time give or take the machine's stalls (before Go's rule it had not
                // fired after 3 s: the late ticker stayed at the head of the queue)
                long waited = System.nanoTime() - start;
                assertTrue(waited < Duration.ofSeconds(2).toNanos(), "after(" + SHORT + ") took "
                        + Duration.ofNanos(waited));
            } finally {
                flood.stop();
            }
        });
    }

    @Test
    void aTickerWithANonPositiveIntervalPanics() {
        // given
        int baseline = timers();

        // when / then
        for (Duration interval : List.of(Duration.ZERO, Duration.ofMillis(-1))) {
            Panic panic = assertThrows(Panic.class, () -> newTicker(interval));
            assertEquals("non-positive interval for NewTicker", panic.getMessage());
        }
        assertEquals(baseline, timers());
    }

    @Test
    void timersCostNoThreadEach() {
        Blocking.bounded(() -> {
            // given: the platform threads now (virtual threads are not counted by the MXBean)
            var threads = ManagementFactory.getThreadMXBean();
            after(Duration.ZERO).receive(); // starts the shared scheduler thread, if no timer has yet
            int threadsBefore = threads.getThreadCount();
            int timersBefore = timers();

            // when: 10,000 timers that would fire in a minute
            List<Timer> pending = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                pending.add(newTimer(Duration.ofMinutes(1)));
            }

            // then: they are all counted, and the number of threads barely moved (a thread each would add 10,000)
            assertEquals(timersBefore + 10_000, timers());
            int threadsAdded = threads.getThreadCount() - threadsBefore;
            assertTrue(threadsAdded < 20, threadsAdded + " threads were added for 10,000 timers");

            // when / then: stopping them all brings the count back at once
            for (Timer timer : pending) {
                assertTrue(timer.stop());
            }
            assertEquals(timersBefore, timers());
        });
    }

    @Test
    void timersLongerThanADurationCanHoldAreCappedAndStillCountedOnce() {
        // given
        int baseline = timers();

        // when: 200,000 days is past the ~292 years a Go Duration (and a long of nanoseconds) can hold
        Timer timer = newTimer(Duration.ofDays(200_000));
        Ticker ticker = newTicker(Duration.ofDays(200_000));

        // then
        assertEquals(baseline + 2, timers());
        assertTrue(timer.stop());
        ticker.stop();
        assertEquals(baseline, timers());
    }
}
