package safefs

import (
	"errors"
	"io/fs"
	"slices"
	"sort"
)

// Prune removes the files an earlier run of omnistat wrote into the folder that this run did not
// (keep lists this run's names), so a folder holds one consistent report and not, say, the charts
// of another trace. Only files the manifest lists with their current size and hash are removed —
// never one a user changed or made, never a link — and they leave the manifest. It returns the
// names removed, sorted. Only names for which match says yes are looked at (a report prunes its
// charts, not the files other verbs wrote into the same folder).
func (d *Dir) Prune(keep []string, match func(name string) bool) ([]string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var gone []string
	for name, e := range d.man {
		if slices.Contains(keep, name) || !match(name) {
			continue
		}
		st, err := d.root.Lstat(name)
		if errors.Is(err, fs.ErrNotExist) {
			delete(d.man, name) // already gone: forget it
			continue
		}
		if err != nil || !st.Mode().IsRegular() || st.Size() != e.size {
			continue
		}
		if sum, err := d.hashFile(name); err != nil || sum != e.sum {
			continue
		}
		if err := d.root.Remove(name); err != nil {
			continue
		}
		delete(d.man, name)
		gone = append(gone, name)
	}
	sort.Strings(gone)
	if len(gone) == 0 {
		return nil, nil
	}
	return gone, d.saveManifest()
}
