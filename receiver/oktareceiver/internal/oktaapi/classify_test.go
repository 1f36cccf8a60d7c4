package oktaapi

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestNotHereAnswers pins which Okta answers skip a resource type and which are failures
// of one sync only.
func TestNotHereAnswers(t *testing.T) {
	for _, c := range []struct {
		status int
		code   string
		skip   bool
	}{
		{403, "E0000006", true},
		{400, "E0000002", true},
		{401, "E0000015", true},
		{404, "E0000007", true},
		{404, "E0000008", true},
		{404, "E0000026", true},
		{410, "E0000215", true},
		{501, "E0000060", true},
		{400, "E0000001", false},
		{401, "E0000011", false},
		{429, "E0000047", false},
		{500, "E0000009", false},
	} {
		err := fmt.Errorf("list /api/v1/x: %w", &APIError{Status: c.status, Code: c.code})
		assert.Equal(t, c.skip, NotHere(err), "%d %s", c.status, c.code)
	}
	assert.False(t, NotHere(errors.New("connection reset")))
}

// TestClassifyKinds pins the kind of every error a request can end with.
func TestClassifyKinds(t *testing.T) {
	api := func(status int) error { return fmt.Errorf("wrapped: %w", &APIError{Status: status}) }
	for err, want := range map[error]Kind{
		api(400): KindBadRequest,
		api(401): KindUnauthorized,
		api(403): KindForbidden,
		api(404): KindNotFound,
		api(410): KindStatus,
		api(429): KindRateLimited,
		api(500): KindServer,
		api(501): KindServer,
		&RateLimitWaitError{bucket: "b", until: time.Now()}:                 KindRateLimited,
		&RateLimitWaitError{bucket: "b", until: time.Now(), last: api(500)}: KindRateLimited,
		&transportError{err: errors.New("reset")}:                           KindTransport,
		fmt.Errorf("list: %w", ErrForeignLink):                              KindForeignLink,
		context.Canceled:                                                    KindCanceled,
		errors.New("something else"):                                        KindOther,
	} {
		assert.Equal(t, want, Classify(err), "%v", err)
	}
}
