package exec

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestSharedMemoryPool(t *testing.T) {
	pool := NewPool(10 << 20)
	ctx := WithPool(context.Background(), pool)
	// Two queries, each within its own 8 MiB limit, together over the
	// pool's 10 MiB: the second to reach it fails, naming the server.
	q1, release1 := WithMemoryLimit(ctx, 8<<20)
	q2, release2 := WithMemoryLimit(ctx, 8<<20)
	if err := reserve(q1, 6<<20, "q1"); err != nil {
		t.Fatal(err)
	}
	err := reserve(q2, 6<<20, "q2")
	if !errors.Is(err, ErrMemoryLimit) || !strings.Contains(err.Error(), "the server's running queries share") {
		t.Fatalf("over the pool: %v", err)
	}
	release1()
	release2()
	if pool.Used() != 0 {
		t.Fatalf("pool holds %d bytes after both queries ended", pool.Used())
	}
	q3, release3 := WithMemoryLimit(ctx, 8<<20)
	defer release3()
	if err := reserve(q3, 6<<20, "q3"); err != nil {
		t.Fatalf("after the others ended: %v", err)
	}
}
