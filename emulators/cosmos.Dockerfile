# syntax=docker/dockerfile:1
# The Cosmos DB (NoSQL API) server `make up` runs, from its npm package @vercel/cosmosdb-server, in the Node
# image pattern (docs/images.md): base → build → runtime, started through the platform's launcher
# (scripts/cosmos-server.mjs: HTTP keep-alive, case-kept patch predicates evaluated on the patched document):
#   docker build -f emulators/cosmos.Dockerfile -t contoso-shop/cosmos .
# The version is the one the root package.json pins (k8s/tests check that they agree).

# --- base: the Node runtime every stage shares -------------------------------------------------------------
FROM node:20.20.2-bookworm-slim AS base

# --- build: the server and its dependencies (which the package pins exactly) ------------------------------
FROM base AS build
WORKDIR /opt/cosmosdb-server
RUN npm install --omit=dev --no-audit --no-fund --no-package-lock @vercel/cosmosdb-server@1.0.1

# --- runtime: the installed server, run by the unprivileged user 10001 -------------------------------------
FROM base AS runtime
ENV NODE_ENV=production
COPY --from=build /opt/cosmosdb-server /opt/cosmosdb-server
COPY scripts/cosmos-server.mjs /opt/cosmosdb-server/cosmos-server.mjs
WORKDIR /opt/cosmosdb-server
USER 10001:10001
EXPOSE 8081
# The server answers / once it serves (harness/platform.yaml checks the same address).
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:8081/').then((r) => process.exit(r.status < 500 ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "cosmos-server.mjs"]
# Plain HTTP on every address, as `make up` runs it (the service's settings turn endpoint discovery off).
CMD ["--host", "0.0.0.0", "--port", "8081"]
