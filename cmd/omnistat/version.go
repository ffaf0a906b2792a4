package main

import (
	"runtime/debug"
	"strings"
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise versionString reads
// the build info.
var version = ""

// versionString is the version `omnistat --version` prints: the -X version, else the module
// version (`go install …@v1.2.3`), else the VCS commit the binary was built from (with
// "+dirty" for uncommitted changes and its date), else "unknown (no build info)".
func versionString() string {
	bi, ok := debug.ReadBuildInfo()
	return versionOf(version, bi, ok)
}

// versionOf is versionString on given build info, for tests.
func versionOf(set string, bi *debug.BuildInfo, ok bool) string {
	if set != "" {
		return set
	}
	if !ok || bi == nil {
		return "unknown (no build info)"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	s := map[string]string{}
	for _, kv := range bi.Settings {
		s[kv.Key] = kv.Value
	}
	rev := s["vcs.revision"]
	if rev == "" {
		return "devel (built without VCS information) " + bi.GoVersion
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	out := []string{"devel", rev}
	if s["vcs.modified"] == "true" {
		out[1] += "+dirty"
	}
	if t := s["vcs.time"]; t != "" {
		out = append(out, t)
	}
	return strings.Join(append(out, bi.GoVersion), " ")
}
