package supervision

import (
	"testing"

	"github.com/google/uuid"
)

func TestRotationGivesEachMemberEachRoleInTurn(t *testing.T) {
	a, b, c, d := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	cohort := []uuid.UUID{a, b, c, d}
	want := [][]string{ // roles of a, b, c, d in sessions 0..4
		{RolePresenter, RoleReflector, RoleObserver, RoleObserver},
		{RoleObserver, RolePresenter, RoleReflector, RoleObserver},
		{RoleObserver, RoleObserver, RolePresenter, RoleReflector},
		{RoleReflector, RoleObserver, RoleObserver, RolePresenter},
		{RolePresenter, RoleReflector, RoleObserver, RoleObserver},
	}
	presented := map[uuid.UUID]int{}
	for i, roles := range want {
		got := Rotate(cohort, i)
		for j, id := range cohort {
			if got[id] != roles[j] {
				t.Errorf("session %d: member %d is %s, want %s", i, j, got[id], roles[j])
			}
			if i < len(cohort) && got[id] == RolePresenter {
				presented[id]++
			}
		}
	}
	for _, id := range cohort {
		if presented[id] != 1 {
			t.Errorf("over %d sessions %s presented %d times, want once", len(cohort), id, presented[id])
		}
	}
}

func TestRotationOfSmallCohorts(t *testing.T) {
	if got := Rotate(nil, 3); len(got) != 0 {
		t.Errorf("empty cohort: %v", got)
	}
	a := uuid.New()
	if got := Rotate([]uuid.UUID{a}, 5); got[a] != RolePresenter {
		t.Errorf("a cohort of one: %v", got)
	}
	b := uuid.New()
	for i := 0; i < 4; i++ {
		got := Rotate([]uuid.UUID{a, b}, i)
		if got[a] == got[b] || (got[a] != RolePresenter && got[a] != RoleReflector) {
			t.Errorf("a pair, session %d: %v", i, got)
		}
	}
}

func TestSwapExchangesTwoRoles(t *testing.T) {
	a, b, c := uuid.New(), uuid.New(), uuid.New()
	roles := Rotate([]uuid.UUID{a, b, c}, 0)
	if !Swap(roles, a, c) || roles[a] != RoleObserver || roles[c] != RolePresenter || roles[b] != RoleReflector {
		t.Errorf("after swapping a and c: %v", roles)
	}
	if Swap(roles, a, uuid.New()) || Swap(roles, a, a) {
		t.Error("a swap with someone outside the cohort, or with oneself, was accepted")
	}
}
