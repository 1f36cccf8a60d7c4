package leaderelectorextension

import (
	"fmt"

	coordinationv1 "k8s.io/client-go/kubernetes/typed/coordination/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// newLeasesClient builds the Lease API client from the pod's service account or a kubeconfig file.
func newLeasesClient(cfg *Config) (coordinationv1.LeasesGetter, error) {
	var restConfig *rest.Config
	var err error
	switch cfg.AuthType {
	case AuthKubeConfig:
		rules := clientcmd.NewDefaultClientConfigLoadingRules()
		rules.ExplicitPath = cfg.KubeConfig
		restConfig, err = clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{}).ClientConfig()
		if err != nil {
			return nil, fmt.Errorf("load kubeconfig: %w", err)
		}
	default:
		restConfig, err = rest.InClusterConfig()
		if err != nil {
			return nil, fmt.Errorf("in-cluster config (auth_type %q needs a pod with a service account): %w", AuthServiceAccount, err)
		}
	}
	client, err := coordinationv1.NewForConfig(restConfig)
	if err != nil {
		return nil, fmt.Errorf("coordination client: %w", err)
	}
	return client, nil
}
