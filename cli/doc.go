// Package cli builds the runner command-line application: it parses flags
// and environment into the config structs of the library packages and calls
// them. It is the only package that reads flags or the environment.
package cli
