package engine_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/exec"
)

// spillData writes n rows whose keys are of every kind a GROUP BY takes,
// NULL now and then, and returns the file's path.
func spillData(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	for i := 0; i < n; i++ {
		ks, ki, kd, v := fmt.Sprintf("%q", fmt.Sprintf("user-%05d", i%7000)), fmt.Sprint(i%5000), fmt.Sprint(float64(i%3000)/4), fmt.Sprint(i%13)
		if i%97 == 0 {
			ks = "null"
		}
		if i%89 == 0 {
			ki = "null"
		}
		if i%11 == 0 {
			v = "null"
		}
		fmt.Fprintf(&b, `{"ks":%s,"ki":%s,"kd":%s,"kt":"2026-01-%02dT%02d:%02d:00Z","kb":%t,"o":{"a":%d,"b":[%d]},"v":%s,"d":%g,"s":"s%d"}`+"\n",
			ks, ki, kd, 1+i%28, i%24, i%60, i%2 == 0, i%400, i%3, v, float64(i)/7, i%101)
	}
	path := filepath.Join(t.TempDir(), "t.jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// runSpill runs q over path under limit and returns its rows, sorted so
// that results compare as multisets unless q has an ORDER BY of its own
// (ordered), and whether the query spilled: its spill directory, under a
// test TMPDIR, was there while the rows were read. After the query the directory must be gone.
func runSpill(t *testing.T, path, q string, limit int64) ([]string, bool, error) {
	t.Helper()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	e := engine.New(engine.Options{MemoryLimit: limit})
	e.DefineSource("t", "read_json", path)
	var rows []string
	spilled := false
	err := e.Run(context.Background(), q, func(r *engine.Result) error {
		got, err := exec.Collect(context.Background(), r.Rows)
		for _, row := range got {
			s := make([]string, len(row))
			for j, v := range row {
				s[j] = fmt.Sprintf("%d:%s", v.K, v)
			}
			rows = append(rows, strings.Join(s, "|"))
		}
		dirs, _ := filepath.Glob(filepath.Join(tmp, "nectar-spill-*"))
		spilled = len(dirs) > 0
		return err
	})
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("%s: %d entries left in the temporary directory after the query", q, len(left))
	}
	if !ordered(q) {
		slices.Sort(rows)
	}
	return rows, spilled, err
}

// ordered reports whether q has an ORDER BY of its own, outside the
// parentheses of a window's OVER or a subquery.
func ordered(q string) bool {
	depth := 0
	for i := range len(q) {
		switch q[i] {
		case '(':
			depth++
		case ')':
			depth--
		}
		if depth == 0 && strings.HasPrefix(q[i:], "ORDER BY") {
			return true
		}
	}
	return false
}

// TestSpillSameAnswer runs GROUP BY, DISTINCT and ORDER BY queries under
// a memory limit of a few hundred groups, so that they spill, and their
// partitions spill again (20,000 rows of up to 7,000 keys need two
// levels), and checks that they answer what they answer without a limit:
// the same rows, and for ORDER BY in the same order.
func TestSpillSameAnswer(t *testing.T) {
	path := spillData(t, 20000)
	aggs := "count(*), count(v), sum(v), avg(d), min(s), max(s), min(d), max(kt), first(s), last(d), any_value(kb) IS NOT NULL, count_if(v > 3), stddev_samp(d), bool_and(kb), min_by(s, d), max_by(v, d)"
	queries := []string{
		"SELECT ks, " + aggs + " FROM t GROUP BY ks",
		"SELECT ki, kb, " + aggs + " FROM t GROUP BY ki, kb",
		"SELECT kd, count(*), sum(v) FROM t GROUP BY kd",
		"SELECT kt, count(*), max(s) FROM t GROUP BY kt",
		"SELECT o, count(*), sum(d) FROM t GROUP BY o",
		"SELECT lower(ks) AS k, v % 3 AS m, count(*) FROM t WHERE v IS NOT NULL GROUP BY lower(ks), v % 3",
		"SELECT count(*), sum(n) FROM (SELECT ks, ki, count(*) AS n FROM t GROUP BY ks, ki)",
		"SELECT count(DISTINCT ks) FROM t",
		"SELECT ks, count(DISTINCT v), sum(DISTINCT v), avg(DISTINCT v), min(DISTINCT v), max(DISTINCT v) FROM t GROUP BY ks",
		"SELECT count(DISTINCT d), min(DISTINCT d), max(DISTINCT d) FROM t",
		"SELECT ki % 7 AS m, count(DISTINCT o) FROM t GROUP BY ki % 7",
		"SELECT DISTINCT ks FROM t",
		"SELECT DISTINCT ki, kb, o FROM t",
		"SELECT DISTINCT kd, v FROM t",
		// Many ties: the merge of sorted runs must keep input order.
		"SELECT v, s, d FROM t ORDER BY v NULLS LAST",
		"SELECT ks, ki, d FROM t ORDER BY ks, ki DESC NULLS FIRST",
		"SELECT * FROM t ORDER BY kd DESC, kt",
		"SELECT o, s FROM t ORDER BY o DESC",
	}
	checkSpillSame(t, path, queries)
}

// checkSpillSame runs each query without a limit and under 48 KiB, and
// checks that the second spilled and gave the first's rows.
func checkSpillSame(t *testing.T, path string, queries []string) {
	t.Helper()
	for _, q := range queries {
		t.Run(q, func(t *testing.T) {
			want, spilled, err := runSpill(t, path, q, 1<<30)
			if err != nil {
				t.Fatalf("unlimited: %v", err)
			}
			if spilled {
				t.Errorf("spilled without a limit")
			}
			got, spilled, err := runSpill(t, path, q, 48<<10)
			if err != nil {
				t.Fatalf("under 48 KiB: %v", err)
			}
			if !spilled {
				t.Errorf("under 48 KiB: did not spill")
			}
			if !slices.Equal(got, want) {
				t.Errorf("under 48 KiB: %d rows differ from the %d unlimited ones", len(got), len(want))
				for i := 0; i < min(len(got), len(want)); i++ {
					if got[i] != want[i] {
						t.Fatalf("first difference: got %s, want %s", got[i], want[i])
					}
				}
			}
		})
	}
}

// TestSpillJoinSameAnswer runs every kind of join with equality keys
// under 48 KiB, so that it becomes a Grace hash join: 20,000 rows a
// side of some 150 bytes are partitioned twice before a partition's
// smaller side fits. The keys have NULLs (which never match, and which
// outer and anti joins still output), one key held by 40% of a side's
// rows, keys of two kinds (BIGINT against DOUBLE), several columns and a
// residual condition; each answer must be the unlimited one.
func TestSpillJoinSameAnswer(t *testing.T) {
	path := spillData(t, 20000)
	queries := []string{
		"SELECT a.ks, a.ki, a.v, b.s, b.d FROM t a JOIN t b ON a.ks = b.ks",
		"SELECT a.ks, a.v, b.v FROM t a JOIN t b ON a.ks = b.ks AND a.v < b.v",
		"SELECT a.ki, a.d, b.kd FROM t a JOIN t b ON a.ki = b.kd",
		"SELECT a.ks, a.ki, a.v, b.s FROM t a LEFT JOIN (SELECT ks, ki, s FROM t WHERE ki % 3 = 0) b ON a.ks = b.ks AND a.ki = b.ki",
		"SELECT a.ks, b.ki, b.s FROM (SELECT ks, ki FROM t WHERE v = 1) a RIGHT JOIN t b ON a.ki = b.ki",
		"SELECT a.ki, a.s, b.ki, b.v FROM (SELECT * FROM t WHERE v < 6) a FULL JOIN (SELECT * FROM t WHERE v > 4 OR v IS NULL) b ON a.ki = b.ki + 100 AND a.kb = b.kb",
		"SELECT a.ks, b.ks FROM t a FULL JOIN t b ON a.ks = b.ks AND a.v > b.v",
		"SELECT * FROM t a LEFT SEMI JOIN (SELECT ki FROM t WHERE v = 2) b ON a.ki = b.ki",
		"SELECT * FROM t a LEFT ANTI JOIN (SELECT ks FROM t WHERE v = 2) b ON a.ks = b.ks",
		"SELECT a.ks, a.v FROM t a LEFT ANTI JOIN t b ON a.ks = b.ks AND a.v < b.v",
		"SELECT a.ks, a.v, a.d FROM t a LEFT SEMI JOIN t b ON a.ks = b.ks AND a.v < b.v",
		"SELECT a.ks, a.v, b.d FROM (SELECT * FROM t WHERE v = 7) a RIGHT JOIN t b ON a.ks = b.ks AND a.d < b.d",
		// Skewed: 8,000 rows of one key on the left.
		"SELECT a.k, a.s, b.ki FROM (SELECT CASE WHEN ki < 2000 THEN 0 ELSE ki END AS k, s FROM t) a JOIN (SELECT DISTINCT ki FROM t) b ON a.k = b.ki",
		"SELECT a.k, a.s, b.ki FROM (SELECT CASE WHEN ki < 2000 THEN 0 ELSE ki END AS k, s FROM t) a FULL JOIN (SELECT ki FROM t WHERE v = 3) b ON a.k = b.ki",
		"SELECT a.ks, a.ki, b.o FROM t a JOIN t b USING (ks, ki)",
	}
	checkSpillSame(t, path, queries)
}

// TestSpillWindowSameAnswer runs windows whose calls share PARTITION BY
// keys under 48 KiB, so that their input is partitioned to disk, twice
// over for 20,000 rows of up to 7,000 keys: ranking, offsets, running
// and sliding frames of both kinds, with NULL keys and a skewed key.
// Rows come out partition file by partition file, so answers are
// compared as sets of rows, each with its window values.
func TestSpillWindowSameAnswer(t *testing.T) {
	path := spillData(t, 20000)
	queries := []string{
		"SELECT ks, d, row_number() OVER (PARTITION BY ks ORDER BY d), rank() OVER (PARTITION BY ks ORDER BY v), dense_rank() OVER (PARTITION BY ks ORDER BY v DESC NULLS LAST), ntile(3) OVER (PARTITION BY ks ORDER BY d), percent_rank() OVER (PARTITION BY ks ORDER BY d), cume_dist() OVER (PARTITION BY ks ORDER BY v) FROM t",
		"SELECT ki, kb, d, lag(s) OVER (PARTITION BY ki, kb ORDER BY d), lead(v, 2, -1) OVER (PARTITION BY ki, kb ORDER BY d), first_value(s) OVER (PARTITION BY ki, kb ORDER BY d), last_value(v) IGNORE NULLS OVER (PARTITION BY kb, ki ORDER BY d ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM t",
		"SELECT ks, d, sum(v) OVER (PARTITION BY ks ORDER BY d), count(*) OVER (PARTITION BY ks), avg(d) OVER (PARTITION BY ks ORDER BY d ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING), max(s) OVER (PARTITION BY ks ORDER BY v RANGE BETWEEN 3 PRECEDING AND CURRENT ROW) FROM t",
		"SELECT kd, kt, min(v) OVER (PARTITION BY kd ORDER BY kt), sum(v) FILTER (WHERE kb) OVER (PARTITION BY kd ORDER BY kt ROWS UNBOUNDED PRECEDING) FROM t",
		// Calls partitioned differently share ks: the file is split by it.
		"SELECT ks, ki, d, row_number() OVER (PARTITION BY ks ORDER BY d), sum(d) OVER (PARTITION BY ks, v % 2) FROM t",
		// Skewed: 240 rows in partition 0, against 4 in others.
		"SELECT k, d, row_number() OVER (PARTITION BY k ORDER BY d), sum(d) OVER (PARTITION BY k ORDER BY d) FROM (SELECT CASE WHEN ki < 60 THEN 0 ELSE ki END AS k, d FROM t)",
	}
	checkSpillSame(t, path, queries)
}

// TestSpillFailsCleanly checks that a spilling query that fails or is
// cancelled leaves no spill file behind, and that a query whose keys do
// not fit however deep it spills fails with ErrMemoryLimit.
func TestSpillFailsCleanly(t *testing.T) {
	path := spillData(t, 20000)
	// A failure while reading a partition: the division by zero comes
	// only at the 19,000th row, long after the spill began.
	if _, _, err := runSpill(t, path, "SELECT ks, ki, sum(1 / (CASE WHEN ki = 4999 THEN 0 ELSE 1 END)) FROM t GROUP BY ks, ki", 48<<10); err == nil {
		t.Errorf("division by zero: no error")
	}
	// The same in a Grace hash join's pair of partitions.
	if _, _, err := runSpill(t, path, "SELECT a.ks, b.ki FROM t a JOIN t b ON a.ks = b.ks AND 1 / (CASE WHEN a.ki = 4999 THEN 0 ELSE 1 END) = 1", 48<<10); err == nil {
		t.Errorf("division by zero in a join: no error")
	}
	// The same in a window's partition file.
	if _, _, err := runSpill(t, path, "SELECT ks, sum(1 / (CASE WHEN ki = 4999 THEN 0 ELSE 1 END)) OVER (PARTITION BY ks) FROM t", 48<<10); err == nil {
		t.Errorf("division by zero in a window: no error")
	}
	// Cancelled while pulling the rows of a spilling aggregate, sort, join.
	for _, q := range []string{"SELECT ks, ki, count(*) FROM t GROUP BY ks, ki", "SELECT ks, ki FROM t ORDER BY ks, ki", "SELECT a.ks, b.ki FROM t a JOIN t b ON a.ks = b.ks", "SELECT ks, row_number() OVER (PARTITION BY ks ORDER BY d) FROM t"} {
		tmp := t.TempDir()
		t.Setenv("TMPDIR", tmp)
		e := engine.New(engine.Options{MemoryLimit: 48 << 10})
		e.DefineSource("t", "read_json", path)
		ctx, cancel := context.WithCancel(context.Background())
		err := e.Run(ctx, q, func(r *engine.Result) error {
			if _, err := r.Rows.Next(ctx); err != nil {
				return err
			}
			cancel()
			_, err := exec.Collect(ctx, r.Rows)
			return err
		})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s cancelled: got %v", q, err)
		}
		if left, _ := os.ReadDir(tmp); len(left) > 0 {
			t.Errorf("%s cancelled: %d entries left in the temporary directory", q, len(left))
		}
	}
	// One byte holds one group a pass: 16^4 partitions of 20,000 keys leave
	// some with more than one key at the deepest level.
	if _, _, err := runSpill(t, path, "SELECT ks, ki, count(*) FROM t GROUP BY ks, ki", 1); !errors.Is(err, exec.ErrMemoryLimit) {
		t.Errorf("under 1 byte: got %v, want ErrMemoryLimit", err)
	}
	// An input that fails past the budget (a window without PARTITION
	// BY) fails the join: the join does not spill and read it on.
	if _, _, err := runSpill(t, path, "SELECT a.ks, b.r FROM t a JOIN (SELECT ks, row_number() OVER (ORDER BY d) AS r FROM t) b ON a.ks = b.ks", 48<<10); !errors.Is(err, exec.ErrMemoryLimit) {
		t.Errorf("a join over a window that does not fit: got %v, want ErrMemoryLimit", err)
	}
	// A window partitioned by a constant has one partition: it fails at
	// once rather than write its input out four times over.
	if _, _, err := runSpill(t, path, "SELECT ks, count(*) OVER (PARTITION BY 1) FROM t", 48<<10); !errors.Is(err, exec.ErrMemoryLimit) || strings.Contains(err.Error(), "spilling") {
		t.Errorf("PARTITION BY 1 under 48 KiB: got %v, want ErrMemoryLimit without spilling", err)
	}
	// A key whose rows do not fit on either side however often they are
	// split; and a join without equality keys, which does not spill.
	for _, q := range []string{"SELECT a.s, b.s FROM t a JOIN t b ON a.v = b.v", "SELECT a.s, b.s FROM t a JOIN t b ON a.v < b.v"} {
		if _, _, err := runSpill(t, path, q, 48<<10); !errors.Is(err, exec.ErrMemoryLimit) {
			t.Errorf("%s under 48 KiB: got %v, want ErrMemoryLimit", q, err)
		}
	}
}
