//go:build race

package main

// raceEnabled says this test binary runs under the race detector, so the
// coach binary it builds for end-to-end tests is built with -race too and
// reuses the packages already compiled for it.
const raceEnabled = true
