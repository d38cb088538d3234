package app

import (
	"context"
	"fmt"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/store"
)

// AuditPage is how many entries a page of the audit log holds.
const AuditPage = 50

// AuditQuery narrows the audit log: to an actor (by login), a kind of
// action (the part before its dot: "user" keeps "user.create"), days, and
// the page of entries older than Before (an entry id; 0: the newest).
type AuditQuery struct {
	Actor, Kind string
	Days        ReportFilter
	Before      int64
}

// AuditActor is an account that can change things, as the audit log's
// filter offers it: the login it matches and the name people know it by.
type AuditActor struct {
	Login, Name string
}

// AuditLog is a page of the audit log, newest first, with what names the
// things its entries refer to.
type AuditLog struct {
	// Entries name their actor as people know the account, where it has
	// one (the command line acts as "cli").
	Entries []store.AuditEntry
	// Actors are the choices of the actor filter: the command line and
	// every account that is not a trainee's.
	Actors []AuditActor
	// People names accounts by login: real name and employee number
	// where the account has them. Entries name their targets by login.
	People map[string]string
	// Tracks and Titles name tracks and scenarios by id.
	Tracks, Titles map[string]string
	// Older is the Before of the next page; 0 on the last.
	Older int64
}

// AuditLog reads a page of the audit log.
func (a *App) AuditLog(ctx context.Context, q AuditQuery) (*AuditLog, error) {
	if len(q.Actor) > 100 {
		return nil, fmt.Errorf("%w: actor longer than 100 bytes", domain.ErrInvalid)
	}
	if q.Before < 0 {
		return nil, fmt.Errorf("%w: before %d", domain.ErrInvalid, q.Before)
	}
	f := store.AuditFilter{Actor: q.Actor, Kind: q.Kind, Before: q.Before, Limit: AuditPage}
	f.From, f.To = q.Days.Range()
	entries, err := a.db.ListAudit(ctx, f)
	if err != nil {
		return nil, err
	}
	users, err := a.db.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	out := &AuditLog{Actors: []AuditActor{{Login: store.CLI.Name, Name: store.CLI.Name}}, People: map[string]string{},
		Tracks: map[string]string{}, Titles: a.ScenarioTitles(ctx)}
	byID := map[int64]string{}
	for _, u := range users {
		name := u.DisplayName()
		if u.EmployeeNo != "" {
			name += " #" + u.EmployeeNo
		}
		byID[u.ID], out.People[u.Username] = u.DisplayName(), name
		if u.Role != domain.RoleTrainee {
			out.Actors = append(out.Actors, AuditActor{Login: u.Username, Name: u.DisplayName()})
		}
	}
	for _, e := range entries {
		if name, ok := byID[e.ActorID]; ok && e.ActorID != 0 {
			e.Actor = name
		}
		out.Entries = append(out.Entries, e)
	}
	for _, t := range a.Tracks(ctx) {
		out.Tracks[t.ID] = t.Title
	}
	if len(entries) == AuditPage {
		out.Older = entries[len(entries)-1].ID
	}
	return out, nil
}
