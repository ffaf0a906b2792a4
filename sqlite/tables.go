package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/omnistat/omnistat/trace"
)

func readProcesses(ctx context.Context, db *sql.DB, s *schema, tr *trace.Trace) error {
	acc := accessOf(ctx)
	for _, t := range []string{"PROCESSES", "ThreadNames", "StringIds", "TARGET_INFO_GPU"} {
		if err := acc.check(s, t); err != nil {
			return fmt.Errorf("read %s: %w", t, err)
		}
	}
	if s.tables["PROCESSES"] {
		rows, err := db.QueryContext(ctx, `SELECT coalesce(globalPid, 0), coalesce(pid, 0), coalesce(name, '') FROM PROCESSES`)
		if err != nil {
			return fmt.Errorf("read PROCESSES: %w", err)
		}
		for rows.Next() {
			var p trace.Process
			if err := rows.Scan(&p.GlobalPID, &p.PID, &p.Name); err != nil {
				rows.Close()
				return fmt.Errorf("read PROCESSES: %w", err)
			}
			tr.Processes = append(tr.Processes, p)
		}
		rows.Close()
	}
	if s.tables["ThreadNames"] {
		rows, err := db.QueryContext(ctx, `SELECT coalesce(t.globalTid, 0), coalesce(s.value, ''), coalesce(t.priority, 0)
			FROM ThreadNames t LEFT JOIN StringIds s NOT INDEXED ON s.id = t.nameId`)
		if err != nil {
			return fmt.Errorf("read ThreadNames: %w", err)
		}
		for rows.Next() {
			var t trace.Thread
			if err := rows.Scan(&t.GlobalTID, &t.Name, &t.Priority); err != nil {
				rows.Close()
				return fmt.Errorf("read ThreadNames: %w", err)
			}
			tr.Threads = append(tr.Threads, t)
		}
		rows.Close()
	}
	if s.tables["TARGET_INFO_GPU"] {
		str := func(c string) string {
			if s.has("TARGET_INFO_GPU", c) {
				return fmt.Sprintf("coalesce(%s, '')", quoteIdent(c))
			}
			return "''"
		}
		num := func(c string) string {
			if s.has("TARGET_INFO_GPU", c) {
				return fmt.Sprintf("coalesce(%s, 0)", quoteIdent(c))
			}
			return "0"
		}
		q := fmt.Sprintf(`SELECT %s, %s, %s, %s, %s FROM TARGET_INFO_GPU`, num("id"), str("name"), str("busLocation"), num("smCount"), num("totalMemory"))
		rows, err := db.QueryContext(ctx, q)
		if err != nil {
			return fmt.Errorf("read TARGET_INFO_GPU: %w", err)
		}
		for rows.Next() {
			var g trace.GPU
			if err := rows.Scan(&g.ID, &g.Name, &g.BusLocation, &g.SMCount, &g.TotalMemory); err != nil {
				rows.Close()
				return fmt.Errorf("read TARGET_INFO_GPU: %w", err)
			}
			tr.GPUs = append(tr.GPUs, g)
		}
		rows.Close()
	}
	return nil
}

// builtinMemcpyKinds are ENUM_CUDA_MEMCPY_OPER's labels, for exports older than that table.
var builtinMemcpyKinds = map[int64]string{
	0: "Unknown", 1: "Host-to-Device", 2: "Device-to-Host", 3: "Host-to-Array", 4: "Array-to-Host",
	5: "Array-to-Array", 6: "Array-to-Device", 7: "Device-to-Array", 8: "Device-to-Device",
	9: "Host-to-Host", 10: "Peer-to-Peer", 11: "Unified Host-to-Device", 12: "Unified Device-to-Host",
	13: "Unified Device-to-Device",
}

// builtinMemKinds are ENUM_CUDA_MEM_KIND's labels, for exports older than that table.
var builtinMemKinds = map[int64]string{
	0: "Pageable", 1: "Pinned", 2: "Device", 3: "Array", 4: "Managed", 5: "Device Static",
	6: "Managed Static", 7: "Unknown",
}

func readEnums(ctx context.Context, db *sql.DB, s *schema, tr *trace.Trace) error {
	read := func(table string, builtin map[int64]string) (map[int64]string, error) {
		if !s.tables[table] {
			return builtin, nil
		}
		if err := accessOf(ctx).check(s, table); err != nil {
			return nil, fmt.Errorf("read %s: %w", table, err)
		}
		rows, err := db.QueryContext(ctx, fmt.Sprintf(`SELECT id, coalesce(label, '') FROM %s`, table))
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", table, err)
		}
		defer rows.Close()
		m := map[int64]string{}
		for rows.Next() {
			var id int64
			var l string
			if err := rows.Scan(&id, &l); err != nil {
				return nil, fmt.Errorf("read %s: %w", table, err)
			}
			m[id] = l
		}
		return m, rows.Err()
	}
	var err error
	tr.EnumTables = s.tables["ENUM_CUDA_MEMCPY_OPER"]
	if tr.MemcpyKinds, err = read("ENUM_CUDA_MEMCPY_OPER", builtinMemcpyKinds); err != nil {
		return err
	}
	tr.MemKinds, err = read("ENUM_CUDA_MEM_KIND", builtinMemKinds)
	return err
}

// readAPI reads API calls; the columns no report uses (return values; the event class of CUDA
// calls, which nsys's CUDA reports ignore) stay unread to keep big traces small in memory.
func readAPI(ctx context.Context, db *sql.DB, s *schema, table string, a *trace.APICalls, returns bool) error {
	cols := []intCol{
		{name: "start", dst: &a.Start}, {name: "end", dst: &a.End}, codeCol("globalTid", &a.GlobalTID), idCol("correlationId", &a.CorrID), idCol("nameId", &a.NameID),
	}
	if table == "OSRT_API" {
		cols = append(cols, intCol{name: "eventClass", dst: &a.EventClass})
	}
	if returns {
		cols = append(cols, intCol{name: "returnValue", dst: &a.ReturnValue})
	}
	return readInts(ctx, db, s, table, "", cols)
}

func readKernels(ctx context.Context, db *sql.DB, s *schema, k *trace.Kernels, opt Options) error {
	// launch geometry and stream are read for the trace reports only, the context for the
	// analyze rules too, the mangled names for the reports asked for them
	cols := []intCol{
		{name: "start", dst: &k.Start}, {name: "end", dst: &k.End}, codeCol("globalPid", &k.GlobalPID), idCol("correlationId", &k.CorrID),
		codeCol("deviceId", &k.Device), idCol("demangledName", &k.Demangled), idCol("shortName", &k.Short),
		{name: "graphNodeId", dst: &k.GraphNodeID, sparse: true},
	}
	if opt.Mangled {
		cols = append(cols, idCol("mangledName", &k.Mangled))
	}
	if opt.Details || opt.Trace {
		cols = append(cols, intCol{name: "contextId", dst: &k.Context})
	}
	if opt.Trace { // what cuda_gpu_trace and cuda_kern_exec_* print
		cols = append(cols, intCol{name: "streamId", dst: &k.Stream}, intCol{name: "gridX", dst: &k.GridX}, intCol{name: "gridY", dst: &k.GridY},
			intCol{name: "gridZ", dst: &k.GridZ}, intCol{name: "blockX", dst: &k.BlockX}, intCol{name: "blockY", dst: &k.BlockY}, intCol{name: "blockZ", dst: &k.BlockZ},
			intCol{name: "registersPerThread", dst: &k.Registers}, intCol{name: "staticSharedMemory", dst: &k.StaticSMem},
			intCol{name: "dynamicSharedMemory", dst: &k.DynamicSMem}, intCol{name: "greenContextId", dst: &k.GreenContext})
	}
	if err := readInts(ctx, db, s, "CUPTI_ACTIVITY_KIND_KERNEL", "", cols); err != nil {
		return err
	}
	k.GraphNodeID = trace.NilIfAllNull(k.GraphNodeID) // most captures launch no graph
	return nil
}

func readMemcpy(ctx context.Context, db *sql.DB, s *schema, m *trace.Memcpy, details bool) error {
	cols := []intCol{
		{name: "start", dst: &m.Start}, {name: "end", dst: &m.End}, codeCol("globalPid", &m.GlobalPID), idCol("correlationId", &m.CorrID),
		codeCol("deviceId", &m.Device), {name: "bytes", dst: &m.Bytes}, {name: "copyKind", dst: &m.CopyKind}, {name: "srcKind", dst: &m.SrcKind}, {name: "dstKind", dst: &m.DstKind},
		{name: "graphNodeId", dst: &m.GraphNodeID},
		// the copy rules' selection, which the summary's copy findings use too
		{name: "srcDeviceId", dst: &m.SrcDevice}, {name: "dstDeviceId", dst: &m.DstDevice},
	}
	if details {
		cols = append(cols, intCol{name: "contextId", dst: &m.Context}, intCol{name: "streamId", dst: &m.Stream}, intCol{name: "greenContextId", dst: &m.GreenContext})
	}
	return readInts(ctx, db, s, "CUPTI_ACTIVITY_KIND_MEMCPY", "", cols)
}

func readMemset(ctx context.Context, db *sql.DB, s *schema, m *trace.Memset, details bool) error {
	cols := []intCol{
		{name: "start", dst: &m.Start}, {name: "end", dst: &m.End}, codeCol("globalPid", &m.GlobalPID), idCol("correlationId", &m.CorrID),
		codeCol("deviceId", &m.Device), {name: "bytes", dst: &m.Bytes}, {name: "memKind", dst: &m.MemKind}, {name: "graphNodeId", dst: &m.GraphNodeID},
	}
	if details {
		cols = append(cols, intCol{name: "contextId", dst: &m.Context}, intCol{name: "streamId", dst: &m.Stream}, intCol{name: "greenContextId", dst: &m.GreenContext})
	}
	return readInts(ctx, db, s, "CUPTI_ACTIVITY_KIND_MEMSET", "", cols)
}

func readOverhead(ctx context.Context, db *sql.DB, s *schema, o *trace.Overhead) error {
	return readInts(ctx, db, s, "PROFILER_OVERHEAD", "", []intCol{
		{name: "start", dst: &o.Start}, {name: "end", dst: &o.End}, {name: "globalTid", dst: &o.GlobalTID}, idCol("nameId", &o.NameID),
	})
}

// readNVTX reads NVTX_EVENTS; inline texts are interned so repeated messages cost one string.
func readNVTX(ctx context.Context, db *sql.DB, s *schema, n *trace.NVTX) error {
	const t = "NVTX_EVENTS"
	if !s.tables[t] {
		return nil
	}
	intCols := []intCol{
		{name: "start", dst: &n.Start}, {name: "end", dst: &n.End}, {name: "eventType", dst: &n.EventType}, {name: "rangeId", dst: &n.RangeID},
		{name: "category", dst: &n.Category}, {name: "color", dst: &n.Color}, {name: "globalTid", dst: &n.GlobalTID},
		{name: "endGlobalTid", dst: &n.EndGlobalTID}, {name: "textId", dst: &n.TextID}, {name: "domainId", dst: &n.DomainID},
	}
	exprs := ""
	for _, c := range intCols {
		if s.has(t, c.name) {
			exprs += fmt.Sprintf("coalesce(%s, %d), ", quoteIdent(c.name), trace.Null)
		} else {
			exprs += fmt.Sprintf("%d, ", trace.Null)
		}
	}
	payload := fmt.Sprint(trace.Null)
	var ps []string
	for _, c := range []string{"int64Value", "uint64Value", "int32Value", "uint32Value"} {
		if s.has(t, c) {
			ps = append(ps, quoteIdent(c))
		}
	}
	if len(ps) > 0 {
		payload = fmt.Sprintf("coalesce(%s, %d)", joinComma(ps), trace.Null)
	}
	names := []string{"int64Value", "uint64Value", "int32Value", "uint32Value"}
	for _, c := range intCols {
		names = append(names, c.name)
	}
	acc := accessOf(ctx)
	if pg := acc.scanner(); pg != nil && s.scannable(t, names, "text") {
		err := scanNVTX(pg, s, intCols, n)
		if err == nil || !errors.Is(err, errUnusual) {
			return err
		}
		// a well-formed table with a value the scanner does not convert (a real in an integer
		// column, a blob as text): SQL reads it as nsys would, or fails as database/sql does
		deferred.Add(1)
		*n = trace.NVTX{}
	} else if err := acc.check(s, t); err != nil {
		return fmt.Errorf("read %s: %w", t, err)
	}
	text := "NULL"
	if s.has(t, "text") {
		text = "text"
	}
	var count int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM NVTX_EVENTS NOT INDEXED").Scan(&count); err != nil {
		return fmt.Errorf("read NVTX_EVENTS: %w", err)
	}
	count = min(count, s.maxRows)
	for _, c := range intCols {
		*c.dst = make([]int64, 0, count)
	}
	n.Payload = make([]int64, 0, count)
	n.Text = make([]int32, 0, count)
	rows, err := db.QueryContext(ctx, fmt.Sprintf("SELECT %s%s, %s FROM NVTX_EVENTS", exprs, payload, text))
	if err != nil {
		return fmt.Errorf("read NVTX_EVENTS: %w", err)
	}
	defer rows.Close()
	vals := make([]int64, len(intCols)+1)
	ptrs := make([]any, len(vals)+1)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	// the text scans into a NullString, not RawBytes: database/sql hands a RawBytes a slice of
	// a buffer of its own, nil for an empty text until a longer text has set it, so an empty
	// text on the first rows would read as a missing one (the scanner reads it as a text); the
	// driver makes a string of each text anyway, which a NullString takes without a copy
	var raw sql.NullString
	ptrs[len(vals)] = &raw
	intern := map[string]int32{}
	for rows.Next() {
		// Scan sets raw.Valid false for NULL, else raw.String to the text, or to what SQL
		// converts a number or a blob in the text column to (its digits, its bytes), as it
		// does into a RawBytes
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("read NVTX_EVENTS: %w", err)
		}
		for i, c := range intCols {
			*c.dst = append(*c.dst, vals[i])
		}
		n.Payload = append(n.Payload, vals[len(intCols)])
		idx := int32(-1)
		if raw.Valid {
			var ok bool
			if idx, ok = intern[raw.String]; !ok {
				idx = int32(len(n.Texts))
				s := raw.String
				n.Texts = append(n.Texts, s)
				intern[s] = idx
			}
		}
		n.Text = append(n.Text, idx)
	}
	return rows.Err()
}

func joinComma(xs []string) string {
	out := ""
	for i, x := range xs {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}

// scanNVTX reads NVTX_EVENTS with the file-format scanner, one worker so that texts come in row
// order and are interned as they come: the integer columns, the payload (the first of the four
// value columns that is not NULL) and the inline text.
func scanNVTX(pg *pager, s *schema, intCols []intCol, n *trace.NVTX) error {
	const t = "NVTX_EVENTS"
	col := func(name string) int { return s.recordCol(t, name) }
	spec := scanSpec{text: -1}
	for _, c := range intCols {
		spec.cols, spec.dst = append(spec.cols, col(c.name)), append(spec.dst, c.dst)
	}
	payload := make([][]int64, 4)
	for i, c := range []string{"int64Value", "uint64Value", "int32Value", "uint32Value"} {
		spec.cols, spec.dst = append(spec.cols, col(c)), append(spec.dst, &payload[i])
	}
	intern := map[string]int32{}
	if c := col("text"); c >= 0 {
		spec.text = c
		spec.onText = func(r int, b []byte) error {
			if r != len(n.Text) {
				return errors.New("scanner: texts out of row order")
			}
			idx := int32(-1)
			if b != nil {
				var ok bool
				if idx, ok = intern[string(b)]; !ok {
					idx = int32(len(n.Texts))
					n.Texts = append(n.Texts, string(b))
					intern[n.Texts[idx]] = idx
				}
			}
			n.Text = append(n.Text, idx)
			return nil
		}
	}
	if err := scanTable(pg, s.root[t], spec, 1); err != nil {
		return fmt.Errorf("read %s: %w", t, err)
	}
	rows := len(n.Start)
	if spec.onText == nil {
		n.Text = make([]int32, rows)
		for i := range n.Text {
			n.Text[i] = -1
		}
	}
	n.Payload = make([]int64, rows)
	for i := range n.Payload {
		n.Payload[i] = trace.Null
		for _, p := range payload {
			if p[i] != trace.Null {
				n.Payload[i] = p[i]
				break
			}
		}
	}
	return nil
}
