package store_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	trainer = store.Actor{ID: 7, Name: "wang"}
	builtin = store.Actor{Name: "builtin"}
)

func TestSaveRevisions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r1, err := db.SaveRevision(ctx, trainer, store.SaveRequest{Kind: domain.ContentScenario, ID: "leak", Body: "id: leak\n",
			Golden: map[string]string{"pass": `{"scenario":"leak"}`}, Message: "first"})
		require.NoError(t, err)
		assert.Equal(t, 1, r1.N)
		assert.Positive(t, r1.ID)

		// A second create of the same id, and a save from a stale parent,
		// are conflicts; a save of a missing unit is not found.
		_, err = db.SaveRevision(ctx, trainer, store.SaveRequest{Kind: domain.ContentScenario, ID: "leak", Body: "x"})
		assert.ErrorIs(t, err, store.ErrConflict)
		r2, err := db.SaveRevision(ctx, trainer, store.SaveRequest{Kind: domain.ContentScenario, ID: "leak", Body: "id: leak\ntitle: t\n", Parent: 1, Message: "title"})
		require.NoError(t, err)
		assert.Equal(t, 2, r2.N)
		_, err = db.SaveRevision(ctx, trainer, store.SaveRequest{Kind: domain.ContentScenario, ID: "leak", Body: "stale", Parent: 1})
		assert.ErrorIs(t, err, store.ErrConflict)
		_, err = db.SaveRevision(ctx, trainer, store.SaveRequest{Kind: domain.ContentScenario, ID: "gone", Body: "x", Parent: 3})
		assert.ErrorIs(t, err, store.ErrNotFound)
		r3, err := db.SaveRevision(ctx, store.Actor{Name: "disputes"}, store.SaveRequest{Kind: domain.ContentScenario, ID: "leak", Body: "v3", Parent: store.AnyParent})
		require.NoError(t, err)
		assert.Equal(t, 3, r3.N)

		got, err := db.Revision(ctx, r1.ID)
		require.NoError(t, err)
		assert.Equal(t, r1, got)
		all, err := db.Revisions(ctx, domain.ContentScenario, "leak")
		require.NoError(t, err)
		require.Len(t, all, 3)
		assert.Equal(t, []int{3, 2, 1}, []int{all[0].N, all[1].N, all[2].N})
		assert.Equal(t, "title", all[1].Message)
		head, err := db.Head(ctx, domain.ContentScenario, "leak")
		require.NoError(t, err)
		assert.Equal(t, r3.ID, head.ID)
		_, err = db.Revisions(ctx, domain.ContentPhrases, "leak")
		assert.ErrorIs(t, err, store.ErrNotFound)

		info, err := db.Content(ctx, domain.ContentScenario, "leak")
		require.NoError(t, err)
		assert.Equal(t, store.ContentInfo{Kind: domain.ContentScenario, ID: "leak", HeadID: r3.ID, HeadN: 3,
			Created: info.Created, Updated: info.Updated, UpdatedBy: "disputes"}, info)

		audit, err := db.ListAudit(ctx, store.AuditFilter{})
		require.NoError(t, err)
		require.Len(t, audit, 3)
		assert.Equal(t, "scenario.save", audit[0].Action)
		assert.Equal(t, "scenario:leak", audit[0].Target)
		assert.Equal(t, "scenario.create", audit[2].Action)
		assert.Equal(t, "revision 1: first", audit[2].Detail)
		assert.Equal(t, int64(7), audit[2].ActorID)
	})
}

func TestSaveRevisionRefusesBadInput(t *testing.T) {
	big := strings.Repeat("x", store.MaxContentBody+1)
	for name, req := range map[string]store.SaveRequest{
		"kind":        {Kind: "track", ID: "a", Body: "x"},
		"id":          {Kind: domain.ContentScenario, ID: "Leak!", Body: "x"},
		"empty":       {Kind: domain.ContentScenario, ID: "a", Body: " \n"},
		"big":         {Kind: domain.ContentScenario, ID: "a", Body: big},
		"golden name": {Kind: domain.ContentScenario, ID: "a", Body: "x", Golden: map[string]string{"../x": "{}"}},
		"phrase gold": {Kind: domain.ContentPhrases, ID: "a", Body: "x", Golden: map[string]string{"pass": "{}"}},
	} {
		t.Run(name, func(t *testing.T) {
			db := storetest.SQLite(t)
			_, err := db.SaveRevision(context.Background(), trainer, req)
			assert.ErrorIs(t, err, store.ErrInvalid)
		})
	}
}

func TestPublishAndRetire(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		id, err := db.CurrentPublicationID(ctx)
		require.NoError(t, err)
		assert.Zero(t, id)
		_, err = db.CurrentPublication(ctx)
		assert.ErrorIs(t, err, store.ErrNotFound)

		seeded, err := db.SeedContent(ctx, builtin, []store.SaveRequest{
			{Kind: domain.ContentScenario, ID: "leak", Body: "leak v1"},
			{Kind: domain.ContentPhrases, ID: "opening", Body: "opening v1"},
		})
		require.NoError(t, err)
		assert.True(t, seeded)
		again, err := db.SeedContent(ctx, builtin, []store.SaveRequest{{Kind: domain.ContentScenario, ID: "other", Body: "x"}})
		require.NoError(t, err)
		assert.False(t, again, "a store with content is not seeded again")

		p1, err := db.CurrentPublication(ctx)
		require.NoError(t, err)
		assert.Equal(t, "builtin", p1.Actor)
		leak1, ok := p1.Revision(domain.ContentKey{Kind: domain.ContentScenario, ID: "leak"})
		require.True(t, ok)
		assert.Equal(t, []domain.ContentKey{{Kind: domain.ContentPhrases, ID: "opening"}}, p1.Keys(domain.ContentPhrases))

		r2, err := db.SaveRevision(ctx, trainer, store.SaveRequest{Kind: domain.ContentScenario, ID: "leak", Body: "leak v2", Parent: 1})
		require.NoError(t, err)
		// A draft changes nothing published.
		info, err := db.Content(ctx, domain.ContentScenario, "leak")
		require.NoError(t, err)
		assert.Equal(t, leak1, info.PublishedID)
		assert.Equal(t, 1, info.PublishedN)
		assert.Equal(t, 2, info.HeadN)

		// Publishing against a stale base is a conflict.
		_, err = db.Publish(ctx, trainer, store.PublishRequest{Revision: r2.ID, Base: p1.ID + 5})
		assert.ErrorIs(t, err, store.ErrConflict)
		p2, err := db.Publish(ctx, trainer, store.PublishRequest{Revision: r2.ID, Base: p1.ID})
		require.NoError(t, err)
		assert.Greater(t, p2.ID, p1.ID)
		got, _ := p2.Revision(domain.ContentKey{Kind: domain.ContentScenario, ID: "leak"})
		assert.Equal(t, r2.ID, got)
		// The older publication is kept as it was, for calls that ran on it.
		old, err := db.PublicationByID(ctx, p1.ID)
		require.NoError(t, err)
		assert.Equal(t, p1, old)

		p3, err := db.Retire(ctx, trainer, store.RetireRequest{Kind: domain.ContentScenario, ID: "leak"})
		require.NoError(t, err)
		_, ok = p3.Revision(domain.ContentKey{Kind: domain.ContentScenario, ID: "leak"})
		assert.False(t, ok)
		_, err = db.Retire(ctx, trainer, store.RetireRequest{Kind: domain.ContentScenario, ID: "leak"})
		assert.ErrorIs(t, err, store.ErrConflict)
		_, err = db.Retire(ctx, trainer, store.RetireRequest{Kind: domain.ContentScenario, ID: "nope"})
		assert.ErrorIs(t, err, store.ErrNotFound)
		info, err = db.Content(ctx, domain.ContentScenario, "leak")
		require.NoError(t, err)
		assert.True(t, info.Retired)
		assert.Zero(t, info.PublishedID)

		// Publishing an old revision brings the scenario back.
		p4, err := db.Publish(ctx, trainer, store.PublishRequest{Revision: leak1})
		require.NoError(t, err)
		got, _ = p4.Revision(domain.ContentKey{Kind: domain.ContentScenario, ID: "leak"})
		assert.Equal(t, leak1, got)
		cur, err := db.CurrentPublicationID(ctx)
		require.NoError(t, err)
		assert.Equal(t, p4.ID, cur)
		list, err := db.ListContent(ctx)
		require.NoError(t, err)
		require.Len(t, list, 2)
		assert.Equal(t, "opening", list[0].ID)
		assert.False(t, list[1].Retired)
		assert.Equal(t, "wang", list[1].UpdatedBy)

		_, err = db.Publish(ctx, trainer, store.PublishRequest{Revision: 9999})
		assert.ErrorIs(t, err, store.ErrNotFound)

		audit, err := db.ListAudit(ctx, store.AuditFilter{Limit: 4})
		require.NoError(t, err)
		var actions []string
		for _, e := range audit {
			actions = append(actions, e.Action)
		}
		assert.Equal(t, []string{"scenario.publish", "scenario.retire", "scenario.publish", "scenario.save"}, actions)
	})
}

// TestConcurrentPublications checks that publications made at once each
// keep the other's change: none starts from a stale snapshot.
func TestConcurrentPublications(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const n = 8
		var revs []int64
		for i := range n {
			r, err := db.SaveRevision(ctx, trainer, store.SaveRequest{Kind: domain.ContentPhrases, ID: "file-" + string(rune('a'+i)), Body: "x"})
			require.NoError(t, err)
			revs = append(revs, r.ID)
		}
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for _, id := range revs {
			wg.Go(func() {
				_, err := db.Publish(ctx, trainer, store.PublishRequest{Revision: id})
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		cur, err := db.CurrentPublication(ctx)
		require.NoError(t, err)
		assert.Len(t, cur.Revisions, n)
	})
}

func TestCreateUserBy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := domain.User{Username: "li", PasswordHash: "h", Role: domain.RoleTrainee, Team: "east"}
		require.NoError(t, db.CreateUserBy(ctx, &u, store.CLI))
		assert.Positive(t, u.ID)
		dup := domain.User{Username: "li", PasswordHash: "h", Role: domain.RoleTrainee}
		assert.ErrorIs(t, db.CreateUserBy(ctx, &dup, store.CLI), store.ErrConflict)
		audit, err := db.ListAudit(ctx, store.AuditFilter{})
		require.NoError(t, err)
		require.Len(t, audit, 1, "the refused account left no entry")
		assert.Equal(t, store.AuditEntry{ID: audit[0].ID, At: audit[0].At, Actor: "cli", Action: "user.create", Target: "user:li", Detail: `role trainee, team "east"`}, audit[0])
	})
}
