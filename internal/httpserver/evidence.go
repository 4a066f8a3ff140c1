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
				writeAppError(w, r, opt, "evidence", apperr.InvalidField("fileName", "%s must be percent-encoded UTF-8", FilenameHeader))
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
		h := w.Header()
		h.Set("Accept-Ranges", "bytes")
		if r.Method != http.MethodGet { // HEAD would audit a download that never happens
			w.Header().Set("Allow", http.MethodGet)
			writeError(w, http.StatusMethodNotAllowed, apperr.Invalid, "use GET")
			return
		}
		id, a, ok := evidenceRequest(w, r, opt)
		if !ok {
			return
		}
		// A single range resumes a download. Without a validator (no
		// ETag, no Last-Modified), an If-Range never matches: the whole
		// file is sent then (RFC 9110 §13.1.5), as it is for a header
		// this does not serve (several ranges, a suffix, bad syntax).
		start, end, ranged := parseRange(r.Header.Get("Range"))
		if ranged && r.Header.Get("If-Range") != "" {
			ranged = false
		}
		offset := int64(0)
		if ranged {
			offset = start
		}
		e, body, err := opt.Evidence.DownloadFrom(r.Context(), a, id, offset)
		var rangeErr *evidence.RangeError
		if errors.As(err, &rangeErr) {
			writeUnsatisfiable(w, rangeErr.Size)
			return
		}
		if err != nil {
			writeEvidenceError(w, r, opt, err)
			return
		}
		defer body.Close()
		if ranged && (e.Size == nil || start >= *e.Size) { // start == size: nothing to send
			size := int64(0)
			if e.Size != nil {
				size = *e.Size
			}
			writeUnsatisfiable(w, size)
			return
		}
		h.Set("Content-Type", "application/octet-stream")
		h.Set("X-Egide-Content-Type", e.ContentType)
		h.Set("Content-Disposition", contentDisposition(e.FileName, e.ID))
		h.Set("Cache-Control", "no-store")
		if e.SHA256 != nil {
			h.Set("X-Egide-SHA256", *e.SHA256) // of the whole file, also on a 206
		}
		status, want := http.StatusOK, int64(-1)
		if ranged {
			size := *e.Size
			if end < 0 || end >= size {
				end = size - 1
			}
			want = end - start + 1
			h.Set("Content-Range", "bytes "+strconv.FormatInt(start, 10)+"-"+strconv.FormatInt(end, 10)+"/"+strconv.FormatInt(size, 10))
			h.Set("Content-Length", strconv.FormatInt(want, 10))
			status = http.StatusPartialContent
			// Every chunk read is authenticated whole before any of
			// its bytes come out, so stopping early is safe.
			body = struct {
				io.Reader
				io.Closer
			}{io.LimitReader(body, want), body}
		} else if e.Size != nil {
			h.Set("Content-Length", strconv.FormatInt(*e.Size, 10))
		}
		w.WriteHeader(status)
		n, err := io.CopyBuffer(w, body, make([]byte, 64<<10))
		if err == nil && want >= 0 && n != want {
			err = io.ErrUnexpectedEOF
		}
		if err != nil {
			// A truncated file must not pass for a whole one: break the
			// connection rather than end the response.
			opt.Logger.ErrorContext(r.Context(), "evidence download interrupted", "request_id", a.RequestID,
				"evidence_id", id, "offset", offset, "error", err)
			panic(http.ErrAbortHandler)
		}
	})
}

// parseRange parses a Range header of one range with a first byte,
// "bytes=N-" or "bytes=N-M" (end -1 for the former). ok is false when
// there is no header or one this does not serve, which is then ignored.
func parseRange(v string) (start, end int64, ok bool) {
	unit, spec, found := strings.Cut(v, "=")
	if !found || !strings.EqualFold(strings.TrimSpace(unit), "bytes") || strings.Contains(spec, ",") {
		return 0, 0, false
	}
	first, last, found := strings.Cut(strings.TrimSpace(spec), "-")
	start, err := parseDigits(first)
	if !found || err != nil {
		return 0, 0, false
	}
	if last == "" {
		return start, -1, true
	}
	end, err = parseDigits(last)
	if err != nil || end < start {
		return 0, 0, false
	}
	return start, end, true
}

// parseDigits parses a non-empty string of decimal digits (no sign).
func parseDigits(s string) (int64, error) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, strconv.ErrSyntax
	}
	return strconv.ParseInt(s, 10, 64)
}

// writeUnsatisfiable answers a range that starts past the file's end.
func writeUnsatisfiable(w http.ResponseWriter, size int64) {
	w.Header().Set("Content-Range", "bytes */"+strconv.FormatInt(size, 10))
	writeError(w, http.StatusRequestedRangeNotSatisfiable, apperr.Invalid, "range not satisfiable: the file has "+
		strconv.FormatInt(size, 10)+" bytes")
}

// evidenceRequest checks what both endpoints need: the service, the CSRF
// header, the id, a signed-in actor.
func evidenceRequest(w http.ResponseWriter, r *http.Request, opt Options) (uuid.UUID, actor.Actor, bool) {
	if opt.Evidence == nil {
		writeError(w, http.StatusNotFound, apperr.NotFound, apperr.NotFoundMessage)
		return uuid.Nil, actor.Actor{}, false
	}
	if r.Header.Get(CSRFHeader) != "1" {
		writeError(w, http.StatusForbidden, apperr.Forbidden, "missing header "+CSRFHeader+": 1")
		return uuid.Nil, actor.Actor{}, false
	}
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		writeError(w, http.StatusNotFound, apperr.NotFound, apperr.NotFoundMessage)
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
	writeAppError(w, r, opt, "evidence", err)
}
