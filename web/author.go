package web

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/store"
)

// authorBody is the body limit of requests that carry a whole content unit:
// a file of up to store.MaxContentBody plus golden transcripts.
const authorBody = 4 << 20

// authors are the roles that write content.
func authors() access { return rolesOnly(domain.RoleTrainer, domain.RoleAdmin) }

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

		{method: http.MethodGet, path: "/admin/audit", access: rolesOnly(domain.RoleAdmin), maxBody: smallBody, h: s.adminAudit},
	}
}

// withContent makes sure the store's content is loaded (the built-in
// content, on a fresh store) before an authoring handler reads it.
func (s *Server) withContent(h handlerFunc) handlerFunc {
	return func(c *gin.Context) error {
		if _, err := s.content.Published(c.Request.Context()); err != nil {
			return err
		}
		return h(c)
	}
}

// unitParams reads :kind and :id.
func unitParams(c *gin.Context) (domain.ContentKind, string, error) {
	kind, err := domain.ParseContentKind(c.Param("kind"))
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

func unitURL(kind domain.ContentKind, id string) string { return "/author/" + string(kind) + "/" + id }

// issueView is a problem with a draft and its text in the request's
// language, for the trainer.
type issueView struct {
	app.Issue
	Text string `json:"text"`
}

// localIssues gives each issue its text in the request's language.
func (s *Server) localIssues(c *gin.Context, issues []app.Issue) []issueView {
	lang := langOf(c)
	out := make([]issueView, len(issues))
	for i, is := range issues {
		out[i] = issueView{Issue: is, Text: s.issueText.text(lang, is.Message)}
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
func decodeDraft(c *gin.Context) (domain.Revision, error) {
	var d draftJSON
	if err := decodeJSON(c, &d); err != nil {
		return domain.Revision{}, err
	}
	return d.revision()
}

// revision turns the draft into an unsaved revision, checking its kind, id
// and sizes.
func (d draftJSON) revision() (domain.Revision, error) {
	r, err := app.Draft(d.Kind, d.ID, d.Body, d.Golden)
	if err != nil {
		return domain.Revision{}, errBadRequest(err)
	}
	return r, nil
}

// apiAuthorValidate is POST /api/author/validate: the problems of a draft,
// each at its file, line and field. The editor calls it as the trainer
// types.
func (s *Server) apiAuthorValidate(c *gin.Context) error {
	r, err := decodeDraft(c)
	if err != nil {
		return err
	}
	issues, err := s.content.Check(c.Request.Context(), r)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"issues": s.localIssues(c, issues)})
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
	rev, issues, err := s.content.SaveDraft(c.Request.Context(), actorOf(c), r, d.Message, d.Parent)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"revision": revisionJSON(rev), "issues": s.localIssues(c, issues), "url": unitURL(rev.Kind, rev.ContentID)})
	return nil
}

func revisionJSON(r domain.Revision) gin.H {
	return gin.H{"id": r.ID, "n": r.N, "kind": r.Kind, "content_id": r.ContentID, "author": r.Author, "at": r.At, "message": r.Message}
}

// goldenResult is a sample call's replay with its result told in the
// request's language, without codes.
type goldenResult struct {
	app.GoldenRun
	Text string `json:"text"`
}

// localGoldens writes each result's Text in the request's language:
// what the sample call expects, and what the replay did.
func (s *Server) localGoldens(c *gin.Context, runs []app.GoldenRun) []goldenResult {
	lang := langOf(c)
	t := func(key string) string { return s.text.get(lang, key) }
	verdict := func(passed bool) string {
		if passed {
			return t("practice.card.passed")
		}
		return t("practice.card.failed")
	}
	results := make([]goldenResult, len(runs))
	for i := range runs {
		results[i].GoldenRun = runs[i]
		g := &results[i]
		want := fill(t("author.golden_want"), "verdict", verdict(g.ExpectPassed), "outcome", t("practice.outcome."+g.ExpectOutcome))
		switch {
		case g.Failed:
			g.Text = fill(t("author.golden_error"), "problem", g.Problem)
		case g.OK:
			g.Text = fill(t("author.golden_as_expected"), "want", want, "score", g.Score)
		default:
			got := fill(t("author.golden_got"), "verdict", verdict(g.Passed), "outcome", t("practice.outcome."+g.Outcome), "score", g.Score)
			g.Text = want + "；" + got
			if len(g.Reasons) > 0 {
				g.Text += "。" + t("practice.card.reasons") + "：" + strings.Join(g.Reasons, "；")
			}
		}
	}
	return results
}

// apiAuthorGolden is POST /api/author/golden: replays golden transcripts
// against a draft, without saving it.
func (s *Server) apiAuthorGolden(c *gin.Context) error {
	r, err := decodeDraft(c)
	if err != nil {
		return err
	}
	issues, results, err := s.content.RunGoldens(c.Request.Context(), r)
	if err != nil {
		return err
	}
	if results == nil {
		results = []app.GoldenRun{}
	}
	c.JSON(http.StatusOK, gin.H{"issues": s.localIssues(c, issues), "results": s.localGoldens(c, results)})
	return nil
}

// matchJSON is the body of POST /api/author/match: sentences, one per
// line, tried against the published phrasebook or, with Phrases, against
// it with a draft phrase file in place of the published one.
type matchJSON struct {
	Text    string     `json:"text"`
	Phrases *draftJSON `json:"phrases,omitempty"`
	// Scenario, when set, matches as a call of that published scenario
	// does: its own phrases count, and the phrasebook is narrowed to its
	// service.
	Scenario string `json:"scenario,omitempty"`
}

// hitJSON is a hit of the tester with its intent's and kind's names in
// the request's language.
type hitJSON struct {
	app.TesterHit
	IntentName string `json:"intent_name"`
	KindName   string `json:"kind_name"`
}

// apiAuthorMatch is POST /api/author/match: every hit of every line
// (Content.TestPhrases).
func (s *Server) apiAuthorMatch(c *gin.Context) error {
	var req matchJSON
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	q := app.TesterQuery{Text: req.Text, Scenario: req.Scenario}
	if req.Phrases != nil {
		req.Phrases.Kind = string(domain.ContentPhrases)
		r, err := req.Phrases.revision()
		if err != nil {
			return err
		}
		q.Draft = &r
	}
	lines, issues, err := s.content.TestPhrases(c.Request.Context(), q)
	if err != nil {
		return err
	}
	if len(issues) > 0 {
		c.JSON(http.StatusOK, gin.H{"issues": s.localIssues(c, issues), "lines": []any{}})
		return nil
	}
	lang := langOf(c)
	type lineJSON struct {
		Text string    `json:"text"`
		Hits []hitJSON `json:"hits"`
	}
	out := make([]lineJSON, len(lines))
	for i, l := range lines {
		out[i] = lineJSON{Text: l.Text, Hits: make([]hitJSON, len(l.Hits))}
		for j, h := range l.Hits {
			out[i].Hits[j] = hitJSON{TesterHit: h, IntentName: s.text.get(lang, "practice.intent."+h.Intent), KindName: s.text.get(lang, "author.kind."+h.Kind)}
		}
	}
	c.JSON(http.StatusOK, gin.H{"issues": []app.Issue{}, "lines": out})
	return nil
}

// importJSON is the body of POST /api/author/import: the files a trainer
// picked, as the browser read them. One YAML file (a scenario or a phrase
// file) and, for a scenario, its golden transcripts (*.json).
type importJSON struct {
	Files   []app.File `json:"files"`
	Message string     `json:"message"`
}

// apiAuthorImport is POST /api/author/import: the files become a new draft
// revision (of a new unit, or the next of an existing one). A scenario
// imported without golden transcripts keeps its current ones.
func (s *Server) apiAuthorImport(c *gin.Context) error {
	var req importJSON
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	rev, issues, err := s.content.Import(c.Request.Context(), actorOf(c), req.Files, req.Message)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"revision": revisionJSON(rev), "issues": s.localIssues(c, issues), "url": unitURL(rev.Kind, rev.ContentID)})
	return nil
}

// authorPublish is POST /author/:kind/:id/publish: checks a scenario's
// revision against the published content (its problems, its golden
// transcripts) and publishes it; a phrase file's revision goes to its
// review page first (reviewConfirm publishes it).
func (s *Server) authorPublish(c *gin.Context) error {
	r, err := s.unitRevision(c, c.PostForm("rev"))
	if err != nil {
		return err
	}
	if r.Kind == domain.ContentPhrases {
		// A phrase file changes every scenario's scoring: the trainer
		// sees what changes before it is published.
		c.Redirect(http.StatusSeeOther, reviewURL(r.ContentID, r.ID, nil))
		return nil
	}
	if err := s.content.Publish(c.Request.Context(), actorOf(c), r); err != nil {
		return s.refusedEditor(c, r.Kind, r.ContentID, err)
	}
	c.Redirect(http.StatusSeeOther, unitURL(r.Kind, r.ContentID)+"?done=published")
	return nil
}

// refusedEditor shows the editor with the problems of a refused action;
// any other error is returned.
func (s *Server) refusedEditor(c *gin.Context, kind domain.ContentKind, id string, err error) error {
	var refused *app.Refusal
	if !errors.As(err, &refused) {
		return err
	}
	return s.renderEditor(c, kind, id, editorNotice{Refused: true, Issues: refused.Issues, Failed: refused.Failed})
}

// unitRevision reads :kind and :id, and revision id v of the unit
// (default its newest).
func (s *Server) unitRevision(c *gin.Context, v string) (domain.Revision, error) {
	kind, id, err := unitParams(c)
	if err != nil {
		return domain.Revision{}, err
	}
	return s.revisionOf(c, kind, id, v)
}

// revisionOf reads revision id v (default the head) of the unit
// (Content.RevisionOf).
func (s *Server) revisionOf(c *gin.Context, kind domain.ContentKind, id, v string) (domain.Revision, error) {
	var n int64
	if v != "" {
		var err error
		if n, err = strconv.ParseInt(v, 10, 64); err != nil {
			return domain.Revision{}, errBadRequest(fmt.Errorf("rev %q", v))
		}
		if n <= 0 {
			return domain.Revision{}, errNotFound()
		}
	}
	return s.content.RevisionOf(c.Request.Context(), kind, id, n)
}

// authorRetire is POST /author/:kind/:id/retire. A phrase file whose
// entries published scenarios refer to cannot be retired.
func (s *Server) authorRetire(c *gin.Context) error {
	kind, id, err := unitParams(c)
	if err != nil {
		return err
	}
	if err := s.content.Retire(c.Request.Context(), actorOf(c), kind, id); err != nil {
		return s.refusedEditor(c, kind, id, err)
	}
	c.Redirect(http.StatusSeeOther, unitURL(kind, id)+"?done=retired")
	return nil
}

// authorClone is POST /author/:kind/:id/clone: a new scenario from a
// revision of this one, under the id new_id.
func (s *Server) authorClone(c *gin.Context) error {
	r, err := s.unitRevision(c, c.PostForm("rev"))
	if err != nil {
		return err
	}
	newID := strings.TrimSpace(c.PostForm("new_id"))
	if err := s.content.Clone(c.Request.Context(), actorOf(c), r, newID); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, unitURL(r.Kind, newID))
	return nil
}

// authorPlay is POST /author/scenario/:id/play: a practice call against a
// revision (by default the newest, usually a draft), shown on the call
// page. The call records that revision, so it replays as it was played.
func (s *Server) authorPlay(c *gin.Context) error {
	if c.Param("kind") != string(domain.ContentScenario) {
		return errNotFound()
	}
	r, err := s.unitRevision(c, c.PostForm("rev"))
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	revision, err := s.content.PlayRevision(ctx, r)
	if err != nil {
		return s.refusedEditor(c, r.Kind, r.ContentID, err)
	}
	me, _ := currentUser(c)
	if !s.admission.Admit() {
		return s.errOverloaded()
	}
	call, err := s.app.CreateCall(ctx, me, r.ContentID, revision, domain.Practice, true)
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
	r, err := s.unitRevision(c, c.Query("rev"))
	if err != nil {
		return err
	}
	d, err := app.Export(r, c.Query("format") == "yaml")
	if err != nil {
		return err
	}
	c.Header("Content-Disposition", `attachment; filename="`+d.Name+`"`)
	c.Data(http.StatusOK, d.ContentType, d.Data)
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
	units, err := s.content.Units(c.Request.Context())
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "author_list", listView{Titles: units.Titles,
		Groups: []unitGroup{{Title: "author.scenarios", Units: units.Scenarios}, {Title: "author.phrases", Units: units.Phrases}}})
	return nil
}

// editorView is the editor page.
type editorView struct {
	New    bool
	Kind   domain.ContentKind
	ID     string
	Info   store.ContentInfo
	Head   domain.Revision
	Golden []goldenView
	Notice editorNotice
	Done   string
	// Issues and Failed are the notice's, told in the page's language.
	Issues []issueView
	Failed []goldenResult
}

type goldenView struct{ Name, Body string }

// editorNotice is what a refused action says on the editor page.
type editorNotice struct {
	Refused bool
	Issues  []app.Issue
	Failed  []app.GoldenRun
}

// authorNew is GET /author/new?kind=scenario|phrases: the editor on a new
// unit.
func (s *Server) authorNew(c *gin.Context) error {
	kind, err := domain.ParseContentKind(c.DefaultQuery("kind", string(domain.ContentScenario)))
	if err != nil {
		return errBadRequest(err)
	}
	v := editorView{New: true, Kind: kind}
	v.Head.Body = app.NewUnitBody(kind)
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

func (s *Server) renderEditor(c *gin.Context, kind domain.ContentKind, id string, notice editorNotice) error {
	info, head, err := s.content.Unit(c.Request.Context(), kind, id)
	if err != nil {
		return err
	}
	v := editorView{Kind: kind, ID: id, Info: info, Head: head, Notice: notice,
		Issues: s.localIssues(c, notice.Issues), Failed: s.localGoldens(c, notice.Failed)}
	switch c.Query("done") {
	case "published", "retired", "abandoned":
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
	Kind      domain.ContentKind
	ID        string
	Info      store.ContentInfo
	Revisions []app.HistoryEntry
}

// authorHistory is GET /author/:kind/:id/history: every revision, newest
// first, each with its unified diff from the one before.
func (s *Server) authorHistory(c *gin.Context) error {
	kind, id, err := unitParams(c)
	if err != nil {
		return err
	}
	info, revs, err := s.content.History(c.Request.Context(), kind, id)
	if err != nil {
		return err
	}
	v := revisionsView{Kind: kind, ID: id, Info: info, Revisions: revs}
	s.render(c, http.StatusOK, "author_history", v)
	return nil
}

// testerView is the phrase tester: the published scenarios whose own
// phrases it can test, easiest first, and the one asked for (?scenario=).
type testerView struct {
	Scenarios []*scenarios.Scenario
	Scenario  string
}

// authorTester is GET /author/tester: the phrase tester page.
func (s *Server) authorTester(c *gin.Context) error {
	lib, err := s.content.Catalogue(c.Request.Context())
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "author_tester", testerView{Scenarios: app.ByDifficulty(lib.Scenarios), Scenario: c.Query("scenario")})
	return nil
}

// auditView is the audit log page, narrowed by its filter.
type auditView struct {
	Entries []auditEntryView
	// Older is the next page's address; empty on the last.
	Older string
	// Actor, Kind, From and To are the filter as asked; Actors and
	// Kinds its choices.
	Actor, Kind, From, To string
	Actors                []app.AuditActor
	Kinds                 []string
	Filtered              bool
}

// auditQuery is the audit page's address for a filter and a page.
func auditQuery(actor, kind, from, to string, before int64) string {
	v := url.Values{}
	for k, s := range map[string]string{"actor": actor, "kind": kind, "from": from, "to": to} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if before > 0 {
		v.Set("before", strconv.FormatInt(before, 10))
	}
	return "/admin/audit?" + v.Encode()
}

// adminAudit is GET /admin/audit[?actor=&kind=&from=&to=&before=ID]: the
// audit log (App.AuditLog), newest first, in the page's language, filtered
// by who, what kind of change and which days (in the site's time zone,
// both included).
func (s *Server) adminAudit(c *gin.Context) error {
	v := auditView{Actor: strings.TrimSpace(c.Query("actor")), Kind: c.Query("kind"), Kinds: auditKinds()}
	days, err := app.ParseReportFilter("", c.Query("from"), c.Query("to"), s.cfg.Location)
	if err != nil {
		return err
	}
	v.From, v.To = days.From, days.To
	if v.Kind != "" && !slices.Contains(v.Kinds, v.Kind) {
		return errBadRequest(fmt.Errorf("kind %q", v.Kind))
	}
	var before int64
	if b := c.Query("before"); b != "" {
		if before, err = strconv.ParseInt(b, 10, 64); err != nil || before <= 0 {
			return errBadRequest(fmt.Errorf("before %q", b))
		}
	}
	log, err := s.app.AuditLog(c.Request.Context(), app.AuditQuery{Actor: v.Actor, Kind: v.Kind, Days: days, Before: before})
	if err != nil {
		return err
	}
	v.Filtered, v.Actors = v.Actor != "" || v.Kind != "" || v.From != "" || v.To != "", log.Actors
	at := auditText{rules: s.auditRules, text: s.text, tracks: log.Tracks, titles: log.Titles, people: log.People}
	lang := langOf(c)
	v.Entries = make([]auditEntryView, 0, len(log.Entries))
	for _, e := range log.Entries {
		v.Entries = append(v.Entries, at.entry(lang, e.At, e.Actor, e.Action, e.Target, e.Detail))
	}
	if log.Older > 0 {
		v.Older = auditQuery(v.Actor, v.Kind, v.From, v.To, log.Older)
	}
	s.render(c, http.StatusOK, "admin_audit", v)
	return nil
}
