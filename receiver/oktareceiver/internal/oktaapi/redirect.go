package oktaapi

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// maxRedirects bounds same-origin redirects, as net/http's default policy does.
const maxRedirects = 10

// refuseForeignRedirects makes hc follow a redirect only to the org's own origin
// (scheme and host, port included). net/http would otherwise follow a 3xx to
// another port or scheme of the same host name, or to a subdomain, and keep the
// Authorization header, sending the credential outside the org. A refused
// redirect fails the request with an error wrapping ErrForeignLink.
func refuseForeignRedirects(hc *http.Client, origin *url.URL) {
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if !sameOrigin(req.URL, origin) {
			return fmt.Errorf("%w: redirect to %s://%s is not the org %s", ErrForeignLink, req.URL.Scheme, req.URL.Host, origin)
		}
		if len(via) >= maxRedirects {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
}
