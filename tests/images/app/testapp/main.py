"""HTTP/WebSocket API of the test app."""
import logging
import os
from contextlib import asynccontextmanager

import psycopg
from fastapi import FastAPI, HTTPException, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from . import db
from .buildinfo import VARIANT, VERSION

log = logging.getLogger("uvicorn.error")


@asynccontextmanager
async def lifespan(_app):
    log.info("testapp %s (variant %s) starting; database: %s",
             VERSION, VARIANT, "configured" if db.url() else "none")
    yield
    log.info("testapp %s shutting down", VERSION)


app = FastAPI(title="vmdeploy test app", version=VERSION, lifespan=lifespan)


class ItemIn(BaseModel):
    name: str


@app.get("/")
def root():
    # APP_NODE names the host a replica runs on (a fleet's responses say which app host served).
    return {"app": "vmdeploy-testapp", "version": VERSION, "variant": VARIANT,
            "node": os.environ.get("APP_NODE", "")}


@app.get("/version")
def version():
    return {"version": VERSION}


@app.get("/health")
def health():
    if VARIANT == "broken":
        return JSONResponse({"status": "broken"}, status_code=503)
    if not db.url():
        return {"status": "ok", "version": VERSION, "db": "none"}
    try:
        db.ping()
    except Exception as exc:  # any failure means "not ready"
        reason = " ".join(str(exc).split()) or type(exc).__name__
        return JSONResponse(
            {"status": "error", "version": VERSION, "db": "error",
             "reason": f"database unreachable: {reason}"},
            status_code=503,
        )
    return {"status": "ok", "version": VERSION, "db": "ok"}


def _db_call(fn, *args):
    if not db.url():
        raise HTTPException(status_code=503, detail="DATABASE_URL is not set")
    try:
        return fn(*args)
    except psycopg.errors.UndefinedTable:
        raise HTTPException(status_code=503, detail="table items does not exist (run app-migrate)")
    except psycopg.OperationalError as exc:
        raise HTTPException(status_code=503, detail=f"database unreachable: {' '.join(str(exc).split())}")


@app.post("/items", status_code=201)
def create_item(item: ItemIn):
    return _db_call(db.insert_item, item.name)


@app.get("/items")
def list_items():
    return _db_call(db.list_items)


@app.websocket("/ws")
async def ws_echo(ws: WebSocket):
    await ws.accept()
    try:
        while True:
            msg = await ws.receive()
            if msg["type"] == "websocket.disconnect":
                break
            if msg.get("text") is not None:
                await ws.send_text(msg["text"])
            elif msg.get("bytes") is not None:
                await ws.send_bytes(msg["bytes"])
    except WebSocketDisconnect:
        pass


@app.get("/whoami")
def whoami(request: Request):
    """What the app sees of its client: the peer address and the forwarding headers as received."""
    return {
        "client": request.client.host if request.client else None,
        "x_forwarded_for": request.headers.get("x-forwarded-for"),
        "forwarded": request.headers.get("forwarded"),
        "x_real_ip": request.headers.get("x-real-ip"),
    }
