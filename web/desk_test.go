package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/hotlinecoach/coach/store"
)

// TestAuthorValidatesDesk: the editor checks a scenario's desk section as
// coach check does, each problem at its line and field, and its golden
// transcripts with desk turns replay.
func TestAuthorValidatesDesk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := newEnvOn(t, db)
		tTok, _ := env.session(env.addUser("wang", store.RoleTrainer))
		const id = "leak-desk"
		good := strings.Replace(builtinFile(t, "library/leak/scenario.yaml"), "id: leak\n", "id: "+id+"\n", 1)
		golden := map[string]string{}
		for _, name := range []string{"pass", "fail-ticket-phone"} {
			g := builtinFile(t, "library/leak/golden/"+name+".json")
			golden[name] = strings.Replace(g, `"scenario": "leak"`, `"scenario": "`+id+`"`, 1)
		}
		require.Contains(t, good, "    team: repair\n    promise:")
		bad := strings.Replace(good, "    team: repair\n    promise:", "    team: plumbers\n    promise:", 1)
		bad = strings.Replace(bad, "    urgency: urgent\n    team: plumbers", "    urgency: asap\n    team: plumbers", 1)

		code, res, raw := env.postJSON(tTok, "/api/author/validate", draftJSON{Kind: "scenario", ID: id, Body: bad, Golden: golden})
		require.Equal(t, http.StatusOK, code, raw)
		got := map[string]issueJSON{}
		for _, is := range res.Issues {
			got[is.Field] = is
		}
		require.Contains(t, got, "desk.order.team", raw)
		require.Contains(t, got, "desk.order.urgency", raw)
		assert.Equal(t, lineOf(t, bad, "    team: plumbers"), got["desk.order.team"].Line)
		assert.Contains(t, got["desk.order.team"].Message, "plumbers")
		assert.Equal(t, lineOf(t, bad, "    urgency: asap"), got["desk.order.urgency"].Line)

		code, res, raw = env.postJSON(tTok, "/api/author/validate", draftJSON{Kind: "scenario", ID: id, Body: good, Golden: golden})
		require.Equal(t, http.StatusOK, code, raw)
		assert.Empty(t, res.Issues, raw)
		code, res, raw = env.postJSON(tTok, "/api/author/golden", draftJSON{Kind: "scenario", ID: id, Body: good, Golden: golden})
		require.Equal(t, http.StatusOK, code, raw)
		require.NotEmpty(t, res.Results, raw)
		for _, r := range res.Results {
			assert.True(t, r.OK, "%+v", r)
		}
	})
}
