package evidence

import "time"

// SetCrashHook sets the hook called at the named points of an upload.
func SetCrashHook(s *Service, f func(point string)) { s.crashAt = f }

// SetClock sets the clock the collector compares ages with.
func SetClock(s *Service, now func() time.Time) { s.now = now }
