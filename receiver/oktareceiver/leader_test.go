package oktareceiver

import (
	"strings"
	"testing"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension"
)

type fakeElector struct {
	component.StartFunc
	component.ShutdownFunc
}

func (f *fakeElector) IsLeader() bool { return true }

type extensionsHost struct {
	component.Host
	exts map[component.ID]component.Component
}

func (h extensionsHost) GetExtensions() map[component.ID]component.Component { return h.exts }

var _ extension.Extension = (*fakeElector)(nil)

func TestResolveLeaderElectorErrorsNameTheKey(t *testing.T) {
	id := component.MustNewID("okta_leader_elector")
	other := component.MustNewID("health_check")
	host := extensionsHost{Host: componenttest.NewNopHost(), exts: map[component.ID]component.Component{
		id:    &fakeElector{},
		other: componenttest.NewNopHost().GetExtensions()[other],
	}}
	if _, err := resolveLeaderElector(host, id); err != nil {
		t.Fatalf("a leader elector: %v", err)
	}
	_, err := resolveLeaderElector(host, component.MustNewID("missing"))
	if err == nil || !strings.Contains(err.Error(), "leader_elector") || !strings.Contains(err.Error(), "not configured") {
		t.Fatalf("missing extension: %v", err)
	}
	host.exts[other] = struct{ component.Component }{}
	_, err = resolveLeaderElector(host, other)
	if err == nil || !strings.Contains(err.Error(), "not a leader elector") {
		t.Fatalf("wrong extension type: %v", err)
	}
}
