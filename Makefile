# scms-electors — the two commands a user needs are `make run` and `make test`.
SWIFT ?= swift
BUILD_FLAGS ?=
RUN_DIR ?= $(CURDIR)/run/dev

.PHONY: bootstrap build release test run bench fuzz clean

bootstrap:
	@deploy/dev/bootstrap

build: bootstrap
	$(SWIFT) build $(BUILD_FLAGS)

release: bootstrap
	$(SWIFT) build -c release $(BUILD_FLAGS)

## make test — every test: codec, crypto, rules, Kafka (against scms-devbroker), services end to end.
# Two phases: the CPU-bound unit suites first, then the suites that run brokers and services as
# processes, so their deadlines never wait behind a saturated cooperative pool on 2 cores.
PROCESS_SUITES = KafkaTests\.|EndToEndTests\.
test: bootstrap
	$(SWIFT) build $(BUILD_FLAGS)
	$(SWIFT) test $(BUILD_FLAGS) --skip '$(PROCESS_SUITES)'
	$(SWIFT) test $(BUILD_FLAGS) --filter '$(PROCESS_SUITES)'

## make run — the Add Elector ceremony: offline first, then through Kafka on a dev stack left running.
run: build
	@scripts/demo.sh "$(RUN_DIR)"

## make bench — figures as a table and as JSON lines, each against a reference measured in the same run.
bench: release
	$$($(SWIFT) build -c release --show-bin-path)/scms-bench

## make fuzz — libFuzzer over every decoder and the ballot verifier, FUZZ_SECONDS each (default 600).
fuzz: bootstrap
	@scripts/fuzz.sh $${FUZZ_SECONDS:-600}

clean:
	rm -rf .build .build-* Fuzz/.build
