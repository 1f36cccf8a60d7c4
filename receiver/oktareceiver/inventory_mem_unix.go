//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package oktareceiver

import "syscall"

// sysAlloc maps n zeroed bytes outside the Go heap.
func sysAlloc(n int) ([]byte, bool) {
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil, false
	}
	return b, true
}

// sysFree unmaps a chunk from sysAlloc.
func sysFree(b []byte) { _ = syscall.Munmap(b) }
