package listen

import (
	"errors"
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
