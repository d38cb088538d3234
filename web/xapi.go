package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/hotlinecoach/coach/app"
)

// xapiStatements is GET /api/xapi/statements?team=&from=&to=&limit=: the
// filtered attempts and certificates signed off, as xAPI statements for
// the company's learning record store (app.XAPIExport). Attempts come a
// page at a time, oldest first (limit, at most app.ReportPageMax, the
// default); "more" is the URL of the next page, empty on the last, which
// also carries the sign-offs.
func (s *Server) xapiStatements(c *gin.Context) error {
	// Like the statements' timestamps, the API's days are UTC's.
	f, err := s.parseReportFilter(c, time.UTC)
	if err != nil {
		return err
	}
	limit := app.ReportPageMax
	if l := c.Query("limit"); l != "" {
		if limit, err = strconv.Atoi(l); err != nil || limit < 1 || limit > app.ReportPageMax {
			return errBadRequest(fmt.Errorf("limit %q: want 1 to %d", l, app.ReportPageMax))
		}
	}
	out, next, err := s.app.XAPIExport(c.Request.Context(), f, c.Query("after"), limit, s.cfg.XAPIBase)
	if err != nil {
		return err
	}
	more := ""
	if next != "" {
		q := f.Values()
		q.Set("after", next)
		q.Set("limit", strconv.Itoa(limit))
		more = "/api/xapi/statements?" + q.Encode()
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"statements": out, "more": more})
	return nil
}
