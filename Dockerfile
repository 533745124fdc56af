# kube-mcp: one image for all three roles, chosen by the command:
#   docker run IMAGE serve --http 0.0.0.0:8080   |   IMAGE hub   |   IMAGE agent
# Runs as UID 1000 on a read-only root filesystem; only /tmp must be writable (an emptyDir in the charts).
# kubectl and helm are included for the CLI passthrough tools.
#
# The three bases are build arguments so that the image can also be built without a registry
# (scripts/image.sh assembles local bases from Debian packages, the npm registry and the test bed's
# kubectl and helm, and builds this same file with buildah).
ARG BUILD_IMAGE=docker.io/library/node:22-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/cc-debian12
# A stage name or an image holding /out/kubectl and /out/helm.
ARG TOOLS_IMAGE=tools-download

# kubectl and helm release binaries, checked against their published SHA-256 sums.
FROM docker.io/library/alpine:3.22 AS tools-download
# Set by BuildKit for the platform being built; plain `docker build` without BuildKit gets amd64.
ARG TARGETARCH
ARG KUBECTL_VERSION=v1.36.3
ARG HELM_VERSION=v3.22.0
WORKDIR /out
RUN set -eu; TARGETARCH="${TARGETARCH:-amd64}"; \
    wget -q "https://dl.k8s.io/release/${KUBECTL_VERSION}/bin/linux/${TARGETARCH}/kubectl" \
            "https://dl.k8s.io/release/${KUBECTL_VERSION}/bin/linux/${TARGETARCH}/kubectl.sha256"; \
    echo "$(cat kubectl.sha256)  kubectl" | sha256sum -c -; \
    wget -q "https://get.helm.sh/helm-${HELM_VERSION}-linux-${TARGETARCH}.tar.gz" \
            "https://get.helm.sh/helm-${HELM_VERSION}-linux-${TARGETARCH}.tar.gz.sha256sum"; \
    sha256sum -c "helm-${HELM_VERSION}-linux-${TARGETARCH}.tar.gz.sha256sum"; \
    tar -xzf "helm-${HELM_VERSION}-linux-${TARGETARCH}.tar.gz" --strip-components=1 "linux-${TARGETARCH}/helm"; \
    chmod 0755 kubectl helm; \
    rm -f ./*.sha256 ./*.sha256sum ./*.tar.gz

FROM ${TOOLS_IMAGE} AS tools

# The bundle: dist/cli.js, dist/kube-mcp.cjs and dist/kube-mcp-tracing.cjs carry every dependency, so the runtime needs no node_modules;
# the build runs the same node as the image, so its code cache (dist/cache) fits at run time.
FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build && rm -f dist/*.map

# glibc, libstdc++ and CA certificates, nothing else: no shell, no package manager.
FROM ${RUNTIME_IMAGE}
COPY --from=build /usr/local/bin/node /usr/local/bin/node
COPY --from=build /src/dist /app/dist
COPY --from=build /src/package.json /app/package.json
COPY --from=tools /out/kubectl /out/helm /usr/local/bin/
# kubectl and helm keep caches and config under HOME; on a read-only root that must be /tmp.
ENV HOME=/tmp \
    HELM_CACHE_HOME=/tmp/.cache/helm \
    HELM_CONFIG_HOME=/tmp/.config/helm \
    HELM_DATA_HOME=/tmp/.local/share/helm \
    KUBECACHEDIR=/tmp/.kube/cache \
    NODE_ENV=production
USER 1000:1000
WORKDIR /tmp
EXPOSE 3000 8080 8081
ENTRYPOINT ["/usr/local/bin/node", "/app/dist/cli.js"]
CMD ["--help"]
