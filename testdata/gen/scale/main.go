// Command scale makes a large, real-shaped nsys export from a small real one by replicating
// its event rows N times, each copy shifted in time (after the previous one) and in correlation
// id, keeping the schema and strings as nsys wrote them. It is how omnistat's benchmarks get
// 250 MB traces on any machine without committing them:
//
//	go run ./testdata/gen/scale -x 100 testdata/traces/tts_pageable.sqlite /tmp/tts_x100.sqlite
package main

import (
	"database/sql"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	_ "modernc.org/sqlite"
)

// tables are the event tables that get replicated.
var tables = []string{"CUPTI_ACTIVITY_KIND_RUNTIME", "CUPTI_ACTIVITY_KIND_KERNEL", "CUPTI_ACTIVITY_KIND_MEMCPY",
	"CUPTI_ACTIVITY_KIND_MEMSET", "CUPTI_ACTIVITY_KIND_SYNCHRONIZATION", "NVTX_EVENTS", "OSRT_API"}

func main() {
	times := flag.Int("x", 10, "how many copies of the events the output holds (1 = a plain copy)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: scale [-x N] IN.sqlite OUT.sqlite")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 2 || *times < 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := scale(flag.Arg(0), flag.Arg(1), *times); err != nil {
		fmt.Fprintln(os.Stderr, "scale:", err)
		os.Exit(1)
	}
}

func scale(in, out string, times int) error {
	if err := copyFile(in, out); err != nil {
		return err
	}
	db, err := sql.Open("sqlite", out)
	if err != nil {
		return err
	}
	defer db.Close()
	var lo, hi, maxCorr sql.NullInt64
	if err := db.QueryRow(`SELECT min(start), max("end") FROM CUPTI_ACTIVITY_KIND_RUNTIME`).Scan(&lo, &hi); err != nil {
		return fmt.Errorf("%s: no CUDA runtime table to scale: %w", in, err)
	}
	db.QueryRow(`SELECT max(correlationId) FROM CUPTI_ACTIVITY_KIND_RUNTIME`).Scan(&maxCorr)
	span := hi.Int64 - lo.Int64 + 1_000_000
	corrSpan := maxCorr.Int64 + 1
	t0 := time.Now()
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	for _, t := range tables {
		cols, err := columns(tx, t)
		if err != nil || len(cols) == 0 {
			continue // the export has no such table
		}
		var n int64
		tx.QueryRow("SELECT count(*) FROM " + t).Scan(&n)
		for k := 1; k < times; k++ {
			sel := make([]string, len(cols))
			for i, c := range cols {
				switch c {
				case "start", "end", "timestamp":
					sel[i] = fmt.Sprintf(`"%s" + %d`, c, int64(k)*span)
				case "correlationId":
					sel[i] = fmt.Sprintf(`"%s" + %d`, c, int64(k)*corrSpan)
				default:
					sel[i] = `"` + c + `"`
				}
			}
			q := fmt.Sprintf(`INSERT INTO %s ("%s") SELECT %s FROM %s WHERE rowid <= %d`, t,
				strings.Join(cols, `", "`), strings.Join(sel, ", "), t, n)
			if _, err := tx.Exec(q); err != nil {
				tx.Rollback()
				return fmt.Errorf("%s: %w", t, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	st, _ := os.Stat(out)
	fmt.Fprintf(os.Stderr, "scale: %s ×%d → %s (%d MB) in %s\n", in, times, out, st.Size()>>20, time.Since(t0).Round(time.Millisecond))
	return nil
}

func columns(tx *sql.Tx, table string) ([]string, error) {
	rows, err := tx.Query(fmt.Sprintf(`SELECT name FROM pragma_table_info('%s')`, table))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func copyFile(in, out string) error {
	src, err := os.Open(in)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(out, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}
