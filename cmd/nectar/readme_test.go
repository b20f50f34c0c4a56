package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// readmeBlock is one fenced code block of README.md with the test's
// annotations, HTML comments on the lines just before it:
//
//	<!-- readme-test: stdout: TEXT -->   the block's output must hold TEXT
//	<!-- readme-test: skip: REASON -->   not run, and why
//	<!-- readme-test: file: PATH -->     a YAML block: written to PATH for the blocks after it
//	<!-- readme-test: same-as: PATH -->  the block is the repository's file PATH
type readmeBlock struct {
	line       int // of the opening fence
	lang, body string
	stdout     []string
	skip, file string
	sameAs     string
}

func readmeBlocks(t *testing.T, path string) []readmeBlock {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var (
		blocks  []readmeBlock
		pending readmeBlock
		in      *readmeBlock
		body    strings.Builder
	)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case in != nil && strings.HasPrefix(line, "```"):
			in.body = body.String()
			blocks = append(blocks, *in)
			in = nil
		case in != nil:
			body.WriteString(line + "\n")
		case strings.HasPrefix(line, "```"):
			b := pending
			b.line, b.lang = n, strings.TrimPrefix(line, "```")
			in, pending = &b, readmeBlock{}
			body.Reset()
		case strings.HasPrefix(line, "<!-- readme-test: "):
			d := strings.TrimSuffix(strings.TrimPrefix(line, "<!-- readme-test: "), " -->")
			key, val, _ := strings.Cut(d, ": ")
			switch key {
			case "stdout":
				pending.stdout = append(pending.stdout, val)
			case "skip":
				pending.skip = val
			case "file":
				pending.file = val
			case "same-as":
				pending.sameAs = val
			default:
				t.Fatalf("README.md:%d: unknown annotation %q", n, line)
			}
		case strings.TrimSpace(line) != "" && (pending.skip != "" || pending.file != "" || len(pending.stdout) > 0 || pending.sameAs != ""):
			t.Fatalf("README.md:%d: an annotation not followed by a code block", n)
		}
	}
	return blocks
}

// TestREADME runs every shell block of README.md as written, in order, in
// one directory with the examples/ files and nectar built from this tree
// (go build and go run of ./cmd/nectar use that binary), and checks each
// block's exit status and the output its annotations name. Blocks that
// need what a test machine lacks (an S3 bucket, a Spark server) say so and
// are not run; their commands are covered by other tests.
func TestREADME(t *testing.T) {
	bin := buildNectar(t)
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "examples"), os.DirFS(filepath.Join(root, "examples"))); err != nil {
		t.Fatal(err)
	}
	// go build and go run of ./cmd/nectar, as the README writes them, use
	// the binary built from this tree.
	prelude := `go() {
	case "$1 $2 $3 $4" in
	"build -o nectar ./cmd/nectar") cp "$NECTAR_BIN" nectar ;;
	"run ./cmd/nectar "*) shift 2; "$NECTAR_BIN" "$@" ;;
	*) echo "README test: unexpected go $*" >&2; return 1 ;;
	esac
}
`
	ran := 0
	for _, b := range readmeBlocks(t, filepath.Join(root, "README.md")) {
		name := strings.TrimSpace(strings.SplitN(b.body, "\n", 2)[0])
		switch {
		case b.sameAs != "":
			want, err := os.ReadFile(filepath.Join(root, b.sameAs))
			if err != nil {
				t.Fatalf("README.md:%d: %v", b.line, err)
			}
			if string(want) != b.body {
				t.Errorf("README.md:%d: the block is not %s as it is:\n%s", b.line, b.sameAs, want)
			}
			continue
		case b.file != "":
			if err := os.WriteFile(filepath.Join(dir, b.file), []byte(b.body), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		case b.lang != "sh" && b.lang != "bash":
			continue
		case b.skip != "":
			t.Logf("README.md:%d: not run: %s", b.line, b.skip)
			continue
		}
		ran++
		cmd := exec.Command("bash", "-e", "-o", "pipefail", "-c", prelude+b.body)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "NECTAR_BIN="+bin, "HOME="+dir, "XDG_CACHE_HOME="+filepath.Join(dir, ".cache"),
			"PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"))
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		start := time.Now()
		err := cmd.Run()
		t.Logf("README.md:%d (%s): %s", b.line, name, time.Since(start).Round(10*time.Millisecond))
		if err != nil {
			t.Errorf("README.md:%d (%s): %v\nstdout:\n%s\nstderr:\n%s", b.line, name, err, stdout.String(), stderr.String())
			continue
		}
		for _, want := range b.stdout {
			if !strings.Contains(stdout.String(), want) {
				t.Errorf("README.md:%d (%s): output lacks %q:\n%s", b.line, name, want, stdout.String())
			}
		}
	}
	if ran < 8 {
		t.Errorf("ran %d README blocks; the README has more", ran)
	}
}
