import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A goroutine blocked in select parks: it burns no CPU while it waits. A select that polled its channels in a loop
 * would pass every other test and still burn a core per waiting goroutine.
 */
@ExtendWith(TestSupport.NoLeaks.class)
class SelectCpuTest {

    private static final Duration WINDOW = Duration.ofSeconds(1);

    /**
     * The CPU time used so far by the carrier threads, the platform threads that run virtual threads, in nanoseconds.
     * Why the carriers: ThreadMXBean.getThreadCpuTime returns -1 for a virtual thread, and a goroutine is one; but
     * whatever a goroutine burns, it burns on a carrier. Measuring the carriers, and not the whole process, leaves out
     * the JIT compiler and the garbage collector, which may still be busy with what earlier tests did.
     */
    private static long carrierCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getClass().getName().equals("jdk.internal.misc.CarrierThread")) {
                total += Math.max(0, threads.getThreadCpuTime(thread.threadId())); // -1 if it ended meanwhile
            }
        }
        return total;
    }

    /**
     * Runs select through its paths (ready, blocked then woken) many times, so that the JIT compiles them now and
     * not during the measured window.
     */
    private static void warmUp() {
        Chan<Integer> a = make(1);
        Chan<Integer> b = make(1);
        for (int i = 0; i < 20_000; i++) {
            a.send(i);
            select(onReceive(a), onReceive(b));
        }
        for (int i = 0; i < 200; i++) {
            Chan<Integer> c = make();
            Thread selecting = go(() -> select(onReceive(c), onReceive(b)));
            c.send(i);
            Blocking.awaitEnd(selecting);
        }
    }

    @Test
    void aGoroutineBlockedInSelect_burnsAlmostNoCpu() {
        Blocking.bounded(() -> {
            assumeTrue(ManagementFactory.getThreadMXBean().isThreadCpuTimeEnabled(), "this JVM does not measure thread CPU time");
            warmUp();

            // given: two goroutines blocked in a select over two channels each
            List<Chan<Integer>> channels = new ArrayList<>();
            List<Thread> selecting = new ArrayList<>();
            for (int g = 0; g < 2; g++) {
                Chan<Integer> a = make();
                Chan<Integer> b = make();
                channels.add(a);
                selecting.add(go(() -> select(onReceive(a), onReceive(b))));
            }
            // Give them a moment to reach select. Not awaitParked: a spinning select never parks, and this test is
            // here to catch one.
            sleep(Duration.ofMillis(100));

            // when: a second passes, while this thread sleeps too
            long cpuBefore = carrierCpuNanos();
            sleep(WINDOW);
            long cpuUsed = carrierCpuNanos() - cpuBefore;

            // then: the carriers used a small part of one core (two spinning selects would use about two cores)
            Duration used = Duration.ofNanos(cpuUsed);
            assertTrue(used.compareTo(WINDOW.multipliedBy(3).dividedBy(10)) < 0,
                    "the carrier threads used " + used.toMillis() + " ms of CPU in a " + WINDOW.toMillis()
                            + " ms window while two goroutines were blocked in select");

            // then: they were still blocked, parked, and wake when a case is ready
            for (Thread goroutine : selecting) {
                assertEquals(Thread.State.WAITING, goroutine.getState(), goroutine.getName());
            }
            for (Chan<Integer> a : channels) {
                a.send(1);
            }
            selecting.forEach(Blocking::awaitEnd);
        });
    }
}
