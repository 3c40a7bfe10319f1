import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Captures what goroutines print on System.out while it is open, so that a test can check what a stage prints and
 * the runner's report stays readable. Use it with try-with-resources, and call the printing code from goroutines.
 *
 * <p>Only goroutines (virtual threads) are captured; what any other thread prints goes to the real standard
 * output. That matters when a try is abandoned: jqwik gives up on a shrinking step that takes too long and goes on
 * while the step is still running, so a capture can stay open while the runner prints its report. Swapping
 * System.out per capture would then swallow the report (and restore the wrong stream later); this class instead
 * installs one routing stream, once, and a capture only decides where goroutines' bytes go.
 */
final class CapturedStdout implements AutoCloseable {
    private static final PrintStream REAL = System.out;
    private static final AtomicReference<ByteArrayOutputStream> current = new AtomicReference<>();

    static {
        System.setOut(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                target().write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                target().write(b, off, len);
            }

            @Override
            public void flush() {
                REAL.flush();
            }

            private OutputStream target() {
                ByteArrayOutputStream capture = current.get();
                return capture != null && Thread.currentThread().isVirtual() ? capture : REAL;
            }
        }, true, StandardCharsets.UTF_8));
    }

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    CapturedStdout() {
        current.set(bytes); // a capture left open by an abandoned try is replaced, not stacked
    }

    /** The lines goroutines printed so far. */
    List<String> lines() {
        return bytes.toString(StandardCharsets.UTF_8).lines().toList(); // ByteArrayOutputStream is synchronized
    }

    @Override
    public void close() {
        current.compareAndSet(bytes, null);
    }
}
