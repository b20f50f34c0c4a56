package exec

import (
	"bufio"
	"math"
	"os"
	"strconv"
	"strings"
)

// DefaultMemoryLimit is the budget for a query's operators when none is
// given: 60% of the machine's memory (4 GiB where it cannot be read), so a
// huge GROUP BY fails with a clear message well before the OOM killer acts.
func DefaultMemoryLimit() int64 {
	if total := totalMemory(); total > 0 {
		return total / 10 * 6
	}
	return 4 << 30
}

// totalMemory reads MemTotal from /proc/meminfo (Linux); 0 if unknown.
func totalMemory() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}

// ParseBytes reads a size such as "512MiB", "4GB", "2g" or "1073741824".
func ParseBytes(s string) (int64, error) {
	t := strings.TrimSpace(strings.ToLower(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40}, {"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12}, {"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"t", 1 << 40}, {"b", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || !(f >= 0 && f*float64(mult) < math.MaxInt64) { // NaN and Inf fail too
		return 0, &strconv.NumError{Func: "ParseBytes", Num: s, Err: strconv.ErrSyntax}
	}
	return int64(f * float64(mult)), nil
}
