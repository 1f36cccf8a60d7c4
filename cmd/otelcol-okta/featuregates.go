package main

// This file is not generated (ocb does not write it): it sets the distribution's feature-gate
// defaults.

import (
	"fmt"

	"go.opentelemetry.io/collector/featuregate"
)

// defaultFeatureGates are switched on in this distribution. Users can still switch one off
// with --feature-gates=-<id>: the flag is applied after init.
//
// extension.healthcheck.useComponentStatus makes the health_check extension answer from
// component status (its `http:` and `component_health:` settings): readiness turns false
// when a component reports a permanent error, e.g. the okta receiver after a 401 from Okta.
var defaultFeatureGates = []string{
	"extension.healthcheck.useComponentStatus",
}

func init() {
	for _, id := range defaultFeatureGates {
		if err := featuregate.GlobalRegistry().Set(id, true); err != nil {
			// Only a dependency upgrade that removed the gate gets here; the tests run the binary.
			panic(fmt.Sprintf("distribution default feature gate %q: %v", id, err))
		}
	}
}
