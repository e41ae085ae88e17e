# runner: see README.md.
GO      ?= go
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X runner/cli.Version=$(VERSION)

# Packages with concurrency, also tested under the race detector.
RACE_PKGS := ./jobs/... ./walkforward/... ./store/... ./scheduler/... ./observe/... ./forecast/nn/... ./forecast/gbm/... ./forecast/arimagarch/...

.PHONY: all build run test vet bench fuzz clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/runner ./cmd/runner

# The main job, the canary: AAPL, MSFT and SPY as of their last common date, both
# ensembles side by side, on the bundled real data with the embedded SQLite store (runner.db).
run: build
	./bin/runner --data testdata/prices forecast --mode canary

# Every test, including the PostgreSQL ones (TEST_DATABASE_URL, default
# postgres://postgres@127.0.0.1:5432/test); then the race detector on the
# concurrent packages, with -short (the tests of many real model fits run
# in the first pass).
test: vet
	$(GO) test -count=1 ./...
	$(GO) test -count=1 -race -short $(RACE_PKGS)

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...

bench:
	$(GO) test -run '^$$' -bench . -count 5 ./...

# One minute of fuzzing the CSV reader (go test runs only the seed corpus).
# Inputs that fail are written to marketdata/testdata/fuzz/FuzzReadCSV: fix
# the reader and commit them, so every go test replays them.
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzReadCSV -fuzztime 60s ./marketdata

clean:
	rm -rf bin runner.db runner.db-wal runner.db-shm
