package connect

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	pb "github.com/nectar-dev/nectar/connect/internal/sparkpb"
	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/types"
)

// show answers df.show(n, truncate, vertical): the table Spark's
// Dataset.showString draws, as one STRING row named show_string.
func (s *Service) show(ctx context.Context, t *translator, show *pb.ShowString, emit func(*pb.ExecutePlanResponse) error) (string, error) {
	in, err := t.relation(show.GetInput())
	if err != nil {
		return sqlOf(err), err
	}
	n := int(show.GetNumRows())
	if n < 0 {
		n = 0
	}
	from, _ := t.from(&rel{sql: t.rootSQL(in)})
	script := fmt.Sprintf("SELECT * FROM %s LIMIT %d", from, n+1)
	var schema types.Schema
	var rows [][]types.Value
	err = t.e.Run(ctx, script, func(r *engine.Result) error {
		if r.Rows == nil {
			return nil
		}
		defer r.Rows.Close()
		schema = r.Schema
		for {
			b, err := r.Rows.Next(ctx)
			if err != nil {
				return err
			}
			if b == nil || b.Len == 0 {
				return nil
			}
			for i := 0; i < b.Len; i++ {
				rows = append(rows, b.Row(nil, i))
			}
		}
	})
	if err != nil {
		return script, &queryError{sql: script, err: err}
	}
	text := showString(schema, rows, n, int(show.GetTruncate()), show.GetVertical())
	out := types.Schema{{Name: "show_string", Kind: types.String}}
	data, err := localData(out, [][]types.Value{{types.StringValue(text)}})
	if err != nil {
		return script, err
	}
	if err := emit(&pb.ExecutePlanResponse{Schema: structType(out)}); err != nil {
		return script, err
	}
	zero := int64(0)
	return script, emit(&pb.ExecutePlanResponse{ResponseType: &pb.ExecutePlanResponse_ArrowBatch_{
		ArrowBatch: &pb.ExecutePlanResponse_ArrowBatch{RowCount: 1, Data: data, StartOffset: &zero}}})
}

// cellText is a value as show prints it (Spark's ToPrettyString): NULL,
// times without the T and Z.
func cellText(v types.Value) string {
	switch v.K {
	case types.Null:
		return "NULL"
	case types.Timestamp:
		return v.Time().UTC().Format("2006-01-02 15:04:05.999999")
	}
	return v.String()
}

// showString draws rows as Spark's Dataset.showString (sql/core,
// Dataset.scala) does: cells cut to truncate characters (the last three
// "..."), right-aligned when cut, left-aligned with truncate 0; columns
// at least three wide; "only showing top n rows" when there were more.
func showString(schema types.Schema, rows [][]types.Value, n, truncate int, vertical bool) string {
	more := len(rows) > n
	if more {
		rows = rows[:n]
	}
	cut := func(s string) string {
		if truncate > 0 && utf8.RuneCountInString(s) > truncate {
			r := []rune(s)
			if truncate < 4 {
				return string(r[:truncate])
			}
			return string(r[:truncate-3]) + "..."
		}
		return s
	}
	cells := make([][]string, len(rows)+1)
	cells[0] = make([]string, len(schema))
	for j, c := range schema {
		cells[0][j] = cut(c.Name)
	}
	for i, r := range rows {
		cells[i+1] = make([]string, len(schema))
		for j, v := range r {
			cells[i+1][j] = cut(cellText(v))
		}
	}
	var b strings.Builder
	width := func(s string) int { return utf8.RuneCountInString(s) }
	if vertical {
		nameW, valW := 3, 3 // Spark's minimumColWidth
		for j := range schema {
			nameW = max(nameW, width(cells[0][j]))
			for i := 1; i < len(cells); i++ {
				valW = max(valW, width(cells[i][j]))
			}
		}
		if len(rows) == 0 {
			b.WriteString("(0 rows)\n")
		}
		for i := 1; i < len(cells); i++ {
			head := fmt.Sprintf("-RECORD %d", i-1)
			pad := nameW + valW + 5 - width(head)
			b.WriteString(head + strings.Repeat("-", max(pad, 0)) + "\n")
			for j := range schema {
				fmt.Fprintf(&b, " %s | %s \n", padRight(cells[0][j], nameW), padRight(cells[i][j], valW))
			}
		}
	} else {
		widths := make([]int, len(schema))
		for j := range schema {
			widths[j] = 3
			for i := range cells {
				widths[j] = max(widths[j], width(cells[i][j]))
			}
		}
		sep := "+"
		for _, w := range widths {
			sep += strings.Repeat("-", w) + "+"
		}
		sep += "\n"
		line := func(row []string) {
			b.WriteString("|")
			for j, c := range row {
				if truncate > 0 {
					b.WriteString(padLeft(c, widths[j]))
				} else {
					b.WriteString(padRight(c, widths[j]))
				}
				b.WriteString("|")
			}
			b.WriteString("\n")
		}
		b.WriteString(sep)
		line(cells[0])
		b.WriteString(sep)
		for _, r := range cells[1:] {
			line(r)
		}
		b.WriteString(sep)
	}
	if more {
		word := "rows"
		if n == 1 {
			word = "row"
		}
		// No newline after it: Spark 4's showString ends there.
		fmt.Fprintf(&b, "only showing top %d %s", n, word)
	}
	return b.String()
}

func padLeft(s string, w int) string {
	return strings.Repeat(" ", max(w-utf8.RuneCountInString(s), 0)) + s
}

func padRight(s string, w int) string {
	return s + strings.Repeat(" ", max(w-utf8.RuneCountInString(s), 0))
}
