package httpserver

import (
	"errors"
	"net/http"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/auth"
)

// Single sign-on routes and the cookie that carries a sign-in's state from
// leaving for the identity provider to coming back.
const (
	OIDCLoginPath    = "/auth/oidc/login"
	OIDCCallbackPath = "/auth/oidc/callback"
	// OIDCStateCookie is scoped to /auth/oidc and SameSite=Lax: the
	// provider's redirect back is a cross-site top-level GET, which Lax
	// lets through and Strict would not.
	OIDCStateCookie = "egide_oidc"
	oidcCookiePath  = "/auth/oidc"
)

// Where the browser lands after a callback that opened no session; the
// web application tells the user. "denied" never says whether an account
// exists.
const (
	ssoExpired = "/?sso=expired" // unknown, used or expired state: start again
	ssoDenied  = "/?sso=denied"
	ssoError   = "/?sso=error" // provider unreachable, internal error
)

func oidcRoutes(mux *http.ServeMux, opt Options) {
	mux.HandleFunc("GET "+OIDCLoginPath, func(w http.ResponseWriter, r *http.Request) { oidcLogin(w, r, opt) })
	mux.HandleFunc("GET "+OIDCCallbackPath, func(w http.ResponseWriter, r *http.Request) { oidcCallback(w, r, opt) })
}

func oidcLogin(w http.ResponseWriter, r *http.Request, opt Options) {
	if opt.OIDC == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	start, err := opt.OIDC.Begin(r.Context())
	if err != nil {
		opt.Logger.ErrorContext(r.Context(), "sso begin", "request_id", requestID(r), "error", err)
		http.Redirect(w, r, ssoError, http.StatusFound)
		return
	}
	setStateCookie(w, opt, start.State, int(auth.OIDCLoginTTL.Seconds()))
	http.Redirect(w, r, start.URL, http.StatusFound)
}

func oidcCallback(w http.ResponseWriter, r *http.Request, opt Options) {
	if opt.OIDC == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	var kept string
	if c, err := r.Cookie(OIDCStateCookie); err == nil {
		kept = c.Value
	}
	setStateCookie(w, opt, "", -1) // single use, whatever the outcome
	q := r.URL.Query()
	meta := actor.Actor{RequestID: requestID(r), IP: opt.clientIP(r), UserAgent: r.UserAgent()}
	res, err := opt.OIDC.Finish(r.Context(),
		auth.OIDCCallback{State: q.Get("state"), BrowserState: kept, Code: q.Get("code"), Error: q.Get("error")}, meta)
	// The reasons logged below carry no personal data (no e-mail, no subject).
	switch {
	case err == nil:
		(&cookieJar{w: w, opt: opt}).Set(res.Token)
		// The landing navigation will not carry the SameSite=Strict session
		// cookie (it continues a cross-site redirect), but the application's
		// own requests from that page will.
		http.Redirect(w, r, "/", http.StatusFound)
	case errors.Is(err, auth.ErrOIDCState):
		opt.Logger.InfoContext(r.Context(), "sso refused", "request_id", meta.RequestID, "reason", err.Error())
		http.Redirect(w, r, ssoExpired, http.StatusFound)
	case errors.Is(err, auth.ErrOIDCDenied):
		opt.Logger.WarnContext(r.Context(), "sso denied", "request_id", meta.RequestID, "reason", err.Error())
		http.Redirect(w, r, ssoDenied, http.StatusFound)
	default:
		opt.Logger.ErrorContext(r.Context(), "sso callback", "request_id", meta.RequestID, "error", err)
		http.Redirect(w, r, ssoError, http.StatusFound)
	}
}

func setStateCookie(w http.ResponseWriter, opt Options, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: OIDCStateCookie, Value: value, Path: oidcCookiePath, MaxAge: maxAge,
		HttpOnly: true, Secure: !opt.InsecureCookies, SameSite: http.SameSiteLaxMode})
}
