package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/domain"
)

// homeView is a trainee's start page: where they stand on their track,
// what to do next (nil when every scenario is passed), and the steps they
// miss most.
type homeView struct {
	Tracks []app.TrackStanding
	Next   *app.NextStep
	Missed []app.ReportCount
}

// homeMissed is how many of a trainee's most missed steps the home page
// lists.
const homeMissed = 3

// home is GET /: a trainee's next step; everyone else's start page.
func (s *Server) home(c *gin.Context) error {
	u, _ := currentUser(c)
	if u.Role != domain.RoleTrainee {
		s.render(c, http.StatusOK, "home", nil)
		return nil
	}
	ctx := c.Request.Context()
	standings, err := s.app.TrackStatus(ctx, u)
	if err != nil {
		return err
	}
	v := homeView{}
	if v.Next, err = s.app.Next(ctx, u, standings); err != nil {
		return err
	}
	v.Tracks = standings
	if v.Missed, err = s.app.ReportMissedBy(ctx, u, homeMissed); err != nil {
		return err
	}
	s.render(c, http.StatusOK, "home", v)
	return nil
}
