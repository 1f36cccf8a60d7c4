# The otelcol-okta container image: a static binary on an empty base, CA certificates for
# HTTPS to Okta and the backends, a non-root user (uid 10001), no shell.
#
#   docker build -t otelcol-okta:dev \
#     --build-arg VERSION="$(git describe --tags --always --dirty)" \
#     --build-arg COMMIT="$(git rev-parse HEAD)" .
#   docker run --rm -v "$PWD/config:/etc/otelcol-okta:ro" -e OKTA_API_TOKEN=... otelcol-okta:dev \
#     --config=/etc/otelcol-okta/prometheus-otlp.yaml
#
# test/e2e/ship_image_test.go builds this file's final stage without a container daemon
# (internal/containerimage reads it) and checks the result: keep the final stage to FROM scratch,
# ARG, LABEL, COPY, USER, EXPOSE, ENTRYPOINT and CMD (exec form).

FROM golang:1.26 AS build
# go.mod names the exact toolchain; GOTOOLCHAIN=auto fetches it when the image's Go is older.
ENV GOTOOLCHAIN=auto CGO_ENABLED=0
WORKDIR /src
COPY go.mod go.sum ./
# The components that are modules of their own: the root go.mod replaces them by these folders.
COPY processor/rulesprocessor/go.mod processor/rulesprocessor/go.sum processor/rulesprocessor/
COPY extension/leaderelectorextension/go.mod extension/leaderelectorextension/go.sum extension/leaderelectorextension/
COPY receiver/oktareceiver/go.mod receiver/oktareceiver/go.sum receiver/oktareceiver/
RUN go mod download
COPY . .
ARG VERSION=0.1.0-dev
ARG COMMIT=unknown
RUN go build -trimpath -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT}" \
      -o /out/otelcol-okta ./cmd/otelcol-okta

FROM scratch
ARG VERSION=0.1.0-dev
ARG COMMIT=unknown
ARG SOURCE=https://github.com/otelcol-okta/otelcol-okta
LABEL org.opencontainers.image.title="otelcol-okta" \
      org.opencontainers.image.description="OpenTelemetry Collector distribution that turns an Okta org into logs and metrics" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${COMMIT}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY deploy/docker/passwd /etc/passwd
COPY deploy/docker/group /etc/group
COPY --from=build /out/otelcol-okta /otelcol-okta
USER 10001
# 9464 okta_* metrics (prometheus exporter), 8888 collector telemetry, 13133 readiness, 13134 liveness.
EXPOSE 9464 8888 13133 13134
ENTRYPOINT ["/otelcol-okta"]
CMD ["--config=/etc/otelcol-okta/config.yaml"]
