package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTimesShownInSiteTimeZone: times people read are in the site's time
// zone, Asia/Shanghai unless configured: 17:30 UTC on 3 November is 01:30
// on the 4th.
func TestTimesShownInSiteTimeZone(t *testing.T) {
	at := time.Date(2025, 11, 3, 17, 30, 0, 0, time.UTC)
	assert.Equal(t, "2025-11-04 01:30", newEnv(t).srv.dateTime(at), "Asia/Shanghai by default")
	utc := newEnv(t, func(c *Config) { c.Location = time.UTC })
	assert.Equal(t, "2025-11-03 17:30", utc.srv.dateTime(at))
	funcs := templateFuncs(mustLoad(t, "Asia/Shanghai"))
	assert.Equal(t, "2025-11-04", funcs["date"].(func(time.Time) string)(at))
	assert.Equal(t, "2025-11-04 01:30:00 +08:00", funcs["when"].(func(time.Time) string)(at))
}

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestDateFiltersInSiteTimeZone: the dashboards' and the audit log's
// ?from=&to= are days in the site's time zone, the xAPI API's UTC days. 15:30 UTC on 1 December is
// 23:30 that day in Shanghai, 16:30 UTC is 00:30 on the 2nd; in UTC both
// are on the 1st.
func TestDateFiltersInSiteTimeZone(t *testing.T) {
	late := time.Date(2026, 12, 1, 15, 30, 0, 0, time.UTC)
	early := time.Date(2026, 12, 1, 16, 30, 0, 0, time.UTC)
	tests := []struct {
		name string
		loc  *time.Location
		// days maps a day asked for to the scenarios of its attempts, and
		// so to its audit entries.
		days map[string][]string
	}{
		{"Asia/Shanghai by default", nil, map[string][]string{"2026-12-01": {"leak"}, "2026-12-02": {"arrears"}}},
		{"UTC", time.UTC, map[string][]string{"2026-12-01": {"arrears", "leak"}, "2026-12-02": nil}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newCertEnvOn(t, storetest.SQLite(t), func(c *Config) { c.Location = tc.loc })
			e.attempt(e.li, "leak", domain.Exam, late, 81, true, []string{"greeting"}, "没办法")
			e.attempt(e.li, "arrears", domain.Exam, early, 72, true, []string{"commit"}, "不归我管")
			ctx := context.Background()
			for _, a := range []store.AuditEntry{
				{At: late, Actor: "cli", Action: "scenario.publish", Target: "scenario:leak", Detail: "revision 1 published (publication 1)"},
				{At: early, Actor: "cli", Action: "scenario.publish", Target: "scenario:arrears", Detail: "revision 1 published (publication 2)"},
			} {
				require.NoError(t, e.db.AppendAudit(ctx, a))
			}
			adminToken, _ := e.session(e.addUser("root", domain.RoleAdmin))
			for day, want := range tc.days {
				q := "?from=" + day + "&to=" + day
				page := e.get(e.mgrToken, "/manage"+q)
				require.Equal(t, http.StatusOK, page.Code, page.Body)
				cells, _ := matrixCells(t, page.Body)
				missed := regexp.MustCompile(`data-item="(\w+)/\w+" data-count="1"`).FindAllStringSubmatch(page.Body, -1)
				csvFile := e.get(e.mgrToken, "/manage/export.csv"+q)
				require.Equal(t, http.StatusOK, csvFile.Code, csvFile.Body)
				audit := e.get(adminToken, "/admin/audit"+q)
				require.Equal(t, http.StatusOK, audit.Code, audit.Body)
				xapi := e.get(e.mgrToken, "/api/xapi/statements"+q)
				require.Equal(t, http.StatusOK, xapi.Code, xapi.Body)
				var inXAPI []string
				for _, m := range regexp.MustCompile(`/scenarios/([\w-]+)"`).FindAllStringSubmatch(xapi.Body, -1) {
					inXAPI = append(inXAPI, m[1])
				}
				slices.Sort(inXAPI)
				// The API's days are UTC's in every zone, like its timestamps.
				assert.Equal(t, map[string][]string{"2026-12-01": {"arrears", "leak"}, "2026-12-02": nil}[day], inXAPI, "xAPI of %s", day)

				var inMatrix, inMissed, inCSV, inAudit []string
				for k := range cells {
					inMatrix = append(inMatrix, k.scenario)
				}
				for _, m := range missed {
					inMissed = append(inMissed, m[1])
				}
				recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(csvFile.Body, "\ufeff"))).ReadAll()
				require.NoError(t, err)
				for _, sc := range e.lib.Scenarios {
					// li's row has a best score under each scenario with exams.
					for i, h := range recs[0] {
						for _, rec := range recs[1:] {
							if rec[0] == e.li.Username && h == sc.Title+" 最高分" && rec[i] != "" {
								inCSV = append(inCSV, sc.ID)
							}
						}
					}
					if strings.Contains(audit.Body, "（"+sc.ID+"）") {
						inAudit = append(inAudit, sc.ID)
					}
				}
				for view, got := range map[string][]string{"matrix": inMatrix, "most missed": inMissed, "csv": inCSV, "audit": inAudit} {
					slices.Sort(got)
					assert.Equal(t, want, got, "%s of %s", view, day)
				}
			}
		})
	}
}
