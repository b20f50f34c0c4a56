# Only the benchmark lives here; CI runs ./test.sh.
# make bench BENCH_FLAGS='--events 1000000 --threads 1'
BENCH_FLAGS ?=

.PHONY: bench
bench:
	cd bench && go run ./cmd/bench $(BENCH_FLAGS)
