package e2e

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// promSample is one sample of a Prometheus text exposition.
type promSample struct {
	Name   string
	Labels map[string]string
	Value  float64
}

// scrapeProm fetches url and parses the text exposition format (comments and
// timestamps ignored).
func scrapeProm(url string) ([]promSample, error) {
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("scrape %s: status %d", url, resp.StatusCode)
	}
	return parsePromText(resp.Body)
}

func parsePromText(r io.Reader) ([]promSample, error) {
	var out []promSample
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		s, err := parsePromLine(line)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, sc.Err()
}

func parsePromLine(line string) (promSample, error) {
	s := promSample{Labels: map[string]string{}}
	var rest string
	if i := strings.IndexAny(line, "{ "); i >= 0 && line[i] == '{' {
		s.Name = line[:i]
		end := strings.LastIndex(line, "}")
		if end < i {
			return s, fmt.Errorf("unbalanced labels in %q", line)
		}
		if err := parsePromLabels(line[i+1:end], s.Labels); err != nil {
			return s, fmt.Errorf("%q: %w", line, err)
		}
		rest = strings.TrimSpace(line[end+1:])
	} else {
		fields := strings.Fields(line)
		s.Name, rest = fields[0], strings.Join(fields[1:], " ")
	}
	valueText := strings.Fields(rest)
	if len(valueText) == 0 {
		return s, fmt.Errorf("no value in %q", line)
	}
	v, err := strconv.ParseFloat(valueText[0], 64)
	if err != nil {
		return s, fmt.Errorf("value in %q: %w", line, err)
	}
	s.Value = v
	return s, nil
}

func parsePromLabels(text string, into map[string]string) error {
	for len(text) > 0 {
		eq := strings.Index(text, "=\"")
		if eq < 0 {
			return fmt.Errorf("label without value in %q", text)
		}
		key := strings.TrimSpace(strings.TrimPrefix(text[:eq], ","))
		var val strings.Builder
		i := eq + 2
		for ; i < len(text); i++ {
			c := text[i]
			if c == '\\' && i+1 < len(text) {
				i++
				switch text[i] {
				case 'n':
					val.WriteByte('\n')
				default:
					val.WriteByte(text[i])
				}
				continue
			}
			if c == '"' {
				break
			}
			val.WriteByte(c)
		}
		into[key] = val.String()
		text = strings.TrimPrefix(text[i+1:], ",")
	}
	return nil
}

// promFind returns the samples of metric name whose labels include want.
func promFind(samples []promSample, name string, want map[string]string) []promSample {
	var out []promSample
	for _, s := range samples {
		if s.Name != name {
			continue
		}
		ok := true
		for k, v := range want {
			if s.Labels[k] != v {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, s)
		}
	}
	return out
}
