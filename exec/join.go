package exec

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"

	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// join is a hash join. It reads both inputs a batch at a time in turn and
// builds a table on whichever ends first, so the smaller side is held in
// memory whichever way round the query names them (first exposures joined
// to all events, or the reverse); the other side streams through it a
// batch at a time and matching pairs go straight into output batches.
// Without equality keys every build row is a candidate. NULL keys never
// match, as in SQL. The residual condition is evaluated vectorised over
// chunks of candidate pairs rather than row by row.
//
// Past the memory budget, a join with equality keys becomes a Grace hash
// join: both inputs, what was read of them included, are partitioned by
// a hash of the join keys into spillFanout files each (spill.go), and
// each pair of files is joined by a join of its own, which builds the
// smaller file and spills again, with a new seed, should it still not
// fit. A key's rows on both sides are in one pair, so every kind of join
// keeps its meaning pair by pair; rows with a NULL key match nothing and
// go to any partition, or nowhere when the join drops them. The rows
// come out pair after pair, in no promised order.
type join struct {
	left, right Operator
	node        *plan.Join
	schema      types.Schema
	nl, nr      int

	started   bool
	buildLeft bool
	build     builtSide
	kinds     []types.Kind   // how both sides' keys are encoded (joinKeyKinds)
	stream    Operator       // the probe side's input, after pending
	pending   []*types.Batch // probe batches read while choosing the build side
	streamEnd bool
	all       []int32 // every build row: the candidates when there are no keys

	// The probe batch being joined and how far: row r, its candidate c.
	cur        *types.Batch
	curKeys    []*types.Vector
	r, c       int
	cands      []int32
	matched    []bool // per row of cur: some pair passed
	probeIdx   []int32
	buildIdx   []int32
	buildMatch []bool // per build row: some pair passed
	key        []byte

	// The residual reads only a few columns: it is rewritten over just
	// those (residCols, of the left-then-right row), which are gathered
	// for each chunk of candidate pairs into pairs.
	resid                plan.Expr
	residCols            []int
	pairs                *types.Batch
	passProbe, passBuild []int32

	out      *types.Batch
	finished bool

	held  int64     // bytes reserved for the rows held and the table
	depth int       // times the inputs were spilled: 0 for the query's
	hint  buildHint // for a pair of spilled partitions: the side to build
	// Once spilled: the pairs of partitions not yet joined and the join
	// of the current one.
	spilled bool
	parts   []joinPart
	sub     *join
}

// buildHint says which side a join builds: the one that ends first
// unless the sizes are known beforehand, as a spilled partition's are.
type buildHint int

const (
	buildFirstEnded buildHint = iota
	buildLeftSide
	buildRightSide
)

// joinPart is a pair of spilled partitions of the same keys; a side
// without rows is nil.
type joinPart struct{ left, right *spillFile }

// builtSide is the build input, its batches concatenated into one column
// per field, with its rows indexed by encoded join key.
type builtSide struct {
	cols  []*types.Vector
	n     int
	table map[string][]int32
	// raw: the key is one STRING on both sides, used as the map key
	// itself instead of encoded (the common join on a user id).
	raw bool
}

// rawKey returns row r of a one-STRING key; ok is false when it is NULL.
func rawKey(v *types.Vector, r int) (string, bool) {
	if v.Kind != types.String || v.Nulls[r] {
		return "", false // a NULL-kind vector is all NULL
	}
	return v.S[r], true
}

func (j *join) Close() error {
	errs := []error{closeAll([]Operator{j.left, j.right})}
	if j.sub != nil {
		errs = append(errs, j.sub.Close())
	}
	for _, p := range j.parts {
		errs = append(errs, p.left.Close(), p.right.Close())
	}
	j.sub, j.parts = nil, nil
	return errors.Join(errs...)
}

func (j *join) Next(ctx context.Context) (*types.Batch, error) {
	// A join can give millions of rows for a few input batches, so the
	// inputs' own checks do not stop it soon enough: check every batch.
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !j.started {
		if err := j.start(ctx); err != nil {
			return nil, err
		}
		j.started = true
	}
	if j.out == nil {
		j.out = types.NewBatch(j.schema, types.BatchSize)
	}
	j.out.Reset()
	if j.spilled {
		return j.nextSpilled(ctx)
	}
	for !j.finished && j.out.Len < types.BatchSize {
		if err := j.step(ctx); err != nil {
			return nil, err
		}
	}
	return j.out, nil
}

// joinEntryBytes estimates a hash table entry: the map's slot, the key's
// string header and the row-number slice header.
const joinEntryBytes = 64

// start reads both sides in turn until one ends, then builds that one.
// Past the memory budget it spills both sides instead (spill).
func (j *join) start(ctx context.Context) error {
	n := j.node
	j.kinds = joinKeyKinds(n)
	j.schema = n.Schema()
	ls, rs := n.Left.Schema(), n.Right.Schema()
	j.nl, j.nr = len(ls), len(rs)
	var lb, rb []*types.Batch
	var lDone, rDone bool
	// An input's own error, ErrMemoryLimit included, is not the join's
	// to spill for: the input may not be read on after it.
	var inputErr bool
	read := func(op Operator, dst *[]*types.Batch, done *bool, what string) error {
		b, err := op.Next(ctx)
		if err != nil {
			inputErr = true
			return err
		}
		if b == nil || b.Len == 0 {
			*done = true
			return nil
		}
		// Kept and counted even when the budget refuses it: a spill
		// writes it out and gives back what was counted.
		c := copyBatch(b)
		*dst = append(*dst, c)
		size := batchBytes(c)
		j.held += size
		return reserve(ctx, size, what)
	}
	var err error
	switch j.hint {
	case buildLeftSide:
		for err == nil && !lDone {
			err = read(j.left, &lb, &lDone, "a join's left side")
		}
		j.buildLeft = true
	case buildRightSide:
		for err == nil && !rDone {
			err = read(j.right, &rb, &rDone, "a join's right side")
		}
	default:
		for err == nil {
			if err = read(j.left, &lb, &lDone, "a join's left side"); err != nil || lDone {
				j.buildLeft = lDone
				break
			}
			if err = read(j.right, &rb, &rDone, "a join's right side"); rDone {
				break
			}
		}
	}
	if err == nil {
		err = j.buildTable(ctx, lb, rb)
	}
	if err != nil {
		if inputErr {
			return err
		}
		return j.spill(ctx, err, lb, rb, lDone, rDone)
	}
	if len(n.LeftKeys) == 0 {
		j.all = make([]int32, j.build.n)
		for i := range j.all {
			j.all[i] = int32(i)
		}
	}
	j.buildMatch = make([]bool, j.build.n)
	if n.Residual != nil {
		need := map[int]bool{}
		plan.Columns(n.Residual, need)
		all := append(append(types.Schema{}, ls...), rs...)
		m := map[int]int{}
		var schema types.Schema
		for c := range all {
			if need[c] {
				m[c] = len(j.residCols)
				j.residCols = append(j.residCols, c)
				schema = append(schema, all[c])
			}
		}
		j.resid = plan.Remap(n.Residual, m)
		j.pairs = types.NewBatch(schema, types.BatchSize)
	}
	return nil
}

// buildTable builds the side that ended first (j.buildLeft) and sets
// the other up to stream through it, after the batches already read.
func (j *join) buildTable(ctx context.Context, lb, rb []*types.Batch) error {
	n := j.node
	buildBatches, buildSchema, buildKeys := rb, n.Right.Schema(), n.RightKeys
	j.stream, j.pending = j.left, lb
	if j.buildLeft {
		buildBatches, buildSchema, buildKeys = lb, n.Left.Schema(), n.LeftKeys
		j.stream, j.pending = j.right, rb
	}
	j.build.raw = len(n.LeftKeys) == 1 && n.LeftKeys[0].Kind() == types.String && n.RightKeys[0].Kind() == types.String
	// The built side is a second copy of its rows, in columns, and a hash
	// table over them: both count against the budget, as the batches read
	// did, and before they are made (a join over 300k events otherwise
	// held 20 MiB more than it reserved, past --memory-limit).
	var held int64
	for _, b := range buildBatches {
		held += batchBytes(b) + int64(b.Len)*joinEntryBytes
	}
	j.held += held
	if err := reserve(ctx, held, "a join's hash table"); err != nil {
		return err
	}
	if err := guard.room(held, "a join's hash table"); err != nil {
		return err
	}
	if err := j.build.load(buildSchema, buildBatches, buildKeys, j.kinds, len(n.LeftKeys) > 0); err != nil {
		return err
	}
	return guard.checkNow("a join's hash table")
}

// spill is called with the error that stopped start: past the memory
// budget, a join with equality keys partitions both inputs, lb and rb
// (the batches read) first, to disk and joins the pairs of partitions in
// turn (nextSpilled). lDone and rDone say which inputs have ended.
func (j *join) spill(ctx context.Context, overBudget error, lb, rb []*types.Batch, lDone, rDone bool) (err error) {
	n := j.node
	if !errors.Is(overBudget, ErrMemoryLimit) || len(n.LeftKeys) == 0 {
		return overBudget
	}
	if j.depth >= maxSpillDepth {
		return fmt.Errorf("%w (even after spilling to disk %d times over)", overBudget, maxSpillDepth)
	}
	dir, derr := spillDir(ctx)
	if derr != nil {
		return errors.Join(overBudget, derr)
	}
	j.build, j.stream, j.pending = builtSide{}, nil, nil
	// One seed for both sides, so that equal keys go to the same number.
	seed := maphash.MakeSeed()
	k := n.Kind
	left := &joinSpill{p: &partitions{dir: dir, seed: seed, schema: n.Left.Schema()}, keys: n.LeftKeys, kinds: j.kinds,
		keepNulls: k == plan.LeftJoin || k == plan.FullJoin || k == plan.AntiJoin}
	right := &joinSpill{p: &partitions{dir: dir, seed: seed, schema: n.Right.Schema()}, keys: n.RightKeys, kinds: j.kinds,
		keepNulls: k == plan.RightJoin || k == plan.FullJoin}
	defer func() {
		if err != nil {
			err = errors.Join(err, left.p.Close(), right.p.Close())
		}
	}()
	for _, b := range lb {
		if err := left.add(ctx, b); err != nil {
			return err
		}
	}
	for _, b := range rb {
		if err := right.add(ctx, b); err != nil {
			return err
		}
	}
	lb, rb = nil, nil
	unreserve(ctx, j.held)
	j.held = 0
	guard.collect()
	if !lDone {
		if err := left.addAll(ctx, j.left); err != nil {
			return err
		}
	}
	if !rDone {
		if err := right.addAll(ctx, j.right); err != nil {
			return err
		}
	}
	// Partitions read to the end and written again are of no more use:
	// removed now, they do not take twice their space on disk.
	for _, in := range []Operator{j.left, j.right} {
		if f, ok := in.(*spillFile); ok {
			if err := f.Close(); err != nil {
				return err
			}
		}
	}
	lf, err := left.p.finishAll(ctx)
	if err != nil {
		return err
	}
	rf, err := right.p.finishAll(ctx)
	if err != nil {
		for _, f := range lf {
			f.Close()
		}
		return err
	}
	for i := range lf {
		l, r := lf[i], rf[i]
		// A pair gives rows if both sides have some, or if the side that
		// has some keeps its unmatched rows.
		if l != nil && (r != nil || left.keepNulls) || r != nil && right.keepNulls {
			j.parts = append(j.parts, joinPart{l, r})
			continue
		}
		l.Close()
		r.Close()
	}
	j.spilled = true
	return nil
}

// nextSpilled returns the next rows of the pairs of spilled partitions,
// joining one pair at a time, or j.out empty once all are joined.
func (j *join) nextSpilled(ctx context.Context) (*types.Batch, error) {
	for {
		if j.sub == nil {
			if len(j.parts) == 0 {
				j.finished = true
				return j.out, nil
			}
			p := j.parts[len(j.parts)-1]
			j.parts = j.parts[:len(j.parts)-1]
			sub := &join{left: emptyOp{}, right: emptyOp{}, node: j.node, depth: j.depth + 1, hint: buildRightSide}
			var lsize, rsize int64
			if p.left != nil {
				sub.left, lsize = p.left, p.left.size
			}
			if p.right != nil {
				sub.right, rsize = p.right, p.right.size
			}
			if lsize < rsize {
				sub.hint = buildLeftSide
			}
			j.sub = sub
		}
		b, err := j.sub.Next(ctx)
		if err != nil {
			return nil, err
		}
		if b.Len > 0 {
			return b, nil
		}
		// The pair is joined: its files and its memory go.
		unreserve(ctx, j.sub.held)
		err = j.sub.Close()
		j.sub = nil
		if err != nil {
			return nil, err
		}
		guard.collect()
	}
}

// joinSpill routes one input's rows to its partitions by a hash of their
// join key.
type joinSpill struct {
	p     *partitions
	keys  []plan.Expr
	kinds []types.Kind // joinKeyKinds
	// keepNulls: the join outputs this side's rows that match nothing.
	// Rows with a NULL key are such rows, and any partition may take
	// them: they are dealt round the partitions, so that many of them do
	// not make one partition too large however often it is split. A join
	// that drops them does so here.
	keepNulls bool
	nulls     uint64
	kv        []*types.Vector
	key       []byte
}

func (s *joinSpill) add(ctx context.Context, b *types.Batch) error {
	if s.kv == nil {
		s.kv = make([]*types.Vector, len(s.keys))
	}
	if err := evalAll(s.keys, b, s.kv); err != nil {
		return err
	}
	for r := 0; r < b.Len; r++ {
		var ok bool
		var err error
		if s.key, ok = encodeKey(s.key[:0], s.kv, s.kinds, r); ok {
			err = s.p.add(ctx, b, r, s.key)
		} else if s.keepNulls {
			err = s.p.addTo(ctx, b, r, s.nulls%spillFanout)
			s.nulls++
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// addAll routes the rest of in.
func (s *joinSpill) addAll(ctx context.Context, in Operator) error {
	for {
		b, err := in.Next(ctx)
		if err != nil {
			return err
		}
		if b == nil || b.Len == 0 {
			return nil
		}
		if err := s.add(ctx, b); err != nil {
			return err
		}
	}
}

func (s *builtSide) load(schema types.Schema, batches []*types.Batch, keys []plan.Expr, kinds []types.Kind, hashed bool) error {
	rows := 0
	for _, b := range batches {
		rows += b.Len
	}
	s.cols = make([]*types.Vector, len(schema))
	for i, c := range schema {
		s.cols[i] = types.NewVector(c.Kind, rows)
	}
	if hashed {
		s.table = make(map[string][]int32)
	}
	kv := make([]*types.Vector, len(keys))
	var key []byte
	for _, b := range batches {
		if hashed {
			if err := evalAll(keys, b, kv); err != nil {
				return err
			}
			for r := 0; r < b.Len; r++ {
				if s.raw {
					if k, ok := rawKey(kv[0], r); ok {
						s.table[k] = append(s.table[k], int32(s.n+r))
					}
					continue
				}
				var ok bool
				if key, ok = encodeKey(key[:0], kv, kinds, r); ok {
					s.table[string(key)] = append(s.table[string(key)], int32(s.n+r))
				}
			}
		}
		for i, v := range b.Cols {
			appendVector(s.cols[i], v)
		}
		s.n += b.Len
	}
	return nil
}

// step does one unit of probing: fetches the next probe batch, or joins
// up to a batch of candidate pairs of the current one, or, once the batch
// is done, emits its unmatched rows; after the last batch it emits the
// build side's unmatched rows.
func (j *join) step(ctx context.Context) error {
	if j.cur == nil {
		b, err := j.nextProbe(ctx)
		if err != nil {
			return err
		}
		if b == nil {
			j.emitBuildLeftovers()
			j.finished = true
			return nil
		}
		j.cur, j.r, j.c, j.cands = b, 0, 0, nil
		if cap(j.matched) < b.Len {
			j.matched = make([]bool, b.Len, types.BatchSize+b.Len)
		}
		j.matched = j.matched[:b.Len]
		clear(j.matched)
		if len(j.node.LeftKeys) > 0 {
			keys := j.node.RightKeys
			if !j.buildLeft {
				keys = j.node.LeftKeys
			}
			if len(j.curKeys) != len(keys) {
				j.curKeys = make([]*types.Vector, len(keys))
			}
			if err := evalAll(keys, b, j.curKeys); err != nil {
				return err
			}
		}
		j.startRow()
	}
	// Gather a chunk of candidate pairs.
	j.probeIdx, j.buildIdx = j.probeIdx[:0], j.buildIdx[:0]
	for j.r < j.cur.Len && len(j.probeIdx) < types.BatchSize {
		take := min(len(j.cands)-j.c, types.BatchSize-len(j.probeIdx))
		for _, bi := range j.cands[j.c : j.c+take] {
			j.probeIdx = append(j.probeIdx, int32(j.r))
			j.buildIdx = append(j.buildIdx, bi)
		}
		j.c += take
		if j.c == len(j.cands) {
			j.r++
			j.startRow()
		}
	}
	if len(j.probeIdx) > 0 {
		if err := j.joinPairs(); err != nil {
			return err
		}
	}
	if j.r >= j.cur.Len {
		j.emitProbeLeftovers()
		j.cur = nil
	}
	return nil
}

// startRow looks up the candidates of probe row j.r.
func (j *join) startRow() {
	j.c, j.cands = 0, nil
	if j.r >= j.cur.Len {
		return
	}
	if len(j.node.LeftKeys) == 0 {
		j.cands = j.all
		return
	}
	if j.build.raw {
		if k, ok := rawKey(j.curKeys[0], j.r); ok {
			j.cands = j.build.table[k]
		}
		return
	}
	var ok bool
	if j.key, ok = encodeKey(j.key[:0], j.curKeys, j.kinds, j.r); ok {
		j.cands = j.build.table[string(j.key)]
	}
}

func (j *join) nextProbe(ctx context.Context) (*types.Batch, error) {
	if len(j.pending) > 0 {
		b := j.pending[0]
		j.pending = j.pending[1:]
		return b, nil
	}
	if j.streamEnd {
		return nil, nil
	}
	b, err := j.stream.Next(ctx)
	if err != nil {
		return nil, err
	}
	if b == nil || b.Len == 0 {
		j.streamEnd = true
		return nil, nil
	}
	return b, nil
}

// emitsPairs reports whether matching pairs are output rows (not for semi
// and anti joins, which output left rows).
func (j *join) emitsPairs() bool {
	return j.node.Kind.KeepsRight()
}

// joinPairs evaluates the residual over the gathered pairs, records which
// probe and build rows matched, and appends passing pairs to the output.
func (j *join) joinPairs() error {
	probe, build := j.probeIdx, j.buildIdx
	if j.resid != nil {
		j.pairs.Reset()
		for i, c := range j.residCols {
			src, idx := j.side(c < j.nl)
			gather(j.pairs.Cols[i:i+1], src[j.colOf(c):j.colOf(c)+1], idx)
		}
		j.pairs.Len = len(probe)
		cond, err := Eval(j.resid, j.pairs)
		if err != nil {
			return err
		}
		j.passProbe, j.passBuild = j.passProbe[:0], j.passBuild[:0]
		for i := range probe {
			if !cond.Nulls[i] && cond.I[i] != 0 {
				j.passProbe = append(j.passProbe, probe[i])
				j.passBuild = append(j.passBuild, build[i])
			}
		}
		probe, build = j.passProbe, j.passBuild
	}
	for i, p := range probe {
		j.matched[p] = true
		j.buildMatch[build[i]] = true
	}
	if j.emitsPairs() && len(probe) > 0 {
		lIdx, lSrc, rIdx, rSrc := probe, j.cur.Cols, build, j.build.cols
		if j.buildLeft {
			lIdx, lSrc, rIdx, rSrc = build, j.build.cols, probe, j.cur.Cols
		}
		gather(j.out.Cols[:j.nl], lSrc, lIdx)
		gather(j.out.Cols[j.nl:], rSrc, rIdx)
		j.out.Len += len(probe)
	}
	return nil
}

// side returns the columns of the left (or right) input for the current
// chunk and the row indexes of the candidate pairs into them.
func (j *join) side(left bool) ([]*types.Vector, []int32) {
	if left == j.buildLeft {
		return j.build.cols, j.buildIdx
	}
	return j.cur.Cols, j.probeIdx
}

// colOf is column c of the left-then-right row as a column of its side.
func (j *join) colOf(c int) int {
	if c < j.nl {
		return c
	}
	return c - j.nl
}

// emitProbeLeftovers outputs, once a probe batch is done, the rows the
// join kind keeps for it: matched left rows of a semi join, unmatched ones
// of an anti join, and unmatched rows of an outer side padded with NULLs.
func (j *join) emitProbeLeftovers() {
	k := j.node.Kind
	if j.buildLeft {
		if k == plan.RightJoin || k == plan.FullJoin {
			j.emitPadded(j.cur.Cols, j.matched, false, false)
		}
		return
	}
	switch k {
	case plan.SemiJoin:
		j.emitPadded(j.cur.Cols, j.matched, true, true)
	case plan.AntiJoin, plan.LeftJoin, plan.FullJoin:
		j.emitPadded(j.cur.Cols, j.matched, false, true)
	}
}

// emitBuildLeftovers is emitProbeLeftovers for the build side, after the
// last probe batch.
func (j *join) emitBuildLeftovers() {
	k := j.node.Kind
	if !j.buildLeft {
		if k == plan.RightJoin || k == plan.FullJoin {
			j.emitPadded(j.build.cols, j.buildMatch, false, false)
		}
		return
	}
	switch k {
	case plan.SemiJoin:
		j.emitPadded(j.build.cols, j.buildMatch, true, true)
	case plan.AntiJoin, plan.LeftJoin, plan.FullJoin:
		j.emitPadded(j.build.cols, j.buildMatch, false, true)
	}
}

// emitPadded appends the rows of src (one side's columns) whose matched
// flag equals want, as left columns when isLeft, padding the other side
// with NULLs unless the output is the left side alone (semi, anti).
func (j *join) emitPadded(src []*types.Vector, matched []bool, want, isLeft bool) {
	off, pad := 0, j.nr
	if !isLeft {
		off, pad = j.nl, j.nl
	}
	if !j.emitsPairs() {
		pad = 0
	}
	for r, m := range matched {
		if m != want {
			continue
		}
		for c, v := range src {
			j.out.Cols[off+c].AppendFrom(v, r)
		}
		padFrom := j.nl
		if !isLeft {
			padFrom = 0
		}
		for c := padFrom; c < padFrom+pad; c++ {
			j.out.Cols[c].AppendNull()
		}
		j.out.Len++
	}
}

// gather appends src[c][idx[i]] to dst[c] for every i.
func gather(dst, src []*types.Vector, idx []int32) {
	for c, d := range dst {
		s := src[c]
		if d.Kind != s.Kind {
			for _, i := range idx {
				d.Append(s.Get(int(i)))
			}
			continue
		}
		d.Nulls = growGather(d.Nulls, s.Nulls, idx)
		switch d.Kind.Storage() {
		case types.Float:
			d.F = growGather(d.F, s.F, idx)
		case types.String:
			d.S = growGather(d.S, s.S, idx)
		default:
			d.I = growGather(d.I, s.I, idx)
		}
	}
}

func growGather[T any](dst, src []T, idx []int32) []T {
	for _, i := range idx {
		dst = append(dst, src[i])
	}
	return dst
}

// evalAll evaluates each expression over b into out.
func evalAll(es []plan.Expr, b *types.Batch, out []*types.Vector) error {
	for i, e := range es {
		v, err := Eval(e, b)
		if err != nil {
			return err
		}
		out[i] = v
	}
	return nil
}

// joinKeyKinds gives, for each pair of equal keys, the kind both sides'
// values are encoded as, so that two keys encode alike exactly when `=`
// (types.Compare) finds them equal: the sides' own kind when they agree,
// DOUBLE for a number against a number, TIMESTAMP for a DATE against a
// TIMESTAMP, the wider interval, and otherwise the values' text, Compare's
// fallback. (Every number had been encoded as a DOUBLE, so BIGINT keys
// past 2^53 that differ matched, and a DATE never matched a TIMESTAMP.)
func joinKeyKinds(n *plan.Join) []types.Kind {
	kinds := make([]types.Kind, len(n.LeftKeys))
	for i := range kinds {
		l, r := n.LeftKeys[i].Kind(), n.RightKeys[i].Kind()
		w, interval := types.WidenInterval(l, r)
		switch {
		case l == r:
			kinds[i] = l
		case interval:
			kinds[i] = w
		case l.IsNumeric() && r.IsNumeric():
			kinds[i] = types.Float
		case (l == types.Date || l == types.Timestamp) && (r == types.Date || r == types.Timestamp):
			kinds[i] = types.Timestamp
		default:
			kinds[i] = types.String
		}
	}
	return kinds
}

// encodeKey encodes row r of the key vectors as kinds says
// (joinKeyKinds); ok is false when any key is NULL.
func encodeKey(buf []byte, keys []*types.Vector, kinds []types.Kind, r int) ([]byte, bool) {
	for i, k := range keys {
		if k.Nulls[r] {
			return buf, false
		}
		v := k.Get(r)
		if t := kinds[i]; v.K != t {
			switch {
			case t == types.Float:
				v = types.FloatValue(v.AsFloat())
			case t == types.Timestamp:
				v = types.Value{K: types.Timestamp, I: v.I * types.MicrosPerDay} // v is a DATE
			case t.IsInterval():
				v.K = t // Compare compares intervals' counts as they are
			default:
				v = types.StringValue(v.String())
			}
		}
		buf = types.AppendKey(buf, v)
	}
	return buf, true
}

// copyBatch returns a copy of b that stays valid after its producer's next
// call.
func copyBatch(b *types.Batch) *types.Batch {
	c := &types.Batch{Len: b.Len, Cols: make([]*types.Vector, len(b.Cols))}
	for i, v := range b.Cols {
		c.Cols[i] = &types.Vector{Kind: v.Kind}
		appendVector(c.Cols[i], v)
	}
	return c
}

// appendVector appends every row of src to dst (same kind).
func appendVector(dst, src *types.Vector) {
	if dst.Kind != src.Kind {
		for i := range src.Nulls {
			dst.Append(src.Get(i))
		}
		return
	}
	dst.Nulls = append(dst.Nulls, src.Nulls...)
	switch dst.Kind.Storage() {
	case types.Float:
		dst.F = append(dst.F, src.F...)
	case types.String:
		dst.S = append(dst.S, src.S...)
	default:
		dst.I = append(dst.I, src.I...)
	}
}

// batchBytes estimates a held batch's footprint for the memory budget.
func batchBytes(b *types.Batch) int64 {
	n := int64(0)
	for _, v := range b.Cols {
		n += vectorBytes(v)
	}
	return n
}

// vectorBytes estimates a held vector's footprint: a null flag and an
// 8-byte value a row, and a string's header and bytes.
func vectorBytes(v *types.Vector) int64 {
	n := int64(len(v.Nulls)) * 9
	for _, s := range v.S {
		n += 16 + int64(len(s))
	}
	return n
}
