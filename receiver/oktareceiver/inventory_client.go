package oktareceiver

import (
	"context"
	"errors"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
)

// listAll lists the objects at path (a request with its query) through the client.
func (inv *inventory) listAll(ctx context.Context, path, bodyKey string, fn func([]map[string]any) error) error {
	return inv.p.client.List(ctx, resource.List{Path: path, BodyKey: bodyKey}, "", fn)
}

var errNotOneObject = errors.New("the answer is not one object")

// fetchObject reads the one object at path.
func (inv *inventory) fetchObject(ctx context.Context, path string) (map[string]any, error) {
	var obj map[string]any
	err := inv.listAll(ctx, path, "", func(items []map[string]any) error {
		if len(items) == 1 {
			obj = items[0]
		}
		return nil
	})
	if err == nil && obj == nil {
		err = errNotOneObject
	}
	return obj, err
}
