package oktareceiver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
)

// listAll calls fn with the items of every page of the list at path. Pages are followed
// through Link rel="next" or, when bodyKey is set (IAM APIs), through _links.next.href
// with the items under bodyKey. A single-object answer is passed as one item. Each page
// is one oktaClient.get: after a 429 it waits for the reset and asks for the same page
// again, until ctx's rate-limit deadline (a full sync's is its own end), so a listing is
// not given up because Okta asked to slow down.
func (inv *inventory) listAll(ctx context.Context, path, bodyKey string, fn func([]map[string]any) error) error {
	next := path
	for pages := 0; next != ""; pages++ {
		if pages > 1_000_000 {
			return fmt.Errorf("list %s: too many pages", path)
		}
		page, err := inv.p.client.get(ctx, next)
		if err != nil {
			return fmt.Errorf("list %s: %w", path, err)
		}
		next = page.Next
		if bodyKey != "" {
			next = bodyNext(page.Body)
		}
		if err := forEachItems(page.Body, bodyKey, fn); err != nil {
			return fmt.Errorf("list %s: %w", path, err)
		}
	}
	return nil
}

// itemBatch is the number of decoded objects of a page handed to a callback at a time.
// A page of 10000 groups is decoded in batches, so that only its raw body and one batch
// are in memory, never the whole decoded page.
const itemBatch = 100

// forEachItems decodes a page body like decodeItems and calls fn with its objects in
// batches of at most itemBatch. A top-level JSON array is decoded one element at a time.
func forEachItems(body []byte, bodyKey string, fn func([]map[string]any) error) error {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if bodyKey != "" || len(trimmed) == 0 || trimmed[0] != '[' {
		items, err := decodeItems(body, bodyKey)
		if err != nil {
			return err
		}
		if len(items) == 0 {
			return nil
		}
		return fn(items)
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil { // '['
		return fmt.Errorf("decode page: %w", err)
	}
	batch := make([]map[string]any, 0, itemBatch)
	for dec.More() {
		var v any
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("decode page: %w", err)
		}
		m, ok := v.(map[string]any)
		if !ok {
			continue
		}
		batch = append(batch, m)
		if len(batch) == itemBatch {
			if err := fn(batch); err != nil {
				return err
			}
			clear(batch)
			batch = batch[:0]
		}
	}
	if _, err := dec.Token(); err != nil { // ']'
		return fmt.Errorf("decode page: %w", err)
	}
	if len(batch) > 0 {
		return fn(batch)
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
