// Package summary builds the per-stage view of a trace (Build): the stage overview, each stage's
// step range and steady state (stepmodel.go: StepsOf, the warm-up rule), its top NVTX ranges
// with their GPU projection, kernels, CUDA APIs and memory operations, its replicas
// (replicas.go), the GPUs it runs on, and the findings with their numbers, what to try and the
// time at stake (judge.go: the steady window; findings.go, findings_copy.go, findings_gap.go,
// findings_gpu.go, overlap.go: every finding's rule and threshold; verdict.go: one finding per
// cause, ordered by time at stake; steps.go and stepfamily.go: the step range diff uses).
//
// Its tables come from package reports, so its numbers are nsys's. It returns a model
// (*Summary) and never formats: text, markdown, JSON and charts are package render's. It does
// not compare traces (package diff) and does not decide stages (package stage).
package summary
