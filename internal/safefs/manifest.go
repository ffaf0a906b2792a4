package safefs

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
)

// ManifestName is the file in an output folder's root that lists the files omnistat wrote
// there. It starts with '.', so it is never a slug and no Dir name can reach it.
const ManifestName = ".omnistat-files"

const manifestHeader = "# omnistat output manifest: SHA-256, size in bytes and name of each file omnistat wrote here"

// manifest maps a written file's name ('/'-separated) to its size and hash.
type manifest map[string]entry

type entry struct {
	size int64
	sum  string // SHA-256, lower-case hex
}

// loadManifest reads the manifest. A missing one is empty; lines that do not parse are
// dropped, so the files they named are treated as ones omnistat did not write.
func (d *Dir) loadManifest() (manifest, error) {
	m := manifest{}
	st, err := d.root.Lstat(ManifestName)
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return nil, fmt.Errorf("output folder manifest %s: %w", d.show(ManifestName), err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("output folder manifest %s is not a regular file (%s): remove it", d.show(ManifestName), st.Mode().Type())
	}
	f, err := d.root.OpenFile(ManifestName, os.O_RDONLY|oNoFollow, 0)
	if err != nil {
		return nil, fmt.Errorf("output folder manifest: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, rest, ok1 := strings.Cut(sc.Text(), " ")
		size, name, ok2 := strings.Cut(rest, " ")
		n, err := strconv.ParseInt(size, 10, 64)
		if !ok1 || !ok2 || err != nil || n < 0 || !isHexSum(sum) {
			continue
		}
		if name, err := checkName(name); err == nil {
			m[name] = entry{size: n, sum: sum}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("output folder manifest %s: %w", d.show(ManifestName), err)
	}
	return m, nil
}

func isHexSum(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// saveManifest writes the manifest the way every file is written: a fresh temporary file in
// the root renamed over the old manifest, which must be a regular file. d.mu is held.
func (d *Dir) saveManifest() error {
	var b bytes.Buffer
	b.WriteString(manifestHeader + "\n")
	names := make([]string, 0, len(d.man))
	for n := range d.man {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(&b, "%s %d %s\n", d.man[n].sum, d.man[n].size, n)
	}
	f, err := d.createTemp("", strings.TrimPrefix(ManifestName, "."), ManifestName)
	if err != nil {
		return err
	}
	f.done = true // committed here, not through File.Close
	_, err = f.f.Write(b.Bytes())
	if err == nil && d.opt.Sync {
		err = f.f.Sync()
	}
	if cerr := f.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		if st, lerr := d.root.Lstat(ManifestName); lerr == nil && !st.Mode().IsRegular() {
			err = fmt.Errorf("it is not a regular file (%s)", st.Mode().Type())
		}
	}
	if err == nil {
		err = d.root.Rename(f.tmp, ManifestName)
	}
	if err != nil {
		d.root.Remove(f.tmp)
		return fmt.Errorf("manifest %s: %w", d.show(ManifestName), err)
	}
	return nil
}
