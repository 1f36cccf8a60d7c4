package oktasim

import (
	"strconv"
	"time"
)

// genEvent is a LogEvent being built, before it is encoded once into the
// bytes the store serves. Every field of Okta's LogEvent object is
// represented; client, device, securityContext and request come from the
// shared netProfile.
type genEvent struct {
	uuid            string
	published       time.Time
	eventType       string
	legacyEventType string // "" encodes as null
	displayMessage  string
	severity        string

	actor   EventTarget
	targets []EventTarget

	outcome, reason string // reason "" encodes as null

	authProvider, credProvider, credType, authInterface string // "" encodes as null
	issuerID, issuerType                                string // issuer null when issuerID is ""
	externalSessionID, rootSessionID                    string // "" encodes as "unknown" / omitted

	txType, txID, apiTokenID string

	requestURI      string
	threatSuspected bool
	debugExtra      [][2]string // further debugData entries, e.g. deviceFingerprint

	profile *netProfile
}

// encodeHead appends the event's own fields as an unterminated JSON object:
// `{"uuid":…,…,"debugContext":{…}`; the profile tail completes it.
func encodeHead(b []byte, e *genEvent) []byte {
	b = append(b, `{"uuid":`...)
	b = appendJSONString(b, e.uuid)
	b = append(b, `,"published":"`...)
	b = e.published.UTC().AppendFormat(b, oktaTimeLayout)
	b = append(b, `","eventType":`...)
	b = appendJSONString(b, e.eventType)
	b = append(b, `,"version":"0","severity":`...)
	b = appendJSONString(b, e.severity)
	b = append(b, `,"displayMessage":`...)
	b = appendJSONStringOrNull(b, e.displayMessage)
	b = append(b, `,"legacyEventType":`...)
	b = appendJSONStringOrNull(b, e.legacyEventType)
	b = append(b, `,"actor":`...)
	b = appendTarget(b, &e.actor, false)
	b = append(b, `,"authenticationContext":{"authenticationProvider":`...)
	b = appendJSONStringOrNull(b, e.authProvider)
	b = append(b, `,"credentialProvider":`...)
	b = appendJSONStringOrNull(b, e.credProvider)
	b = append(b, `,"credentialType":`...)
	b = appendJSONStringOrNull(b, e.credType)
	b = append(b, `,"issuer":`...)
	if e.issuerID == "" {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"id":`...)
		b = appendJSONString(b, e.issuerID)
		b = append(b, `,"type":`...)
		b = appendJSONString(b, e.issuerType)
		b = append(b, '}')
	}
	b = append(b, `,"interface":`...)
	b = appendJSONStringOrNull(b, e.authInterface)
	b = append(b, `,"authenticationStep":0,"externalSessionId":`...)
	if e.externalSessionID == "" {
		b = append(b, `"unknown"`...)
	} else {
		b = appendJSONString(b, e.externalSessionID)
	}
	if e.rootSessionID != "" {
		b = append(b, `,"rootSessionId":`...)
		b = appendJSONString(b, e.rootSessionID)
	}
	b = append(b, `},"outcome":{"result":`...)
	b = appendJSONString(b, e.outcome)
	b = append(b, `,"reason":`...)
	b = appendJSONStringOrNull(b, e.reason)
	b = append(b, `},"target":[`...)
	for i := range e.targets {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendTarget(b, &e.targets[i], true)
	}
	b = append(b, `],"transaction":{"type":`...)
	b = appendJSONString(b, e.txType)
	b = append(b, `,"id":`...)
	b = appendJSONString(b, e.txID)
	b = append(b, `,"detail":{`...)
	if e.apiTokenID != "" {
		b = append(b, `"requestApiTokenId":`...)
		b = appendJSONString(b, e.apiTokenID)
	}
	b = append(b, `}},"debugContext":{"debugData":{"requestId":`...)
	b = appendJSONString(b, e.txID)
	b = append(b, `,"requestUri":`...)
	b = appendJSONString(b, e.requestURI)
	b = append(b, `,"url":`...)
	b = appendJSONString(b, e.requestURI+"?")
	b = append(b, `,"threatSuspected":"`...)
	b = strconv.AppendBool(b, e.threatSuspected)
	b = append(b, '"')
	for _, kv := range e.debugExtra {
		b = append(b, ',')
		b = appendJSONString(b, kv[0])
		b = append(b, ':')
		b = appendJSONString(b, kv[1])
	}
	return append(b, "}}"...)
}

// appendTarget appends an actor or target object; changeDetails only for
// targets, and only when the spec carries a change.
func appendTarget(b []byte, t *EventTarget, isTarget bool) []byte {
	b = append(b, `{"id":`...)
	b = appendJSONString(b, t.ID)
	b = append(b, `,"type":`...)
	b = appendJSONString(b, t.Type)
	b = append(b, `,"alternateId":`...)
	b = appendJSONString(b, orUnknown(t.AlternateID))
	b = append(b, `,"displayName":`...)
	b = appendJSONString(b, orUnknown(t.DisplayName))
	b = append(b, `,"detailEntry":null`...)
	if isTarget && (t.ChangeFrom != nil || t.ChangeTo != nil) {
		b = append(b, `,"changeDetails":{"from":`...)
		b = appendJSONValue(b, orEmptyMap(t.ChangeFrom))
		b = append(b, `,"to":`...)
		b = appendJSONValue(b, orEmptyMap(t.ChangeTo))
		b = append(b, '}')
	}
	return append(b, '}')
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func orEmptyMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
