// Package httpserver owns the HTTP surface: routes, the order of
// middleware, security headers, and turning a request into an actor.
package httpserver

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/egide/egide/graph"
	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/auditlog"
	"github.com/egide/egide/internal/auth"
	"github.com/egide/egide/internal/calfeed"
	"github.com/egide/egide/internal/evidence"
	"github.com/egide/egide/internal/postgres"
)

// Names every client must know.
const (
	SessionCookie = "egide_session"
	// CSRFHeader must be sent with value "1" on every POST to /graphql. A
	// browser cannot add a custom header to a cross-site form post or a
	// simple request, so its presence proves the request came from a page of
	// ours (or a non-browser client).
	CSRFHeader = "X-Egide-CSRF"
	// MaxGraphQLBody bounds a GraphQL request body.
	MaxGraphQLBody = 1 << 20
)

// Options wire the server.
type Options struct {
	Logger   *slog.Logger
	Auth     *auth.Service
	Resolver *graph.Resolver
	GraphQL  http.Handler
	// Ready reports whether the instance can serve (database reachable,
	// migrations current).
	Ready func(ctx context.Context) error
	// InsecureCookies drops the Secure flag: only for dev on plain-HTTP loopback.
	InsecureCookies bool
	// SessionMaxAge is the cookie lifetime (the session's absolute lifetime).
	SessionMaxAge time.Duration
	// OIDC enables single sign-on at /auth/oidc/*; nil answers 404 there.
	OIDC *auth.OIDC
	// AuditLog serves GET /audit/export.csv; nil answers 404 there.
	AuditLog *auditlog.Service
	// Evidence serves PUT and GET /evidence/{id}/content; nil answers 404 there.
	Evidence *evidence.Service
	// CalendarFeeds serves GET /calendar/{token}.ics; nil answers 404 there.
	CalendarFeeds *calfeed.Service
	// TrustedProxies are the reverse proxies whose forwarding header names
	// the client (clientip.go); empty: the header is never read.
	TrustedProxies []netip.Prefix
	// ForwardedHeader is the header the trusted proxies set:
	// HeaderXForwardedFor (the default when empty) or HeaderForwarded.
	ForwardedHeader string
	// HSTS sends Strict-Transport-Security on every response: the public
	// address is https, even if TLS ends at a proxy.
	HSTS bool
	// Frontend is the web application served at every other GET path (see
	// appHandler); nil serves the one embedded in the binary (frontend.Dist).
	Frontend fs.FS
}

// New returns the root handler.
func New(opt Options) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		if err := opt.Ready(ctx); err != nil {
			opt.Logger.WarnContext(ctx, "not ready", "request_id", requestID(r), "error", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	mux.Handle("/graphql", graphqlHandler(opt))
	mux.Handle("GET "+AuditExportPath, auditExportHandler(opt))
	oidcRoutes(mux, opt)
	evidenceRoutes(mux, opt)
	calendarRoutes(mux, opt)
	app := opt.Frontend
	if app == nil {
		app = embeddedApp()
	}
	mux.Handle("/", appHandler(app))
	return chain(mux, opt)
}

// graphqlHandler refuses anything but a JSON POST that carries the CSRF
// header, bounds the body, then resolves the session into the actor.
func graphqlHandler(opt Options) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeError(w, http.StatusMethodNotAllowed, apperr.Invalid, "use POST with a JSON body")
			return
		}
		if r.Header.Get(CSRFHeader) != "1" {
			writeError(w, http.StatusForbidden, apperr.Forbidden, "missing header "+CSRFHeader+": 1")
			return
		}
		if r.ContentLength > MaxGraphQLBody {
			writeBadGraphQLRequest(w, r, opt, &badGraphQLRequest{status: http.StatusRequestEntityTooLarge,
				reason: "body too large", message: "request body too large"})
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, MaxGraphQLBody)
		body, bad := readGraphQLRequest(r)
		if bad != nil {
			writeBadGraphQLRequest(w, r, opt, bad)
			return
		}
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		a, ok := requestActor(w, r, opt)
		if !ok {
			return
		}
		ctx := graph.WithActor(r.Context(), a)
		ctx = graph.WithLoaders(ctx, opt.Resolver.NewLoaders(a))
		ctx = graph.WithSessionCookie(ctx, &cookieJar{w: w, opt: opt})
		ctx = graph.WithRetryAfter(ctx, retryAfterHeader(w))
		w.Header().Set("Cache-Control", "no-store")
		opt.GraphQL.ServeHTTP(w, r.WithContext(ctx))
	})
}

// requestActor resolves the session cookie into the request's actor: an
// anonymous one without a valid session (a stale cookie is cleared). When
// the session store fails it answers 503 itself and returns false.
func requestActor(w http.ResponseWriter, r *http.Request, opt Options) (actor.Actor, bool) {
	meta := actor.Actor{RequestID: requestID(r), IP: opt.clientIP(r), UserAgent: r.UserAgent()}
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return meta, true
	}
	a, err := opt.Auth.Authenticate(r.Context(), c.Value, meta)
	switch {
	case err == nil:
		return a, true
	case apperr.CodeOf(err) == apperr.Unauthenticated:
		clearCookie(w, opt)
		return meta, true
	}
	opt.Logger.ErrorContext(r.Context(), "authenticate", "request_id", meta.RequestID, "error", err)
	writeError(w, http.StatusServiceUnavailable, apperr.Internal, "internal error")
	return actor.Actor{}, false
}

// retryAfterHeader sets the response's Retry-After header to the longest
// wait a RATE_LIMITED error of the request asked for. gqlgen writes the
// headers once the operation has run, after the errors were presented.
func retryAfterHeader(w http.ResponseWriter) func(int) {
	var mu sync.Mutex
	longest := 0
	return func(secs int) {
		mu.Lock()
		defer mu.Unlock()
		if secs > longest {
			longest = secs
			w.Header().Set("Retry-After", strconv.Itoa(secs))
		}
	}
}

type cookieJar struct {
	w   http.ResponseWriter
	opt Options
}

func (c *cookieJar) Set(token string) {
	http.SetCookie(c.w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: !c.opt.InsecureCookies, SameSite: http.SameSiteStrictMode, MaxAge: int(c.opt.SessionMaxAge.Seconds())})
}

func (c *cookieJar) Clear() { clearCookie(c.w, c.opt) }

func clearCookie(w http.ResponseWriter, opt Options) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true,
		Secure: !opt.InsecureCookies, SameSite: http.SameSiteStrictMode, MaxAge: -1})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers in the GraphQL error shape so clients handle one format.
func writeError(w http.ResponseWriter, status int, code apperr.Code, msg string) {
	writeJSON(w, status, map[string]any{"errors": []map[string]any{
		{"message": msg, "extensions": map[string]any{"code": string(code)}}}})
}

// writeAppError answers a service's error with its HTTP status in the
// same shape: a domain error with its code, message and field errors;
// anything else as INTERNAL, logged with the request id under what.
func writeAppError(w http.ResponseWriter, r *http.Request, opt Options, what string, err error) {
	e, ok := apperr.As(err)
	if !ok || e.Code == apperr.Internal {
		opt.Logger.ErrorContext(r.Context(), what, "request_id", requestID(r), "error", postgres.LogSafe(err))
		writeError(w, http.StatusInternalServerError, apperr.Internal, "internal error")
		return
	}
	status := map[apperr.Code]int{
		apperr.Invalid:         http.StatusBadRequest,
		apperr.Unauthenticated: http.StatusUnauthorized,
		apperr.Forbidden:       http.StatusForbidden,
		apperr.NotFound:        http.StatusNotFound,
		apperr.Conflict:        http.StatusConflict,
		apperr.RateLimited:     http.StatusTooManyRequests,
	}[e.Code]
	if status == 0 {
		status = http.StatusInternalServerError
	}
	ext := map[string]any{"code": string(e.Code)}
	if len(e.Fields) > 0 {
		ext["fields"] = e.Fields
	}
	if secs := e.RetryAfterSeconds(); e.Code == apperr.RateLimited && secs > 0 {
		ext["retryAfter"] = secs
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	writeJSON(w, status, map[string]any{"errors": []map[string]any{{"message": e.Message, "extensions": ext}}})
}

type ctxKey int

const requestIDKey ctxKey = 0

func requestID(r *http.Request) string {
	id, _ := r.Context().Value(requestIDKey).(string)
	return id
}

// chain applies the middleware in a fixed order: request id first (so
// everything after can log it), then panic recovery, access log and
// security headers.
func chain(h http.Handler, opt Options) http.Handler {
	h = securityHeaders(h, opt.HSTS)
	h = accessLog(h, opt.Logger)
	h = recoverer(h, opt.Logger)
	return withRequestID(h)
}

func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id := hex.EncodeToString(b)
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey, id)))
	})
}

func recoverer(next http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.ErrorContext(r.Context(), "panic", "request_id", requestID(r), "panic", v, "stack", string(debug.Stack()))
				writeError(w, http.StatusInternalServerError, apperr.Internal, "internal error")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// accessLog logs method, path, status and timing: never query strings,
// bodies or anything a user typed.
func accessLog(next http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		log.InfoContext(r.Context(), "request", "request_id", requestID(r), "method", r.Method, "path", logPath(r.URL.Path),
			"status", sw.status, "bytes", sw.bytes, "duration_ms", float64(time.Since(start).Microseconds())/1000)
	})
}

// HSTSValue is the Strict-Transport-Security header: two years, and every
// subdomain.
const HSTSValue = "max-age=63072000; includeSubDomains"

// securityHeaders sets the headers of every response; HSTS when the
// connection is TLS, or always when hsts (the public address is https
// and TLS ends at a proxy in front).
func securityHeaders(next http.Handler, hsts bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
			"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		if hsts || r.TLS != nil {
			h.Set("Strict-Transport-Security", HSTSValue)
		}
		next.ServeHTTP(w, r)
	})
}
