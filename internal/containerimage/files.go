package containerimage

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// File is one entry of an image's flattened file system.
type File struct {
	Type     byte  // tar.TypeReg, tar.TypeDir, ...
	Mode     int64 // permission bits
	UID, GID int
	Data     []byte // regular files only
}

// Files flattens the image's layers (later layers win, as in a container) and returns every
// entry by path, without the leading slash (e.g. "etc/passwd").
func Files(img v1.Image) (map[string]File, error) {
	rc := mutate.Extract(img)
	defer func() { _ = rc.Close() }() // read-only stream: nothing to lose on close
	out := map[string]File{}
	tr := tar.NewReader(rc)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read the image file system: %w", err)
		}
		f := File{Type: hdr.Typeflag, Mode: hdr.Mode & 0o7777, UID: hdr.Uid, GID: hdr.Gid}
		if hdr.Typeflag == tar.TypeReg {
			if f.Data, err = io.ReadAll(tr); err != nil {
				return nil, fmt.Errorf("read %s from the image: %w", hdr.Name, err)
			}
		}
		out[hdr.Name] = f
	}
}
