package httpserver

import (
	"net/http"
	"strings"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/calfeed"
)

// CalendarPath is the route of the calendar feeds: CalendarPath + token +
// ".ics" (internal/calfeed).
const CalendarPath = calfeed.Path

// calendarRoutes serves GET /calendar/{token}.ics. Calendar applications
// send no cookie and no custom header: the token in the path is the only
// credential, so this route neither reads the session cookie nor asks for
// the CSRF header. Every refusal (malformed, unknown or revoked token,
// disabled user, roles lost) is the same 404 with the same body.
func calendarRoutes(mux *http.ServeMux, opt Options) {
	mux.Handle("GET "+CalendarPath+"{file}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "private, no-store")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Robots-Tag", "noindex")
		if opt.CalendarFeeds == nil {
			writeError(w, http.StatusNotFound, apperr.NotFound, apperr.NotFoundMessage)
			return
		}
		token := strings.TrimSuffix(r.PathValue("file"), ".ics")
		if token == r.PathValue("file") {
			token = "" // no .ics: hashed and looked up like any other unknown token
		}
		meta := actor.Actor{RequestID: requestID(r), IP: opt.clientIP(r), UserAgent: r.UserAgent()}
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		body, err := opt.CalendarFeeds.Serve(r.Context(), token, meta, scheme+"://"+r.Host)
		if err != nil {
			writeAppError(w, r, opt, "calendar feed", err)
			return
		}
		h.Set("Content-Type", "text/calendar; charset=utf-8")
		h.Set("Content-Disposition", `inline; filename="egide.ics"`)
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			_, _ = w.Write(body)
		}
	}))
}

// logPath is the path written to the access log: a calendar feed's token
// is a credential and never reaches the log.
func logPath(p string) string {
	if strings.HasPrefix(p, CalendarPath) {
		return CalendarPath + "[token].ics"
	}
	return p
}
