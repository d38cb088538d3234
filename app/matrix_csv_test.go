package app_test

import (
	"encoding/csv"
	"strings"
	"testing"

	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/cert"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReportCSV(t *testing.T) {
	r := &app.Report{
		Columns: []app.ReportColumn{{ID: "leak", Title: "漏水"}, {ID: "arrears", Title: "欠费"}},
		Tracks:  []*scenarios.Track{{ID: "h1", Title: "供热一级"}},
		Rows: []app.ReportRow{
			{User: domain.User{Username: "li", Team: "east", Name: "李娜", EmployeeNo: "007"},
				Cells: []app.ReportCell{{Exams: 2, Best: 72.5, Practice: 1}, {Practice: 3}},
				Certs: []app.ReportCert{{Assigned: true, State: cert.Certified}}},
			{User: domain.User{Username: "wu", Team: "=cmd|' /C calc'!A0", Name: "+1", EmployeeNo: "-2"},
				Cells: []app.ReportCell{{}, {Exams: 1, Best: 100}},
				Certs: []app.ReportCert{{State: cert.Enrolled}}},
		},
	}
	labels := app.CSVLabels{Username: "Trainee", Team: "Team", Best: "best", Attempts: "exams", Practice: "practice", Name: "Name", EmployeeNo: "No.",
		State: func(s cert.State) string { return "state " + string(s) }}
	data, err := r.CSV(labels)
	require.NoError(t, err)
	text := string(data)
	require.True(t, strings.HasPrefix(text, "\ufeff"), "a byte-order mark for Excel")
	assert.Equal(t, 3, strings.Count(text, "\r\n"), "CRLF line ends")
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(text, "\ufeff"))).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, [][]string{
		{"Trainee", "Team", "漏水 best", "漏水 exams", "欠费 best", "欠费 exams", "漏水 practice", "欠费 practice", "供热一级", "Name", "No."},
		{"li", "east", "72.5", "2", "", "0", "1", "3", "state certified", "李娜", "007"},
		{"wu", "'=cmd|' /C calc'!A0", "", "0", "100", "1", "0", "0", "", "'+1", "'-2"},
	}, recs, "no best score without an exam; no state off the team's tracks; no cell read as a formula")
}
