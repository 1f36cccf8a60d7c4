package e2e

import (
	"compress/gzip"
	"io"
	"maps"
	"net"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
)

// metricInventory is what an OTLP/HTTP metrics endpoint received: each metric name with its type
// and the attribute keys of its data points.
type metricInventory struct {
	mu      sync.Mutex
	metrics map[string]*seenMetric
	srv     *http.Server
	url     string
}

type seenMetric struct {
	typ       string // Gauge, Sum (delta|cumulative), Histogram, ...
	attrKeys  map[string]bool
	resources map[string]bool // resource attribute keys
}

// startMetricInventory serves OTLP/HTTP on loopback: /v1/metrics is recorded, /v1/logs is
// accepted and dropped (the configs under test send both to one endpoint).
func startMetricInventory(t *testing.T) *metricInventory {
	t.Helper()
	inv := &metricInventory{metrics: map[string]*seenMetric{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	mustf(t, err, "listen for the OTLP metrics sink")
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/metrics", inv.handleMetrics)
	mux.HandleFunc("POST /v1/logs", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-protobuf")
	})
	inv.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	inv.url = "http://" + ln.Addr().String()
	go func() { _ = inv.srv.Serve(ln) }()
	t.Cleanup(func() { _ = inv.srv.Close() })
	return inv
}

func (inv *metricInventory) handleMetrics(w http.ResponseWriter, r *http.Request) {
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		defer zr.Close()
		body = zr
	}
	data, err := io.ReadAll(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req := pmetricotlp.NewExportRequest()
	if err := req.UnmarshalProto(data); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	inv.record(req.Metrics())
	w.Header().Set("Content-Type", "application/x-protobuf")
}

func (inv *metricInventory) record(md pmetric.Metrics) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		res := rms.At(i).Resource().Attributes()
		sms := rms.At(i).ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			ms := sms.At(j).Metrics()
			for k := 0; k < ms.Len(); k++ {
				m := ms.At(k)
				seen := inv.metrics[m.Name()]
				if seen == nil {
					seen = &seenMetric{typ: metricType(m), attrKeys: map[string]bool{}, resources: map[string]bool{}}
					inv.metrics[m.Name()] = seen
				}
				res.Range(func(k string, _ pcommon.Value) bool { seen.resources[k] = true; return true })
				forEachPointAttrs(m, func(attrs pcommon.Map) {
					attrs.Range(func(k string, _ pcommon.Value) bool { seen.attrKeys[k] = true; return true })
				})
			}
		}
	}
}

func metricType(m pmetric.Metric) string {
	if m.Type() == pmetric.MetricTypeSum {
		return "Sum (" + m.Sum().AggregationTemporality().String() + ")"
	}
	return m.Type().String()
}

func forEachPointAttrs(m pmetric.Metric, fn func(pcommon.Map)) {
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		for i := 0; i < m.Gauge().DataPoints().Len(); i++ {
			fn(m.Gauge().DataPoints().At(i).Attributes())
		}
	case pmetric.MetricTypeSum:
		for i := 0; i < m.Sum().DataPoints().Len(); i++ {
			fn(m.Sum().DataPoints().At(i).Attributes())
		}
	case pmetric.MetricTypeHistogram:
		for i := 0; i < m.Histogram().DataPoints().Len(); i++ {
			fn(m.Histogram().DataPoints().At(i).Attributes())
		}
	}
}

// snapshot returns metric name → sorted data point attribute keys, and name → type.
func (inv *metricInventory) snapshot() (keys map[string][]string, types map[string]string) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	keys, types = map[string][]string{}, map[string]string{}
	for name, m := range inv.metrics {
		keys[name] = slices.Sorted(maps.Keys(m.attrKeys))
		types[name] = m.typ
	}
	return keys, types
}
