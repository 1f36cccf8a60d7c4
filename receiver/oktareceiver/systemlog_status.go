package oktareceiver

import (
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
)

// systemLogStatus reports component status only when it changes (docs/component-status.md).
// A permanent error is final: it is never followed by OK or a recoverable error, whose
// transitions the collector would reject.
type systemLogStatus struct {
	host component.Host

	mu   sync.Mutex
	last componentstatus.Status
}

func newSystemLogStatus(host component.Host) *systemLogStatus {
	return &systemLogStatus{host: host, last: componentstatus.StatusNone}
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
	if r.last == s || r.last == componentstatus.StatusPermanentError || r.host == nil {
		return
	}
	r.last = s
	componentstatus.ReportStatus(r.host, event())
}
