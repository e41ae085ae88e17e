package cli

// scheduledJobs are the jobs a schedule: entry may name, each with the
// command path it runs, as on the command line. A job joins the schedule
// with one line here.
var scheduledJobs = map[string][]string{
	"forecast":        {"forecast"},
	"validate":        {"validate"},
	"calibrate":       {"calibrate"},
	"canary evaluate": {"canary", "evaluate"},
}
