package oktasim

import (
	"context"
	"math/rand/v2"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// hookManager owns the registered event hooks and their delivery workers.
type hookManager struct {
	opts   HookOptions
	client *http.Client
	now    func() time.Time

	mu      sync.RWMutex
	hooks   map[string]*eventHook
	baseCtx context.Context
	orgURL  string
	workers sync.WaitGroup
	rng     *rand.Rand // hook ids and fault draws; guarded by mu (write lock)
}

// eventHook is one registered hook and its delivery state.
type eventHook struct {
	id        string
	url       string
	authKey   string
	authValue string
	types     map[string]bool // nil: every event type
	created   time.Time
	source    string

	verified  atomic.Bool
	lastError atomic.Value // string

	mu           sync.Mutex
	pending      []*storedEvent
	firstPending time.Time
	signal       chan struct{}
	cancel       context.CancelFunc

	attempted, succeeded, failed, retried, duplicated atomic.Uint64
	eventsDelivered, eventsDropped                    atomic.Uint64
}

func newHookManager(opts HookOptions, clock func() time.Time) *hookManager {
	return &hookManager{
		opts:    opts,
		now:     clock,
		client:  &http.Client{Timeout: opts.Timeout},
		hooks:   map[string]*eventHook{},
		baseCtx: context.Background(),
		rng:     rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())),
	}
}

// start binds hook workers to ctx: when it is done every worker stops and
// wg waits for them.
func (m *hookManager) start(ctx context.Context, wg *sync.WaitGroup, orgURL string) {
	m.mu.Lock()
	m.baseCtx, m.orgURL = ctx, orgURL
	m.mu.Unlock()
	wg.Go(func() {
		<-ctx.Done()
		m.mu.Lock()
		for _, h := range m.hooks {
			h.cancel()
		}
		m.mu.Unlock()
		m.workers.Wait()
	})
}

// enqueue hands persisted events to every verified hook whose event types
// match. It never blocks on a delivery.
func (m *hookManager) enqueue(events []*storedEvent) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	for _, h := range m.hooks {
		if h.verified.Load() {
			h.add(events, m.opts.MaxPending)
		}
	}
}

func (h *eventHook) add(events []*storedEvent, maxPending int) {
	h.mu.Lock()
	added := 0
	for _, ev := range events {
		if h.types != nil && !h.types[ev.eventType] {
			continue
		}
		if len(h.pending) >= maxPending {
			h.eventsDropped.Add(1)
			continue
		}
		if len(h.pending) == 0 {
			h.firstPending = time.Now() // a batching delay: real time, not the simulated date
		}
		h.pending = append(h.pending, ev)
		added++
	}
	h.mu.Unlock()
	if added > 0 {
		select {
		case h.signal <- struct{}{}:
		default:
		}
	}
}

// take removes up to n pending events.
func (h *eventHook) take(n int) []*storedEvent {
	h.mu.Lock()
	defer h.mu.Unlock()
	n = min(n, len(h.pending))
	batch := make([]*storedEvent, n)
	copy(batch, h.pending)
	rest := copy(h.pending, h.pending[n:])
	clear(h.pending[rest:])
	h.pending = h.pending[:rest]
	if rest > 0 {
		h.firstPending = time.Now() // a batching delay: real time, not the simulated date
	}
	return batch
}

func (h *eventHook) pendingState() (int, time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.pending), h.firstPending
}

// list returns the hooks ordered by creation.
func (m *hookManager) list() []*eventHook {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]*eventHook, 0, len(m.hooks))
	for _, h := range m.hooks {
		out = append(out, h)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].created.Before(out[j].created) || out[i].created.Equal(out[j].created) && out[i].id < out[j].id
	})
	return out
}

// remove stops and forgets a hook; false when the id is unknown.
func (m *hookManager) remove(id string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	h, ok := m.hooks[id]
	if ok {
		h.cancel()
		delete(m.hooks, id)
	}
	return ok
}

// draw reports true with probability p.
func (m *hookManager) draw(p float64) bool {
	if p <= 0 {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.rng.Float64() < p
}
