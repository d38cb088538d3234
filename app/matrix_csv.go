package app

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"

	"github.com/hotlinecoach/coach/cert"
)

// CSVLabels are the words of the matrix CSV in its reader's language: the
// header's and each certification state's.
type CSVLabels struct {
	Username, Team, Best, Attempts, Practice, Name, EmployeeNo string
	State                                                      func(cert.State) string
}

// CSV writes the matrix as CSV, one row per trainee, in UTF-8 with a
// byte-order mark so that Excel reads Chinese, and CRLF line ends. Per
// scenario it gives the best exam score and the exam attempts, then per
// scenario the practice attempts, then the state on each track (empty where
// the track is not the trainee's team's), then the real name and employee
// number: last, so that the columns readers already rely on keep their
// places.
func (r *Report) CSV(l CSVLabels) ([]byte, error) {
	header := []string{l.Username, l.Team}
	for _, col := range r.Columns {
		header = append(header, col.Title+" "+l.Best, col.Title+" "+l.Attempts)
	}
	for _, col := range r.Columns {
		header = append(header, col.Title+" "+l.Practice)
	}
	for _, tr := range r.Tracks {
		header = append(header, tr.Title)
	}
	var b bytes.Buffer
	b.WriteString("\ufeff")
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	write := func(rec []string) {
		for i := range rec {
			rec[i] = csvSafe(rec[i])
		}
		_ = w.Write(rec) // a bytes.Buffer does not fail; w.Error reports the rest
	}
	write(append(header, l.Name, l.EmployeeNo))
	for _, row := range r.Rows {
		rec := []string{row.User.Username, row.User.Team}
		for _, cl := range row.Cells {
			best := ""
			if cl.Exams > 0 {
				best = strconv.FormatFloat(cl.Best, 'f', -1, 64)
			}
			rec = append(rec, best, strconv.Itoa(cl.Exams))
		}
		for _, cl := range row.Cells {
			rec = append(rec, strconv.Itoa(cl.Practice))
		}
		for _, cc := range row.Certs {
			state := ""
			if cc.Assigned {
				state = l.State(cc.State)
			}
			rec = append(rec, state)
		}
		write(append(rec, row.User.Name, row.User.EmployeeNo))
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// csvSafe keeps a spreadsheet from reading a cell as a formula: a cell
// starting with =, +, -, @, tab or carriage return gets a leading quote.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
