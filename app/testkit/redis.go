package testkit

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func redisBaseURL() string {
	if v := os.Getenv(envRedis); v != "" {
		return v
	}
	return "redis://127.0.0.1:6379"
}

// RedisURL returns a redis:// URL of a database number this test package
// holds alone (1 to 15, claimed with a lock key in database 0, which test
// packages running at the same time respect), emptied before use.
func RedisURL(t testing.TB) string {
	t.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.redisURL != "" {
		return shared.redisURL
	}
	ctx := context.Background()
	opt, err := redis.ParseURL(redisBaseURL())
	if err != nil {
		t.Fatalf("testkit: %s: %v", envRedis, err)
	}
	opt.DB = 0
	lockClient := redis.NewClient(opt)
	deadline := time.Now().Add(2 * time.Minute)
	for shared.redisDB < 0 {
		for n := 1; n <= 15; n++ {
			ok, err := lockClient.SetNX(ctx, fmt.Sprintf("toolbox:test-lock:db%d", n), os.Getpid(), 15*time.Minute).Result()
			if err != nil {
				t.Fatalf("testkit: Redis is needed for this test (start it with .ci/run, or set %s): %v", envRedis, err)
			}
			if ok {
				shared.redisDB = n
				break
			}
		}
		if shared.redisDB < 0 {
			if time.Now().After(deadline) {
				t.Fatal("testkit: every Redis test database is taken")
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	n := shared.redisDB
	shared.closers = append(shared.closers, func() {
		_ = lockClient.Del(context.Background(), fmt.Sprintf("toolbox:test-lock:db%d", n)).Err()
		_ = lockClient.Close()
	})
	opt.DB = n
	c := redis.NewClient(opt)
	if err := c.FlushDB(ctx).Err(); err != nil {
		t.Fatalf("testkit: empty Redis db %d: %v", n, err)
	}
	_ = c.Close()
	shared.redisURL = fmt.Sprintf("%s/%d", redisBaseURL(), n)
	return shared.redisURL
}

// RedisClient is a client of the package's Redis database (RedisURL),
// closed when the test ends.
func RedisClient(t testing.TB) *redis.Client {
	t.Helper()
	opt, err := redis.ParseURL(RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opt)
	t.Cleanup(func() { c.Close() })
	return c
}
