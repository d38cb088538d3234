package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/yamlfile"
	"github.com/hotlinecoach/coach/phrasebook"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
	"github.com/hotlinecoach/coach/store"
)

// The content calls run against comes from the store: the newest
// publication names a revision of every published scenario and phrase
// file, and Content turns that into a scenario library and the Book
// their calls listen with. Building a Book indexes every phrase (about a
// second at 10,000 entries), so built sets are cached and swapped whole:
// requests keep using the old set until the new one is ready.
//
// A call records what it ran against as "rev-R@pub-P": the scenario's
// revision R, with the phrasebook and the other scenarios of publication P.
// A call rebuilt after a restart uses exactly that, never what is newest.

// builtinActor is who loads the built-in content into a fresh store.
var builtinActor = store.Actor{Name: "builtin"}

// Set is one built, read-only set of content.
type Set struct {
	key  string
	Pub  int64
	Lib  *scenarios.Library
	Book *sim.Book
	// shared is the phrasebook without scenarios' key points.
	Shared []phrasebook.Entry
	// units holds the revision behind every content unit of the set, by
	// ContentKey.String().
	Units map[string]domain.Revision
	// has lists the revision ids in the set.
	Has map[int64]bool
	// problems says why a unit was left out of the set; a published set
	// never has any unless the rules changed under stored content.
	Problems map[string]error
}

// ScenarioRev returns the revision id of a scenario in the set.
func (cs *Set) ScenarioRev(id string) int64 {
	return cs.Units[domain.ContentKey{Kind: domain.ContentScenario, ID: id}.String()].ID
}

func (cs *Set) Close() {
	if cs.Book != nil {
		// An in-memory index has nothing to flush; a failure to close
		// leaves nothing behind to act on.
		_ = cs.Book.Close()
	}
}

// Cache sizes: how many sets besides the published one stay built (older
// publications that live calls still use, drafts being played), and how
// long a set dropped from the cache stays open for calls still using it.
// No call outlives setGrace: scenarios end calls within their max_duration.
const (
	maxCachedSets = 4
	setGrace      = 30 * time.Minute
)

// Content builds, caches and hands out content sets.
type Content struct {
	db  *store.DB
	log *slog.Logger
	// fixed, when set, is the only content: Config.Library and Book.
	fixed *Set

	cur atomic.Pointer[Set]

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu         sync.Mutex
	cache      map[string]*Set
	order      []string // cache keys, least recently used first
	inflight   map[string]*flight
	dropped    map[*Set]*time.Timer
	refreshing bool
	closed     bool
}

// flight is one build in progress, which later askers wait for.
type flight struct {
	done chan struct{}
	set  *Set
	err  error
}

func NewContent(db *store.DB, log *slog.Logger, lib *scenarios.Library, book *sim.Book) *Content {
	ctx, cancel := context.WithCancel(context.Background())
	m := &Content{db: db, log: log, ctx: ctx, cancel: cancel,
		cache: map[string]*Set{}, inflight: map[string]*flight{}, dropped: map[*Set]*time.Timer{}}
	if lib != nil && book != nil {
		m.fixed = &Set{key: "fixed", Lib: lib, Book: book, Units: map[string]domain.Revision{}, Has: map[int64]bool{}}
	}
	return m
}

// close stops background builds and closes every set it built. Calls must
// be stopped first.
func (m *Content) Close() {
	// closed is set first, so that no background build starts while
	// close waits for those running.
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	m.cancel()
	m.wg.Wait()
	m.mu.Lock()
	defer m.mu.Unlock()
	if cs := m.cur.Swap(nil); cs != nil {
		cs.Close()
	}
	for _, cs := range m.cache {
		cs.Close()
	}
	for cs, t := range m.dropped {
		t.Stop()
		cs.Close()
	}
	m.cache, m.order, m.dropped = map[string]*Set{}, nil, map[*Set]*time.Timer{}
}

// published returns the published set. When another instance published
// since it was built, a rebuild starts in the background and the old set
// is served meanwhile; the first call builds it (and loads the built-in
// content into an empty store).
func (m *Content) Published(ctx context.Context) (*Set, error) {
	if m.fixed != nil {
		return m.fixed, nil
	}
	cur := m.cur.Load()
	if cur == nil {
		return m.Refresh(ctx)
	}
	id, err := m.db.CurrentPublicationID(ctx)
	if err != nil {
		return nil, err
	}
	if id > cur.Pub {
		m.refreshAsync()
	}
	return cur, nil
}

func (m *Content) refreshAsync() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.refreshing || m.closed {
		return
	}
	m.refreshing = true
	m.wg.Go(func() {
		if _, err := m.Refresh(m.ctx); err != nil && m.ctx.Err() == nil {
			m.log.Error("rebuild published content", "err", err)
		}
		m.mu.Lock()
		m.refreshing = false
		m.mu.Unlock()
	})
}

// refresh builds the newest publication, if need be, and makes it the one
// served. An empty store first gets the built-in content.
func (m *Content) Refresh(ctx context.Context) (*Set, error) {
	if m.fixed != nil {
		return m.fixed, nil
	}
	pub, err := m.db.CurrentPublication(ctx)
	if errors.Is(err, store.ErrNotFound) {
		if err := m.seed(ctx); err != nil {
			return nil, err
		}
		pub, err = m.db.CurrentPublication(ctx)
	}
	if err != nil {
		return nil, err
	}
	if cur := m.cur.Load(); cur != nil && cur.Pub >= pub.ID {
		return cur, nil
	}
	cs, err := m.get(ctx, pubKey(pub.ID), func(ctx context.Context) (*Set, error) { return m.Build(ctx, pub) })
	if err != nil {
		return nil, err
	}
	for _, p := range slices.Sorted(mapKeys(cs.Problems)) {
		m.log.Error("published content left out", "unit", p, "publication", pub.ID, "err", cs.Problems[p])
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return cs, nil
	}
	if old := m.cur.Load(); old == nil || old.Pub < cs.Pub {
		m.uncacheLocked(cs.key)
		m.cur.Store(cs)
		if old != nil {
			m.putLocked(old)
		}
	}
	return m.cur.Load(), nil
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func pubKey(id int64) string { return fmt.Sprintf("pub-%d", id) }

// get returns the set named key from the cache, or builds it once however
// many ask at the same time.
func (m *Content) get(ctx context.Context, key string, build func(context.Context) (*Set, error)) (*Set, error) {
	m.mu.Lock()
	if cs := m.cur.Load(); cs != nil && cs.key == key {
		m.mu.Unlock()
		return cs, nil
	}
	if cs, ok := m.cache[key]; ok {
		m.touchLocked(key)
		m.mu.Unlock()
		return cs, nil
	}
	if m.closed {
		m.mu.Unlock()
		return nil, fmt.Errorf("%w: server is shutting down", domain.ErrUnavailable)
	}
	if f, ok := m.inflight[key]; ok {
		m.mu.Unlock()
		select {
		case <-f.done:
			return f.set, f.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f := &flight{done: make(chan struct{})}
	m.inflight[key] = f
	m.mu.Unlock()

	// The build goes on if the asker leaves: others may be waiting for it.
	f.set, f.err = build(context.WithoutCancel(ctx))
	if f.set != nil {
		f.set.key = key
	}
	m.mu.Lock()
	delete(m.inflight, key)
	if f.err == nil {
		if m.closed {
			f.set.Close()
			f.set, f.err = nil, fmt.Errorf("%w: server is shutting down", domain.ErrUnavailable)
		} else {
			m.putLocked(f.set)
		}
	}
	m.mu.Unlock()
	close(f.done)
	return f.set, f.err
}

func (m *Content) touchLocked(key string) {
	if i := slices.Index(m.order, key); i >= 0 {
		m.order = append(slices.Delete(m.order, i, i+1), key)
	}
}

func (m *Content) uncacheLocked(key string) {
	if i := slices.Index(m.order, key); i >= 0 {
		m.order = slices.Delete(m.order, i, i+1)
	}
	delete(m.cache, key)
}

// putLocked caches cs, dropping the least recently used set beyond
// maxCachedSets; a dropped set closes after setGrace.
func (m *Content) putLocked(cs *Set) {
	m.uncacheLocked(cs.key)
	m.cache[cs.key] = cs
	m.order = append(m.order, cs.key)
	for len(m.order) > maxCachedSets {
		old := m.cache[m.order[0]]
		m.uncacheLocked(m.order[0])
		m.dropped[old] = time.AfterFunc(setGrace, func() {
			m.mu.Lock()
			defer m.mu.Unlock()
			if _, ok := m.dropped[old]; ok {
				delete(m.dropped, old)
				old.Close()
			}
		})
	}
}

// setFor returns the set of publication pub with scenario revision rev in
// place of that scenario's published one (rev 0: the publication as it is).
func (m *Content) SetFor(ctx context.Context, pub, rev int64) (*Set, error) {
	if cs := m.cur.Load(); cs != nil && cs.Pub == pub && (rev == 0 || cs.Has[rev]) {
		return cs, nil
	}
	p, err := m.db.PublicationByID(ctx, pub)
	if err != nil {
		return nil, err
	}
	var override []domain.Revision
	key := pubKey(pub)
	if rev != 0 && !slices.Contains(slices.Collect(mapValues(p.Revisions)), rev) {
		r, err := m.db.Revision(ctx, rev)
		if err != nil {
			return nil, err
		}
		override = append(override, r)
		key += fmt.Sprintf("+rev-%d", rev)
	}
	return m.get(ctx, key, func(ctx context.Context) (*Set, error) { return m.Build(ctx, p, override...) })
}

func mapValues[V any](m map[string]V) func(func(V) bool) {
	return func(yield func(V) bool) {
		for _, v := range m {
			if !yield(v) {
				return
			}
		}
	}
}

// build loads the revisions of pub, with overrides in place of their
// units' published revisions (an override with ID 0 is unsaved text), and
// assembles them.
func (m *Content) Build(ctx context.Context, pub store.Publication, overrides ...domain.Revision) (*Set, error) {
	units := map[string]domain.Revision{}
	for key, id := range pub.Revisions {
		r, err := m.db.Revision(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("build publication %d: %w", pub.ID, err)
		}
		units[key] = r
	}
	for _, o := range overrides {
		units[o.Key().String()] = o
	}
	start := time.Now()
	cs, err := assemble(pub.ID, units)
	if err != nil {
		return nil, fmt.Errorf("build publication %d: %w", pub.ID, err)
	}
	m.log.Info("content built", "publication", pub.ID, "scenarios", len(cs.Lib.Scenarios), "phrases", len(cs.Shared),
		"left_out", len(cs.Problems), "took", time.Since(start).Round(time.Millisecond))
	return cs, nil
}

// File names content units go by in messages, as coach check would name
// the exported files.
func ScenarioFile(id string) string { return "scenarios/" + id + "/scenario.yaml" }

func GoldenFile(id, name string) string { return "scenarios/" + id + "/golden/" + name + ".json" }

func PhraseFile(id string) string { return "phrasebook/" + id + ".yaml" }

// assemble parses the units and builds their Book. A unit that fails to
// parse, or whose entry ids clash with an earlier file's, is left out and
// named in problems.
func assemble(pub int64, units map[string]domain.Revision) (*Set, error) {
	cs := &Set{Pub: pub, Units: units, Has: map[int64]bool{}, Problems: map[string]error{}}
	var phraseRevs, scenarioRevs []domain.Revision
	for _, r := range units {
		if r.ID != 0 {
			cs.Has[r.ID] = true
		}
		if r.Kind == domain.ContentPhrases {
			phraseRevs = append(phraseRevs, r)
		} else {
			scenarioRevs = append(scenarioRevs, r)
		}
	}
	byID := func(a, b domain.Revision) int { return strings.Compare(a.ContentID, b.ContentID) }
	slices.SortFunc(phraseRevs, byID)
	slices.SortFunc(scenarioRevs, byID)

	for _, r := range phraseRevs {
		entries, err := parsePhrases(revisionUnit(r), cs.Shared)
		if err != nil {
			cs.Problems[r.Key().String()] = err
			continue
		}
		cs.Shared = append(cs.Shared, entries...)
	}
	known := sim.Known(cs.Shared)
	cs.Lib = &scenarios.Library{Golden: map[string][]*scenarios.Golden{}}
	for _, r := range scenarioRevs {
		sc, golden, err := parseScenario(revisionUnit(r), known)
		if err != nil {
			cs.Problems[r.Key().String()] = err
			continue
		}
		cs.Lib.Scenarios = append(cs.Lib.Scenarios, sc)
		cs.Lib.Golden[sc.ID] = golden
	}
	cs.Lib.Tracks = builtinTracks(cs.Lib)
	book, err := Assemble(cs.Shared, cs.Lib)
	if err != nil {
		return nil, err
	}
	cs.Book = book
	return cs, nil
}

// unit is one content unit as it is validated: a phrase file, or a
// scenario file with its golden transcripts, each under the name its
// problems are reported by. The store's units go by the names of their
// export (ScenarioFile, PhraseFile, GoldenFile); coach check's by their
// paths. Every unit, wherever it comes from, is judged by parsePhrases and
// parseScenario.
type unit struct {
	kind domain.ContentKind
	// id is the unit's id, which a scenario file must give; empty takes
	// the file's own.
	id     string
	file   string
	body   string
	golden []goldenFile
}

// goldenFile is one golden transcript of a scenario unit, and where its
// expected scorecard is kept if anywhere (as scenarios.Golden.Scorecard).
type goldenFile struct{ name, file, body, scorecard string }

// revisionUnit is a stored (or draft) revision as a unit.
func revisionUnit(r domain.Revision) unit {
	if r.Kind == domain.ContentPhrases {
		return unit{kind: r.Kind, id: r.ContentID, file: PhraseFile(r.ContentID), body: r.Body}
	}
	u := unit{kind: r.Kind, id: r.ContentID, file: ScenarioFile(r.ContentID), body: r.Body}
	for _, name := range slices.Sorted(mapKeys(r.Golden)) {
		u.golden = append(u.golden, goldenFile{name: name, file: GoldenFile(r.ContentID, name), body: r.Golden[name]})
	}
	return u
}

// parsePhrases parses a phrase file and checks its ids against the
// entries of the other files.
func parsePhrases(u unit, others []phrasebook.Entry) ([]phrasebook.Entry, error) {
	entries, err := phrasebook.ParseEntries(u.file, []byte(u.body))
	if err != nil {
		return nil, err
	}
	if err := phrasebook.CheckUnique(append(slices.Clone(others), entries...)); err != nil {
		return nil, err
	}
	return entries, nil
}

// parseScenario parses a scenario and its golden transcripts, reporting
// every problem of both. With the problems it returns what did parse (the
// scenario, when its file did, and the golden transcripts that did), for
// coach check to go on replaying; the loader and the editor leave a unit
// with problems out.
func parseScenario(u unit, known scenarios.KnownPhrase) (*scenarios.Scenario, []*scenarios.Golden, error) {
	var list yamlfile.Errors
	add := func(err error) { list = append(list, yamlfile.Problems(err, u.file)...) }
	sc, err := scenarios.ParseScenario(u.file, []byte(u.body), known)
	id := u.id
	switch {
	case err != nil:
		add(err)
	case id == "":
		id = sc.ID
	case sc.ID != id:
		list = append(list, &yamlfile.Error{File: sc.File, Line: sc.Line("id"), Field: "id",
			Msg: fmt.Sprintf("%q differs from the scenario's id %q; clone the scenario to give it a new id", sc.ID, id)})
	}
	var golden []*scenarios.Golden
	if id == "" {
		// Without the scenario's id its golden transcripts cannot be
		// judged: they must name it.
		return nil, nil, list.Err()
	}
	for _, g := range u.golden {
		gd, err := scenarios.ParseGolden(g.name, g.file, []byte(g.body), id)
		if err != nil {
			add(err)
			continue
		}
		gd.Scorecard = g.scorecard
		golden = append(golden, gd)
	}
	return sc, golden, list.Err()
}

// builtinTracks are the built-in certification tracks whose scenarios are
// all in lib. Tracks are not authored in the browser yet.
func builtinTracks(lib *scenarios.Library) []*scenarios.Track {
	files, _ := builtinTrackFiles()
	var out []*scenarios.Track
	for _, f := range files {
		t, err := scenarios.ParseTrack(f.name, []byte(f.body), func(id string) bool { _, ok := lib.Scenario(id); return ok })
		if err == nil {
			out = append(out, t)
		}
	}
	return out
}

// file is a file's name, as problems give it, and its content.
type file struct{ name, body string }

// builtinTrackFiles reads the embedded certification tracks.
func builtinTrackFiles() ([]file, error) {
	sfs := scenarios.BuiltinFS()
	names, err := fs.Glob(sfs, "tracks/*.yaml")
	if err != nil {
		return nil, err
	}
	var out []file
	for _, name := range names {
		data, err := fs.ReadFile(sfs, name)
		if err != nil {
			return nil, err
		}
		out = append(out, file{name: path.Join("scenarios", name), body: string(data)})
	}
	return out, nil
}

// seed loads the built-in scenarios and phrasebook into an empty store as
// revision 1 of each unit, published.
func (m *Content) seed(ctx context.Context) error {
	reqs, err := builtinContent()
	if err != nil {
		return err
	}
	seeded, err := m.db.SeedContent(ctx, builtinActor, reqs)
	if err != nil {
		return err
	}
	if seeded {
		m.log.Info("loaded the built-in content", "units", len(reqs))
	}
	return nil
}

// builtinContent is the built-in content as a fresh store saves it.
func builtinContent() ([]store.SaveRequest, error) {
	units, err := builtinUnits()
	if err != nil {
		return nil, err
	}
	out := make([]store.SaveRequest, 0, len(units))
	for _, u := range units {
		req := store.SaveRequest{Kind: u.kind, ID: u.id, Body: u.body, Message: "built-in phrasebook"}
		if u.kind == domain.ContentScenario {
			req.Message, req.Golden = "built-in scenario", map[string]string{}
			for _, g := range u.golden {
				req.Golden[g.name] = g.body
			}
		}
		out = append(out, req)
	}
	return out, nil
}

// builtinUnits reads the embedded phrasebook and library as they are
// written: a phrase file's id is its name, a scenario's its folder's. The
// store is seeded with them and coach check checks them.
func builtinUnits() ([]unit, error) {
	var out []unit
	pfs := phrasebook.BuiltinFS()
	names, err := fs.Glob(pfs, "builtin/*.yaml")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		data, err := fs.ReadFile(pfs, name)
		if err != nil {
			return nil, err
		}
		out = append(out, unit{kind: domain.ContentPhrases, id: strings.TrimSuffix(path.Base(name), ".yaml"),
			file: path.Join("phrasebook", name), body: string(data)})
	}
	sfs := scenarios.BuiltinFS()
	dirs, err := fs.ReadDir(sfs, "library")
	if err != nil {
		return nil, err
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		dir := path.Join("library", d.Name())
		body, err := fs.ReadFile(sfs, path.Join(dir, "scenario.yaml"))
		if err != nil {
			return nil, err
		}
		u := unit{kind: domain.ContentScenario, id: d.Name(), file: path.Join("scenarios", dir, "scenario.yaml"), body: string(body)}
		files, _ := fs.Glob(sfs, path.Join(dir, "golden", "*.json"))
		for _, f := range files {
			if strings.HasSuffix(f, ".scorecard.json") {
				continue
			}
			data, err := fs.ReadFile(sfs, f)
			if err != nil {
				return nil, err
			}
			u.golden = append(u.golden, goldenFile{name: strings.TrimSuffix(path.Base(f), ".json"), file: path.Join("scenarios", f), body: string(data),
				scorecard: strings.TrimSuffix(f, ".json") + ".scorecard.json"})
		}
		out = append(out, u)
	}
	return out, nil
}

// catalogue returns the scenarios users may play now.
func (m *Content) Catalogue(ctx context.Context) (*scenarios.Library, error) {
	cs, err := m.Published(ctx)
	if err != nil {
		return nil, err
	}
	return cs.Lib, nil
}

// newCall returns the published scenario id and the revision a new call of
// it records. Unknown or retired scenarios are not found.
func (m *Content) NewCall(ctx context.Context, id string) (*scenarios.Scenario, string, error) {
	cs, err := m.Published(ctx)
	if err != nil {
		return nil, "", err
	}
	sc, ok := cs.Lib.Scenario(id)
	if !ok {
		return nil, "", fmt.Errorf("%w: start call: no scenario %q", domain.ErrNotFound, id)
	}
	if m.fixed != nil {
		return sc, domain.BuiltinRevision, nil
	}
	return sc, domain.CallRevision(cs.ScenarioRev(id), cs.Pub), nil
}

// Unpublished reports whether a call plays a scenario revision that its
// publication does not hold: a trainer's draft.
func (m *Content) Unpublished(ctx context.Context, rec store.Call) (bool, error) {
	if m.fixed != nil {
		return false, nil
	}
	rev, pub, err := domain.ParseCallRevision(rec.ScenarioRevision)
	if err != nil {
		return false, fmt.Errorf("call %s: %w", rec.ID, err)
	}
	if rev == 0 {
		return false, nil
	}
	p, err := m.db.PublicationByID(ctx, pub)
	if err != nil {
		return false, fmt.Errorf("call %s: %w", rec.ID, err)
	}
	return !slices.Contains(slices.Collect(mapValues(p.Revisions)), rev), nil
}

// ForCall returns the scenario and Book a stored call ran against, to
// rebuild its engine.
func (m *Content) ForCall(ctx context.Context, rec store.Call) (*scenarios.Scenario, *sim.Book, error) {
	cs := m.fixed
	if cs == nil {
		rev, pub, err := domain.ParseCallRevision(rec.ScenarioRevision)
		if err != nil {
			return nil, nil, fmt.Errorf("call %s: %w", rec.ID, err)
		}
		if cs, err = m.SetFor(ctx, pub, rev); err != nil {
			return nil, nil, fmt.Errorf("call %s: %w", rec.ID, err)
		}
	}
	sc, ok := cs.Lib.Scenario(rec.ScenarioID)
	if !ok {
		return nil, nil, fmt.Errorf("call %s: scenario %q is not in its content (%s)", rec.ID, rec.ScenarioID, rec.ScenarioRevision)
	}
	return sc, cs.Book, nil
}
