package personaldata

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// readme opens the archive: what it is and how to read it.
const readme = `Leadership Toolbox: your personal data

This archive holds everything the product keeps about you, one folder per
part of the product, each table twice: as JSON (for programs) and as CSV
(for a spreadsheet). Other people appear only by their role (practitioner,
member, coordinator...), never by name or address. Private notes you wrote
are opened for you here; nobody else's private notes are included.

Exported at %s.
`

// WriteZIP writes the export as a ZIP archive: README.txt, and for each
// domain and table <domain>/<table>.json and <domain>/<table>.csv.
func WriteZIP(w io.Writer, at time.Time, parts []Part) error {
	z := zip.NewWriter(w)
	add := func(name string, body []byte) error {
		f, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: at})
		if err != nil {
			return err
		}
		_, err = f.Write(body)
		return err
	}
	if err := add("README.txt", fmt.Appendf(nil, readme, at.UTC().Format(time.RFC3339))); err != nil {
		return err
	}
	for _, p := range parts {
		for _, t := range p.Tables {
			js, err := tableJSON(t)
			if err != nil {
				return err
			}
			if err := add(p.Domain+"/"+t.Name+".json", js); err != nil {
				return err
			}
			if err := add(p.Domain+"/"+t.Name+".csv", tableCSV(t)); err != nil {
				return err
			}
		}
	}
	return z.Close()
}

// tableJSON is an array of objects, keys in the columns' order.
func tableJSON(t Table) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("[")
	for i, row := range t.Rows {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n  {")
		for j, col := range t.Columns {
			if j > 0 {
				b.WriteString(", ")
			}
			k, _ := json.Marshal(col)
			v, err := json.Marshal(row[j])
			if err != nil {
				return nil, fmt.Errorf("personaldata: %s.%s: %w", t.Name, col, err)
			}
			b.Write(k)
			b.WriteString(": ")
			b.Write(v)
		}
		b.WriteString("}")
	}
	b.WriteString("\n]\n")
	return b.Bytes(), nil
}

// tableCSV has a header row and one row per record; a cell that a
// spreadsheet would run as a formula is prefixed with a quote.
func tableCSV(t Table) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(t.Columns)
	for _, row := range t.Rows {
		rec := make([]string, len(row))
		for i, v := range row {
			s := ""
			if v != nil {
				s = fmt.Sprint(v)
			}
			if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
				s = "'" + s
			}
			rec[i] = s
		}
		_ = w.Write(rec)
	}
	w.Flush()
	return b.Bytes()
}
