// Package diff compares two traces stage by stage (Compare: stages matched by key, normalised
// per step) and evaluates CI gates on them (gate.go: the --fail-on grammar, ParseGate, Check).
//
// It returns models (*Result, GateResult) and never formats (package render writes them); it
// builds on package summary's tables and findings and never reads files.
package diff
