package hugepage

import (
	"os"
	"strings"
	"syscall"
	"testing"
)

// TestProcessWithoutHugePages: a process whose huge pages are turned off (PR_SET_THP_DISABLE,
// as container runtimes may set) gets no advice, whatever the system mode.
func TestProcessWithoutHugePages(t *testing.T) {
	const prSetTHPDisable = 41
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetTHPDisable, 1, 0); errno != 0 {
		t.Fatalf("prctl: %v", errno)
	}
	defer syscall.RawSyscall(syscall.SYS_PRCTL, prSetTHPDisable, 0, 0)
	st, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(st), "THP_enabled:") {
		t.Logf("this kernel's status has no THP_enabled line: the setting is not seen")
		return
	}
	once.Do(func() {})
	size = 0
	setup()
	defer func() { size = 0 }()
	if size != 0 {
		t.Errorf("huge pages of %d bytes advised in a process without them", size)
	}
}
