// Package logctx carries log attributes in a context: the request id or
// task id, and the organisation, are added once where they become known,
// and every line logged with that context carries them. The handler
// wraps whichever slog handler the process writes with.
package logctx

import (
	"context"
	"log/slog"
)

type ctxKey int

const attrsKey ctxKey = 0

// With returns ctx carrying attrs besides those it carried already (an
// attribute of the same key replaces the earlier one).
func With(ctx context.Context, attrs ...slog.Attr) context.Context {
	prev := From(ctx)
	out := make([]slog.Attr, 0, len(prev)+len(attrs))
	for _, a := range prev {
		replaced := false
		for _, b := range attrs {
			if a.Key == b.Key {
				replaced = true
				break
			}
		}
		if !replaced {
			out = append(out, a)
		}
	}
	out = append(out, attrs...)
	return context.WithValue(ctx, attrsKey, out)
}

// From returns the attributes ctx carries.
func From(ctx context.Context) []slog.Attr {
	if ctx == nil {
		return nil
	}
	attrs, _ := ctx.Value(attrsKey).([]slog.Attr)
	return attrs
}

// Handler adds the context's attributes to every record.
type Handler struct{ slog.Handler }

// NewHandler wraps h.
func NewHandler(h slog.Handler) *Handler { return &Handler{Handler: h} }

// Handle implements slog.Handler.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	if attrs := From(ctx); len(attrs) > 0 {
		r = r.Clone()
		r.AddAttrs(attrs...)
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs implements slog.Handler.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &Handler{Handler: h.Handler.WithAttrs(attrs)}
}

// WithGroup implements slog.Handler.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{Handler: h.Handler.WithGroup(name)}
}
