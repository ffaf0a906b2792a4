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
)

// An export is read immutable: SQLite then reads the main file alone. When a write-ahead log
// with frames lies beside it (FILE-wal), or a hot rollback journal (FILE-journal with a valid
// header, left by a writer that stopped mid-transaction), the main file alone is not what
// SQLite reads: committed transactions sit in the log, and the main file may hold pages of a
// transaction that never committed. Such a file is read from a private copy: the database and
// its log or journal are copied into a temporary directory, SQLite opens the copy as usual and
// applies the log (a checkpoint into the copy) or rolls the journal back, and the copy, now a
// plain database, is read as any other. The input and the files beside it are only ever read,
// and nothing is created beside them.

// journalMagic starts every valid rollback journal header.
var journalMagic = []byte{0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7}

// pendingChanges names the write-ahead log with frames and the hot journal beside path, which
// SQLite applies when it reads path ("" where there is none).
func pendingChanges(path string) (wal, journal string) {
	if st, err := os.Stat(path + "-wal"); err == nil && st.Mode().IsRegular() && st.Size() > 0 {
		wal = path + "-wal"
	}
	if f, err := os.Open(path + "-journal"); err == nil {
		head := make([]byte, len(journalMagic))
		if _, err := io.ReadFull(f, head); err == nil && bytes.Equal(head, journalMagic) {
			journal = path + "-journal"
		}
		f.Close()
	}
	return wal, journal
}

// resolved is the file to read for path: path itself, or a private copy with the log or
// journal beside it applied (remove the copy's directory with done).
type resolved struct {
	file string
	note string
	dir  string
}

func (r resolved) done() {
	if r.dir != "" {
		os.RemoveAll(r.dir)
	}
}

// resolve returns the file that holds what SQLite reads at path.
func resolve(ctx context.Context, path string) (resolved, error) {
	wal, journal := pendingChanges(path)
	if wal == "" && journal == "" {
		return resolved{file: path}, nil
	}
	dir, err := os.MkdirTemp("", "omnistat-")
	if err != nil {
		return resolved{}, fmt.Errorf("copy to apply the journal beside it: %w", err)
	}
	r := resolved{file: filepath.Join(dir, "export.sqlite"), dir: dir}
	copies := [][2]string{{path, r.file}}
	if wal != "" {
		copies = append(copies, [2]string{wal, r.file + "-wal"})
		r.note = fmt.Sprintf("read with the committed transactions of its write-ahead log %s applied, as SQLite reads it (in a private copy: no file was changed)", wal)
	}
	if journal != "" {
		copies = append(copies, [2]string{journal, r.file + "-journal"})
		r.note = fmt.Sprintf("read with the unfinished transaction of its hot journal %s rolled back, as SQLite reads it (in a private copy: no file was changed)", journal)
	}
	for _, c := range copies {
		if err := copyFile(c[0], c[1]); err != nil {
			r.done()
			return resolved{}, fmt.Errorf("copy to apply the journal beside it: %w", err)
		}
	}
	if err := applyPending(ctx, r.file); err != nil {
		r.done()
		return resolved{}, fmt.Errorf("apply %s: %w", filepath.Base(wal+journal), describe(err))
	}
	return r, nil
}

// applyPending opens the copy at file as SQLite opens a database (rolling a hot journal back,
// reading a write-ahead log), checkpoints the log into it and leaves it a plain database.
func applyPending(ctx context.Context, file string) error {
	u := url.URL{Scheme: "file", Path: file}
	db, err := sql.Open("sqlite", "file:"+u.EscapedPath()+"?mode=rw")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var n, busy, log, done int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&n); err != nil {
		return err
	}
	if err := db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &log, &done); err != nil {
		return err
	}
	if busy != 0 {
		return errors.New("the checkpoint did not complete")
	}
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode=DELETE").Scan(&mode); err != nil {
		return err
	}
	if mode != "delete" {
		return fmt.Errorf("journal mode stays %q", mode)
	}
	return db.Close()
}

// copyFile copies src to a new file dst (with copy_file_range where the system has it).
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
