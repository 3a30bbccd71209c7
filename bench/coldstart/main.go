// Command coldstart measures how long Lambda bootstrap binaries take from
// process start to their first poll of the Lambda Runtime API, which is where
// a cold start's init phase ends. It plays the Runtime API itself: for each
// start it listens on a fresh 127.0.0.1 port, execs the binary with
// AWS_LAMBDA_RUNTIME_API pointing there, records the moment the first
// `GET /2018-06-01/runtime/invocation/next` arrives, and kills the process.
//
//	go run ./bench/coldstart -baseline hello -sdk-baseline hello-sdk -rounds 60 -runs 3 hello=PATH hello-sdk=PATH order-api=PATH ...
//
// Each binary is first copied, in one write, to a file of its own in a
// private directory, and the copies are what start: how a file came into the
// page cache changes how fast it starts. The same bytes start 0.2 to 0.8 ms
// apart, 0.15 to 0.2 times hello, as the Go linker wrote them (through a
// memory mapping), as cp or a single write wrote them, or as read back from
// disk (docs/performance.md, cold starts of 2026-12-01, second section); every
// binary copied alike, the ratios of the same bytes agree within 0.05.
//
// Starts are interleaved: every round starts each binary once, in a shuffled
// order, so drift of the machine (other load, CPU frequency) hits all of them
// alike. The first -warmup rounds are discarded (they fault the binaries into
// the page cache). A run is -warmup + -rounds rounds; -runs repeats it with the
// next seeds, and each ratio is taken within its run (so load that comes and
// goes between runs shows as spread, not as a bias), then reported as the
// median of the runs with their minimum and maximum. Figures go to stdout as
// BENCH lines, progress to stderr:
//
//	coldstart.<name>.median  ms      median over the runs of each run's median time to the first poll
//	coldstart.<name>.p90     ms      90th percentile of all measured starts
//	coldstart.<name>.ratio   x       median over the runs of median / the baseline's median in the same run (the headline)
//	coldstart.<name>.ratio_min, .ratio_max  x   the lowest and highest of those per-run ratios (with -runs > 1)
//	coldstart.<name>.ratio_vs_<sdk baseline>  x   the same against the second baseline (with -sdk-baseline)
//	coldstart.<name>.ratio_vs_sdk_floor  x   the same against the binary -floor names for it: hello plus
//	                                         exactly the SDK clients (and templates) its job requires (bench/sdkfloor)
//	coldstart.<name>.cpu_median  ms  median over the runs of each run's median CPU time (user + system, every thread)
//	                                 from exec to the kill that follows the first poll
//	coldstart.<name>.cpu_ratio   x   the same ratio for the CPU time, with _min and _max: what the binary itself
//	                                 costs, which waiting for a core on a loaded machine does not inflate
//	coldstart.runs           runs    runs (-runs)
//	coldstart.samples        starts  measured starts per binary, over all runs
//	coldstart.<name>.init_connections connections   TCP connections the binary opened before its first poll
//	coldstart.<name>.page_faults  faults  median minor page faults of a start (exec to the kill after the first poll)
//	binary_size.<name>       bytes   size of the binary
//
// With -floor, it also prints to stderr a verdict per function against
// -target: meets it, over with its SDK floor over too (the clients its job
// requires), or over with its floor under it, and by how much our code adds
// to the floor.
//
// Every AWS endpoint (AWS_ENDPOINT_URL, the EC2 metadata endpoint) points at
// a listener of this program that counts connections: SDK clients must not
// touch the network at init, so anything but 0 is a finding.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/bench/internal/benchfile"
	"github.com/fooddelivery/serverless-food-delivery/shared/sweeper"
)

const nextPath = "/2018-06-01/runtime/invocation/next"

type binary struct {
	name string    // as given: order-api
	path string    // as given, made absolute
	exe  string    // the copy that starts (see the package comment)
	flt  []float64 // minor page faults of every measured start
	ms   []float64 // every measured start, over all runs
	runs []float64 // each run's median
	cpu  []float64 // CPU time of every measured start (ms)
	cpuR []float64 // each run's median CPU time
	conn int       // connections to the trap during init, over all starts
}

type envFlag []string

func (e *envFlag) String() string     { return strings.Join(*e, ",") }
func (e *envFlag) Set(v string) error { *e = append(*e, v); return nil }

func main() {
	rounds := flag.Int("rounds", 60, "measured starts per binary and run (at least 20 for the figure)")
	runs := flag.Int("runs", 1, "runs, each of -warmup + -rounds rounds with its own seed (seed, seed+1...): the ratios' spread")
	warmup := flag.Int("warmup", 2, "discarded rounds before measuring")
	baseline := flag.String("baseline", "hello", "name of the binary the ratios are taken against")
	sdkBaseline := flag.String("sdk-baseline", "", "name of a second baseline (hello plus the SDK set-up), for ratio_vs_<name> figures")
	timeout := flag.Duration("timeout", 10*time.Second, "longest a single start may take")
	seed := flag.Uint64("seed", 1, "seed of the shuffled start order")
	target := flag.Float64("target", 1.5, "the target ratio to the baseline, for the verdicts printed with -floor")
	workdir := flag.String("workdir", "", "where the copies of the binaries go, in a directory of their own removed at the end (default: the system's temporary directory)")
	var extraEnv, floors envFlag
	flag.Var(&extraEnv, "env", "KEY=VALUE for every binary (repeatable), on top of the built-in Lambda-like environment")
	flag.Var(&floors, "floor", "NAME=FLOOR: FLOOR (another argument's name) is NAME's SDK floor, for coldstart.NAME.ratio_vs_sdk_floor (repeatable)")
	flag.Parse()
	opts := options{rounds: *rounds, runs: *runs, warmup: *warmup, baseline: *baseline, sdkBaseline: *sdkBaseline,
		timeout: *timeout, seed: *seed, workdir: *workdir, env: extraEnv, floors: floors, target: *target}
	if err := run(opts, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "coldstart:", err)
		os.Exit(1)
	}
}

type options struct {
	rounds, runs, warmup  int
	baseline, sdkBaseline string
	timeout               time.Duration
	seed                  uint64
	workdir               string
	env, floors           []string
	target                float64
}

func run(o options, args []string) error {
	if o.rounds < 1 || o.runs < 1 || len(args) == 0 {
		return errors.New("usage: coldstart [flags] NAME=PATH [NAME=PATH]")
	}
	var bins []*binary
	var base, sdkBase *binary
	for _, a := range args {
		name, path, ok := strings.Cut(a, "=")
		if !ok || name == "" {
			return fmt.Errorf("argument %q: want NAME=PATH", a)
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			return err
		}
		if _, err := os.Stat(abs); err != nil {
			return err
		}
		b := &binary{name: name, path: abs}
		bins = append(bins, b)
		if name == o.baseline {
			base = b
		}
		if name == o.sdkBaseline {
			sdkBase = b
		}
	}
	if base == nil {
		return fmt.Errorf("no binary named %q (the baseline) among the arguments", o.baseline)
	}
	if o.sdkBaseline != "" && sdkBase == nil {
		return fmt.Errorf("no binary named %q (the SDK baseline) among the arguments", o.sdkBaseline)
	}
	floorOf, err := parseFloors(o.floors, bins)
	if err != nil {
		return err
	}
	dir, err := copyBinaries(o.workdir, bins)
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	trap, err := newTrap()
	if err != nil {
		return err
	}
	defer trap.close()

	order := append([]*binary(nil), bins...)
	start := time.Now()
	for r := range o.runs {
		rng := rand.New(rand.NewPCG(o.seed+uint64(r), o.seed+uint64(r)))
		first := make(map[*binary]int, len(bins))
		for _, b := range bins {
			first[b] = len(b.ms)
		}
		const ms = float64(time.Millisecond)
		for round := 0; round < o.warmup+o.rounds; round++ {
			rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
			for _, b := range order {
				before := trap.count.Load()
				d, cpu, flt, err := startOnce(b, env(b.name, trap.addr, o.env), o.timeout)
				if err != nil {
					return fmt.Errorf("%s: %w", b.name, err)
				}
				b.conn += int(trap.count.Load() - before)
				if round >= o.warmup {
					b.ms = append(b.ms, float64(d)/ms)
					b.cpu = append(b.cpu, float64(cpu)/ms)
					b.flt = append(b.flt, float64(flt))
				}
			}
		}
		for _, b := range bins {
			b.runs = append(b.runs, benchfile.Median(append([]float64(nil), b.ms[first[b]:]...)))
			b.cpuR = append(b.cpuR, benchfile.Median(append([]float64(nil), b.cpu[first[b]:]...)))
		}
	}
	fmt.Fprintf(os.Stderr, "%d binaries x %d runs x %d starts (+%d warm-up rounds each) in %.1fs\n",
		len(bins), o.runs, o.rounds, o.warmup, time.Since(start).Seconds())

	median := func(b *binary) float64 { return benchfile.Median(append([]float64(nil), b.runs...)) }
	rank := func(b *binary) int {
		switch b {
		case base:
			return 0
		case sdkBase:
			return 1
		}
		return 2
	}
	sort.SliceStable(bins, func(i, j int) bool { return rank(bins[i]) < rank(bins[j]) })
	var figs []benchfile.Figure
	for _, b := range bins {
		n := benchfile.SnakeName(b.name)
		figs = append(figs,
			benchfile.New("coldstart."+n+".median", median(b), "ms"),
			benchfile.New("coldstart."+n+".p90", benchfile.Quantile(append([]float64(nil), b.ms...), 0.9), "ms"))
		if b != base {
			figs = append(figs, ratioFigures("coldstart."+n+".ratio", b.runs, base.runs)...)
		}
		if sdkBase != nil && b != base && b != sdkBase {
			figs = append(figs, ratioFigures("coldstart."+n+".ratio_vs_"+benchfile.SnakeName(sdkBase.name), b.runs, sdkBase.runs)...)
		}
		if floor := floorOf[b]; floor != nil {
			figs = append(figs, ratioFigures("coldstart."+n+".ratio_vs_sdk_floor", b.runs, floor.runs)...)
		}
	}
	for _, b := range bins {
		n := benchfile.SnakeName(b.name)
		figs = append(figs, benchfile.New("coldstart."+n+".cpu_median", benchfile.Median(append([]float64(nil), b.cpuR...)), "ms"))
		if b != base {
			figs = append(figs, ratioFigures("coldstart."+n+".cpu_ratio", b.cpuR, base.cpuR)...)
		}
	}
	figs = append(figs, benchfile.New("coldstart.runs", float64(o.runs), "runs"),
		benchfile.New("coldstart.samples", float64(o.rounds*o.runs), "starts"))
	for _, b := range bins {
		figs = append(figs, benchfile.New("coldstart."+benchfile.SnakeName(b.name)+".init_connections", float64(b.conn), "connections"),
			benchfile.New("coldstart."+benchfile.SnakeName(b.name)+".page_faults", benchfile.Median(append([]float64(nil), b.flt...)), "faults"))
		if b.conn > 0 {
			fmt.Fprintf(os.Stderr, "FINDING: %s opened %d connection(s) to an AWS endpoint before its first poll\n", b.name, b.conn)
		}
	}
	for _, b := range bins {
		st, err := os.Stat(b.path)
		if err != nil {
			return err
		}
		figs = append(figs, benchfile.New("binary_size."+benchfile.SnakeName(b.name), float64(st.Size()), "bytes"))
	}
	if len(floorOf) > 0 {
		fmt.Fprint(os.Stderr, verdicts(bins, base, floorOf, o.target))
	}
	return benchfile.Print(os.Stdout, figs...)
}

// verdicts says, for each binary with an SDK floor, whether it meets the
// target ratio to the baseline and, when it does not, whether its floor
// alone is over the target too (the SDK clients the job requires) or not
// (what our code adds). Ratios as in the figures: the median of the runs'.
func verdicts(bins []*binary, base *binary, floorOf map[*binary]*binary, target float64) string {
	ratio := func(num, den *binary) float64 { return benchfile.Median(runRatios(num.runs, den.runs)) }
	var b strings.Builder
	fmt.Fprintf(&b, "against the %.2g target (x %s), each function beside its SDK floor:\n", target, base.name)
	for _, fn := range bins {
		floor := floorOf[fn]
		if floor == nil {
			continue
		}
		r, fr, rf := ratio(fn, base), ratio(floor, base), ratio(fn, floor)
		verdict := "meets it"
		switch {
		case r > target && fr > target:
			verdict = "OVER; its SDK floor alone is over too: the clients its job requires"
		case r > target:
			verdict = fmt.Sprintf("OVER; its SDK floor is not, our code adds %.2fx %s to it", r-fr, base.name)
		}
		fmt.Fprintf(&b, "  %-22s %5.2fx  floor %-38s %5.2fx  %5.2fx its floor  %s\n", fn.name, r, floor.name, fr, rf, verdict)
	}
	return b.String()
}

// parseFloors reads the -floor flags: NAME=FLOOR, both names of arguments.
func parseFloors(flags []string, bins []*binary) (map[*binary]*binary, error) {
	byName := make(map[string]*binary, len(bins))
	for _, b := range bins {
		byName[b.name] = b
	}
	floorOf := make(map[*binary]*binary, len(flags))
	for _, f := range flags {
		name, floor, _ := strings.Cut(f, "=")
		b, fl := byName[name], byName[floor]
		if b == nil || fl == nil || b == fl {
			return nil, fmt.Errorf("-floor %q: want NAME=FLOOR, two different names among the arguments", f)
		}
		if floorOf[b] != nil {
			return nil, fmt.Errorf("-floor %q: %s has a floor already", f, name)
		}
		floorOf[b] = fl
	}
	return floorOf, nil
}

// copyBinaries writes each binary to DIR/<i>/bootstrap, a new directory DIR
// under workdir, in a single write, and sets its exe to the copy: every
// binary then enters the page cache the same way, whichever way (linker,
// cp, a read from disk) put its original there (see the package comment).
func copyBinaries(workdir string, bins []*binary) (string, error) {
	dir, err := os.MkdirTemp(workdir, "coldstart-")
	if err != nil {
		return "", err
	}
	for i, b := range bins {
		data, err := os.ReadFile(b.path)
		if err == nil {
			b.exe = filepath.Join(dir, strconv.Itoa(i), "bootstrap")
			err = os.Mkdir(filepath.Dir(b.exe), 0o755)
		}
		if err == nil {
			err = os.WriteFile(b.exe, data, 0o755)
		}
		if err != nil {
			_ = os.RemoveAll(dir)
			return "", fmt.Errorf("copy %s: %w", b.name, err)
		}
	}
	return dir, nil
}

// runRatios is each run's ratio of medians, num[r]/den[r].
func runRatios(num, den []float64) []float64 {
	ratios := make([]float64, len(num))
	for r := range num {
		ratios[r] = num[r] / den[r]
	}
	return ratios
}

// ratioFigures: name, the median over the runs of each run's ratio of
// medians num[r]/den[r] (runRatios), and with more than one run name_min and name_max.
func ratioFigures(name string, num, den []float64) []benchfile.Figure {
	ratios := runRatios(num, den)
	figs := []benchfile.Figure{benchfile.New(name, benchfile.Median(append([]float64(nil), ratios...)), "x")}
	if len(ratios) > 1 {
		figs = append(figs, benchfile.New(name+"_min", slices.Min(ratios), "x"), benchfile.New(name+"_max", slices.Max(ratios), "x"))
	}
	return figs
}

// env is what Lambda's provided.al2023 runtime gives a function, with dummy
// credentials, every setting our functions require, and every AWS endpoint
// pointed at the trap. Nothing is inherited from this process.
func env(name, trapAddr string, extra []string) []string {
	trapURL := "http://" + trapAddr
	e := []string{
		"PATH=/usr/local/bin:/usr/bin:/bin",
		"TZ=:UTC",
		"LANG=en_US.UTF-8",
		"AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=test",
		"AWS_SECRET_ACCESS_KEY=test",
		"AWS_SESSION_TOKEN=test",
		"AWS_LAMBDA_FUNCTION_NAME=" + name,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + name,
		"AWS_EXECUTION_ENV=AWS_Lambda_provided.al2023",
		"_HANDLER=bootstrap",
		// No shared config files, as on Lambda (and the developer's own stay out of it).
		"AWS_CONFIG_FILE=/nonexistent/aws/config",
		"AWS_SHARED_CREDENTIALS_FILE=/nonexistent/aws/credentials",
		// Any call at init lands in the trap instead of the network.
		"AWS_ENDPOINT_URL=" + trapURL,
		"AWS_EC2_METADATA_SERVICE_ENDPOINT=" + trapURL,
		// What our functions read at init (see docs/architecture.md).
		"TABLE_NAME=bench-table",
		"EVENT_BUS_NAME=bench-bus",
		"RECEIPTS_BUCKET=bench-receipts",
		"PROVIDER_TABLE_NAME=bench-provider",
		"PROVIDER_API_KEY_SECRET=bench-provider-key", // read on the first charge, not at init
		// The live-tracking functions: the pool's keys and the connection API are only called per request.
		"JWT_ISSUER=https://cognito-idp.us-east-1.amazonaws.com/us-east-1_bench", "JWT_AUDIENCE=bench-client",
		"JWKS_URL=" + trapURL + "/us-east-1_bench/.well-known/jwks.json", "CONNECTIONS_URL=" + trapURL + "/live",
		"SENDER_EMAIL=bench@example.com",
		// ops-api: its log groups and the queues its console lists (only read per request).
		"LOG_GROUPS=/aws/lambda/bench", "SWEEPER_LOG_GROUP=/aws/lambda/bench-sweeper", "STREAM_DLQ_URL=" + trapURL + "/stream-dlq",
		sweeper.EnvAfter + "=45000", sweeper.EnvPeriod + "=60000", sweeper.EnvGiveUpAfter + "=1800000", sweeper.EnvMaxOrders + "=500",
	}
	for _, q := range []string{"PAYMENT", "ASSIGNMENT", "NOTIFICATION", "NOTIFY_EMAIL", "NOTIFY_SMS"} {
		name := strings.ToLower(q)
		e = append(e, q+"_QUEUE_URL="+trapURL+"/"+name, q+"_DLQ_URL="+trapURL+"/"+name+"-dlq")
	}
	return append(e, extra...)
}

// startOnce execs the binary's copy and returns the time from exec to its
// first Runtime API poll, then kills it and returns the CPU time it used and
// its minor page faults too.
func startOnce(b *binary, env []string, timeout time.Duration) (wall, cpu time.Duration, faults int64, err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, 0, 0, err
	}
	polled := make(chan time.Time, 1)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != nextPath {
			http.NotFound(w, r)
			return
		}
		select {
		case polled <- time.Now():
		default:
		}
		<-r.Context().Done() // hold the poll open until the process is killed
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	var out bytes.Buffer
	cmd := exec.Command(b.exe)
	cmd.Env = append(env, "AWS_LAMBDA_RUNTIME_API="+ln.Addr().String())
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Dir = filepath.Dir(b.exe)
	exited := make(chan error, 1)

	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, 0, err
	}
	go func() { exited <- cmd.Wait() }()
	kill := func() {
		_ = cmd.Process.Kill()
		<-exited // reap it
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case t := <-polled:
		kill()
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			faults = ru.Minflt
		}
		return t.Sub(t0), cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), faults, nil
	case err := <-exited:
		return 0, 0, 0, fmt.Errorf("exited before polling the Runtime API (%w); output:\n%s", err, tail(out.String(), 20))
	case <-timer.C:
		kill()
		return 0, 0, 0, fmt.Errorf("no Runtime API poll within %s; output:\n%s", timeout, tail(out.String(), 20))
	}
}

func tail(s string, lines int) string {
	parts := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(parts[max(0, len(parts)-lines):], "\n")
}

// trap accepts and counts connections, answering nothing useful.
type trap struct {
	ln    net.Listener
	addr  string
	count atomic.Int64
	done  context.CancelFunc
}

func newTrap() (*trap, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	t := &trap{ln: ln, addr: ln.Addr().String(), done: cancel}
	go func() {
		for ctx.Err() == nil {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.count.Add(1)
			_ = c.Close()
		}
	}()
	return t, nil
}

func (t *trap) close() {
	t.done()
	_ = t.ln.Close()
}
