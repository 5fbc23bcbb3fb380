# vmdeploy.backend: the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
S ?= docker

.PHONY: help test demo demo-clean prereqs venv images lint unit scenario bench-converge build

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

test:  ## everything: prerequisites, images, lint, unit, build, every Molecule scenario
	tests/harness/run-tests

demo:  ## a sandbox VM (container with systemd) + site.yml deployed on it
	tests/harness/prereqs && tests/harness/venv && tests/images/build && tests/harness/demo up

demo-clean:  ## remove the sandbox VM
	tests/harness/demo down

prereqs:  ## host packages and a running dockerd
	tests/harness/prereqs

venv:  ## .venv with pinned tools and the dependency collections
	tests/harness/venv

images:  ## build (or reuse) the local base and stand-in images
	tests/images/build

lint:  ## yamllint + ansible-lint (production profile)
	source tests/harness/lib.sh && yamllint --strict . && ansible-lint --profile production

unit:  ## pytest unit tests
	source tests/harness/lib.sh && pytest -q tests/unit

scenario:  ## one Molecule scenario: make scenario S=docker
	tests/harness/prereqs && tests/harness/venv && tests/images/build && source tests/harness/lib.sh && molecule test -s $(S)

build:  ## the collection tarball
	source tests/harness/lib.sh && ansible-galaxy collection build --force .

bench-converge:  ## bench/converge: fresh vs no-op converge of site.yml
	bench/converge
