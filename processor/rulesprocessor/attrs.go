package rulesprocessor // import "github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor"

// Attribute keys and values of the records this processor reads (from the okta receiver) and
// writes (tags, findings, summaries).
const (
	attrRecordKind     = "okta.record.kind"
	attrResourceType   = "okta.resource.type"
	attrResourceID     = "okta.resource.id"
	attrResourceName   = "okta.resource.name"
	attrResourceStatus = "okta.resource.status"
	attrLastUpdated    = "okta.resource.last_updated"
	attrUserID         = "okta.user.id"
	attrGroupID        = "okta.group.id"
	attrApplicationID  = "okta.application.id"
	attrPolicyID       = "okta.policy.id"
	attrPolicyType     = "okta.policy.type"
	attrChangeType     = "okta.change.type"
	attrSyncID         = "okta.sync.id"
	attrOrgURL         = "okta.org.url"
	attrOrgID          = "okta.org.id"

	// attrLogRecordUID is the id of a record: the event uuid on a System Log record, a
	// deterministic id of its own on every record this processor creates (see recordUID).
	attrLogRecordUID = "log.record.uid"
	// attrEventUUID links a record to the System Log event behind it: the event that raised a
	// finding, or the event that triggered an inventory change.
	attrEventUUID = "okta.event.uuid"

	// System Log attributes copied onto detection findings.
	attrActorID    = "user.id"
	attrActorName  = "user.name"
	attrClientAddr = "client.address"
	attrTargetIDs  = "okta.target.ids"

	// Tags on evaluated records.
	attrComplianceStatus      = "compliance.status"
	attrComplianceFailedRules = "compliance.failed_rules"
	attrComplianceMaxSeverity = "compliance.max_severity"

	// Finding and summary attributes (security_rule.* are OTel semantic conventions).
	attrRuleUUID              = "security_rule.uuid"
	attrRuleName              = "security_rule.name"
	attrRuleCategory          = "security_rule.category"
	attrRuleRuleset           = "security_rule.ruleset.name"
	attrRuleReference         = "security_rule.reference"
	attrComplianceSeverity    = "compliance.severity"
	attrComplianceRemediation = "compliance.remediation"
	attrComplianceReferences  = "compliance.references"
	attrAdminConsoleURL       = "okta.admin_console.url"
	attrFindingSourceType     = "okta.event.type"
	attrFindingGroupKey       = "okta.finding.group_key"
	attrFindingCount          = "okta.finding.count"
	attrFailingCount          = "compliance.failing_count"

	kindInventory = "inventory"
	kindSystemLog = "system_log"
	kindFinding   = "finding"
	kindSummary   = "summary"

	eventSnapshot = "okta.inventory.snapshot"
	eventChange   = "okta.inventory.change"
	eventFinding  = "okta.compliance.finding"
	eventSummary  = "okta.compliance.summary"

	changeDeleted = "deleted"

	statusPass = "pass"
	statusFail = "fail"
)

// copiedResourceAttrs are copied from an inventory record onto its findings (never its
// log.record.uid: a finding has an id of its own).
var copiedResourceAttrs = [...]string{
	attrResourceType, attrResourceID, attrResourceName, attrResourceStatus,
	attrUserID, attrGroupID, attrApplicationID, attrPolicyID, attrPolicyType, attrEventUUID,
}

// copiedEventAttrs are copied from a System Log record onto its findings (the event's uuid goes
// to okta.event.uuid, never to the finding's log.record.uid).
var copiedEventAttrs = [...]string{attrActorID, attrActorName, attrClientAddr, attrTargetIDs}
