package leaderelectorextension

import (
	coordv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// newLease builds the Lease a replica named holder would have written.
func newLease(holder string, durationSeconds int32, renewed metav1.MicroTime) *coordv1.Lease {
	return &coordv1.Lease{
		ObjectMeta: metav1.ObjectMeta{Name: "okta-acme", Namespace: "observability"},
		Spec: coordv1.LeaseSpec{
			HolderIdentity:       &holder,
			LeaseDurationSeconds: &durationSeconds,
			AcquireTime:          &renewed,
			RenewTime:            &renewed,
		},
	}
}
