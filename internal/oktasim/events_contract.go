package oktasim

// EventTarget is one entry of a LogEvent's target[] (or its actor).
type EventTarget struct {
	ID          string
	Type        string // "User", "UserGroup", "AppInstance", "PolicyEntity", "PolicyRule", "Token", "NetworkZone", ...
	AlternateID string
	DisplayName string
	// ChangeDetails, when set, becomes target[].changeDetails {from, to}.
	ChangeFrom map[string]any
	ChangeTo   map[string]any
}

// EventSpec describes a System Log event caused by something the simulator
// did (a control-API mutation, a generated sign-in). The log store fills in
// every other LogEvent field (uuid, published, client, request, ...).
type EventSpec struct {
	EventType      string        // e.g. "user.lifecycle.deactivate"
	Actor          *EventTarget  // nil: a generated admin actor
	Targets        []EventTarget // may be empty
	Outcome        string        // "SUCCESS" when empty
	Reason         string        // outcome.reason, optional
	Severity       string        // "INFO" when empty
	DisplayMessage string
}
