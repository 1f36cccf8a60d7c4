package rulesprocessor // import "github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor"

// Attribute keys and values of the data contract (ARCHITECTURE §4) read or written here.
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

	// System Log attributes copied onto detection findings.
	attrLogRecordUID = "log.record.uid"
	attrActorID      = "user.id"
	attrActorName    = "user.name"
	attrClientAddr   = "client.address"
	attrTargetIDs    = "okta.target.ids"

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
	attrFindingSourceEvent    = "okta.event.uuid"
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

// copiedResourceAttrs are copied from an inventory record onto its findings.
var copiedResourceAttrs = []string{
	attrResourceType, attrResourceID, attrResourceName, attrResourceStatus,
	attrUserID, attrGroupID, attrApplicationID, attrPolicyID, attrPolicyType,
}

// copiedEventAttrs are copied from a System Log record onto its findings.
var copiedEventAttrs = []string{attrActorID, attrActorName, attrClientAddr, attrTargetIDs}
