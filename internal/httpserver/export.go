package httpserver

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/auditlog"
)

// AuditExportPath is where the data-protection officer downloads the audit
// log as CSV. Its query parameters are those of the auditEvents filter:
// actorId, resourceId, dossierId, action, outcome (ALLOWED or DENIED),
// category (PRIVILEGE: changes of rights), from and to (RFC 3339 instants).
const AuditExportPath = "/audit/export.csv"

// auditExportHandler streams the export. Like every file endpoint it wants
// the CSRF header: a GET a page of another site could trigger (a link, an
// image) must not start a download that is itself audited. Errors before
// the first byte answer in the GraphQL error shape.
func auditExportHandler(opt Options) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet { // HEAD would run, and audit, an export for nothing
			w.Header().Set("Allow", http.MethodGet)
			writeError(w, http.StatusMethodNotAllowed, apperr.Invalid, "use GET")
			return
		}
		if r.Header.Get(CSRFHeader) != "1" {
			writeError(w, http.StatusForbidden, apperr.Forbidden, "missing header "+CSRFHeader+": 1")
			return
		}
		if opt.AuditLog == nil {
			writeError(w, http.StatusNotFound, apperr.NotFound, apperr.NotFoundMessage)
			return
		}
		a, ok := requestActor(w, r, opt)
		if !ok {
			return
		}
		if !a.Authenticated() {
			writeError(w, http.StatusUnauthorized, apperr.Unauthenticated, "sign in required")
			return
		}
		f, err := exportFilter(r.URL.Query())
		if err != nil {
			writeExportError(w, r, opt, err)
			return
		}
		out := &csvResponse{w: w, filename: opt.AuditLog.ExportFilename()}
		res, err := opt.AuditLog.Export(r.Context(), a, f, out)
		switch {
		case err == nil && res.Truncated:
			opt.Logger.WarnContext(r.Context(), "audit export truncated", "request_id", a.RequestID, "rows", res.Rows)
		case err == nil:
		case !out.started:
			writeExportError(w, r, opt, err)
		default:
			// Half a file must not pass for a whole one: break the
			// connection, so that the browser reports a failed download.
			opt.Logger.ErrorContext(r.Context(), "audit export interrupted", "request_id", a.RequestID,
				"rows", res.Rows, "error", err)
			panic(http.ErrAbortHandler)
		}
	})
}

// csvResponse sends the headers of the download with its first byte, so
// that an error before it can still be answered as JSON.
type csvResponse struct {
	w        http.ResponseWriter
	filename string
	started  bool
}

func (c *csvResponse) Write(p []byte) (int, error) {
	if !c.started {
		c.started = true
		h := c.w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="`+c.filename+`"`)
		h.Set("Cache-Control", "no-store")
		c.w.WriteHeader(http.StatusOK)
	}
	return c.w.Write(p)
}

// exportFilter reads the query parameters, naming each bad one.
func exportFilter(q url.Values) (auditlog.Filter, error) {
	var v apperr.Validation
	var f auditlog.Filter
	id := func(name string) *uuid.UUID {
		s := q.Get(name)
		if s == "" {
			return nil
		}
		u, err := uuid.Parse(s)
		if err != nil {
			v.Add(name, "is not a valid id")
			return nil
		}
		return &u
	}
	instant := func(name string) *time.Time {
		s := q.Get(name)
		if s == "" {
			return nil
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			// An unencoded + of a UTC offset arrives as a space.
			t, err = time.Parse(time.RFC3339Nano, strings.ReplaceAll(s, " ", "+"))
		}
		if err != nil {
			v.Add(name, "must be an RFC 3339 instant, e.g. 2025-03-01T00:00:00+01:00")
			return nil
		}
		return &t
	}
	f.ActorID, f.ResourceID, f.DossierID = id("actorId"), id("resourceId"), id("dossierId")
	if s := q.Get("action"); s != "" {
		f.Action = &s
	}
	if s := q.Get("outcome"); s != "" {
		o := audit.Outcome(strings.ToLower(s))
		f.Outcome = &o
		if o != audit.Allowed && o != audit.Denied {
			v.Add("outcome", "must be ALLOWED or DENIED")
		}
	}
	if s := q.Get("category"); s != "" {
		c, ok := auditlog.ParseCategory(s)
		f.Category = &c
		if !ok {
			v.Add("category", "must be PRIVILEGE")
		}
	}
	f.From, f.To = instant("from"), instant("to")
	return f, v.Err()
}

// writeExportError answers err with its HTTP status. Field errors name the
// query parameter (the service names the GraphQL filter's fields).
func writeExportError(w http.ResponseWriter, r *http.Request, opt Options, err error) {
	if e, ok := apperr.As(err); ok && len(e.Fields) > 0 {
		fields := make([]apperr.FieldError, len(e.Fields))
		parts := make([]string, len(e.Fields))
		for i, fe := range e.Fields {
			fe.Field = strings.TrimPrefix(fe.Field, "filter.")
			fields[i] = fe
			parts[i] = fe.Field + " " + fe.Message
		}
		err = &apperr.Error{Code: e.Code, Message: "invalid parameter: " + strings.Join(parts, "; "), Fields: fields}
	}
	writeAppError(w, r, opt, "audit export", err)
}
