package web

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/cert"
	"github.com/hotlinecoach/coach/internal/chart"
)

// The dashboards' pages: the workflow is app's Report methods; these handlers read
// the request, and lay the report out as a page or a CSV file.

// parseReportFilter reads ?team=&from=&to= (dates as YYYY-MM-DD, days in
// loc: the site's time zone on pages and their CSV, UTC in the xAPI API).
func (s *Server) parseReportFilter(c *gin.Context, loc *time.Location) (app.ReportFilter, error) {
	return app.ParseReportFilter(c.Query("team"), c.Query("from"), c.Query("to"), loc)
}

// filterQuery is a filter as a query string, for links that keep it. It
// is built by url.Values, so it is safe to place after a '?' as it is.
func filterQuery(f app.ReportFilter) template.URL {
	return template.URL(f.Values().Encode()) // #nosec G203 -- url.Values.Encode percent-encodes every key and value
}

// matrixPage is GET /manage?team=&from=&to=&page=: the team matrix a page
// of trainees at a time, the most missed checklist items and forbidden
// phrases, and the track assignments (App.Dashboard).
func (s *Server) matrixPage(c *gin.Context) error {
	f, err := s.parseReportFilter(c, s.cfg.Location)
	if err != nil {
		return err
	}
	page := 1
	if p := c.Query("page"); p != "" {
		if page, err = strconv.Atoi(p); err != nil {
			return errBadRequest(fmt.Errorf("page %q: want a page number", p))
		}
	}
	d, err := s.app.Dashboard(c.Request.Context(), f, page)
	if err != nil {
		return err
	}
	v := manageView{Dashboard: d, Query: filterQuery(f)}
	link := func(n int) template.URL {
		q := f.Values()
		q.Set("page", strconv.Itoa(n))
		return template.URL("/manage?" + q.Encode()) // #nosec G203 -- url.Values.Encode percent-encodes every key and value
	}
	if d.Page > 1 {
		v.Prev = link(d.Page - 1)
	}
	if d.Page < d.Pages {
		v.Next = link(d.Page + 1)
	}
	s.render(c, http.StatusOK, "manage", v)
	return nil
}

// manageView is the matrix page's view; Prev and Next link to the pages
// around the one shown (empty at the ends).
type manageView struct {
	*app.Dashboard
	Query      template.URL
	Prev, Next template.URL
}

// formatScore writes a score without a needless fraction.
func formatScore(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// matrixCSV is GET /manage/export.csv: the whole matrix as CSV (Report.CSV),
// named after the day in the site's time zone.
func (s *Server) matrixCSV(c *gin.Context) error {
	f, err := s.parseReportFilter(c, s.cfg.Location)
	if err != nil {
		return err
	}
	r, err := s.app.ReportMatrix(c.Request.Context(), f, 0, 0)
	if err != nil {
		return err
	}
	lang := langOf(c)
	t := func(k string) string { return s.text.get(lang, k) }
	data, err := r.CSV(app.CSVLabels{Username: t("dash.username"), Team: t("dash.team"), Best: t("dash.best"), Attempts: t("dash.attempts"),
		Practice: t("dash.practice"), Name: t("setup.name"), EmployeeNo: t("admin.employee_no"),
		State: func(st cert.State) string { return t("cert.state." + string(st)) }})
	if err != nil {
		return err
	}
	name := "coach-matrix-" + r.Now.In(s.cfg.Location).Format("20060102") + ".csv"
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "text/csv; charset=utf-8", data)
	return nil
}

// traineeView is the trainee page's view.
type traineeView struct {
	*app.ReportTraineePage
	Query template.URL
	Chart chart.Chart
}

// traineePage is GET /manage/trainees/:id: one trainee's score trend,
// attempts, and certification with the forms to decide on it.
func (s *Server) traineePage(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	f, err := s.parseReportFilter(c, s.cfg.Location)
	if err != nil {
		return err
	}
	r, err := s.app.ReportTrainee(c.Request.Context(), id, f, c.Query("scenario"))
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "trainee", traineeView{ReportTraineePage: r, Query: filterQuery(f), Chart: chart.Trend(r.Attempts, r.PassMark, r.Titles, s.cfg.Location)})
	return nil
}
