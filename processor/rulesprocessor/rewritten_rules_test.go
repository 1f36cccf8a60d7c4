package rulesprocessor

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The rules below used to render a whole list or map as JSON with String() and search the text.
// They now read the field that holds the answer. Each test pins the shipped rule's results on
// realistic bodies and checks that the former text gives the same results on each of them.

// rewriteCase is a record body and the expected results of a rule's match and condition on it.
type rewriteCase struct {
	name             string
	body             map[string]any
	match, condition bool
}

// checkRewrite evaluates the shipped rule id and its former match and condition on every case
// (an empty former text: that part was not rewritten, only the shipped one is checked).
func checkRewrite(t *testing.T, id, formerMatch, formerCondition string, cases []rewriteCase) {
	t.Helper()
	rs, err := compileRuleSet(createDefaultConfig(), nopTelemetry())
	require.NoError(t, err)
	var rule *compiledRule
	for _, r := range rs.rules {
		if r.ID == id {
			rule = r
		}
	}
	require.NotNil(t, rule, "rule %s is not shipped", id)
	require.NotContains(t, rule.Match+rule.Condition, "String(", "rule %s still renders JSON", id)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, part := range []struct {
				what, shipped, former string
				want                  bool
			}{
				{"match", rule.Match, formerMatch, tc.match},
				{"condition", rule.Condition, formerCondition, tc.condition},
			} {
				got, err := evalText(t, part.shipped, tc.body)
				require.NoError(t, err)
				assert.Equal(t, part.want, got, "shipped %s", part.what)
				if part.former == "" {
					continue // unchanged
				}
				former, err := evalText(t, part.former, tc.body)
				require.NoError(t, err)
				assert.Equal(t, part.want, former, "former %s", part.what)
			}
		})
	}
}

// eventBody is the detections fixture event with the given fields replaced (nil deletes).
func eventBody(t *testing.T, set map[string]any) map[string]any {
	t.Helper()
	return loadFixtures(t, packDetections).resolve(t, fixtureRecord{Base: "ev", Set: set}).Body
}

var (
	adminConsoleTarget = map[string]any{"id": "0oaadmin", "type": "AppInstance", "alternateId": "Okta Admin Console", "displayName": "Okta Admin Console"}
	dashboardTarget    = map[string]any{"id": "0oadash", "type": "AppInstance", "alternateId": "Okta Dashboard", "displayName": "Okta Dashboard"}
	ruleTarget         = map[string]any{"id": "0pr1", "type": "Rule", "alternateId": "unknown", "displayName": "Catch-all Rule"}
)

// enrollment is an AuthenticatorEnrollment target verified with method.
func enrollment(method any) map[string]any {
	return map[string]any{"id": "lae1", "type": "AuthenticatorEnrollment", "alternateId": "unknown", "displayName": "Authenticator",
		"detailEntry": map[string]any{"methodTypeUsed": method, "methodUsedVerifiedProperties": "[SOFTWARE_PROTECTED]"}}
}

func TestRewriteOKTADET021(t *testing.T) {
	const behaviors = "debugContext.debugData.behaviors"
	checkRewrite(t, "OKTA-DET-021",
		`IsMatch(String(log.body["target"]), "Okta Admin Console")`,
		`IsMatch(String(log.body["debugContext"]["debugData"]), "New Device=POSITIVE") and IsMatch(String(log.body["debugContext"]["debugData"]), "New IP=POSITIVE")`,
		[]rewriteCase{
			{"admin console first, new device and IP", eventBody(t, map[string]any{"target": []any{adminConsoleTarget, ruleTarget},
				behaviors: "{New Geo-Location=NEGATIVE, New Device=POSITIVE, New IP=POSITIVE, New State=NEGATIVE}"}), true, true},
			{"admin console after the policy rule", eventBody(t, map[string]any{"target": []any{ruleTarget, adminConsoleTarget},
				behaviors: "{New Device=POSITIVE, New IP=POSITIVE}"}), true, true},
			{"new device only", eventBody(t, map[string]any{"target": []any{adminConsoleTarget}, behaviors: "{New Device=POSITIVE, New IP=NEGATIVE}"}), true, false},
			{"new IP only", eventBody(t, map[string]any{"target": []any{adminConsoleTarget}, behaviors: "{New Device=NEGATIVE, New IP=POSITIVE}"}), true, false},
			{"no behaviors", eventBody(t, map[string]any{"target": []any{adminConsoleTarget}}), true, false},
			{"no debug context", eventBody(t, map[string]any{"target": []any{adminConsoleTarget}, "debugContext": nil}), true, false},
			{"another app", eventBody(t, map[string]any{"target": []any{dashboardTarget, ruleTarget}, behaviors: "{New Device=POSITIVE, New IP=POSITIVE}"}), false, true},
			{"no target", eventBody(t, map[string]any{"target": nil}), false, false},
			{"empty target list", eventBody(t, map[string]any{"target": []any{}}), false, false},
		})
}

func TestRewriteOKTADET023(t *testing.T) {
	checkRewrite(t, "OKTA-DET-023",
		`log.body["outcome"]["result"] == "SUCCESS" and IsMatch(String(log.body["target"]), "Okta Admin Console")`,
		`IsMatch(String(log.body["target"]), "\"methodTypeUsed\":\"(password|email|sms|security_question)\"")`,
		[]rewriteCase{
			{"sms enrollment beside the admin console", eventBody(t, map[string]any{"target": []any{enrollment("sms"), adminConsoleTarget}}), true, true},
			{"method on the admin console target", eventBody(t, map[string]any{"target": []any{
				map[string]any{"id": "0oaadmin", "type": "AppInstance", "displayName": "Okta Admin Console", "detailEntry": map[string]any{"methodTypeUsed": "password"}}}}), true, true},
			{"email", eventBody(t, map[string]any{"target": []any{adminConsoleTarget, enrollment("email")}}), true, true},
			{"security question", eventBody(t, map[string]any{"target": []any{adminConsoleTarget, enrollment("security_question")}}), true, true},
			{"signed nonce", eventBody(t, map[string]any{"target": []any{enrollment("signed_nonce"), adminConsoleTarget}}), true, false},
			{"a longer method name is another method", eventBody(t, map[string]any{"target": []any{enrollment("sms_otp"), adminConsoleTarget}}), true, false},
			{"methods are case sensitive", eventBody(t, map[string]any{"target": []any{enrollment("Password"), adminConsoleTarget}}), true, false},
			{"null method", eventBody(t, map[string]any{"target": []any{enrollment(nil), adminConsoleTarget}}), true, false},
			{"no detail entry", eventBody(t, map[string]any{"target": []any{adminConsoleTarget}}), true, false},
			{"failed verification", eventBody(t, map[string]any{"target": []any{enrollment("sms"), adminConsoleTarget}, "outcome": map[string]any{"result": "FAILURE"}}), false, true},
			{"another app", eventBody(t, map[string]any{"target": []any{enrollment("sms"), dashboardTarget}}), false, true},
			{"no target", eventBody(t, map[string]any{"target": nil}), false, false},
		})
}

func TestRewriteOKTAPOS035(t *testing.T) {
	f := loadFixtures(t, packPosture)
	const path = "actions.appSignOn.verificationMethod.constraints"
	rule := func(constraints any) map[string]any {
		return f.resolve(t, fixtureRecord{Base: "access", Set: map[string]any{path: constraints}}).Body
	}
	required := map[string]any{"possession": map[string]any{"phishingResistant": "REQUIRED", "userVerification": "OPTIONAL"}}
	checkRewrite(t, "OKTA-POS-035", "",
		`not IsMatch(String(log.body["actions"]["appSignOn"]["verificationMethod"]["constraints"]), "phishingResistant.{0,4}REQUIRED")`,
		[]rewriteCase{
			{"phishing resistant required", rule([]any{required}), true, false},
			{"required in the second constraint", rule([]any{map[string]any{"knowledge": map[string]any{"types": []any{"password"}}}, required}), true, false},
			{"phishing resistant optional", rule([]any{map[string]any{"possession": map[string]any{"phishingResistant": "OPTIONAL"}}}), true, true},
			{"other possession requirement", rule([]any{map[string]any{"possession": map[string]any{"deviceBound": "REQUIRED"}}}), true, true},
			{"knowledge only", rule([]any{map[string]any{"knowledge": map[string]any{"types": []any{"password"}, "reauthenticateIn": "PT2H"}}}), true, true},
			{"empty constraints", rule([]any{}), true, true},
			{"no constraints", rule(nil), true, true},
		})
}

// TestRewriteOKTADET021NullDebugData pins the one body on which OKTA-DET-021's condition and its
// former text differ: a null debugData (Okta always sends an object). Reading a field under it is
// an evaluation error, as it already is for every rule that reads a debugData field (here
// OKTA-DET-055's match, tried on every event), where the former text rendered null and found
// nothing.
func TestRewriteOKTADET021NullDebugData(t *testing.T) {
	rs, err := compileRuleSet(createDefaultConfig(), nopTelemetry())
	require.NoError(t, err)
	byID := map[string]*compiledRule{}
	for _, r := range rs.rules {
		byID[r.ID] = r
	}
	body := eventBody(t, map[string]any{"target": []any{adminConsoleTarget}})
	body["debugContext"] = map[string]any{"debugData": nil}

	_, err = evalText(t, byID["OKTA-DET-021"].Condition, body)
	require.ErrorContains(t, err, "does not support string indexing")
	_, err = evalText(t, byID["OKTA-DET-055"].Match, body)
	require.ErrorContains(t, err, "does not support string indexing")
	former, err := evalText(t, `IsMatch(String(log.body["debugContext"]["debugData"]), "New Device=POSITIVE")`, body)
	require.NoError(t, err)
	assert.False(t, former)
}
