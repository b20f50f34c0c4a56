package shell

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	// reeflective/readline, not chzyer/readline (unreleased since 2022)
	// or peterh/liner: it is maintained, pure Go (its only dependencies
	// are x/sys and uniseg), edits a statement of several lines as one
	// buffer (AcceptMultiline) so that history recalls whole statements,
	// keeps history as JSON lines that hold newlines, reads ~/.inputrc
	// (emacs or vi keys, as the user's other tools), and shows completions
	// in groups with a note beside each (a column's type).
	"github.com/reeflective/readline"
)

// Prompts: sqlite's shape, named for nectar.
const (
	prompt     = "nectar> "
	continuing = "   ...> "
)

// terminal reads input with line editing from the terminal.
type terminal struct{ rl *readline.Shell }

func newTerminal(sh *Shell) (*terminal, error) {
	rl := readline.NewShell()
	rl.Prompt.Primary(func() string { return prompt })
	rl.Prompt.Secondary(func() string { return continuing })
	// Enter runs the input once it is complete (a dot command, or
	// statements ending in ';'); until then it starts another line.
	rl.AcceptMultiline = func(line []rune) bool { return complete(string(line)) }
	cat := shellCatalog{sh}
	rl.Completer = func(line []rune, cursor int) readline.Completions {
		src := string(line)
		pos := len(string(line[:min(cursor, len(line))]))
		word, cands := completions(src, pos, cat)
		return toReadline(word, cands)
	}
	for name, v := range map[string]any{
		"completion-ignore-case": true,
		"multiline-column":       false, // the continuation prompt marks the lines
		"history-autosuggest":    false,
		"autocomplete":           false,
		// Tab lists the candidates and inserts what they share, as bash
		// does; Tab again walks the list.
		"menu-complete-display-prefix": true,
	} {
		if err := rl.Config.Set(name, v); err != nil {
			return nil, fmt.Errorf("line editor: %w", err)
		}
	}
	if sh.o.HistoryPath != "" {
		if err := os.MkdirAll(filepath.Dir(sh.o.HistoryPath), 0o700); err != nil {
			fmt.Fprintf(sh.o.Err, "note: history is not kept: %v\n", err)
		} else {
			rl.History.AddFromFile("history", sh.o.HistoryPath)
		}
	}
	return &terminal{rl: rl}, nil
}

func (t *terminal) read() (string, error) {
	line, err := t.rl.Readline()
	if errors.Is(err, readline.ErrInterrupt) {
		return "", errCancelled
	}
	return line, err
}

// toReadline turns candidates into the line editor's, grouped by kind.
func toReadline(word string, cands []Candidate) readline.Completions {
	raw := make([]readline.Completion, 0, len(cands))
	for _, c := range cands {
		raw = append(raw, readline.Completion{Value: c.Value, Display: c.Value, Description: c.Note, Tag: c.Kind + "s"})
	}
	// No NoSpace: the editor adds no space after a candidate, and its
	// suffix matcher would cut the last letter of a name when a space is
	// typed after it.
	comps := readline.CompleteRaw(raw)
	comps.PREFIX = word
	return comps
}

// HistoryPath is where the shell keeps its history: $NECTAR_HISTORY, else
// nectar/history in the user's configuration directory ("" when there is
// none).
func HistoryPath() string {
	if p := os.Getenv("NECTAR_HISTORY"); p != "" {
		return p
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "nectar", "history")
}
