# vmdeploy.backend: the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
S ?= docker
VERSION := $(shell sed -n 's/^version: *//p' galaxy.yml)
TARBALL := vmdeploy-backend-$(VERSION).tar.gz
# Where `make install` puts the collection and its dependencies: a path ansible-playbook
# searches by default.
COLLECTIONS_DIR ?= $(HOME)/.ansible/collections
DEPENDENCIES := community/docker community/crypto community/library_inventory_filtering_v1

.PHONY: help test demo demo-clean prereqs venv images lint unit sanity scenario bench-converge build install

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

lint: venv  ## yamllint + ansible-lint (production profile)
	source tests/harness/lib.sh && yamllint --strict . && ansible-lint --profile production

unit: venv  ## pytest unit tests
	source tests/harness/lib.sh && pytest -q tests/unit

scenario:  ## one Molecule scenario: make scenario S=docker
	tests/harness/prereqs && tests/harness/venv && tests/images/build && source tests/harness/lib.sh && molecule test -s $(S)

sanity: venv  ## ansible-test sanity + units, the execution environment and `make install` checks
	tests/harness/sanity

build: venv  ## the collection tarball
	source tests/harness/lib.sh && ansible-galaxy collection build --force .

# The dependencies come from the pinned `ansible` bundle that `make venv` unpacked (no Galaxy
# server needed); ones already in COLLECTIONS_DIR are kept. --offline then checks that they
# satisfy galaxy.yml's versions.
install: build  ## build and install the collection + its dependencies into COLLECTIONS_DIR (default ~/.ansible/collections)
	source tests/harness/lib.sh && export ANSIBLE_COLLECTIONS_PATH="$(COLLECTIONS_DIR)" && \
	for c in $(DEPENDENCIES); do \
	  ansible-galaxy collection install --no-deps -p "$(COLLECTIONS_DIR)" ".cache/collections/ansible_collections/$$c" || exit 1; \
	done && \
	ansible-galaxy collection install --offline --force -p "$(COLLECTIONS_DIR)" $(TARBALL)

bench-converge:  ## bench/converge: fresh vs no-op converge of site.yml
	bench/converge
