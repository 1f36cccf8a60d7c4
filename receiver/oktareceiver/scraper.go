package oktareceiver

import (
	"context"
	"sort"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/inventory"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/metadata"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/oktaapi"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/systemlog"
)

// inventoryMetrics is what the scraper reads of the inventory: snapshots, each safe to call
// while the inventory syncs.
type inventoryMetrics interface {
	// FullDone reports whether a full sync completed (before it, counts would be partial).
	FullDone() bool
	Enabled(typ string) bool
	CountBy(typ string) map[string]int64
	CountByParent(typ string) map[string]int64
	ValuesOf(typ string) map[string]inventory.NamedValue
	Count(typ string) int
	Stats() inventory.Stats
}

// metricSources are the snapshot functions the scraper reads, published by the receiver once
// its parts run (nil parts: not configured).
type metricSources struct {
	inventory  inventoryMetrics
	rateLimits func() []oktaapi.BucketStats
	systemLog  func() systemlog.Stats
	resource   func(pcommon.Resource)
}

// metricsScraper computes the metrics from what the receiver already knows: the
// inventory state (last full sync plus changes), the client's rate-limit and request
// counters and the System Log counters. It never calls Okta.
type metricsScraper struct {
	cfg     *Config
	sources func() *metricSources
	mb      *metadata.MetricsBuilder
}

// newMetricsScraper returns the scraper of the parts sources returns (nil before the
// receiver started: the scrape reports no data points).
func newMetricsScraper(cfg *Config, set receiver.Settings, sources func() *metricSources) *metricsScraper {
	return &metricsScraper{cfg: cfg, sources: sources, mb: metadata.NewMetricsBuilder(cfg.MetricsBuilderConfig, set)}
}

func (s *metricsScraper) scrape(context.Context) (pmetric.Metrics, error) {
	now := pcommon.NewTimestampFromTime(time.Now())
	src := s.sources()
	if src == nil {
		return pmetric.NewMetrics(), nil
	}
	if src.inventory != nil && src.inventory.FullDone() {
		s.recordInventory(now, src.inventory)
	}
	if src.rateLimits != nil {
		s.recordRateLimits(now, src.rateLimits())
	}
	if src.systemLog != nil {
		s.recordSystemLog(now, src.systemLog())
	}
	res := pcommon.NewResource()
	src.resource(res)
	return s.mb.Emit(metadata.WithResource(res)), nil
}

func splitDim(dim string) (string, string) {
	a, b, _ := strings.Cut(dim, "\x00")
	return a, b
}

func (s *metricsScraper) recordInventory(now pcommon.Timestamp, inv inventoryMetrics) {
	m := s.cfg.MetricsBuilderConfig.Metrics
	st := inv
	if m.OktaUsers.Enabled {
		for status, n := range st.CountBy(resUser) {
			s.mb.RecordOktaUsersDataPoint(now, n, status)
		}
	}
	if m.OktaGroups.Enabled {
		for typ, n := range st.CountBy(resGroup) {
			s.mb.RecordOktaGroupsDataPoint(now, n, typ)
		}
	}
	if m.OktaGroupMembers.Enabled && inv.Enabled(resGroup) {
		for id, v := range st.ValuesOf(resGroup) {
			s.mb.RecordOktaGroupMembersDataPoint(now, v.Value, id, v.Name)
		}
	}
	if m.OktaGroupRules.Enabled {
		for status, n := range st.CountBy(resGroupRule) {
			s.mb.RecordOktaGroupRulesDataPoint(now, n, status)
		}
	}
	if m.OktaApplications.Enabled {
		for dim, n := range st.CountBy(resApplication) {
			status, mode := splitDim(dim)
			s.mb.RecordOktaApplicationsDataPoint(now, n, status, mode)
		}
	}
	if m.OktaApplicationUsers.Enabled && inv.Enabled(resApplicationUser) {
		counts := st.CountByParent(resApplicationUser)
		for id, v := range st.ValuesOf(resApplication) {
			s.mb.RecordOktaApplicationUsersDataPoint(now, counts[id], id, v.Name)
		}
	}
	if m.OktaApplicationGroups.Enabled && inv.Enabled(resApplicationGroup) {
		counts := st.CountByParent(resApplicationGroup)
		for id, v := range st.ValuesOf(resApplication) {
			s.mb.RecordOktaApplicationGroupsDataPoint(now, counts[id], id, v.Name)
		}
	}
	if m.OktaPolicies.Enabled {
		for dim, n := range st.CountBy(resPolicy) {
			typ, status := splitDim(dim)
			s.mb.RecordOktaPoliciesDataPoint(now, n, typ, status)
		}
	}
	if m.OktaPolicyRules.Enabled && inv.Enabled(resPolicyRule) {
		counts := st.CountByParent(resPolicyRule)
		for id, v := range st.ValuesOf(resPolicy) {
			typ, _ := splitDim(v.Dim)
			s.mb.RecordOktaPolicyRulesDataPoint(now, counts[id], id, v.Name, typ)
		}
	}
	if m.OktaFactors.Enabled {
		for dim, n := range st.CountBy(resUserFactor) {
			typ, status := splitDim(dim)
			s.mb.RecordOktaFactorsDataPoint(now, n, typ, status)
		}
	}
	if m.OktaAdminAssignments.Enabled {
		for role, n := range st.CountBy(resAdminRoleAssignment) {
			s.mb.RecordOktaAdminAssignmentsDataPoint(now, n, role)
		}
	}
	if m.OktaInventoryObjects.Enabled {
		for _, typ := range allResourceTypes {
			if inv.Enabled(typ) {
				s.mb.RecordOktaInventoryObjectsDataPoint(now, int64(st.Count(typ)), typ)
			}
		}
	}
	stats := inv.Stats()
	if m.OktaInventoryErrors.Enabled {
		for _, typ := range sortedKeysInt(stats.Errors) {
			s.mb.RecordOktaInventoryErrorsDataPoint(now, stats.Errors[typ], typ)
		}
	}
	if m.OktaInventorySyncDuration.Enabled {
		if d, ok := stats.Durations["full"]; ok {
			s.mb.RecordOktaInventorySyncDurationDataPoint(now, d, metadata.AttributeOktaSyncKindFull)
		}
		if d, ok := stats.Durations["incremental"]; ok {
			s.mb.RecordOktaInventorySyncDurationDataPoint(now, d, metadata.AttributeOktaSyncKindIncremental)
		}
	}
	if m.OktaInventoryRefetchDropped.Enabled {
		s.mb.RecordOktaInventoryRefetchDroppedDataPoint(now, stats.RefetchDropped)
	}
	if m.OktaInventoryRefetchSkipped.Enabled {
		s.mb.RecordOktaInventoryRefetchSkippedDataPoint(now, stats.RefetchSkipped)
	}
}

func (s *metricsScraper) recordRateLimits(now pcommon.Timestamp, buckets []oktaapi.BucketStats) {
	m := s.cfg.MetricsBuilderConfig.Metrics
	for _, b := range buckets {
		if b.Known {
			if m.OktaRateLimitLimit.Enabled {
				s.mb.RecordOktaRateLimitLimitDataPoint(now, b.Limit, b.Bucket)
			}
			if m.OktaRateLimitRemaining.Enabled {
				s.mb.RecordOktaRateLimitRemainingDataPoint(now, b.Remaining, b.Bucket)
			}
		}
		if m.OktaRateLimitThrottled.Enabled {
			s.mb.RecordOktaRateLimitThrottledDataPoint(now, b.Throttled, b.Bucket)
		}
		if m.OktaRateLimitWaitTime.Enabled {
			s.mb.RecordOktaRateLimitWaitTimeDataPoint(now, b.WaitSeconds, b.Bucket)
		}
		if m.OktaAPIRequests.Enabled {
			for class, n := range b.Requests {
				s.mb.RecordOktaAPIRequestsDataPoint(now, n, b.Bucket, metadata.MapAttributeOktaAPIStatusClass[class])
			}
		}
	}
}

func (s *metricsScraper) recordSystemLog(now pcommon.Timestamp, st systemlog.Stats) {
	m := s.cfg.MetricsBuilderConfig.Metrics
	if m.OktaSystemLogEvents.Enabled {
		for outcome, n := range st.EventsByOutcome {
			s.mb.RecordOktaSystemLogEventsDataPoint(now, n, outcome)
		}
	}
	if m.OktaSystemLogPages.Enabled {
		s.mb.RecordOktaSystemLogPagesDataPoint(now, st.Pages)
	}
	if m.OktaSystemLogErrors.Enabled {
		for kind, n := range st.Errors {
			s.mb.RecordOktaSystemLogErrorsDataPoint(now, n, kind)
		}
	}
	if m.OktaSystemLogSkipped.Enabled {
		for reason, n := range st.Skipped {
			s.mb.RecordOktaSystemLogSkippedDataPoint(now, n, metadata.MapAttributeOktaSystemLogSkipReason[reason])
		}
	}
	if m.OktaSystemLogLag.Enabled && !st.NewestPublished.IsZero() {
		s.mb.RecordOktaSystemLogLagDataPoint(now, time.Since(st.NewestPublished).Seconds())
	}
	if m.OktaEventHookEvents.Enabled && s.cfg.EventHooks.Enabled {
		s.mb.RecordOktaEventHookEventsDataPoint(now, st.HookEvents)
	}
}

func sortedKeysInt(m map[string]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
