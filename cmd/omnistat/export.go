package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/omnistat/omnistat/export"
	"github.com/omnistat/omnistat/internal/safefs"
	"github.com/omnistat/omnistat/stage"
	"github.com/spf13/cobra"
)

// exportOptions are the options of `omnistat export`.
type exportOptions struct {
	Format string // parquet
	Out    string
	Force  bool
	Group  groupOptions
	Traces []string
}

func newExportCmd(e *env, runF func(*env, *exportOptions) error) *cobra.Command {
	if runF == nil {
		runF = runExport
	}
	o := &exportOptions{}
	cmd := &cobra.Command{
		Use:   "export TRACE… -o DIR [--format parquet] [--stage NAME=RULE]…",
		Short: "Write the events with their stage, replica, thread, device and step as Parquet, for SQL engines",
		Long: `export writes, for each input, a folder DIR/<input name>/ of Parquet files: kernels, CUDA API
calls, memory operations and NVTX ranges, one row per event with its stage, replica, pid,
thread, device and step (the stages and steps of 'omnistat summarize'), plus stages.parquet (the
input, its stages and their processes, the capture window) and steps.parquet. DuckDB, Spark or
Trino then compute the per-stage summaries over any number of exports: docs/export.sql holds the
stage overview and the per-stage kernel, CUDA API and NVTX tables, equal to summarize's figures
(see docs/export.md).`,
		Example: `  omnistat export -o runs/ run.sqlite
  omnistat export --format parquet -o runs/ captures/*.sqlite
  duckdb -c "SELECT stage, sum(duration_ns) FROM 'runs/*/kernels.parquet' GROUP BY ALL"`,
		Args: minArgs(1, "TRACE: give one or more nsys SQLite exports"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Format != "parquet" {
				return usagef("unknown --format %q (use parquet)", o.Format)
			}
			if o.Out == "" || o.Out == "-" {
				return usagef("missing -o DIR: export writes a folder of files per input")
			}
			o.Traces = args
			if err := o.Group.parse([]stage.By{stage.ByStage}, "unknown --by %q"); err != nil {
				return err
			}
			return runF(e, o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Out, "output", "o", "", "output folder; each input gets a folder of Parquet files in it")
	f.StringVarP(&o.Format, "format", "f", "parquet", "file format: parquet")
	f.BoolVar(&o.Force, "force", false, "replace files in the output folder that omnistat did not write (by default they are kept and the run fails)")
	o.Group.addRuleFlags(f)
	return cmd
}

func runExport(e *env, o *exportOptions) error {
	inputs, err := expandInputs(o.Traces)
	if err != nil {
		return err
	}
	// one file exported twice would be two folders of the same events: a query over the
	// folders (docs/export.sql) would count them twice
	if err := distinctFor(inputs, "exported twice, a query over the folders would count its events twice"); err != nil {
		return err
	}
	d, err := safefs.OpenWith(o.Out, safefs.Options{Create: true, Force: o.Force})
	if err != nil {
		return fmt.Errorf("cannot write to %s: %w", o.Out, unwrapPath(err))
	}
	defer d.Close()
	var names safefs.Namer // folders are named from the inputs' file names
	for _, path := range inputs {
		tr, err := loadMerged(e, []string{path})
		if err != nil {
			return err
		}
		a := o.Group.assign(tr)
		// two inputs of one file name (runs/a/run.sqlite, runs/b/run.sqlite) get two folders
		folder := names.Fresh(strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)))
		// every file is checked (links, files omnistat did not write) before any is written, and
		// all are renamed into place only when all were written
		files := map[string]*safefs.File{}
		abort := func() {
			for _, f := range files {
				f.Abort()
			}
		}
		for _, name := range export.Files {
			f, err := d.Create(folder + "/" + name)
			if err != nil {
				abort()
				return err
			}
			files[name] = f
		}
		err = export.Write(tr, a, tr.Path, func(name string) io.Writer { return files[name] })
		if err == nil {
			err = e.ctx.Err() // interrupted: write nothing
		}
		if err != nil {
			abort()
			return err
		}
		for _, name := range export.Files {
			if err := files[name].Close(); err != nil {
				abort()
				return err
			}
		}
		fmt.Fprintf(e.stderr, "wrote %s\n", filepath.Join(o.Out, folder)+string(filepath.Separator))
	}
	return nil
}
