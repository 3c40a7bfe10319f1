package gochan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What every Fray scenario shares. Fray runs each @FrayTest method many times, once per schedule, in a fresh class
 * loader each time (so the helper's static state starts afresh), and controls every thread switch of the platform
 * threads it sees. It cannot schedule virtual threads, which is why the first line of each scenario is
 * {@link #goroutinesOnPlatformThreads()}.
 */
final class ModelCheck {
    private ModelCheck() {}

    /** Every goroutine started in this schedule, including those the helper starts itself (afterFunc, watchers). */
    private static final List<Thread> goroutines = new CopyOnWriteArrayList<>();

    /** Goroutines on platform threads, which Fray schedules; an exception escaping a goroutine fails the schedule. */
    static void goroutinesOnPlatformThreads() {
        // Fray hangs when two threads race to initialise ThreadLocalRandom (select uses it): do it here, first.
        ThreadLocalRandom.current();
        Go.spinEveryHandOff(-1); // the rules of Parked.SPINS (never on platform threads), unless a scenario says so
        goroutines.clear();
        ThreadFactory platform = Thread.ofPlatform().factory();
        Go.setGoroutineThreads(body -> {
            Thread thread = platform.newThread(body);
            goroutines.add(thread);
            return thread;
        });
        // By default a panic prints and exits the JVM, as in Go. Here it escapes the thread, and Fray reports it
        // with the schedule that led to it.
        Go.setPanicHandler((goroutine, panic) -> {
            throw new AssertionError(goroutine.getName() + " panicked", panic);
        });
    }

    /** Waits for the goroutines (go returns their threads). */
    static void join(Thread... goroutines) {
        for (Thread goroutine : goroutines) {
            try {
                goroutine.join();
            } catch (InterruptedException e) {
                throw new AssertionError("interrupted while joining " + goroutine.getName(), e);
            }
        }
    }

    /**
     * Waits for every goroutine started so far, and for those they start meanwhile. One that never ends is a
     * deadlock, which Fray reports with the schedule that led to it.
     */
    static void joinEveryGoroutine() {
        for (int i = 0; i < goroutines.size(); i++) {
            join(goroutines.get(i));
        }
    }

    /**
     * Records which way a race went in this schedule, one line per schedule in target/modelcheck-outcomes.txt, which
     * tests/modelcheck/run counts: a race whose two sides were never both seen was not really tested.
     */
    static void outcome(String scenario, String howItWent) {
        try {
            Files.writeString(Path.of("target", "modelcheck-outcomes.txt"), scenario + ": " + howItWent + "\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
