package resource

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// -update-readme rewrites the README's resource type table from the table.
var updateReadme = flag.Bool("update-readme", false, "rewrite the resource type table of README.md")

const (
	readmeTableStart = "<!-- resource types: generated from receiver/oktareceiver/internal/resource (go -C receiver/oktareceiver test ./internal/resource -update-readme) -->\n"
	readmeTableEnd   = "<!-- end of resource types -->"
)

// TestReadmeListsTheTable: the README's table of resource types is MarkdownTable's.
func TestReadmeListsTheTable(t *testing.T) {
	path := filepath.Join("..", "..", "..", "..", "README.md")
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	readme := string(raw)
	start := strings.Index(readme, readmeTableStart)
	require.GreaterOrEqual(t, start, 0, "README.md has no generated resource type table")
	body := start + len(readmeTableStart)
	end := strings.Index(readme[body:], readmeTableEnd)
	require.GreaterOrEqual(t, end, 0, "the README's resource type table has no end marker")
	want := MarkdownTable()
	if *updateReadme {
		readme = readme[:body] + want + readme[body+end:]
		require.NoError(t, os.WriteFile(path, []byte(readme), 0o600))
		return
	}
	require.Equal(t, want, readme[body:body+end], "the README's resource types differ from the table: run with -update-readme")
}
