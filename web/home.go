package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/hotlinecoach/coach/domain"
)

// home is GET /: a trainee's next step (App.Home); everyone else's start
// page.
func (s *Server) home(c *gin.Context) error {
	u, _ := currentUser(c)
	if u.Role != domain.RoleTrainee {
		s.render(c, http.StatusOK, "home", nil)
		return nil
	}
	v, err := s.app.Home(c.Request.Context(), u)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "home", v)
	return nil
}
