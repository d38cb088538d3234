package scenarios

import (
	"fmt"
	"strings"

	"github.com/hotlinecoach/coach/internal/yamlfile"
)

// errs collects the problems of one file, placing each by its field path.
type errs struct {
	file  string
	lines map[string]int
	list  yamlfile.Errors
}

func (c *errs) at(path, format string, args ...any) {
	c.list.Add(c.file, lineOf(c.lines, path), path, format, args...)
}

func (c *errs) err() error { return c.list.Err() }

// lineOf finds the line of path, walking up to its parents.
func lineOf(lines map[string]int, path string) int {
	for path != "" {
		if l, ok := lines[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return lines[""]
}

func pathIndex(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

func pathField(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
