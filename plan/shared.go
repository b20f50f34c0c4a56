package plan

import (
	"fmt"

	"github.com/nectar-dev/nectar/types"
)

// Shared is a subplan that several parts of a query read, such as a WITH
// query named more than once. Every reference holds a Shared with the same
// ID; the executor runs the subplan once and replays its rows to each, and
// column pruning keeps the union of what the references need.
type Shared struct {
	ID    int
	Name  string // the WITH name, for EXPLAIN
	Input Node
}

var _ Node = (*Shared)(nil)

func (s *Shared) Schema() types.Schema { return s.Input.Schema() }
func (s *Shared) Children() []Node     { return []Node{s.Input} }
func (*Shared) Streaming() Streaming   { return perBatch }
func (s *Shared) Describe() string     { return fmt.Sprintf("Shared #%d %s", s.ID, s.Name) }
