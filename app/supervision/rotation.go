package supervision

import (
	"github.com/google/uuid"
)

// Roles a group member takes in a session.
const (
	RolePresenter = "presenter"
	RoleReflector = "reflector"
	RoleObserver  = "observer"
)

// Roles lists the roles, in the order a page shows them.
var Roles = []string{RolePresenter, RoleReflector, RoleObserver}

// Rotate gives the roles of the index-th session (0 for the group's first)
// to a cohort in a fixed order: the presenter moves one place on each
// session, the reflector is the one after the presenter, and everyone
// else observes. Over as many sessions as there are members, each
// presents once and reflects once. A cohort of one only presents.
func Rotate(cohort []uuid.UUID, index int) map[uuid.UUID]string {
	out := make(map[uuid.UUID]string, len(cohort))
	n := len(cohort)
	if n == 0 {
		return out
	}
	index = ((index % n) + n) % n
	for i, id := range cohort {
		switch (i - index + n) % n {
		case 0:
			out[id] = RolePresenter
		case 1:
			out[id] = RoleReflector
		default:
			out[id] = RoleObserver
		}
	}
	return out
}

// Swap exchanges two people's roles in an assignment; a person not in it
// is refused (false).
func Swap(roles map[uuid.UUID]string, a, b uuid.UUID) bool {
	ra, okA := roles[a]
	rb, okB := roles[b]
	if !okA || !okB || a == b {
		return false
	}
	roles[a], roles[b] = rb, ra
	return true
}
