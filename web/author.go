package web

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/pmezard/go-difflib/difflib"
	"go.yaml.in/yaml/v3"

	"github.com/hotlinecoach/coach/internal/yamlfile"
	"github.com/hotlinecoach/coach/phrasebook"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
	"github.com/hotlinecoach/coach/store"
)

// authorBody is the body limit of requests that carry a whole content unit:
// a file of up to store.MaxContentBody plus golden transcripts.
const authorBody = 4 << 20

// authors are the roles that write content.
func authors() access { return rolesOnly(store.RoleTrainer, store.RoleAdmin) }

// authorRoutes are the trainers' pages and API for writing scenarios and
// phrase files, and the admins' audit log.
func (s *Server) authorRoutes() []route {
	return []route{
		{method: http.MethodGet, path: "/author", access: authors(), maxBody: smallBody, h: s.withContent(s.authorList)},
		{method: http.MethodGet, path: "/author/new", access: authors(), maxBody: smallBody, h: s.withContent(s.authorNew)},
		{method: http.MethodGet, path: "/author/tester", access: authors(), maxBody: smallBody, h: s.withContent(s.authorTester)},
		{method: http.MethodGet, path: "/author/:kind/:id", access: authors(), maxBody: smallBody, h: s.withContent(s.authorEdit)},
		{method: http.MethodGet, path: "/author/:kind/:id/history", access: authors(), maxBody: smallBody, h: s.withContent(s.authorHistory)},
		{method: http.MethodGet, path: "/author/:kind/:id/export", access: authors(), maxBody: smallBody, h: s.withContent(s.authorExport)},
		{method: http.MethodPost, path: "/author/:kind/:id/publish", access: authors(), maxBody: smallBody, h: s.withContent(s.authorPublish)},
		{method: http.MethodPost, path: "/author/:kind/:id/retire", access: authors(), maxBody: smallBody, h: s.withContent(s.authorRetire)},
		{method: http.MethodPost, path: "/author/:kind/:id/clone", access: authors(), maxBody: smallBody, h: s.withContent(s.authorClone)},
		{method: http.MethodPost, path: "/author/:kind/:id/play", access: authors(), maxBody: smallBody, h: s.withContent(s.authorPlay)},

		{method: http.MethodPost, path: "/api/author/validate", access: authors(), maxBody: authorBody, h: s.withContent(s.apiAuthorValidate)},
		{method: http.MethodPost, path: "/api/author/save", access: authors(), maxBody: authorBody, h: s.withContent(s.apiAuthorSave)},
		{method: http.MethodPost, path: "/api/author/golden", access: authors(), maxBody: authorBody, h: s.withContent(s.apiAuthorGolden)},
		{method: http.MethodPost, path: "/api/author/match", access: authors(), maxBody: authorBody, h: s.withContent(s.apiAuthorMatch)},
		{method: http.MethodPost, path: "/api/author/import", access: authors(), maxBody: authorBody, h: s.withContent(s.apiAuthorImport)},

		{method: http.MethodGet, path: "/admin/audit", access: rolesOnly(store.RoleAdmin), maxBody: smallBody, h: s.adminAudit},
	}
}

// withContent makes sure the store's content is loaded (the built-in
// content, on a fresh store) before an authoring handler reads it.
func (s *Server) withContent(h handlerFunc) handlerFunc {
	return func(c *gin.Context) error {
		if _, err := s.content.published(c.Request.Context()); err != nil {
			return err
		}
		return h(c)
	}
}

// unitParams reads :kind and :id.
func unitParams(c *gin.Context) (store.ContentKind, string, error) {
	kind, err := store.ParseContentKind(c.Param("kind"))
	if err != nil {
		e := errNotFound()
		e.Err = err
		return "", "", e
	}
	id := c.Param("id")
	if !store.ValidContentID(id) {
		e := errNotFound()
		e.Err = fmt.Errorf("content id %q", id)
		return "", "", e
	}
	return kind, id, nil
}

func unitURL(kind store.ContentKind, id string) string { return "/author/" + string(kind) + "/" + id }

// issueJSON is one problem with a draft, placed at its line.
type issueJSON struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// toIssues spreads a parse error into its problems.
func toIssues(err error, file string) []issueJSON {
	if err == nil {
		return nil
	}
	var many yamlfile.Errors
	var one *yamlfile.Error
	switch {
	case errors.As(err, &many):
	case errors.As(err, &one):
		many = yamlfile.Errors{one}
	default:
		return []issueJSON{{File: file, Message: err.Error()}}
	}
	out := make([]issueJSON, 0, len(many))
	for _, e := range many {
		out = append(out, issueJSON{File: e.File, Line: e.Line, Field: e.Field, Message: e.Msg})
	}
	return out
}

// draftJSON is a content unit as the editor sends it.
type draftJSON struct {
	Kind   string            `json:"kind"`
	ID     string            `json:"id"`
	Body   string            `json:"body"`
	Golden map[string]string `json:"golden"`
}

// decodeDraft reads a draftJSON body as an unsaved revision.
func decodeDraft(c *gin.Context) (store.Revision, error) {
	var d draftJSON
	if err := decodeJSON(c, &d); err != nil {
		return store.Revision{}, err
	}
	return d.revision()
}

// revision turns the draft into an unsaved revision, checking its kind, id
// and sizes.
func (d draftJSON) revision() (store.Revision, error) {
	kind, err := store.ParseContentKind(d.Kind)
	if err != nil {
		return store.Revision{}, errBadRequest(err)
	}
	if !store.ValidContentID(d.ID) {
		return store.Revision{}, errBadRequest(fmt.Errorf("%w: content id %q", store.ErrInvalid, d.ID))
	}
	if len(d.Body) > store.MaxContentBody || len(d.Golden) > store.MaxGolden {
		return store.Revision{}, errBadRequest(fmt.Errorf("%w: draft too large", store.ErrInvalid))
	}
	return store.Revision{Kind: kind, ContentID: d.ID, Body: d.Body, Golden: d.Golden}, nil
}

// check validates a draft against the published content: the file itself,
// its golden transcripts, and for a phrase file, whether every published
// scenario still finds the phrase ids it refers to.
func (s *Server) check(ctx context.Context, r store.Revision) ([]issueJSON, error) {
	cs, err := s.content.published(ctx)
	if err != nil {
		return nil, err
	}
	return checkAgainst(cs, r), nil
}

func checkAgainst(cs *contentSet, r store.Revision) []issueJSON {
	issues := []issueJSON{}
	if r.Kind == store.ContentScenario {
		_, _, err := parseScenarioRevision(r, sim.Known(cs.shared))
		return append(issues, toIssues(err, scenarioFile(r.ContentID))...)
	}
	file := phraseFile(r.ContentID)
	var others []phrasebook.Entry
	for _, e := range cs.shared {
		if e.Pos.File != file {
			others = append(others, e)
		}
	}
	entries, err := parsePhraseRevision(r, others)
	if err != nil {
		return append(issues, toIssues(err, file)...)
	}
	known := sim.Known(append(others, entries...))
	for _, key := range slices.Sorted(mapKeys(cs.units)) {
		u := cs.units[key]
		if u.Kind != store.ContentScenario {
			continue
		}
		if _, _, err := parseScenarioRevision(u, known); err != nil {
			issues = append(issues, toIssues(err, scenarioFile(u.ContentID))...)
		}
	}
	return issues
}

// apiAuthorValidate is POST /api/author/validate: the problems of a draft,
// each at its file, line and field. The editor calls it as the trainer
// types.
func (s *Server) apiAuthorValidate(c *gin.Context) error {
	r, err := decodeDraft(c)
	if err != nil {
		return err
	}
	issues, err := s.check(c.Request.Context(), r)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"issues": issues})
	return nil
}

// saveJSON is the body of POST /api/author/save.
type saveJSON struct {
	draftJSON
	Message string `json:"message"`
	// Parent is the revision number the editor started from; 0 for a new
	// unit.
	Parent int `json:"parent"`
}

// apiAuthorSave is POST /api/author/save: a new revision, with the
// draft's problems, which do not stop a save (a draft may be unfinished)
// but do stop publishing it.
func (s *Server) apiAuthorSave(c *gin.Context) error {
	var d saveJSON
	if err := decodeJSON(c, &d); err != nil {
		return err
	}
	r, err := d.revision()
	if err != nil {
		return err
	}
	if d.Parent < 0 {
		return errBadRequest(errors.New("parent must not be negative"))
	}
	ctx := c.Request.Context()
	issues, err := s.check(ctx, r)
	if err != nil {
		return err
	}
	rev, err := s.store.SaveRevision(ctx, actorOf(c), store.SaveRequest{Kind: r.Kind, ID: r.ContentID, Body: r.Body,
		Golden: r.Golden, Message: strings.TrimSpace(d.Message), Parent: d.Parent})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"revision": revisionJSON(rev), "issues": issues, "url": unitURL(rev.Kind, rev.ContentID)})
	return nil
}

func revisionJSON(r store.Revision) gin.H {
	return gin.H{"id": r.ID, "n": r.N, "kind": r.Kind, "content_id": r.ContentID, "author": r.Author, "at": r.At, "message": r.Message}
}

// goldenJSON is the result of one golden transcript.
type goldenJSON struct {
	Scenario string `json:"scenario"`
	Name     string `json:"name"`
	OK       bool   `json:"ok"`
	Passed   bool   `json:"passed"`
	Outcome  string `json:"outcome"`
	Score    int    `json:"score"`
	Expected string `json:"expected"`
	Problem  string `json:"problem,omitempty"`
}

// runGoldens builds the published content with r in place of its unit and
// replays golden transcripts: a scenario's own, or for a phrase file every
// published scenario's. It reports the draft's problems instead when it
// has any.
func (s *Server) runGoldens(ctx context.Context, r store.Revision) ([]issueJSON, []goldenJSON, error) {
	cur, err := s.content.published(ctx)
	if err != nil {
		return nil, nil, err
	}
	if issues := checkAgainst(cur, r); len(issues) > 0 {
		return issues, nil, nil
	}
	pub, err := s.store.PublicationByID(ctx, cur.pub)
	if err != nil {
		return nil, nil, err
	}
	cs, err := s.content.build(ctx, pub, r)
	if err != nil {
		return nil, nil, err
	}
	defer cs.close()
	return []issueJSON{}, goldensOf(cs, r), nil
}

func goldensOf(cs *contentSet, r store.Revision) []goldenJSON {
	out := []goldenJSON{}
	for _, sc := range cs.lib.Scenarios {
		if r.Kind == store.ContentScenario && sc.ID != r.ContentID {
			continue
		}
		for _, g := range cs.lib.Golden[sc.ID] {
			res := sim.RunGolden(sc, cs.book, g)
			j := goldenJSON{Scenario: sc.ID, Name: g.Name, OK: res.OK, Problem: res.Problem(),
				Expected: fmt.Sprintf("passed=%t outcome=%s", g.Transcript.Expect.Passed, g.Transcript.Expect.Outcome)}
			if res.Card != nil {
				j.Passed, j.Outcome, j.Score = res.Card.Passed, string(res.Card.Outcome), res.Card.Score
			}
			out = append(out, j)
		}
	}
	return out
}

// apiAuthorGolden is POST /api/author/golden: replays golden transcripts
// against a draft, without saving it.
func (s *Server) apiAuthorGolden(c *gin.Context) error {
	r, err := decodeDraft(c)
	if err != nil {
		return err
	}
	issues, results, err := s.runGoldens(c.Request.Context(), r)
	if err != nil {
		return err
	}
	if results == nil {
		results = []goldenJSON{}
	}
	c.JSON(http.StatusOK, gin.H{"issues": issues, "results": results})
	return nil
}

// matchJSON is the body of POST /api/author/match: sentences, one per
// line, tried against the published phrasebook or, with Phrases, against
// it with a draft phrase file in place of the published one.
type matchJSON struct {
	Text    string     `json:"text"`
	Phrases *draftJSON `json:"phrases,omitempty"`
}

// maxTesterLines bounds the sentences one tester request matches.
const maxTesterLines = 500

type hitJSON struct {
	ID     string  `json:"id"`
	Intent string  `json:"intent"`
	Kind   string  `json:"kind"`
	Score  float64 `json:"score"`
	Start  int     `json:"start"`
	End    int     `json:"end"`
	// Said is the matched span of the line.
	Said string `json:"said"`
}

// apiAuthorMatch is POST /api/author/match: every hit of every line.
func (s *Server) apiAuthorMatch(c *gin.Context) error {
	var req matchJSON
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	lines := strings.Split(strings.ReplaceAll(req.Text, "\r\n", "\n"), "\n")
	if len(lines) > maxTesterLines {
		return errBadRequest(fmt.Errorf("%d lines, at most %d", len(lines), maxTesterLines))
	}
	ctx := c.Request.Context()
	cs, err := s.content.published(ctx)
	if err != nil {
		return err
	}
	match := func(text string) []phrasebook.Hit { return cs.book.Match(text, phrasebook.Filter{}) }
	if req.Phrases != nil {
		req.Phrases.Kind = string(store.ContentPhrases)
		r, err := req.Phrases.revision()
		if err != nil {
			return err
		}
		if issues := checkAgainst(cs, r); len(issues) > 0 {
			c.JSON(http.StatusOK, gin.H{"issues": issues, "lines": []any{}})
			return nil
		}
		file := phraseFile(r.ContentID)
		var entries []phrasebook.Entry
		for _, e := range cs.shared {
			if e.Pos.File != file {
				entries = append(entries, e)
			}
		}
		draft, _ := parsePhraseRevision(r, entries)
		m, err := phrasebook.New(append(entries, draft...))
		if err != nil {
			return err
		}
		defer m.Close()
		match = func(text string) []phrasebook.Hit { return m.Match(text, phrasebook.Filter{}) }
	}
	type lineJSON struct {
		Text string    `json:"text"`
		Hits []hitJSON `json:"hits"`
	}
	out := []lineJSON{}
	for _, line := range lines {
		if strings.TrimSpace(line) == "" {
			continue
		}
		runes := []rune(line)
		l := lineJSON{Text: line, Hits: []hitJSON{}}
		for _, h := range match(line) {
			said := ""
			if h.Start >= 0 && h.End <= len(runes) && h.Start <= h.End {
				said = string(runes[h.Start:h.End])
			}
			l.Hits = append(l.Hits, hitJSON{ID: h.ID, Intent: string(h.Intent), Kind: string(h.Kind), Score: h.Score,
				Start: h.Start, End: h.End, Said: said})
		}
		out = append(out, l)
	}
	c.JSON(http.StatusOK, gin.H{"issues": []issueJSON{}, "lines": out})
	return nil
}

// importJSON is the body of POST /api/author/import: the files a trainer
// picked, as the browser read them. One YAML file (a scenario or a phrase
// file) and, for a scenario, its golden transcripts (*.json).
type importJSON struct {
	Files []struct {
		Name string `json:"name"`
		Body string `json:"body"`
	} `json:"files"`
	Message string `json:"message"`
}

// apiAuthorImport is POST /api/author/import: the files become a new draft
// revision (of a new unit, or the next of an existing one). A scenario
// imported without golden transcripts keeps its current ones.
func (s *Server) apiAuthorImport(c *gin.Context) error {
	var req importJSON
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	var yamlName, yamlBody string
	golden := map[string]string{}
	for _, f := range req.Files {
		base := path.Base(strings.ReplaceAll(f.Name, "\\", "/"))
		switch {
		case strings.HasSuffix(base, ".scorecard.json"):
			// Expected scorecards are coach check's, not content.
		case strings.HasSuffix(base, ".json"):
			name := strings.TrimSuffix(base, ".json")
			if !store.ValidGoldenName(name) {
				return errBadRequest(fmt.Errorf("%w: golden transcript name %q", store.ErrInvalid, name))
			}
			golden[name] = f.Body
		case strings.HasSuffix(base, ".yaml") || strings.HasSuffix(base, ".yml"):
			if yamlName != "" {
				return errBadRequest(fmt.Errorf("%w: import one YAML file at a time, got %s and %s", store.ErrInvalid, yamlName, base))
			}
			yamlName, yamlBody = base, f.Body
		default:
			return errBadRequest(fmt.Errorf("%w: %q is neither a .yaml file nor a golden .json transcript", store.ErrInvalid, base))
		}
	}
	if yamlName == "" {
		return errBadRequest(fmt.Errorf("%w: no .yaml file to import", store.ErrInvalid))
	}
	r := store.Revision{Body: yamlBody}
	switch scenarios.Classify([]byte(yamlBody)) {
	case scenarios.KindPhrasebook:
		r.Kind = store.ContentPhrases
		r.ContentID = strings.TrimSuffix(strings.TrimSuffix(yamlName, ".yaml"), ".yml")
		if len(golden) > 0 {
			return errBadRequest(fmt.Errorf("%w: golden transcripts belong to scenarios, not phrase files", store.ErrInvalid))
		}
	case scenarios.KindTrack:
		return errBadRequest(fmt.Errorf("%w: %s is a certification track; tracks are not authored here", store.ErrInvalid, yamlName))
	default:
		r.Kind = store.ContentScenario
		r.ContentID = topLevelID([]byte(yamlBody))
		if r.ContentID == "" {
			return errBadRequest(fmt.Errorf("%w: %s has no top-level id", store.ErrInvalid, yamlName))
		}
		r.Golden = golden
	}
	if !store.ValidContentID(r.ContentID) {
		return errBadRequest(fmt.Errorf("%w: %q cannot name content: use lower-case letters and digits joined by '-'", store.ErrInvalid, r.ContentID))
	}
	ctx := c.Request.Context()
	parent := store.NewContent
	if head, err := s.store.Head(ctx, r.Kind, r.ContentID); err == nil {
		parent = store.AnyParent
		if r.Kind == store.ContentScenario && len(golden) == 0 {
			r.Golden = head.Golden
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	issues, err := s.check(ctx, r)
	if err != nil {
		return err
	}
	msg := strings.TrimSpace(req.Message)
	if msg == "" {
		msg = "import " + yamlName
	}
	rev, err := s.store.SaveRevision(ctx, actorOf(c), store.SaveRequest{Kind: r.Kind, ID: r.ContentID, Body: r.Body, Golden: r.Golden,
		Message: msg, Parent: parent, Action: "import", Detail: "from " + yamlName})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"revision": revisionJSON(rev), "issues": issues, "url": unitURL(rev.Kind, rev.ContentID)})
	return nil
}

// topLevelID reads a YAML document's top-level id without validating the
// rest, so that a file with problems can still be imported as a draft.
func topLevelID(data []byte) string {
	var doc struct {
		ID string `yaml:"id"`
	}
	if len(data) > store.MaxContentBody || yaml.Unmarshal(data, &doc) != nil {
		return ""
	}
	return doc.ID
}

// idLine matches a scenario file's top-level id line.
var idLine = regexp.MustCompile(`(?m)^id:[ \t]*("[^"\n]*"|'[^'\n]*'|[^#\n]*?)[ \t]*(#.*)?$`)

// renameScenario gives a copy of a scenario and its golden transcripts a
// new id, keeping the file otherwise as written.
func renameScenario(r store.Revision, newID string) (string, map[string]string, error) {
	loc := idLine.FindStringSubmatchIndex(r.Body)
	if loc == nil {
		return "", nil, errBadRequest(fmt.Errorf("%w: scenario %s has no top-level id line to change", store.ErrInvalid, r.ContentID))
	}
	body := r.Body[:loc[2]] + newID + r.Body[loc[3]:]
	scenarioRef := regexp.MustCompile(`("scenario"\s*:\s*)"` + regexp.QuoteMeta(r.ContentID) + `"`)
	golden := map[string]string{}
	for name, g := range r.Golden {
		golden[name] = scenarioRef.ReplaceAllString(g, `${1}"`+newID+`"`)
	}
	return body, golden, nil
}

// authorPublish is POST /author/:kind/:id/publish: checks the revision
// against the published content (its problems, its golden transcripts, and
// for a phrase file every published scenario's) and publishes it.
func (s *Server) authorPublish(c *gin.Context) error {
	kind, id, err := unitParams(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	r, err := s.formRevision(c, kind, id)
	if err != nil {
		return err
	}
	var refused *contentRefusal
	if err := s.publishChecked(ctx, actorOf(c), r); errors.As(err, &refused) {
		return s.renderEditor(c, kind, id, editorNotice{Refused: true, Issues: refused.Issues, Failed: refused.Failed})
	} else if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, unitURL(kind, id)+"?done=published")
	return nil
}

// contentRefusal says why a revision was not published: its problems, or
// the golden transcripts that did not end as they expect.
type contentRefusal struct {
	Issues []issueJSON
	Failed []goldenJSON
}

func (r *contentRefusal) Error() string {
	var parts []string
	for _, is := range r.Issues {
		parts = append(parts, fmt.Sprintf("%s:%d: %s: %s", is.File, is.Line, is.Field, is.Message))
	}
	for _, g := range r.Failed {
		parts = append(parts, fmt.Sprintf("golden %s/%s: %s", g.Scenario, g.Name, g.Problem))
	}
	return "not published: " + strings.Join(parts, "; ")
}

// publishChecked publishes the stored revision r after checking it against
// the published content: no problems in the file, its golden transcripts
// (for a phrase file, every published scenario's) end as they expect. A
// refusal is a *contentRefusal. New calls use the revision once this
// returns.
func (s *Server) publishChecked(ctx context.Context, actor store.Actor, r store.Revision) error {
	cur, err := s.content.published(ctx)
	if err != nil {
		return err
	}
	issues, results, err := s.runGoldens(ctx, r)
	if err != nil {
		return err
	}
	refusal := &contentRefusal{Issues: issues}
	for _, g := range results {
		if !g.OK {
			refusal.Failed = append(refusal.Failed, g)
		}
	}
	if len(refusal.Issues) > 0 || len(refusal.Failed) > 0 {
		return refusal
	}
	if _, err := s.store.Publish(ctx, actor, store.PublishRequest{Revision: r.ID, Base: cur.pub}); err != nil {
		return err
	}
	_, err = s.content.refresh(ctx)
	return err
}

// saveAndPublish saves req as a new revision and publishes it with
// publishChecked's checks, for changes made by the program rather than in
// the editor (a dispute that adds a variant to a phrase entry, say: read
// the head with store.Head, edit its Body, pass Parent: head.N). When the
// checks refuse it, the revision stays as a draft for a trainer to see and
// the error is a *contentRefusal.
func (s *Server) saveAndPublish(ctx context.Context, actor store.Actor, req store.SaveRequest) (store.Revision, error) {
	rev, err := s.store.SaveRevision(ctx, actor, req)
	if err != nil {
		return store.Revision{}, err
	}
	return rev, s.publishChecked(ctx, actor, rev)
}

// formRevision reads the form's rev (a revision id, default the head) and
// checks that it belongs to the unit.
func (s *Server) formRevision(c *gin.Context, kind store.ContentKind, id string) (store.Revision, error) {
	ctx := c.Request.Context()
	v := c.PostForm("rev")
	if v == "" {
		return s.store.Head(ctx, kind, id)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return store.Revision{}, errBadRequest(fmt.Errorf("rev %q", v))
	}
	r, err := s.store.Revision(ctx, n)
	if err != nil {
		return store.Revision{}, err
	}
	if r.Kind != kind || r.ContentID != id {
		e := errNotFound()
		e.Err = fmt.Errorf("revision %d is not of %s/%s", n, kind, id)
		return store.Revision{}, e
	}
	return r, nil
}

// authorRetire is POST /author/:kind/:id/retire. A phrase file whose
// entries published scenarios refer to cannot be retired.
func (s *Server) authorRetire(c *gin.Context) error {
	kind, id, err := unitParams(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	cur, err := s.content.published(ctx)
	if err != nil {
		return err
	}
	if kind == store.ContentPhrases {
		var others []phrasebook.Entry
		for _, e := range cur.shared {
			if e.Pos.File != phraseFile(id) {
				others = append(others, e)
			}
		}
		var issues []issueJSON
		for _, k := range slices.Sorted(mapKeys(cur.units)) {
			if u := cur.units[k]; u.Kind == store.ContentScenario {
				if _, _, err := parseScenarioRevision(u, sim.Known(others)); err != nil {
					issues = append(issues, toIssues(err, scenarioFile(u.ContentID))...)
				}
			}
		}
		if len(issues) > 0 {
			return s.renderEditor(c, kind, id, editorNotice{Refused: true, Issues: issues})
		}
	}
	if _, err := s.store.Retire(ctx, actorOf(c), store.RetireRequest{Kind: kind, ID: id, Base: cur.pub}); err != nil {
		return err
	}
	if _, err := s.content.refresh(ctx); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, unitURL(kind, id)+"?done=retired")
	return nil
}

// authorClone is POST /author/:kind/:id/clone: a new scenario from a
// revision of this one, under the id new_id.
func (s *Server) authorClone(c *gin.Context) error {
	kind, id, err := unitParams(c)
	if err != nil {
		return err
	}
	if kind != store.ContentScenario {
		return errBadRequest(errors.New("only scenarios are cloned; a copied phrase file would repeat every entry id"))
	}
	newID := strings.TrimSpace(c.PostForm("new_id"))
	if !store.ValidContentID(newID) {
		return errBadRequest(fmt.Errorf("%w: new id %q: use lower-case letters and digits joined by '-'", store.ErrInvalid, newID))
	}
	r, err := s.formRevision(c, kind, id)
	if err != nil {
		return err
	}
	body, golden, err := renameScenario(r, newID)
	if err != nil {
		return err
	}
	if _, err := s.store.SaveRevision(c.Request.Context(), actorOf(c), store.SaveRequest{Kind: kind, ID: newID, Body: body, Golden: golden,
		Message: fmt.Sprintf("clone of %s revision %d", id, r.N), Parent: store.NewContent, Action: "clone",
		Detail: fmt.Sprintf("from %s revision %d", id, r.N)}); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, unitURL(kind, newID))
	return nil
}

// authorPlay is POST /author/scenario/:id/play: a practice call against a
// revision (by default the newest, usually a draft), shown on the call
// page. The call records that revision, so it replays as it was played.
func (s *Server) authorPlay(c *gin.Context) error {
	kind, id, err := unitParams(c)
	if err != nil {
		return err
	}
	if kind != store.ContentScenario {
		return errNotFound()
	}
	ctx := c.Request.Context()
	r, err := s.formRevision(c, kind, id)
	if err != nil {
		return err
	}
	cur, err := s.content.published(ctx)
	if err != nil {
		return err
	}
	if issues := checkAgainst(cur, r); len(issues) > 0 {
		return s.renderEditor(c, kind, id, editorNotice{Refused: true, Issues: issues})
	}
	cs, err := s.content.setFor(ctx, cur.pub, r.ID)
	if err != nil {
		return err
	}
	if _, ok := cs.lib.Scenario(id); !ok {
		return fmt.Errorf("play %s revision %d: not in its built content: %v", id, r.ID, cs.problems[r.Key().String()])
	}
	call, err := s.createCall(c, id, callRevision(r.ID, cur.pub), store.ModePractice, true)
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/calls/"+url.PathEscape(call.ID))
	return nil
}

// authorExport is GET /author/:kind/:id/export[?rev=ID][&format=yaml]: a
// phrase file as YAML; a scenario as a zip of ID/scenario.yaml and
// ID/golden/*.json, the layout coach check reads, or its YAML alone.
func (s *Server) authorExport(c *gin.Context) error {
	kind, id, err := unitParams(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	var r store.Revision
	if v := c.Query("rev"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return errBadRequest(fmt.Errorf("rev %q", v))
		}
		if r, err = s.store.Revision(ctx, n); err != nil {
			return err
		}
		if r.Kind != kind || r.ContentID != id {
			return errNotFound()
		}
	} else if r, err = s.store.Head(ctx, kind, id); err != nil {
		return err
	}
	if kind == store.ContentPhrases || c.Query("format") == "yaml" {
		name := id + ".yaml"
		if kind == store.ContentScenario {
			name = "scenario.yaml"
		}
		c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
		c.Data(http.StatusOK, "application/yaml; charset=utf-8", []byte(r.Body))
		return nil
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, body string) error {
		w, err := zw.Create(name)
		if err != nil {
			return err
		}
		_, err = w.Write([]byte(body))
		return err
	}
	if err := add(id+"/scenario.yaml", r.Body); err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(r.Golden)) {
		if err := add(id+"/golden/"+name+".json", r.Golden[name]); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-r%d.zip"`, id, r.N))
	c.Data(http.StatusOK, "application/zip", buf.Bytes())
	return nil
}

// listView is the content list page.
type listView struct {
	Groups []unitGroup
	// Titles maps a published scenario's id to its title.
	Titles map[string]string
}

// unitGroup is one table of the list: scenarios, or phrase files.
type unitGroup struct {
	Title string
	Units []store.ContentInfo
}

// authorList is GET /author: every scenario and phrase file with its state.
func (s *Server) authorList(c *gin.Context) error {
	ctx := c.Request.Context()
	cs, err := s.content.published(ctx)
	if err != nil {
		return err
	}
	all, err := s.store.ListContent(ctx)
	if err != nil {
		return err
	}
	v := listView{Titles: map[string]string{}, Groups: []unitGroup{{Title: "author.scenarios"}, {Title: "author.phrases"}}}
	for _, ci := range all {
		if ci.Kind == store.ContentScenario {
			v.Groups[0].Units = append(v.Groups[0].Units, ci)
			if sc, ok := cs.lib.Scenario(ci.ID); ok {
				v.Titles[ci.ID] = sc.Title
			}
		} else {
			v.Groups[1].Units = append(v.Groups[1].Units, ci)
		}
	}
	s.render(c, http.StatusOK, "author_list", v)
	return nil
}

// editorView is the editor page.
type editorView struct {
	New    bool
	Kind   store.ContentKind
	ID     string
	Info   store.ContentInfo
	Head   store.Revision
	Golden []goldenView
	Notice editorNotice
	Done   string
}

type goldenView struct{ Name, Body string }

// editorNotice is what a refused action says on the editor page.
type editorNotice struct {
	Refused bool
	Issues  []issueJSON
	Failed  []goldenJSON
}

// newScenarioTemplate is where a new scenario starts: the smallest file
// that says what to fill in.
const newScenarioTemplate = `id: new-scenario
title: 新场景
domain: heating
difficulty: 1
company: 暖心供热公司
summary: 一句话说明来电人为什么打电话、学员要做到什么。
pass_mark: 70

persona:
  name: 张阿姨
  gender: female
  age: 60
  temper: calm
  mood: 10

opening: 喂，您好，我家暖气不热。

facts:
  - key: address
    ask: ask-address
    say: 幸福里小区3号楼2单元501。
    value: 3号楼2单元501

phrases:
  - id: visit-today
    intent: commit
    kind: required
    text: 今天下午师傅上门查看
    variants: [今天下午上门, 下午师傅上门]

script:
  - id: relieved
    when: [visit-today]
    say: [那好，我下午在家等着。]

reactions:
  - on: deflect
    mood: 20
    say: [那我该找谁啊？]

closing:
  goodbye: 好，谢谢，再见。

checklist:
  - id: greet
    title: 开口先问候
    intent: greeting
    first: true
    points: 10
    norm: 写明出自哪条规范
    explain: 接起电话先问好。
  - id: address
    title: 复述地址
    fact: address
    points: 10
    norm: 写明出自哪条规范
    explain: 复述地址，确认无误。
  - id: visit
    title: 约定上门时间
    phrase: visit-today
    critical: true
    points: 20
    norm: 写明出自哪条规范
    explain: 说清师傅什么时候上门。
`

// newPhrasesTemplate is where a new phrase file starts: one entry showing
// the fields.
const newPhrasesTemplate = `entries:
  - id: new-greeting
    intent: greeting
    kind: required
    text: 您好，很高兴为您服务
    variants: [您好很高兴为您服务]
    source: 写明出自哪条规范
`

// authorNew is GET /author/new?kind=scenario|phrases: the editor on a new
// unit.
func (s *Server) authorNew(c *gin.Context) error {
	kind, err := store.ParseContentKind(c.DefaultQuery("kind", string(store.ContentScenario)))
	if err != nil {
		return errBadRequest(err)
	}
	v := editorView{New: true, Kind: kind}
	if kind == store.ContentScenario {
		v.Head.Body = newScenarioTemplate
	} else {
		v.Head.Body = newPhrasesTemplate
	}
	s.render(c, http.StatusOK, "author_edit", v)
	return nil
}

// authorEdit is GET /author/:kind/:id: the editor on the unit's newest
// revision.
func (s *Server) authorEdit(c *gin.Context) error {
	kind, id, err := unitParams(c)
	if err != nil {
		return err
	}
	return s.renderEditor(c, kind, id, editorNotice{})
}

func (s *Server) renderEditor(c *gin.Context, kind store.ContentKind, id string, notice editorNotice) error {
	ctx := c.Request.Context()
	info, err := s.store.Content(ctx, kind, id)
	if err != nil {
		return err
	}
	head, err := s.store.Head(ctx, kind, id)
	if err != nil {
		return err
	}
	v := editorView{Kind: kind, ID: id, Info: info, Head: head, Notice: notice}
	switch c.Query("done") {
	case "published", "retired":
		v.Done = c.Query("done")
	}
	for _, name := range slices.Sorted(maps.Keys(head.Golden)) {
		v.Golden = append(v.Golden, goldenView{Name: name, Body: head.Golden[name]})
	}
	status := http.StatusOK
	if notice.Refused {
		status = http.StatusUnprocessableEntity
	}
	s.render(c, status, "author_edit", v)
	return nil
}

// revisionsView is the revision history page.
type revisionsView struct {
	Kind      store.ContentKind
	ID        string
	Info      store.ContentInfo
	Revisions []historyEntry
}

type historyEntry struct {
	Rev  store.Revision
	Diff []diffLine
}

// diffLine is one line of a unified diff, classed for colouring.
type diffLine struct {
	Class string
	Text  string
}

// authorHistory is GET /author/:kind/:id/history: every revision, newest
// first, each with its unified diff from the one before.
func (s *Server) authorHistory(c *gin.Context) error {
	kind, id, err := unitParams(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	info, err := s.store.Content(ctx, kind, id)
	if err != nil {
		return err
	}
	revs, err := s.store.Revisions(ctx, kind, id)
	if err != nil {
		return err
	}
	v := revisionsView{Kind: kind, ID: id, Info: info}
	for i, r := range revs {
		var prev store.Revision
		if i+1 < len(revs) {
			prev = revs[i+1]
		}
		d, err := revisionDiff(prev, r)
		if err != nil {
			return err
		}
		v.Revisions = append(v.Revisions, historyEntry{Rev: r, Diff: d})
	}
	s.render(c, http.StatusOK, "author_history", v)
	return nil
}

// revisionDiff is the unified diff from a to b: the file, then each golden
// transcript that changed.
func revisionDiff(a, b store.Revision) ([]diffLine, error) {
	file := scenarioFile(b.ContentID)
	if b.Kind == store.ContentPhrases {
		file = phraseFile(b.ContentID)
	}
	var out []diffLine
	one := func(name, from, to string) error {
		if from == to {
			return nil
		}
		lines := func(s string) []string {
			if s == "" {
				return nil
			}
			return difflib.SplitLines(s)
		}
		fromName, toName := fmt.Sprintf("%s (r%d)", name, a.N), fmt.Sprintf("%s (r%d)", name, b.N)
		if from == "" {
			fromName = "/dev/null"
		}
		if to == "" {
			toName = "/dev/null"
		}
		text, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
			A: lines(from), B: lines(to), FromFile: fromName, ToFile: toName, Context: 3,
		})
		if err != nil {
			return fmt.Errorf("diff %s: %w", name, err)
		}
		for _, l := range strings.SplitAfter(text, "\n") {
			if l == "" {
				continue
			}
			class := ""
			switch {
			case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
				class = "file"
			case strings.HasPrefix(l, "@@"):
				class = "hunk"
			case strings.HasPrefix(l, "+"):
				class = "add"
			case strings.HasPrefix(l, "-"):
				class = "del"
			}
			out = append(out, diffLine{Class: class, Text: strings.TrimSuffix(l, "\n")})
		}
		return nil
	}
	if err := one(file, a.Body, b.Body); err != nil {
		return nil, err
	}
	names := slices.Sorted(maps.Keys(a.Golden))
	for _, n := range slices.Sorted(maps.Keys(b.Golden)) {
		if _, ok := a.Golden[n]; !ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	for _, n := range names {
		if err := one(goldenFile(b.ContentID, n), a.Golden[n], b.Golden[n]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// authorTester is GET /author/tester: the phrase tester page.
func (s *Server) authorTester(c *gin.Context) error {
	s.render(c, http.StatusOK, "author_tester", nil)
	return nil
}

// auditPage is how many audit entries a page shows.
const auditPage = 50

// auditView is the audit log page.
type auditView struct {
	Entries []store.AuditEntry
	// Older is the before= value of the next page; zero on the last.
	Older int64
}

// adminAudit is GET /admin/audit[?before=ID]: the audit log, newest first.
func (s *Server) adminAudit(c *gin.Context) error {
	var before int64
	if v := c.Query("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return errBadRequest(fmt.Errorf("before %q", v))
		}
		before = n
	}
	entries, err := s.store.ListAudit(c.Request.Context(), store.AuditFilter{Before: before, Limit: auditPage})
	if err != nil {
		return err
	}
	v := auditView{Entries: entries}
	if len(entries) == auditPage {
		v.Older = entries[len(entries)-1].ID
	}
	s.render(c, http.StatusOK, "admin_audit", v)
	return nil
}
