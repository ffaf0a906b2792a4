package main

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// summarized is what summarize --format json says of a trace: its stages and findings.
type summarized struct {
	Stages []struct {
		Stage    string `json:"stage"`
		Findings []struct {
			Message string `json:"message"`
		} `json:"findings"`
	} `json:"stages"`
	Findings []struct {
		Message string `json:"message"`
	} `json:"findings"`
}

func htmlSummarize(t *testing.T, db string) summarized {
	t.Helper()
	out, errOut, code := runCLI(t, "summarize", "--format", "json", db)
	if code != 0 {
		t.Fatalf("summarize %s: exit %d: %s", db, code, errOut)
	}
	var all []summarized
	if err := json.Unmarshal([]byte(out), &all); err != nil || len(all) != 1 {
		t.Fatalf("summarize %s: %v", db, err)
	}
	return all[0]
}

// messages lists every finding message of s, the whole trace's and each stage's.
func (s summarized) messages() []string {
	var out []string
	for _, f := range s.Findings {
		out = append(out, f.Message)
	}
	for _, st := range s.Stages {
		for _, f := range st.Findings {
			out = append(out, f.Message)
		}
	}
	return out
}

// reportHTML runs report on the traces and returns report.html's path and content.
func reportHTML(t *testing.T, traces ...string) (string, string) {
	t.Helper()
	dir := t.TempDir()
	var dbs []string
	for _, tr := range traces {
		dbs = append(dbs, "../../testdata/traces/"+tr+".sqlite")
	}
	_, errOut, code := runCLI(t, append(append([]string{"report"}, dbs...), "-o", dir)...)
	if code != 0 {
		t.Fatalf("report %v: exit %d: %s", traces, code, errOut)
	}
	p := filepath.Join(dir, "report.html")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return p, string(b)
}

// TestReportHTML: report.html sits beside report.md, is one self-contained file (nothing
// fetched: no src, no link but to the page itself, no url()), under 2 MB, and holds every stage
// and every finding of summarize.
func TestReportHTML(t *testing.T) {
	for _, name := range []string{"foreign_warmup_tts", "foreign_rank_split", "foreign_vllm_omni", "go_diffusion_w2", "go_tts_pageable"} {
		_, page := reportHTML(t, name)
		t.Logf("%s: report.html is %d bytes", name, len(page))
		if len(page) > 2<<20 {
			t.Errorf("%s: report.html is %d bytes, over 2 MB", name, len(page))
		}
		for _, bad := range []string{" src=", "url(", "@import", "fetch(", "XMLHttpRequest", "<link", "<iframe"} {
			if strings.Contains(page, bad) {
				t.Errorf("%s: report.html contains %q: not self-contained", name, bad)
			}
		}
		for _, m := range regexp.MustCompile(`href="([^"]*)"`).FindAllStringSubmatch(page, -1) {
			if !strings.HasPrefix(m[1], "#") {
				t.Errorf("%s: link to %s", name, m[1])
			}
		}
		s := htmlSummarize(t, "../../testdata/traces/"+name+".sqlite")
		for _, st := range s.Stages {
			if !strings.Contains(page, `<section class="stage" id="t0-s`) || !strings.Contains(page, `data-stage="`+html.EscapeString(st.Stage)+`"`) {
				t.Errorf("%s: stage %s missing", name, st.Stage)
			}
		}
		for _, m := range s.messages() {
			if !strings.Contains(page, html.EscapeString(m)) {
				t.Errorf("%s: finding missing: %s", name, m)
			}
		}
		if !strings.Contains(page, `class="tl-data"`) || !strings.Contains(page, "<svg") {
			t.Errorf("%s: no timeline data or no charts", name)
		}
	}
}

// chromium finds the browser. Without one the browser test is skipped, unless CI is set: CI
// installs it (.ci/run), so there its absence is a failure.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "" {
		t.Skip("no chromium (CI installs it: apt-get install chromium)")
	}
	t.Fatal("CI is set and chromium is missing (.ci/run installs it)")
	return ""
}

// browse opens url in headless Chromium with args (--dump-dom, --screenshot=…) and returns
// its stdout and stderr (with the page's console lines).
func browse(t *testing.T, bin, url string, args ...string) (string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	all := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
		"--enable-logging=stderr", "--v=0", "--user-data-dir=" + t.TempDir(), "--virtual-time-budget=5000"}, args...)
	cmd := exec.CommandContext(ctx, bin, append(all, url)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v\n%s", bin, args, err, errb.String())
	}
	return out.String(), errb.String()
}

// views reads the visible window of each timeline from the DOM: the page writes it into the
// timeline's <output> after every draw.
func views(t *testing.T, dom string) [][3]float64 {
	t.Helper()
	var out [][3]float64
	for _, o := range regexp.MustCompile(`<output[^>]*>`).FindAllString(dom, -1) {
		var v [3]float64
		for i, a := range []string{"data-start-ms", "data-end-ms", "data-full-ms"} {
			m := regexp.MustCompile(a + `="([0-9.]+)"`).FindStringSubmatch(o)
			if m == nil {
				t.Fatalf("timeline output without %s: %s", a, o)
			}
			v[i], _ = strconv.ParseFloat(m[1], 64)
		}
		out = append(out, v)
	}
	return out
}

// domText is s as Chromium serialises a text node.
var domText = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\u00a0", "&nbsp;")

// consoleLine is a line Chromium logs for the page's console (any level) or an uncaught error.
var consoleLine = regexp.MustCompile(`(?m)^.*(:CONSOLE|Uncaught).*$`)

// TestReportHTMLBrowser opens report.html from a file:// URL in headless Chromium: no console
// output and no error at all, every stage and finding of summarize on the page, the timelines
// zoom (#zoom=0.25 shows a quarter of the window, #zoom=…&at=… moves it), hovering a span shows
// its numbers, and a screenshot is kept as the test's artifact (go test -artifacts).
func TestReportHTMLBrowser(t *testing.T) {
	bin := chromium(t)
	for _, c := range []struct {
		name   string
		traces []string
	}{
		{"warmup", []string{"foreign_warmup_tts"}},
		{"two_traces", []string{"foreign_rank_split", "go_diffusion_w2"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path, _ := reportHTML(t, c.traces...)
			abs, _ := filepath.Abs(path)
			url := "file://" + abs
			dom, errOut := browse(t, bin, url, "--dump-dom")
			if m := consoleLine.FindAllString(errOut, -1); len(m) > 0 {
				t.Errorf("console output or errors:\n%s", strings.Join(m, "\n"))
			}
			if !strings.Contains(dom, `data-ready="1"`) {
				t.Errorf("the page's script did not finish")
			}
			if m := regexp.MustCompile(`<pre id="errors"[^>]*>([^<]*)</pre>`).FindStringSubmatch(dom); m == nil || m[1] != "" || !strings.Contains(m[0], "hidden") {
				t.Errorf("page errors: %v", m)
			}
			for _, tr := range c.traces {
				s := htmlSummarize(t, "../../testdata/traces/"+tr+".sqlite")
				for _, st := range s.Stages {
					if !strings.Contains(dom, `data-stage="`+domText.Replace(st.Stage)+`"`) {
						t.Errorf("%s: stage %s not on the page", tr, st.Stage)
					}
				}
				for _, m := range s.messages() {
					if !strings.Contains(dom, domText.Replace(m)) {
						t.Errorf("%s: finding not on the page: %s", tr, m)
					}
				}
			}
			whole := views(t, dom)
			if len(whole) != len(c.traces) {
				t.Fatalf("%d timelines, want %d", len(whole), len(c.traces))
			}
			for _, v := range whole {
				if v[0] != 0 || math.Abs(v[1]-v[2]) > 1e-6 || v[2] <= 0 {
					t.Errorf("whole window: %v, want 0 to full", v)
				}
			}
			zoomed, _ := browse(t, bin, url+"#zoom=0.25", "--dump-dom")
			for i, v := range views(t, zoomed) {
				if w := v[1] - v[0]; math.Abs(w-0.25*v[2]) > 0.001*v[2] || v[0] <= 0 {
					t.Errorf("timeline %d at #zoom=0.25: %v, want a quarter of %v in the middle", i, v, whole[i])
				}
			}
			moved, _ := browse(t, bin, url+"#zoom=0.1&at=0.9", "--dump-dom")
			for i, v := range views(t, moved) {
				if mid := (v[0] + v[1]) / 2; math.Abs(mid-0.9*v[2]) > 0.001*v[2] || math.Abs(v[1]-v[0]-0.1*v[2]) > 0.001*v[2] {
					t.Errorf("timeline %d at #zoom=0.1&at=0.9: %v", i, v)
				}
			}
			// hovering a span shows its numbers: the page moves the pointer over a lane's first span
			// (#hover=L) through the canvas's own pointer event
			for lane, want := range map[int]string{0: "step ", 1: "GPU busy "} {
				hovered, _ := browse(t, bin, url+"#hover="+strconv.Itoa(lane), "--dump-dom")
				m := regexp.MustCompile(`<div class="tl-tip" style="([^"]*)">([^<]*)</div>`).FindStringSubmatch(hovered)
				if m == nil || !strings.Contains(m[1], "display: block") || !strings.Contains(m[2], want) || !strings.Contains(m[2], " ms") {
					t.Errorf("hover over lane %d: tooltip %q, want %q and times", lane, m, want)
				}
			}
			shot := filepath.Join(t.ArtifactDir(), "report_"+c.name+".png")
			browse(t, bin, url, "--window-size=1400,1800", "--screenshot="+shot)
			f, err := os.Open(shot)
			if err != nil {
				t.Fatalf("no screenshot: %v", err)
			}
			defer f.Close()
			img, err := png.Decode(f)
			if err != nil || img.Bounds().Dx() != 1400 {
				t.Fatalf("screenshot: %v %v", err, img.Bounds())
			}
			t.Logf("screenshot: %s", shot)
		})
	}
}

// In report.html, as in report.md, a kernel reads the same in every stage's table and two
// kernels never read alike: each kernel cell's text (its short name) stands for one signature
// (its title) and each signature has one text, over the whole page.
func TestReportHTMLKernelNamesOnePerPage(t *testing.T) {
	for _, tr := range []string{"foreign_vllm_omni", "foreign_graphs_timeslice"} {
		_, page := reportHTML(t, tr)
		cell := regexp.MustCompile(`<td class="k" title="([^"]*)">([^<]*)</td>`)
		short, full := map[string]string{}, map[string]string{}
		kernels := 0
		for _, m := range cell.FindAllStringSubmatch(page, -1) {
			sig, name := html.UnescapeString(m[1]), html.UnescapeString(m[2])
			if sig == name || !strings.Contains(sig, "(") && len(sig) < 60 {
				continue // a long range or a plain kernel name, not a shortened signature
			}
			kernels++
			if s, ok := short[sig]; ok && s != name {
				t.Errorf("%s: %q reads %q and %q", tr, sig, s, name)
			}
			if f, ok := full[name]; ok && f != sig {
				t.Errorf("%s: %q stands for %q and %q", tr, name, f, sig)
			}
			short[sig], full[name] = name, sig
		}
		if kernels == 0 {
			t.Fatalf("%s: no shortened kernel cell in report.html", tr)
		}
	}
}
