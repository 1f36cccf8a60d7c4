package oktareceiver

import "github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/inventory"

// inventorySettings are the settings of cfg that the inventory reads: the sync intervals,
// the enabled resource types and whether a storage extension keeps its state.
func inventorySettings(cfg *Config) inventory.Settings {
	return inventory.Settings{
		FullSyncInterval:    cfg.Inventory.FullSyncInterval,
		IncrementalInterval: cfg.Inventory.IncrementalInterval,
		Enabled:             cfg.Inventory.enabled,
		Persist:             cfg.StorageID != nil,
	}
}
