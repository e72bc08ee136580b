// Command baseline serves a bare Gin route answering "ok": the yardstick
// the tenant pages are measured against (bench/load.sh).
package main

import (
	"log"
	"net/http"
	"os"

	"github.com/gin-gonic/gin"
)

func main() {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/ok", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	addr := "127.0.0.1:18081"
	if len(os.Args) > 1 {
		addr = os.Args[1]
	}
	log.Fatal(http.ListenAndServe(addr, r))
}
