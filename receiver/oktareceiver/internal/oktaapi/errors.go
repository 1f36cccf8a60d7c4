package oktaapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/dpop"
)

// ErrForeignLink is returned when a URL taken from an answer (a next link, a redirect) points
// to another origin than the org's: it is never requested, so the credential goes to the org
// only.
var ErrForeignLink = errors.New("refusing to follow a link to a foreign origin")

// APIError is a non-2xx answer of the Okta API. It never contains the credential.
type APIError struct {
	Status    int
	Code      string // errorCode, e.g. E0000006
	Summary   string // errorSummary
	RequestID string // X-Okta-Request-Id
	// DPoPError is the error of a WWW-Authenticate DPoP challenge (e.g. invalid_dpop_proof).
	DPoPError string
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("okta API status %d", e.Status)
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.Summary != "" {
		msg += ": " + e.Summary
	}
	if e.RequestID != "" {
		msg += " (request id " + e.RequestID + ")"
	}
	return msg
}

// parseBody fills Code and Summary from an Okta error body (or an OAuth error body).
func (e *APIError) parseBody(body []byte) {
	var b struct {
		ErrorCode        string `json:"errorCode"`
		ErrorSummary     string `json:"errorSummary"`
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	if json.Unmarshal(body, &b) != nil {
		return
	}
	e.Code, e.Summary = b.ErrorCode, b.ErrorSummary
	if e.Code == "" {
		e.Code, e.Summary = b.Error, b.ErrorDescription
	}
	if len(e.Summary) > 300 {
		e.Summary = e.Summary[:300] + "…"
	}
}

// AsAPIError returns the *APIError in err's chain, or nil.
func AsAPIError(err error) *APIError {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae
	}
	return nil
}

// responseError converts a non-2xx response (body already buffered) into *APIError.
func responseError(resp *http.Response) error {
	ae := &APIError{Status: resp.StatusCode, RequestID: resp.Header.Get("X-Okta-Request-Id"), DPoPError: dpop.ChallengeError(resp.Header)}
	if body, err := io.ReadAll(resp.Body); err == nil {
		ae.parseBody(body)
	}
	if resp.StatusCode == 401 || resp.StatusCode == 403 {
		// The challenge names the cause (an expired token, a bad DPoP proof) that the
		// generic E0000011 body does not.
		switch challenge := wwwAuthenticateError(resp.Header.Get("WWW-Authenticate")); {
		case challenge == "":
		case ae.Summary == "":
			ae.Summary = challenge
		default:
			ae.Summary += " (" + challenge + ")"
		}
	}
	return ae
}

// wwwAuthenticateError extracts error/error_description from a Bearer or DPoP challenge.
func wwwAuthenticateError(h string) string {
	var parts []string
	for _, key := range []string{"error=", "error_description="} {
		if i := strings.Index(h, key); i >= 0 {
			v := h[i+len(key):]
			v = strings.TrimPrefix(v, `"`)
			if j := strings.IndexAny(v, `",`); j >= 0 {
				v = v[:j]
			}
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, ": ")
}

// transportError marks a request that got no complete answer (network error, reset,
// body read failure): retried like a 5xx.
type transportError struct{ err error }

func (e *transportError) Error() string { return e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }
