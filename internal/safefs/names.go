package safefs

import (
	"fmt"
	"path/filepath"
	"strings"
)

// checkName validates a name given to a Dir and returns it with '/' separators: relative,
// made of slug components, so it cannot leave the root by itself.
func checkName(name string) (string, error) {
	switch {
	case name == "":
		return "", fmt.Errorf("empty file name")
	case filepath.IsAbs(name) || strings.HasPrefix(name, "/") || strings.HasPrefix(name, `\`) || filepath.VolumeName(name) != "":
		return "", fmt.Errorf("file name %q is absolute: names must be relative to the output folder", name)
	}
	name = filepath.ToSlash(name)
	for _, c := range strings.Split(name, "/") {
		switch {
		case c == "..":
			return "", fmt.Errorf("file name %q escapes the output folder (it contains \"..\")", name)
		case c == "" || c == ".":
			return "", fmt.Errorf("file name %q has an empty or \".\" component", name)
		case !IsSlug(c):
			return "", fmt.Errorf("file name %q: component %q is not a safe name (pass it through safefs.Slug)", name, c)
		}
	}
	return name, nil
}

// splitName splits a checked name into its folder ("" for the root) and base name.
func splitName(name string) (dir, base string) {
	i := strings.LastIndexByte(name, '/')
	if i < 0 {
		return "", name
	}
	return name[:i], name[i+1:]
}

// join joins a folder and a base name as checkName's names are joined.
func join(dir, base string) string {
	if dir == "" {
		return base
	}
	return dir + "/" + base
}
