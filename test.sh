#!/bin/sh
# README's test command: every package's tests with the race detector. The
# PostgreSQL and browser tests skip without their environment variables, and
# go test prints nothing of a package that passes, so this script says so.
# Extra arguments go to go test (for example -count=1 or -run Name).
set -e
cd "$(dirname "$0")"
if [ -z "${COACH_TEST_POSTGRES:-}" ]; then
	echo "test.sh: PostgreSQL tests skipped; to run them: COACH_TEST_POSTGRES='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' ./test.sh (or .ci/run, which sets up PostgreSQL)" >&2
fi
if [ -z "${COACH_TEST_CHROMIUM:-}" ]; then
	echo "test.sh: browser tests skipped; to run them: COACH_TEST_CHROMIUM=/usr/bin/chromium ./test.sh" >&2
fi
if [ -z "${COACH_TEST_AXE:-}" ]; then
	echo "test.sh: the accessibility check of the browser tests needs axe-core: npm install axe-core in a folder outside the repository and set COACH_TEST_AXE=FOLDER/node_modules/axe-core/axe.min.js (.ci/run does)" >&2
fi
# The web package's browser tests walk every page for each role at two
# widths; with the race detector on a busy machine that outlasts go test's
# default 10 minutes.
exec go test -race -timeout 30m "$@" ./...
