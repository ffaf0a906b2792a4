package stage

import "testing"

// Stage titles: the role form stageN_role (any N, any case), vLLM-omni engine titles with an
// optional replica (separators optional, the number anywhere in the title), worker classes,
// and titles that say nothing.
func TestFromTitle(t *testing.T) {
	for _, c := range []struct {
		title          string
		key            string
		order, replica int
		ok             bool
	}{
		{"stage0_talker", "talker", 0, -1, true},
		{"stage10_code2wav", "code2wav", 10, -1, true},
		{"Stage2_VAE", "vae", 2, -1, true},
		{"StageEngineCoreProc_stage0_replica0", "stage0", 0, 0, true},
		{"StageEngineCoreProc_stage3_replica1", "stage3", 3, 1, true},
		{"engine_stage12_replica_10", "stage12", 12, 10, true},
		{"_stage3_replica1", "stage3", 3, 1, true},
		{"stage_7", "stage7", 7, -1, true},
		{"x_stage3", "stage3", 3, -1, true},
		{"stage3_replica", "replica", 3, -1, true}, // the role form wins: "replica" is a role here
		{"DiffusionWorker", "diffusion", -1, -1, true},
		{"EncoderProc", "encoder", -1, -1, true},
		{"VAEProcess", "vae", -1, -1, true},
		{"Worker", "", -1, -1, false},
		{"python3", "", -1, -1, false},
		{"stage", "", -1, -1, false},
		{"", "", -1, -1, false},
	} {
		key, order, replica, ok := fromTitle(c.title)
		if key != c.key || order != c.order || replica != c.replica || ok != c.ok {
			t.Errorf("fromTitle(%q) = %q %d %d %v, want %q %d %d %v", c.title, key, order, replica, ok, c.key, c.order, c.replica, c.ok)
		}
	}
}

// dominantPrefix: the prefix with the most time; a tie goes to the smaller name; names without a
// dot, with an empty prefix or a prefix holding a space, colon or parenthesis say nothing.
func TestDominantPrefix(t *testing.T) {
	for _, c := range []struct {
		names map[string]int64
		want  string
	}{
		{map[string]int64{"talker.decode_step": 10, "code2wav.chunk": 9}, "talker"},
		{map[string]int64{"talker.a": 5, "talker.b": 5, "code2wav.chunk": 9}, "talker"},
		{map[string]int64{"b.x": 5, "a.y": 5}, "a"},
		{map[string]int64{"a.y": 0}, "a"},
		{map[string]int64{"decode_step": 100, ".x": 50, "a b.x": 40, "f(x).y": 30, "ns:x.y": 20, "ok.z": 1}, "ok"},
		{map[string]int64{"nodot": 1}, ""},
		{nil, ""},
	} {
		if got := dominantPrefix(c.names); got != c.want {
			t.Errorf("dominantPrefix(%v) = %q, want %q", c.names, got, c.want)
		}
	}
}
