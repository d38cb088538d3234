package web

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
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
