import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import org.junit.jupiter.api.Assertions;

/** Properties of Confinement.java's stages: each delivers exactly its data, closes when done, and leaves nothing. */
@PropertyDefaults(tries = 30)
@AddLifecycleHook(TestSupport.NoLeaks.class)
class ConfinementProperties {

    @Example
    void chanOwnerSendsZeroToFiveThenCloses() {
        List<Integer> got = TestSupport.bounded(() -> {
            List<Integer> all = new ArrayList<>();
            for (int result : Confinement.chanOwner()) {
                all.add(result);
            }
            return all;
        });
        assertEquals(List.of(0, 1, 2, 3, 4, 5), got);
    }

    /** What the compiler enforces on the consumer: the receive-only view has no way to send or close. */
    @Example
    void theConsumersViewCannotSendOrClose() throws NoSuchMethodException {
        Method owner = Confinement.class.getDeclaredMethod("chanOwner");
        assertEquals(ReceiveOnly.class, owner.getReturnType());
        Set<String> operations = Set.copyOf(Arrays.stream(ReceiveOnly.class.getMethods()).map(Method::getName).toList());
        assertTrue(!operations.contains("send") && !operations.contains("close"), operations.toString());
    }

    @Example
    void consumerPrintsEveryResultThenDone() {
        try (CapturedStdout out = new CapturedStdout()) {
            TestSupport.bounded(() -> {
                go(() -> Confinement.consumer(Confinement.chanOwner())).join(); // in a goroutine: captured
                return null;
            });
            assertEquals(List.of("Received: 0", "Received: 1", "Received: 2", "Received: 3", "Received: 4",
                    "Received: 5", "Done receiving!"), out.lines());
        }
    }

    @Property
    void loopDataSendsEveryElementThenCloses(@ForAll @IntRange(min = 0, max = 20) int length) {
        int[] saved = Confinement.data;
        try {
            Confinement.data = new int[length];
            Arrays.setAll(Confinement.data, i -> i * 7);
            List<Integer> got = TestSupport.bounded(() -> {
                Chan<Integer> handleData = make();
                go(() -> Confinement.loopData(handleData));
                List<Integer> all = new ArrayList<>();
                for (int num : handleData) {
                    all.add(num);
                }
                return all;
            });
            assertEquals(Arrays.stream(Confinement.data).boxed().toList(), got);
        } finally {
            Confinement.data = saved;
        }
    }

    /** Two goroutines, each with a read-only view of its half, print exactly the two halves. */
    @Property
    void printDataPrintsEachHalfOnce(@ForAll @AlphaChars @StringLength(min = 2, max = 40) String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        int half = bytes.length / 2;
        ByteBuffer all = ByteBuffer.wrap(bytes).asReadOnlyBuffer();
        try (CapturedStdout out = new CapturedStdout()) {
            TestSupport.bounded(() -> {
                WaitGroup wg = new WaitGroup();
                wg.add(2);
                go(() -> Confinement.printData(wg, all.slice(0, half)));
                go(() -> Confinement.printData(wg, all.slice(half, bytes.length - half)));
                wg.await();
                return null;
            });
            List<String> lines = new ArrayList<>(out.lines());
            List<String> expected = new ArrayList<>(List.of(text.substring(0, half), text.substring(half)));
            lines.sort(null);
            expected.sort(null);
            assertEquals(expected, lines);
        }
        Assertions.assertThrows(ReadOnlyBufferException.class, () -> all.slice(0, half).array(),
                "a view must not hand out the whole array");
    }
}
