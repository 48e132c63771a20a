FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The chart's font: the image has no fonts of its own, and the digest chart would have no text without it.
COPY assets ./assets
# /app belongs to root and the bot runs as `node`: the embedded database (DATA_DIR, default ./data) gets a directory
# of its own, owned by `node`, in a volume so that it outlives the container. Unused with DATABASE_URL.
RUN mkdir /app/data && chown node:node /app/data
VOLUME /app/data
USER node
EXPOSE 3000
# Liveness, not readiness: /healthz answers 503 while the database is away, and a restart would not bring it back.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/livez').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/src/main.js"]
