import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
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

    /** The CPU time used by the whole process so far, in nanoseconds (-1 if the JVM cannot tell). */
    private static long processCpuNanos() {
        // Why the process and not the thread: ThreadMXBean.getThreadCpuTime returns -1 for a virtual thread, and a
        // goroutine is one. The carrier threads that run virtual threads are part of the process, so whatever a
        // spinning select burnt would show up here.
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return os.getProcessCpuTime();
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
            assumeTrue(processCpuNanos() >= 0, "this JVM does not report process CPU time");
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
            long cpuBefore = processCpuNanos();
            sleep(WINDOW);
            long cpuUsed = processCpuNanos() - cpuBefore;

            // then: the process used a small part of one core (two spinning selects would use about two cores)
            Duration used = Duration.ofNanos(cpuUsed);
            assertTrue(used.compareTo(WINDOW.multipliedBy(3).dividedBy(10)) < 0,
                    "the process used " + used.toMillis() + " ms of CPU in a " + WINDOW.toMillis()
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
