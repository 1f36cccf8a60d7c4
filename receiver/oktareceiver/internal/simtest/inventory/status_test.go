package inventory_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/component/componentstatus"

	"github.com/otelcol-okta/otelcol-okta/internal/oktasim"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/simtest"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/testkit"
)

// TestInventoryRejectedTokenIsPermanent: a token Okta rejects (401 E0000011 on every listing)
// is a permanent error, so that readiness follows it even with the System Log off; the error
// never contains the token.
func TestInventoryRejectedTokenIsPermanent(t *testing.T) {
	const wrong = "wrong-token-for-inventory"
	_, url := simtest.StartSim(t, nil)
	inv, sink := simInventory(t, url, wrong, nil)
	host := &testkit.StatusHost{}
	inv.SetHost(host)
	inv.FullSync(context.Background())
	assert.Contains(t, host.Statuses(), componentstatus.StatusPermanentError)
	assert.NotContains(t, host.Statuses(), componentstatus.StatusRecoverableError, "a rejected credential is not a per-type problem")
	assert.Zero(t, sink.LogRecordCount())
	for _, err := range host.Errs() {
		assert.Contains(t, err.Error(), "E0000011")
		assert.NotContains(t, err.Error(), wrong)
	}
}

// TestInventoryForbiddenTypeStaysRecoverable: a read-only token's 403 on a Super-Admin-only
// type is a recoverable error: the collector stays ready and the other types are collected.
func TestInventoryForbiddenTypeStaysRecoverable(t *testing.T) {
	const roToken = "read-only-token"
	_, url := simtest.StartSim(t, func(o *oktasim.Options) {
		o.Platform.Tokens = append(o.Platform.Tokens, oktasim.APIToken{Value: roToken, Role: oktasim.RoleReadOnly, Name: "ro"})
	})
	inv, sink := simInventory(t, url, roToken, nil)
	host := &testkit.StatusHost{}
	inv.SetHost(host)
	inv.FullSync(context.Background())
	assert.Contains(t, host.Statuses(), componentstatus.StatusRecoverableError)
	assert.NotContains(t, host.Statuses(), componentstatus.StatusPermanentError)
	assert.NotZero(t, sink.LogRecordCount())
}
