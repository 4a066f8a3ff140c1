package auth

import "time"

// HashChecks exposes the number of password verifications to tests.
func HashChecks(s *Service) int64 { return s.hashChecks.Load() }

// SetClock replaces the clock TOTP codes are checked against.
func SetClock(s *Service, now func() time.Time) { s.now = now }

// HashPeak is the most password verifications seen running at once.
func HashPeak(s *Service) int64 { return s.hashPeak.Load() }
