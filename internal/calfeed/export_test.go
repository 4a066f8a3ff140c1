package calfeed

import "time"

// SetNow fixes the service's clock (tests).
func (s *Service) SetNow(now func() time.Time) { s.now = now }
