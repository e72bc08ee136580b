package config

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestSoftMemoryLimitFromSettingContainerOrDefault(t *testing.T) {
	v2 := fstest.MapFS{"sys/fs/cgroup/memory.max": {Data: []byte("536870912\n")}}
	v1 := fstest.MapFS{"sys/fs/cgroup/memory/memory.limit_in_bytes": {Data: []byte("1073741824\n")}}
	unlimited := fstest.MapFS{"sys/fs/cgroup/memory.max": {Data: []byte("max\n")}}
	for _, tc := range []struct {
		name   string
		env    string
		fsys   fstest.MapFS
		want   int64
		source string
	}{
		{"cgroup v2", "", v2, 429496729, "container limit"},
		{"cgroup v1", "", v1, 858993459, "container limit"},
		{"no container limit", "", unlimited, DefaultMemoryLimit, "default"},
		{"no cgroup", "", fstest.MapFS{}, DefaultMemoryLimit, "default"},
		{"set", "300MiB", v2, 300 << 20, "TOOLBOX_MEMORY_LIMIT"},
		{"off", "off", v2, -1, "TOOLBOX_MEMORY_LIMIT"},
	} {
		c, err := FromEnv(Default(), lookup(map[string]string{"TOOLBOX_MEMORY_LIMIT": tc.env}))
		if err != nil {
			t.Fatal(err)
		}
		got, source := c.SoftMemoryLimit(tc.fsys)
		if got != tc.want || source != tc.source {
			t.Errorf("%s: %d from %s, want %d from %s", tc.name, got, source, tc.want, tc.source)
		}
	}
	if _, err := FromEnv(Default(), lookup(map[string]string{"TOOLBOX_MEMORY_LIMIT": "lots"})); err == nil || !strings.Contains(err.Error(), "TOOLBOX_MEMORY_LIMIT") {
		t.Fatalf("a wrong size: %v", err)
	}
}

func TestDrainAndRecheckDurations(t *testing.T) {
	c, err := FromEnv(Default(), lookup(map[string]string{"TOOLBOX_DRAIN_PERIOD": "0", "TOOLBOX_OUTBOX_RECHECK_AFTER": "2m"}))
	if err != nil || c.DrainPeriod != 0 || c.OutboxRecheckAfter != 2*time.Minute {
		t.Fatalf("%v %v %v", c.DrainPeriod, c.OutboxRecheckAfter, err)
	}
	if Default().DrainPeriod <= 0 {
		t.Fatal("the default drain period is none")
	}
	if _, err := FromEnv(Default(), lookup(map[string]string{"TOOLBOX_DRAIN_PERIOD": "soon"})); err == nil || !strings.Contains(err.Error(), "TOOLBOX_DRAIN_PERIOD") {
		t.Fatalf("a wrong duration: %v", err)
	}
}
