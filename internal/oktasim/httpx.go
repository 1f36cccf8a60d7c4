package oktasim

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// oktaTimeLayout is the timestamp format Okta uses in JSON bodies:
// RFC 3339, UTC, millisecond precision.
const oktaTimeLayout = "2006-01-02T15:04:05.000Z"

// oktaTime formats t the way Okta does in JSON bodies.
func oktaTime(t time.Time) string { return t.UTC().Format(oktaTimeLayout) }

// oktaError is Okta's error body (CORE "Error JSON").
type oktaError struct {
	ErrorCode    string           `json:"errorCode"`
	ErrorSummary string           `json:"errorSummary"`
	ErrorLink    string           `json:"errorLink"`
	ErrorID      string           `json:"errorId"`
	ErrorCauses  []oktaErrorCause `json:"errorCauses"`
}

type oktaErrorCause struct {
	ErrorSummary string `json:"errorSummary"`
}

// writeJSON writes v as a JSON body with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeOktaError writes an error in Okta's shape; errorLink equals errorCode
// and errorId is a fresh "oae…" id, as Okta does.
func writeOktaError(w http.ResponseWriter, status int, code, summary string, causes ...string) {
	body := oktaError{
		ErrorCode:    code,
		ErrorSummary: summary,
		ErrorLink:    code,
		ErrorID:      "oae" + randomToken(19),
		ErrorCauses:  []oktaErrorCause{},
	}
	for _, c := range causes {
		body.ErrorCauses = append(body.ErrorCauses, oktaErrorCause{ErrorSummary: c})
	}
	writeJSON(w, status, body)
}

// baseURL returns the origin the client used to reach the simulator
// ("http://127.0.0.1:1234"), used to build absolute Link URLs.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// randomToken returns n URL-safe random characters.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	s := base64.RawURLEncoding.EncodeToString(b)
	s = strings.NewReplacer("-", "x", "_", "y").Replace(s)
	return s[:n]
}
