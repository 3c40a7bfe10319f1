///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Runs every JUnit 5 and jqwik test in tests/: ./jbang tests/RunTests.java [CLASS-NAME-FILTER...]
//JAVA 21+
//JAVA_OPTIONS -XX:+UseParallelGC
//DEPS org.junit:junit-bom:5.14.1@pom
//DEPS org.junit.jupiter:junit-jupiter
//DEPS org.junit.platform:junit-platform-launcher
//DEPS net.jqwik:jqwik:1.9.3
//DEPS info.picocli:picocli:4.7.7
//DEPS com.google.code.gson:gson:2.13.1
//DEPS com.bucket4j:bucket4j_jdk17-core:8.19.0
//SOURCES ../scripts/gochan/Go.java
//SOURCES ../scripts/gochan/Script.java
//SOURCES ../scripts/gochan/Context.java
//SOURCES ../scripts/Pipeline.java
//SOURCES ../scripts/FanIn.java
//SOURCES ../scripts/Queuing.java
//SOURCES ../scripts/LittlesLaw.java
//SOURCES ../scripts/Errors.java
//SOURCES ../scripts/Leak.java
//SOURCES ../scripts/ForSelect.java
//SOURCES ../scripts/Confinement.java
//SOURCES ../scripts/Or.java
//SOURCES ../scripts/OrDone.java
//SOURCES ../scripts/Tee.java
//SOURCES ../scripts/Bridge.java
//SOURCES ../scripts/Replicated.java
//SOURCES ../scripts/ErrorProp.java
//SOURCES ../scripts/Healing.java
//SOURCES ../scripts/RateLimit.java
//SOURCES ../scripts/Heartbeat.java
//SOURCES ../scripts/Pike.java
//SOURCES ../scripts/Google.java
//SOURCES ../scripts/ErrGroup.java
//SOURCES ../scripts/Md5.java
//SOURCES ../scripts/Subscription.java
//SOURCES TestSupport.java
//SOURCES ExpectedOutput.java
//SOURCES SuiteCompletenessTest.java
//SOURCES ScriptOutputTest.java
//SOURCES ExpectedOutputTest.java
//SOURCES ScriptTest.java
//SOURCES Blocking.java
//SOURCES CapacitiesTest.java
//SOURCES SelectCpuTest.java
//SOURCES InterruptionTest.java
//SOURCES TimerTest.java
//SOURCES WaitGroupTest.java
//SOURCES GoroutineTest.java
//SOURCES SelectTest.java
//SOURCES NilChannelTest.java
//SOURCES ChanCloseTest.java
//SOURCES ChanSendReceiveTest.java
//SOURCES QueuingProperties.java
//SOURCES LittlesLawProperties.java
//SOURCES FanInProperties.java
//SOURCES PipelineProperties.java
//SOURCES ChanModelProperties.java
//SOURCES SelectProperties.java
//SOURCES ChanProperties.java
//SOURCES ContextProperties.java
//SOURCES ContextTest.java
//SOURCES ContextDeepChainTest.java
//SOURCES ContextWrapperTest.java
//SOURCES ErrorsProperties.java
//SOURCES LeakProperties.java
//SOURCES ForSelectProperties.java
//SOURCES ConfinementProperties.java
//SOURCES CapturedStdout.java
//SOURCES OrProperties.java
//SOURCES OrDoneProperties.java
//SOURCES TeeProperties.java
//SOURCES BridgeProperties.java
//SOURCES ReplicatedProperties.java
//SOURCES HealingProperties.java
//SOURCES DeadlockProperties.java
//SOURCES SourceLines.java
//SOURCES GoroutineDumpTest.java
//SOURCES DeadlockReportTest.java
//SOURCES VirtualTimeProperties.java
//SOURCES ErrorPropProperties.java
//SOURCES RateLimitProperties.java
//SOURCES HeartbeatProperties.java
//SOURCES PikeProperties.java
//SOURCES GoogleProperties.java
//SOURCES ErrGroupProperties.java
//SOURCES Md5Properties.java
//SOURCES SubscriptionProperties.java
//SOURCES StandaloneScriptTest.java
//SOURCES DescriptionTest.java
//SOURCES WrapperTest.java
//SOURCES Gallery.java
//SOURCES GalleryTest.java
//SOURCES TracingTest.java

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClasspathRoots;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.platform.engine.Filter;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.ClassNameFilter;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The test command: discovers every test class compiled into this script (the //SOURCES above), runs them with the
 * JUnit Platform (Jupiter and jqwik engines), prints one line per test and ends with "N passed, N failed, N skipped".
 * Exit status 1 if anything failed. A test class missing from //SOURCES is caught by SuiteCompletenessTest.
 *
 * A panic in a goroutine (an exception escaping it) fails the test that was running when it happened, even if the
 * test itself passed: TestSupport installs the panic handler that records it.
 */
public class RunTests {

    /** Prints each finished test and counts the results; a container failure (say, a class that cannot start) counts too. */
    static final class Reporter implements TestExecutionListener {
        final AtomicInteger passed = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicInteger skipped = new AtomicInteger();
        final List<String> failures = new ArrayList<>();
        private TestPlan plan;

        @Override
        public void testPlanExecutionStarted(TestPlan testPlan) {
            plan = testPlan;
        }

        @Override
        public void executionStarted(TestIdentifier test) {
            TestSupport.takePanics(); // a panic belongs to the test that was running when it happened
        }

        @Override
        public void executionSkipped(TestIdentifier test, String reason) {
            if (test.isTest()) {
                skipped.incrementAndGet();
                System.out.println("SKIP " + name(test) + ": " + reason);
            }
        }

        @Override
        public void executionFinished(TestIdentifier test, TestExecutionResult result) {
            String panics = TestSupport.takePanics();
            boolean ok = result.getStatus() == TestExecutionResult.Status.SUCCESSFUL && panics.isEmpty();
            if (!test.isTest() && ok) {
                return; // a container that ran fine: its tests were reported one by one
            }
            if (ok) {
                passed.incrementAndGet();
                System.out.println("PASS " + name(test));
                return;
            }
            failed.incrementAndGet();
            StringBuilder why = new StringBuilder("FAIL " + name(test));
            result.getThrowable().ifPresent(t -> why.append("\n     ").append(describe(t)));
            if (!panics.isEmpty()) {
                why.append("\n     a goroutine panicked during this test:\n").append(panics.indent(5));
            }
            failures.add(why.toString());
            System.out.println(why);
        }

        /** "Class > method > case": the display names from the class down, without the engine's. */
        private String name(TestIdentifier test) {
            String name = test.getDisplayName();
            for (var parent = plan.getParent(test); parent.isPresent() && parent.get().getParentIdObject().isPresent();
                    parent = plan.getParent(parent.get())) {
                name = parent.get().getDisplayName() + " > " + name;
            }
            return name;
        }

        private static String describe(Throwable t) {
            StringBuilder text = new StringBuilder(String.valueOf(t));
            for (StackTraceElement frame : t.getStackTrace()) {
                String line = frame.toString();
                if (line.contains("org.junit.") || line.contains("net.jqwik.") || line.contains("java.base/")) {
                    continue; // the test's own frames are what a reader needs
                }
                text.append("\n       at ").append(line);
            }
            return text.toString();
        }
    }

    public static void main(String... classNameFilters) throws URISyntaxException {
        Path compiledTests = Path.of(RunTests.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        var request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClasspathRoots(Set.of(compiledTests)))
                .configurationParameter("junit.jupiter.execution.timeout.default", "120 s")
                .configurationParameter("jqwik.reporting.onlyfailures", "true");
        if (classNameFilters.length > 0) { // e.g. ./jbang tests/RunTests.java Select
            List<String> patterns = new ArrayList<>();
            for (String filter : classNameFilters) {
                patterns.add(".*" + filter + ".*");
            }
            request.filters((Filter<?>) ClassNameFilter.includeClassNamePatterns(patterns.toArray(String[]::new)));
        }
        LauncherDiscoveryRequest discovery = request.build();

        TestSupport.installPanicRecorder();
        Reporter reporter = new Reporter();
        long start = System.nanoTime();
        LauncherFactory.create().execute(discovery, reporter);
        long seconds = Math.round((System.nanoTime() - start) / 1e9);

        if (!reporter.failures.isEmpty()) {
            System.out.println("\nFailures:");
            reporter.failures.forEach(f -> System.out.println(f + "\n"));
        }
        System.out.println("Ran in " + seconds + " s.");
        System.out.println(reporter.passed + " passed, " + reporter.failed + " failed, " + reporter.skipped + " skipped");
        System.exit(reporter.failed.get() == 0 && reporter.passed.get() > 0 ? 0 : 1);
    }
}
