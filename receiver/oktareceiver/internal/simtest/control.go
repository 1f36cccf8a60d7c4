package simtest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// controlClient closes each connection after its response, so that no idle connection to a
// simulator outlives the test that started it.
var controlClient = &http.Client{
	Timeout:   10 * time.Second,
	Transport: &http.Transport{DisableKeepAlives: true},
}

// Control sends a request to the simulator's control API at url (the server's URL and the
// control path) with body encoded as JSON (none when nil), fails the test unless the answer is
// 2xx, and decodes the answer's JSON into out when out is not nil.
func Control(t testing.TB, method, url string, body, out any) {
	t.Helper()
	var payload []byte
	if body != nil {
		var err error
		payload, err = json.Marshal(body)
		require.NoError(t, err)
	}
	req, err := http.NewRequest(method, url, bytes.NewReader(payload))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := controlClient.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	require.Less(t, resp.StatusCode, 300, "%s %s", method, url)
	if out != nil {
		require.NoError(t, json.NewDecoder(resp.Body).Decode(out))
	}
}
