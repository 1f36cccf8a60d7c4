package leaderelectorextension

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.uber.org/zap"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	coordinationv1 "k8s.io/client-go/kubernetes/typed/coordination/v1"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
)

// serviceAccountNamespaceFile holds the pod's namespace inside a Kubernetes pod.
const serviceAccountNamespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"

// leasesClientFunc builds the client of the coordination.k8s.io Lease API (replaced by a fake in tests).
type leasesClientFunc func(cfg *Config) (coordinationv1.LeasesGetter, error)

// leaderElectorExtension runs client-go's leader election on a Lease and implements LeaderElector.
type leaderElectorExtension struct {
	cfg       *Config
	logger    *zap.Logger
	newLeases leasesClientFunc

	// notifyMu serializes leadership changes and the callbacks they trigger.
	notifyMu sync.Mutex
	// mu guards leading, subscribers and nextID.
	mu          sync.Mutex
	leading     bool
	subscribers map[int]func(bool)
	nextID      int

	cancel context.CancelFunc
	done   chan struct{}
}

var _ LeaderElector = (*leaderElectorExtension)(nil)

func newExtension(cfg *Config, logger *zap.Logger, newLeases leasesClientFunc) *leaderElectorExtension {
	return &leaderElectorExtension{
		cfg:         cfg,
		logger:      logger,
		newLeases:   newLeases,
		subscribers: map[int]func(bool){},
	}
}

// Start builds the Lease client and starts competing for the lease in the background.
func (e *leaderElectorExtension) Start(_ context.Context, _ component.Host) error {
	leases, err := e.newLeases(e.cfg)
	if err != nil {
		return fmt.Errorf("okta_leader_elector: kubernetes client: %w", err)
	}
	identity, err := resolveIdentity(e.cfg.Identity)
	if err != nil {
		return fmt.Errorf("okta_leader_elector: identity: %w", err)
	}
	namespace := resolveNamespace(e.cfg.LeaseNamespace)
	lock := &resourcelock.LeaseLock{
		LeaseMeta:  metav1.ObjectMeta{Name: e.cfg.LeaseName, Namespace: namespace},
		Client:     leases,
		LockConfig: resourcelock.ResourceLockConfig{Identity: identity},
	}
	elector, err := leaderelection.NewLeaderElector(leaderelection.LeaderElectionConfig{
		Lock:            lock,
		LeaseDuration:   e.cfg.LeaseDuration,
		RenewDeadline:   e.cfg.RenewDeadline,
		RetryPeriod:     e.cfg.RetryPeriod,
		ReleaseOnCancel: true,
		Name:            e.cfg.LeaseName,
		Callbacks: leaderelection.LeaderCallbacks{
			OnStartedLeading: e.startedLeading,
			OnStoppedLeading: e.stoppedLeading,
		},
	})
	if err != nil {
		return fmt.Errorf("okta_leader_elector: %w", err)
	}
	e.logger.Info("Competing for the lease",
		zap.String("lease", namespace+"/"+e.cfg.LeaseName), zap.String("identity", identity))

	ctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	e.done = make(chan struct{})
	go func() {
		defer close(e.done)
		// Run returns when leadership is lost (or was never won before ctx ended); compete again
		// until shutdown, so a replica that lost its lease becomes a standby, not a dead process.
		for ctx.Err() == nil {
			elector.Run(ctx)
		}
	}()
	return nil
}

// Shutdown stops competing and releases the lease if this replica holds it, so a standby takes over at once.
func (e *leaderElectorExtension) Shutdown(ctx context.Context) error {
	if e.cancel == nil {
		return nil
	}
	e.cancel()
	select {
	case <-e.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("okta_leader_elector: release the lease: %w", ctx.Err())
	}
}

// IsLeader reports whether this replica holds the lease.
func (e *leaderElectorExtension) IsLeader() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.leading
}

// OnChange registers fn for leadership changes (see LeaderElector).
func (e *leaderElectorExtension) OnChange(fn func(isLeader bool)) func() {
	e.notifyMu.Lock()
	defer e.notifyMu.Unlock()
	e.mu.Lock()
	id := e.nextID
	e.nextID++
	e.subscribers[id] = fn
	leading := e.leading
	e.mu.Unlock()
	if leading {
		fn(true)
	}
	return func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		delete(e.subscribers, id)
	}
}

// startedLeading is client-go's OnStartedLeading; it runs in its own goroutine, possibly after the
// leadership it announces has already ended (then ctx is done and the call is ignored).
func (e *leaderElectorExtension) startedLeading(ctx context.Context) {
	e.setLeading(true, ctx.Err)
}

// stoppedLeading is client-go's OnStoppedLeading, called whenever Run returns.
func (e *leaderElectorExtension) stoppedLeading() {
	e.setLeading(false, func() error { return nil })
}

// setLeading records a leadership change, unless stale() reports an error, and notifies the subscribers.
func (e *leaderElectorExtension) setLeading(leading bool, stale func() error) {
	e.notifyMu.Lock()
	defer e.notifyMu.Unlock()
	if stale() != nil {
		return
	}
	e.mu.Lock()
	if e.leading == leading {
		e.mu.Unlock()
		return
	}
	e.leading = leading
	subscribers := make([]func(bool), 0, len(e.subscribers))
	for _, fn := range e.subscribers {
		subscribers = append(subscribers, fn)
	}
	e.mu.Unlock()
	if leading {
		e.logger.Info("Became leader: this replica's receivers poll")
	} else {
		e.logger.Info("Not leader: this replica's receivers stand by")
	}
	for _, fn := range subscribers {
		fn(leading)
	}
}

// resolveIdentity returns the configured identity, or the host name (the pod name in Kubernetes).
func resolveIdentity(configured string) (string, error) {
	if configured != "" {
		return configured, nil
	}
	host, err := os.Hostname()
	if err != nil {
		return "", fmt.Errorf("host name (set identity): %w", err)
	}
	if host == "" {
		return "", errors.New("host name is empty (set identity)")
	}
	return host, nil
}

// resolveNamespace returns the configured namespace, the pod's namespace, or "default".
func resolveNamespace(configured string) string {
	if configured != "" {
		return configured
	}
	if data, err := os.ReadFile(serviceAccountNamespaceFile); err == nil {
		if ns := strings.TrimSpace(string(data)); ns != "" {
			return ns
		}
	}
	return "default"
}
