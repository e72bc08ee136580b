package app

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestEveryPageIsChecked reads the source of the application: every
// constant of type web.PageName must be among pages(), which New checks
// against the templates at start-up, and no Render or RenderBlock call may
// name its page with a string literal (which would go unchecked).
func TestEveryPageIsChecked(t *testing.T) {
	checked := map[string]bool{}
	for _, p := range pages() {
		checked[string(p)] = true
	}
	fset := token.NewFileSet()
	declared := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				if !isPageName(n.Type) {
					return true
				}
				for i, v := range n.Values {
					lit, ok := v.(*ast.BasicLit)
					if !ok {
						t.Errorf("%s: page %s is not a string literal", fset.Position(v.Pos()), n.Names[i])
						continue
					}
					name, _ := strconv.Unquote(lit.Value)
					declared++
					if !checked[name] {
						t.Errorf("%s: page %s (%q) is not in app.pages(), so start-up does not check it", fset.Position(v.Pos()), n.Names[i], name)
					}
				}
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok || (sel.Sel.Name != "Render" && sel.Sel.Name != "RenderBlock") || len(n.Args) < 3 {
					return true
				}
				if lit, ok := n.Args[2].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					t.Errorf("%s: %s names its page with the literal %s; use the domain's web.PageName constant", fset.Position(n.Pos()), sel.Sel.Name, lit.Value)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if declared != len(checked) {
		t.Errorf("app.pages() lists %d pages, the source declares %d", len(checked), declared)
	}
}

// isPageName reports whether a declared type is web.PageName (or PageName
// inside package web).
func isPageName(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.SelectorExpr:
		x, ok := e.X.(*ast.Ident)
		return ok && x.Name == "web" && e.Sel.Name == "PageName"
	case *ast.Ident:
		return e.Name == "PageName"
	}
	return false
}
