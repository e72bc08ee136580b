package calendar

import "context"

// SetBeforeWrite sets the hook a booking runs between its checks and its
// writes (nil removes it).
func SetBeforeWrite(s *Service, f func(ctx context.Context)) { s.beforeWrite = f }
