// Package authtest computes TOTP codes for tests and tools that sign in
// the same demo account several times: each code must be for a later time
// step than the last one accepted (replay protection), so it hands out
// steps in order, waiting for the next 30-second window when needed.
package authtest

import (
	"sync"
	"time"

	"github.com/egide/egide/internal/auth"
)

// Codes hands out fresh TOTP codes per secret. Safe for concurrent use.
type Codes struct {
	mu   sync.Mutex
	last map[string]int64
}

// Next returns a code for secret (base32) that the server accepts once:
// the current step, or the next one if the current was already used.
func (c *Codes) Next(secret string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.last == nil {
		c.last = map[string]int64{}
	}
	raw, err := auth.DecodeSecret(secret)
	if err != nil {
		panic("authtest: bad secret: " + err.Error())
	}
	for {
		cur := time.Now().Unix() / 30
		step := max(cur, c.last[secret]+1)
		if step <= cur+1 {
			c.last[secret] = step
			return auth.TOTPCode(raw, time.Unix(step*30, 0))
		}
		time.Sleep(time.Until(time.Unix((cur+1)*30, 0)) + 50*time.Millisecond)
	}
}
