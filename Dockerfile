# One image for the worker, the API and the migration step; the compose file
# picks the command. Runs TypeScript through tsx, like `npm start` does.

# The console, built on its own (its type check runs in CI; here only the bundle)
FROM node:20-bookworm-slim AS console
WORKDIR /app/console
COPY console/package.json console/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY console/ ./
RUN npx vite build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# dev dependencies are skipped: tsx (the runner) is a regular dependency
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY . .
# the API serves it under /console/ (CONSOLE_DIST_DIR defaults to console/dist)
COPY --from=console /app/console/dist ./console/dist
# the evidence volume's mount point, owned by the user the API runs as (a new named volume takes its owner)
RUN mkdir -p /data/evidence && chown node:node /data/evidence
USER node
CMD ["node", "--import", "tsx", "api/main.ts"]
