package source_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/source"
)

// TestConfine tries the ways out of a confined store's roots: "..",
// absolute paths, symbolic links to files and folders outside, globs, an
// encoded name, a link swapped in after listing, and S3 prefixes.
func TestConfine(t *testing.T) {
	base := t.TempDir()
	t.Chdir(base)
	write := func(p, s string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("outside/secret.json", `{"secret":"SECRET-MARKER"}`+"\n")
	write("project/logs/a.json", `{"id":1}`+"\n")
	write("project/logs/sub/b.json", `{"id":2}`+"\n")
	link := func(target, name string) {
		t.Helper()
		if err := os.Symlink(target, name); err != nil {
			t.Fatal(err)
		}
	}
	link(filepath.Join(base, "outside/secret.json"), "project/logs/evil.json")
	link("../../outside", "project/logs/outdir")
	link("a.json", "project/logs/inside.json") // a link that stays inside is fine

	st := source.NewStores(source.S3Options{})
	if err := st.Confine([]string{"project", "s3://bucket/allowed/"}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	read := func(f source.File) (string, error) {
		rc, err := st.Open(ctx, f)
		if err != nil {
			return "", err
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		return string(b), err
	}

	files, err := st.List(ctx, "project/logs")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		text, err := read(f)
		switch {
		case f.Err != nil:
			if !errors.Is(f.Err, source.ErrNotAllowed) {
				t.Errorf("%s: Err %v, want ErrNotAllowed", f.Path, f.Err)
			}
			got = append(got, f.Path+": refused")
		case err != nil:
			t.Errorf("%s: %v", f.Path, err)
		default:
			got = append(got, f.Path+": "+strings.TrimSpace(text))
		}
		if strings.Contains(text, "SECRET-MARKER") {
			t.Errorf("%s: read the secret", f.Path)
		}
	}
	want := `project/logs/a.json: {"id":1}|project/logs/evil.json: refused|project/logs/inside.json: {"id":1}|project/logs/sub/b.json: {"id":2}`
	if strings.Join(got, "|") != want {
		t.Errorf("listing:\n%s\nwant\n%s", strings.Join(got, "|"), want)
	}

	for _, p := range []string{
		"outside/secret.json",
		"project/../outside/secret.json",
		filepath.Join(base, "outside/secret.json"),
		"project/logs/outdir/secret.json",
		"project/logs/outdir",
		"project/logs/outdir/*.json",
		"project/*/../../outside/secret.json",
		"project/logs/../../outside/*.json",
		"/",
		"s3://bucket/other/x.json",
		"s3://bucket/allowed2/x.json",
		"s3://elsewhere/allowed/x.json",
		"s3://bucket/allowed/../other/x.json",
	} {
		_, err := st.List(ctx, p)
		if !errors.Is(err, source.ErrNotAllowed) && !errors.Is(err, source.ErrNoFiles) {
			t.Errorf("List(%q): %v, want ErrNotAllowed", p, err)
		}
		if errors.Is(err, source.ErrNoFiles) && !strings.Contains(p, "*") {
			t.Errorf("List(%q): %v, want ErrNotAllowed", p, err)
		}
		if _, err := st.OpenRandom(ctx, p); !errors.Is(err, source.ErrNotAllowed) && !strings.Contains(p, "*") {
			t.Errorf("OpenRandom(%q): %v, want ErrNotAllowed", p, err)
		}
	}
	// An encoded name is a name, not a way out.
	if _, err := st.List(ctx, "project/%2e%2e/outside/secret.json"); !errors.Is(err, source.ErrNoFiles) {
		t.Errorf("encoded dots: %v, want ErrNoFiles", err)
	}
	if _, err := st.Create(ctx, "outside/new.json"); !errors.Is(err, source.ErrNotAllowed) {
		t.Errorf("Create outside: %v, want ErrNotAllowed", err)
	}

	// A file listed inside and then swapped for a link that leads out.
	files, err = st.List(ctx, "project/logs/sub/b.json")
	if err != nil {
		t.Fatal(err)
	}
	os.Remove("project/logs/sub/b.json")
	link(filepath.Join(base, "outside/secret.json"), "project/logs/sub/b.json")
	if text, err := read(files[0]); !errors.Is(err, source.ErrNotAllowed) {
		t.Errorf("swapped link: read %q, %v; want ErrNotAllowed", text, err)
	}
}

func TestConfineBadRoots(t *testing.T) {
	st := source.NewStores(source.S3Options{})
	for _, r := range []string{"s3://bucket/a/../b", t.TempDir() + "/missing"} {
		if err := st.Confine([]string{r}); err == nil {
			t.Errorf("Confine(%q) accepted", r)
		}
	}
}
