package oktaapi

import (
	"context"
	"errors"
	"net/http"
)

// Kind is what the error of a request to Okta means for the caller: the one classification
// of Okta's answers that the retry policy, the inventory and the System Log act on.
type Kind int

const (
	// KindOther is an error of none of the kinds below.
	KindOther Kind = iota
	// KindCanceled means that the caller's context ended.
	KindCanceled
	// KindRateLimited means Okta answered 429, or the rate limiter held the request past its
	// deadline; retry later.
	KindRateLimited
	// KindUnauthorized means 401, the credential was refused (or, with E0000015, a feature is off).
	KindUnauthorized
	// KindForbidden means 403, this credential may not do it.
	KindForbidden
	// KindBadRequest means 400, the request is not valid (a filter, a cursor, a kind the org lacks).
	KindBadRequest
	// KindNotFound means 404, the object or endpoint does not exist.
	KindNotFound
	// KindStatus means another 4xx answer (410 gone, ...).
	KindStatus
	// KindServer means a 5xx answer.
	KindServer
	// KindTransport means no complete answer arrived (network error, reset, a body cut off).
	KindTransport
	// KindForeignLink means a link or redirect to another origin was refused (ErrForeignLink).
	KindForeignLink
)

// Classify returns the kind of err.
func Classify(err error) Kind {
	var waitErr *RateLimitWaitError
	switch {
	case err == nil:
		return KindOther
	case errors.Is(err, ErrForeignLink):
		return KindForeignLink
	case errors.As(err, &waitErr):
		return KindRateLimited
	}
	if ae := AsAPIError(err); ae != nil {
		switch {
		case ae.Status == http.StatusTooManyRequests:
			return KindRateLimited
		case ae.Status == http.StatusUnauthorized:
			return KindUnauthorized
		case ae.Status == http.StatusForbidden:
			return KindForbidden
		case ae.Status == http.StatusBadRequest:
			return KindBadRequest
		case ae.Status == http.StatusNotFound:
			return KindNotFound
		case ae.Status >= 500:
			return KindServer
		}
		return KindStatus
	}
	var te *transportError
	switch {
	case errors.As(err, &te):
		return KindTransport
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return KindCanceled
	}
	return KindOther
}

// ErrCodeFeatureNotEnabled is the errorCode of Okta's 401 for a feature the org does not have
// (not a rejected credential).
const ErrCodeFeatureNotEnabled = "E0000015"

// CredentialRejected reports whether Okta refused the credential itself: a 401 (invalid,
// expired or revoked API token, E0000011; OAuth invalid_client), except
// ErrCodeFeatureNotEnabled.
func CredentialRejected(err error) bool {
	ae := AsAPIError(err)
	return ae != nil && ae.Status == http.StatusUnauthorized && ae.Code != ErrCodeFeatureNotEnabled
}

// NotHere reports whether err is an answer meaning "not here": the org does not serve the
// resource, or this credential may not read it. A listing answered so is skipped until the
// next full sync, which asks again.
//   - 403, whatever the code (E0000006: no permission for the action);
//   - 400 E0000002: request not valid (e.g. a policy type the org's engine lacks);
//   - 401 E0000015: feature not enabled for the org;
//   - 404, whatever the code (E0000007 resource not found, E0000008 path not found,
//     E0000026 endpoint deprecated): on a child's listing a 404 means its parent is gone,
//     which callers check first;
//   - 410 (E0000215: endpoint no longer available) and 501 (E0000052 not implemented,
//     E0000060 unsupported operation).
//
// Any other error (401 bad token, 429, 5xx, transport) is a failure of this request only.
func NotHere(err error) bool {
	ae := AsAPIError(err)
	if ae == nil {
		return false
	}
	switch Classify(err) {
	case KindForbidden, KindNotFound:
		return true
	case KindBadRequest:
		return ae.Code == "E0000002"
	case KindUnauthorized:
		return ae.Code == ErrCodeFeatureNotEnabled
	}
	return ae.Status == http.StatusGone || ae.Status == http.StatusNotImplemented
}
