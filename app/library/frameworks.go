package library

import (
	"strings"
	"unicode/utf8"
)

// FrameworkField is one guided field of a goal framework.
type FrameworkField struct {
	Name  string
	Label string
	Hint  string
	// Date fields take a date (the goal's target date).
	Date bool
}

// Framework guides the writing of a goal: its fields are asked one by
// one, then composed into the goal's description, measure and date.
type Framework struct {
	Key   string
	Name  string
	About string
	// Guide is the slug of the library's guide to the framework.
	Guide  string
	Fields []FrameworkField
	// Measure and Target name the fields that become the goal's success
	// measure and target date; the others make its description.
	Measure, Target string
}

// Frameworks are the goal frameworks a goal can start from.
var Frameworks = []Framework{
	{
		Key: "grow", Name: "GROW", Guide: "grow-model-guide",
		About: "Goal, Reality, Options, Will: say what you want, where you are, what you could do, and what you will do.",
		Fields: []FrameworkField{
			{Name: "goal", Label: "Goal: what do you want to achieve?", Hint: "As concrete as you can: what will be different?"},
			{Name: "reality", Label: "Reality: where are you now?", Hint: "What is happening, what have you tried, what is in your control?"},
			{Name: "options", Label: "Options: what could you do?", Hint: "List several; quantity before quality."},
			{Name: "will", Label: "Will: what will you do first?", Hint: "The option you choose and your first step."},
			{Name: "measure", Label: "How will you know you got there?"},
			{Name: "target_date", Label: "By when?", Date: true},
		},
		Measure: "measure", Target: "target_date",
	},
	{
		Key: "smart", Name: "SMART", Guide: "smart-goals-guide",
		About: "Specific, Measurable, Achievable, Relevant, Time-bound: turn a wish into a goal you can track.",
		Fields: []FrameworkField{
			{Name: "specific", Label: "Specific: what exactly will be different?", Hint: "Who, what, where."},
			{Name: "measurable", Label: "Measurable: how will you and others know it happened?"},
			{Name: "achievable", Label: "Achievable: why is it within reach?", Hint: "The time and support you have."},
			{Name: "relevant", Label: "Relevant: why does it matter now?"},
			{Name: "time_bound", Label: "Time-bound: by when?", Date: true},
		},
		Measure: "measurable", Target: "time_bound",
	},
}

// FrameworkByKey finds a framework.
func FrameworkByKey(key string) (Framework, bool) {
	for _, f := range Frameworks {
		if f.Key == key {
			return f, true
		}
	}
	return Framework{}, false
}

// fieldLimit bounds each answer so that the composed description stays
// within a goal's 1,000 characters.
const fieldLimit = 220

// Compose turns the answers into a goal: the description lists the
// framework's parts ("Goal: …", "Reality: …"), the measure and target date
// come from their own fields. Empty parts are left out.
func (f Framework) Compose(get func(string) string) (description, measure, target string) {
	var lines []string
	for _, fld := range f.Fields {
		v := strings.TrimSpace(get(fld.Name))
		switch {
		case fld.Name == f.Target:
			target = v
		case fld.Name == f.Measure:
			measure = v
		case v != "":
			label, _, _ := strings.Cut(fld.Label, ":")
			lines = append(lines, label+": "+v)
		}
	}
	return strings.Join(lines, "\n"), measure, target
}

// Check returns the fields that are missing or too long.
func (f Framework) Check(get func(string) string) map[string]string {
	errs := map[string]string{}
	first := f.Fields[0].Name
	if strings.TrimSpace(get(first)) == "" {
		errs[first] = "This field is required."
	}
	for _, fld := range f.Fields {
		if utf8.RuneCountInString(strings.TrimSpace(get(fld.Name))) > fieldLimit {
			errs[fld.Name] = "Keep this to a few sentences (at most 220 characters)."
		}
	}
	return errs
}
