package oktareceiver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// pageRetries bounds the retries of one page after a 5xx or transport error.
const pageRetries = 2

// getWithRetry gets one page, retrying 5xx and transport errors a few times with a short
// backoff. 4xx answers, foreign links and a cancelled ctx are returned at once.
func (inv *inventory) getWithRetry(ctx context.Context, pathOrURL string) (*apiPage, error) {
	backoff := time.Second
	for attempt := 0; ; attempt++ {
		page, err := inv.p.client.get(ctx, pathOrURL)
		if err == nil {
			return page, nil
		}
		if attempt >= pageRetries || ctx.Err() != nil || errors.Is(err, errForeignLink) {
			return nil, err
		}
		if ae := asAPIError(err); ae != nil && ae.Status < 500 {
			return nil, err
		}
		if !sleepCtx(ctx, backoff) {
			return nil, ctx.Err()
		}
		backoff *= 2
	}
}

// listAll calls fn with the items of every page of the list at path. Pages are followed
// through Link rel="next" or, when bodyKey is set (IAM APIs), through _links.next.href
// with the items under bodyKey. A single-object answer is passed as one item.
func (inv *inventory) listAll(ctx context.Context, path, bodyKey string, fn func([]map[string]any) error) error {
	next := path
	for pages := 0; next != ""; pages++ {
		if pages > 1_000_000 {
			return fmt.Errorf("list %s: too many pages", path)
		}
		page, err := inv.getWithRetry(ctx, next)
		if err != nil {
			return fmt.Errorf("list %s: %w", path, err)
		}
		items, err := decodeItems(page.Body, bodyKey)
		if err != nil {
			return fmt.Errorf("list %s: %w", path, err)
		}
		if err := fn(items); err != nil {
			return err
		}
		next = page.Next
		if bodyKey != "" {
			next = bodyNext(page.Body)
		}
	}
	return nil
}

// decodeItems decodes a page body: a JSON array of objects, an object holding the array
// under bodyKey, or one object. Numbers stay json.Number so that integers keep their
// exact value.
func decodeItems(body []byte, bodyKey string) ([]map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode page: %w", err)
	}
	if bodyKey != "" {
		if m, ok := v.(map[string]any); ok {
			v = m[bodyKey]
			if v == nil {
				return nil, nil
			}
		}
	}
	switch x := v.(type) {
	case []any:
		out := make([]map[string]any, 0, len(x))
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out, nil
	case map[string]any:
		return []map[string]any{x}, nil
	case nil:
		return nil, nil
	}
	return nil, fmt.Errorf("decode page: unexpected JSON %T", v)
}
