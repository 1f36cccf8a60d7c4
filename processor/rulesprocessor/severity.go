package rulesprocessor // import "github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor"

import "go.opentelemetry.io/collector/pdata/plog"

const (
	categoryPosture   = "posture"
	categoryDetection = "detection"
)

// severity ranks rule severities; the zero value is "no severity".
type severity int

const (
	severityNone severity = iota
	severityInfo
	severityLow
	severityMedium
	severityHigh
	severityCritical
)

var severityNames = [...]string{"", "info", "low", "medium", "high", "critical"}

func parseSeverity(s string) (severity, bool) {
	for i, n := range severityNames {
		if i > 0 && n == s {
			return severity(i), true
		}
	}
	return severityNone, false
}

func (s severity) String() string { return severityNames[s] }

// logSeverity maps a rule severity to the severity number of its finding record.
func (s severity) logSeverity() plog.SeverityNumber {
	switch s {
	case severityInfo:
		return plog.SeverityNumberInfo
	case severityLow:
		return plog.SeverityNumberInfo2
	case severityMedium:
		return plog.SeverityNumberWarn
	case severityHigh:
		return plog.SeverityNumberError
	case severityCritical:
		return plog.SeverityNumberFatal
	}
	return plog.SeverityNumberUnspecified
}
