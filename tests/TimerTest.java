import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
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
 * Only lower bounds on time are asserted ("not before d"): how late a timer fires depends on the machine. This is
 * the real clock; VirtualTimeProperties checks the same timers on a bubble's clock, exactly.
 *
 * Since Go 1.23, stop and reset take back a time nobody has received: the tests of that are written so that either
 * way a race with the timer thread goes, the outcome is the same (a timer that has fired unread, and one that has
 * not fired yet, are both stopped by stop, which returns true for both).
 */
@ExtendWith(TestSupport.NoLeaks.class)
class TimerTest {

    private static final Duration SHORT = Duration.ofMillis(100);

    /** Go's non-blocking receive (select with a default): the time if one is there, else null. */
    private static Instant poll(ReceiveOnly<Instant> c) {
        var fromC = onReceive(c);
        Selected got = select(fromC, onDefault());
        return got.index() == 0 ? got.value(fromC) : null;
    }

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

            // then: once; nothing follows, even a period later (len() cannot tell: a timer's channel reports 0)
            sleep(SHORT.multipliedBy(2));
            assertNull(poll(timeout), "a second time arrived");
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
            assertNull(poll(timer.c()), "a stopped timer fired");
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

            // then: it no longer counts, and no tick comes after stop, not even one sent just before (Go 1.23: stop
            // takes back an unread tick)
            assertEquals(baseline, timers());
            sleep(period.multipliedBy(5));
            assertNull(poll(ticker.c()), "a tick arrived after stop");
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

    // ---- Go 1.23: stop and reset take back a time nobody received ----------------------------------------

    @Test
    void stoppingATimerThatFiredUnread_returnsTrue_andItsTimeIsNeverReceived() {
        Blocking.bounded(() -> {
            // given: a timer that has fired by now, unless the machine stalled (then it is still set: same outcome)
            Timer timer = newTimer(Duration.ofMillis(1));
            sleep(Duration.ofMillis(50));

            // when
            boolean stopped = timer.stop();

            // then: stop took the time back (or stopped the firing); nothing comes, now or later
            assertTrue(stopped, "stop must report the time it took back");
            assertNull(poll(timer.c()), "a time from before stop was received after it");
            sleep(Duration.ofMillis(20));
            assertNull(poll(timer.c()));
            assertFalse(timer.stop(), "nothing left to stop");
        });
    }

    @Test
    void resettingATimerThatFiredUnread_takesBackTheStaleTime() {
        Blocking.bounded(() -> {
            // given: a timer that has fired by now, unread (or, on a stalled machine, is about to)
            Timer timer = newTimer(Duration.ofMillis(1));
            sleep(Duration.ofMillis(50));

            // when
            boolean stopped = timer.reset(Duration.ofHours(1));

            // then: the old time is gone, and the timer is set again
            assertTrue(stopped, "reset must report the time it took back");
            assertNull(poll(timer.c()), "a time from before reset was received after it");
            assertTrue(timer.stop(), "reset set the timer again");
        });
    }

    @Test
    void resettingATimerWhoseTimeWasReceived_returnsFalse_andSetsItAgain() {
        Blocking.bounded(() -> {
            // given
            Timer timer = newTimer(Duration.ofMillis(1));
            timer.c().receive();

            // when / then
            assertFalse(timer.reset(Duration.ofHours(1)));
            assertTrue(timer.stop());
        });
    }

    @Test
    void resettingALongTimerToAShortOne_firesAfterTheShortOne() {
        Blocking.bounded(() -> {
            // given
            Timer timer = newTimer(Duration.ofHours(1));
            Instant before = now();

            // when
            assertTrue(timer.reset(SHORT), "the timer was set");
            Instant fired = timer.c().receive(); // an hour away if reset changed nothing: the bound fails the test

            // then: the time sent is when it was due, not before the short duration
            assertFalse(fired.isBefore(before.plus(SHORT)), "fired at " + fired + ", reset at " + before);
            assertFalse(timer.stop(), "it fired");
        });
    }

    @Test
    void resettingATicker_takesBackAnUnreadTick_andTicksWithTheNewPeriod() {
        Blocking.bounded(() -> {
            // given: a fast ticker whose ticks nobody reads
            Ticker ticker = newTicker(Duration.ofMillis(1));
            sleep(Duration.ofMillis(50));

            // when: an hour's period, then a short one
            ticker.reset(Duration.ofHours(1));

            // then: the unread tick is gone, and no tick comes for an hour
            assertNull(poll(ticker.c()), "a tick from before reset was received after it");
            sleep(Duration.ofMillis(20));
            assertNull(poll(ticker.c()), "a tick came long before the new period");

            // when
            Instant before = now();
            ticker.reset(SHORT);
            Instant tick = ticker.c().receive();

            // then
            assertFalse(tick.isBefore(before.plus(SHORT)), "ticked at " + tick + ", reset at " + before);
            ticker.stop();
        });
    }

    @Test
    void aTimersChannelReportsLenAndCap0_evenWithATimeWaitingInIt() {
        Blocking.bounded(() -> {
            // given: a timer that has fired by now, unread
            Timer timer = newTimer(Duration.ofMillis(1));
            sleep(Duration.ofMillis(50));

            // then: as in Go 1.23, where a timer's channel is unbuffered to the eye
            assertEquals(0, timer.c().len());
            assertEquals(0, timer.c().cap());
            timer.stop();
        });
    }
}
