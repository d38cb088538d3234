package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAuditLog(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, storetest.SQLite(t))
	root := domain.User{Username: "root", Name: "王强", PasswordHash: "x", Role: domain.RoleAdmin, Created: t0}
	li := domain.User{Username: "li", Name: "李娜", EmployeeNo: "007", PasswordHash: "x", Role: domain.RoleTrainee, Created: t0}
	for _, u := range []*domain.User{&root, &li} {
		require.NoError(t, f.db.CreateUser(ctx, u))
	}
	day := func(d int) time.Time { return time.Date(2025, 11, d, 8, 0, 0, 0, time.UTC) }
	for i := range app.AuditPage + 3 {
		require.NoError(t, f.db.AppendAudit(ctx, store.AuditEntry{At: day(1), Actor: "cli", Action: "user.create", Target: fmt.Sprintf("user:u%d", i)}))
	}
	require.NoError(t, f.db.AppendAudit(ctx, store.AuditEntry{At: day(2), ActorID: root.ID, Actor: "root", Action: "user.role", Target: "user:li", Detail: "trainee -> trainer"}))

	log, err := f.app.AuditLog(ctx, app.AuditQuery{})
	require.NoError(t, err)
	require.Len(t, log.Entries, app.AuditPage)
	assert.Equal(t, "王强 (root)", log.Entries[0].Actor, "an account's entry names it as people know it")
	assert.Equal(t, "user:li", log.Entries[0].Target, "targets stay by login; People names them")
	assert.Equal(t, "李娜 (li) #007", log.People["li"])
	assert.Equal(t, []app.AuditActor{{Login: "cli", Name: "cli"}, {Login: "root", Name: "王强 (root)"}}, log.Actors, "trainees change nothing")
	assert.NotEmpty(t, log.Tracks)
	assert.NotEmpty(t, log.Titles)
	require.NotZero(t, log.Older)

	older, err := f.app.AuditLog(ctx, app.AuditQuery{Before: log.Older})
	require.NoError(t, err)
	assert.Len(t, older.Entries, 4, "the rest")
	assert.Zero(t, older.Older, "the last page")

	days, err := app.ParseReportFilter("", "2025-11-02", "2025-11-02", time.UTC)
	require.NoError(t, err)
	for _, tt := range []struct {
		name string
		q    app.AuditQuery
		want int
	}{
		{"by actor", app.AuditQuery{Actor: "root"}, 1},
		{"by kind", app.AuditQuery{Kind: "user"}, app.AuditPage},
		{"by a kind nobody did", app.AuditQuery{Kind: "scenario"}, 0},
		{"by day", app.AuditQuery{Days: days}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			log, err := f.app.AuditLog(ctx, tt.q)
			require.NoError(t, err)
			assert.Len(t, log.Entries, tt.want)
		})
	}
	_, err = f.app.AuditLog(ctx, app.AuditQuery{Actor: strings.Repeat("x", 101)})
	assert.ErrorIs(t, err, domain.ErrInvalid)
}
