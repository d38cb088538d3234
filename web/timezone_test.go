package web

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDateFilterInSiteTimeZone: a report's days are the site's days. An
// attempt at 17:30 UTC on 3 November is on 4 November in Shanghai (01:30),
// and on 3 November on a site kept in UTC.
func TestDateFilterInSiteTimeZone(t *testing.T) {
	at := time.Date(2025, 11, 3, 17, 30, 0, 0, time.UTC)
	tests := []struct {
		zone     *time.Location
		query    string
		included bool
	}{
		{nil, "?from=2025-11-04&to=2025-11-04", true},
		{nil, "?from=2025-11-03&to=2025-11-03", false},
		{time.UTC, "?from=2025-11-03&to=2025-11-03", true},
		{time.UTC, "?from=2025-11-04", false},
	}
	for _, tt := range tests {
		env := newEnv(t, func(c *Config) { c.Location = tt.zone })
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest("GET", "/manage"+tt.query, nil)
		f, err := env.srv.parseReportFilter(c)
		require.NoError(t, err)
		assert.Equal(t, tt.included, f.inRange(at), "%v %s", tt.zone, tt.query)
	}
	env := newEnv(t)
	assert.Equal(t, "2025-11-04 01:30", env.srv.dateTime(at), "shown in Asia/Shanghai by default")
}
