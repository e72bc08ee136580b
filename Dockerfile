# Leadership Toolbox: one static binary with the templates, static files and
# migrations embedded. The same image runs every role:
#   toolbox            all in one (web + worker; SQLite under /app/data when
#                      TOOLBOX_DATABASE_URL is not set)
#   toolbox web | worker | migrate up
# See docker-compose.yml for a full local stack.

FROM golang:1.26 AS build
WORKDIR /src
ENV GOFLAGS=-mod=readonly
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/toolbox ./cmd/toolbox

FROM alpine:3.22
# Non-root user with a writable home for the embedded mode's data directory.
RUN addgroup -S -g 10001 toolbox \
 && adduser -S -D -H -u 10001 -G toolbox -h /app toolbox \
 && mkdir -p /app/data \
 && chown -R toolbox:toolbox /app
# Time zone database for time.LoadLocation (alpine has none); CA certificates
# come with the alpine base image.
COPY --from=build /usr/local/go/lib/time/zoneinfo.zip /usr/local/share/go-zoneinfo.zip
COPY --from=build /out/toolbox /toolbox
ENV ZONEINFO=/usr/local/share/go-zoneinfo.zip \
    TOOLBOX_ADDR=:8080 \
    TOOLBOX_DATA_DIR=/app/data
WORKDIR /app
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["/toolbox"]
