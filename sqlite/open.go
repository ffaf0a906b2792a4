// Package sqlite reads an nsys SQLite export into a *trace.Trace. It is the only package that
// imports database/sql and modernc.org/sqlite, and the only one that knows how the export's
// schema changed between nsys versions (2021 → 2026).
//
// The file is opened read-only and immutable: omnistat never writes to, locks or journals an
// input (a write-ahead log or hot journal beside it is applied in a private copy). Every page
// is checked before it is decoded, by the scanner or by SQLite, so a damaged file gives the
// same error every time. A table the capture did not produce is a note on the trace, not an
// error. The package computes no statistics.
package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/omnistat/omnistat/trace"
	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"
)

// Typed errors the CLI reacts to.
var (
	// ErrNotSQLite means the file is not an SQLite database at all.
	ErrNotSQLite = errors.New("not an SQLite database")
	// ErrNotExport means the file is SQLite but holds none of the tables of an nsys export.
	ErrNotExport = errors.New("not an nsys SQLite export")
	// ErrNsysRep means the file is an .nsys-rep report, which must be exported to SQLite first.
	ErrNsysRep = errors.New("an .nsys-rep report, not an SQLite export: run `nsys export --type sqlite FILE` first")
)

// sqliteMagic is the first 16 bytes of every SQLite 3 database file.
var sqliteMagic = []byte("SQLite format 3\x00")

// Options tunes Read.
type Options struct {
	// Parallel is the number of tables read at once; 0 means one per hot table.
	Parallel int
	// Only limits the event tables read to these families (0 reads all); strings, processes,
	// threads, GPUs and enums are always read. Tables left out stay empty in the model.
	Only trace.Tables
	// SQLOnly reads every table through SQL (modernc.org/sqlite), not the file-format scanner:
	// slower, for cross-checks.
	SQLOnly bool
	// Details also reads the columns only the analyze rules need (contexts, streams, green
	// contexts, copies' source and destination devices); without it they stay nil, which saves
	// memory on big traces.
	Details bool
	// Trace reads, besides the Details columns, the columns only the trace reports print (launch
	// geometry, registers, shared memory, kernels' green contexts, CUDA calls' return values).
	Trace bool
	// Mangled reads the kernels' mangled names (mangledName), which only the reports asked
	// for with "mangled" print; without it Kernels.Mangled stays nil (12 MB and a tenth of the
	// kernel table's decoding saved on a 3 M-kernel trace).
	Mangled bool
	// Partial reads what it can of a damaged export: a table that cannot be read is left empty
	// and named in a note, instead of failing the whole read.
	Partial bool
}

// Read opens the export at path read-only and returns its model: the rows SQLite reads, with
// a write-ahead log or a hot journal beside the file applied (see resolve).
func Read(ctx context.Context, path string, opt Options) (*trace.Trace, error) {
	if err := checkFile(path); err != nil {
		return nil, err
	}
	src, err := resolve(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer src.done()
	truncated := checkLength(src.file)
	if truncated != nil && !opt.Partial {
		return nil, fmt.Errorf("%s: %w", path, truncated)
	}
	db, err := openDB(src.file)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, describe(err))
	}
	defer db.Close()
	tr, err := readAll(ctx, db, src.file, opt)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	tr.Path = path
	if src.note != "" {
		tr.Notes = append(tr.Notes, src.note)
	}
	if truncated != nil {
		tr.Notes = append(tr.Notes, truncated.Error())
	}
	return tr, nil
}

// ErrCorrupt means the export's pages are damaged or missing.
var ErrCorrupt = errors.New("corrupt or truncated SQLite file")

// checkLength compares the file's length with the size its header declares (page size × page
// count): a half-copied export is caught before any read.
func checkLength(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	h := make([]byte, 100)
	if _, err := io.ReadFull(f, h); err != nil {
		return fmt.Errorf("%w: %d bytes, shorter than an SQLite header", ErrCorrupt, len(h))
	}
	pageSize := int64(h[16])<<8 | int64(h[17])
	if pageSize == 1 {
		pageSize = 65536
	}
	pages := int64(h[28])<<24 | int64(h[29])<<16 | int64(h[30])<<8 | int64(h[31])
	st, err := f.Stat()
	if err != nil || pageSize < 512 || pages == 0 {
		return nil // old files may leave the count at 0: let SQLite judge
	}
	if want := pageSize * pages; st.Size() < want {
		return fmt.Errorf("%w: truncated, %d of the %d bytes its header declares", ErrCorrupt, st.Size(), want)
	}
	return nil
}

// checkFile rejects what cannot be an export before SQLite sees it, with a precise reason.
func checkFile(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%s: no such file", path)
		}
		return fmt.Errorf("%s: %w", path, err)
	}
	if st.IsDir() {
		return fmt.Errorf("%s: is a directory, not an nsys SQLite export", path)
	}
	if !st.Mode().IsRegular() { // a device, a FIFO, a socket: SQLite needs a file it can seek in
		kind := "a device"
		switch {
		case st.Mode()&os.ModeNamedPipe != 0:
			kind = "a FIFO"
		case st.Mode()&os.ModeSocket != 0:
			kind = "a socket"
		}
		return fmt.Errorf("%s: not a regular file (%s), %w", path, kind, ErrNotSQLite)
	}
	if st.Size() == 0 {
		return fmt.Errorf("%s: empty file, %w", path, ErrNotSQLite)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer f.Close()
	head := make([]byte, 16)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if !bytes.Equal(head, sqliteMagic) {
		switch ext := strings.ToLower(filepath.Ext(path)); {
		case ext == ".nsys-rep" || ext == ".qdrep":
			return fmt.Errorf("%s: %w", path, ErrNsysRep)
		case ext == ".qdstrm":
			return fmt.Errorf("%s: a .qdstrm capture stream, not an SQLite export: import it with nsys's QdstrmImporter, then `nsys export --type sqlite`", path)
		}
		return fmt.Errorf("%s: %w", path, ErrNotSQLite)
	}
	if st.Size() < 512 {
		return fmt.Errorf("%s: %w: truncated, %d bytes", path, ErrCorrupt, st.Size())
	}
	return nil
}

// openDB opens path read-only and immutable through an SQLite URI.
func openDB(path string) (*sql.DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	u := url.URL{Scheme: "file", Path: abs}
	dsn := "file:" + u.EscapedPath() + "?mode=ro&immutable=1"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}
