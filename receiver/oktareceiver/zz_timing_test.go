package oktareceiver

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/otelcol-okta/otelcol-okta/internal/oktasim"
	"go.opentelemetry.io/collector/component"
)

func TestZZTiming2(t *testing.T) {
	sim := startSim(t, func(o *oktasim.Options) { o.Logs.HistoryEvents = 2500 })
	cfg := testConfig(sim.url)
	client, _ := newOktaClient(cfg, &http.Client{Timeout: 5 * time.Second}, component.NewDefaultBuildInfo())
	u := systemLogStartURL(cfg.SystemLog, time.Time{}, time.Now())
	for range 4 {
		t0 := time.Now()
		p, err := client.get(context.Background(), u)
		if err != nil {
			t.Fatal(err)
		}
		ev, _ := decodeSystemLogPage(p.Body)
		t.Log(time.Since(t0), len(ev), p.Header.Get("X-Rate-Limit-Remaining"), p.Header.Get("X-Rate-Limit-Reset"))
		u = p.Next
	}
}
