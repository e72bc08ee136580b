// Command testsummary reads `go test -json` on standard input and prints
// what a person needs: each package's result, the output of every failed
// test, how many tests ran on each database engine (subtests named
// postgres or sqlite), and a closing count. It exits non-zero when any
// test or package failed.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

func main() {
	output := map[string][]string{} // package/test -> lines
	var passed, failed, skipped int
	engines := map[string]int{}
	var failedTests []string
	var pkgLines []string
	pkgFailed := false

	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if err := json.Unmarshal(line, &e); err != nil {
			fmt.Println(string(line)) // build errors and the like
			continue
		}
		key := e.Package + " " + e.Test
		switch e.Action {
		case "output":
			if e.Test != "" {
				output[key] = append(output[key], e.Output)
			} else if strings.HasPrefix(e.Output, "FAIL") || strings.Contains(e.Output, "panic:") || strings.HasPrefix(e.Output, "#") {
				output[key] = append(output[key], e.Output)
			}
		case "pass", "fail", "skip":
			if e.Test == "" {
				status := map[string]string{"pass": "ok  ", "fail": "FAIL", "skip": "none"}[e.Action]
				pkgLines = append(pkgLines, fmt.Sprintf("%s %s (%.1fs)", status, e.Package, e.Elapsed))
				if e.Action == "fail" {
					pkgFailed = true
					if out := output[key]; len(out) > 0 {
						pkgLines = append(pkgLines, strings.TrimRight(strings.Join(out, ""), "\n"))
					}
				}
				continue
			}
			last := e.Test[strings.LastIndex(e.Test, "/")+1:]
			switch e.Action {
			case "pass":
				passed++
				if strings.Contains(e.Test, "/postgres") || strings.Contains(e.Test, "/sqlite") {
					for _, eng := range []string{"postgres", "sqlite"} {
						if last == eng {
							engines[eng]++
						}
					}
				}
			case "fail":
				failed++
				failedTests = append(failedTests, key)
			case "skip":
				skipped++
			}
		}
		delete(output, "")
	}
	for _, l := range pkgLines {
		fmt.Println(l)
	}
	sort.Strings(failedTests)
	for _, k := range failedTests {
		fmt.Printf("\n--- FAIL: %s\n%s", k, strings.Join(output[k], ""))
	}
	fmt.Printf("\ndatabase engines: %d test groups passed on postgres, %d on sqlite\n", engines["postgres"], engines["sqlite"])
	fmt.Printf("go test: %d passed, %d failed, %d skipped\n", passed, failed, skipped)
	if failed > 0 || pkgFailed {
		os.Exit(1)
	}
}
