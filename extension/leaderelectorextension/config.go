package leaderelectorextension

import (
	"errors"
	"fmt"
	"time"

	"k8s.io/client-go/tools/leaderelection"
)

// AuthType selects how the extension reaches the Kubernetes API.
type AuthType string

const (
	// AuthServiceAccount uses the pod's service account (in-cluster configuration).
	AuthServiceAccount AuthType = "serviceAccount"
	// AuthKubeConfig uses a kubeconfig file (kubeconfig, or $KUBECONFIG, or ~/.kube/config).
	AuthKubeConfig AuthType = "kubeConfig"
)

// Config is the okta_leader_elector configuration.
type Config struct {
	// LeaseName is the name of the coordination.k8s.io/v1 Lease every replica competes for.
	LeaseName string `mapstructure:"lease_name"`
	// LeaseNamespace is the namespace of the Lease; empty means the pod's own namespace
	// (read from the service account), or "default" outside a cluster.
	LeaseNamespace string `mapstructure:"lease_namespace"`
	// LeaseDuration is how long a lease stays valid without renewal: the takeover time after a crash.
	LeaseDuration time.Duration `mapstructure:"lease_duration"`
	// RenewDeadline is how long the holder keeps retrying a renewal before it gives leadership up.
	RenewDeadline time.Duration `mapstructure:"renew_deadline"`
	// RetryPeriod is the wait between two attempts to acquire or renew the lease.
	RetryPeriod time.Duration `mapstructure:"retry_period"`
	// Identity names this replica in the lease (holderIdentity); empty means the host name (the pod name).
	Identity string `mapstructure:"identity"`
	// AuthType is serviceAccount (default, in-cluster) or kubeConfig.
	AuthType AuthType `mapstructure:"auth_type"`
	// KubeConfig is the kubeconfig file used with auth_type kubeConfig; empty means $KUBECONFIG or ~/.kube/config.
	KubeConfig string `mapstructure:"kubeconfig"`
}

func createDefaultConfig() *Config {
	return &Config{
		LeaseName:     "otelcol-okta",
		LeaseDuration: 15 * time.Second,
		RenewDeadline: 10 * time.Second,
		RetryPeriod:   2 * time.Second,
		AuthType:      AuthServiceAccount,
	}
}

// Validate checks the configuration; each error names its key.
func (c *Config) Validate() error {
	var errs []error
	if c.LeaseName == "" {
		errs = append(errs, errors.New("lease_name: must not be empty"))
	}
	if c.LeaseDuration <= 0 {
		errs = append(errs, fmt.Errorf("lease_duration: must be positive, got %s", c.LeaseDuration))
	}
	if c.RenewDeadline <= 0 {
		errs = append(errs, fmt.Errorf("renew_deadline: must be positive, got %s", c.RenewDeadline))
	}
	if c.RetryPeriod <= 0 {
		errs = append(errs, fmt.Errorf("retry_period: must be positive, got %s", c.RetryPeriod))
	}
	if c.LeaseDuration > 0 && c.RenewDeadline > 0 && c.LeaseDuration <= c.RenewDeadline {
		errs = append(errs, fmt.Errorf("lease_duration: must be greater than renew_deadline (%s), got %s", c.RenewDeadline, c.LeaseDuration))
	}
	minRenew := time.Duration(leaderelection.JitterFactor * float64(c.RetryPeriod))
	if c.RenewDeadline > 0 && c.RetryPeriod > 0 && c.RenewDeadline <= minRenew {
		errs = append(errs, fmt.Errorf("renew_deadline: must be greater than %.1f x retry_period (%s), got %s", leaderelection.JitterFactor, minRenew, c.RenewDeadline))
	}
	switch c.AuthType {
	case AuthServiceAccount:
		if c.KubeConfig != "" {
			errs = append(errs, fmt.Errorf("kubeconfig: only used with auth_type %q", AuthKubeConfig))
		}
	case AuthKubeConfig:
	default:
		errs = append(errs, fmt.Errorf("auth_type: must be %q or %q, got %q", AuthServiceAccount, AuthKubeConfig, c.AuthType))
	}
	return errors.Join(errs...)
}
