package oktareceiver

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// errForeignLink is returned when a URL taken from a response points to another origin
// than the org's: it is never requested, so the credential goes to the org only.
var errForeignLink = errors.New("refusing to follow a link to a foreign origin")

// errCodeFeatureNotEnabled is the errorCode of Okta's 401 for a feature the org does not have
// (not a rejected credential).
const errCodeFeatureNotEnabled = "E0000015"

// apiError is a non-2xx answer of the Okta API. It never contains the credential.
type apiError struct {
	Status    int
	Code      string // errorCode, e.g. E0000006
	Summary   string // errorSummary
	RequestID string // X-Okta-Request-Id
	// DPoPError is the error of a WWW-Authenticate DPoP challenge (e.g. invalid_dpop_proof).
	DPoPError string
}

func (e *apiError) Error() string {
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
func (e *apiError) parseBody(body []byte) {
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

// asAPIError returns the *apiError in err's chain, or nil.
func asAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	return nil
}

// credentialRejected tells whether Okta refused the credential itself: a 401 (invalid, expired
// or revoked API token, E0000011; OAuth invalid_client), except errCodeFeatureNotEnabled.
func credentialRejected(err error) bool {
	ae := asAPIError(err)
	return ae != nil && ae.Status == http.StatusUnauthorized && ae.Code != errCodeFeatureNotEnabled
}
