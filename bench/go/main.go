// The Go reference for the benchmarks in ../ChannelBench.java: the same workloads with Go's own channels and
// goroutines, so that the JVM numbers can be read against Go on the same machine.
//
//	go run bench/go/main.go [quick|full]      (or: just bench-go)
//
// Workloads 1-5 are timed like JMH does it: warm-up iterations, then measured iterations, each running the
// workload over and over for a fixed time; a cell is the median of the iterations' times per operation and the
// half-width of the 99.9% confidence interval of their mean. The daisy chain in a fresh process and its peak memory
// are measured by running this program again as a child process (-daisy-child); the JVM's "allocation per
// goroutine" row has no Go counterpart here, because Go's goroutine stacks are not heap allocations (compare peak
// RSS instead). The fan-in speed-up times one search with 1 finder against one with runtime.NumCPU() finders, in
// pairs; Go's math/rand draws other numbers than java.util.Random, so only the speed-up compares, not the times.
package main

import (
	"fmt"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	roundTrips      = 10_000
	items           = 100_000
	capacity        = 128
	daisyGoroutines = 100_000
	faninPrimes     = 10
	faninBound      = 1_000_000
)

// ---- 1. Ping-pong on unbuffered channels: one round trip is two hand-offs ----

func pingPong() {
	ping, pong := make(chan int), make(chan int)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; i < roundTrips; i++ {
			ping <- 1
			<-pong
		}
	}()
	go func() {
		defer wg.Done()
		for i := 0; i < roundTrips; i++ {
			pong <- <-ping
		}
	}()
	wg.Wait()
}

// ---- 2. A buffered channel (capacity 128), one producer and one consumer ----

func buffered() {
	ch := make(chan int, capacity)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; i < items; i++ {
			ch <- 1
		}
	}()
	go func() {
		defer wg.Done()
		for i := 0; i < items; i++ {
			<-ch
		}
	}()
	wg.Wait()
}

// ---- 3. A select loop receiving from 2 (and 4) unbuffered channels, each fed by its own producer ----

func produce(wg *sync.WaitGroup, ch chan<- int, n int) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < n; i++ {
			ch <- 1
		}
	}()
}

func select2() {
	a, b := make(chan int), make(chan int)
	var wg sync.WaitGroup
	produce(&wg, a, items/2)
	produce(&wg, b, items/2)
	for i := 0; i < items; i++ {
		select {
		case <-a:
		case <-b:
		}
	}
	wg.Wait()
}

func select4() {
	a, b, c, d := make(chan int), make(chan int), make(chan int), make(chan int)
	var wg sync.WaitGroup
	produce(&wg, a, items/4)
	produce(&wg, b, items/4)
	produce(&wg, c, items/4)
	produce(&wg, d, items/4)
	for i := 0; i < items; i++ {
		select {
		case <-a:
		case <-b:
		case <-c:
		case <-d:
		}
	}
	wg.Wait()
}

// ---- 4. Four producers and four consumers on one buffered channel (capacity 128) ----

func mpmc() {
	ch := make(chan int, capacity)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		produce(&wg, ch, items/4)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < items/4; i++ {
				<-ch
			}
		}()
	}
	wg.Wait()
}

// ---- 5. Rob Pike's daisy chain: 100,000 goroutines linked by unbuffered channels ----

func daisy() {
	leftmost := make(chan int)
	right := leftmost
	left := leftmost
	for i := 0; i < daisyGoroutines; i++ {
		right = make(chan int)
		go func(left, right chan int) { left <- 1 + <-right }(left, right)
		left = right
	}
	go func(c chan int) { c <- 1 }(right)
	if got := <-leftmost; got != daisyGoroutines+1 {
		panic(fmt.Sprintf("daisy chain passed %d, expected %d", got, daisyGoroutines+1))
	}
}

// daisyChild runs one chain as the first thing this process does, and prints "<ns> <peak RSS in kB>".
func daisyChild() {
	start := time.Now()
	daisy()
	fmt.Println(time.Since(start).Nanoseconds(), peakResidentKilobytes())
}

func peakResidentKilobytes() int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return kb
		}
	}
	return -1
}

// ---- 6. The fan-in prime finder of the book (scripts/FanIn.java is its port) ----

func isPrime(n int) bool { // the book's deliberately slow test, as in FanIn.java
	if n < 2 {
		return false
	}
	for divisor := n - 1; divisor > 1; divisor-- {
		if n%divisor == 0 {
			return false
		}
	}
	return true
}

func repeatFn(done <-chan struct{}, fn func() int) <-chan int {
	valueStream := make(chan int)
	go func() {
		defer close(valueStream)
		for {
			select {
			case <-done:
				return
			case valueStream <- fn():
			}
		}
	}()
	return valueStream
}

func take(done <-chan struct{}, valueStream <-chan int, num int) <-chan int {
	takeStream := make(chan int)
	go func() {
		defer close(takeStream)
		for i := 0; i < num; i++ {
			var v int
			select {
			case <-done:
				return
			case v = <-valueStream:
			}
			select {
			case <-done:
				return
			case takeStream <- v:
			}
		}
	}()
	return takeStream
}

func primeFinder(done <-chan struct{}, intStream <-chan int) <-chan int {
	primeStream := make(chan int)
	go func() {
		defer close(primeStream)
		for integer := range intStream {
			if isPrime(integer) {
				select {
				case <-done:
					return
				case primeStream <- integer:
				}
			}
		}
	}()
	return primeStream
}

func fanIn(done <-chan struct{}, channels ...<-chan int) <-chan int {
	var wg sync.WaitGroup
	multiplexedStream := make(chan int)
	multiplex := func(c <-chan int) {
		defer wg.Done()
		for i := range c {
			select {
			case <-done:
				return
			case multiplexedStream <- i:
			}
		}
	}
	wg.Add(len(channels))
	for _, c := range channels {
		go multiplex(c)
	}
	go func() {
		wg.Wait()
		close(multiplexedStream)
	}()
	return multiplexedStream
}

func search(finders int) time.Duration {
	start := time.Now()
	done := make(chan struct{})
	random := rand.New(rand.NewSource(1))
	randIntStream := repeatFn(done, func() int { return random.Intn(faninBound) })
	primeFinders := make([]<-chan int, finders)
	for i := range primeFinders {
		primeFinders[i] = primeFinder(done, randIntStream)
	}
	found := 0
	for range take(done, fanIn(done, primeFinders...), faninPrimes) {
		found++
	}
	took := time.Since(start)
	close(done)
	if found != faninPrimes {
		panic(fmt.Sprintf("found %d primes, expected %d", found, faninPrimes))
	}
	time.Sleep(20 * time.Millisecond) // let the cancelled stages finish their last isPrime before the next search
	return took
}

// ---- Measuring ----

// settings: the same counts as the Java suite's quick, full and smoke modes (bench/Measure.java).
type settings struct {
	name                          string
	warmUps, iterations           int
	iterationTime                 time.Duration
	daisyWarmUps, daisyIterations int
	freshRuns                     int
	fanInWarmUps                  int
	fanInPairs                    int
}

var modes = map[string]settings{
	"quick": {"quick", 3, 5, 300 * time.Millisecond, 2, 6, 5, 1, 5},
	"full":  {"full", 5, 10, time.Second, 5, 10, 10, 2, 15},
	"smoke": {"smoke", 1, 2, 100 * time.Millisecond, 1, 1, 1, 0, 1},
}

type cell struct{ median, err float64 }

// iterations runs the workload for the settings' warm-up and measured iterations and returns the time per operation
// of each measured one, in the unit given.
func iterations(s settings, workload func(), ops int, unit time.Duration) []float64 {
	var samples []float64
	for i := -s.warmUps; i < s.iterations; i++ {
		start := time.Now()
		n := 0
		for time.Since(start) < s.iterationTime || n == 0 {
			workload()
			n++
		}
		perOp := float64(time.Since(start)) / float64(n*ops) / float64(unit)
		if i >= 0 {
			samples = append(samples, perOp)
		}
	}
	return samples
}

// stats: the median, and JMH's score error: the half-width of the 99.9% confidence interval of the mean.
func stats(samples []float64) cell {
	sorted := append([]float64(nil), samples...)
	sort.Float64s(sorted)
	n := len(sorted)
	median := sorted[n/2]
	if n%2 == 0 {
		median = (sorted[n/2-1] + sorted[n/2]) / 2
	}
	if n < 2 {
		return cell{median, math.NaN()}
	}
	mean, sq := 0.0, 0.0
	for _, v := range sorted {
		mean += v
	}
	mean /= float64(n)
	for _, v := range sorted {
		sq += (v - mean) * (v - mean)
	}
	stddev := math.Sqrt(sq / float64(n-1))
	return cell{median, studentT999(n-1) * stddev / math.Sqrt(float64(n))}
}

// studentT999 is the 0.9995 quantile of Student's t distribution (two-sided 99.9%), as JMH uses.
func studentT999(df int) float64 {
	table := []float64{636.62, 31.599, 12.924, 8.610, 6.869, 5.959, 5.408, 5.041, 4.781, 4.587,
		4.437, 4.318, 4.221, 4.140, 4.073, 4.015, 3.965, 3.922, 3.883, 3.850,
		3.819, 3.792, 3.768, 3.745, 3.725, 3.707, 3.690, 3.674, 3.659, 3.646}
	if df <= len(table) {
		return table[df-1]
	}
	return 3.291
}

func format(c cell) string {
	number := func(v float64) string {
		switch {
		case math.Abs(v) >= 100:
			return fmt.Sprintf("%.0f", v)
		case math.Abs(v) >= 10:
			return fmt.Sprintf("%.1f", v)
		default:
			return fmt.Sprintf("%.2f", v)
		}
	}
	if math.IsNaN(c.err) {
		return number(c.median)
	}
	return number(c.median) + " ± " + number(c.err)
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-daisy-child" {
		daisyChild()
		return
	}
	mode := "quick"
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}
	s, ok := modes[mode]
	if !ok {
		fmt.Fprintf(os.Stderr, "usage: %s [quick|full|smoke]\n", os.Args[0])
		os.Exit(2)
	}
	started := time.Now()
	type row struct{ label, unit, value string }
	var rows []row
	add := func(label, unit string, c cell) {
		rows = append(rows, row{label, unit, format(c)})
		fmt.Fprintf(os.Stderr, "[bench-go %3.0fs] %-42s %s %s\n", time.Since(started).Seconds(), label, format(c), unit)
	}

	add("1 ping-pong, unbuffered", "ns/round trip", stats(iterations(s, pingPong, roundTrips, time.Nanosecond)))
	add("2 buffered 128, 1 producer 1 consumer", "ns/item", stats(iterations(s, buffered, items, time.Nanosecond)))
	add("3 select over 2 channels, 2 producers", "ns/item", stats(iterations(s, select2, items, time.Nanosecond)))
	add("3 select over 4 channels, 4 producers", "ns/item", stats(iterations(s, select4, items, time.Nanosecond)))
	add("4 buffered 128, 4 producers 4 consumers", "ns/item", stats(iterations(s, mpmc, items, time.Nanosecond)))

	daisyWarm := settings{warmUps: s.daisyWarmUps, iterations: s.daisyIterations, iterationTime: time.Second}
	add("5 daisy chain 100k, warm", "ms/chain", stats(iterations(daisyWarm, daisy, 1, time.Millisecond)))
	self, err := os.Executable()
	if err != nil {
		panic(err)
	}
	var freshMillis, freshMegabytes []float64
	for run := 0; run < s.freshRuns; run++ {
		out, err := exec.Command(self, "-daisy-child").Output()
		if err != nil {
			panic(err)
		}
		fields := strings.Fields(string(out))
		ns, _ := strconv.ParseFloat(fields[0], 64)
		kb, _ := strconv.ParseFloat(fields[1], 64)
		freshMillis = append(freshMillis, ns/1e6)
		freshMegabytes = append(freshMegabytes, kb/1024)
	}
	add("5 daisy chain 100k, fresh process", "ms/chain", stats(freshMillis))
	add("5 daisy chain peak RSS, fresh process", "MB", stats(freshMegabytes))

	cpus := runtime.NumCPU()
	var single, fannedOut, speedUp []float64
	for pair := -s.fanInWarmUps; pair < s.fanInPairs; pair++ {
		one, many := search(1), search(cpus)
		if pair >= 0 {
			single = append(single, float64(one)/1e6)
			fannedOut = append(fannedOut, float64(many)/1e6)
			speedUp = append(speedUp, float64(one)/float64(many))
		}
	}
	add("6 fan-in primes, 1 finder", "ms/search", stats(single))
	add(fmt.Sprintf("6 fan-in primes, %d finders", cpus), "ms/search", stats(fannedOut))
	add(fmt.Sprintf("6 fan-in speed-up, %d finders over 1", cpus), "x (higher: better)", stats(speedUp))

	fmt.Printf("\nResults (%s mode, %d CPUs, %s, %.0f s): median ± error (99.9%% CI of the mean)\n\n",
		s.name, cpus, runtime.Version(), time.Since(started).Seconds())
	fmt.Printf("%-42s %-18s %s\n", "workload", "unit", "go")
	for _, r := range rows {
		fmt.Printf("%-42s %-18s %s\n", r.label, r.unit, r.value)
	}
}
