package supervision

import (
	"strings"
	"testing"
)

func TestDetectorFindsAndMasksIdentifiers(t *testing.T) {
	roster := []string{"Mel Member", "Cora Coach", "Jo-Anne O'Neill", "Al Bo", "Zoë Ångström"}
	d := NewDetector(roster)
	cases := []struct {
		name, in, want string
		kinds          []string
	}{
		{"a full name from the roster", "I met Mel Member on Monday.", "I met [name] on Monday.", []string{FoundName}},
		{"a full name in other case", "i met mel member again", "i met [name] again", []string{FoundName}},
		{"a first name alone, written as a name", "Then Mel said no.", "Then [name] said no.", []string{FoundName}},
		{"a surname alone", "Coach was late; Cora was not.", "[name] was late; [name] was not.", []string{FoundName, FoundName}},
		{"a name part in lower case is a word, not a name", "a member of the team", "a member of the team", nil},
		{"a name inside a longer word is left alone", "Melanie and Coachella", "Melanie and Coachella", nil},
		{"a hyphenated roster name and its parts", "Jo-Anne O'Neill and later Anne", "[name] and later [name]", []string{FoundName, FoundName}},
		{"names beyond ASCII", "Then zoë ångström left; Ångström came back.", "Then [name] left; [name] came back.", []string{FoundName, FoundName}},
		{"a name with an apostrophe", "O'Neill said so", "[name] said so", []string{FoundName}},
		{"parts shorter than three letters are not names alone", "Al wrote to Bo.", "Al wrote to Bo.", nil},
		{"an e-mail address", "Write to client.x@example.org please", "Write to [e-mail] please", []string{FoundEmail}},
		{"a UK mobile number", "Call 07700 900123 after six", "Call [phone] after six", []string{FoundPhone}},
		{"an international number", "or +44 20 7946 0958.", "or [phone].", []string{FoundPhone}},
		{"a postcode", "lives near SW1A 1AA now", "lives near [postcode] now", []string{FoundPostcode}},
		{"a date of birth with slashes", "born 12/03/1985", "born [date]", []string{FoundDate}},
		{"an ISO date", "since 2024-02-29", "since [date]", []string{FoundDate}},
		{"a date in words", "on 3rd March 1990 she", "on [date] she", []string{FoundDate}},
		{"a staff number", "staff number E123456 in HR", "staff number [id number] in HR", []string{FoundID}},
		{"a National Insurance number", "NI QQ 12 34 56 C here", "NI [id number] here", []string{FoundID}},
		{"a reference after ID", "ID: AB-77x1 was logged", "ID: [id number] was logged", []string{FoundID}},
		{"nothing to find", "A team lead who avoids conflict in meetings of 12 people.", "A team lead who avoids conflict in meetings of 12 people.", nil},
		{"several at once", "Mel Member (mel@example.com, 07700 900123)", "[name] ([e-mail], [phone])", []string{FoundName, FoundEmail, FoundPhone}},
		{"masks are not found again", "[name] wrote to [e-mail]", "[name] wrote to [e-mail]", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, found := d.Mask(c.in)
			if got != c.want {
				t.Errorf("Mask(%q) = %q, want %q", c.in, got, c.want)
			}
			var kinds []string
			for _, f := range found {
				kinds = append(kinds, f.Kind)
				if c.in[f.Start:f.End] != f.Text {
					t.Errorf("finding %+v does not point at its text", f)
				}
			}
			if strings.Join(kinds, ",") != strings.Join(c.kinds, ",") {
				t.Errorf("Mask(%q) found %v, want %v", c.in, kinds, c.kinds)
			}
		})
	}
}

func TestCheckDraftMasksEveryField(t *testing.T) {
	d := NewDetector([]string{"Mel Member"})
	chk := CheckDraft(d, Draft{Title: "Mel", Context: "mel@example.com", Question: "Why 07700 900123?", Tried: "Talked to Mel Member"})
	if chk.Masked.Title != "[name]" || chk.Masked.Context != "[e-mail]" || chk.Masked.Question != "Why [phone]?" || chk.Masked.Tried != "Talked to [name]" {
		t.Errorf("masked draft = %+v", chk.Masked)
	}
	if len(chk.Found) != 4 {
		t.Errorf("found %d identifiers, want 4: %+v", len(chk.Found), chk.Found)
	}
	if n := countMarks(chk.Masked.Title + chk.Masked.Context + chk.Masked.Question + chk.Masked.Tried); n != 4 {
		t.Errorf("countMarks = %d, want 4", n)
	}
}
