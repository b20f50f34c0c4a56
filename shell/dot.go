package shell

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/nectar-dev/nectar/chart"
	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/output"
	"github.com/nectar-dev/nectar/project"
	"github.com/nectar-dev/nectar/syntax"
)

// command is one dot command.
type command struct {
	name, args, help string
	run              func(sh *Shell, ctx context.Context, args []string) error
	// values completes the first argument ("": nothing to offer).
	values func(cat catalog, arg string) []Candidate
}

// modes are .mode's choices: output formats that suit a terminal.
var modes = []string{"table", "line", "csv", "json"}

var commands []command

func init() {
	// Set here, not in the declaration: .help reads the list.
	commands = []command{
		{name: ".help", args: "[COMMAND]", help: "show the commands, or one command's help", run: (*Shell).help,
			values: func(catalog, string) []Candidate { return commandCandidates() }},
		{name: ".tables", args: "[PATTERN]", help: "list sources and views (SHOW TABLES [LIKE 'PATTERN'])", run: (*Shell).tables},
		{name: ".schema", args: "[TABLE]", help: "show a table's columns and types (DESCRIBE TABLE), or every table's", run: (*Shell).schema,
			values: func(cat catalog, _ string) []Candidate { return tableCandidates(cat) }},
		{name: ".mode", args: "[table|line|csv|json]", help: "how results print; line shows one column per line, for wide rows", run: (*Shell).setMode,
			values: func(catalog, string) []Candidate { return valueCandidates(modes...) }},
		{name: ".timer", args: "[on|off]", help: "show how long each statement took", run: (*Shell).setTimer,
			values: func(catalog, string) []Candidate { return valueCandidates("on", "off") }},
		{name: ".open", args: "[FILE]", help: "start a new session from a project file (default ./" + project.ConfigFile + "); views are dropped", run: (*Shell).openFile,
			values: func(_ catalog, arg string) []Candidate { return fileCandidates(arg, true) }},
		{name: ".read", args: "FILE", help: "run the statements and commands of a file", run: (*Shell).readFile,
			values: func(_ catalog, arg string) []Candidate { return fileCandidates(arg, false) }},
		{name: ".plot", args: "FILE", help: "draw the last result as a chart in FILE (.png or .svg): lines over a time, date or number, bars over categories; a second text column names the series", run: (*Shell).plot,
			values: func(_ catalog, arg string) []Candidate { return fileCandidates(arg, false) }},
		{name: ".quit", help: "leave the shell (also .exit, or Ctrl-D)", run: quit},
		{name: ".exit", help: "leave the shell", run: quit},
	}
}

func quit(*Shell, context.Context, []string) error { return errQuit }

func lookupCommand(name string) (command, bool) {
	for _, c := range commands {
		if strings.EqualFold(c.name, name) {
			return c, true
		}
	}
	return command{}, false
}

func commandNames() []string {
	var names []string
	for _, c := range commands {
		names = append(names, c.name)
	}
	return names
}

// dot runs a dot command line.
func (sh *Shell) dot(ctx context.Context, line string) error {
	fields := strings.Fields(line)
	c, ok := lookupCommand(fields[0])
	if !ok {
		msg := fmt.Sprintf("unknown command %s", fields[0])
		if near := syntax.Nearest(fields[0], commandNames(), 1, 2); len(near) > 0 {
			msg += ": did you mean " + near[0] + "?"
		}
		return fmt.Errorf("%s (.help lists the commands)", msg)
	}
	return c.run(sh, ctx, fields[1:])
}

func (sh *Shell) help(_ context.Context, args []string) error {
	if len(args) > 0 {
		name := args[0]
		if !strings.HasPrefix(name, ".") {
			name = "." + name
		}
		c, ok := lookupCommand(name)
		if !ok {
			return fmt.Errorf("no command %s (.help lists the commands)", name)
		}
		fmt.Fprintf(sh.o.Out, "%s %s\n  %s\n", c.name, c.args, c.help)
		return nil
	}
	tw := tabwriter.NewWriter(sh.o.Out, 0, 0, 2, ' ', 0)
	for _, c := range commands {
		fmt.Fprintf(tw, "%s %s\t%s\n", c.name, c.args, c.help)
	}
	tw.Flush()
	fmt.Fprint(sh.o.Out, `
SQL statements (and |> pipe queries) end with ';' and may span lines.
SHOW TABLES, DESCRIBE name, EXPLAIN query and CREATE VIEW work as in Spark.
Tab completes keywords, functions, tables and column paths; Up and Down
walk the history; Ctrl-C cancels a statement (or the input); Ctrl-D quits.
`)
	return nil
}

func (sh *Shell) tables(ctx context.Context, args []string) error {
	stmt := "SHOW TABLES"
	if len(args) > 0 {
		stmt += " LIKE " + syntax.QuoteString(strings.Join(args, " "))
	}
	return sh.sql(ctx, stmt)
}

func (sh *Shell) schema(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return sh.sql(ctx, "DESCRIBE TABLE "+strings.Join(args, " "))
	}
	tables := sh.sess.Tables()
	if len(tables) == 0 {
		fmt.Fprintln(sh.o.Out, "no tables: name sources in "+project.ConfigFile+" (.open FILE) or CREATE VIEW")
		return nil
	}
	for i, t := range tables {
		if i > 0 {
			fmt.Fprintln(sh.o.Out)
		}
		fmt.Fprintf(sh.o.Out, "-- %s (%s)\n", t.Name, t.Kind)
		sh.results = 0
		if err := sh.sql(ctx, "DESCRIBE TABLE "+syntax.QuoteIdent(t.Name)); err != nil {
			return err
		}
	}
	return nil
}

func (sh *Shell) setMode(_ context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprintf(sh.o.Out, "mode: %s\n", sh.mode)
		return nil
	}
	want := strings.ToLower(args[0])
	if !slices.Contains(modes, want) {
		return fmt.Errorf(".mode %s: want one of %s", args[0], strings.Join(modes, ", "))
	}
	f, err := output.ParseFormat(want)
	if err != nil {
		return err
	}
	sh.mode = f
	return nil
}

func (sh *Shell) setTimer(_ context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprintf(sh.o.Out, "timer: %s\n", onOff(sh.timer))
		return nil
	}
	switch strings.ToLower(args[0]) {
	case "on":
		sh.timer = true
	case "off":
		sh.timer = false
	default:
		return fmt.Errorf(".timer %s: want on or off", args[0])
	}
	return nil
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func (sh *Shell) openFile(ctx context.Context, args []string) error {
	config := ""
	if len(args) > 0 {
		config = args[0]
	}
	views := 0
	for _, t := range sh.sess.Tables() {
		if t.Kind == engine.ViewTable {
			views++
		}
	}
	if err := sh.open(ctx, config); err != nil {
		return err
	}
	name := config
	if name == "" {
		name = project.ConfigFile
	}
	msg := fmt.Sprintf("opened %s", name)
	if names := sh.tableNames(); len(names) > 0 {
		msg += ": " + strings.Join(names, ", ")
	} else {
		msg += ": no sources"
	}
	if views > 0 {
		msg += fmt.Sprintf(" (the %d views of the previous session are gone)", views)
	}
	fmt.Fprintln(sh.o.Out, msg)
	return nil
}

func (sh *Shell) readFile(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf(".read takes one file, got %d arguments", len(args))
	}
	f, err := os.Open(args[0])
	if err != nil {
		return fmt.Errorf(".read: %w", err)
	}
	defer f.Close()
	// Each statement's failure is reported and counted as it happens.
	return sh.loop(ctx, newScript(f))
}

func (sh *Shell) plot(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf(".plot takes one file name, such as chart.png or chart.svg")
	}
	name := args[0]
	format, err := chart.FormatFor(name)
	if err != nil {
		return fmt.Errorf(".plot: %w", err)
	}
	switch {
	case sh.last.none:
		return fmt.Errorf(".plot draws the last result: run a query first")
	case sh.last.tooMany:
		return fmt.Errorf(".plot: the last result had more than %d rows; aggregate it first (GROUP BY)", maxKeptRows)
	}
	ch, err := chart.FromRows(sh.last.schema, sh.last.rows)
	if err != nil {
		return fmt.Errorf(".plot: %w", err)
	}
	f, err := sh.sess.Opts.Stores.Create(ctx, name)
	if err != nil {
		return fmt.Errorf(".plot: %w", err)
	}
	if err := ch.Write(f, format); err != nil {
		f.Abort()
		return fmt.Errorf(".plot %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf(".plot %s: %w", name, err)
	}
	fmt.Fprintf(sh.o.Out, "chart %q in %s\n", ch.Title, name)
	return nil
}
