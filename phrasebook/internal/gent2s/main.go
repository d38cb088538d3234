// Command gent2s writes phrasebook/phrase/t2s_table.go, the character-level
// Traditional → Simplified Chinese table the normaliser uses, from the OpenCC
// data installed on this machine (Debian: apt-get install opencc
// libopencc-data).
//
// It dumps OpenCC's TSCharacters dictionary with opencc_dict, keeps every
// entry whose key is one character and whose first (preferred) candidate is
// one other character, resolves the rare chains (A→B where B→C) so that the
// table is idempotent, and cross-checks every pair against what the opencc
// tool itself does with the t2s configuration. Nothing in the table is typed
// by hand.
//
// With -phrases it writes phrasebook/phrase/t2s_phrases.go instead: the
// phrases that OpenCC converts differently from their characters (瞭解 →
// 了解) and the Taiwan-standard 著 → 着 with the phrases that keep 著 (see
// BuildPhrases).
//
// Usage (from the phrasebook/phrase directory, as go generate runs it):
//
//	go run ../internal/gent2s [-data /usr/share/opencc] [-o t2s_table.go]
//	go run ../internal/gent2s -phrases -o t2s_phrases.go
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	var cfg Config
	flag.StringVar(&cfg.DataDir, "data", "/usr/share/opencc", "directory holding OpenCC's TSCharacters.ocd2 and t2s.json")
	flag.StringVar(&cfg.DictTool, "opencc_dict", "opencc_dict", "the opencc_dict program")
	flag.StringVar(&cfg.ConvertTool, "opencc", "opencc", "the opencc program, used to cross-check the table")
	out := flag.String("o", "t2s_table.go", "the Go file to write")
	phrases := flag.Bool("phrases", false, "write the phrase table (t2s_phrases.go) instead of the character table")
	flag.Parse()

	generate := Generate
	if *phrases {
		generate = GeneratePhrases
	}
	src, err := generate(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gent2s:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil { // #nosec G306 -- a Go source file of the repository, for everyone to read
		fmt.Fprintln(os.Stderr, "gent2s:", err)
		os.Exit(1)
	}
}
