package httpserver

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// What an attacker throws at POST /graphql to make the server fail, talk
// or log: every malformed body is answered 400 (413 past the size bound)
// in the GraphQL error shape with code INVALID, without echoing what was
// sent, and logged as exactly one warning — no ERROR line, no stack, no
// value typed by the client in the log. Nothing behind it runs.
func TestMalformedGraphQLRequests(t *testing.T) {
	t.Parallel()
	s := newSite(t, siteOptions{})
	const marker = "Zorglub4411"
	deepArray := strings.Repeat("[", 10_000)
	deepVars := `{"query":"{ me { id } }","variables":{"x":` + strings.Repeat(`[`, 10_000) + strings.Repeat(`]`, 10_000) + `}}`
	huge := `{"query":"{ me { id } }","variables":{"x":"` + strings.Repeat(marker, MaxGraphQLBody/len(marker)) + `"}}`
	for _, tc := range []struct {
		name   string
		body   string
		ctype  string
		chunk  bool // no Content-Length
		status int
		field  string // expected in extensions.fields
	}{
		{name: "empty body", body: ""},
		{name: "spaces only", body: " \n\t "},
		{name: "open brace", body: "{"},
		{name: "truncated", body: `{"query":"{ me { id } }"`},
		{name: "JSON array", body: `[{"query":"{ me { id } }"}]`},
		{name: "empty array", body: `[]`},
		{name: "JSON string", body: `"{ me { id } }` + marker + `"`},
		{name: "JSON number", body: `42`},
		{name: "JSON null", body: `null`},
		{name: "not JSON", body: marker},
		{name: "trailing garbage", body: `{"query":"{ me { id } }"} ` + marker},
		{name: "raw NUL byte", body: "\x00"},
		{name: "NUL in JSON string", body: "{\"query\":\"{ me { id } }\x00" + marker + "\"}"},
		{name: "escaped NUL in query", body: `{"query":"{ me { id } }\u0000` + marker + `"}`},
		{name: "NUL in GraphQL literal", body: `{"query":"{ dossiers(filter: {text: \"a\\u0000` + marker + `\"}) { totalCount } }"}`},
		{name: "escaped NUL in a variable", body: `{"query":"query($t: String) { dossiers(filter: {text: $t}) { totalCount } }","variables":{"t":"a\u0000` + marker + `"}}`,
			field: "t"},
		{name: "escaped NUL in a nested variable", body: `{"query":"mutation($i: CreateDossierInput!) { createDossier(input: $i) { id } }","variables":{"i":{"reference":"R","title":"x\u0000` + marker + `","themes":["GROOMING"]}}}`,
			field: "i.title"},
		{name: "invalid UTF-8", body: "{\"query\":\"{ me { id } }\xff\xfe" + marker + "\"}"},
		{name: "10 000 open brackets", body: deepArray},
		{name: "deeply nested variables", body: deepVars},
		{name: "deep object", body: strings.Repeat(`{"a":`, 5_000) + "1" + strings.Repeat("}", 5_000)},
		{name: "no query", body: `{"variables":{}}`},
		{name: "empty query", body: `{"query":"  "}`},
		{name: "query null", body: `{"query":null}`},
		{name: "query a number", body: `{"query":42}`},
		{name: "query an object", body: `{"query":{"a":"` + marker + `"}}`},
		{name: "query an array", body: `{"query":["{ me { id } }"]}`},
		{name: "variables a string", body: `{"query":"{ me { id } }","variables":"` + marker + `"}`},
		{name: "variables an array", body: `{"query":"{ me { id } }","variables":["` + marker + `"]}`},
		{name: "variables a number", body: `{"query":"{ me { id } }","variables":1}`},
		{name: "operationName a number", body: `{"query":"{ me { id } }","operationName":7}`},
		{name: "operationName an object", body: `{"query":"{ me { id } }","operationName":{}}`},
		{name: "extensions a string", body: `{"query":"{ me { id } }","extensions":"` + marker + `"}`},
		{name: "form encoded", body: "query=" + marker, ctype: "application/x-www-form-urlencoded"},
		{name: "no content type", body: `{"query":"{ me { id } }"}`, ctype: "-"},
		{name: "multipart", body: "--x\r\n\r\n" + marker, ctype: "multipart/form-data; boundary=x"},
		{name: "huge variables", body: huge, status: http.StatusRequestEntityTooLarge},
		{name: "huge variables, chunked", body: huge, chunk: true, status: http.StatusRequestEntityTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, s.url+"/graphql", bytes.NewReader([]byte(tc.body)))
			if err != nil {
				t.Fatal(err)
			}
			if tc.chunk {
				req.Body = io.NopCloser(strings.NewReader(tc.body)) // unknown length: sent chunked
				req.ContentLength = -1
			}
			switch tc.ctype {
			case "":
				req.Header.Set("Content-Type", "application/json")
			case "-":
			default:
				req.Header.Set("Content-Type", tc.ctype)
			}
			req.Header.Set(CSRFHeader, "1")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			want := tc.status
			if want == 0 {
				want = http.StatusBadRequest
			}
			var out struct {
				Data   any `json:"data"`
				Errors []struct {
					Message    string `json:"message"`
					Extensions struct {
						Code   string `json:"code"`
						Fields []struct {
							Field   string `json:"field"`
							Message string `json:"message"`
						} `json:"fields"`
					} `json:"extensions"`
				} `json:"errors"`
			}
			if err := json.Unmarshal(body, &out); err != nil || len(out.Errors) != 1 {
				t.Fatalf("HTTP %d, not one GraphQL error: %v %.300s", resp.StatusCode, err, body)
			}
			if resp.StatusCode != want || out.Errors[0].Extensions.Code != "INVALID" || out.Errors[0].Message == "" {
				t.Fatalf("HTTP %d, want %d with INVALID: %.300s", resp.StatusCode, want, body)
			}
			if tc.field != "" {
				fs := out.Errors[0].Extensions.Fields
				if len(fs) != 1 || fs[0].Field != tc.field {
					t.Fatalf("fields %+v, want %q", fs, tc.field)
				}
			}
			for _, leak := range []string{marker, "goroutine", ".go:", "json:", "panic", "SQLSTATE"} {
				if bytes.Contains(body, []byte(leak)) {
					t.Fatalf("the answer carries %q: %.300s", leak, body)
				}
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			// Exactly one warning under the request id, nothing worse, and
			// the access log line; nothing the client sent.
			id := resp.Header.Get("X-Request-Id")
			var warns, errs int
			for _, line := range strings.Split(strings.TrimSpace(s.logs.String()), "\n") {
				var l struct {
					Level     string `json:"level"`
					RequestID string `json:"request_id"`
				}
				if json.Unmarshal([]byte(line), &l) != nil || l.RequestID != id {
					continue
				}
				if strings.Contains(line, marker) {
					t.Errorf("client input logged: %s", line)
				}
				switch l.Level {
				case "WARN":
					warns++
				case "ERROR":
					errs++
					t.Errorf("logged as an error: %s", line)
				}
			}
			if warns != 1 || errs != 0 {
				t.Fatalf("%d warnings and %d errors logged, want exactly one warning", warns, errs)
			}
		})
	}
	// Nothing ran: no sign-in attempted, no audit event.
	if n := s.count(t, `SELECT (SELECT count(*) FROM audit_events) + (SELECT count(*) FROM sessions)`); n != 0 {
		t.Fatalf("%d rows written by malformed requests", n)
	}
	// And the server still serves a well-formed request.
	if r := s.do(t, http.MethodPost, "/graphql", jsonCSRF, gqlBody(`{ me { id } }`, nil)); r.StatusCode != http.StatusOK {
		t.Fatalf("after the malformed requests: %d %s", r.StatusCode, r.body)
	}
}

func TestJSONDepth(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int{
		`{}`:                        1,
		`{"a":[1,{"b":[]}]}`:        4,
		`"[[[[{{{{"`:                0,
		`{"a":"\"[[[["}`:            1,
		`[[[` + `"\\"` + `]]]`:      3,
		strings.Repeat("[", 10_000): MaxJSONDepth + 1,
	} {
		if got := jsonDepth([]byte(in)); got != want {
			t.Errorf("jsonDepth(%.40q) = %d, want %d", in, got, want)
		}
	}
}
