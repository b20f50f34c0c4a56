package manifest

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// NullPartition is the directory value of a NULL partition key, as Hive
// and Spark spell it.
const NullPartition = "__HIVE_DEFAULT_PARTITION__"

// maxValueBytes bounds an escaped partition value so a long event name
// cannot exceed a file name's length limit (255 bytes on most systems).
const maxValueBytes = 120

// EscapeValue spells a partition value for a path segment: bytes outside
// [A-Za-z0-9 ._-] become %XX, so '/' and '=' cannot break the layout. A
// value too long for a file name is cut and suffixed with "~" and a hash;
// such a segment no longer spells its value (the manifest still does), and
// ParseSegment reports it as unknown.
func EscapeValue(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == ' ', c == '.', c == '_', c == '-':
			b.WriteByte(c)
		default:
			const hexDigits = "0123456789ABCDEF"
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	s := b.String()
	if len(s) > maxValueBytes {
		cut := maxValueBytes - 17
		// Do not leave half a %XX escape before the hash.
		if s[cut-1] == '%' {
			cut--
		} else if s[cut-2] == '%' {
			cut -= 2
		}
		sum := sha256.Sum256([]byte(v))
		s = s[:cut] + "~" + hex.EncodeToString(sum[:8])
	}
	return s
}

// UnescapeValue reverses EscapeValue; ok is false for a cut value or a
// malformed escape.
func UnescapeValue(s string) (string, bool) {
	if strings.IndexByte(s, '~') >= 0 {
		return "", false
	}
	if strings.IndexByte(s, '%') < 0 {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", false
		}
		hi, ok1 := unhex(s[i+1])
		lo, ok2 := unhex(s[i+2])
		if !ok1 || !ok2 {
			return "", false
		}
		b.WriteByte(hi<<4 | lo)
		i += 2
	}
	return b.String(), true
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// Partition is what a file's Hive-style path says about its rows.
type Partition struct {
	HasDay    bool
	Day       time.Time // UTC midnight; zero with HasDay for the NULL day
	HasEvent  bool      // the path names the event
	Event     string
	NullEvent bool
}

// ParsePath reads day=YYYY-MM-DD and event=… segments from a path.
// Segments that do not parse are ignored, so pruning never relies on them.
func ParsePath(path string) Partition {
	var p Partition
	for _, seg := range strings.Split(path, "/") {
		key, val, ok := strings.Cut(seg, "=")
		if !ok {
			continue
		}
		switch key {
		case "day":
			if val == NullPartition {
				p.HasDay, p.Day = true, time.Time{}
			} else if d, err := time.Parse(time.DateOnly, val); err == nil {
				p.HasDay, p.Day = true, d
			}
		case "event":
			if val == NullPartition {
				p.HasEvent, p.NullEvent = true, true
			} else if v, ok := UnescapeValue(val); ok {
				p.HasEvent, p.Event = true, v
			}
		}
	}
	return p
}
