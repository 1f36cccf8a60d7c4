package e2e

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

// durableSystemLogConfig is the pipeline our production configs use for the
// System Log: the okta receiver checkpoints its cursor in
// file_storage, and the otlp_http exporter batches itself and keeps a
// persistent sending_queue on file_storage, so ConsumeLogs returns only once
// the records are on disk. There is no batch processor: it acknowledges from
// memory and a kill -9 would lose what it holds.
//
// Placeholders: DIR (state directory, kept across restarts), SIM, HEALTH,
// SINK, POLL (system_log.poll_interval), FLUSH (exporter batch
// flush_timeout), MINBATCH (batch min_size, items), HOOKS (an event_hooks
// block or empty), TELEMETRY (the service.telemetry.metrics block).
const durableSystemLogConfig = `
extensions:
  file_storage/okta:
    directory: {{DIR}}/storage
    create_directory: true
  file_storage/queue:
    directory: {{DIR}}/queue
    create_directory: true
  health_check:
    endpoint: 127.0.0.1:{{HEALTH}}
receivers:
  okta:
    endpoint: {{SIM}}
    api_token: ${env:OKTA_API_TOKEN}
    storage: file_storage/okta
    collection_interval: 10s
    inventory:
      full_sync_interval: 1h
      incremental_interval: 10m
    system_log:
      poll_interval: {{POLL}}
      initial_lookback: 2h
      initial_backoff: 200ms
      max_backoff: 2s
{{HOOKS}}
exporters:
` + durableSinkExporter + `service:
  extensions: [file_storage/okta, file_storage/queue, health_check]
  telemetry:
{{TELEMETRY}}
  pipelines:
    logs:
      receivers: [okta]
      exporters: [otlp_http/sink]
`

// telemetryOff turns the collector's own metrics off.
// durableSinkExporter is the production-shaped exporter every durable test
// pipeline uses: otlp_http to the test sink with retries that never give up and
// a persistent sending_queue on file_storage/queue, batching in the exporter.
// {{FLUSH}} and {{MINBATCH}} tune its batching.
const durableSinkExporter = `  otlp_http/sink:
    logs_endpoint: {{SINK}}/v1/logs
    encoding: proto
    compression: none
    timeout: 30s
    retry_on_failure:
      enabled: true
      initial_interval: 100ms
      max_interval: 1s
      max_elapsed_time: 0
    sending_queue:
      enabled: true
      storage: file_storage/queue
      sizer: requests
      queue_size: 1000
      block_on_overflow: true
      num_consumers: 4
      batch:
        sizer: items
        flush_timeout: {{FLUSH}}
        min_size: {{MINBATCH}}
        max_size: 5000
`

const telemetryOff = `    metrics:
      level: none`

// durableOptions fills durableSystemLogConfig.
type durableOptions struct {
	pollInterval time.Duration
	flush        time.Duration
	minBatch     int
	hooks        string // rendered event_hooks block (see hookBlock), "" for none
	telemetry    string // "" for telemetryOff
}

func (o durableOptions) render(dir, simURL, sinkURL string, health int) string {
	if o.pollInterval == 0 {
		o.pollInterval = time.Second
	}
	if o.flush == 0 {
		o.flush = 200 * time.Millisecond
	}
	if o.minBatch == 0 {
		o.minBatch = 2000
	}
	if o.telemetry == "" {
		o.telemetry = telemetryOff
	}
	return render(durableSystemLogConfig, map[string]string{
		"DIR": dir, "SIM": simURL, "SINK": sinkURL, "HEALTH": strconv.Itoa(health),
		"POLL": o.pollInterval.String(), "FLUSH": o.flush.String(), "MINBATCH": strconv.Itoa(o.minBatch),
		"HOOKS": o.hooks, "TELEMETRY": o.telemetry,
	})
}

// hookBlock is the receiver's event_hooks block listening on 127.0.0.1:port.
func hookBlock(port int, secret string) string {
	return fmt.Sprintf(`    event_hooks:
      enabled: true
      server:
        endpoint: 127.0.0.1:%d
      path: /okta/events
      secret: %s`, port, secret)
}

// restartableCollector runs otelcol-okta on one config and state directory,
// and can be killed with SIGKILL and started again on the same directory.
type restartableCollector struct {
	t      testing.TB
	dir    string
	config string
	health int
	proc   *process
	starts int
	// onKill, when set, is called just before each SIGKILL.
	onKill func()
	// env is added to the collector's environment (e.g. GOGC=200).
	env []string
}

func newRestartableCollector(t testing.TB, dir, config string, health int) *restartableCollector {
	t.Helper()
	writeFile(t, dir, "config.yaml", config)
	return &restartableCollector{t: t, dir: dir, config: config, health: health}
}

// reconfigure replaces the config used by the next start.
func (c *restartableCollector) reconfigure(config string) {
	c.t.Helper()
	c.config = config
	writeFile(c.t, c.dir, "config.yaml", config)
}

// start runs the collector (with env added to its environment) and waits for its health check.
func (c *restartableCollector) start() {
	c.t.Helper()
	c.starts++
	c.proc = startCollector(c.t, c.dir, c.config, c.health, c.env...)
}

// kill sends SIGKILL to the running collector and waits for it to exit.
func (c *restartableCollector) kill() {
	if c.proc != nil {
		if c.onKill != nil {
			c.onKill()
		}
		c.proc.kill()
	}
}

// stop ends the running collector gracefully (SIGTERM).
func (c *restartableCollector) stop() {
	if c.proc != nil {
		c.proc.stop(20 * time.Second)
	}
}

// pid is the running collector's process id.
func (c *restartableCollector) pid() int { return c.proc.cmd.Process.Pid }

// killLoop kills the collector `kills` times: each time it runs for a random
// time in [minUp, maxUp) after its health check answered, gets SIGKILL and is
// started again on the same state directory. It returns the run times.
func (c *restartableCollector) killLoop(kills int, minUp, maxUp time.Duration, rng *rand.Rand) []time.Duration {
	c.t.Helper()
	var ups []time.Duration
	for range kills {
		if c.proc == nil || c.proc.exited() {
			c.start()
		}
		up := minUp + time.Duration(rng.Int64N(int64(maxUp-minUp)))
		time.Sleep(up) // the scenario: a random uptime before the kill
		c.kill()
		ups = append(ups, up)
	}
	c.start()
	return ups
}
