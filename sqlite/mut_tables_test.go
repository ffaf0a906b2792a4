package sqlite

import (
	"database/sql"
	"reflect"
	"testing"

	"github.com/omnistat/omnistat/trace"
)

// queryRows runs q on db and returns each row's values as strings or int64s, as SQLite gives
// them.
func queryRows(t *testing.T, db *sql.DB, q string) [][]any {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, vals)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestReadSmallTables: the session start, the host, the processes, threads, GPUs and enum
// labels of the model are what SQLite reads from their tables, and the event class is read for
// OS runtime calls only.
func TestReadSmallTables(t *testing.T) {
	p := "../testdata/traces/foreign_repeat.2.sqlite"
	db, err := openDB(p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, opt := range []Options{{Mangled: true}, {SQLOnly: true, Mangled: true}} {
		tr, err := Read(ctx, p, opt)
		if err != nil {
			t.Fatal(err)
		}
		one := func(q string) any {
			r := queryRows(t, db, q)
			if len(r) != 1 {
				t.Fatalf("%s: %d rows", q, len(r))
			}
			return r[0][0]
		}
		if want := one(`SELECT utcEpochNs FROM TARGET_INFO_SESSION_START_TIME`); tr.SessionStartNs != want || tr.SessionStartNs == 0 {
			t.Errorf("session start %d, want %v", tr.SessionStartNs, want)
		}
		if want := one(`SELECT value FROM TARGET_INFO_SYSTEM_ENV WHERE name = 'Hostname'`); tr.Host != want || tr.Host == "" {
			t.Errorf("host %q, want %v", tr.Host, want)
		}
		var procs []trace.Process
		for _, r := range queryRows(t, db, `SELECT globalPid, pid, name FROM PROCESSES`) {
			procs = append(procs, trace.Process{GlobalPID: r[0].(int64), PID: r[1].(int64), Name: r[2].(string)})
		}
		var threads []trace.Thread
		for _, r := range queryRows(t, db, `SELECT t.globalTid, s.value, t.priority FROM ThreadNames t JOIN StringIds s ON s.id = t.nameId`) {
			threads = append(threads, trace.Thread{GlobalTID: r[0].(int64), Name: r[1].(string), Priority: r[2].(int64)})
		}
		var gpus []trace.GPU
		for _, r := range queryRows(t, db, `SELECT id, name, busLocation, smCount, totalMemory FROM TARGET_INFO_GPU`) {
			gpus = append(gpus, trace.GPU{ID: r[0].(int64), Name: r[1].(string), BusLocation: r[2].(string), SMCount: r[3].(int64), TotalMemory: r[4].(int64)})
		}
		enum := func(table string) map[int64]string {
			m := map[int64]string{}
			for _, r := range queryRows(t, db, `SELECT id, label FROM `+table) {
				m[r[0].(int64)] = r[1].(string)
			}
			return m
		}
		var classes []int64
		for _, r := range queryRows(t, db, `SELECT eventClass FROM OSRT_API ORDER BY rowid`) {
			classes = append(classes, r[0].(int64))
		}
		for _, c := range []struct {
			name      string
			got, want any
		}{
			{"processes", tr.Processes, procs}, {"threads", tr.Threads, threads}, {"GPUs", tr.GPUs, gpus},
			{"memcpy kinds", tr.MemcpyKinds, enum("ENUM_CUDA_MEMCPY_OPER")}, {"mem kinds", tr.MemKinds, enum("ENUM_CUDA_MEM_KIND")},
			{"enum tables", tr.EnumTables, true}, {"OSRT event classes", tr.OSRT.EventClass, classes},
			{"CUDA event classes", tr.Runtime.EventClass, []int64(nil)},
		} {
			if w := reflect.ValueOf(c.want); w.Kind() != reflect.Bool && w.Len() == 0 && c.name != "CUDA event classes" {
				t.Fatalf("SQLOnly %v: %s: none in the trace", opt.SQLOnly, c.name)
			}
			if !reflect.DeepEqual(c.got, c.want) {
				t.Errorf("SQLOnly %v: %s %v, want %v", opt.SQLOnly, c.name, c.got, c.want)
			}
		}
	}
}
