package stage_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/omnistat/omnistat/stage"
)

// specRule is the --stage rule grammar of docs and usage written out by hand, for FuzzParseRule:
// NAME=KIND:ARG with surrounding space dropped, NAME not blank (and trimmed), KIND one of pid
// (ARG a positive decimal int64), proc, thread, nvtx (ARG a Go regexp); the first '=' and the
// first ':' after it split the parts. The returned Rule holds no regexp (re is its source);
// Text is the input.
func specRule(s string) (r stage.Rule, re string, ok bool) {
	t := strings.TrimFunc(s, unicode.IsSpace)
	eq := strings.IndexByte(t, '=')
	if eq < 0 {
		return stage.Rule{}, "", false
	}
	name, rest := strings.TrimFunc(t[:eq], unicode.IsSpace), t[eq+1:]
	colon := strings.IndexByte(rest, ':')
	if name == "" || colon < 0 || colon == len(rest)-1 {
		return stage.Rule{}, "", false
	}
	kind, arg := rest[:colon], rest[colon+1:]
	r = stage.Rule{Name: name, Kind: kind, Text: s}
	switch kind {
	case "pid":
		n, err := strconv.ParseInt(arg, 10, 64)
		if err != nil || n < 1 {
			return stage.Rule{}, "", false
		}
		r.PID = n
	case "proc", "thread", "nvtx":
		if _, err := regexp.Compile(arg); err != nil {
			return stage.Rule{}, "", false
		}
		re = arg
	default:
		return stage.Rule{}, "", false
	}
	return r, re, true
}

// TestParseRuleGrammar: the parser accepts what the grammar accepts, on hand-picked edges.
func TestParseRuleGrammar(t *testing.T) {
	for _, s := range []string{
		"a=pid:1", "a=pid:0", "a=pid:-3", "a=pid:+4", "a=pid:9223372036854775807", "a=pid:9223372036854775808",
		" a =proc:x", "a=proc:", "a=proc:(", "=proc:x", "  =proc:x", "a=b=proc:x", "a=proc:x:y", "a=nvtx:a=b",
		"a:proc=x", "a=thread:.*", "a=Proc:x", "a= proc:x", "a\t=\tnvtx:x ", "x",
	} {
		r, err := stage.ParseRule(s)
		want, _, ok := specRule(s)
		if (err == nil) != ok {
			t.Errorf("%q: error %v, want ok=%v", s, err, ok)
			continue
		}
		if ok && (r.Name != want.Name || r.Kind != want.Kind || r.PID != want.PID || r.Text != want.Text) {
			t.Errorf("%q: %+v, want %+v", s, r, want)
		}
	}
}
