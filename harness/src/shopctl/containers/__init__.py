"""The container backend of `shopctl.testing` (SHOP_RUNTIME=containers): platform.yaml's components as the
images `docker buildx bake` builds, on one Docker network. `spec` derives what each container runs with
(no Docker needed); `launch` starts them with testcontainers; `engine` tells whether a Docker engine answers.
"""
