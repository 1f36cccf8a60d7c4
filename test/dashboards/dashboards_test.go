package dashboards

import (
	"strings"
	"testing"
)

// TestDashboardsAreImportable checks what Grafana needs to import the dashboards anywhere: a recent
// schema, a datasource template variable used by every panel and query, the org variable, unique
// uids, panel ids and titles, and a query in every panel.
func TestDashboardsAreImportable(t *testing.T) {
	uids := map[string]string{}
	for _, d := range loadDashboards(t) {
		t.Run(d.file, func(t *testing.T) {
			if d.UID == "" || d.Title == "" {
				t.Errorf("uid and title are required, got uid=%q title=%q", d.UID, d.Title)
			}
			if other, dup := uids[d.UID]; dup {
				t.Errorf("uid %q is also used by %s", d.UID, other)
			}
			uids[d.UID] = d.file
			if d.SchemaVersion < 36 {
				t.Errorf("schemaVersion %d: want 36 or newer", d.SchemaVersion)
			}
			vars := map[string]string{}
			for _, v := range d.Templating.List {
				vars[v.Name] = v.Type
				if v.Type == "query" && (v.Datasource == nil || v.Datasource.UID != "${datasource}") {
					t.Errorf("variable %s: its datasource must be ${datasource}", v.Name)
				}
			}
			if vars["datasource"] != "datasource" {
				t.Errorf("templating: want a variable named datasource of type datasource, got %q", vars["datasource"])
			}
			if vars["org"] != "query" {
				t.Errorf("templating: want a query variable named org, got %q", vars["org"])
			}
			ids := map[int]bool{}
			titles := map[string]bool{}
			for _, p := range d.queryPanels() {
				if ids[p.ID] || titles[p.Title] {
					t.Errorf("panel %d %q: duplicate id or title", p.ID, p.Title)
				}
				ids[p.ID], titles[p.Title] = true, true
				if p.Datasource == nil || p.Datasource.Type != "prometheus" || p.Datasource.UID != "${datasource}" {
					t.Errorf("panel %q: datasource must be {type: prometheus, uid: ${datasource}}", p.Title)
				}
				if len(p.Targets) == 0 {
					t.Errorf("panel %q has no query", p.Title)
				}
				for _, q := range p.Targets {
					if strings.TrimSpace(q.Expr) == "" {
						t.Errorf("panel %q query %s: empty expr", p.Title, q.RefID)
					}
					if q.Datasource != nil && q.Datasource.UID != "${datasource}" {
						t.Errorf("panel %q query %s: datasource must be ${datasource}", p.Title, q.RefID)
					}
					if !strings.Contains(q.Expr, `okta_org_url=~"$org"`) && !strings.Contains(q.Expr, `up{`) {
						t.Errorf("panel %q query %s: does not filter on the org variable: %s", p.Title, q.RefID, q.Expr)
					}
				}
			}
		})
	}
}
