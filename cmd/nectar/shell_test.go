package main

import (
	"encoding/hex"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tmuxTerm drives a program in a real terminal: a tmux server of the
// test's own (its socket in a temp dir), keys sent as the bytes a
// terminal sends, the screen read back with capture-pane.
type tmuxTerm struct {
	t    *testing.T
	sock string
}

func newTmux(t *testing.T, dir, command string) *tmuxTerm {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tmux is not installed; test.sh installs it (scripts/install-tmux.sh)")
		}
		t.Skip("tmux is not installed: scripts/install-tmux.sh installs it (test.sh runs it)")
	}
	m := &tmuxTerm{t: t, sock: filepath.Join(dir, "tmux.sock")}
	// The command runs under sh; after it ends the pane shows its exit
	// status and stays for the test to read.
	m.tmux("-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "50", "-c", dir,
		command+`; echo "exit status $?"; sleep 600`)
	t.Cleanup(func() { exec.Command("tmux", "-S", m.sock, "kill-server").Run() })
	return m
}

func (m *tmuxTerm) tmux(args ...string) string {
	m.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", m.sock}, args...)...).CombinedOutput()
	if err != nil {
		m.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// send types text as a terminal sends it: \r is Enter, \t Tab, \x03
// Ctrl-C, \x04 Ctrl-D. Bytes go in hex: tmux would read a trailing ';'
// of a literal argument as its own command separator, and named keys
// (Enter) may be sent in an extended encoding.
func (m *tmuxTerm) send(text string) {
	m.t.Helper()
	args := []string{"send-keys", "-t", "0", "-H"}
	for _, b := range []byte(text) {
		args = append(args, hex.EncodeToString([]byte{b}))
	}
	m.tmux(args...)
}

// enter types a line and Enter at an empty prompt, and waits for the
// next prompt: the input has been read and run.
func (m *tmuxTerm) enter(line string) string {
	m.t.Helper()
	n := m.ready()
	m.send(line + "\r")
	return m.waitFor("nectar>", n)
}

// ready waits for an empty prompt on the last line, as a person waits to
// see it before typing (keys typed while the line editor starts may be
// lost), and returns how many prompts the screen shows.
func (m *tmuxTerm) ready() int {
	m.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	prev := ""
	for {
		s := strings.TrimRight(m.screen(), "\n ")
		// The prompt, and the screen still for a poll: the editor has
		// started (it asks the terminal where the cursor is first).
		if strings.HasSuffix(s, "\nnectar>") && s == prev {
			return strings.Count(s, "nectar>")
		}
		prev = s
		if time.Now().After(deadline) {
			m.t.Fatalf("no empty prompt:\n%s", s)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (m *tmuxTerm) screen() string {
	return m.tmux("capture-pane", "-p", "-t", "0", "-S", "-200")
}

// waitFor waits until the screen holds want, counted after the screen's
// first `after` occurrences of want, and fails with the screen if it does
// not within a generous bound (it is a wait for a program, not a timing).
func (m *tmuxTerm) waitFor(want string, after int) string {
	m.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := m.screen()
		if strings.Count(s, want) > after {
			return s
		}
		if time.Now().After(deadline) {
			m.t.Fatalf("the screen never showed %q (occurrence %d):\n%s", want, after+1, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestShellInTerminal drives `nectar shell` through tmux as a person
// would: a statement over two lines, Tab completion of a column path and
// the list of candidates, .mode line, .timer, .tables, .open with a
// completed file name, Ctrl-C at the prompt and during a statement
// (which is cancelled, and the shell goes on), the history (Up recalls a
// statement, in a later session too: nectar alone, which starts the
// shell on a terminal), and Ctrl-D.
func TestShellInTerminal(t *testing.T) {
	bin := buildNectar(t)
	dir := t.TempDir()
	files := map[string]string{
		"events.jsonl": `{"event":"Product Viewed","userId":"u1","properties":{"price":9.5,"recommender":{"variant":"Model_A"}}}
{"event":"Added to Cart","userId":"u1","properties":{"price":9.5,"recommender":{"variant":"Model_B"}}}
{"event":"Added to Cart","userId":"u2","properties":{"price":3,"recommender":{"variant":"Model_A"}}}
`,
		"nectar.yaml": "sources:\n  events: {path: events.jsonl}\n",
		"other.yaml":  "sources:\n  clicks: {path: events.jsonl}\n",
		// A million short lines: with each row made 100 kB long, a query
		// over them runs for far longer than the test waits.
		"big.jsonl": strings.Repeat(`{"a":"x"}`+"\n", 1_000_000),
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	history := filepath.Join(dir, "state", "history")
	command := fmt.Sprintf("HOME=%q NECTAR_HISTORY=%q %q shell", dir, history, bin)
	term := newTmux(t, dir, command)

	term.waitFor("nectar>", 0)
	term.waitFor("Tables: events", 0)

	// A statement over two lines runs when the line ending in ';' is entered.
	term.ready()
	term.send("SELECT event,\r")
	term.waitFor("SELECT event,", 0)
	if strings.Contains(term.screen(), "event ") {
		t.Fatalf("ran before the ';':\n%s", term.screen())
	}
	term.send("  count(*) AS n FROM events GROUP BY event ORDER BY n DESC;\r")
	s := term.waitFor("(2 rows)", 0)
	if !strings.Contains(s, "Added to Cart   2") {
		t.Errorf("result:\n%s", s)
	}

	// Tab completes a column path one step at a time.
	term.ready()
	term.send("SELECT properties.rec\t")
	term.waitFor("SELECT properties.recommender.", 0)
	term.send("v\t")
	term.waitFor("SELECT properties.recommender.variant", 0)
	term.send(" AS v FROM events WHERE userId = 'u2';\r")
	term.waitFor("Model_A", 0)

	// Several candidates are listed under their kinds; Ctrl-C drops the
	// line being typed and the shell stays.
	term.ready()
	term.send("SELECT coun\t")
	s = term.waitFor("count_if(", 0)
	if !strings.Contains(s, "functions") {
		t.Errorf("candidates are not listed under their kind:\n%s", s)
	}
	term.send("\x03")
	term.enter("SELECT 'still here' AS s;")
	term.waitFor("still here\n(1 row)", 0)

	// A table wider than the terminal leaves middle columns out, and says so.
	s = term.enter("SELECT repeat('a', 50) AS c1, repeat('b', 50) AS c2, repeat('c', 50) AS c3;")
	if !strings.Contains(s, "c1"+strings.Repeat(" ", 50)+"…  c3\n") || !strings.Contains(s, "(1 row; 1 of 3 columns not shown to fit the terminal: .mode line shows every column)") {
		t.Errorf("wide table:\n%s", s)
	}

	// .mode line prints one column per line; .timer times statements.
	term.enter(".mode line")
	term.enter(".timer on")
	s = term.enter("SELECT event, userId FROM events LIMIT 1;")
	if !strings.Contains(s, " event = Product Viewed\nuserId = u1\n\n(1 row)\nRun Time (s): real") {
		t.Errorf(".mode line and .timer:\n%s", s)
	}
	term.enter(".timer off")
	term.enter(".mode table")

	// .tables, and .open with a file name completed.
	term.enter(".tables")
	term.waitFor("events     source", 0)
	term.ready()
	term.send(".open oth\t")
	term.waitFor(".open other.yaml", 0)
	term.send("\r")
	term.waitFor("opened other.yaml: clicks", 0)

	// .plot draws the last result.
	term.enter("SELECT event, count(*) AS n FROM clicks GROUP BY event;")
	term.enter(".plot chart.png")
	term.waitFor(`chart "n by event" in chart.png`, 0)
	if f, err := os.Open(filepath.Join(dir, "chart.png")); err != nil {
		t.Error(err)
	} else {
		if _, err := png.Decode(f); err != nil {
			t.Errorf("chart.png: %v", err)
		}
		f.Close()
	}

	// Ctrl-C cancels a running statement, not the shell.
	term.ready()
	term.send("SELECT count(*) FROM read_json('big.jsonl') WHERE length(repeat(a, 100000)) > 0;\r")
	// The progress line shows once it has run a second: it is running.
	term.waitFor(" ETA ", 0)
	term.send("\x03")
	term.waitFor("error: interrupted", 0)
	term.enter("SELECT 42 AS answer;")
	term.waitFor("    42\n(1 row)", 0)

	// Up recalls the last statement.
	term.ready()
	term.send("\x1b[A")
	term.waitFor("nectar> SELECT 42 AS answer;", 0)
	n := strings.Count(term.screen(), "nectar>")
	term.send("\x03")
	term.waitFor("nectar>", n)

	// Ctrl-D quits.
	term.ready()
	term.send("\x04")
	term.waitFor("exit status 0", 0)

	hist, err := os.ReadFile(history)
	if err != nil {
		t.Fatalf("history not kept: %v", err)
	}
	for _, want := range []string{`SELECT event,\n  count(*) AS n FROM events`, "SELECT 42 AS answer;"} {
		if !strings.Contains(string(hist), want) {
			t.Errorf("history lacks %q:\n%s", want, hist)
		}
	}

	// A new shell, nectar alone this time, recalls the last session's
	// statements.
	bare := fmt.Sprintf("cd %q && HOME=%q NECTAR_HISTORY=%q %q", dir, dir, history, bin)
	again := newTmux(t, t.TempDir(), bare)
	again.ready()
	again.send("\x1b[A")
	again.waitFor("nectar> SELECT 42 AS answer;", 0)
	again.send("\x03")
	again.waitFor("nectar>", 1)
	again.ready()
	again.send("\x04")
	again.waitFor("exit status 0", 0)
}
