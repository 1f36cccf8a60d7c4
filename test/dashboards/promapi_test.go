package dashboards

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// promClient queries a Prometheus server's HTTP API.
type promClient struct {
	base string
	http *http.Client
	// at is the evaluation time of queries; zero means now.
	at time.Time
}

func newPromClient(base string) *promClient {
	return &promClient{base: base, http: &http.Client{Timeout: 10 * time.Second}}
}

// sample is one series of an instant query result.
type sample struct {
	Metric map[string]string
	Value  float64
}

// query runs an instant query at the client's evaluation time (now if unset) and returns its samples
// (a scalar result is one sample without labels).
func (c *promClient) query(expr string) ([]sample, error) {
	params := url.Values{"query": {expr}}
	if !c.at.IsZero() {
		params.Set("time", strconv.FormatFloat(float64(c.at.UnixMilli())/1000, 'f', 3, 64))
	}
	resp, err := c.http.Get(c.base + "/api/v1/query?" + params.Encode())
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("read query response: %w", err)
	}
	var r struct {
		Status    string `json:"status"`
		ErrorType string `json:"errorType"`
		Error     string `json:"error"`
		Data      struct {
			ResultType string          `json:"resultType"`
			Result     json.RawMessage `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("decode query response (HTTP %d): %w", resp.StatusCode, err)
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("%s: %s", r.ErrorType, r.Error)
	}
	switch r.Data.ResultType {
	case "vector":
		var vec []struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"`
		}
		if err := json.Unmarshal(r.Data.Result, &vec); err != nil {
			return nil, fmt.Errorf("decode vector: %w", err)
		}
		out := make([]sample, 0, len(vec))
		for _, v := range vec {
			f, err := parseValue(v.Value[1])
			if err != nil {
				return nil, err
			}
			out = append(out, sample{Metric: v.Metric, Value: f})
		}
		return out, nil
	case "scalar":
		var sc [2]any
		if err := json.Unmarshal(r.Data.Result, &sc); err != nil {
			return nil, fmt.Errorf("decode scalar: %w", err)
		}
		f, err := parseValue(sc[1])
		if err != nil {
			return nil, err
		}
		return []sample{{Metric: map[string]string{}, Value: f}}, nil
	default:
		return nil, fmt.Errorf("unexpected result type %q", r.Data.ResultType)
	}
}

func parseValue(v any) (float64, error) {
	s, ok := v.(string)
	if !ok {
		return 0, fmt.Errorf("sample value %v is not a string", v)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("sample value %q: %w", s, err)
	}
	return f, nil
}

// pinToLastGoodScrape sets the evaluation time just after the collector's most recent successful
// scrape, so that one evaluation round sees one consistent snapshot: on a loaded machine a scrape
// can time out, and Prometheus then marks every series of the target stale until the next one.
func (c *promClient) pinToLastGoodScrape(job string) error {
	c.at = time.Time{}
	res, err := c.query(`max(timestamp(up{job="` + job + `"} == 1))`)
	if err != nil {
		return err
	}
	if len(res) != 1 {
		return fmt.Errorf("the last scrape of job %s failed or none happened yet", job)
	}
	c.at = time.UnixMilli(int64(res[0].Value*1000) + 500)
	return nil
}

// ruleHealth returns the health and last error of every rule Prometheus loaded, by rule name.
func (c *promClient) ruleHealth() (map[string][2]string, error) {
	resp, err := c.http.Get(c.base + "/api/v1/rules")
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	defer resp.Body.Close()
	var r struct {
		Data struct {
			Groups []struct {
				Rules []struct {
					Name      string `json:"name"`
					Health    string `json:"health"`
					LastError string `json:"lastError"`
				} `json:"rules"`
			} `json:"groups"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return nil, fmt.Errorf("decode rules: %w", err)
	}
	out := map[string][2]string{}
	for _, g := range r.Data.Groups {
		for _, rule := range g.Rules {
			out[rule.Name] = [2]string{rule.Health, rule.LastError}
		}
	}
	return out, nil
}
