package statestore

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"sort"
)

// bucketMagic starts every bucket value; it is also the format version of a bucket.
const bucketMagic = "OKB1"

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errDamaged is wrapped by every decoding error: the value is not what this package wrote.
var errDamaged = errors.New("damaged value")

// seal appends the CRC-32C of b.
func seal(b []byte) []byte {
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// unseal checks and strips the trailing CRC-32C of b.
func unseal(b []byte) ([]byte, error) {
	if len(b) < 4 {
		return nil, fmt.Errorf("%w: %d bytes", errDamaged, len(b))
	}
	body, sum := b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return nil, fmt.Errorf("%w: checksum mismatch", errDamaged)
	}
	return body, nil
}

// encodeBucket encodes the records of bucket index of type typ: the magic, the epoch, the
// type and index, a table of the strings the records share (paths, parents, dimensions,
// names), a table of the path lists (shapes), then the records; sealed.
func encodeBucket(epoch, typ string, index int, recs []Record) []byte {
	sort.Slice(recs, func(i, j int) bool { return recs[i].ID < recs[j].ID })
	strs, strIdx := []string{}, map[string]uint64{}
	intern := func(s string) uint64 {
		if i, ok := strIdx[s]; ok {
			return i
		}
		i := uint64(len(strs))
		strs = append(strs, s)
		strIdx[s] = i
		return i
	}
	shapes, shapeIdx := [][]uint64{}, map[string]uint64{}
	recShape := make([]uint64, len(recs))
	var key []byte
	for i, r := range recs {
		key = key[:0]
		ids := make([]uint64, len(r.Paths))
		for j, p := range r.Paths {
			ids[j] = intern(p)
			key = binary.AppendUvarint(key, ids[j])
		}
		si, ok := shapeIdx[string(key)]
		if !ok {
			si = uint64(len(shapes))
			shapes = append(shapes, ids)
			shapeIdx[string(key)] = si
		}
		recShape[i] = si
		intern(r.Parent)
		intern(r.Dim)
		intern(r.Name)
	}
	b := append([]byte(bucketMagic), epoch...)
	b = appendString(b, typ)
	b = binary.AppendUvarint(b, uint64(index))
	b = binary.AppendUvarint(b, uint64(len(strs)))
	for _, s := range strs {
		b = appendString(b, s)
	}
	b = binary.AppendUvarint(b, uint64(len(shapes)))
	for _, sh := range shapes {
		b = binary.AppendUvarint(b, uint64(len(sh)))
		for _, id := range sh {
			b = binary.AppendUvarint(b, id)
		}
	}
	b = binary.AppendUvarint(b, uint64(len(recs)))
	for i, r := range recs {
		b = appendString(b, r.ID)
		b = binary.LittleEndian.AppendUint64(b, r.Content)
		b = binary.AppendUvarint(b, recShape[i])
		for _, h := range r.Hashes {
			b = binary.LittleEndian.AppendUint16(b, h)
		}
		b = binary.AppendUvarint(b, strIdx[r.Parent])
		b = binary.AppendUvarint(b, strIdx[r.Dim])
		b = binary.AppendUvarint(b, strIdx[r.Name])
		b = binary.AppendVarint(b, r.Value)
		b = appendString(b, r.Audit)
	}
	return seal(b)
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// decodeBucket decodes a value of encodeBucket and checks that it belongs to epoch, typ and
// index.
func decodeBucket(v []byte, epoch, typ string, index int) ([]Record, error) {
	body, err := unseal(v)
	if err != nil {
		return nil, err
	}
	d := &decoder{b: body}
	if string(d.bytes(len(bucketMagic))) != bucketMagic {
		return nil, fmt.Errorf("%w: not a bucket of this format", errDamaged)
	}
	if e := string(d.bytes(len(epoch))); d.err == nil && e != epoch {
		return nil, fmt.Errorf("%w: bucket from another state (epoch)", errDamaged)
	}
	if t, i := d.string(), d.uvarint(); d.err == nil && (t != typ || int(i) != index) {
		return nil, fmt.Errorf("%w: bucket of %s/%d found under %s/%d", errDamaged, t, i, typ, index)
	}
	strs := make([]string, d.count())
	for i := range strs {
		strs[i] = d.string()
	}
	str := func() string {
		i := d.uvarint()
		if i >= uint64(len(strs)) {
			d.fail("string index")
			return ""
		}
		return strs[i]
	}
	shapes := make([][]string, d.count())
	for i := range shapes {
		shapes[i] = make([]string, d.count())
		for j := range shapes[i] {
			shapes[i][j] = str()
		}
	}
	recs := make([]Record, d.count())
	for i := range recs {
		r := &recs[i]
		r.ID = d.string()
		r.Content = binary.LittleEndian.Uint64(d.bytes(8))
		if si := d.uvarint(); si < uint64(len(shapes)) {
			r.Paths = shapes[si]
		} else {
			d.fail("shape index")
		}
		r.Hashes = make([]uint16, len(r.Paths))
		for j := range r.Hashes {
			r.Hashes[j] = binary.LittleEndian.Uint16(d.bytes(2))
		}
		r.Parent, r.Dim, r.Name = str(), str(), str()
		r.Value = d.varint()
		r.Audit = d.string()
		if d.err != nil {
			break
		}
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail("trailing bytes")
	}
	if d.err != nil {
		return nil, d.err
	}
	return recs, nil
}

// decoder reads the encoding of encodeBucket; the first error sticks and later reads
// return zero values.
type decoder struct {
	b   []byte
	err error
}

var zero8 = make([]byte, 8)

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: bad %s", errDamaged, what)
	}
	d.b = nil
}

func (d *decoder) bytes(n int) []byte {
	if d.err != nil || len(d.b) < n {
		d.fail("length")
		return zero8[:min(n, 8)]
	}
	out := d.b[:n]
	d.b = d.b[n:]
	return out
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a length that cannot exceed the bytes left (every counted item takes at
// least one byte), so that a damaged count cannot allocate without bound.
func (d *decoder) count() int {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail("count")
		return 0
	}
	return int(n)
}

func (d *decoder) string() string {
	n := d.count()
	return string(d.bytes(n))
}

// manifest is the index of a persisted state.
type manifest struct {
	Version   int                 `json:"version"`
	OrgID     string              `json:"org_id"`
	Selection string              `json:"selection"`
	Epoch     string              `json:"epoch"`
	Types     map[string]TypeMeta `json:"types"`
}

// formatVersion is the manifest's version; a manifest of another version is set aside.
const formatVersion = 1

func encodeManifest(m manifest) []byte {
	b, _ := json.Marshal(m) // plain strings, ints and bools: cannot fail
	return seal(b)
}

func decodeManifest(v []byte) (manifest, error) {
	var m manifest
	body, err := unseal(v)
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(body, &m); err != nil {
		return m, fmt.Errorf("%w: %w", errDamaged, err)
	}
	if m.Version != formatVersion {
		return m, fmt.Errorf("format version %d, this collector reads %d", m.Version, formatVersion)
	}
	for typ, tm := range m.Types {
		if tm.Buckets < 1 || tm.Buckets&(tm.Buckets-1) != 0 || tm.Buckets > maxBuckets {
			return m, fmt.Errorf("%w: type %s has %d buckets", errDamaged, typ, tm.Buckets)
		}
	}
	return m, nil
}
