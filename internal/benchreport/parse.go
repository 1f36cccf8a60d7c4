// Package benchreport turns `go test -bench` output into BENCHMARKS.md: one table per
// package, the machine the figures come from, the exact commands, and ratios between
// benchmarks of the same run (which stay meaningful on a loaded machine where absolute
// figures drift). scripts/bench.sh runs the benchmarks and calls scripts/benchreport.
package benchreport

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Metric is one "value unit" pair of a benchmark result line (ns/op, B/op, events/s, ...).
type Metric struct {
	Value float64
	Unit  string
}

// Result is one benchmark result line.
type Result struct {
	// Name is the benchmark name without the -GOMAXPROCS suffix ("BenchmarkUsersPage").
	Name string
	// Procs is the GOMAXPROCS suffix (0 when the line had none, as in the e2e lines).
	Procs int
	// Runs is the iteration count b.N.
	Runs    int64
	Metrics []Metric
}

// Metric returns the value of unit and whether the result has it.
func (r Result) Metric(unit string) (float64, bool) {
	for _, m := range r.Metrics {
		if m.Unit == unit {
			return m.Value, true
		}
	}
	return 0, false
}

// Parse reads `go test -bench` output and returns the result lines in order. Other lines
// (goos:, pkg:, PASS, logs) are skipped. A benchmark whose name line was interrupted by
// output of the code under test ("BenchmarkX-2 <newline> ... <newline> 10 123 ns/op") is
// joined back together. A malformed result line is an error naming its line number.
func Parse(r io.Reader) ([]Result, error) {
	var out []Result
	pending := "" // a "BenchmarkX-2" line still waiting for its figures
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for line := 1; sc.Scan(); line++ {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		if strings.HasPrefix(fields[0], "Benchmark") {
			if len(fields) == 1 {
				pending = fields[0]
				continue
			}
			if _, err := strconv.ParseInt(fields[1], 10, 64); err != nil {
				continue // a log line that happens to start with "Benchmark"
			}
			res, err := parseResult(fields[0], fields[1:])
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			out = append(out, res)
			pending = ""
			continue
		}
		if pending != "" && len(fields) >= 3 && len(fields)%2 == 1 {
			if _, err := strconv.ParseInt(fields[0], 10, 64); err == nil {
				res, err := parseResult(pending, fields)
				if err != nil {
					return nil, fmt.Errorf("line %d: %w", line, err)
				}
				out = append(out, res)
				pending = ""
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read benchmark output: %w", err)
	}
	return out, nil
}

// parseResult parses "<runs> <value> <unit> [<value> <unit>...]" for benchmark name.
func parseResult(name string, fields []string) (Result, error) {
	res := Result{Name: name}
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		if p, err := strconv.Atoi(name[i+1:]); err == nil {
			res.Name, res.Procs = name[:i], p
		}
	}
	runs, err := strconv.ParseInt(fields[0], 10, 64)
	if err != nil {
		return Result{}, fmt.Errorf("%s: iteration count %q is not an integer", name, fields[0])
	}
	res.Runs = runs
	rest := fields[1:]
	if len(rest)%2 != 0 {
		return Result{}, fmt.Errorf("%s: figures are not value/unit pairs: %q", name, strings.Join(rest, " "))
	}
	for i := 0; i < len(rest); i += 2 {
		v, err := strconv.ParseFloat(rest[i], 64)
		if err != nil {
			return Result{}, fmt.Errorf("%s: value %q of unit %q is not a number", name, rest[i], rest[i+1])
		}
		res.Metrics = append(res.Metrics, Metric{Value: v, Unit: rest[i+1]})
	}
	return res, nil
}
