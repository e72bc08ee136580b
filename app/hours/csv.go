package hours

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"
)

// PracticeColumns are a practice log's CSV columns: the fields of ICF's
// client coaching log (EMCC asks for the same of a mentoring log), with
// the sessions counted.
var PracticeColumns = []string{"Client", "Contact", "Individual or group", "Number in group", "First session", "Last session",
	"Sessions", "Paid hours", "Pro bono hours"}

// SupervisionColumns are the supervision log's CSV columns.
var SupervisionColumns = []string{"Date", "Supervisor", "Individual or group", "Hours", "Themes", "Link", "From a session", "Signed off"}

// WritePracticeCSV writes a practice log, one client a row, then a
// totals row.
func WritePracticeCSV(w io.Writer, l *Log) error {
	cw := csv.NewWriter(w)
	rows := [][]string{PracticeColumns}
	for _, r := range l.Rows {
		paid, probono := hoursText(r.Minutes), "0"
		if !r.Paid {
			paid, probono = "0", hoursText(r.Minutes)
		}
		size := ""
		if r.Format == Group {
			size = strconv.Itoa(r.GroupSize)
		}
		rows = append(rows, []string{safe(r.Client), safe(r.Contact), r.Format, size, date(r.First), date(r.Last), strconv.Itoa(r.Sessions), paid, probono})
	}
	rows = append(rows, []string{"Total", "", "", strconv.Itoa(l.Totals.Clients) + " clients", "", "", "",
		hoursText(l.Totals.PaidMinutes), hoursText(l.Totals.ProBonoMinutes)})
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("hours: write %s log: %w", l.Kind, err)
	}
	return nil
}

// WriteSupervisionCSV writes the supervision log.
func WriteSupervisionCSV(w io.Writer, items []Item) error {
	cw := csv.NewWriter(w)
	rows := [][]string{SupervisionColumns}
	for _, it := range items {
		signed := ""
		if it.SignedOffAt != nil {
			signed = date(*it.SignedOffAt)
		}
		from := "no"
		if it.SessionID != nil {
			from = "yes"
		}
		rows = append(rows, []string{date(it.HeldAt), safe(it.Supervisor), it.Format, hoursText(it.Minutes), safe(it.Themes), safe(it.Link), from, signed})
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("hours: write supervision log: %w", err)
	}
	return nil
}

func hoursText(minutes int) string { return strconv.FormatFloat(hoursOf(minutes), 'f', 2, 64) }

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

// safe keeps a spreadsheet from reading a cell as a formula.
func safe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}
