# syntax=docker/dockerfile:1
# Build stage: type-check and compile TypeScript.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# Runtime stage: production dependencies only, non-root. MongoDB and Redis come from MONGODB_URI and REDIS_URL.
FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# Runtime files besides the build: the example desk file, the bundled articles and the KB's data
# folder, copied whole (kb/data/: glossary, lexicon — a new data file there needs no new line here).
# tests/app/docker-image.test.ts assembles a directory from these COPY lines and boots it.
COPY helpdesk.example.yaml ./
COPY kb/articles ./kb/articles
COPY kb/data ./kb/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "dist/app/main.js"]
