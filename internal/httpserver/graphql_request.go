package httpserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/egide/egide/internal/apperr"
)

// MaxJSONDepth bounds how deeply a GraphQL request body nests JSON arrays
// and objects: far more than any real input object needs, far less than
// what would make a decoder work hard.
const MaxJSONDepth = 32

// badGraphQLRequest is why a request body is refused before GraphQL sees
// it. reason is a fixed phrase for the log (never what the client sent);
// message is what the client reads.
type badGraphQLRequest struct {
	status  int
	reason  string
	message string
	fields  []apperr.FieldError
}

const requestShape = `the body must be one JSON object {"query": "...", "variables": {...}}`

// readGraphQLRequest reads and checks the body of POST /graphql: JSON
// (Content-Type and syntax), valid UTF-8, nested at most MaxJSONDepth,
// one object whose query is a non-empty string, operationName a string
// or null, variables and extensions objects or null, and no NUL character
// in the query or in any string of the variables. It returns the body to
// hand to GraphQL, or why it is refused (answered 400, or 413 past the
// size bound, with code INVALID).
func readGraphQLRequest(r *http.Request) ([]byte, *badGraphQLRequest) {
	bad := func(reason, message string) *badGraphQLRequest {
		return &badGraphQLRequest{status: http.StatusBadRequest, reason: reason, message: message}
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return nil, bad("content type is not JSON", "use POST with a JSON body (Content-Type: application/json)")
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, &badGraphQLRequest{status: http.StatusRequestEntityTooLarge, reason: "body too large",
				message: "request body too large"}
		}
		return nil, bad("body not read", "the request body could not be read")
	}
	switch {
	case len(bytes.TrimSpace(body)) == 0:
		return nil, bad("empty body", requestShape)
	case !utf8.Valid(body):
		return nil, bad("body is not UTF-8", "the request body must be UTF-8")
	case bytes.IndexByte(body, 0) >= 0:
		return nil, bad("NUL byte in body", "the request body must not contain NUL characters")
	case jsonDepth(body) > MaxJSONDepth:
		return nil, bad("JSON nested too deeply", "the request body is nested too deeply (at most "+
			strconv.Itoa(MaxJSONDepth)+" levels)")
	case !json.Valid(body):
		return nil, bad("body is not JSON", "the request body is not valid JSON")
	}
	var members map[string]json.RawMessage
	if body = bytes.TrimSpace(body); body[0] != '{' || json.Unmarshal(body, &members) != nil {
		return nil, bad("body is not a JSON object", requestShape)
	}
	kind := func(name string) byte {
		raw := members[name]
		if len(raw) == 0 {
			return 0
		}
		return raw[0]
	}
	var query string
	if kind("query") != '"' || json.Unmarshal(members["query"], &query) != nil || strings.TrimSpace(query) == "" {
		return nil, bad("query missing or not a string", `"query" must be a non-empty string`)
	}
	if strings.ContainsRune(query, 0) || strings.Contains(strings.ToLower(query), `\u0000`) {
		return nil, bad("NUL in query", `"query" must not contain NUL characters`)
	}
	if k := kind("operationName"); k != 0 && k != '"' && k != 'n' {
		return nil, bad("operationName not a string", `"operationName" must be a string or null`)
	}
	for _, name := range []string{"variables", "extensions"} {
		if k := kind(name); k != 0 && k != '{' && k != 'n' {
			return nil, bad(name+" not an object", `"`+name+`" must be an object or null`)
		}
	}
	if kind("variables") == '{' {
		var vars map[string]any
		if err := json.Unmarshal(members["variables"], &vars); err != nil {
			return nil, bad("variables not an object", `"variables" must be an object or null`)
		}
		var fields []apperr.FieldError
		nulStrings("", vars, &fields)
		if len(fields) > 0 {
			b := bad("NUL in variables", "invalid input")
			b.fields = fields
			return nil, b
		}
	}
	return body, nil
}

// jsonDepth is the deepest nesting of arrays and objects in b, counted
// without decoding (strings skipped), and stopping past MaxJSONDepth.
func jsonDepth(b []byte) int {
	depth, deepest, inString, escaped := 0, 0, false, false
	for _, c := range b {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
			if depth > deepest {
				deepest = depth
				if deepest > MaxJSONDepth {
					return deepest
				}
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return deepest
}

// nulStrings names every string in v (a decoded variables value) that
// holds a NUL character, by its path in the variables (input.title,
// ids.2): text with NUL is refused on the field, never sent to the
// database (which would refuse it as an internal error).
func nulStrings(path string, v any, out *[]apperr.FieldError) {
	const maxFields = 20
	if len(*out) >= maxFields {
		return
	}
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	switch x := v.(type) {
	case string:
		if strings.ContainsRune(x, 0) {
			*out = append(*out, apperr.FieldError{Field: path, Message: "must not contain NUL characters"})
		}
	case map[string]any:
		for k, e := range x {
			if strings.ContainsRune(k, 0) {
				*out = append(*out, apperr.FieldError{Field: strings.ReplaceAll(join(k), "\x00", ""),
					Message: "must not contain NUL characters"})
				continue
			}
			nulStrings(join(k), e, out)
		}
	case []any:
		for i, e := range x {
			nulStrings(join(strconv.Itoa(i)), e, out)
		}
	}
}

// writeBadGraphQLRequest answers a refused body in the GraphQL error shape
// and logs it once, as a warning: the client's fault, not the server's.
func writeBadGraphQLRequest(w http.ResponseWriter, r *http.Request, opt Options, b *badGraphQLRequest) {
	opt.Logger.WarnContext(r.Context(), "malformed graphql request", "request_id", requestID(r), "reason", b.reason,
		"status", b.status)
	ext := map[string]any{"code": string(apperr.Invalid)}
	if len(b.fields) > 0 {
		ext["fields"] = b.fields
	}
	writeJSON(w, b.status, map[string]any{"errors": []map[string]any{{"message": b.message, "extensions": ext}}})
}
