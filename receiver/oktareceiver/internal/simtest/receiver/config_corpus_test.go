package receiver_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"

	"github.com/otelcol-okta/otelcol-okta/internal/configcorpus"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/testkit"
)

// TestConfigBadCorpus feeds every bad configuration of the corpus through the collector's
// decode and validation path: each must fail with an error that names its key (and the
// case's extra text), never shows the case's secret, and states each problem once. The corpus
// is also run through the real binary by the end-to-end tests; its loader lives in the
// repository's root module, hence this test's place in the simtest module.
func TestConfigBadCorpus(t *testing.T) {
	corpusPath := filepath.Join(receiverTestdata, "badconfig", "corpus.yaml")
	corpus, err := configcorpus.Load(corpusPath)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(corpus.Cases), 150, "the corpus must keep at least 150 cases")
	t.Logf("%d bad configurations in %s", len(corpus.Cases), corpusPath)
	for _, tc := range corpus.Cases {
		t.Run(tc.Name, func(t *testing.T) {
			cfg := oktareceiver.NewFactory().CreateDefaultConfig()
			err := confmap.NewFromStringMap(corpus.Receiver(tc, filepath.Join(receiverTestdata, "keys"))).Unmarshal(cfg)
			if err == nil {
				err = confmap.Validate(cfg)
			}
			require.Error(t, err, "the configuration was accepted")
			msg := err.Error()
			assert.Contains(t, msg, tc.Key, "the error does not name the key")
			if tc.Want != "" {
				assert.Contains(t, msg, tc.Want)
			}
			if tc.Forbid != "" {
				assert.NotContains(t, msg, tc.Forbid, "LEAK: the error shows the case's secret")
			}
			testkit.AssertEachErrorOnce(t, msg)
		})
	}
}
