// Package summary builds the per-stage view of a trace (Build): the stage overview, each stage's
// top NVTX ranges with their GPU projection, kernels, CUDA APIs and memory operations, its
// replicas (replicas.go), the GPUs it runs on, and the findings with their numbers and what to
// try (findings.go: every finding's rule and threshold; steps.go: the per-step range).
//
// Its tables come from package reports, so its numbers are nsys's. It returns a model
// (*Summary) and never formats: text, markdown, JSON and charts are package render's. It does
// not compare traces (package diff) and does not decide stages (package stage).
package summary
