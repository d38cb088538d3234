package store

import (
	"context"
	"fmt"
	"time"
)

// CreateUserBy stores a new account as CreateUser does and writes its audit
// entry ("user.create", naming the role and team) in the same transaction,
// so that no account exists without a record of who made it. The command
// line acts as Actor{Name: "cli"}.
func (db *DB) CreateUserBy(ctx context.Context, actor Actor, u *User) error {
	if u.Username == "" || u.PasswordHash == "" {
		return fmt.Errorf("create user: %w: username and password hash are required", ErrInvalid)
	}
	if _, err := ParseRole(string(u.Role)); err != nil {
		return fmt.Errorf("create user %s: %w", u.Username, err)
	}
	if actor.Name == "" {
		return fmt.Errorf("create user %s: %w: no actor", u.Username, ErrInvalid)
	}
	err := db.tx(ctx, func(tx *sqlTx) error {
		if err := tx.queryRow(ctx, `INSERT INTO users (username, password_hash, role, team, created_at, disabled)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			u.Username, u.PasswordHash, string(u.Role), u.Team, millis(u.Created), u.Disabled).Scan(&u.ID); err != nil {
			return classify(err)
		}
		detail := "role " + string(u.Role)
		if u.Team != "" {
			detail += ", team " + u.Team
		}
		return appendAudit(ctx, tx, AuditEntry{At: time.Now(), ActorID: actor.ID, Actor: actor.Name,
			Action: "user.create", Target: "user:" + u.Username, Detail: detail})
	})
	if err != nil {
		return fmt.Errorf("create user %s: %w", u.Username, err)
	}
	return nil
}
