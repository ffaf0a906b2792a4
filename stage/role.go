package stage

import (
	"regexp"
	"strings"
)

// The rules that turn a process title into a role. Linux keeps 15 characters of a title
// (comm), so a title such as diffusion-rank-0 arrives as diffusion-rank-: the decorations are
// matched whole or cut.
var (
	// genericTitle are runtime and launcher names: they say nothing of what a process does.
	genericTitle = regexp.MustCompile(`^(?i)(python[0-9.]*|pt_main_thread|pt_autograd_\d*|java|node|sh|bash|dash|zsh|env|torchrun|accelerate|deepspeed|uvicorn|gunicorn|ray::\w*|ray|multiprocessing|spawn_main|forkserver|main|a\.out|omnistat|nsys|nsys-launcher|mpirun|mpiexec|orted|prted|prterun|srun|hydra_pmi_proxy|mpi)$`)
	// decoration is a rank, replica or parallelism suffix, possibly cut by the 15-character
	// limit: -rank-0, _rank_1, rank3, TP0, DP1, _replica_2, [3], -worker-1, trailing digits.
	decoration = regexp.MustCompile(`(?i)(?:[-_. ]*(?:local_rank|rank|replica|worker|proc|process|tp|dp|pp|ep|gpu|device|dev)[-_. ]?\d*|\[\d*\]?|[-_. ]+\d*|\d+)$`)
	// namespace is a framework prefix such as "vLLM-Omni::" before the role.
	namespace = regexp.MustCompile(`^.*::`)
)

// roleWords complete a role cut by the 15-character limit: a title of 15 characters whose role
// is a proper prefix (3 letters or more) of exactly one of these words gets the word
// (vLLM-Omni::DiffusionWorker arrives as vLLM-Omni::Diff: diffusion).
var roleWords = []string{"diffusion", "denoise", "denoiser", "talker", "thinker", "vocoder", "code2wav", "encoder", "decoder",
	"prefill", "decode", "tokenizer", "detokenizer", "scheduler", "generator", "embedding", "retriever", "reranker", "upsampler"}

// completeCut completes role when title looks cut (15 characters) and role is a prefix of one
// role word.
func completeCut(title, role string) string {
	if len(title) != 15 || len(role) < 3 {
		return role
	}
	found := ""
	for _, w := range roleWords {
		if strings.HasPrefix(w, role) && w != role {
			if found != "" && !strings.HasPrefix(w, found) && !strings.HasPrefix(found, w) {
				return role // ambiguous
			}
			if found == "" || len(w) < len(found) {
				found = w
			}
		}
	}
	if found == "" {
		return role
	}
	return found
}

// Role is what a process title says the process does, without its rank or replica decorations:
// diffusion-rank-0 (or its cut diffusion-rank-) → diffusion, tts_talker_TP1 → tts_talker,
// vLLM-Omni::DiffusionWorker_0 → diffusion, StageEngineCoreProc_stage0_replica0 (cut to
// StageEngineCore) → stageenginecore. Generic runtime names (python3, pt_main_thread, bash, …)
// give no role (""). Roles are lower case.
func Role(title string) string {
	t := strings.TrimSpace(title)
	if i := strings.LastIndex(t, "/"); i >= 0 && !strings.Contains(t, "::") { // ./build/src/clue/main: its file name
		t = t[i+1:]
	}
	if genericTitle.MatchString(t) {
		return ""
	}
	t = namespace.ReplaceAllString(t, "")
	for {
		u := decoration.ReplaceAllString(t, "")
		if u == "" {
			return "" // nothing but a decoration: rank0, 123
		}
		if u == t {
			break
		}
		t = u
	}
	if m := workerTitle.FindStringSubmatch(t); m != nil {
		t = m[1]
	}
	t = strings.Trim(t, "-_. :")
	if t == "" || genericTitle.MatchString(t) {
		return ""
	}
	return completeCut(strings.TrimSpace(title), strings.ToLower(t))
}

// launcherTitle are processes that start others (nsys's launcher, MPI and batch launchers,
// shells): the main thread's name says more of a process titled so (nsys-launcher runs an MPI
// rank whose main thread is "MPI Rank 3").
var launcherTitle = regexp.MustCompile(`^(?i)(nsys|nsys-launcher|mpirun|mpiexec|orted|prted|prterun|srun|hydra_pmi_proxy|sh|bash|dash|zsh|env|omnistat)$`)

// cutTitle is a title (or thread name) cut as Role cuts it, without Role's refusal of generic
// names: its file name, without a framework prefix and rank, replica and parallelism
// decorations, lower case (python3 → python, "MPI Rank 3" → mpi); "" when nothing but a
// decoration is left (rank0, 123).
func cutTitle(title string) string {
	t := strings.TrimSpace(title)
	if i := strings.LastIndex(t, "/"); i >= 0 && !strings.Contains(t, "::") {
		t = t[i+1:]
	}
	t = namespace.ReplaceAllString(t, "")
	for {
		u := decoration.ReplaceAllString(t, "")
		if u == "" {
			return ""
		}
		if u == t {
			break
		}
		t = u
	}
	return strings.ToLower(strings.Trim(t, "-_. :"))
}

// processName is the name of a process that no role rule names, for a stage that has no other
// stage without a role to be told apart from: its cut title, or its main thread's cut name when
// the title is a launcher's; from says which ("" when neither gives a name). Unlike the
// process's NVTX ranges, it does not depend on which ranges a capture window holds.
func processName(title, thread string) (name, from string) {
	if t := strings.TrimSpace(title); t != "" && !launcherTitle.MatchString(t) {
		if n := cutTitle(t); n != "" {
			return n, "title"
		}
	}
	if n := cutTitle(thread); n != "" && !launcherTitle.MatchString(n) {
		return n, "main thread"
	}
	return "", ""
}

// perOpRange says whether an NVTX range names one operation of a framework rather than a phase of
// the program (PyTorch's emit_nvtx: "aten::item, op_id = 12", "aten::linear, seq = 3"): such a
// range comes and goes with the ops a capture window holds, and is no stage name.
func perOpRange(r string) bool {
	return strings.HasPrefix(r, "aten::") || strings.Contains(r, "op_id") || opArgs.MatchString(r)
}

var opArgs = regexp.MustCompile(`,\s*\w+\s*=`)

// tidyName is a range as a stage name: without punctuation or blanks at either end
// ("item," → "item").
func tidyName(n string) string {
	return strings.TrimFunc(n, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r > 127)
	})
}

// familyWords are kernel families by the words their names carry, the more specific first
// (a convolution's implicit GEMM is a convolution; flash attention is attention).
var familyWords = []struct{ family, words string }{
	{"attention", "flash|fmha|attention|attn|sdpa"},
	{"conv", "conv|winograd|cudnn::cnn|implicit_convolve|fprop|wgrad|dgrad|nchwtonhwc|nhwctonchw"},
	{"gemv", "gemv|gemvx"},
	{"gemm", "gemm|matmul|xmma|cutlass|cublaslt|nvjet|splitkreduce"},
	{"norm", "layer_norm|layernorm|rms_norm|rmsnorm|group_norm|batch_norm|norm_kernel"},
	{"softmax", "softmax"},
	{"reduce", "reduce|argmax|argmin|topk|sort"},
	{"embedding", "embedding|index_select|gather|scatter"},
	{"copy", "copy|memcpy|cat_|transpose|permute"},
	{"elementwise", "elementwise|unrolled|vectorized|pointwise|activation|gelu|silu|relu|add|mul"},
}

var familyRes = func() []*regexp.Regexp {
	out := make([]*regexp.Regexp, len(familyWords))
	for i, f := range familyWords {
		out[i] = regexp.MustCompile(`(?i)` + f.words)
	}
	return out
}()

// knownFamily says whether f is one of the families of familyWords (not a kernel's first word).
func knownFamily(f string) bool {
	for _, w := range familyWords {
		if w.family == f {
			return true
		}
	}
	return false
}

// KernelFamily is the family of a kernel by the words of its name (gemm, conv, attention, …),
// else the first word of its name.
func KernelFamily(name string) string {
	for i, re := range familyRes {
		if re.MatchString(name) {
			return familyWords[i].family
		}
	}
	n := strings.TrimPrefix(name, "void ")
	if i := strings.IndexAny(n, "<(["); i >= 0 {
		n = n[:i]
	}
	if i := strings.LastIndex(n, "::"); i >= 0 {
		n = n[i+2:]
	}
	if w := strings.FieldsFunc(n, func(r rune) bool { return r == '_' || r == ' ' }); len(w) > 0 {
		return strings.ToLower(w[0])
	}
	return "kernel"
}

// Family is a range name with its numbers as N: vLLM's execute_context_2(40)_generation_0(0) and
// execute_context_0(0)_generation_3(3) are one family, execute_context_N(N)_generation_N(N). A
// number is a run of digits with no letter right before or after it, so digits inside a word
// stay (code2wav, stage0, fp16).
func Family(name string) string {
	isLetter := func(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }
	var out []byte
	for i := 0; i < len(name); {
		c := name[i]
		if c < '0' || c > '9' {
			out = append(out, c)
			i++
			continue
		}
		j := i
		for j < len(name) && name[j] >= '0' && name[j] <= '9' {
			j++
		}
		if (i > 0 && isLetter(name[i-1])) || (j < len(name) && isLetter(name[j])) {
			out = append(out, name[i:j]...)
		} else {
			out = append(out, 'N')
		}
		i = j
	}
	return string(out)
}
