# Every image of the shop, built by `docker buildx bake` from the repository root with the tags the pipelines
# push and promote:
#   REGISTRY=crcontososhop.azurecr.io TAG=$(git rev-parse --short HEAD) REVISION=$(git rev-parse HEAD) \
#     docker buildx bake --push
# One target per `contoso-shop/*` image of harness/platform.yaml, named after its component (k8s/tests check
# that the two lists agree). Azurite runs its upstream image and is not built here.

variable "REGISTRY" {
  default = "localhost:5005"
}

variable "TAG" {
  default = "dev"
}

# OCI labels: where the image was built from.
variable "SOURCE" {
  default = "https://github.com/contoso/contoso-shop"
}

variable "REVISION" {
  default = "unknown"
}

# Components without an image in platform.yaml (the local stand-ins: approvals, powerbi-push) run only as
# processes (`make up`, and beside the cluster under Tilt); nothing is built for them.
group "default" {
  targets = [
    "product", "order", "payment", "payment-worker", "notification", "analytics", "frontend",
    "cosmos", "servicebus", "eventhubs", "mailbox",
  ]
}

# What every target shares: the repository root as context (each Dockerfile has its own
# <Dockerfile>.dockerignore allowlist) and the OCI labels.
target "_common" {
  context = "."
  labels = {
    "org.opencontainers.image.source"   = "${SOURCE}"
    "org.opencontainers.image.revision" = "${REVISION}"
    "org.opencontainers.image.vendor"   = "Contoso Shop"
  }
}

target "product" {
  inherits   = ["_common"]
  dockerfile = "services/python-service.Dockerfile"
  args       = { SERVICE = "product" }
  tags       = ["${REGISTRY}/contoso-shop/product:${TAG}"]
  labels     = { "org.opencontainers.image.title" = "Product service (FastAPI on Cosmos DB)" }
}

target "order" {
  inherits   = ["_common"]
  dockerfile = "services/order/Dockerfile"
  tags       = ["${REGISTRY}/contoso-shop/order:${TAG}"]
  labels     = { "org.opencontainers.image.title" = "Order service (Express on Azure SQL)" }
}

target "payment" {
  inherits   = ["_common"]
  dockerfile = "services/python-service.Dockerfile"
  args       = { SERVICE = "payment" }
  tags       = ["${REGISTRY}/contoso-shop/payment:${TAG}"]
  labels     = { "org.opencontainers.image.title" = "Payment API (Flask under gunicorn)" }
}

target "payment-worker" {
  inherits   = ["_common"]
  dockerfile = "services/python-service.Dockerfile"
  args       = { SERVICE = "payment" }
  target     = "payment-worker-runtime"
  tags       = ["${REGISTRY}/contoso-shop/payment-worker:${TAG}"]
  labels     = { "org.opencontainers.image.title" = "Payment worker (Service Bus consumer)" }
}

target "notification" {
  inherits   = ["_common"]
  dockerfile = "services/python-service.Dockerfile"
  args       = { SERVICE = "notification" }
  tags       = ["${REGISTRY}/contoso-shop/notification:${TAG}"]
  labels     = { "org.opencontainers.image.title" = "Notification service (Event Hubs consumer)" }
}

target "analytics" {
  inherits   = ["_common"]
  dockerfile = "services/python-service.Dockerfile"
  args       = { SERVICE = "analytics" }
  tags       = ["${REGISTRY}/contoso-shop/analytics:${TAG}"]
  labels     = { "org.opencontainers.image.title" = "Analytics (order-events to the Power BI push dataset)" }
}

target "frontend" {
  inherits   = ["_common"]
  dockerfile = "services/frontend/Dockerfile"
  tags       = ["${REGISTRY}/contoso-shop/frontend:${TAG}"]
  labels     = { "org.opencontainers.image.title" = "Storefront (React behind unprivileged nginx)" }
}

target "cosmos" {
  inherits   = ["_common"]
  dockerfile = "emulators/cosmos.Dockerfile"
  tags       = ["${REGISTRY}/contoso-shop/cosmos:${TAG}"]
  labels     = { "org.opencontainers.image.title" = "Cosmos DB server for local clusters (@vercel/cosmosdb-server)" }
}

target "servicebus" {
  inherits   = ["_common"]
  dockerfile = "emulators/python-emulator.Dockerfile"
  args       = { EMULATOR = "servicebus" }
  tags       = ["${REGISTRY}/contoso-shop/servicebus:${TAG}"]
  labels     = { "org.opencontainers.image.title" = "Service Bus emulator (AMQP 1.0)" }
}

target "eventhubs" {
  inherits   = ["_common"]
  dockerfile = "emulators/python-emulator.Dockerfile"
  args       = { EMULATOR = "eventhubs" }
  tags       = ["${REGISTRY}/contoso-shop/eventhubs:${TAG}"]
  labels     = { "org.opencontainers.image.title" = "Event Hubs emulator (AMQP 1.0)" }
}

target "mailbox" {
  inherits   = ["_common"]
  dockerfile = "emulators/python-emulator.Dockerfile"
  args       = { EMULATOR = "mailbox" }
  tags       = ["${REGISTRY}/contoso-shop/mailbox:${TAG}"]
  labels     = { "org.opencontainers.image.title" = "Mail and SMS sink (SMTP in, HTTP inbox out)" }
}
