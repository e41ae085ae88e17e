package cli

import (
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"runner/migrations"
	"runner/store"
)

func migrateCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "migrate",
		Usage:     "apply, revert or list the embedded schema migrations",
		UsageText: "runner migrate [up|down|status]",
		ArgsUsage: "[up|down|status]",
		Description: "up (the default) applies every pending migration, each in its own transaction;\n" +
			"down reverts the latest applied migration; status lists every migration and its state.\n" +
			"On PostgreSQL, River's job queue tables (runner backfill, runner worker) are migrated too,\n" +
			"by River's migrator: up after ours; down removes them, all River versions at once,\n" +
			"before the next down reverts ours.",
		Action: func(c *cli.Context) error {
			verb := "up"
			if c.NArg() > 1 {
				return usageErrorf("migrate: want one of up, down, status; got %v", c.Args().Slice())
			}
			if c.NArg() == 1 {
				verb = c.Args().First()
			}
			if verb != "up" && verb != "down" && verb != "status" {
				return usageErrorf("migrate: unknown action %q: want up, down or status", verb)
			}
			return withStore(c, e, false, func(s store.Store) error {
				switch verb {
				case "up":
					applied, err := s.MigrateUp(c.Context)
					if err != nil {
						return err
					}
					var river []int
					if rs, ok := s.(riverStore); ok {
						if river, err = rs.RiverMigrateUp(c.Context); err != nil {
							return err
						}
					}
					if len(applied) == 0 && len(river) == 0 {
						fmt.Fprintln(e.out, "migrate up: nothing to apply; the schema is current")
					}
					for _, v := range applied {
						fmt.Fprintf(e.out, "migrate up: applied %04d\n", v)
					}
					for _, v := range river {
						fmt.Fprintf(e.out, "migrate up: applied river %03d\n", v)
					}
				case "down":
					if rs, ok := s.(riverStore); ok {
						// River's tables went up after ours: they come down first, all at once.
						river, err := rs.RiverMigrateDown(c.Context)
						if err != nil {
							return err
						}
						if len(river) > 0 {
							fmt.Fprintf(e.out, "migrate down: removed river's tables (river versions %03d to %03d)\n", river[0], river[len(river)-1])
							return nil
						}
					}
					v, err := s.MigrateDown(c.Context)
					if errors.Is(err, migrations.ErrNoneApplied) {
						fmt.Fprintln(e.out, "migrate down: no migration is applied")
						return nil
					}
					if err != nil {
						return err
					}
					fmt.Fprintf(e.out, "migrate down: reverted %04d\n", v)
				case "status":
					st, err := s.MigrationStatus(c.Context)
					if err != nil {
						return err
					}
					for _, m := range st {
						state := "pending"
						if m.Applied {
							state = "applied " + m.AppliedAt.UTC().Format("2006-01-02 15:04:05 UTC")
						}
						fmt.Fprintf(e.out, "%04d  %-24s %s\n", m.Version, m.Name, state)
					}
					if rs, ok := s.(riverStore); ok {
						rst, err := rs.RiverMigrationStatus(c.Context)
						if err != nil {
							return err
						}
						state := "pending"
						switch {
						case rst.Current():
							state = fmt.Sprintf("applied (river versions 001 to %03d)", rst.Latest)
						case len(rst.Applied) > 0:
							state = fmt.Sprintf("partly applied (river versions %v of 001 to %03d): run runner migrate up", rst.Applied, rst.Latest)
						}
						fmt.Fprintf(e.out, "river %-24s %s\n", "job queue", state)
					}
				default:
					return usageErrorf("migrate: unknown action %q: want up, down or status", verb)
				}
				return nil
			})
		},
	}
}
