package oktasim

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestOrgClassicListsAuthenticators: by default a Classic org serves
// /api/v1/authenticators like an Identity Engine org, with five authenticators,
// each also readable by id, and the ground truth names the same five.
func TestOrgClassicListsAuthenticators(t *testing.T) {
	classic := startOrgSim(t, func(o *Options) { o.Org.Engine = engineClassic })
	list, _ := classic.list("/api/v1/authenticators")
	if len(list) != 5 {
		t.Fatalf("classic org lists %d authenticators, want 5", len(list))
	}
	var keys, ids []string
	for _, a := range list {
		keys = append(keys, a["key"].(string))
		ids = append(ids, a["id"].(string))
		_, b := classic.get("/api/v1/authenticators/"+a["id"].(string), http.StatusOK)
		var one map[string]any
		if err := json.Unmarshal(b, &one); err != nil || one["id"] != a["id"] {
			t.Errorf("GET /api/v1/authenticators/%s: %s", a["id"], b)
		}
	}
	slices.Sort(keys)
	if want := []string{"okta_email", "okta_password", "okta_verify", "phone_number", "security_question"}; !slices.Equal(keys, want) {
		t.Errorf("classic authenticator keys %v, want %v", keys, want)
	}
	gt := classic.sim.GroundTruth().IDs[typeAuthenticator]
	slices.Sort(gt)
	slices.Sort(ids)
	if !slices.Equal(gt, ids) {
		t.Errorf("ground truth %v, listed %v", gt, ids)
	}
	// An Identity Engine org lists all seven.
	oie, _ := startOrgSim(t, nil).list("/api/v1/authenticators")
	if len(oie) != len(authenticatorPlans) {
		t.Errorf("oie org lists %d authenticators, want %d", len(oie), len(authenticatorPlans))
	}
}

func TestOrgClassicAuthenticatorsAnswer400(t *testing.T) {
	checkClassicAuthenticatorsError(t, "E0000002", http.StatusBadRequest)
}

func TestOrgClassicAuthenticatorsAnswer401(t *testing.T) {
	checkClassicAuthenticatorsError(t, "E0000015", http.StatusUnauthorized)
}

func TestOrgClassicAuthenticatorsAnswer404ResourceNotFound(t *testing.T) {
	checkClassicAuthenticatorsError(t, "E0000007", http.StatusNotFound)
}

func TestOrgClassicAuthenticatorsAnswer404PathNotFound(t *testing.T) {
	checkClassicAuthenticatorsError(t, "E0000008", http.StatusNotFound)
}

// checkClassicAuthenticatorsError: a Classic org told to answer code gives the list and
// the single GET that status with Okta's error JSON (errorCode, errorSummary, errorLink
// equal to the code, an "oae" errorId, errorCauses); its ground truth holds no
// authenticator, the control API refuses to create one, and an Identity Engine org with
// the same option still lists its authenticators.
func checkClassicAuthenticatorsError(t *testing.T, code string, status int) {
	t.Helper()
	classic := startOrgSim(t, func(o *Options) {
		o.Org.Engine = engineClassic
		o.Org.ClassicAuthenticators = code
	})
	for _, path := range []string{"/api/v1/authenticators", "/api/v1/authenticators/aut1234567890abcdef7"} {
		resp, b := classic.get(path, status)
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("GET %s: Content-Type %q", path, ct)
		}
		var e map[string]any
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatalf("GET %s: not JSON: %s", path, b)
		}
		if e["errorCode"] != code || e["errorLink"] != code {
			t.Errorf("GET %s: errorCode %v errorLink %v, want %s", path, e["errorCode"], e["errorLink"], code)
		}
		if s, _ := e["errorSummary"].(string); s == "" || s != classicAuthenticatorErrors[code].summary {
			t.Errorf("GET %s: errorSummary %q", path, s)
		}
		if id, _ := e["errorId"].(string); !strings.HasPrefix(id, "oae") {
			t.Errorf("GET %s: errorId %q, want oae…", path, id)
		}
		if _, ok := e["errorCauses"].([]any); !ok {
			t.Errorf("GET %s: errorCauses missing: %s", path, b)
		}
	}
	if ids := classic.sim.GroundTruth().IDs[typeAuthenticator]; len(ids) != 0 {
		t.Errorf("ground truth holds %d authenticators; the org answers %s", len(ids), code)
	}
	out := classic.ctl("POST", "/_sim/resources/authenticator", `{"key":"custom_app"}`, http.StatusBadRequest)
	if msg, _ := out["error"].(string); !strings.Contains(msg, code) {
		t.Errorf("control create on a classic org answering %s: %v", code, out)
	}
	oie := startOrgSim(t, func(o *Options) { o.Org.ClassicAuthenticators = code })
	if list, _ := oie.list("/api/v1/authenticators"); len(list) != len(authenticatorPlans) {
		t.Errorf("oie org with classic-authenticators=%s lists %d authenticators, want %d", code, len(list), len(authenticatorPlans))
	}
}

// TestOrgClassicAuthenticatorsOptionValidated: an unknown answer is refused, naming the flag.
func TestOrgClassicAuthenticatorsOptionValidated(t *testing.T) {
	opts := orgTestOptions()
	opts.Org.Engine = engineClassic
	opts.Org.ClassicAuthenticators = "E0000006"
	_, err := New(opts)
	if err == nil || !strings.Contains(err.Error(), "classic-authenticators") {
		t.Fatalf("New with classic-authenticators=E0000006: %v, want an error naming classic-authenticators", err)
	}
}
