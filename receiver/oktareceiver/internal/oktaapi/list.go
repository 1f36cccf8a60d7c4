package oktaapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
)

// TimeFormat is the form of the times Okta's queries take (lastUpdated, since).
const TimeFormat = "2006-01-02T15:04:05.000Z"

// maxPages bounds one listing: a server that links pages in a loop cannot keep it forever.
const maxPages = 1_000_000

// List calls fn with the objects of every page of the listing l (under parent, for a child
// type; extra parameters are added to the query, as a policy type is). Pages are followed
// through Link rel="next" or, for an IAM listing (l.BodyKey), through _links.next.href. A
// single-object answer is passed as one object. Each page is one Fetch: after a 429 it waits
// for the reset and asks for the same page again, until ctx's rate-limit deadline, so a
// listing is not given up because Okta asked to slow down. Errors name the listing.
func (c *Client) List(ctx context.Context, l resource.List, parent string, fn func([]map[string]any) error, extra ...resource.Param) error {
	return c.list(ctx, l.Request(parent, "", extra...), l.BodyKey, fn)
}

// ListUpdatedSince lists the objects of type t updated after since (the type's incremental
// query); a type without one is an error.
func (c *Client) ListUpdatedSince(ctx context.Context, t resource.Type, since time.Time, fn func([]map[string]any) error) error {
	spec := resource.Lookup(t)
	if spec == nil || spec.Incremental == nil {
		return fmt.Errorf("%s has no incremental query", t)
	}
	l := *spec.Incremental
	return c.list(ctx, l.Request("", since.UTC().Format(TimeFormat)), l.BodyKey, fn)
}

// Get reads one object of type t (parent: its parent's id for a child type; "" for a
// singleton's id).
func (c *Client) Get(ctx context.Context, t resource.Type, parent, id string) (map[string]any, error) {
	spec := resource.Lookup(t)
	if spec == nil {
		return nil, fmt.Errorf("unknown resource type %q", t)
	}
	path := spec.GetPath("", parent, id)
	if path == "" {
		return nil, fmt.Errorf("%s has no single-object path", t)
	}
	page, err := c.Fetch(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", path, err)
	}
	items, err := decodeItems(page.Body, "")
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", path, err)
	}
	if len(items) != 1 {
		return nil, fmt.Errorf("get %s: %d objects in the answer, want one", path, len(items))
	}
	return items[0], nil
}

func (c *Client) list(ctx context.Context, path, bodyKey string, fn func([]map[string]any) error) error {
	next := path
	for pages := 0; next != ""; pages++ {
		if pages > maxPages {
			return fmt.Errorf("list %s: too many pages", path)
		}
		page, err := c.Fetch(ctx, next)
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
