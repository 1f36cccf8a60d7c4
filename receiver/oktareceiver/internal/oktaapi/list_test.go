package oktaapi

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
)

// collectItems runs forEachItems and returns the ids seen and the batch sizes.
func collectItems(t *testing.T, body, bodyKey string) ([]string, []int, error) {
	t.Helper()
	var ids []string
	var sizes []int
	err := forEachItems([]byte(body), bodyKey, func(items []map[string]any) error {
		sizes = append(sizes, len(items))
		for _, it := range items {
			ids = append(ids, resource.Path("id").Text(it))
		}
		return nil
	})
	return ids, sizes, err
}

func TestForEachItemsStreamsLargePagesInBatches(t *testing.T) {
	parts := make([]string, 0, 250)
	want := make([]string, 0, 250)
	for i := range 250 {
		parts = append(parts, fmt.Sprintf(`{"id":"00g%03d","n":%d}`, i, i))
		want = append(want, fmt.Sprintf("00g%03d", i))
	}
	body := "\n [" + strings.Join(parts, ",") + `, 7, "x", null]`
	ids, sizes, err := collectItems(t, body, "")
	require.NoError(t, err)
	assert.Equal(t, want, ids, "every object in order; non-objects skipped")
	assert.Equal(t, []int{itemBatch, itemBatch, 50}, sizes)

	ids, sizes, err = collectItems(t, `{"id":"org1"}`, "")
	require.NoError(t, err)
	assert.Equal(t, []string{"org1"}, ids)
	assert.Equal(t, []int{1}, sizes)

	ids, _, err = collectItems(t, `{"value":[{"id":"a"},{"id":"b"}],"_links":{}}`, "value")
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, ids)

	ids, sizes, err = collectItems(t, `[]`, "")
	require.NoError(t, err)
	assert.Empty(t, ids)
	assert.Empty(t, sizes)

	_, _, err = collectItems(t, `[{"id":"a"},{"id":`, "")
	require.ErrorContains(t, err, "decode page")
}

func TestReadBodyReadsWholeBodyWithAndWithoutLength(t *testing.T) {
	payload := strings.Repeat("0123456789", 5000)
	for _, hint := range []int64{-1, 0, 10, int64(len(payload)), int64(len(payload)) * 2} {
		got, err := readBody(strings.NewReader(payload), hint)
		require.NoError(t, err)
		assert.Equal(t, payload, string(got), "content length hint %d", hint)
	}
}
