"""Small FastAPI app used as the deploy target in vmdeploy.backend's tests."""
