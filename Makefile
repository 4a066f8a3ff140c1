# Égide — the two commands a newcomer needs are `make run` and `make test`.
GO      ?= go
BIN     := bin/egide
PKGS    := ./...

.PHONY: run build frontend test e2e vet check-tracked generate check-generated deps deps-test minio bench loadtest clean help

help: ## list targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

run: deps build ## build and start Égide with demo data (private PostgreSQL under var/ unless DATABASE_URL is set)
	$(BIN) dev

build: frontend ## build bin/egide (with the web application embedded)
	$(GO) build -o $(BIN) ./cmd/egide

frontend: ## build the web application into frontend/dist (embedded by the Go build)
	cd frontend && npm ci && npm run build

test: deps-test minio vet check-generated build ## run every test (real PostgreSQL; CI=true turns a missing dependency into a failure)
	cd frontend && npm run typecheck && npm test
	$(GO) test -count=1 -timeout 20m $(PKGS)
	E2E_BUILT=1 scripts/e2e.sh

e2e: deps-test build ## end-to-end tests of the web app in headless Chromium against `egide dev` (screenshots in frontend/e2e/screenshots)
	E2E_BUILT=1 scripts/e2e.sh

vet: check-tracked ## gofmt, go vet and the tracked-files check
	@test -z "$$(gofmt -l cmd graph internal migrations)" || { echo "gofmt needed:"; gofmt -l cmd graph internal migrations; exit 1; }
	$(GO) vet $(PKGS)

check-tracked: ## fail if a build output or a file over 2 MiB is tracked by git
	@scripts/check-tracked.sh

generate: ## regenerate GraphQL code from graph/schema
	cd graph && $(GO) tool gqlgen generate --config gqlgen.yml

check-generated: ## fail if the generated GraphQL code is stale
	@scripts/check-generated.sh

deps: ## install what `make run` needs and the machine lacks (PostgreSQL server binaries)
	@scripts/deps.sh

deps-test: ## what `make test` needs too: Debian's Chromium for the end-to-end tests
	@EGIDE_DEPS_E2E=1 scripts/deps.sh

# The MinIO server of the S3 tests (internal/blob/blobtest), pinned; see scripts/minio.sh.
MINIO_VERSION := v0.0.0-20260212201848-7aac2a2c5b7c

minio: ## build the MinIO server the S3 tests run into .cache/bin (a few minutes, once)
	@MINIO_VERSION=$(MINIO_VERSION) GO=$(GO) scripts/minio.sh

bench: ## Go benchmarks (see BENCHMARKS.md)
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

loadtest: build ## dossier-list load test over 10 000 dossiers (see BENCHMARKS.md)
	scripts/loadtest.sh

clean: ## remove build output (keeps var/, the dev data)
	rm -rf bin frontend/node_modules
	find frontend/dist -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
