package systemlog

import (
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.uber.org/zap"
)

// systemLogStatus reports component status only when it changes (docs/component-status.md).
// A permanent error is final: it is never followed by OK or a recoverable error, whose
// transitions the collector would reject.
type systemLogStatus struct {
	host   component.Host
	logger *zap.Logger

	mu   sync.Mutex
	last componentstatus.Status
}

func newSystemLogStatus(host component.Host, logger *zap.Logger) *systemLogStatus {
	if logger == nil {
		logger = zap.NewNop()
	}
	return &systemLogStatus{host: host, logger: logger, last: componentstatus.StatusNone}
}

func (r *systemLogStatus) ok() {
	r.report(componentstatus.StatusOK, func() *componentstatus.Event { return componentstatus.NewEvent(componentstatus.StatusOK) })
}

func (r *systemLogStatus) recoverable(err error) {
	r.report(componentstatus.StatusRecoverableError, func() *componentstatus.Event { return componentstatus.NewRecoverableErrorEvent(err) })
}

func (r *systemLogStatus) permanent(err error) {
	r.report(componentstatus.StatusPermanentError, func() *componentstatus.Event { return componentstatus.NewPermanentErrorEvent(err) })
}

func (r *systemLogStatus) report(s componentstatus.Status, event func() *componentstatus.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.last == s || r.last == componentstatus.StatusPermanentError {
		return
	}
	prev := r.last
	r.last = s
	ev := event()
	switch s {
	case componentstatus.StatusOK:
		if prev != componentstatus.StatusNone {
			r.logger.Info("System Log polling recovered")
		}
	case componentstatus.StatusRecoverableError:
		r.logger.Warn("System Log polling failing; retrying with backoff", zap.Error(ev.Err()))
	case componentstatus.StatusPermanentError:
		r.logger.Error("System Log polling needs attention (credential, scope or filter); retrying slowly", zap.Error(ev.Err()))
	}
	if r.host != nil {
		componentstatus.ReportStatus(r.host, ev)
	}
}
