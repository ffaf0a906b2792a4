package capture

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/omnistat/omnistat/internal/tempfiles"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ExportOptions say where ExportSQLite may put an export and where it reports progress.
type ExportOptions struct {
	// CacheDir holds exports that cannot go beside their report; "" means
	// os.UserCacheDir()/omnistat (os.TempDir()/omnistat when there is none).
	CacheDir string
	// Progress gets one line before an export starts and one when waiting for another
	// omnistat exporting the same report; nil discards them.
	Progress io.Writer
	// Poll is how often a waiting export retries the lock; 0 means 50ms.
	Poll time.Duration
}

// ExportSQLite returns the SQLite export of the nsys report rep, exporting it with nsys through
// r when there is no usable one, and a note saying where and why when that is not X.sqlite
// beside X.nsys-rep.
//
// The export goes beside the report, as X.sqlite, when that file is absent or is one omnistat
// itself exported (a hidden marker .X.sqlite.omnistat beside it records its size and time and
// the report's); it is then replaced when the report changes. A user's own X.sqlite is never
// replaced: it is read when it is a valid SQLite file not older than the report, and otherwise
// the export goes to the cache folder, under a name keyed by the report's absolute path, size
// and modification time; so does an export whose report's folder cannot be written.
//
// Concurrent calls for one report, in this process or others, share one export: each takes a
// lock (a .X.sqlite.lock file beside the target; a no-op where flock is missing), and the
// ones that waited find the finished file. nsys writes to a unique temporary name in the
// target's folder, renamed into place only when it is a valid SQLite file; temporaries are
// removed on failure and when ctx is cancelled.
func ExportSQLite(ctx context.Context, r Runner, nsys, rep string, o ExportOptions) (path, note string, err error) {
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	if o.Poll <= 0 {
		o.Poll = 50 * time.Millisecond
	}
	abs, err := filepath.Abs(rep)
	if err != nil {
		return "", "", fmt.Errorf("export %s: %w", rep, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return "", "", fmt.Errorf("export %s: %w", rep, err)
	}
	if !st.Mode().IsRegular() {
		return "", "", fmt.Errorf("export %s: not a regular file", rep)
	}
	if CheckSQLite(abs) == nil {
		return rep, "", nil // already an export under another name
	}
	sibling := strings.TrimSuffix(rep, filepath.Ext(rep)) + ".sqlite"
	cache := cachePath(o.CacheDir, abs, st)
	cacheNote := func(why string) string {
		return fmt.Sprintf("%s; the export of %s is %s", why, rep, cache)
	}

	why := "" // why not beside the report; "" while that is still possible
	switch ours, fresh := made(sibling, st); {
	case ours && fresh:
		return sibling, "", nil
	case !ours:
		if ls, err := os.Lstat(sibling); err == nil {
			if cs, err := os.Stat(sibling); err == nil && cs.Mode().IsRegular() && !cs.ModTime().Before(st.ModTime()) && CheckSQLite(sibling) == nil {
				return sibling, "", nil // the user's own export, newer than the report
			}
			why = fmt.Sprintf("%s was not made by omnistat and %s, so it is left as it is", sibling, userFileProblem(sibling, ls, st))
		}
	}
	if why == "" {
		p, err := exportLocked(ctx, r, nsys, rep, sibling, st, o, false)
		if err == nil {
			return p, "", nil
		}
		var nb *notBesideError
		if !errors.As(err, &nb) {
			return "", "", err
		}
		why = nb.Error()
	}
	if ours, fresh := made(cache, st); ours && fresh {
		return cache, cacheNote(why), nil
	}
	if err := os.MkdirAll(filepath.Dir(cache), 0o755); err != nil {
		return "", "", fmt.Errorf("export %s: %s, and the cache folder cannot be made: %w", rep, why, err)
	}
	p, err := exportLocked(ctx, r, nsys, rep, cache, st, o, true)
	var nb *notBesideError
	if errors.As(err, &nb) {
		return "", "", fmt.Errorf("export %s: %s, and %w", rep, why, nb)
	}
	if err != nil {
		return "", "", err
	}
	return p, cacheNote(why), nil
}

// notBesideError means the export cannot be made at the place asked for, and why: the
// caller then uses the cache.
type notBesideError struct {
	why string
	err error // the cause, if any
}

func (e *notBesideError) Error() string {
	if e.err != nil {
		return e.why + ": " + e.err.Error()
	}
	return e.why
}

func (e *notBesideError) Unwrap() error { return e.err }

// userFileProblem says why a user's X.sqlite cannot serve as the export of the report.
func userFileProblem(p string, ls os.FileInfo, rst os.FileInfo) string {
	switch {
	case ls.Mode()&os.ModeSymlink != 0:
		return "is a symbolic link to a file older than the report or not valid SQLite"
	case ls.IsDir():
		return "is a folder"
	case !ls.Mode().IsRegular():
		return "is not a regular file"
	case ls.ModTime().Before(rst.ModTime()):
		return "is older than the report"
	}
	if err := CheckSQLite(p); err != nil {
		return "is not a valid SQLite file"
	}
	return "cannot be used"
}

// exportLocked makes target the export of rep under target's lock, unless another call made
// it while this one waited. A target omnistat did not make is replaced only when
// replaceUnowned is set (in the cache folder, which is omnistat's own). Failing to write in
// target's folder at all, or finding a user's file there, is a *notBesideError.
func exportLocked(ctx context.Context, r Runner, nsys, rep, target string, rst os.FileInfo, o ExportOptions, replaceUnowned bool) (string, error) {
	unlock, err := lock(ctx, lockPath(target), o.Poll, func() {
		fmt.Fprintf(o.Progress, "waiting for another omnistat exporting %s to %s\n", rep, target)
	})
	if err != nil {
		if ctx.Err() != nil {
			return "", fmt.Errorf("export %s: %w", rep, ctx.Err())
		}
		return "", &notBesideError{"cannot write in " + filepath.Dir(target), err}
	}
	defer unlock()
	// Decide again under the lock: another call may have exported it, or a user's file appeared.
	ours, fresh := made(target, rst)
	if ours && fresh {
		return target, nil
	}
	if _, err := os.Lstat(target); err == nil && !ours && !replaceUnowned {
		return "", &notBesideError{target + " appeared while waiting and was not made by omnistat, so it is left as it is", nil}
	}
	fmt.Fprintf(o.Progress, "exporting %s with %s to %s\n", rep, nsys, target)
	if err := exportTo(ctx, r, nsys, rep, target, rst); err != nil {
		return "", err
	}
	return target, nil
}

// exportTo runs nsys export into a fresh temporary file beside target and renames it into
// place, with its marker, when it is a valid SQLite file. On any failure it removes what it
// made and leaves target as it was.
func exportTo(ctx context.Context, r Runner, nsys, rep, target string, rst os.FileInfo) (err error) {
	dir, base := filepath.Dir(target), filepath.Base(target)
	f, err := os.CreateTemp(dir, "."+strings.TrimSuffix(base, ".sqlite")+".*.part.sqlite")
	if err != nil {
		return &notBesideError{"cannot write in " + dir, err}
	}
	tmp := f.Name()
	tempfiles.Add(tmp) // removed by an interrupted run's exit too
	defer tempfiles.Done(tmp)
	f.Chmod(rst.Mode().Perm() & 0o666) // as readable as the report it comes from
	f.Close()
	defer func() {
		if err != nil {
			for _, p := range []string{tmp, tmp + "-journal", tmp + "-wal", tmp + "-shm"} {
				os.Remove(p)
			}
		}
	}()
	var log bytes.Buffer
	rerr := r.Run(ctx, nsys, ExportArgs(rep, tmp), io.Discard, &log)
	if ctx.Err() != nil {
		return fmt.Errorf("export %s: %w", rep, ctx.Err())
	}
	if rerr != nil {
		if msg := lastLine(log.String()); msg != "" {
			return fmt.Errorf("export %s: %w: %s", rep, rerr, msg)
		}
		return fmt.Errorf("export %s: %w", rep, rerr)
	}
	if err := CheckSQLite(tmp); err != nil {
		return fmt.Errorf("export %s: nsys wrote no valid SQLite file: %w", rep, err)
	}
	ts, err := os.Stat(tmp)
	if err != nil {
		return fmt.Errorf("export %s: %w", rep, err)
	}
	if err := writeMarker(target, ts, rst); err != nil {
		return fmt.Errorf("export %s: %w", rep, err)
	}
	if err := os.Rename(tmp, target); err != nil {
		os.Remove(markerPath(target))
		return fmt.Errorf("export %s: %w", rep, err)
	}
	return nil
}

// cachePath is the export's place in the cache folder: one file per report path, size and
// modification time (the same names earlier omnistat versions used).
func cachePath(dir, abs string, st os.FileInfo) string {
	if dir == "" {
		if d, err := os.UserCacheDir(); err == nil {
			dir = filepath.Join(d, "omnistat")
		} else {
			dir = filepath.Join(os.TempDir(), "omnistat")
		}
	}
	h := sha256.Sum256(fmt.Appendf(nil, "%s|%d|%d", abs, st.Size(), st.ModTime().UnixNano()))
	base := strings.TrimSuffix(filepath.Base(abs), filepath.Ext(abs))
	return filepath.Join(dir, base+"-"+hex.EncodeToString(h[:8])+".sqlite")
}

// marker records that omnistat made an export: the export's size and time, and the report's.
type marker struct {
	Report      string `json:"report"` // base name
	ReportSize  int64  `json:"report_size"`
	ReportMtime int64  `json:"report_mtime_ns"`
	Size        int64  `json:"size"`
	Mtime       int64  `json:"mtime_ns"`
}

func markerPath(target string) string {
	return filepath.Join(filepath.Dir(target), "."+filepath.Base(target)+".omnistat")
}

func lockPath(target string) string {
	return filepath.Join(filepath.Dir(target), "."+filepath.Base(target)+".lock")
}

// made reports whether target is an export omnistat made (a regular file its marker
// describes) and, if so, whether it was made from the report as it is now and is valid.
func made(target string, rst os.FileInfo) (ours, fresh bool) {
	b, err := os.ReadFile(markerPath(target))
	if err != nil {
		return false, false
	}
	var m marker
	ts, err := os.Lstat(target)
	if err != nil || json.Unmarshal(b, &m) != nil || !ts.Mode().IsRegular() ||
		m.Size != ts.Size() || m.Mtime != ts.ModTime().UnixNano() {
		return false, false
	}
	fresh = m.Report == rst.Name() && m.ReportSize == rst.Size() && m.ReportMtime == rst.ModTime().UnixNano() &&
		CheckSQLite(target) == nil
	return true, fresh
}

// writeMarker writes target's marker through a temporary file renamed into place.
func writeMarker(target string, ts, rst os.FileInfo) error {
	b, _ := json.Marshal(marker{Report: rst.Name(), ReportSize: rst.Size(), ReportMtime: rst.ModTime().UnixNano(),
		Size: ts.Size(), Mtime: ts.ModTime().UnixNano()})
	p := markerPath(target)
	f, err := os.CreateTemp(filepath.Dir(p), filepath.Base(p)+".*.tmp")
	if err != nil {
		return fmt.Errorf("export marker: %w", err)
	}
	_, err = f.Write(append(b, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), p)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("export marker: %w", err)
	}
	return nil
}

// CheckSQLite says whether path looks like a complete SQLite database: the magic header, a
// valid page size, and a length that holds every page the header counts, so a truncated
// export is refused.
func CheckSQLite(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	h := make([]byte, 100)
	if _, err := io.ReadFull(f, h); err != nil || string(h[:16]) != "SQLite format 3\x00" {
		return fmt.Errorf("%s: not an SQLite file", path)
	}
	page := int64(h[16])<<8 | int64(h[17])
	if page == 1 {
		page = 65536
	}
	if page < 512 || page > 65536 || page&(page-1) != 0 {
		return fmt.Errorf("%s: bad SQLite page size %d", path, page)
	}
	if st.Size()%page != 0 {
		return fmt.Errorf("%s: truncated SQLite file (%d bytes, pages of %d)", path, st.Size(), page)
	}
	// The page count in the header is valid when the change counter matches version-valid-for.
	if n := int64(be32(h[28:])); n > 0 && be32(h[24:]) == be32(h[92:]) && st.Size() < n*page {
		return fmt.Errorf("%s: truncated SQLite file (%d bytes, header says %d pages of %d)", path, st.Size(), n, page)
	}
	return nil
}

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	return strings.TrimSpace(s[strings.LastIndexByte(s, '\n')+1:])
}
