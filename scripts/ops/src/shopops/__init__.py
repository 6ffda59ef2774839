"""Operations scripts the pipelines call: release manifests, deploy by digest, health check, rollback."""
