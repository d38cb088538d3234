package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/hotlinecoach/coach/domain"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// parsePages parses each page template under templates/ together with
// layout.html, which frames every page, and the shared partials in
// templates/partials/. A page is named after its file: templates/home.html
// is "home".
func parsePages(funcs template.FuncMap) (map[string]*template.Template, error) {
	files, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	partials, err := fs.Glob(assets, "templates/partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("list partials: %w", err)
	}
	out := make(map[string]*template.Template, len(files))
	for _, file := range files {
		name := strings.TrimSuffix(path.Base(file), ".html")
		if name == "layout" {
			continue
		}
		patterns := append([]string{"templates/layout.html", file}, partials...)
		t, err := template.New(name).Funcs(funcs).ParseFS(assets, patterns...)
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", file, err)
		}
		out[name] = t
	}
	return out, nil
}

// templateFuncs are the functions every template may call.
// Every time a person reads is in loc, the site's time zone; what is
// stored, and what the API and xAPI give, stays in UTC.
func templateFuncs(loc *time.Location) template.FuncMap {
	return template.FuncMap{
		"fill":     fill,
		"score":    formatScore,
		"date":     func(t time.Time) string { return t.In(loc).Format(time.DateOnly) },
		"datetime": func(t time.Time) string { return t.In(loc).Format("2006-01-02 15:04") },
		"dict":     dict,
		"when":     func(t time.Time) string { return t.In(loc).Format("2006-01-02 15:04:05 -07:00") },
	}
}

// dict builds a map from key, value pairs, to pass several values to a
// partial template.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict: odd number of arguments")
	}
	out := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
		}
		out[k] = kv[i+1]
	}
	return out, nil
}

// pageData is what every page template receives: the layout's needs, plus
// the page's own view in Body.
type pageData struct {
	Lang      string
	OtherLang string
	// SwitchURL is the current page in the other language.
	SwitchURL string
	User      *domain.User
	CSRF      string
	// Decided counts a trainee's disputes decided since they last looked:
	// the top bar's badge.
	Decided int
	Body    any
	text    catalogue
}

// T returns the text of a catalogue key in the page's language.
func (p pageData) T(key string) string { return p.text.get(p.Lang, key) }

// RoleName returns a role's name in the page's language.
func (p pageData) RoleName(r domain.Role) string { return p.T("role." + string(r)) }

// render writes a page. It is buffered so that a template error becomes a
// clean 500 rather than half a page.
func (s *Server) render(c *gin.Context, status int, name string, body any) {
	t, ok := s.pages[name]
	if !ok {
		s.log.Error("render: no such page", "page", name)
		c.String(http.StatusInternalServerError, "internal error")
		return
	}
	data := pageData{Lang: langOf(c), Body: body, text: s.text}
	data.OtherLang = data.T("nav.switch_to")
	q := c.Request.URL.Query()
	q.Set("lang", data.OtherLang)
	data.SwitchURL = c.Request.URL.Path + "?" + q.Encode()
	if u, ok := currentUser(c); ok {
		data.User = &u
		if u.Role == domain.RoleTrainee {
			data.Decided = s.decidedUnseen(c, u)
		}
	}
	if sess, ok := currentSession(c); ok {
		data.CSRF = sess.CSRFToken
	} else if token, err := s.formToken(c); err == nil {
		data.CSRF = token
	} else {
		s.log.Error("render: form token", "err", err)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		s.log.Error("render page", "page", name, "err", err)
		c.String(http.StatusInternalServerError, "internal error")
		return
	}
	// Pages carry the user's name and a CSRF token: keep them out of
	// shared caches and the back-forward cache of a signed-out browser.
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// errorPage is the view of the error page.
type errorPage struct {
	Code    string
	Message string
}

// healthz is GET /healthz: 200 when the database answers within a second.
func (s *Server) healthz(c *gin.Context) error {
	ctx, cancel := context.WithTimeout(c.Request.Context(), time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		return fmt.Errorf("health check: %w: %w", domain.ErrUnavailable, err)
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
	return nil
}

// MetricsHandler serves the metrics in the Prometheus text format. It is
// not on the site's listener, where anyone could read them: coach serve
// puts it on the private one, next to the profiles (--pprof).
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{Registry: s.reg})
}

// staticFile is GET /static/*file, from the embedded static folder. There is
// no fingerprinting, so files are cached for an hour only.
func (s *Server) staticFile(c *gin.Context) error {
	name := strings.TrimPrefix(c.Param("file"), "/")
	if !fs.ValidPath(name) || name == "." {
		return errNotFound()
	}
	info, err := fs.Stat(s.static, name)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && info.IsDir()) {
		return errNotFound()
	}
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "public, max-age=3600")
	http.ServeFileFS(c.Writer, c.Request, s.static, name)
	return nil
}

// favicon is GET /favicon.ico: the site's icon, an SVG, which every
// browser that asks for /favicon.ico also reads.
func (s *Server) favicon(c *gin.Context) error {
	c.Header("Cache-Control", "public, max-age=86400")
	c.Header("Content-Type", "image/svg+xml")
	http.ServeFileFS(c.Writer, c.Request, s.static, "favicon.svg")
	return nil
}

// fill puts values into a text's {name} placeholders: fill(text, "n", 3).
// Texts in the catalogue carry placeholders rather than being glued
// together, since word order differs between the languages.
func fill(text string, kv ...any) string {
	for i := 0; i+1 < len(kv); i += 2 {
		text = strings.ReplaceAll(text, "{"+fmt.Sprint(kv[i])+"}", fmt.Sprint(kv[i+1]))
	}
	return text
}
