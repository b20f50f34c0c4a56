package types

// BatchSize is how many rows operators aim to put in one batch: large enough
// to amortise per-batch overhead, small enough to stay in cache.
const BatchSize = 1024

// Vector is one column of a batch. Exactly one of the data slices is used,
// chosen by Kind.Storage: I for Bool, Int, Timestamp and Date; F for
// Float; S for String and the nested kinds (their encodings). Nulls[i]
// marks row i as NULL; its data slot is then meaningless.
type Vector struct {
	Kind  Kind
	Nulls []bool
	I     []int64
	F     []float64
	S     []string
}

// NewVector returns an empty vector of kind k with room for capacity rows.
func NewVector(k Kind, capacity int) *Vector {
	v := &Vector{Kind: k, Nulls: make([]bool, 0, capacity)}
	switch k.Storage() {
	case Float:
		v.F = make([]float64, 0, capacity)
	case String:
		v.S = make([]string, 0, capacity)
	default:
		v.I = make([]int64, 0, capacity)
	}
	return v
}

// Storage is the slice of a Vector that holds values of kind k: Float,
// String (for STRING and every nested kind) or Int (for the rest).
func (k Kind) Storage() Kind {
	switch {
	case k == Float, k == String:
		return k
	case k == Binary, k >= firstNested:
		return String
	}
	return Int
}

// Len is the number of rows in the vector.
func (v *Vector) Len() int { return len(v.Nulls) }

// Reset empties the vector, keeping its storage.
func (v *Vector) Reset() {
	v.Nulls = v.Nulls[:0]
	v.I = v.I[:0]
	v.F = v.F[:0]
	v.S = v.S[:0]
}

// Get returns row i as a Value.
func (v *Vector) Get(i int) Value {
	if v.Nulls[i] || v.Kind == Null {
		return NullValue
	}
	switch v.Kind.Storage() {
	case Float:
		return Value{K: Float, F: v.F[i]}
	case String:
		return Value{K: v.Kind, S: v.S[i]}
	}
	return Value{K: v.Kind, I: v.I[i]}
}

// IsNull reports whether row i is NULL.
func (v *Vector) IsNull(i int) bool { return v.Nulls[i] }

// AppendNull appends a NULL row.
func (v *Vector) AppendNull() {
	v.Nulls = append(v.Nulls, true)
	switch v.Kind.Storage() {
	case Float:
		v.F = append(v.F, 0)
	case String:
		v.S = append(v.S, "")
	default:
		v.I = append(v.I, 0)
	}
}

// Append appends x, which must be NULL or of the vector's kind (callers cast
// first).
func (v *Vector) Append(x Value) {
	if x.K == Null {
		v.AppendNull()
		return
	}
	v.Nulls = append(v.Nulls, false)
	switch v.Kind.Storage() {
	case Float:
		v.F = append(v.F, x.AsFloat())
	case String:
		v.S = append(v.S, x.S)
	default:
		v.I = append(v.I, x.I)
	}
}

// AppendFrom appends row i of src, which has the same kind.
func (v *Vector) AppendFrom(src *Vector, i int) {
	v.Nulls = append(v.Nulls, src.Nulls[i])
	switch v.Kind.Storage() {
	case Float:
		v.F = append(v.F, src.F[i])
	case String:
		v.S = append(v.S, src.S[i])
	default:
		v.I = append(v.I, src.I[i])
	}
}

// AppendRange appends rows [off, off+n) of src, which has the same kind.
func (v *Vector) AppendRange(src *Vector, off, n int) {
	v.Nulls = append(v.Nulls, src.Nulls[off:off+n]...)
	switch v.Kind.Storage() {
	case Float:
		v.F = append(v.F, src.F[off:off+n]...)
	case String:
		v.S = append(v.S, src.S[off:off+n]...)
	default:
		v.I = append(v.I, src.I[off:off+n]...)
	}
}

// Batch is a set of equally long column vectors: the unit operators pass to
// each other. A batch with Len 0 marks the end of a stream.
type Batch struct {
	Len  int
	Cols []*Vector
}

// NewBatch returns an empty batch with one vector per column of s.
func NewBatch(s Schema, capacity int) *Batch {
	b := &Batch{Cols: make([]*Vector, len(s))}
	for i, c := range s {
		b.Cols[i] = NewVector(c.Kind, capacity)
	}
	return b
}

// Reset empties every column, keeping storage.
func (b *Batch) Reset() {
	b.Len = 0
	for _, c := range b.Cols {
		c.Reset()
	}
}

// Row returns row i as values, appending to dst.
func (b *Batch) Row(dst []Value, i int) []Value {
	for _, c := range b.Cols {
		dst = append(dst, c.Get(i))
	}
	return dst
}

// AppendRow appends one row of values, one per column.
func (b *Batch) AppendRow(row []Value) {
	for j, c := range b.Cols {
		c.Append(row[j])
	}
	b.Len++
}
