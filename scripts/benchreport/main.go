// Command benchreport writes BENCHMARKS.md from the outputs scripts/bench.sh collected.
//
//	go run ./scripts/benchreport -machine machine.txt -out BENCHMARKS.md \
//	    'Title|command|exit status|output file' ...
//
// machine.txt holds "label<TAB>value" lines (CPU, cores, memory, Go, load average...);
// its "date" line becomes the report's date. Each section argument names one benchmark
// command and the file that captured its output.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/otelcol-okta/otelcol-okta/internal/benchreport"
)

func main() {
	machine := flag.String("machine", "", "file of label<TAB>value lines describing the machine")
	out := flag.String("out", "BENCHMARKS.md", "report to write")
	baseline := flag.String("baseline", "", "the baseline build the sections titled 'baseline ...' measured (e.g. 'commit e944249')")
	flag.Parse()
	if err := run(*machine, *out, *baseline, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

func run(machineFile, out, baseline string, sections []string) error {
	if machineFile == "" || len(sections) == 0 {
		return errors.New("usage: benchreport -machine FILE [-out FILE] 'Title|command|status|output'")
	}
	rep := benchreport.Report{Ratios: benchreport.ProjectRatios, Budgets: benchreport.ProjectBudgets, Baseline: baseline, Notes: []string{
		"Figures are from one run of `make bench` (end-to-end throughput: several runs, all shown) on the machine above, which may be shared with other work: " +
			"compare the ratios, which set benchmarks of the same run against each other, " +
			"rather than absolute times across machines. Each benchmark ran at least once " +
			"(`-benchtime` is a minimum; a single iteration longer than it is reported as `runs` = 1).",
	}}
	kv, err := readMachine(machineFile)
	if err != nil {
		return err
	}
	for _, p := range kv {
		if p[0] == "date" {
			rep.Date = p[1]
			continue
		}
		rep.Machine = append(rep.Machine, p)
	}
	for _, arg := range sections {
		parts, err := splitSection(arg)
		if err != nil {
			return err
		}
		f, err := os.Open(parts[3]) //nolint:gosec // G304: the output file the bench script captured
		if err != nil {
			return fmt.Errorf("section %q: %w", parts[0], err)
		}
		results, err := benchreport.Parse(f)
		_ = f.Close() // read only: nothing is lost on a close error
		if err != nil {
			return fmt.Errorf("section %q: %w", parts[0], err)
		}
		rep.Sections = append(rep.Sections, benchreport.Section{
			Title: parts[0], Command: parts[1], Results: results, Failed: parts[2] != "0",
			Baseline: strings.HasPrefix(parts[0], benchreport.BaselineTitlePrefix),
		})
	}
	w, err := os.Create(out) //nolint:gosec // G304: the report path the caller asked for
	if err != nil {
		return err
	}
	if err := benchreport.Render(w, rep); err != nil {
		_ = w.Close() // the Render error is the one to report
		return fmt.Errorf("write %s: %w", out, err)
	}
	return w.Close()
}

// readMachine reads "label<TAB>value" lines.
func readMachine(path string) ([][2]string, error) {
	f, err := os.Open(path) //nolint:gosec // G304: the machine description the bench script wrote
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }() // read only
	var kv [][2]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		label, value, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			continue
		}
		kv = append(kv, [2]string{strings.TrimSpace(label), strings.TrimSpace(value)})
	}
	return kv, sc.Err()
}

// splitSection splits 'Title|command|exit status|output file' into its four fields. The
// command may itself hold '|' (a -bench alternation): the title is the first field, the exit
// status and the output file the last two, and the command everything between.
func splitSection(arg string) ([4]string, error) {
	parts := strings.Split(arg, "|")
	if len(parts) < 4 {
		return [4]string{}, fmt.Errorf("section %q: want 'Title|command|exit status|output file'", arg)
	}
	n := len(parts)
	return [4]string{parts[0], strings.Join(parts[1:n-2], "|"), parts[n-2], parts[n-1]}, nil
}
