package leaderelectorextension

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.uber.org/zap/zaptest"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	coordinationv1 "k8s.io/client-go/kubernetes/typed/coordination/v1"
)

// fastConfig returns a configuration with short timings so that takeovers happen within a few
// seconds. The lease outlives 15 retry periods (the defaults give 7.5: 15 s / 2 s): a standby
// takes a lease only after seeing it unchanged for LeaseDuration, so a leader whose renewals a
// loaded machine delays by a second must not lose it.
func fastConfig(identity string) *Config {
	cfg := createDefaultConfig()
	cfg.LeaseName = "okta-acme"
	cfg.LeaseNamespace = "observability"
	cfg.LeaseDuration = 3 * time.Second
	cfg.RenewDeadline = 2 * time.Second
	cfg.RetryPeriod = 200 * time.Millisecond
	cfg.Identity = identity
	return cfg
}

// startReplica starts one extension instance on the shared fake Lease API.
func startReplica(t *testing.T, clientset *fake.Clientset, identity string) *leaderElectorExtension {
	t.Helper()
	ext := newExtension(fastConfig(identity), zaptest.NewLogger(t), func(*Config) (coordinationv1.LeasesGetter, error) {
		return clientset.CoordinationV1(), nil
	})
	require.NoError(t, ext.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { _ = ext.Shutdown(context.Background()) })
	return ext
}

// leaseRenewTime reads the Lease's renewTime from the fake API (zero when unset).
func leaseRenewTime(t *testing.T, clientset *fake.Clientset) time.Time {
	t.Helper()
	lease, err := clientset.CoordinationV1().Leases("observability").Get(context.Background(), "okta-acme", metav1.GetOptions{})
	require.NoError(t, err)
	if lease.Spec.RenewTime == nil {
		return time.Time{}
	}
	return lease.Spec.RenewTime.Time
}

// leaseHolder reads the Lease's holderIdentity from the fake API.
func leaseHolder(t *testing.T, clientset *fake.Clientset) string {
	t.Helper()
	lease, err := clientset.CoordinationV1().Leases("observability").Get(context.Background(), "okta-acme", metav1.GetOptions{})
	if err != nil || lease.Spec.HolderIdentity == nil {
		return ""
	}
	return *lease.Spec.HolderIdentity
}

// changeRecorder collects the leadership changes one replica announces.
type changeRecorder struct {
	mu      sync.Mutex
	changes []bool
}

func (r *changeRecorder) record(isLeader bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.changes = append(r.changes, isLeader)
}

func (r *changeRecorder) get() []bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bool(nil), r.changes...)
}

func TestOnlyOneReplicaLeadsAndTheOtherTakesOver(t *testing.T) {
	clientset := fake.NewClientset()
	first := startReplica(t, clientset, "collector-0")
	second := startReplica(t, clientset, "collector-1")
	var firstChanges, secondChanges changeRecorder
	first.OnChange(firstChanges.record)
	second.OnChange(secondChanges.record)

	require.Eventually(t, func() bool { return first.IsLeader() || second.IsLeader() }, 10*time.Second, 20*time.Millisecond,
		"no replica became leader")
	leader, standby := first, second
	leaderName, standbyName := "collector-0", "collector-1"
	if second.IsLeader() {
		leader, standby = second, first
		leaderName, standbyName = "collector-1", "collector-0"
	}
	// Over five renewals (one per RetryPeriod, 200 ms), exactly one replica leads and it is
	// the lease's holder: the observation ends when the lease's renewTime has moved five
	// times, so it covers renewals that really happened, however slow the machine.
	const renewals = 5
	seen, last := 0, leaseRenewTime(t, clientset)
	deadline := time.Now().Add(20 * time.Second)
	for seen < renewals {
		require.True(t, leader.IsLeader(), "%s lost a lease it should keep renewing", leaderName)
		require.False(t, standby.IsLeader(), "%s leads while %s holds the lease", standbyName, leaderName)
		require.Equal(t, leaderName, leaseHolder(t, clientset))
		if renewed := leaseRenewTime(t, clientset); !renewed.Equal(last) {
			seen, last = seen+1, renewed
		}
		require.False(t, time.Now().After(deadline), "the lease was renewed %d times in 20 s, want %d", seen, renewals)
		time.Sleep(20 * time.Millisecond) // pacing of this polling loop
	}

	// The leader stops (shutdown releases the lease): the standby takes over.
	require.NoError(t, leader.Shutdown(context.Background()))
	assert.False(t, leader.IsLeader(), "a stopped replica must not report leadership")
	require.Eventually(t, standby.IsLeader, 10*time.Second, 20*time.Millisecond, "%s did not take over", standbyName)
	// On a loaded machine the standby can take the lease (expired: the leader's renewals were
	// late) just before the old leader's release lands; the fake API server has no optimistic
	// concurrency, so that release blanks the holder until the new leader's next renewal.
	assert.Eventually(t, func() bool { return leaseHolder(t, clientset) == standbyName }, 2*time.Second, 20*time.Millisecond,
		"the lease names %s, not the new leader %s", leaseHolder(t, clientset), standbyName)

	leaderChanges, standbyChanges := firstChanges.get(), secondChanges.get()
	if leader == second {
		leaderChanges, standbyChanges = standbyChanges, leaderChanges
	}
	assert.Equal(t, []bool{true, false}, leaderChanges, "the first leader announces start and stop")
	assert.Equal(t, []bool{true}, standbyChanges, "the standby announces its takeover once")
}

func TestStandbyTakesOverWhenTheLeaseExpires(t *testing.T) {
	clientset := fake.NewClientset()
	// A crashed leader: its lease exists, names another holder, and is never renewed again.
	holder := "crashed-replica"
	duration := int32(1)
	renewed := metav1.NewMicroTime(time.Now())
	_, err := clientset.CoordinationV1().Leases("observability").Create(context.Background(), newLease(holder, duration, renewed), metav1.CreateOptions{})
	require.NoError(t, err)

	standby := startReplica(t, clientset, "collector-1")
	assert.False(t, standby.IsLeader(), "the standby must wait for the crashed holder's lease to expire")
	require.Eventually(t, standby.IsLeader, 10*time.Second, 20*time.Millisecond, "the standby did not take over an expired lease")
	assert.Equal(t, "collector-1", leaseHolder(t, clientset))
}

func TestOnChangeReportsCurrentLeadershipAndUnregisters(t *testing.T) {
	clientset := fake.NewClientset()
	ext := startReplica(t, clientset, "collector-0")
	require.Eventually(t, ext.IsLeader, 10*time.Second, 20*time.Millisecond)

	var late changeRecorder
	unregister := ext.OnChange(late.record)
	assert.Equal(t, []bool{true}, late.get(), "a subscriber registered while leading learns it at once")
	unregister()
	require.NoError(t, ext.Shutdown(context.Background()))
	assert.Equal(t, []bool{true}, late.get(), "an unregistered subscriber gets no more calls")
}

func TestStartFailsWithoutKubernetesClient(t *testing.T) {
	ext := newExtension(fastConfig("collector-0"), zaptest.NewLogger(t), func(*Config) (coordinationv1.LeasesGetter, error) {
		return nil, errors.New("no cluster here")
	})
	err := ext.Start(context.Background(), componenttest.NewNopHost())
	require.ErrorContains(t, err, "kubernetes client")
	require.NoError(t, ext.Shutdown(context.Background()))
}

func TestServiceAccountAuthOutsideAPodFailsClearly(t *testing.T) {
	cfg := createDefaultConfig()
	_, err := newLeasesClient(cfg)
	require.ErrorContains(t, err, "in-cluster config")
}
