package leaderelectorextension

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"
)

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)

	tests := []struct {
		id      string
		want    *Config
		wantErr string
	}{
		{id: "okta_leader_elector", want: createDefaultConfig()},
		{id: "okta_leader_elector/custom", want: &Config{
			LeaseName: "okta-acme", LeaseNamespace: "observability",
			LeaseDuration: 30 * time.Second, RenewDeadline: 20 * time.Second, RetryPeriod: 5 * time.Second,
			Identity: "collector-a", AuthType: AuthKubeConfig, KubeConfig: "/etc/kube/config",
		}},
		{id: "okta_leader_elector/renew_too_long", wantErr: "lease_duration: must be greater than renew_deadline"},
		{id: "okta_leader_elector/retry_too_long", wantErr: "renew_deadline: must be greater than 1.2 x retry_period"},
		{id: "okta_leader_elector/bad_auth", wantErr: `auth_type: must be "serviceAccount" or "kubeConfig", got "token"`},
		{id: "okta_leader_elector/no_name", wantErr: "lease_name: must not be empty"},
		{id: "okta_leader_elector/kubeconfig_in_cluster", wantErr: "kubeconfig: only used with auth_type"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			var id component.ID
			require.NoError(t, id.UnmarshalText([]byte(tt.id)))
			sub, err := cm.Sub(id.String())
			require.NoError(t, err)
			cfg := NewFactory().CreateDefaultConfig()
			require.NoError(t, sub.Unmarshal(cfg))
			err = confmap.Validate(cfg)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg)
		})
	}
}
