package oktaapi

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
)

// Engines of an org, as /.well-known/okta-organization tells them.
const (
	EngineIdentity = "oie"     // Identity Engine (pipeline "idx")
	EngineClassic  = "classic" // Classic Engine (pipeline "v1")
)

// Org is what the client knows about the org: its id and engine ("" until known).
type Org struct {
	ID     string
	Engine string
}

// Org returns what DiscoverOrg learned so far. The client is the one place that knows the
// org id: records and metrics read it from here.
func (c *Client) Org() Org {
	c.orgMu.Lock()
	defer c.orgMu.Unlock()
	return c.org
}

// DiscoverOrg reads /.well-known/okta-organization: the org id and the engine. When that
// answer carries no id (it fails, or a proxy serves something else), the id is read from the
// org object (resource.Org's path). What was learned before is kept when a later discovery
// fails.
func (c *Client) DiscoverOrg(ctx context.Context) (Org, error) {
	page, err := c.Fetch(ctx, "/.well-known/okta-organization")
	var wk struct {
		ID       string `json:"id"`
		Pipeline string `json:"pipeline"`
	}
	if err == nil {
		if jerr := json.Unmarshal(page.Body, &wk); jerr != nil {
			err = fmt.Errorf("invalid /.well-known/okta-organization body: %w", jerr)
		}
	} else {
		err = fmt.Errorf("read /.well-known/okta-organization: %w", err)
	}
	org := Org{ID: wk.ID}
	switch wk.Pipeline {
	case "idx":
		org.Engine = EngineIdentity
	case "v1":
		org.Engine = EngineClassic
	}
	if org.ID == "" && ctx.Err() == nil {
		if obj, gerr := c.Get(ctx, resource.Org, "", ""); gerr == nil {
			org.ID = resource.Path("id").Text(obj)
		}
	}
	c.orgMu.Lock()
	defer c.orgMu.Unlock()
	if org.ID != "" {
		c.org.ID = org.ID
	}
	if org.Engine != "" {
		c.org.Engine = org.Engine
	}
	return c.org, err
}
