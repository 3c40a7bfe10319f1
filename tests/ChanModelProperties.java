import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.ActionChainArbitrary;
import net.jqwik.api.state.Transformer;
import net.jqwik.api.statistics.Statistics;

/**
 * A stateful model test: random sequences of non-blocking operations on one real channel, checked step by step
 * against a model (an ArrayDeque and a closed flag). The capacity is fixed per chain arbitrary (one property per
 * capacity), because flat-mapping a capacity around a chain shrinks badly.
 */
@PropertyDefaults(tries = 200)
@AddLifecycleHook(TestSupport.NoLeaks.class)
class ChanModelProperties {

    /** The real channel and its model. */
    static final class ChanModel {
        final int capacity;
        final Chan<Integer> ch;
        final ArrayDeque<Integer> model = new ArrayDeque<>();
        boolean closed;
        boolean wasFull; // for the statistics: the buffer was full at some step

        ChanModel(int capacity) {
            this.capacity = capacity;
            this.ch = make(capacity);
        }

        @Override
        public String toString() {
            return "cap " + capacity + (closed ? ", closed" : "") + ", model " + model;
        }
    }

    // Proves an unbuffered channel alone never accepts a non-blocking send, and matches the model through close.
    @Property
    void unbufferedChannelAgreesWithTheModel(@ForAll("unbuffered") ActionChain<ChanModel> chain) {
        run(chain);
    }

    // Proves a channel with a buffer of one agrees with the model (the full/empty corner at every step).
    @Property
    void channelWithBufferOfOneAgreesWithTheModel(@ForAll("bufferOfOne") ActionChain<ChanModel> chain) {
        run(chain);
    }

    // Proves a channel with a buffer of four agrees with the model (wrap-around of the ring buffer included).
    @Property
    void channelWithBufferOfFourAgreesWithTheModel(@ForAll("bufferOfFour") ActionChain<ChanModel> chain) {
        run(chain);
    }

    static void run(ActionChain<ChanModel> chain) {
        ActionChain<ChanModel> checked = chain.withInvariant("len agrees with the model and fits the buffer", s -> {
            assertEquals(s.model.size(), s.ch.len(), "len() differs from the model: " + s);
            assertTrue(s.ch.len() <= s.ch.cap(), "len() exceeds cap(): " + s);
            assertEquals(s.capacity, s.ch.cap());
        });
        // Not concurrent, but a bug could still block (a receive that should not), so bound it like the others.
        ChanModel end = TestSupport.bounded(checked::run);
        List<String> steps = chain.transformations();
        int beforeClose = steps.indexOf("close") < 0 ? steps.size() : steps.indexOf("close");
        Statistics.label("closed").collect(end.closed ? "yes" : "no");
        Statistics.label("steps before close").collect(
                beforeClose < 10 ? "< 10" : beforeClose < 20 ? "10..19" : ">= 20");
        if (end.capacity > 0) {
            Statistics.label("buffer full at some step").collect(end.wasFull ? "yes" : "no");
        }
    }

    @Provide
    Arbitrary<ActionChain<ChanModel>> unbuffered() {
        return chains(0);
    }

    @Provide
    Arbitrary<ActionChain<ChanModel>> bufferOfOne() {
        return chains(1);
    }

    @Provide
    Arbitrary<ActionChain<ChanModel>> bufferOfFour() {
        return chains(4);
    }

    static ActionChainArbitrary<ChanModel> chains(int capacity) {
        return ActionChain.startWith(() -> new ChanModel(capacity))
                .withAction(12, new TrySend())
                .withAction(6, new TryReceive())
                .withAction(4, new ReceiveSome())
                .withAction(2, new Len())
                .withAction(1, new Close()) // rare, so that most chains spend a while open first
                .withAction(2, new RangeAfterClose())
                .withMaxTransformations(40);
    }

    /** Non-blocking send, Go's select { case ch <- v: ... default: ... }: a closed channel panics. */
    static final class TrySend implements Action.Independent<ChanModel> {
        @Override
        public Arbitrary<Transformer<ChanModel>> transformer() {
            return Arbitraries.integers().between(0, 999).map(v -> Transformer.mutate("trySend " + v, s -> {
                if (s.closed) {
                    Panic p = assertThrows(Panic.class, () -> select(onSend(s.ch, v), onDefault()),
                            "a send on a closed channel must panic, even with a default case");
                    assertEquals("send on closed channel", p.getMessage());
                    return;
                }
                Selected sel = select(onSend(s.ch, v), onDefault());
                if (s.model.size() < s.capacity) {
                    assertEquals(0, sel.index(), "the buffer has room: the send must happen (" + s + ")");
                    s.model.addLast(v);
                    s.wasFull |= s.model.size() == s.capacity;
                } else {
                    assertEquals(1, sel.index(), "no room and no receiver: default must run (" + s + ")");
                }
            }));
        }
    }

    /** Non-blocking receive, select { case v, ok := <-ch: ... default: ... }. */
    static final class TryReceive implements Action.Independent<ChanModel> {
        @Override
        public Arbitrary<Transformer<ChanModel>> transformer() {
            return Arbitraries.just(Transformer.mutate("tryReceive", s -> {
                var fromCh = onReceive(s.ch);
                Selected sel = select(fromCh, onDefault());
                if (!s.model.isEmpty()) {
                    assertEquals(0, sel.index(), "a value is buffered: the receive must happen (" + s + ")");
                    assertTrue(sel.ok());
                    assertEquals(s.model.pollFirst(), sel.value(fromCh), "values must come out in order");
                } else if (s.closed) {
                    assertEquals(0, sel.index(), "a closed channel is always ready (" + s + ")");
                    assertFalse(sel.ok(), "a closed, drained channel must give ok == false");
                    assertNull(sel.value(fromCh));
                } else {
                    assertEquals(1, sel.index(), "nothing buffered, not closed: default must run (" + s + ")");
                }
            }));
        }
    }

    /**
     * Plain receives that cannot block: k of the buffered values (k drawn from the current model, hence a
     * dependent action), or, once closed and drained, k receives that all give (null, false).
     */
    static final class ReceiveSome implements Action.Dependent<ChanModel> {
        @Override
        public boolean precondition(ChanModel s) {
            return !s.model.isEmpty() || s.closed;
        }

        @Override
        public Arbitrary<Transformer<ChanModel>> transformer(ChanModel state) {
            int max = Math.max(1, state.model.size());
            return Arbitraries.integers().between(1, max).map(k -> Transformer.mutate("receive " + k, s -> {
                for (int i = 0; i < k; i++) {
                    Received<Integer> r = i % 2 == 0 ? s.ch.receiveOk() : new Received<>(s.ch.receive(), true);
                    Integer expected = s.model.pollFirst(); // null once drained
                    assertEquals(expected, r.value(), "receive " + i + " of " + k + " (" + s + ")");
                    if (i % 2 == 0) {
                        assertEquals(expected != null, r.ok(), "ok must say whether a value came (" + s + ")");
                    }
                }
            }));
        }
    }

    /** len() and cap() are checked by the invariant after every step; this step makes them the whole action. */
    static final class Len implements Action.Independent<ChanModel> {
        @Override
        public Arbitrary<Transformer<ChanModel>> transformer() {
            return Arbitraries.just(Transformer.mutate("len", s -> assertEquals(s.model.size(), s.ch.len())));
        }
    }

    /** close(ch): the first one closes, every later one panics with "close of closed channel". */
    static final class Close implements Action.Independent<ChanModel> {
        @Override
        public Arbitrary<Transformer<ChanModel>> transformer() {
            return Arbitraries.just(Transformer.mutate("close", s -> {
                if (s.closed) {
                    Panic p = assertThrows(Panic.class, () -> close(s.ch));
                    assertEquals("close of closed channel", p.getMessage());
                } else {
                    close(s.ch);
                    s.closed = true;
                }
            }));
        }
    }

    /** for v := range ch, once closed: yields exactly the buffered values, in order, then ends. */
    static final class RangeAfterClose implements Action.Independent<ChanModel> {
        @Override
        public boolean precondition(ChanModel s) {
            return s.closed;
        }

        @Override
        public Arbitrary<Transformer<ChanModel>> transformer() {
            return Arbitraries.just(Transformer.mutate("range", s -> {
                List<Integer> got = new ArrayList<>();
                for (int v : s.ch) {
                    got.add(v);
                }
                assertEquals(new ArrayList<>(s.model), got, "range after close must yield the buffer, in order");
                s.model.clear();
            }));
        }
    }
}
