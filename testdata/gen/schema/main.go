// Command schema makes the schema-matrix fixtures: for every nsys version in the schema dumps,
// the DDL of the tables omnistat reads (testdata/schema/<version>.ddl.sql), and one set of rows
// cut from a real export (testdata/schema/rows.jsonl) that the test loads into each.
//
//	go run ./testdata/gen/schema ../shared/docs/nsys-schema-dumps testdata/traces/go_tts_pageable.sqlite
package main

import (
	"bufio"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	_ "modernc.org/sqlite"
)

var tables = []string{"StringIds", "ThreadNames", "PROCESSES", "TARGET_INFO_GPU", "ENUM_CUDA_MEMCPY_OPER",
	"CUPTI_ACTIVITY_KIND_RUNTIME", "CUPTI_ACTIVITY_KIND_KERNEL", "CUPTI_ACTIVITY_KIND_MEMCPY", "CUPTI_ACTIVITY_KIND_MEMSET", "NVTX_EVENTS", "OSRT_API"}

var versionRe = regexp.MustCompile(`schema_nsys(\d{4}\.\d+\.\d+)`)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: schema DUMPS_DIR TRACE.sqlite")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "schema:", err)
		os.Exit(1)
	}
}

func run(dumps, trace string) error {
	files, _ := filepath.Glob(filepath.Join(dumps, "schema_*.sql"))
	for _, f := range files {
		m := versionRe.FindStringSubmatch(filepath.Base(f))
		if m == nil {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var ddl []string
		for _, stmt := range strings.SplitAfter(string(b), ";") {
			s := strings.TrimSpace(stmt)
			for _, t := range tables {
				if strings.HasPrefix(s, "CREATE TABLE "+t+" ") || strings.HasPrefix(s, "CREATE TABLE "+t+"(") {
					ddl = append(ddl, s)
				}
			}
		}
		out := filepath.Join("testdata/schema", m[1]+".ddl.sql")
		head := fmt.Sprintf("-- DDL of the tables omnistat reads, as nsys %s exports them (from %s).\n", m[1], filepath.Base(f))
		if err := os.WriteFile(out, []byte(head+strings.Join(ddl, "\n")+"\n"), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "%s: %d tables\n", out, len(ddl))
	}
	return rows(trace)
}

// rows cuts a window of the trace: the first 400 API calls, the GPU work they launched, the NVTX
// events and OS runtime calls of that time, and the strings, threads and processes they name.
func rows(trace string) error {
	db, err := sql.Open("sqlite", "file:"+trace+"?mode=ro&immutable=1")
	if err != nil {
		return err
	}
	defer db.Close()
	var lo, hi int64
	if err := db.QueryRow(`SELECT min(start), max("end") FROM (SELECT start, "end" FROM CUPTI_ACTIVITY_KIND_RUNTIME ORDER BY start LIMIT 400)`).Scan(&lo, &hi); err != nil {
		return err
	}
	window := fmt.Sprintf("start BETWEEN %d AND %d", lo, hi)
	queries := []struct{ table, cols, where string }{
		{"CUPTI_ACTIVITY_KIND_RUNTIME", `start, "end", eventClass, globalTid, correlationId, nameId, returnValue`, window},
		{"CUPTI_ACTIVITY_KIND_KERNEL", `start, "end", deviceId, contextId, streamId, correlationId, globalPid, demangledName, shortName, mangledName,
			gridX, gridY, gridZ, blockX, blockY, blockZ, registersPerThread, staticSharedMemory, dynamicSharedMemory, localMemoryPerThread, localMemoryTotal, gridId, sharedMemoryExecuted`,
			"correlationId IN (SELECT correlationId FROM CUPTI_ACTIVITY_KIND_RUNTIME WHERE " + window + ")"},
		{"CUPTI_ACTIVITY_KIND_MEMCPY", `start, "end", deviceId, contextId, streamId, correlationId, globalPid, bytes, copyKind, srcKind, dstKind, srcDeviceId, srcContextId, dstDeviceId, dstContextId`,
			"correlationId IN (SELECT correlationId FROM CUPTI_ACTIVITY_KIND_RUNTIME WHERE " + window + ")"},
		{"CUPTI_ACTIVITY_KIND_MEMSET", `start, "end", deviceId, contextId, streamId, correlationId, globalPid, value, bytes, memKind`,
			"correlationId IN (SELECT correlationId FROM CUPTI_ACTIVITY_KIND_RUNTIME WHERE " + window + ")"},
		{"NVTX_EVENTS", `start, "end", eventType, rangeId, category, color, text, globalTid, endGlobalTid, textId, domainId, int64Value`,
			fmt.Sprintf("(start <= %d AND coalesce(\"end\", start) >= %d) OR eventType IN (33, 75)", hi, lo)},
		{"OSRT_API", `start, "end", eventClass, globalTid, nameId, returnValue, nestingLevel, callchainId`, "1"},
		{"ThreadNames", `nameId, priority, globalTid`, "1"},
		{"PROCESSES", `globalPid, pid, name`, "globalPid IN (SELECT DISTINCT globalPid FROM CUPTI_ACTIVITY_KIND_KERNEL)"},
		{"TARGET_INFO_GPU", `vmId, id, name, busLocation, totalMemory, smCount`, "1"},
		{"ENUM_CUDA_MEMCPY_OPER", `id, name, label`, "1"},
	}
	f, err := os.Create("testdata/schema/rows.jsonl")
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	defer w.Flush()
	ids := map[int64]bool{}
	for _, q := range queries {
		rs, err := db.Query(fmt.Sprintf("SELECT %s FROM %s WHERE %s", q.cols, q.table, q.where))
		if err != nil {
			return fmt.Errorf("%s: %w", q.table, err)
		}
		cols, _ := rs.Columns()
		n := 0
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				return err
			}
			row := map[string]any{}
			for i, c := range cols {
				c = strings.Trim(c, `"`)
				if vals[i] == nil {
					continue
				}
				if b, ok := vals[i].([]byte); ok {
					vals[i] = string(b)
				}
				row[c] = vals[i]
				if strings.HasSuffix(c, "Id") || c == "demangledName" || c == "shortName" || c == "mangledName" {
					if v, ok := vals[i].(int64); ok && c != "correlationId" && c != "deviceId" && c != "contextId" && c != "streamId" && c != "domainId" && c != "rangeId" && c != "gridId" && c != "srcDeviceId" && c != "dstDeviceId" && c != "srcContextId" && c != "dstContextId" && c != "callchainId" {
						ids[v] = true
					}
				}
			}
			js, _ := json.Marshal(map[string]any{"t": q.table, "v": row})
			w.Write(append(js, '\n'))
			n++
		}
		rs.Close()
		fmt.Fprintf(os.Stderr, "%s: %d rows\n", q.table, n)
	}
	rs, err := db.Query("SELECT id, value FROM StringIds")
	if err != nil {
		return err
	}
	defer rs.Close()
	n := 0
	for rs.Next() {
		var id int64
		var v string
		rs.Scan(&id, &v)
		if ids[id] {
			js, _ := json.Marshal(map[string]any{"t": "StringIds", "v": map[string]any{"id": id, "value": v}})
			w.Write(append(js, '\n'))
			n++
		}
	}
	fmt.Fprintf(os.Stderr, "StringIds: %d rows\n", n)
	return nil
}
