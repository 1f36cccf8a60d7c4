package systemlog

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testUUIDs returns n distinct canonical lower-case UUIDs.
func testUUIDs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%08x-598c-11ef-84%02x-2b7584bf%04x", i*7919, i%256, i%65536)
	}
	return out
}

func TestCheckpointStoresCanonicalUUIDsPacked(t *testing.T) {
	ctx := context.Background()
	store := testkit.NewMapStorage()
	ids := testUUIDs(1000)
	cp := &Checkpoint{OrgURL: "https://a.example.org", NextURL: "https://a.example.org/api/v1/logs?after=9", RecentUUIDs: ids}
	require.NoError(t, saveSystemLogCheckpoint(ctx, store, cp, 1, false))
	assert.Equal(t, ids, cp.RecentUUIDs, "saving does not change the caller's window")

	raw, err := store.Get(ctx, systemLogCopyKeys[1])
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"recent_uuids_bin":`)
	assert.NotContains(t, string(raw), `"recent_uuids":`)
	assert.NotContains(t, string(raw), ids[0])
	assert.Less(t, len(raw), 1000*23, "about 22 bytes per uuid (16 in base64) instead of 39")

	got, err := ReadCheckpoint(ctx, store)
	require.NoError(t, err)
	assert.Equal(t, ids, got.RecentUUIDs)
	assert.Nil(t, got.RecentUUIDsBin)
}

func TestCheckpointKeepsOtherUUIDFormsAsStrings(t *testing.T) {
	for name, odd := range map[string]string{
		"upper case":    "DC9FD3C0-598C-11EF-8478-2B7584BF8D5B",
		"no dashes":     "dc9fd3c0598c11ef84782b7584bf8d5b",
		"not hex":       "zc9fd3c0-598c-11ef-8478-2b7584bf8d5b",
		"dash misplace": "dc9fd3c05-98c-11ef-8478-2b7584bf8d5b",
		"free text":     "u1",
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			store := testkit.NewMapStorage()
			ids := append(testUUIDs(3), odd)
			require.NoError(t, saveSystemLogCheckpoint(ctx, store, &Checkpoint{OrgURL: "o", RecentUUIDs: ids}, 1, false))
			raw, err := store.Get(ctx, systemLogCopyKeys[1])
			require.NoError(t, err)
			assert.Contains(t, string(raw), `"recent_uuids":`)
			assert.NotContains(t, string(raw), `"recent_uuids_bin"`)
			got, err := ReadCheckpoint(ctx, store)
			require.NoError(t, err)
			assert.Equal(t, ids, got.RecentUUIDs)
		})
	}
}

func TestCheckpointReadsTheStringArrayFormat(t *testing.T) {
	// The record as every earlier version wrote it.
	const old = `{"version":1,"org_url":"https://a.example.org","next_url":"https://a.example.org/api/v1/logs?after=1_2",` +
		`"last_published":"2026-02-03T10:00:00.123Z","recent_uuids":["dc9fd3c0-598c-11ef-8478-2b7584bf8d5b","u2"]}`
	ctx := context.Background()
	store := testkit.NewMapStorage()
	require.NoError(t, store.Set(ctx, systemLogCheckpointKey, []byte(old)))
	got, err := ReadCheckpoint(ctx, store)
	require.NoError(t, err)
	assert.Equal(t, &Checkpoint{
		Version:       1,
		OrgURL:        "https://a.example.org",
		NextURL:       "https://a.example.org/api/v1/logs?after=1_2",
		LastPublished: time.Date(2026, 2, 3, 10, 0, 0, 123e6, time.UTC),
		RecentUUIDs:   []string{"dc9fd3c0-598c-11ef-8478-2b7584bf8d5b", "u2"},
	}, got)
}

func TestCheckpointBadPackedWindowIsAnError(t *testing.T) {
	ctx := context.Background()
	store := testkit.NewMapStorage()
	// 15 bytes (base64 of 15 zero bytes): not a whole uuid.
	require.NoError(t, store.Set(ctx, systemLogCheckpointKey, []byte(`{"version":1,"org_url":"o","recent_uuids_bin":"AAAAAAAAAAAAAAAAAAAA"}`)))
	_, err := ReadCheckpoint(ctx, store)
	assert.ErrorContains(t, err, "recent_uuids_bin")
	require.NoError(t, store.Set(ctx, systemLogCheckpointKey, []byte(`{"version":1,"org_url":"o","recent_uuids":["u1"],"recent_uuids_bin":"AAAAAAAAAAAAAAAAAAAAAA=="}`)))
	_, err = ReadCheckpoint(ctx, store)
	assert.ErrorContains(t, err, "both recent_uuids and recent_uuids_bin")
}

// BenchmarkSaveCheckpointWindow measures what a delivery does to save the checkpoint with a
// full default window (10,000 uuids): the packed window of canonical uuids, against the string
// array (a window holding one non-canonical uuid; every window in the older format).
func BenchmarkSaveCheckpointWindow(b *testing.B) {
	for name, ids := range map[string][]string{
		"packed":  testUUIDs(10000),
		"strings": append(testUUIDs(9999), strings.ToUpper(testUUIDs(1)[0])),
	} {
		b.Run(name, func(b *testing.B) {
			w := newUUIDWindow(10000)
			for _, id := range ids {
				w.add(id)
			}
			store := testkit.NewMapStorage()
			b.ReportAllocs()
			for b.Loop() {
				cp := &Checkpoint{OrgURL: "https://a.example.org"}
				if packed, ok := w.appendPackedSnapshot(nil); ok {
					cp.RecentUUIDsBin = packed
				} else {
					cp.RecentUUIDs = w.snapshot()
				}
				if err := saveSystemLogCheckpoint(context.Background(), store, cp, 1, false); err != nil {
					b.Fatal(err)
				}
			}
			raw, _ := store.Get(context.Background(), systemLogCopyKeys[1])
			b.ReportMetric(float64(len(raw)), "bytes/save")
		})
	}
}

func TestDedupeWindowKeepsItsPackedFormInStep(t *testing.T) {
	w := newUUIDWindow(5)
	ids := testUUIDs(12)
	check := func(step string) {
		t.Helper()
		got, ok := w.appendPackedSnapshot(nil)
		wantStrings, wantPacked := packUUIDs(w.snapshot())
		if wantStrings != nil {
			assert.False(t, ok, "%s: a window with a non-canonical uuid is saved as strings", step)
			return
		}
		require.True(t, ok, step)
		assert.Equal(t, wantPacked, got, step)
	}
	for i, id := range ids[:7] { // wraps around the ring
		w.add(id)
		w.add(id) // no-op
		check(fmt.Sprint("add ", i))
	}
	w.add("not-a-uuid")
	check("non-canonical added")
	for i, id := range ids[7:11] {
		w.add(id)
		check(fmt.Sprint("after non-canonical ", i))
	}
	w.add(ids[11]) // evicts "not-a-uuid"
	check("non-canonical evicted")
	_, ok := w.appendPackedSnapshot(nil)
	assert.True(t, ok)

	// A packed window saved by deliver loads back as the same strings.
	store := testkit.NewMapStorage()
	packed, _ := w.appendPackedSnapshot(nil)
	require.NoError(t, saveSystemLogCheckpoint(context.Background(), store, &Checkpoint{OrgURL: "o", RecentUUIDsBin: packed}, 1, false))
	cp, err := ReadCheckpoint(context.Background(), store)
	require.NoError(t, err)
	assert.Equal(t, w.snapshot(), cp.RecentUUIDs)
}

// FuzzPackedUUIDRoundTrip: a uuid is packed only when unpacking gives it back unchanged.
func FuzzPackedUUIDRoundTrip(f *testing.F) {
	for _, s := range []string{"dc9fd3c0-598c-11ef-8478-2b7584bf8d5b", "DC9FD3C0-598C-11EF-8478-2B7584BF8D5B", "u1", "", "dc9fd3c0-598c-11ef-8478-2b7584bf8d5g"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		packed, ok := appendPackedUUID(nil, id)
		if !ok {
			assert.Empty(t, packed)
			return
		}
		require.Len(t, packed, uuidBinaryLen)
		back, err := unpackUUIDs(packed)
		require.NoError(t, err)
		assert.Equal(t, []string{id}, back)
	})
}

// The record's payload is byte for byte what json.Marshal writes for the checkpoint, whether
// the window is packed, a string array, or empty, and whatever the other fields hold.
func TestCheckpointRecordPayloadIsJSONMarshal(t *testing.T) {
	published := time.Date(2026, 2, 3, 10, 0, 0, 123456789, time.UTC)
	_, packed := packUUIDs(testUUIDs(1000))
	for name, cp := range map[string]*Checkpoint{
		"packed window": {Version: systemLogCheckpointVersion, OrgURL: "https://a.example.org", Filter: `eventType eq "user.session.start"`,
			NextURL: "https://a.example.org/api/v1/logs?after=1&limit=1000<x>", LastPublished: published, RecentUUIDsBin: packed},
		"one packed uuid": {Version: systemLogCheckpointVersion, OrgURL: "o", RecentUUIDsBin: packed[:uuidBinaryLen]},
		"string window":   {Version: systemLogCheckpointVersion, OrgURL: "o", RecentUUIDs: []string{"u1", "U2"}},
		"empty packed":    {Version: systemLogCheckpointVersion, OrgURL: "o", RecentUUIDsBin: []byte{}},
		"no window":       {Version: systemLogCheckpointVersion, OrgURL: "o", LastPublished: published},
	} {
		t.Run(name, func(t *testing.T) {
			want, err := json.Marshal(cp)
			require.NoError(t, err)
			record, err := encodeCheckpointRecord(cp, 7)
			require.NoError(t, err)
			require.Equal(t, string(want), string(record[checkpointHeaderLen:]))
			require.Equal(t, len(record), cap(record), "the record is sized exactly")

			back, seq, err := decodeCheckpointRecord(record)
			require.NoError(t, err)
			require.Equal(t, uint64(7), seq)
			require.Equal(t, cp.OrgURL, back.OrgURL)
			require.Equal(t, cp.NextURL, back.NextURL)
			require.True(t, cp.LastPublished.Equal(back.LastPublished))
			if len(cp.RecentUUIDsBin) > 0 {
				ids, err := unpackUUIDs(cp.RecentUUIDsBin)
				require.NoError(t, err)
				require.Equal(t, ids, back.RecentUUIDs)
			}
		})
	}
}
