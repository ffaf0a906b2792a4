package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/omnistat/omnistat/trace"
)

// readSession reads when the capture session started (TARGET_INFO_SESSION_START_TIME.utcEpochNs,
// the wall clock the event timestamps count from) and the captured host's name
// (TARGET_INFO_SYSTEM_ENV Hostname): what puts the windows of one repeat capture on one clock.
// An export without them leaves both unset.
func readSession(ctx context.Context, db *sql.DB, s *schema, tr *trace.Trace) error {
	acc := accessOf(ctx)
	if s.has("TARGET_INFO_SESSION_START_TIME", "utcEpochNs") {
		if err := acc.check(s, "TARGET_INFO_SESSION_START_TIME"); err != nil {
			return fmt.Errorf("read TARGET_INFO_SESSION_START_TIME: %w", err)
		}
		var v sql.NullInt64
		if err := db.QueryRowContext(ctx, `SELECT utcEpochNs FROM TARGET_INFO_SESSION_START_TIME NOT INDEXED LIMIT 1`).Scan(&v); err == nil && v.Valid {
			tr.SessionStartNs = v.Int64
		}
	}
	if s.has("TARGET_INFO_SYSTEM_ENV", "value") {
		if err := acc.check(s, "TARGET_INFO_SYSTEM_ENV"); err != nil {
			return fmt.Errorf("read TARGET_INFO_SYSTEM_ENV: %w", err)
		}
		var v sql.NullString
		if err := db.QueryRowContext(ctx, `SELECT value FROM TARGET_INFO_SYSTEM_ENV NOT INDEXED WHERE name = 'Hostname' LIMIT 1`).Scan(&v); err == nil && v.Valid {
			tr.Host = v.String
		}
	}
	return nil
}
