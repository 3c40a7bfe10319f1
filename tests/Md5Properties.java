import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.statistics.Statistics;

/**
 * Properties of Md5.java, the Go blog's MD5All in its four versions (serial, parallel, bounded, errgroup), on real
 * trees of random files in a temporary folder: every version gives the sums a direct computation gives; the bounded
 * ones never read more than N files at once and read each file exactly once; an unreadable file cancels the walk,
 * and MD5All returns its error with nothing left running. The reads that count concurrency and fail on purpose run
 * in a bubble, where a read takes a virtual time, so "at once" and "after the error" are exact.
 */
@PropertyDefaults(tries = 30)
@AddLifecycleHook(TestSupport.NoLeaks.class)
class Md5Properties {

    static final List<String> VERSIONS = List.of("serial", "parallel", "bounded", "errgroup");

    /** Version i of Md5.versions(digesters). */
    static Md5.MD5All version(String name, int digesters) {
        return Md5.versions(digesters).get(VERSIONS.indexOf(name)).md5All();
    }

    /** Runs the body in a bubble and returns its result; bounded in real time in case a goroutine spins. */
    static <T> T inBubble(Supplier<T> body) {
        return TestSupport.bounded(() -> {
            AtomicReference<T> result = new AtomicReference<>();
            bubble(() -> result.set(body.get()));
            return result.get();
        });
    }

    // ---- Trees -----------------------------------------------------------------------------------------------

    /**
     * Up to 15 files of up to 300 random bytes, in up to two levels of directories: directories are named d0..d2
     * and files f0..f5, so that no path is both.
     */
    @Provide
    Arbitrary<Map<String, byte[]>> trees() {
        Arbitrary<String> path = Combinators.combine(
                        Arbitraries.of("d0", "d1", "d2").list().ofMaxSize(2),
                        Arbitraries.of("f0", "f1", "f2", "f3", "f4", "f5"))
                .as((dirs, file) -> dirs.isEmpty() ? file : String.join("/", dirs) + "/" + file);
        Arbitrary<byte[]> content = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        return Arbitraries.maps(path, content).ofMaxSize(15);
    }

    /** Writes the tree (and an empty directory) to a temporary folder, runs the body on it, then deletes it. */
    static <T> T withTree(Map<String, byte[]> files, Function<Path, T> body) {
        try {
            Path root = Files.createTempDirectory("md5-properties");
            try {
                Files.createDirectories(root.resolve("d9"));
                for (var file : files.entrySet()) {
                    Path path = root.resolve(file.getKey());
                    Files.createDirectories(path.getParent());
                    Files.write(path, file.getValue());
                }
                return body.apply(root);
            } finally {
                Md5.deleteTree(root);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The sums straight from the bytes written, with nothing of Md5.java: what every version must give. */
    static Map<Path, String> directSums(Path root, Map<String, byte[]> files) {
        Map<Path, String> sums = new HashMap<>();
        files.forEach((name, data) -> {
            try {
                sums.put(root.resolve(name), HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data)));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        return sums;
    }

    static Map<Path, String> run(Md5.MD5All md5All, Path root, Md5.ReadFile readFile) {
        try {
            return md5All.md5All(root, readFile);
        } catch (Exception e) {
            throw new AssertionError("MD5All failed: " + e, e);
        }
    }

    // ---- The sums --------------------------------------------------------------------------------------------

    // Proves that the pipelines change how the files are read, never what comes out: on real time and real files,
    // each version's map is exactly the direct computation's, for random trees (the empty one included) and any
    // number of digesters.
    @Property
    void everyVersionGivesTheSumsOfADirectComputation(@ForAll("trees") Map<String, byte[]> files,
                                                      @ForAll @IntRange(min = 1, max = 8) int digesters) {
        Statistics.label("files").collect(files.isEmpty() ? "none" : files.size() < 5 ? "1-4" : "5-15");
        // given a random tree of real files
        withTree(files, root -> {
            Map<Path, String> expected = directSums(root, files);
            for (String name : VERSIONS) {
                // when each version digests it, then it gives the direct computation's sums
                Map<Path, String> got = TestSupport.bounded(() -> run(version(name, digesters), root, Md5.READ_FILE));
                assertEquals(expected, got, name + " with " + digesters + " digesters");
            }
            return null;
        });
    }

    // Each file (a real file on disk, its content counted as read) takes the given virtual time to read.
    static final class CountingReader implements Md5.ReadFile {
        final Map<Path, Duration> readTime;
        final Set<Path> unreadable;
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger most = new AtomicInteger();
        final Map<Path, AtomicInteger> reads = new ConcurrentHashMap<>();
        final List<Instant> starts = new CopyOnWriteArrayList<>();
        final List<Instant> dueAt = new CopyOnWriteArrayList<>(); // when each read that started ends (or ended)
        final Map<Exception, Instant> failures = new ConcurrentHashMap<>();

        CountingReader(Map<Path, Duration> readTime, Set<Path> unreadable) {
            this.readTime = readTime;
            this.unreadable = unreadable;
        }

        @Override
        public byte[] read(Path path) throws IOException {
            starts.add(now());
            dueAt.add(now().plus(readTime.get(path)));
            reads.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                byte[] data = Files.readAllBytes(path);
                sleep(readTime.get(path));
                if (unreadable.contains(path)) {
                    AccessDeniedException denied = new AccessDeniedException(path.toString());
                    failures.put(denied, now());
                    throw denied;
                }
                return data;
            } finally {
                running.decrementAndGet();
            }
        }
    }

    /** Read times of 1 to 3 ms by file, seeded by the test. */
    static Map<Path, Duration> readTimes(Path root, Map<String, byte[]> files, List<Integer> millis, int least) {
        Map<Path, Duration> times = new HashMap<>();
        int i = 0;
        for (String name : files.keySet()) {
            times.put(root.resolve(name), Duration.ofMillis(Math.max(least, millis.get(i++ % millis.size()))));
        }
        return times;
    }

    // Proves bounded parallelism: with reads that take time, the bounded versions read exactly min(N, files) files at
    // once, never more, where the parallel version reads them all at once and the serial one one at a time; every
    // version reads every file exactly once and gives the direct computation's sums; nothing is left running.
    @Property
    void boundedNeverRunsMoreThanNDigestersAndDigestsEachFileOnce(
            @ForAll("trees") Map<String, byte[]> files,
            @ForAll @IntRange(min = 1, max = 8) int digesters,
            @ForAll("readMillis") List<Integer> millis) {
        int n = files.size();
        Statistics.label("files per digester").collect(n <= digesters ? "no more than the digesters" : "more");
        // given a random tree whose reads take 1 to 3 ms each (virtual time)
        withTree(files, root -> {
            for (String name : VERSIONS) {
                // when each version digests it
                CountingReader reader = new CountingReader(readTimes(root, files, millis, 1), Set.of());
                Map<Path, String> got = inBubble(() -> {
                    Map<Path, String> m = run(version(name, digesters), root, reader);
                    awaitBlocked();
                    assertEquals(0, goroutines(), name + ": goroutines left");
                    return m;
                });
                // then
                assertEquals(directSums(root, files), got, name);
                int expectedMost = switch (name) {
                    case "serial" -> Math.min(1, n);
                    case "parallel" -> n;
                    default -> Math.min(digesters, n);
                };
                assertEquals(expectedMost, reader.most.get(), name + " with " + digesters + " digesters: files read at once");
                assertEquals(n, reader.reads.size(), name + ": files read");
                reader.reads.forEach((path, count) -> assertEquals(1, count.get(), name + ": reads of " + path));
            }
            return null;
        });
    }

    @Provide
    Arbitrary<List<Integer>> readMillis() {
        return Arbitraries.integers().between(0, 3).list().ofMinSize(1).ofMaxSize(15);
    }

    // ---- Cancellation ----------------------------------------------------------------------------------------

    // Proves the cancellation: with one or more unreadable files among random ones (reads of 0 to 3 ms), every version
    // returns the error of a read that failed first (the only one's, when one file is unreadable); no read starts
    // after that first failure, so the walk was cancelled; the blog's versions return at that very moment and their
    // reads in flight end on their own when they finish (nothing is left once the last has); the serial and errgroup
    // versions return only when every read has ended, with nothing left running then.
    @Property
    void anErrorCancelsTheWalkAndIsReturnedWithNothingLeftRunning(
            @ForAll("trees") Map<String, byte[]> files,
            @ForAll @IntRange(min = 1, max = 8) int digesters,
            @ForAll("readMillis") List<Integer> millis,
            @ForAll @IntRange(min = 1, max = 3) int badOneIn) {
        if (files.isEmpty()) {
            files = Map.of("f0", new byte[0]);
        }
        List<String> names = new ArrayList<>(files.keySet());
        Set<String> bad = new HashSet<>();
        for (int i = 0; i < names.size(); i += badOneIn + 1) {
            bad.add(names.get(i));
        }
        Statistics.label("unreadable files").collect(bad.size() == 1 ? "one" : "several");
        Map<String, byte[]> tree = files;
        // given a random tree with unreadable files, whose reads take 0 to 3 ms each (virtual time)
        withTree(tree, root -> {
            Set<Path> unreadable = new HashSet<>();
            bad.forEach(name -> unreadable.add(root.resolve(name)));
            for (String name : VERSIONS) {
                CountingReader reader = new CountingReader(readTimes(root, tree, millis, 0), unreadable);
                inBubble(() -> {
                    // when each version digests it
                    Instant start = now();
                    Exception err = null;
                    try {
                        version(name, digesters).md5All(root, reader);
                    } catch (Exception e) {
                        err = e;
                    }
                    Instant returned = now();
                    // then it returns the error of a failed read, one that failed first
                    assertNotNull(err, name + " returned sums despite unreadable files");
                    assertInstanceOf(AccessDeniedException.class, err, name);
                    Instant firstFailure = reader.failures.values().stream().min(Instant::compareTo).orElseThrow();
                    assertEquals(firstFailure, reader.failures.get(err), name + ": the error returned failed at "
                            + reader.failures.get(err) + ", but one failed at " + firstFailure);
                    if (bad.size() == 1) {
                        assertEquals(1, reader.failures.size(), name + ": the unreadable file was read more than once");
                    }
                    if (name.equals("parallel") || name.equals("bounded")) {
                        // the blog's: MD5All returns at once, and the reads in flight end on their own. (parallel.go's
                        // goroutines read whether done is closed or not: one that had not run yet when MD5All returned
                        // starts its read then, at that same moment; awaitBlocked lets them all get that far.)
                        assertEquals(firstFailure, returned, name + ": returned " + Duration.between(start, returned)
                                + " in, the first error came " + Duration.between(start, firstFailure) + " in");
                        awaitBlocked();
                        sleep(Duration.between(now(), reader.dueAt.stream().max(Instant::compareTo).orElseThrow()));
                    } else {
                        // serial and errgroup: every read has ended when MD5All returns
                        assertEquals(reader.dueAt.stream().max(Instant::compareTo).orElseThrow(), returned,
                                name + ": returned before (or after) its last read ended");
                    }
                    awaitBlocked();
                    assertEquals(0, goroutines(), name + ": goroutines left once the last read has ended");
                    assertEquals(0, reader.running.get(), name + ": reads still running");
                    // and no read started after the first error: the walk was cancelled
                    for (Instant started : reader.starts) {
                        assertTrue(!started.isAfter(firstFailure), name + ": a read started "
                                + Duration.between(firstFailure, started) + " after the first error");
                    }
                    return null;
                });
            }
            return null;
        });
    }

    // A walk that fails is an error too: a root that does not exist gives the walk's own error in every version.
    @Example
    void aMissingRootIsTheWalksError() throws IOException {
        Path root = Files.createTempDirectory("md5-properties");
        Files.delete(root);
        for (String name : VERSIONS) {
            Exception err = null;
            try {
                version(name, 3).md5All(root, Md5.READ_FILE);
            } catch (Exception e) {
                err = e;
            }
            assertInstanceOf(NoSuchFileException.class, err, name);
        }
    }
}
