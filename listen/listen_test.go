package listen

import (
	"errors"
	"strings"
	"testing"
)

func TestLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:7070": true, "127.0.0.5:0": true, "[::1]:80": true, "localhost:7070": true,
		":7070": false, "0.0.0.0:7070": false, "[::]:7070": false, "10.1.2.3:80": false,
	} {
		err := Loopback(addr)
		if ok != (err == nil) || !ok && !errors.Is(err, ErrNotLoopback) {
			t.Errorf("Loopback(%q) = %v", addr, err)
		}
	}
	if err := Loopback("no-port"); err == nil || errors.Is(err, ErrNotLoopback) {
		t.Errorf("an address without a port: %v", err)
	}
}

func TestCheck(t *testing.T) {
	both := Protection{TLS: true, Auth: true}
	for _, c := range []struct {
		addr string
		p    Protection
		ok   bool
	}{
		{"127.0.0.1:7070", Protection{}, true},
		{"localhost:7070", Protection{TLS: true}, true},
		{"0.0.0.0:7070", both, true},
		{":7070", both, true},
		{"0.0.0.0:7070", Protection{}, false},
		{"0.0.0.0:7070", Protection{TLS: true}, false},
		{"10.1.2.3:7070", Protection{Auth: true}, false},
		{"[::]:7070", Protection{Auth: true}, false},
	} {
		err := Check(c.addr, c.p)
		if c.ok != (err == nil) || !c.ok && !errors.Is(err, ErrNotLoopback) {
			t.Errorf("Check(%q, %+v) = %v", c.addr, c.p, err)
		}
	}
	if err := Check("no-port", both); err == nil || errors.Is(err, ErrNotLoopback) {
		t.Errorf("an address without a port, protected: %v", err)
	}
	err := Check("0.0.0.0:1", Protection{TLS: true})
	if err == nil || !strings.Contains(err.Error(), "no authentication") || strings.Contains(err.Error(), "no TLS") {
		t.Errorf("the refusal should name what is missing: %v", err)
	}
}
