package oktasim

import (
	"net/netip"
	"testing"
	"time"
)

// every field of Okta's LogEvent object, with the nested keys each must carry.
var logEventSchema = map[string][]string{
	"uuid": nil, "published": nil, "eventType": nil, "version": nil, "severity": nil,
	"displayMessage": nil, "legacyEventType": nil,
	"actor":                 {"id", "type", "alternateId", "displayName", "detailEntry"},
	"client":                {"userAgent", "zone", "device", "id", "ipAddress", "geographicalContext"},
	"device":                nil,
	"authenticationContext": {"authenticationProvider", "credentialProvider", "credentialType", "issuer", "interface", "authenticationStep", "externalSessionId"},
	"outcome":               {"result", "reason"},
	"target":                nil,
	"transaction":           {"type", "id", "detail"},
	"debugContext":          {"debugData"},
	"securityContext":       {"asNumber", "asOrg", "isp", "domain", "isProxy", "risk"},
	"request":               {"ipChain"},
}

var documentationPrefixes = []netip.Prefix{
	netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"), netip.MustParsePrefix("2001:db8::/32"),
}

func TestLogsGeneratorProducesEverySchemaField(t *testing.T) {
	_, base := startLogsServer(t, nil)
	inject(t, base, map[string]any{"count": 1000})
	resp := getLogs(t, logsURL(base, map[string]string{"since": isoAgo(time.Minute), "limit": "1000"}))
	if len(resp.events) != 1000 {
		t.Fatalf("%d events, want 1000", len(resp.events))
	}
	types := map[string]int{}
	withDevice, withChanges, withToken := 0, 0, 0
	for _, e := range resp.events {
		for field, nested := range logEventSchema {
			v, ok := e[field]
			if !ok {
				t.Fatalf("%s event lacks %q", e["eventType"], field)
			}
			obj, _ := v.(map[string]any)
			for _, k := range nested {
				if _, ok := obj[k]; !ok {
					t.Fatalf("%s event: %s lacks %q", e["eventType"], field, k)
				}
			}
		}
		types[e["eventType"].(string)]++
		if e["version"] != "0" {
			t.Fatalf("version %v, want the string \"0\"", e["version"])
		}
		if _, err := time.Parse(oktaTimeLayout, e["published"].(string)); err != nil {
			t.Fatalf("published %v: %v", e["published"], err)
		}
		client := e["client"].(map[string]any)
		ip := netip.MustParseAddr(client["ipAddress"].(string))
		documented := false
		for _, p := range documentationPrefixes {
			documented = documented || p.Contains(ip)
		}
		if !documented {
			t.Fatalf("client IP %s is not a documentation address", ip)
		}
		geo := client["geographicalContext"].(map[string]any)
		if _, ok := geo["postalCode"].(string); !ok {
			t.Fatalf("postalCode %v is not a string", geo["postalCode"])
		}
		chain := e["request"].(map[string]any)["ipChain"].([]any)
		if len(chain) == 0 || chain[0].(map[string]any)["ipDetails"] == nil {
			t.Fatalf("ipChain without ipDetails: %v", chain)
		}
		if e["device"] != nil {
			withDevice++
		}
		for _, tg := range e["target"].([]any) {
			if _, ok := tg.(map[string]any)["changeDetails"]; ok {
				withChanges++
			}
		}
		if d := e["transaction"].(map[string]any)["detail"].(map[string]any); d["requestApiTokenId"] != nil {
			withToken++
		}
	}
	for _, want := range []string{"user.session.start", "user.authentication.sso", "policy.evaluate_sign_on", "user.authentication.auth_via_mfa"} {
		if types[want] == 0 {
			t.Errorf("no %s among 1000 generated events: %v", want, types)
		}
	}
	if len(types) < 15 {
		t.Errorf("only %d event types among 1000 events", len(types))
	}
	if withDevice == 0 || withToken == 0 {
		t.Errorf("device objects %d, requestApiTokenId %d: both should occur", withDevice, withToken)
	}
	t.Logf("%d event types, %d with device, %d changeDetails, %d via API token", len(types), withDevice, withChanges, withToken)
}

func TestLogsGeneratorIsDeterministicForASeed(t *testing.T) {
	a, b := newGenerator(42, nil), newGenerator(42, nil)
	at := time.Date(2025, 5, 20, 8, 0, 0, 0, time.UTC)
	for i := range 200 {
		ea, eb := a.next(at), b.next(at)
		ha, hb := string(encodeHead(nil, &ea)), string(encodeHead(nil, &eb))
		if ha != hb {
			t.Fatalf("event %d differs for the same seed:\n%s\n%s", i, ha, hb)
		}
	}
	c := newGenerator(43, nil)
	ea, ec := a.next(at), c.next(at)
	if ea.uuid == ec.uuid {
		t.Fatalf("different seeds produced the same uuid %s", ea.uuid)
	}
}

func TestLogsEmitFillsEveryFieldAndPersistsAtOnce(t *testing.T) {
	srv, base := startLogsServer(t, nil)
	srv.logs.Emit(EventSpec{
		EventType: "user.lifecycle.suspend",
		Targets:   []EventTarget{{ID: "00uEmitTarget0000001", Type: "User", ChangeFrom: map[string]any{"status": "ACTIVE"}, ChangeTo: map[string]any{"status": "SUSPENDED"}}},
	})
	resp := getLogs(t, logsURL(base, map[string]string{"since": isoAgo(time.Minute)}))
	if len(resp.events) != 1 {
		t.Fatalf("%d events after Emit, want 1", len(resp.events))
	}
	e := resp.events[0]
	for field := range logEventSchema {
		if _, ok := e[field]; !ok {
			t.Fatalf("emitted event lacks %q", field)
		}
	}
	target := e["target"].([]any)[0].(map[string]any)
	changes := target["changeDetails"].(map[string]any)
	if changes["to"].(map[string]any)["status"] != "SUSPENDED" {
		t.Errorf("changeDetails.to = %v", changes["to"])
	}
	if e["actor"].(map[string]any)["id"] == "" {
		t.Errorf("emitted event without actor id")
	}
}

func TestLogsGeneratorUsesRealOrgObjects(t *testing.T) {
	srv, base := startLogsServer(t, nil)
	inject(t, base, map[string]any{"count": 400})
	truth := srv.GroundTruth()
	known := map[string]bool{}
	for _, ids := range truth.IDs {
		for _, id := range ids {
			known[id] = true
		}
	}
	resp := getLogs(t, logsURL(base, map[string]string{"since": isoAgo(time.Minute), "limit": "1000"}))
	checked := 0
	for _, e := range resp.events {
		switch e["eventType"] {
		case "user.session.start", "user.authentication.sso", "group.user_membership.add":
			actor := e["actor"].(map[string]any)["id"].(string)
			if !known[actor] {
				t.Fatalf("%s actor %s is not an object of the org", e["eventType"], actor)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no sign-in, SSO or membership event to check")
	}
}
