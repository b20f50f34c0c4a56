package server

import (
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/nectar-dev/nectar/server/dashboard"
)

// browserGuard refuses what a web page elsewhere could make a user's
// browser do to this server, now that people open it in one:
//
//   - a request that runs something (anything but GET and HEAD) sent on
//     behalf of another site's page (dashboard.CrossSite): otherwise any
//     page on the web could post queries to 127.0.0.1:7070 with the
//     password the browser keeps for the dashboard;
//   - on a loopback listener of a server without users, a request whose
//     Host names another machine: DNS rebinding, a name of the attacker's
//     made to resolve to 127.0.0.1, so that its page would read this
//     server as its own origin. A browser on this machine names it
//     127.0.0.1, [::1], localhost or *.localhost.
//
// Clients that are not browsers (curl, the drivers, Airflow) send no
// Sec-Fetch-Site or Origin and name the address they reach, and pass.
func browserGuard(next http.Handler, users bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead && dashboard.CrossSite(r) {
			writeError(w, http.StatusForbidden, apiError{Message: "refused: a request from another site's page"})
			return
		}
		if !users && loopbackConn(r) && !loopbackHost(r.Host) {
			writeError(w, http.StatusMisdirectedRequest, apiError{
				Message: "refused: this server listens on loopback without users, and the request names " +
					"another host; open it as http://127.0.0.1 or http://localhost (a proxy must pass the Host it reaches)"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// loopbackConn reports whether r came through a loopback address of this
// machine.
func loopbackConn(r *http.Request) bool {
	a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return false
	}
	ap, err := netip.ParseAddrPort(a.String())
	return err == nil && ap.Addr().Unmap().IsLoopback()
}

// loopbackHost reports whether a Host header names this machine as a
// browser on it would: a loopback address, localhost or a name under
// .localhost (RFC 6761: browsers resolve those themselves).
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip.Unmap().IsLoopback()
	}
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}
