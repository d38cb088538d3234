package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hotlinecoach/coach/domain"
)

// Authored content is stored as revisions. A content unit is one file a
// trainer edits: a scenario (its scenario.yaml plus golden transcripts) or a
// phrasebook file (a YAML list of entries). The store keeps every revision
// and never rewrites one; what the rest of the site uses is decided by
// publications.
//
// The life of a unit, in calls:
//
//	rev, err := db.SaveRevision(ctx, actor, SaveRequest{Kind: ContentPhrases, ID: "opening", Body: yaml, Parent: head, Message: "..."})
//	pub, err := db.Publish(ctx, actor, PublishRequest{Revision: rev.ID})
//	pub, err := db.Retire(ctx, actor, RetireRequest{Kind: ContentScenario, ID: "leak"})
//
// Every save, publication, retirement, clone and import writes its audit
// entry in the same transaction. The store checks nothing about what a body
// says (that is the scenarios and phrasebook packages' job, done by the
// caller before saving or publishing); it checks only ids and sizes.

// Limits on what one revision may hold; they match the parsers' limits with
// room for golden transcripts.
const (
	// MaxContentBody is the largest body of a revision, in bytes.
	MaxContentBody = 512 << 10
	// MaxGolden is how many golden transcripts a scenario revision holds.
	MaxGolden = 50
	// MaxGoldenSize is the largest golden transcript, in bytes.
	MaxGoldenSize = 64 << 10
	// MaxRevisionMessage is the longest save message, in bytes.
	MaxRevisionMessage = 1000
)

var (
	contentIDPattern  = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	goldenNamePattern = regexp.MustCompile(`^[a-z0-9]+([._-][a-z0-9]+)*$`)
)

// ValidContentID reports whether id may name a content unit: lower-case
// letters and digits in groups joined by '-', at most 64 bytes, the form
// scenario ids take.
func ValidContentID(id string) bool { return len(id) <= 64 && contentIDPattern.MatchString(id) }

// ValidGoldenName reports whether name may name a golden transcript.
func ValidGoldenName(name string) bool {
	return len(name) <= 64 && goldenNamePattern.MatchString(name)
}

// ContentInfo summarises a content unit for listing.
type ContentInfo struct {
	Kind domain.ContentKind
	ID   string
	// Head is the newest revision: its id and number.
	HeadID int64
	HeadN  int
	// PublishedID and PublishedN name the published revision; zero when
	// none is (never published, or retired).
	PublishedID int64
	PublishedN  int
	Retired     bool
	Created     time.Time
	Updated     time.Time
	// UpdatedBy is who made the last change: a save, publication or
	// retirement.
	UpdatedBy string
}

// Key returns the unit's content key.
func (c ContentInfo) Key() domain.ContentKey { return domain.ContentKey{Kind: c.Kind, ID: c.ID} }

// Publication is a snapshot of what is published: the revision id of every
// published content unit. Publications are numbered; the newest one is what
// new calls use.
type Publication struct {
	ID    int64
	At    time.Time
	Actor string
	// Revisions maps ContentKey.String() to a revision id.
	Revisions map[string]int64
}

// Revision returns the published revision id of key, if any.
func (p Publication) Revision(key domain.ContentKey) (int64, bool) {
	id, ok := p.Revisions[key.String()]
	return id, ok
}

// Keys returns the published content units of kind, sorted by id.
func (p Publication) Keys(kind domain.ContentKind) []domain.ContentKey {
	var out []domain.ContentKey
	for k := range p.Revisions {
		kd, id, _ := strings.Cut(k, "/")
		if domain.ContentKind(kd) == kind {
			out = append(out, domain.ContentKey{Kind: kind, ID: id})
		}
	}
	slices.SortFunc(out, func(a, b domain.ContentKey) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Parent values of SaveRequest with a meaning of their own.
const (
	// NewContent asks that the unit not exist yet (create, clone, import
	// as a new unit).
	NewContent = 0
	// AnyParent saves on top of whatever the head is, for programs that
	// read the head and write straight back.
	AnyParent = -1
)

// SaveRequest is one save of a content unit.
type SaveRequest struct {
	Kind    domain.ContentKind
	ID      string
	Body    string
	Golden  map[string]string
	Message string
	// Parent is the revision number the change was made from. When the
	// unit's head is no longer Parent, someone saved in between and the
	// save fails with ErrConflict rather than silently overwrite their
	// change. NewContent (0) requires a new unit; AnyParent skips the check.
	Parent int
	// Action names the change in the audit log after the kind
	// ("scenario.save"); empty means "save", or "create" for a new unit.
	// Callers use "import" and "clone".
	Action string
	// Detail is added to the audit entry, e.g. what a clone was copied from.
	Detail string
}

func (r *SaveRequest) check() error {
	if _, err := domain.ParseContentKind(string(r.Kind)); err != nil {
		return err
	}
	if !ValidContentID(r.ID) {
		return fmt.Errorf("%w: content id %q: use lower-case letters and digits joined by '-', at most 64 characters", ErrInvalid, r.ID)
	}
	if strings.TrimSpace(r.Body) == "" {
		return fmt.Errorf("%w: %s/%s: empty body", ErrInvalid, r.Kind, r.ID)
	}
	if len(r.Body) > MaxContentBody {
		return fmt.Errorf("%w: %s/%s: body of %d bytes exceeds %d", ErrInvalid, r.Kind, r.ID, len(r.Body), MaxContentBody)
	}
	if len(r.Message) > MaxRevisionMessage {
		return fmt.Errorf("%w: %s/%s: message of %d bytes exceeds %d", ErrInvalid, r.Kind, r.ID, len(r.Message), MaxRevisionMessage)
	}
	if r.Kind == domain.ContentPhrases && len(r.Golden) > 0 {
		return fmt.Errorf("%w: phrases/%s: only scenarios have golden transcripts", ErrInvalid, r.ID)
	}
	if len(r.Golden) > MaxGolden {
		return fmt.Errorf("%w: %s/%s: %d golden transcripts, at most %d", ErrInvalid, r.Kind, r.ID, len(r.Golden), MaxGolden)
	}
	for name, body := range r.Golden {
		if !ValidGoldenName(name) {
			return fmt.Errorf("%w: %s/%s: golden transcript name %q: use lower-case letters, digits, '-', '_' or '.'", ErrInvalid, r.Kind, r.ID, name)
		}
		if len(body) > MaxGoldenSize {
			return fmt.Errorf("%w: %s/%s: golden transcript %s of %d bytes exceeds %d", ErrInvalid, r.Kind, r.ID, name, len(body), MaxGoldenSize)
		}
	}
	return nil
}

// contentLockID serialises publications (and the first load of the
// built-in content) across PostgreSQL instances, so that two publications
// made at once cannot both start from the same snapshot and lose one
// change. SQLite's single writer serialises them already.
const contentLockID = 7_262_003

// SaveRevision appends a revision to a content unit, creating the unit when
// Parent is NewContent, and writes the audit entry in the same transaction.
// It does not publish. A taken id (for NewContent) or a head that moved past
// Parent gives ErrConflict; a unit that does not exist gives ErrNotFound.
func (db *DB) SaveRevision(ctx context.Context, actor Actor, req SaveRequest) (domain.Revision, error) {
	if err := req.check(); err != nil {
		return domain.Revision{}, fmt.Errorf("save %s/%s: %w", req.Kind, req.ID, err)
	}
	if actor.Name == "" {
		return domain.Revision{}, fmt.Errorf("save %s/%s: %w: no actor", req.Kind, req.ID, ErrInvalid)
	}
	var rev domain.Revision
	err := db.tx(ctx, func(tx *sqlTx) error {
		var err error
		rev, err = saveRevision(ctx, tx, actor, req, time.Now())
		return err
	})
	if err != nil {
		return domain.Revision{}, fmt.Errorf("save %s/%s: %w", req.Kind, req.ID, err)
	}
	return rev, nil
}

func saveRevision(ctx context.Context, tx *sqlTx, actor Actor, req SaveRequest, now time.Time) (domain.Revision, error) {
	var head int
	err := tx.queryRow(ctx, `SELECT head FROM content WHERE kind = ? AND id = ?`, string(req.Kind), req.ID).Scan(&head)
	exists := err == nil
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return domain.Revision{}, classify(err)
	}
	action := req.Action
	switch {
	case req.Parent == NewContent && exists:
		return domain.Revision{}, fmt.Errorf("%w: %s/%s already exists", ErrConflict, req.Kind, req.ID)
	case req.Parent != NewContent && !exists:
		return domain.Revision{}, fmt.Errorf("%w: %s/%s does not exist", ErrNotFound, req.Kind, req.ID)
	case req.Parent > 0 && head != req.Parent:
		return domain.Revision{}, fmt.Errorf("%w: %s/%s is at revision %d, the change was made from %d", ErrConflict, req.Kind, req.ID, head, req.Parent)
	}
	if action == "" {
		action = "save"
		if !exists {
			action = "create"
		}
	}
	if !exists {
		if _, err := tx.exec(ctx, `INSERT INTO content (kind, id, head, retired, created_at, updated_at, updated_by) VALUES (?, ?, 0, ?, ?, ?, ?)`,
			string(req.Kind), req.ID, false, millis(now), millis(now), actor.Name); err != nil {
			return domain.Revision{}, err
		}
	}
	golden := req.Golden
	if golden == nil {
		golden = map[string]string{}
	}
	gj, err := json.Marshal(golden)
	if err != nil {
		return domain.Revision{}, err
	}
	rev := domain.Revision{Kind: req.Kind, ContentID: req.ID, N: head + 1, AuthorID: actor.ID, Author: actor.Name,
		At: now.UTC().Truncate(time.Millisecond), Message: req.Message, Body: req.Body, Golden: maps.Clone(golden)}
	err = tx.queryRow(ctx, `INSERT INTO content_revisions (kind, content_id, n, author_id, author, at, message, body, golden)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		string(req.Kind), req.ID, rev.N, nullID(actor.ID), actor.Name, millis(now), req.Message, req.Body, string(gj)).Scan(&rev.ID)
	if err != nil {
		return domain.Revision{}, classify(err)
	}
	res, err := tx.exec(ctx, `UPDATE content SET head = ?, updated_at = ?, updated_by = ? WHERE kind = ? AND id = ? AND head = ?`,
		rev.N, millis(now), actor.Name, string(req.Kind), req.ID, head)
	if err != nil {
		return domain.Revision{}, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return domain.Revision{}, fmt.Errorf("%w: %s/%s changed while saving", ErrConflict, req.Kind, req.ID)
	}
	detail := fmt.Sprintf("revision %d", rev.N)
	if req.Message != "" {
		detail += ": " + req.Message
	}
	if req.Detail != "" {
		detail += " (" + req.Detail + ")"
	}
	if err := appendAudit(ctx, tx, AuditEntry{At: now, ActorID: actor.ID, Actor: actor.Name,
		Action: string(req.Kind) + "." + action, Target: auditTarget(rev.Key()), Detail: detail}); err != nil {
		return domain.Revision{}, err
	}
	return rev, nil
}

func auditTarget(k domain.ContentKey) string { return string(k.Kind) + ":" + k.ID }

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

const revisionColumns = `id, kind, content_id, n, author_id, author, at, message, body, golden`

func scanRevision(s scanner) (domain.Revision, error) {
	var r domain.Revision
	var kind, golden string
	var authorID sql.NullInt64
	var at int64
	if err := s.Scan(&r.ID, &kind, &r.ContentID, &r.N, &authorID, &r.Author, &at, &r.Message, &r.Body, &golden); err != nil {
		return domain.Revision{}, err
	}
	r.Kind = domain.ContentKind(kind)
	r.AuthorID = authorID.Int64
	r.At = fromMillis(at)
	if err := json.Unmarshal([]byte(golden), &r.Golden); err != nil {
		return domain.Revision{}, fmt.Errorf("revision %d golden transcripts: %w", r.ID, err)
	}
	return r, nil
}

// Revision returns the revision with the given id.
func (db *DB) Revision(ctx context.Context, id int64) (domain.Revision, error) {
	r, err := scanRevision(db.queryRow(ctx, `SELECT `+revisionColumns+` FROM content_revisions WHERE id = ?`, id))
	if err != nil {
		return domain.Revision{}, fmt.Errorf("revision %d: %w", id, notFound(err))
	}
	return r, nil
}

// Revisions returns every revision of a content unit, newest first. A unit
// that does not exist gives ErrNotFound.
func (db *DB) Revisions(ctx context.Context, kind domain.ContentKind, id string) ([]domain.Revision, error) {
	rows, err := db.query(ctx, `SELECT `+revisionColumns+` FROM content_revisions WHERE kind = ? AND content_id = ? ORDER BY n DESC`, string(kind), id)
	if err != nil {
		return nil, fmt.Errorf("revisions of %s/%s: %w", kind, id, err)
	}
	defer rows.Close()
	var out []domain.Revision
	for rows.Next() {
		r, err := scanRevision(rows)
		if err != nil {
			return nil, fmt.Errorf("revisions of %s/%s: %w", kind, id, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("revisions of %s/%s: %w", kind, id, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("revisions of %s/%s: %w", kind, id, ErrNotFound)
	}
	return out, nil
}

// Head returns the newest revision of a content unit.
func (db *DB) Head(ctx context.Context, kind domain.ContentKind, id string) (domain.Revision, error) {
	r, err := scanRevision(db.queryRow(ctx, `SELECT `+revisionColumns+` FROM content_revisions
		WHERE kind = ? AND content_id = ? ORDER BY n DESC LIMIT 1`, string(kind), id))
	if err != nil {
		return domain.Revision{}, fmt.Errorf("head of %s/%s: %w", kind, id, notFound(err))
	}
	return r, nil
}

const contentColumns = `c.kind, c.id, h.id, c.head, c.published_rev, COALESCE(p.n, 0), c.retired, c.created_at, c.updated_at, c.updated_by`

const contentFrom = ` FROM content c
	JOIN content_revisions h ON h.kind = c.kind AND h.content_id = c.id AND h.n = c.head
	LEFT JOIN content_revisions p ON p.id = c.published_rev`

func scanContent(s scanner) (ContentInfo, error) {
	var c ContentInfo
	var kind string
	var pub sql.NullInt64
	var created, updated int64
	if err := s.Scan(&kind, &c.ID, &c.HeadID, &c.HeadN, &pub, &c.PublishedN, &c.Retired, &created, &updated, &c.UpdatedBy); err != nil {
		return ContentInfo{}, err
	}
	c.Kind = domain.ContentKind(kind)
	c.PublishedID = pub.Int64
	c.Created = fromMillis(created)
	c.Updated = fromMillis(updated)
	return c, nil
}

// ListContent returns every content unit, retired ones included, ordered by
// kind and id.
func (db *DB) ListContent(ctx context.Context) ([]ContentInfo, error) {
	rows, err := db.query(ctx, `SELECT `+contentColumns+contentFrom+` ORDER BY c.kind, c.id`)
	if err != nil {
		return nil, fmt.Errorf("list content: %w", err)
	}
	defer rows.Close()
	var out []ContentInfo
	for rows.Next() {
		c, err := scanContent(rows)
		if err != nil {
			return nil, fmt.Errorf("list content: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list content: %w", err)
	}
	return out, nil
}

// Content returns one content unit's summary.
func (db *DB) Content(ctx context.Context, kind domain.ContentKind, id string) (ContentInfo, error) {
	c, err := scanContent(db.queryRow(ctx, `SELECT `+contentColumns+contentFrom+` WHERE c.kind = ? AND c.id = ?`, string(kind), id))
	if err != nil {
		return ContentInfo{}, fmt.Errorf("content %s/%s: %w", kind, id, notFound(err))
	}
	return c, nil
}

// PublishRequest publishes one revision.
type PublishRequest struct {
	Revision int64
	// Base, when positive, is the publication the caller checked the
	// change against (that every published scenario still resolves its
	// phrase ids, say). If another publication was made since, Publish
	// fails with ErrConflict and the caller checks again.
	Base int64
	// Detail is added to the audit entry: what the review showed, say.
	Detail string
}

// Publish makes a revision the published one of its unit, bringing the unit
// back if it was retired, and records a new publication: the newest one
// with this revision in place of the unit's previous one. The audit entry is
// written in the same transaction.
func (db *DB) Publish(ctx context.Context, actor Actor, req PublishRequest) (Publication, error) {
	var pub Publication
	err := db.tx(ctx, func(tx *sqlTx) error {
		rev, err := scanRevision(tx.queryRow(ctx, `SELECT `+revisionColumns+` FROM content_revisions WHERE id = ?`, req.Revision))
		if err != nil {
			return notFound(err)
		}
		now := time.Now()
		pub, err = newPublication(ctx, tx, actor, req.Base, now, func(m map[string]int64) {
			m[rev.Key().String()] = rev.ID
		})
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE content SET published_rev = ?, retired = ?, updated_at = ?, updated_by = ? WHERE kind = ? AND id = ?`,
			rev.ID, false, millis(now), actor.Name, string(rev.Kind), rev.ContentID); err != nil {
			return err
		}
		return appendAudit(ctx, tx, AuditEntry{At: now, ActorID: actor.ID, Actor: actor.Name, Action: string(rev.Kind) + ".publish",
			Target: auditTarget(rev.Key()), Detail: publishDetail(rev.N, pub.ID, req.Detail)})
	})
	if err != nil {
		return Publication{}, fmt.Errorf("publish revision %d: %w", req.Revision, err)
	}
	return pub, nil
}

func publishDetail(n int, pub int64, detail string) string {
	s := fmt.Sprintf("revision %d published (publication %d)", n, pub)
	if detail != "" {
		s += ": " + detail
	}
	return s
}

// RetireRequest retires one content unit.
type RetireRequest struct {
	Kind domain.ContentKind
	ID   string
	// Base is as in PublishRequest.
	Base int64
}

// Retire takes a unit out of what is published: a retired scenario leaves
// the catalogue and a retired phrase file's entries leave the phrasebook.
// Its revisions stay, calls made against it still replay, and publishing
// any of its revisions brings it back. Retiring a retired unit is a
// conflict.
func (db *DB) Retire(ctx context.Context, actor Actor, req RetireRequest) (Publication, error) {
	key := domain.ContentKey{Kind: req.Kind, ID: req.ID}
	var pub Publication
	err := db.tx(ctx, func(tx *sqlTx) error {
		var retired bool
		if err := tx.queryRow(ctx, `SELECT retired FROM content WHERE kind = ? AND id = ?`, string(req.Kind), req.ID).Scan(&retired); err != nil {
			return notFound(err)
		}
		if retired {
			return fmt.Errorf("%w: already retired", ErrConflict)
		}
		now := time.Now()
		var err error
		pub, err = newPublication(ctx, tx, actor, req.Base, now, func(m map[string]int64) { delete(m, key.String()) })
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE content SET published_rev = NULL, retired = ?, updated_at = ?, updated_by = ? WHERE kind = ? AND id = ?`,
			true, millis(now), actor.Name, string(req.Kind), req.ID); err != nil {
			return err
		}
		return appendAudit(ctx, tx, AuditEntry{At: now, ActorID: actor.ID, Actor: actor.Name, Action: string(req.Kind) + ".retire",
			Target: auditTarget(key), Detail: fmt.Sprintf("retired (publication %d)", pub.ID)})
	})
	if err != nil {
		return Publication{}, fmt.Errorf("retire %s: %w", key, err)
	}
	return pub, nil
}

// newPublication writes the publication that follows the newest one after
// change, under the content lock.
func newPublication(ctx context.Context, tx *sqlTx, actor Actor, base int64, now time.Time, change func(map[string]int64)) (Publication, error) {
	if tx.db.dialect == Postgres {
		if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(?)`, contentLockID); err != nil {
			return Publication{}, err
		}
	}
	cur, err := scanPublication(tx.queryRow(ctx, `SELECT id, at, actor, manifest FROM publications ORDER BY id DESC LIMIT 1`))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		cur = Publication{Revisions: map[string]int64{}}
	case err != nil:
		return Publication{}, classify(err)
	}
	if base > 0 && cur.ID != base {
		return Publication{}, fmt.Errorf("%w: publication %d was made after %d, which the change was checked against", ErrConflict, cur.ID, base)
	}
	next := Publication{At: now.UTC().Truncate(time.Millisecond), Actor: actor.Name, Revisions: maps.Clone(cur.Revisions)}
	change(next.Revisions)
	manifest, err := json.Marshal(next.Revisions)
	if err != nil {
		return Publication{}, err
	}
	if err := tx.queryRow(ctx, `INSERT INTO publications (at, actor, manifest) VALUES (?, ?, ?) RETURNING id`,
		millis(now), actor.Name, string(manifest)).Scan(&next.ID); err != nil {
		return Publication{}, classify(err)
	}
	return next, nil
}

func scanPublication(s scanner) (Publication, error) {
	var p Publication
	var at int64
	var manifest string
	if err := s.Scan(&p.ID, &at, &p.Actor, &manifest); err != nil {
		return Publication{}, err
	}
	p.At = fromMillis(at)
	if err := json.Unmarshal([]byte(manifest), &p.Revisions); err != nil {
		return Publication{}, fmt.Errorf("publication %d: %w", p.ID, err)
	}
	if p.Revisions == nil {
		p.Revisions = map[string]int64{}
	}
	return p, nil
}

// CurrentPublication returns the newest publication; ErrNotFound before the
// first one.
func (db *DB) CurrentPublication(ctx context.Context) (Publication, error) {
	p, err := scanPublication(db.queryRow(ctx, `SELECT id, at, actor, manifest FROM publications ORDER BY id DESC LIMIT 1`))
	if err != nil {
		return Publication{}, fmt.Errorf("current publication: %w", notFound(err))
	}
	return p, nil
}

// CurrentPublicationID returns the newest publication's id, or 0 before the
// first one: a cheap check for whether what is published changed.
func (db *DB) CurrentPublicationID(ctx context.Context) (int64, error) {
	var id sql.NullInt64
	if err := db.queryRow(ctx, `SELECT MAX(id) FROM publications`).Scan(&id); err != nil {
		return 0, fmt.Errorf("current publication: %w", classify(err))
	}
	return id.Int64, nil
}

// PublicationByID returns the publication with the given id.
func (db *DB) PublicationByID(ctx context.Context, id int64) (Publication, error) {
	p, err := scanPublication(db.queryRow(ctx, `SELECT id, at, actor, manifest FROM publications WHERE id = ?`, id))
	if err != nil {
		return Publication{}, fmt.Errorf("publication %d: %w", id, notFound(err))
	}
	return p, nil
}

// SeedContent loads the first content of a fresh install: when the store
// holds no content unit at all, it saves every request as revision 1 by
// actor and publishes them all in one publication, in one transaction.
// When content exists it does nothing and reports false, so every start
// may call it; on PostgreSQL concurrent starts wait on each other.
func (db *DB) SeedContent(ctx context.Context, actor Actor, reqs []SaveRequest) (bool, error) {
	for i := range reqs {
		reqs[i].Parent = NewContent
		if err := reqs[i].check(); err != nil {
			return false, fmt.Errorf("seed content: %w", err)
		}
	}
	seeded := false
	err := db.tx(ctx, func(tx *sqlTx) error {
		if tx.db.dialect == Postgres {
			if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(?)`, contentLockID); err != nil {
				return err
			}
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM content`).Scan(&n); err != nil {
			return classify(err)
		}
		if n > 0 {
			return nil
		}
		now := time.Now()
		var revs []domain.Revision
		for _, req := range reqs {
			if req.Action == "" {
				req.Action = "seed"
			}
			rev, err := saveRevision(ctx, tx, actor, req, now)
			if err != nil {
				return err
			}
			revs = append(revs, rev)
		}
		pub, err := newPublication(ctx, tx, actor, 0, now, func(m map[string]int64) {
			for _, r := range revs {
				m[r.Key().String()] = r.ID
			}
		})
		if err != nil {
			return err
		}
		for _, r := range revs {
			if _, err := tx.exec(ctx, `UPDATE content SET published_rev = ? WHERE kind = ? AND id = ?`, r.ID, string(r.Kind), r.ContentID); err != nil {
				return err
			}
		}
		seeded = true
		return appendAudit(ctx, tx, AuditEntry{At: now, ActorID: actor.ID, Actor: actor.Name, Action: "content.seed",
			Target: "publication:" + fmt.Sprint(pub.ID), Detail: fmt.Sprintf("%d content units loaded and published", len(revs))})
	})
	if err != nil {
		return false, fmt.Errorf("seed content: %w", err)
	}
	return seeded, nil
}
