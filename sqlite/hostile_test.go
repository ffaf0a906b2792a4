package sqlite

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/omnistat/omnistat/trace"
)

// TestHostileCells reads each hostile seed with both paths: each read bounded in time and
// memory, the same model or both an error; damage is ErrCorrupt with what was found, quickly,
// and a value SQL converts is read through SQL.
func TestHostileCells(t *testing.T) {
	base, err := os.ReadFile(fuzzBase)
	if err != nil {
		t.Fatal(err)
	}
	// the error's text, or for a table read through SQL the globalPid one row gets
	want := map[string]any{
		"overflow-loop-2GB": "payload size 2147483648", "overflow-loop-1TB": "payload size 1099511627776",
		"overflow-loop-300KB": "overflow page 73 used twice", "varint-ff-payload-size": "payload size",
		"varint-ff-rowid": "payload bytes past the page end", "varint-ff-header-size": "record header of",
		"varint-ff-serial-type": "serial type 18446744073709551615", "serial-type-10": "serial type 10",
		"serial-type-11": "serial type 11", "serial-type-huge-text": "bytes past the record's end",
		"serial-type-10-unread": "serial type 10", "serial-type-11-unread": "serial type 11",
		"unread-past-record": "57 bytes past the record's end", "record-one-byte-longer": "record header describes",
		"header-past-record": "record header of 127 bytes", "header-size-zero": "record header of 0 bytes",
		"text-letters-in-int": `globalPid holds the text "12345abc" in the row of rowid`,
		"zeroed-leaf":         "not a table leaf", "interior-children-one-page": "reached twice",
		"text-digits-in-int": int64(12345678), "real-in-int": int64(3), "blob-in-int": int64(42),
		"real-nan-in-int": trace.Null, "null-marker-in-int": trace.Null,
	}
	dir := t.TempDir()
	seeds := hostileSeeds(t)
	if len(seeds) != len(want) {
		t.Errorf("%d seeds, %d expectations", len(seeds), len(want))
	}
	for _, s := range seeds {
		t.Run(s.name, func(t *testing.T) {
			p := filepath.Join(dir, s.name+".sqlite")
			if err := os.WriteFile(p, overwrite(base, s.page, s.at, s.data), 0o644); err != nil {
				t.Fatal(err)
			}
			checkRead(t, p)
			before := deferred.Load()
			start := time.Now()
			tr, err := Read(ctx, p, Options{Mangled: true})
			if took := time.Since(start); took > time.Second {
				t.Errorf("read took %v", took)
			}
			switch w := want[s.name].(type) {
			case string:
				if err == nil || !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), w) {
					t.Errorf("error %v, want ErrCorrupt with %q", err, w)
				}
			case int64:
				if err != nil {
					t.Fatal(err)
				}
				if deferred.Load() == before {
					t.Error("the scanner read a value SQL converts")
				}
				if !slices.Contains(tr.Kernels.GlobalPID.Int64s(), w) {
					t.Errorf("no kernel with globalPid %d", w)
				}
			}
		})
	}
}

// TestCorruptKernelPage: a leaf of the kernel table overwritten (the `corrupt` case of
// docs/errors.md) is one error naming the page, the same every time, and under Partial a note.
func TestCorruptKernelPage(t *testing.T) {
	b, err := os.ReadFile("../testdata/traces/go_tts_pageable.sqlite")
	if err != nil {
		t.Fatal(err)
	}
	copy(b[53*4096:], strings.Repeat("\xde\xad", 2048))
	p := filepath.Join(t.TempDir(), "damaged.sqlite")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	const want = ": corrupt or truncated SQLite file: read CUPTI_ACTIVITY_KIND_KERNEL: page 54: not a table leaf: database disk image is malformed"
	for _, opt := range []Options{{Mangled: true}, {SQLOnly: true, Mangled: true}} {
		_, err := Read(ctx, p, opt)
		if err == nil || err.Error() != p+want+" (run with --partial to report the readable tables)" || !errors.Is(err, ErrCorrupt) {
			t.Errorf("SQLOnly %v: error %v", opt.SQLOnly, err)
		}
		opt.Partial = true
		tr, err := Read(ctx, p, opt)
		if err != nil || !slices.Contains(tr.Notes, "skipped, unreadable"+want) {
			t.Errorf("SQLOnly %v, Partial: %v, notes %q", opt.SQLOnly, err, tr.Notes)
		}
	}
	checkRead(t, p)
}

// TestByteFlips flips single bytes across a real export (330 places, as a hostile tester did;
// 33 with -short), each read by both paths: the same model or both an error.
func TestByteFlips(t *testing.T) {
	base, err := os.ReadFile(fuzzBase)
	if err != nil {
		t.Fatal(err)
	}
	n := 330
	if testing.Short() {
		n = 33
	}
	p := filepath.Join(t.TempDir(), "flipped.sqlite")
	for i := range n {
		off := 100 + i*(len(base)-100)/n
		b := slices.Clone(base)
		b[off] ^= byte(0x55 + i)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Run(fmt.Sprint(off), func(t *testing.T) { checkRead(t, p) })
	}
}
