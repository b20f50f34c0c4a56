package graph

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"

	"gopkg.in/yaml.v3"
)

// node is a place in a YAML or JSON document (JSON is read as YAML, so
// both give line numbers): the importers walk documents through it so that
// every refusal names the file, the line and the JSON path.
type node struct {
	file string
	path string
	n    *yaml.Node // nil: absent
	line int        // the line of the nearest present ancestor
}

// readDocs parses every document of a YAML stream (or one JSON value).
func readDocs(body []byte, file string) ([]node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(body))
	var out []node
	for {
		var d yaml.Node
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, &InputError{File: file, Line: yamlErrLine(err), Msg: "not YAML or JSON: " + err.Error()}
		}
		if len(d.Content) == 0 {
			continue
		}
		out = append(out, node{file: file, path: "$", n: d.Content[0], line: d.Content[0].Line})
	}
	if len(out) == 0 {
		return nil, &InputError{File: file, Msg: "empty document"}
	}
	return out, nil
}

// yamlErrLine digs the line out of a yaml.v3 error ("yaml: line 3: …").
func yamlErrLine(err error) int {
	var n int
	if _, e := fmt.Sscanf(err.Error(), "yaml: line %d:", &n); e == nil {
		return n
	}
	return 0
}

func (d node) errf(format string, args ...any) error {
	line := d.line
	if d.n != nil {
		line = d.n.Line
	}
	return &InputError{File: d.file, Line: line, Path: d.path, Msg: fmt.Sprintf(format, args...)}
}

func (d node) present() bool { return d.n != nil && d.n.Tag != "!!null" }

func (d node) resolved() *yaml.Node {
	n := d.n
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// get returns the value at key of a mapping (absent if d is not one).
func (d node) get(key string) node {
	child := node{file: d.file, path: d.path + "." + key, line: d.line}
	if d.n != nil {
		child.line = d.n.Line
	}
	n := d.resolved()
	if n == nil || n.Kind != yaml.MappingNode {
		return child
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			child.n = n.Content[i+1]
			return child
		}
	}
	return child
}

// str is a scalar's text; absent or null gives "".
func (d node) str() (string, error) {
	if !d.present() {
		return "", nil
	}
	n := d.resolved()
	if n.Kind != yaml.ScalarNode {
		return "", d.errf("want a string, got %s", kindName(n))
	}
	return n.Value, nil
}

// need is str for a value that must be there.
func (d node) need() (string, error) {
	s, err := d.str()
	if err == nil && s == "" {
		return "", d.errf("missing")
	}
	return s, err
}

// items are a sequence's elements; absent gives none.
func (d node) items() ([]node, error) {
	if !d.present() {
		return nil, nil
	}
	n := d.resolved()
	if n.Kind != yaml.SequenceNode {
		return nil, d.errf("want a list, got %s", kindName(n))
	}
	out := make([]node, len(n.Content))
	for i, c := range n.Content {
		out[i] = node{file: d.file, path: d.path + "[" + strconv.Itoa(i) + "]", n: c, line: c.Line}
	}
	return out, nil
}

// strMap reads a mapping of strings (labels, annotations).
func (d node) strMap() (map[string]string, error) {
	if !d.present() {
		return nil, nil
	}
	n := d.resolved()
	if n.Kind != yaml.MappingNode {
		return nil, d.errf("want a mapping, got %s", kindName(n))
	}
	out := map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i].Value
		v, err := d.get(k).str()
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// keys lists a mapping's keys in document order.
func (d node) keys() ([]string, error) {
	if !d.present() {
		return nil, nil
	}
	n := d.resolved()
	if n.Kind != yaml.MappingNode {
		return nil, d.errf("want a mapping, got %s", kindName(n))
	}
	var out []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, n.Content[i].Value)
	}
	return out, nil
}

// isMap says whether d is a mapping.
func (d node) isMap() bool { n := d.resolved(); return n != nil && n.Kind == yaml.MappingNode }

// isSeq says whether d is a sequence.
func (d node) isSeq() bool { n := d.resolved(); return n != nil && n.Kind == yaml.SequenceNode }

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

// anyMap converts a string map for properties.
func anyMap(m map[string]string) map[string]any {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
