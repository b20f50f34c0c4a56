// Package listen decides where nectar's servers may listen: on loopback
// by default, so that nothing on the network reaches a table or a query
// unless the user has set up TLS and authentication for it.
package listen

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
)

// ErrNotLoopback is wrapped when an address would listen beyond this
// machine without TLS and authentication.
var ErrNotLoopback = errors.New("listens beyond this machine")

// Loopback checks that addr (host:port) listens on loopback only: an IP
// address of the loopback range, or a name that resolves only to such
// addresses. An empty host ("":7070) or 0.0.0.0 listens on every
// interface.
func Loopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("listen address %q: %w", addr, err)
	}
	if host == "" {
		return fmt.Errorf("%q %w (every interface): use 127.0.0.1:PORT", addr, ErrNotLoopback)
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if !ip.IsLoopback() {
			return fmt.Errorf("%q %w: use 127.0.0.1:PORT", addr, ErrNotLoopback)
		}
		return nil
	}
	ips, err := net.LookupIP(host)
	if err != nil {
		return fmt.Errorf("listen address %q: %w", addr, err)
	}
	for _, ip := range ips {
		if !ip.IsLoopback() {
			return fmt.Errorf("%q %w (%s resolves to %s): use 127.0.0.1:PORT", addr, ErrNotLoopback, host, ip)
		}
	}
	return nil
}
