//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package oktareceiver

// sysAlloc is not available: chunks live on the Go heap.
func sysAlloc(int) ([]byte, bool) { return nil, false }

func sysFree([]byte) {}
