package sqlite

import (
	"database/sql"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVarintAgainstSQLite decodes the rowid varints SQLite itself wrote into a table leaf, for
// rowids of every varint length (1 to 9 bytes, negative ones take 9) and both ends of int64:
// each must decode to the rowid SQL reports, with the length that puts the next field where
// the payload size says.
func TestVarintAgainstSQLite(t *testing.T) {
	p := filepath.Join(t.TempDir(), "v.sqlite")
	db, err := sql.Open("sqlite", p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mustExec(t, db, "CREATE TABLE t(x)")
	var ids []int64
	for k := 0; k < 63; k += 7 { // 2^k-1 and 2^k: the edges of each varint length
		ids = append(ids, 1<<k-1, 1<<k)
	}
	ids = append(ids, 1<<56-1, 1<<56, 1<<56+255, 1<<62, 1<<63-1, -1, -2, -128, -(1 << 56), -1<<63)
	for _, id := range ids {
		if _, err := db.Exec("INSERT OR IGNORE INTO t(rowid, x) VALUES (?, 'v')", id); err != nil {
			t.Fatal(err)
		}
	}
	want := map[int64]bool{}
	rows, err := db.Query("SELECT rowid FROM t")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		want[id] = true
	}
	rows.Close()
	db.Close()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	ps := pageSizeOf(b)
	leaf := b[ps : 2*ps] // the table's root, page 2, is its only leaf
	if leaf[0] != 0x0d {
		t.Fatalf("page 2 is of type %#x, not a table leaf", leaf[0])
	}
	n := int(binary.BigEndian.Uint16(leaf[3:]))
	if n != len(want) {
		t.Fatalf("%d cells, %d rows", n, len(want))
	}
	lengths := map[int]bool{}
	for i := 0; i < n; i++ {
		off := int(binary.BigEndian.Uint16(leaf[8+2*i:]))
		size, k := varint(leaf[off:])
		id, k2 := varint(leaf[off+k:])
		if !want[int64(id)] {
			t.Errorf("cell %d: rowid decoded as %d (%d bytes), not a rowid of the table", i, int64(id), k2)
		}
		// the record that follows: header of 2 bytes, x's serial type 15 (a 1-byte text), then 'v'
		rec := leaf[off+k+k2:]
		if size != 3 || rec[0] != 2 || rec[1] != 15 || rec[2] != 'v' {
			t.Errorf("cell %d (rowid %d, %d-byte varint): record %v of size %d where SQLite wrote [2 15 'v']", i, int64(id), k2, rec[:3], size)
		}
		delete(want, int64(id))
		lengths[k2] = true
	}
	for l := 1; l <= 9; l++ {
		if !lengths[l] {
			t.Errorf("no rowid of a %d-byte varint: the test misses a length", l)
		}
	}
	// a 9-byte varint that ends its buffer: the ninth byte counts all 8 bits
	nine := []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	if v, k := varint(nine); k != 9 || v != 1<<64-1 {
		t.Errorf("varint(%x) = %d, %d; want 2^64-1, 9", nine, v, k)
	}
	if v, k := varint([]byte{0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}); k != 9 || v != 1<<57|1 {
		t.Errorf("varint(81 80…80 01) = %#x, %d; want 2^57+1, 9", v, k)
	}
	// short buffers: no value, length 0
	for _, short := range [][]byte{nil, {0x80}, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}} {
		if v, k := varint(short); k != 0 || v != 0 {
			t.Errorf("varint(%x) = %d, %d; want 0, 0", short, v, k)
		}
	}
}

// TestScannerSpillsAndSignedValues: rows SQLite wrote into a real export, read by the scanner and
// by SQL into the same model (and the scanner reads them itself, nothing handed to SQL): NVTX
// texts of every length around the point where a record starts spilling onto overflow pages
// (the local part then being the minimum or as much as fits) up to a 300 KB one on a chain of
// 75 pages, multi-byte UTF-8 across page boundaries; kernels under 9-byte rowids (negative and
// past 2^56); integers of each stored width, negative and at the edges of each width (SQLite
// picks the width, the scanner sign-extends it).
func TestScannerSpillsAndSignedValues(t *testing.T) {
	db, p := live(t, "../testdata/traces/diffusion.sqlite")
	mustExec(t, db, "BEGIN")
	rng := rand.New(rand.NewPCG(21, 22))
	alphabet := []rune("abcdefghijklmnopqrstuvwxyz0123456789 _-<>:()µ中文✓")
	text := func(n int) string { // n bytes of text; multi-byte runes fall anywhere
		var sb strings.Builder
		for sb.Len() < n {
			r := alphabet[rng.IntN(len(alphabet))]
			if sb.Len()+len(string(r)) > n {
				r = 'z'
			}
			sb.WriteRune(r)
		}
		return sb.String()
	}
	var lengths []int
	for l := 3980; l <= 4110; l++ { // the first spills (usable 4096: 4061 payload bytes stay local)
		lengths = append(lengths, l)
	}
	for l := 4520; l <= 4620; l += 3 { // local part m vs m + (size−m) mod 4092
		lengths = append(lengths, l)
	}
	for l := 8090; l <= 8180; l++ { // two overflow pages; a payload of 8153 bytes leaves exactly 4061 local
		lengths = append(lengths, l)
	}
	lengths = append(lengths, 0, 1, 12_345, 300_000)
	const tid = 281500578743798
	texts := map[int64]string{}
	for i, l := range lengths {
		s := text(l)
		start := int64(10_000_000 + i*1000)
		texts[start] = s
		if _, err := db.Exec(`INSERT INTO NVTX_EVENTS(start, "end", eventType, text, globalTid, domainId) VALUES (?, ?, 59, ?, ?, 0)`,
			start, start+500, s, tid); err != nil {
			t.Fatal(err)
		}
	}
	// integers of each width SQLite stores (1, 2, 3, 4, 6, 8 bytes; 0 and 1 as types 8 and 9)
	edges := []int64{0, 1, -1, 127, 128, -128, -129, 32767, 32768, -32768, -32769, 1<<23 - 1, 1 << 23, -1 << 23, -1<<23 - 1,
		1<<31 - 1, 1 << 31, -1 << 31, -1<<31 - 1, 1<<47 - 1, 1 << 47, -1 << 47, -1<<47 - 1, 1<<63 - 1, -1<<63 + 1}
	for i, v := range edges {
		start := int64(20_000_000 + i*1000)
		if _, err := db.Exec(`INSERT INTO NVTX_EVENTS(start, "end", eventType, rangeId, category, color, globalTid, endGlobalTid, domainId, int64Value)
			VALUES (?, ?, 59, ?, ?, ?, ?, ?, ?, ?)`, start, start+v%1000, v, -v, v, tid, v, v, v); err != nil {
			t.Fatal(err)
		}
	}
	// kernels under rowids of 9-byte varints, before and after the others
	cols := `start, "end", deviceId, contextId, streamId, correlationId, globalPid, demangledName, shortName, registersPerThread,
		gridX, gridY, gridZ, blockX, blockY, blockZ, staticSharedMemory, dynamicSharedMemory, localMemoryPerThread, localMemoryTotal, gridId`
	mustExec(t, db,
		fmt.Sprintf(`INSERT INTO CUPTI_ACTIVITY_KIND_KERNEL(rowid, %s) SELECT -1000 - rowid, %s FROM CUPTI_ACTIVITY_KIND_KERNEL WHERE rowid <= 20`, cols, cols),
		fmt.Sprintf(`INSERT INTO CUPTI_ACTIVITY_KIND_KERNEL(rowid, %s) SELECT (1 << 56) + rowid, %s FROM CUPTI_ACTIVITY_KIND_KERNEL WHERE rowid BETWEEN 1 AND 20`, cols, cols),
		fmt.Sprintf(`INSERT INTO CUPTI_ACTIVITY_KIND_KERNEL(rowid, %s) SELECT 9223372036854775807, %s FROM CUPTI_ACTIVITY_KIND_KERNEL WHERE rowid = 1`, cols, cols),
		"COMMIT")
	db.Close()

	before := deferred.Load()
	fast, err := Read(ctx, p, Options{Mangled: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := deferred.Load() - before; n > 0 {
		t.Fatalf("the scanner handed %d tables to SQL: it did not read the rows itself", n)
	}
	slow, err := Read(ctx, p, Options{SQLOnly: true, Mangled: true})
	if err != nil {
		t.Fatal(err)
	}
	if d := diffModels(fast, slow); len(d) > 0 {
		t.Fatalf("the scanner and SQL differ: %v", d)
	}
	// and both read what was written
	n := &fast.NVTX
	seen := 0
	for i := range n.Start {
		if s, ok := texts[n.Start[i]]; ok {
			seen++
			if got, _ := n.Message(&fast.Strings, i); got != s {
				t.Errorf("text of %d bytes read as %d bytes", len(s), len(got))
			}
		}
		if st := n.Start[i]; st >= 20_000_000 && st < 20_000_000+int64(len(edges))*1000 {
			v := edges[(st-20_000_000)/1000]
			if n.RangeID[i] != v || n.Category[i] != -v || n.Color[i] != v || n.EndGlobalTID[i] != v || n.DomainID[i] != v || n.Payload[i] != v {
				t.Errorf("value %d read as %d %d %d %d %d %d", v, n.RangeID[i], n.Category[i], n.Color[i], n.EndGlobalTID[i], n.DomainID[i], n.Payload[i])
			}
			seen++
		}
	}
	if seen != len(texts)+len(edges) {
		t.Errorf("%d of the %d written NVTX rows read", seen, len(texts)+len(edges))
	}
	base, err := Read(ctx, "../testdata/traces/diffusion.sqlite", Options{Mangled: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fast.Kernels.Len(), base.Kernels.Len()+41; got != want {
		t.Errorf("%d kernels, want %d", got, want)
	}
}

// TestVarintShortForms: the unrolled two- to four-byte forms give what the byte-by-byte
// decoding of the file format gives, for every length of input and every place the
// continuation bits stop, including inputs cut short inside a varint.
func TestVarintShortForms(t *testing.T) {
	ref := func(b []byte) (uint64, int) { // sqlite.org/fileformat.html: 7 bits a byte, 8 in the ninth
		var v uint64
		for i := range 9 {
			if i >= len(b) {
				return 0, 0
			}
			if i == 8 {
				return v<<8 | uint64(b[8]), 9
			}
			v = v<<7 | uint64(b[i]&0x7f)
			if b[i] < 0x80 {
				return v, i + 1
			}
		}
		return 0, 0
	}
	rng := rand.New(rand.NewPCG(7, 9))
	for range 200000 {
		b := make([]byte, rng.IntN(11))
		for i := range b {
			b[i] = byte(rng.IntN(256))
			if rng.IntN(3) > 0 { // long runs of continuation bits
				b[i] |= 0x80
			}
		}
		gv, gk := varint(b)
		wv, wk := ref(b)
		if gv != wv || gk != wk {
			t.Fatalf("varint(% x) = %d, %d; want %d, %d", b, gv, gk, wv, wk)
		}
	}
}
