package auditlog

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/audit"
)

// The CSV export is for spreadsheets as a French office runs them: UTF-8
// with a byte-order mark (or Excel reads it as Windows-1252), semicolons
// between cells (Excel's separator in a French locale; encoding/csv quotes
// any cell containing one), times in Europe/Paris. Lines end with LF, which
// spreadsheets read as well as CRLF: encoding/csv in CRLF mode would drop
// a carriage return inside a cell, and the export must say exactly what
// the log holds.

// CSVSeparator separates the cells of an export.
const CSVSeparator = ';'

const bom = "\uFEFF"

// CSVHeader returns the first row of an export.
func CSVHeader() []string {
	return []string{"horodatage", "utilisateur", "rôles", "action", "type de ressource", "ressources",
		"dossier", "motif", "résultat", "permission", "adresse IP", "navigateur", "requête"}
}

// ExportResult says what an export wrote.
type ExportResult struct {
	Rows      int  // events written
	Truncated bool // more events matched than MaxExportRows
}

// ExportFilename is the file name an export is offered under.
func (s *Service) ExportFilename() string {
	return "journal-audit-" + s.now().In(s.paris).Format("2006-01-02") + ".csv"
}

// Export writes every event the search f would return, newest first, as
// CSV to w, row by row from a server-side cursor: memory stays bounded
// whatever the size of the log. At most MaxExportRows events are written;
// a last row says when more matched.
//
// The export's audit event is committed before the first byte is written,
// in a transaction of its own: a download that breaks half-way has still
// been logged. Errors before the first write (validation, authorization)
// leave w untouched.
func (s *Service) Export(ctx context.Context, a actor.Actor, f Filter, w io.Writer) (ExportResult, error) {
	if err := f.validate(); err != nil {
		return ExportResult{}, err
	}
	var sc scope
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		var err error
		if sc, err = s.scopeOf(a); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, readEvent("audit.export", f))
	})
	if err != nil {
		return ExportResult{}, err
	}
	var res ExportResult
	err = s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SET TRANSACTION READ ONLY"); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		q, args := selectEvents(sc, f, nil, s.maxRows+1)
		if _, err := tx.Exec(ctx, "DECLARE audit_export NO SCROLL CURSOR FOR "+q, args); err != nil {
			return fmt.Errorf("export: declare cursor: %w", err)
		}
		if _, err := io.WriteString(w, bom); err != nil {
			return fmt.Errorf("export: write: %w", err)
		}
		cw := csv.NewWriter(w)
		cw.Comma = CSVSeparator
		if err := cw.Write(CSVHeader()); err != nil {
			return fmt.Errorf("export: write: %w", err)
		}
		fetch := fmt.Sprintf("FETCH FORWARD %d FROM audit_export", s.batch)
		for {
			n, err := s.exportBatch(ctx, tx, fetch, cw, &res)
			if err != nil {
				return err
			}
			cw.Flush()
			if err := cw.Error(); err != nil {
				return fmt.Errorf("export: write: %w", err)
			}
			if n < s.batch || res.Truncated {
				break
			}
		}
		if res.Truncated {
			row := make([]string, len(CSVHeader()))
			row[0] = fmt.Sprintf("export limité aux %d événements les plus récents : précisez les filtres", s.maxRows)
			if err := cw.Write(row); err != nil {
				return fmt.Errorf("export: write: %w", err)
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return fmt.Errorf("export: write: %w", err)
		}
		return nil
	})
	return res, err
}

// exportBatch writes the rows of one FETCH and returns how many came.
func (s *Service) exportBatch(ctx context.Context, tx pgx.Tx, fetch string, cw *csv.Writer, res *ExportResult) (int, error) {
	rows, err := tx.Query(ctx, fetch)
	if err != nil {
		return 0, fmt.Errorf("export: fetch: %w", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
		if res.Rows == s.maxRows {
			res.Truncated = true
			break
		}
		e, err := scanEvent(rows)
		if err != nil {
			return n, fmt.Errorf("export: read: %w", err)
		}
		if err := cw.Write(s.csvRow(e)); err != nil {
			return n, fmt.Errorf("export: write: %w", err)
		}
		res.Rows++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("export: fetch: %w", err)
	}
	return n, nil
}

func (s *Service) csvRow(e Event) []string {
	ids := make([]string, len(e.ResourceIDs))
	for i, id := range e.ResourceIDs {
		ids[i] = id.String()
	}
	row := []string{
		e.OccurredAt.In(s.paris).Format(time.RFC3339),
		exportWho(e),
		strings.Join(e.ActorRoles, ", "),
		e.Action,
		e.ResourceType,
		strings.Join(ids, " "),
		optID(e.DossierID),
		e.Reason,
		outcomeFR(e.Outcome),
		e.Permission,
		optString(e.SourceIP),
		e.UserAgent,
		e.RequestID,
	}
	for i := range row {
		row[i] = NeutraliseCell(row[i])
	}
	return row
}

// exportWho names the actor and gives their id: two people may share a
// display name, and the log must say which one it was.
func exportWho(e Event) string {
	switch {
	case e.ActorID == nil:
		return system
	case e.ActorName == nil:
		return e.ActorID.String()
	}
	return *e.ActorName + " (" + e.ActorID.String() + ")"
}

func outcomeFR(o audit.Outcome) string {
	if o == audit.Denied {
		return "refusé"
	}
	return "autorisé"
}

func optID(id *uuid.UUID) string {
	if id == nil {
		return ""
	}
	return id.String()
}

func optString(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// NeutraliseCell keeps a spreadsheet from reading a cell as a formula
// (CSV injection, OWASP): a cell starting with =, +, -, @, a tab or a
// carriage return gets a leading apostrophe, which spreadsheets show as
// text. Quoting is left to encoding/csv.
func NeutraliseCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
