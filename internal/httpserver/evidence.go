package httpserver

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/evidence"
)

// FilenameHeader carries the name of an uploaded file, percent-encoded
// UTF-8 (optional: the record's name is kept without it).
const FilenameHeader = "X-Egide-Filename"

// evidenceRoutes serves the files of evidence records: PUT uploads, GET
// downloads, both at /evidence/{id}/content with the CSRF header. nil
// Evidence answers 404.
func evidenceRoutes(mux *http.ServeMux, opt Options) {
	mux.HandleFunc("PUT /evidence/{id}/content", func(w http.ResponseWriter, r *http.Request) {
		id, a, ok := evidenceRequest(w, r, opt)
		if !ok {
			return
		}
		max := opt.Evidence.MaxSize()
		if r.ContentLength > max {
			writeError(w, http.StatusRequestEntityTooLarge, apperr.Invalid, (&evidence.TooLargeError{Max: max}).Error())
			return
		}
		// One byte over the limit lets the service say "too large" itself.
		r.Body = http.MaxBytesReader(w, r.Body, max+1)
		name := ""
		if h := r.Header.Get(FilenameHeader); h != "" {
			n, err := url.PathUnescape(h)
			if err != nil {
				writeError(w, http.StatusBadRequest, apperr.Invalid, FilenameHeader+" must be percent-encoded UTF-8")
				return
			}
			name = n
		}
		e, err := opt.Evidence.Upload(r.Context(), a, id, r.Body, r.ContentLength, name)
		if err != nil {
			writeEvidenceError(w, r, opt, err)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, map[string]any{"id": e.ID, "status": strings.ToUpper(string(e.Status)),
			"size": e.Size, "sha256": e.SHA256, "contentType": e.ContentType, "fileName": e.FileName})
	})
	mux.HandleFunc("GET /evidence/{id}/content", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet { // HEAD would audit a download that never happens
			w.Header().Set("Allow", http.MethodGet)
			writeError(w, http.StatusMethodNotAllowed, apperr.Invalid, "use GET")
			return
		}
		id, a, ok := evidenceRequest(w, r, opt)
		if !ok {
			return
		}
		e, body, err := opt.Evidence.Download(r.Context(), a, id)
		if err != nil {
			writeEvidenceError(w, r, opt, err)
			return
		}
		defer body.Close()
		h := w.Header()
		h.Set("Content-Type", "application/octet-stream")
		h.Set("X-Egide-Content-Type", e.ContentType)
		h.Set("Content-Disposition", contentDisposition(e.FileName, e.ID))
		h.Set("Cache-Control", "no-store")
		if e.Size != nil {
			h.Set("Content-Length", strconv.FormatInt(*e.Size, 10))
		}
		if e.SHA256 != nil {
			h.Set("X-Egide-SHA256", *e.SHA256)
		}
		w.WriteHeader(http.StatusOK)
		if _, err := io.CopyBuffer(w, body, make([]byte, 64<<10)); err != nil {
			// A truncated file must not pass for a whole one: break the
			// connection rather than end the response.
			opt.Logger.ErrorContext(r.Context(), "evidence download interrupted", "request_id", a.RequestID,
				"evidence_id", id, "error", err)
			panic(http.ErrAbortHandler)
		}
	})
}

// evidenceRequest checks what both endpoints need: the service, the CSRF
// header, the id, a signed-in actor.
func evidenceRequest(w http.ResponseWriter, r *http.Request, opt Options) (uuid.UUID, actor.Actor, bool) {
	if opt.Evidence == nil {
		writeError(w, http.StatusNotFound, apperr.NotFound, "not found")
		return uuid.Nil, actor.Actor{}, false
	}
	if r.Header.Get(CSRFHeader) != "1" {
		writeError(w, http.StatusForbidden, apperr.Forbidden, "missing header "+CSRFHeader+": 1")
		return uuid.Nil, actor.Actor{}, false
	}
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		writeError(w, http.StatusNotFound, apperr.NotFound, "evidence not found")
		return uuid.Nil, actor.Actor{}, false
	}
	a, ok := requestActor(w, r, opt)
	if !ok {
		return uuid.Nil, actor.Actor{}, false
	}
	if !a.Authenticated() {
		writeError(w, http.StatusUnauthorized, apperr.Unauthenticated, "sign in required")
		return uuid.Nil, actor.Actor{}, false
	}
	return id, a, true
}

// contentDisposition offers the file under its name: an ASCII fallback
// and the UTF-8 name (RFC 6266, RFC 5987).
func contentDisposition(name string, id uuid.UUID) string {
	if name == "" {
		name = id.String()
	}
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	return `attachment; filename="` + ascii + `"; filename*=UTF-8''` + url.PathEscape(name)
}

// writeEvidenceError answers err with its HTTP status.
func writeEvidenceError(w http.ResponseWriter, r *http.Request, opt Options, err error) {
	var tooLarge *evidence.TooLargeError
	var maxBytes *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		writeError(w, http.StatusRequestEntityTooLarge, apperr.Invalid, tooLarge.Error())
		return
	case errors.As(err, &maxBytes):
		writeError(w, http.StatusRequestEntityTooLarge, apperr.Invalid,
			(&evidence.TooLargeError{Max: opt.Evidence.MaxSize()}).Error())
		return
	}
	e, ok := apperr.As(err)
	if !ok || e.Code == apperr.Internal {
		opt.Logger.ErrorContext(r.Context(), "evidence", "request_id", requestID(r), "error", err)
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
	writeJSON(w, status, map[string]any{"errors": []map[string]any{{"message": e.Message, "extensions": ext}}})
}
