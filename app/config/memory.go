package config

import (
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// DefaultMemoryLimit is the soft memory limit where the container sets
// none. The live heap is a few tens of megabytes; GOGC=400 lets the heap
// grow to five times that between collections, which under the page
// benchmark took the process to 180 MB, so the limit caps it near 100 MiB
// of heap (the aim is under 150 MB resident, stacks and runtime
// included; at 112 MiB the page benchmark peaked at 149 MB, too near).
// Under a burst of sign-ins (19 MiB of garbage per password hash) the
// collector works harder near it instead of letting the garbage pile up.
const DefaultMemoryLimit = 100 << 20

// containerShare is the part of a container's hard limit given to the Go
// heap's soft limit; the rest is for stacks, the runtime and the
// unexpected, so that the kernel's limit is not reached first.
const containerShare = 0.8

// ParseSize reads a size such as 400MiB, 1GiB, 512MB or a number of
// bytes; "off" (or "-1") turns the limit off, returned as -1.
func ParseSize(v string) (int64, error) {
	v = strings.TrimSpace(v)
	if strings.EqualFold(v, "off") || v == "-1" {
		return -1, nil
	}
	units := []struct {
		suffix string
		factor int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}
	factor := int64(1)
	for _, u := range units {
		if strings.HasSuffix(v, u.suffix) {
			v, factor = strings.TrimSpace(strings.TrimSuffix(v, u.suffix)), u.factor
			break
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not a size such as 400MiB, or off", v)
	}
	return n * factor, nil
}

// SoftMemoryLimit decides the soft memory limit and says where it came from:
// the configured one, or a share of the container's limit read from the
// cgroup files in fsys (the root of the file system), or the default. It
// returns -1 when the limit is off.
func (c Config) SoftMemoryLimit(fsys fs.FS) (int64, string) {
	if c.MemoryLimit != 0 {
		return c.MemoryLimit, "TOOLBOX_MEMORY_LIMIT"
	}
	if limit, ok := cgroupLimit(fsys); ok {
		return int64(float64(limit) * containerShare), "container limit"
	}
	return DefaultMemoryLimit, "default"
}

// cgroupLimit reads the memory limit of the process's cgroup (v2, then
// v1); "max" or an absurdly high v1 value means none.
func cgroupLimit(fsys fs.FS) (int64, bool) {
	for _, name := range []string{"sys/fs/cgroup/memory.max", "sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		if err != nil || n <= 0 || n >= 1<<50 {
			return 0, false
		}
		return n, true
	}
	return 0, false
}

// RootFS is the machine's file system, for SoftMemoryLimit.
func RootFS() fs.FS { return os.DirFS("/") }
