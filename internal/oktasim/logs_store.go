package oktasim

import (
	"container/heap"
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// storedEvent is one persisted LogEvent. Its JSON is encoded once, at
// generation: head holds the event's own fields and tail the shared profile
// fragment (client, device, securityContext, request) that closes the object.
// Injected events keep their whole JSON in head and have no tail. A stored
// event is immutable once persisted.
type storedEvent struct {
	seq       uint64 // commit sequence: 1, 2, 3, … in persistence order
	persisted int64  // persistence time, Unix ms (non-decreasing with seq)
	published int64  // published time, Unix ms
	uuid      string
	eventType string
	head      []byte
	tail      []byte
}

// appendJSON appends the event's JSON object.
func (e *storedEvent) appendJSON(b []byte) []byte {
	b = append(b, e.head...)
	return append(b, e.tail...)
}

// jsonLen is the size of the event's JSON object.
func (e *storedEvent) jsonLen() int { return len(e.head) + len(e.tail) }

// logStore is the System Log: events in two orders (persistence, published),
// late events waiting to be persisted, the generator and the event hooks.
//
// Invariants: bySeq[i].seq == bySeq[0].seq+i (no gaps, a reader that has
// seen seq N has seen every event up to N); byPublished is sorted by
// (published, seq) and holds the same events as bySeq.
type logStore struct {
	opts LogOptions
	gen  *generator
	now  func() time.Time

	rate   atomic.Uint64 // events per second, float64 bits
	tickMu sync.Mutex    // held by a generator tick while it uses the rate it read

	mu            sync.RWMutex
	bySeq         []*storedEvent
	byPublished   []*storedEvent
	lastSeq       uint64
	lastPersisted int64
	uuids         uuidLog // every uuid ever persisted, in persistence order
	evicted       uint64

	pendingMu sync.Mutex
	pending   lateQueue
	queued    uint64 // late events queued so far (their order)
	wake      chan struct{}

	hooks *hookManager
}

// newLogStore validates opts, builds the generator (seeded from the org id,
// or opts.Seed when set) and persists the initial history. clock is the
// simulator's wall clock.
func newLogStore(opts LogOptions, org *orgStore, clock func() time.Time) (*logStore, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	seed := uint64(opts.Seed)
	if seed == 0 && org != nil {
		h := fnv.New64a()
		_, _ = h.Write([]byte(org.OrgID()))
		seed = h.Sum64()
	}
	l := &logStore{
		opts: opts,
		gen:  newGenerator(seed, org),
		now:  clock,
		wake: make(chan struct{}, 1),
	}
	l.rate.Store(math.Float64bits(opts.EventsPerSec))
	l.hooks = newHookManager(opts.Hooks, clock)
	l.generateHistory()
	return l, nil
}

// generateHistory persists opts.HistoryEvents events spread evenly over the
// last opts.HistorySpan, persisted at their published time.
func (l *logStore) generateHistory() {
	n := l.opts.HistoryEvents
	if n <= 0 {
		return
	}
	now := l.now()
	step := l.opts.HistorySpan / time.Duration(n)
	batch := make([]*storedEvent, 0, n)
	l.gen.mu.Lock()
	for i := range n {
		at := now.Add(-l.opts.HistorySpan + time.Duration(i)*step).Truncate(time.Millisecond)
		e := l.gen.next(at)
		batch = append(batch, encodeStored(&e))
	}
	l.gen.mu.Unlock()
	l.mu.Lock()
	for _, ev := range batch {
		l.appendLocked(ev, ev.published)
	}
	l.mu.Unlock()
}

// encodeStored encodes a generated event into its stored form.
func encodeStored(e *genEvent) *storedEvent {
	head := encodeHead(make([]byte, 0, 1024), e)
	return &storedEvent{
		published: e.published.UnixMilli(),
		uuid:      e.uuid,
		eventType: e.eventType,
		head:      slices.Clip(head),
		tail:      e.profile.tail,
	}
}

// persist commits events now, in the given order, and hands them to the
// event hooks.
func (l *logStore) persist(events []*storedEvent) {
	if len(events) == 0 {
		return
	}
	nowMs := l.now().UnixMilli()
	l.mu.Lock()
	for _, ev := range events {
		l.appendLocked(ev, nowMs)
	}
	l.evictLocked(nowMs)
	l.mu.Unlock()
	l.hooks.enqueue(events)
}

// appendLocked assigns the next sequence number and persistence time and
// inserts ev into both orders. Caller holds l.mu.
func (l *logStore) appendLocked(ev *storedEvent, persistedMs int64) {
	l.lastSeq++
	ev.seq = l.lastSeq
	if persistedMs < l.lastPersisted {
		persistedMs = l.lastPersisted
	}
	ev.persisted, l.lastPersisted = persistedMs, persistedMs
	l.bySeq = append(l.bySeq, ev)
	l.uuids.add(ev.uuid)
	// Most events are published just before they are persisted: search
	// from the end so that the insertion is cheap.
	i := len(l.byPublished)
	for i > 0 && publishedAfter(l.byPublished[i-1], ev) {
		i--
		if len(l.byPublished)-i > 64 {
			i = sort.Search(len(l.byPublished), func(k int) bool { return publishedAfter(l.byPublished[k], ev) })
			break
		}
	}
	l.byPublished = slices.Insert(l.byPublished, i, ev)
}

// publishedAfter reports whether a sorts after b in published order.
func publishedAfter(a, b *storedEvent) bool {
	if a.published != b.published {
		return a.published > b.published
	}
	return a.seq > b.seq
}

// evictLocked drops the oldest persisted events beyond MaxEvents (in
// batches, so the published index is rebuilt rarely) and those older than
// the retention. Caller holds l.mu.
func (l *logStore) evictLocked(nowMs int64) {
	drop := 0
	if slack := max(l.opts.MaxEvents/8, 1); len(l.bySeq) > l.opts.MaxEvents+slack {
		drop = len(l.bySeq) - l.opts.MaxEvents
	}
	cutoff := nowMs - l.opts.Retention.Milliseconds()
	if len(l.bySeq) > 0 && l.bySeq[0].persisted < cutoff {
		k := sort.Search(len(l.bySeq), func(i int) bool { return l.bySeq[i].persisted >= cutoff })
		drop = max(drop, k)
	}
	if drop == 0 {
		return
	}
	firstKept := l.bySeq[drop-1].seq + 1
	clear(l.bySeq[:drop])
	l.bySeq = l.bySeq[drop:]
	kept := l.byPublished[:0]
	for _, ev := range l.byPublished {
		if ev.seq >= firstKept {
			kept = append(kept, ev)
		}
	}
	clear(l.byPublished[len(kept):])
	l.byPublished = kept
	l.evicted += uint64(drop)
}

// indexOfSeq returns the position in bySeq of the first event with a
// sequence number greater than seq. Caller holds l.mu.
func (l *logStore) indexAfterSeq(seq uint64) int {
	if len(l.bySeq) == 0 {
		return 0
	}
	first := l.bySeq[0].seq
	if seq < first {
		return 0
	}
	return min(int(seq-first+1), len(l.bySeq))
}

// Emit records an event caused by a mutation: every field the spec leaves
// out is filled, and the event is persisted immediately.
func (l *logStore) Emit(spec EventSpec) {
	l.emitSpecs([]EventSpec{spec}, 0)
}

// emitSpecs builds events from specs; lateBy > 0 persists them that long
// after their published time. It returns their uuids.
func (l *logStore) emitSpecs(specs []EventSpec, lateBy time.Duration) []string {
	now := l.now().Truncate(time.Millisecond)
	events := make([]*storedEvent, 0, len(specs))
	l.gen.mu.Lock()
	for _, spec := range specs {
		e := l.gen.fromSpec(spec, now)
		events = append(events, encodeStored(&e))
	}
	l.gen.mu.Unlock()
	l.persistOrDelay(events, lateBy)
	uuids := make([]string, len(events))
	for i, ev := range events {
		uuids[i] = ev.uuid
	}
	return uuids
}

// persistOrDelay persists events now, or queues them to be persisted lateBy
// after their published time.
func (l *logStore) persistOrDelay(events []*storedEvent, lateBy time.Duration) {
	if lateBy <= 0 {
		l.persist(events)
		return
	}
	l.pendingMu.Lock()
	for _, ev := range events {
		l.queued++
		heap.Push(&l.pending, lateEvent{due: ev.published + lateBy.Milliseconds(), order: l.queued, ev: ev})
	}
	l.pendingMu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// setRate changes the generator's events per second. When it returns, no
// batch generated at the old rate is still on its way: a generator tick that
// read the old rate has persisted or queued its events (it holds tickMu from
// reading the rate to handing its batch over).
func (l *logStore) setRate(perSec float64) {
	l.rate.Store(math.Float64bits(perSec))
	l.tickMu.Lock()
	defer l.tickMu.Unlock()
}

func (l *logStore) currentRate() float64 { return math.Float64frombits(l.rate.Load()) }

// start runs the generator, the late-event persister and the hook
// deliveries until ctx is done.
func (l *logStore) start(ctx context.Context, wg *sync.WaitGroup, orgURL string) {
	wg.Go(func() { l.runGenerator(ctx) })
	wg.Go(func() { l.runLatePersister(ctx) })
	wg.Go(func() { l.runRetention(ctx) })
	l.hooks.start(ctx, wg, orgURL)
}

// runRetention applies the time-based retention once a minute even when
// nothing is persisted.
func (l *logStore) runRetention(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			l.mu.Lock()
			l.evictLocked(l.now().UnixMilli())
			l.mu.Unlock()
		}
	}
}

// stats is the store's summary for the control API.
type logStats struct {
	Retained     int     `json:"retained"`
	Persisted    uint64  `json:"persisted"`
	Evicted      uint64  `json:"evicted"`
	Pending      int     `json:"pendingLate"`
	EventsPerSec float64 `json:"eventsPerSec"`
}

// stats reads the counts in one consistent snapshot: a late event is counted
// either as pending or as persisted, never as neither (pendingMu is taken
// before mu, in the order persistDueLate takes them).
func (l *logStore) stats() logStats {
	l.pendingMu.Lock()
	defer l.pendingMu.Unlock()
	l.mu.RLock()
	defer l.mu.RUnlock()
	return logStats{
		Retained: len(l.bySeq), Persisted: l.lastSeq, Evicted: l.evicted,
		Pending: l.pending.Len(), EventsPerSec: l.currentRate(),
	}
}

func (o LogOptions) validate() error {
	switch {
	case o.EventsPerSec < 0:
		return fmt.Errorf("events-per-sec must be >= 0, got %v", o.EventsPerSec)
	case o.LateShare < 0 || o.LateShare > 1:
		return fmt.Errorf("late-share must be within 0..1, got %v", o.LateShare)
	case o.LateDelay < 0:
		return fmt.Errorf("late-delay must be >= 0, got %v", o.LateDelay)
	case o.Retention <= 0:
		return fmt.Errorf("log retention must be > 0, got %v", o.Retention)
	case o.MaxEvents <= 0:
		return fmt.Errorf("max-log-events must be > 0, got %d", o.MaxEvents)
	case o.HistoryEvents < 0:
		return fmt.Errorf("history-events must be >= 0, got %d", o.HistoryEvents)
	case o.HistoryEvents > 0 && o.HistorySpan <= 0:
		return fmt.Errorf("history-span must be > 0 when history-events is set, got %v", o.HistorySpan)
	}
	return o.Hooks.validate()
}
