// Package listen decides where nectar's servers may listen: on loopback
// by default, so that nothing on the network reaches a table or a query
// unless the user has set up TLS and authentication for it.
package listen

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
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

// Protection is what guards a server from the machines that can reach it.
type Protection struct {
	TLS  bool // connections are encrypted, so passwords and rows are not sent in clear
	Auth bool // every request must name a user and give its password (or a token)
}

// Check decides whether a server protected by p may listen on addr:
// loopback always; any other address only with both TLS and
// authentication, since from the network a server without TLS shows
// passwords and rows to anyone on the path, and one without
// authentication answers anyone. Refusals wrap ErrNotLoopback.
func Check(addr string, p Protection) error {
	err := Loopback(addr)
	if err == nil || !errors.Is(err, ErrNotLoopback) {
		return err
	}
	if p.TLS && p.Auth {
		return nil
	}
	var missing []string
	if !p.TLS {
		missing = append(missing, "TLS")
	}
	if !p.Auth {
		missing = append(missing, "authentication")
	}
	return fmt.Errorf("%w; to listen beyond it a server needs TLS and authentication, and this one has no %s", err, strings.Join(missing, " and no "))
}
