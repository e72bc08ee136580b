package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

// Assets serves embedded static files under content-hashed URLs
// (/static/css/app.3f2a1c9b.css), so that they can be cached for a year and
// a new release is fetched at once.
type Assets struct {
	fsys fs.FS
	// urls maps "css/app.css" to "/static/css/app.3f2a1c9b.css".
	urls map[string]string
	// files maps the hashed name back to the file.
	files map[string]string
}

// NewAssets hashes every file of fsys.
func NewAssets(fsys fs.FS) (*Assets, error) {
	a := &Assets{fsys: fsys, urls: map[string]string{}, files: map[string]string{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".go") {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ext := path.Ext(p)
		hashed := strings.TrimSuffix(p, ext) + "." + hex.EncodeToString(sum[:5]) + ext
		a.urls[p] = "/static/" + hashed
		a.files[hashed] = p
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: hash static assets: %w", err)
	}
	return a, nil
}

// URL is the template function "asset": the hashed URL of a file. An
// unknown name panics at template execution, which tests catch.
func (a *Assets) URL(name string) (string, error) {
	u, ok := a.urls[name]
	if !ok {
		return "", fmt.Errorf("web: unknown asset %q", name)
	}
	return u, nil
}

// Serve is the handler for GET /static/*path.
func (a *Assets) Serve(c *gin.Context) {
	name := strings.TrimPrefix(c.Param("path"), "/")
	file, hashed := a.files[name]
	if !hashed {
		// Unhashed names still work (e.g. a favicon asked for by a browser),
		// with a short cache.
		if _, ok := a.urls[name]; !ok {
			c.Status(http.StatusNotFound)
			return
		}
		file = name
	}
	b, err := fs.ReadFile(a.fsys, file)
	if err != nil {
		c.Status(http.StatusNotFound)
		return
	}
	h := c.Writer.Header()
	if hashed {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=300")
	}
	ctype := mime.TypeByExtension(path.Ext(file))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	c.Data(http.StatusOK, ctype, b)
}
