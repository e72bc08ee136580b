package assessment

// w is shorthand for a weights map.
type w = map[string]int

// Default is the questionnaire an organisation starts with (version 1),
// until an admin saves a version of its own. The wording is ours; the
// weights follow the differences between the three kinds of support:
// mentoring shares experience (induction, "how things are done here", a
// career step), coaching helps a person find their own answers (growth, a
// situation and its options, performance here and now), supervision
// serves a practitioner reflecting on their own practice.
func Default() Questionnaire {
	return Questionnaire{Version: 1, Questions: []Question{
		{ID: "situation", Text: "What brings you here?", Hint: "Choose the one closest to where you are now.", Answers: []Answer{
			{ID: "new", Label: "I am new here, or new in my role, and want to learn how things are done", Weights: w{KeyMentoring: 4, KeyShortTerm: 1}},
			{ID: "transition", Label: "I am preparing for a career step and want to learn from someone who has made it", Weights: w{KeyMentoring: 4}},
			{ID: "growth", Label: "I want to grow, personally or professionally, and find my own way forward", Weights: w{KeyCoaching: 4, KeyOngoing: 1}},
			{ID: "situation", Label: "I want to think a situation through and see which options I have", Weights: w{KeyCoaching: 4, KeyShortTerm: 1}},
			{ID: "performance", Label: "I want to perform better in my work here and now", Weights: w{KeyCoaching: 3}},
			{ID: "practice", Label: "I coach or mentor others and want to reflect on my own practice", Weights: w{KeySupervision: 5, KeyOngoing: 1}},
			{ID: "lead_coaching", Label: "I lead people and want support to bring a coaching approach to how I lead", Weights: w{KeyCoachingApproach: 5, KeyCoaching: 3, KeyShortTerm: 1}},
		}},
		{ID: "stance", Text: "Which kind of help would suit you best?", Answers: []Answer{
			{ID: "advice", Label: "Advice, guidance and honest feedback from someone more experienced", Weights: w{KeyMentoring: 2}},
			{ID: "questions", Label: "Good questions that help me find my own answers", Weights: w{KeyCoaching: 2}},
			{ID: "reflection", Label: "Time to look back at my work, case by case, with an experienced colleague or peers", Weights: w{KeySupervision: 2}},
		}},
		{ID: "outcome", Text: "What would you like to be different afterwards?", Answers: []Answer{
			{ID: "fit", Label: "I know the ropes and how my organisation expects things to be done", Weights: w{KeyMentoring: 1}},
			{ID: "choices", Label: "I have made my own choices and acted on them", Weights: w{KeyCoaching: 1}},
			{ID: "blindspots", Label: "I see my blind spots and what goes on between me and the people I support", Weights: w{KeySupervision: 1}},
		}},
		{ID: "format", Text: "One to one, or in a group?", Answers: []Answer{
			{ID: "one", Label: "One to one", Weights: w{KeyOneToOne: 2}},
			{ID: "group", Label: "In a small group, learning with others", Weights: w{KeyGroup: 2}},
			{ID: "either", Label: "Either would suit me", Weights: w{KeyOneToOne: 1, KeyGroup: 1}},
		}},
		{ID: "duration", Text: "For how long do you imagine it?", Answers: []Answer{
			{ID: "short", Label: "A few sessions over a few months", Weights: w{KeyShortTerm: 2}},
			{ID: "ongoing", Label: "An ongoing arrangement, without a set end", Weights: w{KeyOngoing: 2}},
			{ID: "unsure", Label: "I am not sure yet"},
		}},
		{ID: "topics", Text: "Which topics matter to you?", Hint: "Choose any that apply; they help us find the right person.", Multiple: true, Optional: true, Answers: []Answer{
			{ID: "leadership", Label: "Leading people", Topic: "leadership"},
			{ID: "career", Label: "Career and next steps", Topic: "career"},
			{ID: "onboarding", Label: "Settling into a new role", Topic: "onboarding", Weights: w{KeyMentoring: 1}},
			{ID: "teamwork", Label: "Teamwork", Topic: "teamwork"},
			{ID: "conversations", Label: "Challenging conversations", Topic: "conversations"},
			{ID: "trust", Label: "Building trust", Topic: "trust"},
			{ID: "wellbeing", Label: "Wellbeing and balance", Topic: "wellbeing"},
			{ID: "practice", Label: "My practice as a coach or mentor", Topic: "practice", Weights: w{KeySupervision: 1}},
		}},
	}}
}
