package inventory

import (
	"context"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
)

// listAll lists the objects at path (a request with its query) through the client.
func (inv *Inventory) listAll(ctx context.Context, path, bodyKey string, fn func([]map[string]any) error) error {
	return inv.p.Client.List(ctx, resource.List{Path: path, BodyKey: bodyKey}, "", fn)
}
