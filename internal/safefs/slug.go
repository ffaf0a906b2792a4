package safefs

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"
)

// MaxSlug is the longest name, in bytes, that Slug returns.
const MaxSlug = 80

// hashLen is the number of hex digits of the hash that Slug appends to a name it cut or emptied.
const hashLen = 8

// Slug turns s, which may be any text (a process name from a trace, a user's label), into a
// file name that is safe on its own: only ASCII letters, digits, '.', '_' and '-'; every run of
// other characters (and of '_') becomes one '_'; no leading '.', '_' or '-' and no trailing '.'
// or '_'; at most MaxSlug bytes. A name that is cut keeps a hash of all of s at its end, so
// long names that differ only after the cut stay distinct; text with nothing usable becomes
// "unnamed" followed by its hash. The result is never empty, "." or "..", and Slug(Slug(s))
// equals Slug(s).
func Slug(s string) string {
	var b strings.Builder
	b.Grow(min(len(s), MaxSlug+hashLen))
	under := false
	for _, r := range s { // invalid UTF-8 comes as utf8.RuneError and is replaced
		if !allowed(r) || r == '_' {
			if !under {
				b.WriteByte('_')
			}
			under = true
			continue
		}
		under = false
		b.WriteRune(r)
	}
	out := strings.TrimRight(strings.TrimLeft(b.String(), "._-"), "._")
	switch {
	case out == "" && s == "":
		return "unnamed"
	case out == "":
		return "unnamed-" + shortHash(s)
	case len(out) > MaxSlug:
		return cut(out, MaxSlug-1-hashLen) + "-" + shortHash(s)
	}
	return out
}

// allowed reports whether r may appear in a slug.
func allowed(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-'
}

// cut shortens a slug to at most n bytes (slugs are ASCII, so every byte is a rune boundary)
// and drops the '.', '_' or '-' it may then end with.
func cut(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.TrimRight(s, "._-")
}

func shortHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])[:hashLen]
}

// IsSlug reports whether s is a name Slug leaves as it is, the form every component of a name
// given to Dir must have.
func IsSlug(s string) bool { return s != "" && Slug(s) == s }

// Namer hands out distinct slugs for labels: the first label with a given slug gets it, later
// ones get it with -2, -3, … appended, in call order; the same label asked again gets the name
// it got before. Names are compared without case, so they stay distinct on case-insensitive
// file systems. The zero Namer is ready to use and is safe for concurrent use.
type Namer struct {
	mu      sync.Mutex
	byLabel map[string]string
	used    map[string]bool // lower-cased names handed out or reserved
}

// Reserve marks names (file names the caller writes itself, such as "report.md") as taken.
func (n *Namer) Reserve(names ...string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.init()
	for _, s := range names {
		n.used[strings.ToLower(s)] = true
	}
}

// Name returns the slug for label, unique among the names this Namer has handed out.
func (n *Namer) Name(label string) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.init()
	if name, ok := n.byLabel[label]; ok {
		return name
	}
	name := n.next(label)
	n.byLabel[label] = name
	return name
}

// Fresh returns a slug for label that this Namer has not handed out before, even when label
// was asked for already: for things that share a label but must not share a name (two inputs
// named run.sqlite in different folders).
func (n *Namer) Fresh(label string) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.init()
	return n.next(label)
}

// next is the first of label's slug, then the slug with -2, -3, …, that is not taken; it
// takes it.
func (n *Namer) next(label string) string {
	base := Slug(label)
	name := base
	for i := 2; n.used[strings.ToLower(name)]; i++ {
		suffix := "-" + strconv.Itoa(i)
		name = cut(base, MaxSlug-len(suffix)) + suffix
	}
	n.used[strings.ToLower(name)] = true
	return name
}

func (n *Namer) init() {
	if n.byLabel == nil {
		n.byLabel = map[string]string{}
		n.used = map[string]bool{}
	}
}
