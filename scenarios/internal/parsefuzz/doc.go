// Package parsefuzz holds the fuzz target of the scenario parser.
//
// It is a package of its own so that its test binary links only the parser:
// the scenarios package's own tests replay the library through sim, which
// pulls in bleve, and go test -fuzz instruments every linked package for
// coverage, so in that binary each run of the parser pays for bleve's
// counters too.
package parsefuzz
