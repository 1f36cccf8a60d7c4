package rulesprocessor // import "github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor"

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"
	"go.uber.org/zap"
)

// rulesProcessor evaluates the rule set on every batch and owns the stateful parts (posture
// state, threshold windows). One mutex serialises batches and the periodic flush.
type rulesProcessor struct {
	cfg    *Config
	logger *zap.Logger
	rules  *ruleSet
	next   consumer.Logs
	tel    *telemetry
	now    func() time.Time

	mu sync.Mutex
	// rec is the evaluation state of the current record, reused for every record.
	rec *recordEval
	// candidates are the index's rules per dispatch key, remembered across batches.
	candidates *candidateMemo
	state      *postureState
	windows    map[*compiledRule]*windowCounter
	// postureRules are the posture rules in rule order (summary records).
	postureRules []*compiledRule

	stopOnce sync.Once
	stop     chan struct{}
	done     sync.WaitGroup
}

func newRulesProcessor(set processor.Settings, cfg *Config, next consumer.Logs) (*rulesProcessor, error) {
	if len(cfg.decodeErrs) > 0 {
		return nil, errors.Join(cfg.decodeErrs...)
	}
	rs, err := compileRuleSet(cfg, set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	return newRulesProcessorWithRules(set, cfg, rs, next)
}

// newRulesProcessorWithRules builds the processor around an already compiled rule set.
func newRulesProcessorWithRules(set processor.Settings, cfg *Config, rs *ruleSet, next consumer.Logs) (*rulesProcessor, error) {
	tel, err := newTelemetry(set)
	if err != nil {
		return nil, err
	}
	p := &rulesProcessor{
		cfg:        cfg,
		logger:     set.Logger,
		rules:      rs,
		next:       next,
		tel:        tel,
		now:        time.Now,
		rec:        newRecordEval(rs.conditions.size()),
		candidates: newCandidateMemo(rs.index),
		state:      newPostureState(),
		windows:    map[*compiledRule]*windowCounter{},
		stop:       make(chan struct{}),
	}
	for _, r := range rs.rules {
		if r.threshold != nil {
			p.windows[r] = newWindowCounter(r.threshold.Count, r.threshold.Window, cfg.MaxThresholdKeys)
		}
		if r.isPosture() && r.threshold == nil {
			p.postureRules = append(p.postureRules, r)
		}
	}
	return p, nil
}

// start launches the periodic summary flush when it is enabled.
func (p *rulesProcessor) start(_ context.Context, _ component.Host) error {
	if !p.cfg.Summary.Enabled {
		return nil
	}
	p.done.Add(1)
	go func() {
		defer p.done.Done()
		t := time.NewTicker(p.cfg.Summary.Interval)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				if err := p.flush(context.Background()); err != nil {
					p.logger.Warn("compliance summary not delivered", zap.Error(err))
				}
			}
		}
	}()
	return nil
}

// shutdown stops the flush loop and waits for it.
func (p *rulesProcessor) shutdown(context.Context) error {
	p.stopOnce.Do(func() { close(p.stop) })
	p.done.Wait()
	p.tel.shutdown()
	return nil
}
