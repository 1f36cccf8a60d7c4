package oktasim

import (
	"context"
	"time"
)

// generatorTick is how often the background generator produces a batch.
const generatorTick = 10 * time.Millisecond

// runGenerator produces EventsPerSec events per second (read at every tick,
// so PUT /_sim/events/rate takes effect at once) until ctx is done.
func (l *logStore) runGenerator(ctx context.Context) {
	t := time.NewTicker(generatorTick)
	defer t.Stop()
	last := l.now()
	carry := 0.0
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		l.tickMu.Lock()
		last, carry = l.tick(last, carry)
		l.tickMu.Unlock()
	}
}

// tick generates and hands over the events due since last at the
// current rate; it returns the new last tick time and the fractional event
// carried to the next tick. The caller holds tickMu.
func (l *logStore) tick(last time.Time, carry float64) (time.Time, float64) {
	now := l.now()
	elapsed := now.Sub(last)
	rate := l.currentRate()
	if rate <= 0 {
		return now, 0
	}
	// A stalled tick (a paused process) must not turn into a burst of
	// more than one second of events.
	elapsed = min(elapsed, time.Second)
	carry += rate * elapsed.Seconds()
	n := int(carry)
	carry -= float64(n)
	if n == 0 {
		return now, carry
	}
	onTime, late := l.generateBatch(n, now, l.opts.LateShare)
	l.persist(onTime)
	l.persistOrDelay(late, l.opts.LateDelay)
	return now, carry
}

// generateBatch generates n events published at now (ms precision); a
// lateShare of them is returned separately, to be persisted late.
func (l *logStore) generateBatch(n int, now time.Time, lateShare float64) (onTime, late []*storedEvent) {
	now = now.Truncate(time.Millisecond)
	onTime = make([]*storedEvent, 0, n)
	g := l.gen
	g.mu.Lock()
	defer g.mu.Unlock()
	buf := make([]byte, 0, n*1100)
	for range n {
		e := g.next(now)
		start := len(buf)
		buf = encodeHead(buf, &e)
		ev := &storedEvent{
			published: e.published.UnixMilli(),
			uuid:      e.uuid,
			eventType: e.eventType,
			// Heads share one allocation per batch; the full-slice
			// expression keeps appends from overwriting a neighbour.
			head: buf[start:len(buf):len(buf)],
			tail: e.profile.tail,
		}
		if lateShare > 0 && l.opts.LateDelay > 0 && g.rng.Float64() < lateShare {
			late = append(late, ev)
		} else {
			onTime = append(onTime, ev)
		}
	}
	return onTime, late
}
