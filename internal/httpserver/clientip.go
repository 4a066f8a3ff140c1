package httpserver

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Forwarding headers a trusted proxy may be configured to set.
const (
	HeaderXForwardedFor = "X-Forwarded-For"
	HeaderForwarded     = "Forwarded" // RFC 7239
)

// clientIP is the address a request comes from, for throttling and the
// audit log. It is the direct peer, unless the peer is one of
// opt.TrustedProxies: then it is the right-most address of the configured
// forwarding header that is not a trusted proxy. Entries to the left of
// it were written by the client and are ignored, so a client cannot
// choose its address by sending the header itself. Only the configured
// header is read: the other one may come from the client untouched.
func (opt Options) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return ""
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	peer = peer.Unmap()
	if !opt.trusted(peer) {
		return peer.String()
	}
	var hops []string
	if strings.EqualFold(opt.ForwardedHeader, HeaderForwarded) {
		hops = forwardedFor(r.Header.Values(HeaderForwarded))
	} else {
		hops = listEntries(r.Header.Values(HeaderXForwardedFor))
	}
	last := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(hops[i])
		if !ok {
			// A trusted proxy passed on something that is not an
			// address: nothing further left can be trusted either.
			return last.String()
		}
		if !opt.trusted(a) {
			return a.String()
		}
		last = a
	}
	return last.String() // every hop is a trusted proxy: the farthest one
}

func (opt Options) trusted(a netip.Addr) bool {
	for _, p := range opt.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// listEntries splits comma-separated header values, in order, across all
// the header's lines.
func listEntries(values []string) []string {
	var out []string
	for _, v := range values {
		for _, e := range strings.Split(v, ",") {
			out = append(out, strings.TrimSpace(e))
		}
	}
	return out
}

// forwardedFor returns the for= parameter of each element of Forwarded
// headers (RFC 7239), in order; an element without one gives "".
func forwardedFor(values []string) []string {
	var out []string
	for _, elem := range listEntries(values) {
		f := ""
		for _, pair := range strings.Split(elem, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "for") {
				f = strings.Trim(strings.TrimSpace(v), `"`)
			}
		}
		out = append(out, f)
	}
	return out
}

// parseHop reads one hop: an IPv4 or IPv6 address, optionally with a
// port (192.0.2.1:4711, [2001:db8::1]:4711). Anything else ("unknown",
// an obfuscated name, garbage) is not an address.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "[") {
		end := strings.Index(s, "]")
		if end < 0 {
			return netip.Addr{}, false
		}
		s = s[1:end]
	} else if strings.Count(s, ":") == 1 {
		s, _, _ = strings.Cut(s, ":")
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}
