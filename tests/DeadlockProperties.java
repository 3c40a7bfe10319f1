import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import gochan.Go;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.statistics.Statistics;

/**
 * The verdict of a bubble (Go's synctest): over small random programs whose fate is known by construction,
 * {@code bubble} throws {@link Deadlock} exactly when the program cannot finish, with Go's reason, and its
 * {@code blocked()} names exactly the goroutines that are stuck, each with Go's name for the operation it is stuck in.
 * A program that waits only for time, or for a channel or WaitGroup that something outside the bubble will release,
 * is never reported, and finishes.
 */
@PropertyDefaults(tries = 100)
@AddLifecycleHook(TestSupport.NoLeaks.class)
class DeadlockProperties {

    /** What blocked() says, as "label: operation", with the label the test gave each thread. */
    static Set<String> blockedAsLabels(Deadlock deadlock, Map<Thread, String> labels) {
        Set<String> named = new TreeSet<>();
        for (Blocked b : deadlock.blocked()) {
            assertEquals("goroutine-" + b.goroutine(), b.thread().getName(), "the id and the thread disagree");
            named.add(labels.getOrDefault(b.thread(), b.thread().getName()) + ": " + b.operation());
        }
        return named;
    }

    // =====================================================================================================
    // Random networks of goroutines whose fate does not depend on the schedule
    // =====================================================================================================

    /*
     * Why the fate of a plan does not depend on the schedule: every channel has at most one goroutine that sends on
     * it and at most one that receives from it (Plan.of drops the steps that would break this), every select has at
     * most one case that can ever be ready (the others are on a nil channel, on a channel nobody sends on, or on an
     * unbuffered channel nobody receives from), and the shared WaitGroup only counts down. So a step that can
     * proceed stays able to proceed until its own goroutine takes it: nobody else can take the value it waits for,
     * fill the room it needs or raise the count it waits on. Every schedule then ends in the same state (the programs
     * form a Kahn process network), and simulate() finds that state by taking the steps in any order.
     */

    static final int CHANNELS = 4;

    /** One step of a goroutine's program, and Go's name for it while a goroutine is stuck in it. */
    enum Kind {
        SEND("chan send"),
        RECEIVE("chan receive"),
        SELECT_SEND("select"),        // the live case, beside cases that are never ready
        SELECT_RECEIVE("select"),
        DONE(null),                   // the shared WaitGroup's done
        WAIT("sync.WaitGroup.Wait"),  // the shared WaitGroup's Wait
        SLEEP(null),                  // never stuck while the root runs: it wakes by itself
        NEVER_READY_SELECT("select"), // only cases that can never be ready
        NO_CASES("select (no cases)"),
        NIL_SEND("chan send (nil chan)"),
        NIL_RECEIVE("chan receive (nil chan)");

        final String operation;

        Kind(String operation) {
            this.operation = operation;
        }

        boolean sends() {
            return this == SEND || this == SELECT_SEND;
        }

        boolean receives() {
            return this == RECEIVE || this == SELECT_RECEIVE;
        }
    }

    /** A step; channel matters for sends and receives, variant picks the never-ready cases or the sleep. */
    record Step(Kind kind, int channel, int variant) {
        @Override
        public String toString() {
            return switch (kind) {
                case SEND, RECEIVE -> kind.name().toLowerCase() + " c" + channel;
                case SELECT_SEND, SELECT_RECEIVE -> kind.name().toLowerCase() + " c" + channel + " v" + variant;
                case SLEEP -> "sleep " + variant + "ms";
                case NEVER_READY_SELECT -> "never_ready_select v" + variant;
                default -> kind.name().toLowerCase();
            };
        }
    }

    /** How the bubble's root goroutine takes part. */
    enum Root {
        RETURNS,        // starts a goroutine per program and returns
        WAITS,          // the same, then waits for them on a WaitGroup (Add(n + joinSurplus))
        RUNS_PROGRAM_0  // starts the other programs, runs program 0 itself, and returns
    }

    record Plan(String shape, List<Integer> capacities, List<List<Step>> programs, Root root, int joinSurplus,
            int groupSurplus) {

        /**
         * The plan with every step dropped that would give a channel a second sender or a second receiver; and, where
         * a goroutine may still run after the root has returned, its sleeps made 0 ms. The bubble's clock stops when
         * its root returns (as in Go's synctest), so whether such a sleep ever ends depends on when the root
         * returned, which the simulation does not model. A root that waits, and the root's own program, keep theirs.
         */
        static Plan of(String shape, List<Integer> capacities, List<List<Step>> programs, Root root, int joinSurplus,
                int groupSurplus) {
            int[] writer = new int[CHANNELS];
            int[] reader = new int[CHANNELS];
            Arrays.fill(writer, -1);
            Arrays.fill(reader, -1);
            List<List<Step>> kept = new ArrayList<>();
            for (int g = 0; g < programs.size(); g++) {
                List<Step> program = new ArrayList<>();
                for (Step s : programs.get(g)) {
                    int[] owner = s.kind().sends() ? writer : s.kind().receives() ? reader : null;
                    if (owner != null) {
                        if (owner[s.channel()] == -1) {
                            owner[s.channel()] = g;
                        } else if (owner[s.channel()] != g) {
                            continue;
                        }
                    }
                    boolean mayOutliveRoot = root == Root.RETURNS || root == Root.RUNS_PROGRAM_0 && g > 0;
                    program.add(s.kind() == Kind.SLEEP && mayOutliveRoot ? new Step(Kind.SLEEP, s.channel(), 0) : s);
                }
                kept.add(List.copyOf(program));
            }
            return new Plan(shape, List.copyOf(capacities), List.copyOf(kept), root, joinSurplus, groupSurplus);
        }

        int count(Kind kind) {
            return (int) programs.stream().flatMap(List::stream).filter(s -> s.kind() == kind).count();
        }

        /** The program that sends on (or receives from) channel c, or -1. */
        int ownerOf(int c, boolean sends) {
            for (int g = 0; g < programs.size(); g++) {
                for (Step s : programs.get(g)) {
                    if (s.channel() == c && (sends ? s.kind().sends() : s.kind().receives())) {
                        return g;
                    }
                }
            }
            return -1;
        }

        String label(int program) {
            return root == Root.RUNS_PROGRAM_0 && program == 0 ? "root (p0)" : "p" + program;
        }
    }

    /** The state every schedule ends in: how many steps of each program are taken. */
    static int[] simulate(Plan plan) {
        int n = plan.programs().size();
        int[] pc = new int[n];
        int[] buffered = new int[CHANNELS];
        int dones = 0;
        int allDones = plan.count(Kind.DONE);
        boolean moved = true;
        while (moved) {
            moved = false;
            for (int g = 0; g < n; g++) {
                List<Step> program = plan.programs().get(g);
                while (pc[g] < program.size()) {
                    Step s = program.get(pc[g]);
                    int c = s.channel();
                    int capacity = plan.capacities().get(c);
                    boolean takes = false;
                    switch (s.kind()) {
                        case SLEEP -> takes = true;
                        case DONE -> {
                            takes = true;
                            dones++;
                        }
                        case WAIT -> takes = dones == allDones && plan.groupSurplus() == 0;
                        case SEND, SELECT_SEND -> {
                            if (buffered[c] < capacity) {
                                buffered[c]++;
                                takes = true;
                            } else if (capacity == 0) { // a rendezvous with the receiver, if it waits there now
                                int r = plan.ownerOf(c, false);
                                if (r >= 0 && pc[r] < plan.programs().get(r).size()
                                        && plan.programs().get(r).get(pc[r]).kind().receives()
                                        && plan.programs().get(r).get(pc[r]).channel() == c) {
                                    pc[r]++;
                                    takes = true;
                                }
                            }
                        }
                        case RECEIVE, SELECT_RECEIVE -> {
                            if (buffered[c] > 0) {
                                buffered[c]--;
                                takes = true;
                            } else if (capacity == 0) {
                                int w = plan.ownerOf(c, true);
                                if (w >= 0 && pc[w] < plan.programs().get(w).size()
                                        && plan.programs().get(w).get(pc[w]).kind().sends()
                                        && plan.programs().get(w).get(pc[w]).channel() == c) {
                                    pc[w]++;
                                    takes = true;
                                }
                            }
                        }
                        default -> takes = false; // stuck for good
                    }
                    if (!takes) {
                        break;
                    }
                    pc[g]++;
                    moved = true;
                }
            }
        }
        return pc;
    }

    /** The never-ready cases of a variant: a receive from a channel nobody sends on, a send nobody takes, nil. */
    static List<Case<?>> neverReady(int variant, Chan<Integer> never, Chan<Integer> sink) {
        return switch (variant % 4) {
            case 0 -> List.of(onReceive(never));
            case 1 -> List.of(onSend(sink, -1));
            case 2 -> List.of(onReceive(null));
            default -> List.of(onReceive(never), onSend(sink, -1), onSend((SendOnly<Integer>) null, -1));
        };
    }

    /** Everything a running plan shares. */
    record Shared(List<Chan<Integer>> channels, Chan<Integer> never, Chan<Integer> sink, WaitGroup group,
            List<ConcurrentLinkedQueue<Integer>> received) {}

    /** Runs one program; a step that should block forever and returns fails the run. */
    static void execute(List<Step> program, Shared shared) {
        int[] nextValue = new int[CHANNELS];
        for (Step s : program) {
            Chan<Integer> ch = shared.channels().get(s.channel());
            ConcurrentLinkedQueue<Integer> received = shared.received().get(s.channel());
            switch (s.kind()) {
                case SEND -> ch.send(nextValue[s.channel()]++);
                case RECEIVE -> received.add(ch.receive());
                case SELECT_SEND, SELECT_RECEIVE -> {
                    List<Case<?>> cases = new ArrayList<>(neverReady(s.variant(), shared.never(), shared.sink()));
                    int live = s.variant() % (cases.size() + 1);
                    Case<Integer> liveCase = s.kind() == Kind.SELECT_SEND ? onSend(ch, nextValue[s.channel()]) : onReceive(ch);
                    cases.add(live, liveCase);
                    Selected fired = select(cases.toArray(Case<?>[]::new));
                    if (fired.index() != live) {
                        throw new AssertionError("a never-ready case fired in " + s + ": " + fired);
                    }
                    if (s.kind() == Kind.SELECT_SEND) {
                        nextValue[s.channel()]++;
                    } else {
                        received.add(fired.value(liveCase));
                    }
                }
                case DONE -> shared.group().done();
                case WAIT -> shared.group().await();
                case SLEEP -> sleep(Duration.ofMillis(s.variant()));
                case NEVER_READY_SELECT -> throw new AssertionError("a never-ready select fired: "
                        + select(neverReady(s.variant(), shared.never(), shared.sink()).toArray(Case[]::new)));
                case NO_CASES -> throw new AssertionError("select() returned: " + select());
                case NIL_SEND -> {
                    Go.send(null, 1);
                    throw new AssertionError("a send on a nil channel returned");
                }
                case NIL_RECEIVE -> throw new AssertionError("a receive from nil returned " + Go.receive(null));
            }
        }
    }

    // Proves the verdict on random networks of goroutines (channels of every capacity, selects, a shared WaitGroup,
    // sleeps, operations that block forever): a Deadlock exactly when the simulation leaves a step untaken, with
    // Go's reason, and blocked() naming exactly the stuck goroutines with the operation each one is stuck in.
    @Property(tries = 500)
    void theVerdictIsTheOneEveryScheduleReaches(@ForAll("plans") Plan plan) {
        // given: the state every schedule ends in
        int[] pc = simulate(plan);
        int n = plan.programs().size();
        Set<String> expectedStuck = new TreeSet<>();
        boolean anyStuck = false;
        for (int g = 0; g < n; g++) {
            List<Step> program = plan.programs().get(g);
            if (pc[g] < program.size()) {
                anyStuck = true;
                expectedStuck.add(plan.label(g) + ": " + program.get(pc[g]).kind().operation);
            }
        }
        boolean rootStuck = plan.root() == Root.WAITS && (anyStuck || plan.joinSurplus() > 0)
                || plan.root() == Root.RUNS_PROGRAM_0 && pc[0] < plan.programs().get(0).size();
        if (plan.root() == Root.WAITS && rootStuck) {
            expectedStuck.add("root: sync.WaitGroup.Wait");
        }
        String expectedReason = expectedStuck.isEmpty() ? null : rootStuck ? TestSupport.ALL_BLOCKED : TestSupport.ROOT_EXITED;

        // when
        Map<Thread, String> labels = new ConcurrentHashMap<>();
        AtomicIntegerArray finished = new AtomicIntegerArray(n);
        List<ConcurrentLinkedQueue<Integer>> received = new ArrayList<>();
        for (int c = 0; c < CHANNELS; c++) {
            received.add(new ConcurrentLinkedQueue<>());
        }
        Deadlock deadlock = TestSupport.verdict(() -> {
            List<Chan<Integer>> channels = new ArrayList<>();
            plan.capacities().forEach(capacity -> channels.add(make(capacity)));
            WaitGroup group = new WaitGroup();
            if (plan.count(Kind.DONE) + plan.groupSurplus() > 0) {
                group.add(plan.count(Kind.DONE) + plan.groupSurplus());
            }
            Shared shared = new Shared(channels, make(), make(), group, received);
            WaitGroup join = new WaitGroup();
            if (plan.root() == Root.WAITS && n + plan.joinSurplus() > 0) {
                join.add(n + plan.joinSurplus());
            }
            labels.put(Thread.currentThread(), plan.root() == Root.RUNS_PROGRAM_0 ? plan.label(0) : "root");
            for (int g = plan.root() == Root.RUNS_PROGRAM_0 ? 1 : 0; g < n; g++) {
                int program = g;
                Thread goroutine = go(() -> {
                    execute(plan.programs().get(program), shared);
                    finished.set(program, 1);
                    if (plan.root() == Root.WAITS) {
                        join.done();
                    }
                });
                labels.put(goroutine, plan.label(program));
            }
            if (plan.root() == Root.RUNS_PROGRAM_0) {
                execute(plan.programs().get(0), shared);
                finished.set(0, 1);
            }
            if (plan.root() == Root.WAITS) {
                join.await();
            }
        });

        // then
        Statistics.label("shape").collect(plan.shape());
        Statistics.label("verdict").collect(expectedReason == null ? "finishes" : expectedReason);
        Statistics.label("stuck in").collect(expectedStuck.stream().map(s -> s.substring(s.indexOf(':') + 2))
                .distinct().sorted().toList().toString());
        Statistics.label("goroutines stuck").collect(expectedStuck.size());
        if (expectedReason == null) {
            assertNull(deadlock, () -> "a plan every schedule finishes was reported:\n" + deadlock.getMessage());
        } else {
            assertNotNull(deadlock, "the plan cannot finish, yet no deadlock was reported; expected stuck: "
                    + expectedStuck);
            assertEquals(expectedReason, deadlock.reason());
            assertEquals(expectedStuck, blockedAsLabels(deadlock, labels), deadlock::getMessage);
        }
        for (int g = 0; g < n; g++) {
            assertEquals(pc[g] == plan.programs().get(g).size(), finished.get(g) == 1,
                    plan.label(g) + " finished (or not) against the simulation");
        }
        for (int c = 0; c < CHANNELS; c++) {
            int r = plan.ownerOf(c, false);
            int takenReceives = 0;
            if (r >= 0) {
                for (Step s : plan.programs().get(r).subList(0, pc[r])) {
                    takenReceives += s.kind().receives() && s.channel() == c ? 1 : 0;
                }
            }
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < takenReceives; i++) {
                expected.add(i);
            }
            assertEquals(expected, List.copyOf(received.get(c)), "c" + c + " delivered its values wrongly");
        }
    }

    @Provide
    Arbitrary<Plan> plans() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, randomPlans()),
                Tuple.of(4, tracePlans()),
                Tuple.of(2, rings()));
    }

    /** Any programs at all: mostly sends and receives, sometimes a select, a WaitGroup step, a sleep, a trap. */
    Arbitrary<Plan> randomPlans() {
        Arbitrary<Kind> kinds = Arbitraries.frequency(
                Tuple.of(30, Kind.SEND), Tuple.of(30, Kind.RECEIVE),
                Tuple.of(8, Kind.SELECT_SEND), Tuple.of(8, Kind.SELECT_RECEIVE),
                Tuple.of(5, Kind.DONE), Tuple.of(5, Kind.WAIT), Tuple.of(5, Kind.SLEEP),
                Tuple.of(1, Kind.NEVER_READY_SELECT), Tuple.of(1, Kind.NO_CASES),
                Tuple.of(1, Kind.NIL_SEND), Tuple.of(1, Kind.NIL_RECEIVE));
        Arbitrary<Step> steps = Combinators.combine(kinds, Arbitraries.integers().between(0, 2),
                Arbitraries.integers().between(0, 7)).as((kind, c, variant) -> new Step(kind, c,
                        kind == Kind.SLEEP ? variant % 3 : variant));
        Arbitrary<Integer> surplus = Arbitraries.frequency(Tuple.of(6, 0), Tuple.of(1, 1), Tuple.of(1, 2));
        return Combinators.combine(
                Arbitraries.integers().between(0, 2).list().ofSize(CHANNELS),
                steps.list().ofMaxSize(5).list().ofMinSize(1).ofMaxSize(4),
                Arbitraries.of(Root.class), surplus, surplus)
                .as((capacities, programs, root, join, group) -> Plan.of("random", capacities, programs, root, join,
                        group));
    }

    /**
     * Programs cut from one sequential run: a list of events (a value passed on a channel from its sender to its
     * receiver, at most one WaitGroup barrier) is shared out among the goroutines in order, so every schedule
     * finishes, by induction on the first event not done yet. Then perhaps one step is dropped, or the root waits
     * for one goroutine too many.
     */
    Arbitrary<Plan> tracePlans() {
        return Arbitraries.randomValue(random -> {
            int n = 2 + random.nextInt(3);
            List<Integer> capacities = new ArrayList<>();
            int[] writer = new int[CHANNELS];
            int[] reader = new int[CHANNELS];
            for (int c = 0; c < CHANNELS; c++) {
                capacities.add(random.nextInt(3));
                writer[c] = random.nextInt(n);
                reader[c] = (writer[c] + 1 + random.nextInt(n - 1)) % n;
            }
            List<List<Step>> programs = new ArrayList<>();
            for (int g = 0; g < n; g++) {
                programs.add(new ArrayList<>());
            }
            int events = random.nextInt(9);
            int barrierAt = random.nextInt(3) == 0 ? random.nextInt(events + 1) : -1;
            int waitAt = barrierAt < 0 ? -1 : barrierAt + random.nextInt(events - barrierAt + 1);
            for (int e = 0; e <= events; e++) {
                if (e == barrierAt) {
                    for (int g = 0; g < n; g++) {
                        if (random.nextBoolean()) {
                            programs.get(g).add(new Step(Kind.DONE, 0, 0));
                        }
                    }
                }
                if (e == waitAt) {
                    programs.get(random.nextInt(n)).add(new Step(Kind.WAIT, 0, 0));
                }
                if (e == events) {
                    break;
                }
                int c = random.nextInt(CHANNELS);
                boolean selects = random.nextInt(4) == 0;
                programs.get(writer[c]).add(new Step(selects ? Kind.SELECT_SEND : Kind.SEND, c, random.nextInt(8)));
                selects = random.nextInt(4) == 0;
                programs.get(reader[c]).add(new Step(selects ? Kind.SELECT_RECEIVE : Kind.RECEIVE, c,
                        random.nextInt(8)));
                if (random.nextInt(6) == 0) {
                    programs.get(random.nextInt(n)).add(new Step(Kind.SLEEP, 0, random.nextInt(3)));
                }
            }
            int joinSurplus = 0;
            switch (random.nextInt(4)) {
                case 0 -> { // one step short
                    List<List<Step>> withSteps = programs.stream().filter(p -> !p.isEmpty()).toList();
                    if (!withSteps.isEmpty()) {
                        List<Step> p = withSteps.get(random.nextInt(withSteps.size()));
                        p.remove(random.nextInt(p.size()));
                    }
                }
                case 1 -> joinSurplus = 1 + random.nextInt(2); // a WaitGroup off by k (when the root waits)
                default -> { }
            }
            Root root = Root.values()[random.nextInt(Root.values().length)];
            return Plan.of("trace", capacities, programs, root, joinSurplus, 0);
        });
    }

    /**
     * A ring: goroutine i sends to goroutine i+1 (mod n) and receives from goroutine i-1. Either everyone sends
     * first (a deadlock exactly when every channel is unbuffered: each waits for the next), or one goroutine holds
     * the token and the others pass it on (a deadlock when nobody holds it: each waits for the one before).
     */
    Arbitrary<Plan> rings() {
        return Arbitraries.randomValue(random -> {
            int n = 1 + random.nextInt(CHANNELS);
            boolean sendsFirst = random.nextBoolean();
            boolean token = random.nextInt(3) != 0;
            List<Integer> capacities = new ArrayList<>();
            for (int c = 0; c < CHANNELS; c++) {
                capacities.add(random.nextInt(3) == 0 ? 1 : 0);
            }
            List<List<Step>> programs = new ArrayList<>();
            for (int g = 0; g < n; g++) {
                Step send = new Step(random.nextInt(4) == 0 ? Kind.SELECT_SEND : Kind.SEND, (g + 1) % n,
                        random.nextInt(8));
                Step receive = new Step(random.nextInt(4) == 0 ? Kind.SELECT_RECEIVE : Kind.RECEIVE, g,
                        random.nextInt(8));
                programs.add(sendsFirst || (token && g == 0) ? List.of(send, receive) : List.of(receive, send));
            }
            Root root = Root.values()[random.nextInt(Root.values().length)];
            return Plan.of(sendsFirst ? "ring, all send first" : token ? "ring with a token" : "ring, no token",
                    capacities, programs, root, 0, 0);
        });
    }

    // =====================================================================================================
    // A crowd on one channel: who is stuck depends on the schedule, how many does not
    // =====================================================================================================

    // Proves that with k more senders than receivers and buffer slots, exactly k senders end blocked, and with k
    // more receivers than senders exactly k receivers, each in "chan send", "chan receive" or "select" as written.
    @Property(tries = 150)
    void exactlyTheSurplusSendersOrReceiversAreStuck(
            @ForAll @IntRange(min = 0, max = 3) int capacity,
            @ForAll @IntRange(min = 0, max = 5) int senders,
            @ForAll @IntRange(min = 0, max = 5) int receivers,
            @ForAll @Size(10) List<Boolean> inSelect,
            @ForAll boolean rootWaits) {
        // given
        int stuckSenders = Math.max(0, senders - receivers - capacity);
        int stuckReceivers = Math.max(0, receivers - senders);
        Map<Thread, String> roles = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<Integer> received = new ConcurrentLinkedQueue<>();

        // when
        Deadlock deadlock = TestSupport.verdict(() -> {
            Chan<Integer> ch = make(capacity);
            Chan<Integer> never = make();
            WaitGroup join = new WaitGroup();
            join.add(senders + receivers);
            for (int i = 0; i < senders + receivers; i++) {
                int value = i;
                boolean sends = i < senders;
                boolean selects = inSelect.get(i);
                Thread goroutine = go(() -> {
                    if (sends && selects) {
                        select(onReceive(never), onSend(ch, value));
                    } else if (sends) {
                        ch.send(value);
                    } else if (selects) {
                        var fromCh = onReceive(ch);
                        received.add(select(fromCh, onReceive(never)).value(fromCh));
                    } else {
                        received.add(ch.receive());
                    }
                    join.done();
                });
                roles.put(goroutine, (sends ? "sender" : "receiver") + (selects ? " in select" : ""));
            }
            if (rootWaits) {
                join.await();
            }
        });

        // then
        Statistics.label("stuck").collect(stuckSenders > 0 ? "senders" : stuckReceivers > 0 ? "receivers" : "none");
        Statistics.label("capacity").collect(capacity);
        if (stuckSenders + stuckReceivers == 0) {
            assertNull(deadlock, () -> "every goroutine can finish, yet:\n" + deadlock.getMessage());
        } else {
            assertNotNull(deadlock, stuckSenders + " senders and " + stuckReceivers + " receivers should be stuck");
            assertEquals(rootWaits ? TestSupport.ALL_BLOCKED : TestSupport.ROOT_EXITED, deadlock.reason());
            int sendersSeen = 0;
            int receiversSeen = 0;
            int rootsSeen = 0;
            for (Blocked b : deadlock.blocked()) {
                String role = roles.get(b.thread());
                if (role == null) {
                    rootsSeen++;
                    assertEquals("sync.WaitGroup.Wait", b.operation(), deadlock::getMessage);
                    continue;
                }
                sendersSeen += role.startsWith("sender") ? 1 : 0;
                receiversSeen += role.startsWith("receiver") ? 1 : 0;
                String expected = role.endsWith("in select") ? "select"
                        : role.startsWith("sender") ? "chan send" : "chan receive";
                assertEquals(expected, b.operation(), role + " " + b.thread().getName());
            }
            assertEquals(stuckSenders, sendersSeen, deadlock::getMessage);
            assertEquals(stuckReceivers, receiversSeen, deadlock::getMessage);
            assertEquals(rootWaits ? 1 : 0, rootsSeen, deadlock::getMessage);
        }
        List<Integer> got = new ArrayList<>(received);
        assertEquals(Math.min(senders, receivers), got.size(), "values received");
        assertEquals(got.size(), new HashSet<>(got).size(), "a value was received twice: " + got);
        assertTrue(got.stream().allMatch(v -> v < senders), "a value nobody sent: " + got);
    }

    // =====================================================================================================
    // Time: a timer, a ticker, a sleep or an afterFunc on its way is not a deadlock
    // =====================================================================================================

    /** One way of waiting for time. */
    enum TimedWait { SLEEP, AFTER, TIMER, TICKER, AFTER_FUNC_SENDS, SLEEPER_SENDS, STOPPED_TIMER_THEN_AFTER }

    // Proves that goroutines waiting only for time (sleep, after, a timer, a ticker, an afterFunc that will send, a
    // goroutine that sleeps and then sends) are never reported, even while every other goroutine of the bubble is
    // durably blocked, and finish; and that once the time has passed, a real deadlock is still found.
    @Property(tries = 60)
    void waitingForTimeIsNeverADeadlock(
            @ForAll @Size(min = 1, max = 4) List<@Size(min = 1, max = 3) List<TimedWait>> programs,
            @ForAll @IntRange(min = 1, max = 15) int millis,
            @ForAll boolean thenStuck) {
        // given
        int timersBefore = timers();
        int n = programs.size();
        AtomicIntegerArray finished = new AtomicIntegerArray(n);

        // when
        Deadlock deadlock = TestSupport.verdict(() -> {
            WaitGroup join = new WaitGroup();
            join.add(n);
            Chan<Integer> never = make();
            for (int g = 0; g < n; g++) {
                List<TimedWait> program = programs.get(g);
                int index = g;
                go(() -> {
                    Duration d = Duration.ofMillis(millis + index);
                    for (TimedWait wait : program) {
                        waitFor(wait, d);
                    }
                    finished.set(index, 1);
                    join.done();
                    if (thenStuck) {
                        never.receive();
                    }
                });
            }
            join.await(); // durably blocked until the last one is done
        });

        // then
        Statistics.label("kinds of wait").collect(programs.stream().flatMap(List::stream).distinct().count());
        Statistics.label("then").collect(thenStuck ? "stuck for good" : "finishes");
        for (int g = 0; g < n; g++) {
            assertEquals(1, finished.get(g), "goroutine " + g + " did not get through its waits");
        }
        if (thenStuck) {
            assertNotNull(deadlock, "every goroutine ends stuck on a channel nobody sends on");
            assertEquals(TestSupport.ROOT_EXITED, deadlock.reason());
            assertEquals(n, deadlock.blocked().size(), deadlock::getMessage);
            assertTrue(deadlock.blocked().stream().allMatch(b -> b.operation().equals("chan receive")),
                    deadlock::getMessage);
        } else {
            assertNull(deadlock, () -> "waiting for time was reported:\n" + deadlock.getMessage());
        }
        assertEquals(timersBefore, timers(), "a timer or ticker was left running");
    }

    static void waitFor(TimedWait wait, Duration d) {
        switch (wait) {
            case SLEEP -> sleep(d);
            case AFTER -> assertNotNull(after(d).receive());
            case TIMER -> assertNotNull(newTimer(d).c().receive());
            case TICKER -> {
                Ticker ticker = newTicker(d);
                ticker.c().receive();
                ticker.c().receive();
                ticker.stop();
            }
            case AFTER_FUNC_SENDS -> {
                Chan<Integer> ch = make();
                afterFunc(d, () -> ch.send(1));
                assertEquals(1, ch.receive()); // durably blocked: only the pending timer can wake it
            }
            case SLEEPER_SENDS -> {
                Chan<Integer> ch = make();
                go(() -> {
                    sleep(d);
                    ch.send(2);
                });
                assertEquals(2, ch.receive());
            }
            case STOPPED_TIMER_THEN_AFTER -> {
                assertTrue(newTimer(Duration.ofHours(1)).stop());
                assertNotNull(after(d).receive());
            }
        }
    }

    // =====================================================================================================
    // The outside: what the bubble waits for may come from outside it
    // =====================================================================================================

    /** How a goroutine of the bubble waits for the outside. */
    enum OutsideWait { RECEIVE, SELECT_WITH_A_BUBBLE_CASE, WAITGROUP }

    // Proves that a goroutine of the bubble blocked on a channel or WaitGroup made outside it is not durably blocked:
    // the bubble is not reported while something outside (a goroutine or a platform thread) will release it, even
    // when every other goroutine of the bubble is durably blocked meanwhile; then everything finishes.
    @Property(tries = 40)
    void waitingOnTheOutsideIsNotADeadlock(
            @ForAll @Size(min = 1, max = 3) List<OutsideWait> waiters,
            @ForAll @IntRange(min = 0, max = 30) int delayMillis,
            @ForAll boolean platformThreadReleases) throws InterruptedException {
        // given: a channel and a WaitGroup of the program, released after the delay
        Chan<Integer> outside = make();
        WaitGroup gate = new WaitGroup();
        gate.add(1);
        int values = (int) waiters.stream().filter(w -> w != OutsideWait.WAITGROUP).count();
        Runnable release = () -> {
            try {
                sleep(Duration.ofMillis(delayMillis));
                for (int i = 0; i < values; i++) {
                    outside.send(i);
                }
                gate.done();
            } catch (Interrupted abandoned) {
                // the bubble took nothing (the test fails on its verdict): see below
            }
        };
        Thread releaser = platformThreadReleases ? Thread.ofPlatform().start(release) : go(release);
        List<Integer> got = new ArrayList<>();

        // when: each waiter hands what it got to a goroutine of the bubble, which waits durably until then
        Deadlock deadlock = TestSupport.verdict(() -> {
            Chan<Integer> relay = make();
            Chan<Integer> never = make();
            WaitGroup join = new WaitGroup();
            join.add(waiters.size());
            for (OutsideWait wait : waiters) {
                go(() -> {
                    switch (wait) {
                        case RECEIVE -> relay.send(outside.receive());
                        case SELECT_WITH_A_BUBBLE_CASE -> {
                            var fromOutside = onReceive(outside);
                            relay.send(select(onReceive(never), fromOutside).value(fromOutside));
                        }
                        case WAITGROUP -> {
                            gate.await();
                            relay.send(-1);
                        }
                    }
                });
                go(() -> {
                    Integer v = relay.receive();
                    synchronized (got) {
                        got.add(v);
                    }
                    join.done();
                });
            }
            join.await();
        });
        if (!releaser.join(TestSupport.TRY_BOUND)) {
            releaser.interrupt(); // so that a wrong verdict fails the try instead of hanging it
            releaser.join();
        }

        // then
        Statistics.label("released by").collect(platformThreadReleases ? "a platform thread" : "a goroutine");
        assertNull(deadlock, () -> "waiting on the outside was reported:\n" + deadlock.getMessage());
        List<Integer> expected = new ArrayList<>();
        for (int i = values; i < waiters.size(); i++) {
            expected.add(-1); // what the WaitGroup waiters pass on
        }
        for (int i = 0; i < values; i++) {
            expected.add(i);
        }
        synchronized (got) {
            assertEquals(expected, got.stream().sorted().toList());
        }
    }

    // =====================================================================================================
    // Corners
    // =====================================================================================================

    @Example
    void aRingOfUnbufferedSends_eachWaitingForTheNext_isADeadlockOfChanSends() {
        // given: three goroutines, each sending to the next before receiving
        Map<Thread, String> labels = new ConcurrentHashMap<>();

        // when
        Deadlock deadlock = TestSupport.verdict(() -> {
            List<Chan<Integer>> ring = List.of(make(), make(), make());
            for (int i = 0; i < 3; i++) {
                Chan<Integer> mine = ring.get(i);
                Chan<Integer> next = ring.get((i + 1) % 3);
                labels.put(go(() -> {
                    next.send(1);
                    mine.receive();
                }), "g" + i);
            }
        });

        // then
        assertNotNull(deadlock);
        assertEquals(TestSupport.ROOT_EXITED, deadlock.reason());
        assertEquals(Set.of("g0: chan send", "g1: chan send", "g2: chan send"), blockedAsLabels(deadlock, labels));
    }

    @Example
    void oneSenderTooMany_leavesExactlyOneSenderBlocked() {
        // when: three senders, two receivers, one unbuffered channel; the root waits for all five
        Deadlock deadlock = TestSupport.verdict(() -> {
            Chan<Integer> ch = make();
            WaitGroup wg = new WaitGroup();
            wg.add(5);
            for (int i = 0; i < 3; i++) {
                int v = i;
                go(() -> {
                    ch.send(v);
                    wg.done();
                });
            }
            for (int i = 0; i < 2; i++) {
                go(() -> {
                    ch.receive();
                    wg.done();
                });
            }
            wg.await();
        });

        // then
        assertNotNull(deadlock);
        assertEquals(TestSupport.ALL_BLOCKED, deadlock.reason());
        assertEquals(List.of("chan send", "sync.WaitGroup.Wait"),
                deadlock.blocked().stream().map(Blocked::operation).sorted().toList(), deadlock::getMessage);
    }

    @Example
    void aWaitGroupOffByOne_leavesOnlyItsWaiterBlocked() {
        // given
        AtomicReference<Thread> root = new AtomicReference<>();

        // when: Add(3) for two goroutines that both finish
        Deadlock deadlock = TestSupport.verdict(() -> {
            root.set(Thread.currentThread());
            WaitGroup wg = new WaitGroup();
            wg.add(3);
            go(wg::done);
            go(wg::done);
            wg.await();
        });

        // then
        assertNotNull(deadlock);
        assertEquals(TestSupport.ALL_BLOCKED, deadlock.reason());
        assertEquals(1, deadlock.blocked().size(), deadlock::getMessage);
        Blocked only = deadlock.blocked().get(0);
        assertEquals(root.get(), only.thread());
        assertEquals("sync.WaitGroup.Wait", only.operation());
    }

    @Example
    void everyOperationThatBlocksForever_isNamedAsGoNamesIt() {
        // given
        Map<Thread, String> labels = new ConcurrentHashMap<>();

        // when: one goroutine in each, and the root returns
        Deadlock deadlock = TestSupport.verdict(() -> {
            Chan<Integer> ch = make();
            labels.put(go(() -> ch.send(1)), "send");
            labels.put(go(() -> make().receive()), "receive");
            labels.put(go(() -> select(onReceive(make()), onReceive(null))), "select");
            labels.put(go(() -> select()), "select()");
            labels.put(go(() -> select(onReceive(null))), "select of nil");
            labels.put(go(() -> Go.send(null, 1)), "nil send");
            labels.put(go(() -> Go.receive(null)), "nil receive");
            labels.put(go(() -> {
                for (Object v : range(null)) {
                    fail("ranging over nil got " + v);
                }
            }), "range over nil");
            WaitGroup wg = new WaitGroup();
            wg.add(1);
            labels.put(go(wg::await), "wait");
        });

        // then
        assertNotNull(deadlock);
        assertEquals(TestSupport.ROOT_EXITED, deadlock.reason());
        assertEquals(Set.of("send: chan send", "receive: chan receive", "select: select",
                "select(): select (no cases)", "select of nil: select", "nil send: chan send (nil chan)",
                "nil receive: chan receive (nil chan)", "range over nil: chan receive (nil chan)",
                "wait: sync.WaitGroup.Wait"), blockedAsLabels(deadlock, labels));
    }

    @Example
    void aStoppedTimerOrTickerWakesNobody() {
        // when: the only timer and the only ticker are stopped before anyone waits on them
        Deadlock timer = TestSupport.verdict(() -> {
            Timer t = newTimer(Duration.ofHours(1));
            assertTrue(t.stop());
            t.c().receive();
        });
        Deadlock ticker = TestSupport.verdict(() -> {
            Ticker t = newTicker(Duration.ofHours(1));
            t.stop();
            t.c().receive();
        });

        // then
        for (Deadlock deadlock : List.of(timer, ticker)) {
            assertNotNull(deadlock);
            assertEquals(TestSupport.ALL_BLOCKED, deadlock.reason());
            assertEquals(List.of("chan receive"), deadlock.blocked().stream().map(Blocked::operation).toList());
        }
    }

    @Example
    void aBubbleIsOverWhenItsGoroutinesEnd_evenWithATickerLeftRunning() {
        // when
        AtomicReference<Ticker> left = new AtomicReference<>();
        Deadlock deadlock = TestSupport.verdict(() -> left.set(newTicker(Duration.ofMillis(5))));

        // then: and the ticker stays the bubble's, as in Go
        assertNull(deadlock);
        Panic misuse = assertThrows(Panic.class, () -> left.get().stop());
        assertEquals("synctest timer accessed from outside bubble", misuse.getMessage());
    }

    @Example
    void theMessageIsTheReason_aBlankLine_andTheDump() {
        // when
        Deadlock deadlock = TestSupport.verdict(() -> {
            Chan<Integer> ch = make();
            go(() -> ch.send(1));
        });

        // then
        assertNotNull(deadlock);
        assertEquals(deadlock.reason() + "\n\n" + deadlock.dump(), deadlock.getMessage());
        assertTrue(deadlock.dump().matches("(?s)goroutine \\d+ \\[chan send \\(durable\\), synctest bubble \\d+]:\n.*"),
                deadlock.dump());
    }

    @Example
    void aPanicInTheBubbleIsRethrown_withTheDeadlockItLeftSuppressed() {
        // when: a goroutine fails before its done, so the root waits forever
        Throwable thrown = assertThrows(Throwable.class, () -> TestSupport.bounded(() -> {
            bubble(() -> {
                WaitGroup wg = new WaitGroup();
                wg.add(1);
                go(() -> {
                    throw new IllegalStateException("boom");
                });
                wg.await();
            });
            return null;
        }));

        // then
        assertInstanceOf(IllegalStateException.class, thrown);
        assertEquals("boom", thrown.getMessage());
        assertEquals(1, thrown.getSuppressed().length);
        Deadlock deadlock = assertInstanceOf(Deadlock.class, thrown.getSuppressed()[0]);
        assertEquals(TestSupport.ALL_BLOCKED, deadlock.reason());
    }

    @Example
    void anAssertionErrorInTheBubble_isRethrownAsItIs() {
        AssertionError failed = assertThrows(AssertionError.class,
                () -> TestSupport.bounded(() -> {
                    bubble(() -> go(() -> assertEquals(1, 2, "inside")));
                    return null;
                }));
        assertTrue(failed.getMessage().startsWith("inside"), failed.getMessage());
    }
}
