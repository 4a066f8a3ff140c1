package holiday

import (
	"sync"
	"time"
	_ "time/tzdata" // the zone loads on a host without zoneinfo
)

// Paris returns Europe/Paris, the time zone of the French courts: the
// calendar day of a hearing, a decision or a deadline is its day in Paris.
// The zone database is embedded in the binary, so loading cannot fail.
var Paris = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic("holiday: Europe/Paris: " + err.Error())
	}
	return loc
})
