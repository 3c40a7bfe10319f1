///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION md5, the Go blog's Pipelines and cancellation: the MD5 sum of every file in a tree, serially, with one goroutine per file, with a fixed number of digesters and with errgroup, each cancelled on the first error.
//JAVA 21+
//DEPS info.picocli:picocli:4.7.7
// To run it elsewhere, copy it with: gochan/Go.java gochan/Context.java gochan/Script.java ErrGroup.java
//SOURCES gochan/Go.java
//SOURCES gochan/Context.java
//SOURCES gochan/Script.java
//SOURCES ErrGroup.java

import static gochan.Go.*;

import gochan.Context;
import gochan.Go;
import gochan.Script;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

// The last example of the Go blog's "Go Concurrency Patterns: Pipelines and cancellation" (Sameer Ajmani, 2014):
// MD5All reads every file in a directory tree and returns a map from path to the MD5 sum of the file, and main
// prints the sums sorted by path, as md5sum does. It is written three times, in the blog's files
// _content/blog/pipelines/serial.go, parallel.go and bounded.go (github.com/golang/website): one file after another;
// one goroutine per file; and a fixed number of digesters fed by a walker, so that a tree of a million files does not
// hold a million files in memory at once. The pipelines stop on the first error: MD5All returns it and closes done,
// and every stage selects on done, so the walk stops and the digesters send nothing more (a read already under way
// runs to its end, unwaited for). Then the same bounded MD5All with ErrGroup.java, as Go would write it today:
// errgroup's first error cancels the rest through a context, SetLimit bounds the digesters, and Wait waits for all.
//
// The default run digests a small fixture tree of known files, written to a temporary folder and deleted after, and
// prints its paths relative to that folder, so the output is always the same; DIR digests a real directory.
@Command(name = "md5", mixinStandardHelpOptions = true, version = "md5 1.0",
        description = "md5, the Go blog's Pipelines and cancellation: the MD5 sum of every file in a tree, serially, "
                + "with one goroutine per file, with a fixed number of digesters and with errgroup, each cancelled on "
                + "the first error.")
public class Md5 implements Callable<Integer> {

    @Parameters(arity = "0..1", paramLabel = "DIR",
            description = "A directory to digest instead of the fixture tree (paths are then printed as walked).")
    Path dir;

    @Option(names = "--digesters",
            description = "Digesters of the bounded versions (default: ${DEFAULT-VALUE}; the blog's numDigesters is 20).")
    int digesters = 4;

    @Option(names = "--unreadable", paramLabel = "FILE",
            description = "A file of the tree, relative to it, that the second run cannot read, to show the"
                    + " cancellation (default: proverbs/sharing.txt in the fixture tree, none in DIR).")
    String unreadable;

    @Spec
    CommandSpec spec;

    // ---- Reading, digesting, walking -----------------------------------------------------------------------

    // ReadFile: Go's ioutil.ReadFile(path), Files.readAllBytes by default. Every version takes it as a parameter so
    // that the demo and the tests can make a file unreadable even for root, whom chmod 000 does not stop.
    @FunctionalInterface
    interface ReadFile {
        byte[] read(Path path) throws IOException;
    }

    static final ReadFile READ_FILE = Files::readAllBytes;

    // A reader that fails on one file as the JDK does on a file it may not open, and reads the others.
    static ReadFile unreadable(Path file) {
        return path -> {
            if (path.normalize().equals(file.normalize())) {
                throw new AccessDeniedException(path.toString());
            }
            return Files.readAllBytes(path);
        };
    }

    // md5Sum: md5.Sum(data), as the hex that fmt's %x prints. A MessageDigest is not safe for concurrent use, so each
    // call gets its own.
    static String md5Sum(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has MD5", e);
        }
    }

    // The blog's WalkFunc, with the two checks every version of it starts with done by walk: an error of the walk
    // ends it (if err != nil { return err }), and fn sees only regular files (if !info.Mode().IsRegular() { return
    // nil }). Throwing is returning an error, which ends the walk.
    @FunctionalInterface
    interface WalkFunc {
        void visit(Path path) throws Exception;
    }

    // walk: filepath.Walk(root, fn), which returns the first error, or null. Files.walk does not follow symbolic
    // links and neither does Go's Walk, which uses Lstat; unlike Go's it does not sort a directory's entries,
    // which changes nothing here (main sorts the sums).
    static Exception walk(Path root, WalkFunc fn) {
        try (Stream<Path> tree = Files.walk(root)) {
            for (Iterator<Path> files = tree.iterator(); files.hasNext(); ) {
                Path path = files.next();
                if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                    fn.visit(path);
                }
            }
            return null;
        } catch (UncheckedIOException err) {                        // a directory that cannot be read
            return err.getCause();
        } catch (Go.Panic panic) {
            throw panic;                                            // a panic is not an error
        } catch (Exception err) {
            return err;
        }
    }

    // ==== serial.go ========================================================================================

    // MD5All reads all the files in the file tree rooted at root and returns a map from file path to the MD5 sum of
    // the file's contents. If the directory walk fails or any read operation fails, MD5All returns an error.
    static Map<Path, String> md5AllSerial(Path root, ReadFile readFile) throws Exception {
        Map<Path, String> m = new HashMap<>();                      // m := make(map[string][md5.Size]byte)
        Exception err = walk(root, path -> {                        // err := filepath.Walk(root, func(...) error {
            byte[] data = readFile.read(path);                      // data, err := ioutil.ReadFile(path): throws
            m.put(path, md5Sum(data));                              // m[path] = md5.Sum(data)
        });
        if (err != null) {
            throw err;                                              // return nil, err
        }
        return m;
    }

    // ==== parallel.go ======================================================================================

    // A result is the product of reading and summing a file using MD5: a sum, or the error that stopped it.
    record Result(Path path, String sum, Exception err) {}

    // digest: `data, err := ioutil.ReadFile(path)` and `result{path, md5.Sum(data), err}`.
    static Result digest(Path path, ReadFile readFile) {
        try {
            return new Result(path, md5Sum(readFile.read(path)), null);
        } catch (IOException err) {
            return new Result(path, null, err);
        }
    }

    record Summed(ReceiveOnly<Result> c, ReceiveOnly<Exception> errc) {}

    // sumFiles starts goroutines to walk the directory tree at root and digest each regular file. These goroutines
    // send the results of the digests on the result channel and send the result of the walk on the error channel.
    // If done is closed, sumFiles abandons its work.
    static Summed sumFiles(ReceiveOnly<?> done, Path root, ReadFile readFile) {
        Chan<Result> c = make();                                    // c := make(chan result)
        Chan<Exception> errc = make(1);                             // errc := make(chan error, 1)
        go(() -> {
            WaitGroup wg = new WaitGroup();
            Exception err = walk(root, path -> {
                wg.add(1);
                go(() -> {                                          // one goroutine per file
                    Result r = digest(path, readFile);
                    select(onReceive(done), onSend(c, r));          // select { case c <- result{...}: case <-done: }
                    wg.done();
                });
                switch (select(onReceive(done), onDefault()).index()) { // abort the walk if done is closed
                    case 0 -> throw new IOException("walk canceled"); // case <-done: return errors.New("walk canceled")
                    case 1 -> { }                                   // default: return nil
                }
            });
            // Walk has returned, so all calls to wg.add are done. Start a goroutine to close c once all the sends
            // are done.
            go(() -> {
                wg.await();
                c.close();
            });
            errc.send(err);                                         // no select needed here, since errc is buffered
        });
        return new Summed(c, errc);
    }

    // MD5All, as in serial.go. In case of an error it does not wait for inflight read operations to complete: they
    // end on their own, once they see done closed.
    static Map<Path, String> md5AllParallel(Path root, ReadFile readFile) throws Exception {
        Chan<Void> done = make();                                   // done := make(chan struct{})
        try {                                                       // defer close(done)
            Summed summed = sumFiles(done, root, readFile);         // c, errc := sumFiles(done, root)
            Map<Path, String> m = new HashMap<>();
            for (Result r : summed.c()) {                           // for r := range c {
                if (r.err() != null) {
                    throw r.err();                                  // return nil, r.err
                }
                m.put(r.path(), r.sum());                           // m[r.path] = r.sum
            }
            Exception err = summed.errc().receive();                // if err := <-errc; err != nil {
            if (err != null) {
                throw err;
            }
            return m;
        } finally {
            done.close();
        }
    }

    // ==== bounded.go =======================================================================================

    record Walked(ReceiveOnly<Path> paths, ReceiveOnly<Exception> errc) {}

    // walkFiles starts a goroutine to walk the directory tree at root and send the path of each regular file on the
    // paths channel. It sends the result of the walk on the error channel. If done is closed, walkFiles abandons
    // its work.
    static Walked walkFiles(ReceiveOnly<?> done, Path root) {
        Chan<Path> paths = make();                                  // paths := make(chan string)
        Chan<Exception> errc = make(1);                             // errc := make(chan error, 1)
        go(() -> {
            try {                                                   // defer close(paths)
                errc.send(walk(root, path -> {                      // errc <- filepath.Walk(root, func(...) error {
                    switch (select(onReceive(done), onSend(paths, path)).index()) {
                        case 0 -> throw new IOException("walk canceled"); // case <-done: return errors.New("walk canceled")
                        case 1 -> { }                               // case paths <- path:
                    }
                }));
            } finally {
                paths.close();
            }
        });
        return new Walked(paths, errc);
    }

    // digester reads path names from paths and sends digests of the corresponding files on c until either paths or
    // done is closed.
    static void digester(ReceiveOnly<?> done, ReceiveOnly<Path> paths, SendOnly<Result> c, ReadFile readFile) {
        for (Path path : paths) {                                   // for path := range paths {
            Result r = digest(path, readFile);
            switch (select(onReceive(done), onSend(c, r)).index()) {
                case 0 -> { return; }                               // case <-done: return
                case 1 -> { }                                       // case c <- result{path, md5.Sum(data), err}:
            }
        }
    }

    // MD5All with a fixed number of digesters (the blog's const numDigesters = 20). In case of an error it does not
    // wait for inflight read operations to complete.
    static Map<Path, String> md5AllBounded(Path root, int numDigesters, ReadFile readFile) throws Exception {
        Chan<Void> done = make();                                   // done := make(chan struct{})
        try {                                                       // defer close(done)
            Walked walked = walkFiles(done, root);                  // paths, errc := walkFiles(done, root)
            // Start a fixed number of goroutines to read and digest files.
            Chan<Result> c = make();                                // c := make(chan result)
            WaitGroup wg = new WaitGroup();
            wg.add(numDigesters);                                   // wg.Add(numDigesters)
            for (int i = 0; i < numDigesters; i++) {
                go(() -> {
                    digester(done, walked.paths(), c, readFile);
                    wg.done();
                });
            }
            go(() -> {
                wg.await();
                c.close();
            });
            Map<Path, String> m = new HashMap<>();
            for (Result r : c) {                                    // for r := range c {
                if (r.err() != null) {
                    throw r.err();
                }
                m.put(r.path(), r.sum());
            }
            Exception err = walked.errc().receive();                // check whether the Walk failed: <-errc
            if (err != null) {
                throw err;
            }
            return m;
        } finally {
            done.close();
        }
    }

    // ==== With errgroup ====================================================================================

    // MD5All as Go would write it today, from errgroup's own example (errgroup/errgroup_example_md5all_test.go in
    // github.com/golang/sync), with SetLimit in place of its walker goroutine, paths channel and loop of 20
    // digesters. The walk runs in the caller and starts one task per file; Go blocks while numDigesters tasks run,
    // which holds the walk back. The first error cancels ctx, so the walk stops at its next file; and when MD5All
    // returns, even with an error, Wait has returned: every task has ended, none is left reading.
    static Map<Path, String> md5AllErrGroup(Context parent, Path root, int numDigesters, ReadFile readFile)
            throws Exception {
        ErrGroup.GroupContext gc = ErrGroup.withContext(parent);    // g, ctx := errgroup.WithContext(ctx)
        ErrGroup.Group g = gc.g();
        Context ctx = gc.ctx();
        g.setLimit(numDigesters);                                   // g.SetLimit(numDigesters)
        Map<Path, String> m = new ConcurrentHashMap<>();            // m, and a sync.Mutex around its writes
        Exception walkErr = walk(root, path -> {                    // walkErr := filepath.Walk(root, func(...) error {
            if (ctx.err() != null) {
                throw ctx.err();                                    // if ctx.Err() != nil { return ctx.Err() }
            }
            g.go(() -> {                                            // g.Go(func() error {
                byte[] data = readFile.read(path);                  // data, err := os.ReadFile(path): throws
                m.put(path, md5Sum(data));                          // mu.Lock(); m[path] = md5.Sum(data); mu.Unlock()
            });
        });
        Exception err = g.await();                                  // if err := g.Wait(); err != nil {
        if (err != null) {
            throw err;                                              // return nil, err
        }
        if (walkErr != null) {
            throw walkErr;
        }
        return m;
    }

    // ==== main =============================================================================================

    // One version of MD5All, as main runs it.
    @FunctionalInterface
    interface MD5All {
        Map<Path, String> md5All(Path root, ReadFile readFile) throws Exception;
    }

    record Version(String name, MD5All md5All) {}

    static List<Version> versions(int digesters) {
        return List.of(
                new Version("serial.go, one file after another", Md5::md5AllSerial),
                new Version("parallel.go, one goroutine per file", Md5::md5AllParallel),
                new Version("bounded.go, " + digesters + " digesters",
                        (root, readFile) -> md5AllBounded(root, digesters, readFile)),
                new Version("errgroup, SetLimit(" + digesters + ")",
                        (root, readFile) -> md5AllErrGroup(Context.background(), root, digesters, readFile)));
    }

    // The fixture: known files, one directory with none.
    static final Map<String, String> FIXTURE = Map.of(
            "README", "Digest every file of this tree.\n",
            "empty", "",
            "proverbs/channels.txt", "Channels orchestrate; mutexes serialize.\n",
            "proverbs/concurrency.txt", "Concurrency is not parallelism.\n",
            "proverbs/sharing.txt", "Don't communicate by sharing memory, share memory by communicating.\n",
            "blog/pipelines.txt", "Go Concurrency Patterns: Pipelines and cancellation\n",
            "blog/errgroup.txt", "The first error cancels the others.\n");

    static Path writeTree(Map<String, String> files) throws IOException {
        Path root = Files.createTempDirectory("md5-fixture");
        Files.createDirectories(root.resolve("blog/drafts"));
        for (var file : files.entrySet()) {
            Path path = root.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.writeString(path, file.getValue(), StandardCharsets.UTF_8);
        }
        return root;
    }

    static void deleteTree(Path root) throws IOException {
        List<Path> all;
        try (Stream<Path> tree = Files.walk(root)) {
            all = tree.sorted(Comparator.reverseOrder()).toList(); // children before their directory
        }
        for (Path path : all) {
            Files.deleteIfExists(path);
        }
    }

    // Runs every version on the tree and prints the first one's sums like md5sum, sorted by path, and for the
    // others whether they agree; or each one's error.
    static void runAll(List<Version> versions, Path root, ReadFile readFile, boolean relative) {
        Map<Path, String> first = null;
        for (Version version : versions) {
            Map<Path, String> m;
            try {
                m = version.md5All().md5All(root, readFile);
            } catch (Exception err) {
                String error = err.toString();
                System.out.println(version.name() + ": " + (relative ? error.replace(root + File.separator, "") : error));
                continue;
            }
            if (first == null) {
                first = m;
                System.out.println(version.name() + ":");
                Map<String, String> sorted = new TreeMap<>();       // sort.Strings(paths)
                m.forEach((path, sum) -> sorted.put((relative ? root.relativize(path) : path).toString(), sum));
                sorted.forEach((path, sum) -> System.out.println(sum + "  " + path)); // fmt.Printf("%x  %s\n", ...)
            } else {
                System.out.println(version.name() + (m.equals(first) ? ": the same " + m.size() + " sums"
                        : ": DIFFERENT sums: " + new TreeMap<>(m)));
            }
        }
    }

    @Override
    public Integer call() throws IOException {
        Script.require(spec, digesters >= 1, "--digesters must be at least 1, got " + digesters);
        Script.require(spec, dir == null || Files.isDirectory(dir), "DIR must be a directory, got " + dir);
        Path root = dir != null ? dir : writeTree(FIXTURE);
        String bad = dir != null ? unreadable : unreadable != null ? unreadable : "proverbs/sharing.txt";
        try {
            Script.require(spec, bad == null || Files.isRegularFile(root.resolve(bad)),
                    "--unreadable must name a file of the tree, got " + bad);
            List<Version> versions = versions(digesters);
            System.out.println(dir != null ? "The tree under " + dir + ":"
                    : "The fixture tree: " + FIXTURE.size() + " files in a temporary folder, printed relative to it.");
            runAll(versions, root, READ_FILE, dir == null);
            if (bad != null) {
                System.out.println();
                System.out.println("Cancelled on the first error: " + bad + " cannot be read.");
                runAll(versions, root, unreadable(root.resolve(bad)), dir == null);
            }
        } finally {
            if (dir == null) {
                deleteTree(root);
            }
        }
        // The blog's versions return on an error without waiting for the reads in flight; those end on their own.
        awaitGoroutines(0, LEAK_BOUND);
        System.out.println("goroutines left: " + goroutines());
        return 0;
    }

    public static void main(String... args) {
        Script.run(new Md5(), args);
    }
}

// The sums are those of md5sum on the same files (printf '...' > README; md5sum README ...).
//
// Output:
// The fixture tree: 7 files in a temporary folder, printed relative to it.
// serial.go, one file after another:
// 95d7a8ea66e6e79ece7197c4d7ef5e30  README
// 52e42ba140ef5178525521cf633c6111  blog/errgroup.txt
// 58e4769f735b695258880a78899c03a5  blog/pipelines.txt
// d41d8cd98f00b204e9800998ecf8427e  empty
// 3755b0772843db85a328e668e867a5ae  proverbs/channels.txt
// e15c72e1c1fa865a18bfdcd19bd6f868  proverbs/concurrency.txt
// dd043629ee5c0b134f65ff994f5ba758  proverbs/sharing.txt
// parallel.go, one goroutine per file: the same 7 sums
// bounded.go, 4 digesters: the same 7 sums
// errgroup, SetLimit(4): the same 7 sums
//
// Cancelled on the first error: proverbs/sharing.txt cannot be read.
// serial.go, one file after another: java.nio.file.AccessDeniedException: proverbs/sharing.txt
// parallel.go, one goroutine per file: java.nio.file.AccessDeniedException: proverbs/sharing.txt
// bounded.go, 4 digesters: java.nio.file.AccessDeniedException: proverbs/sharing.txt
// errgroup, SetLimit(4): java.nio.file.AccessDeniedException: proverbs/sharing.txt
// goroutines left: 0
