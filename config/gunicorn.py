"""Gunicorn settings for the web process: `gunicorn -c python:config.gunicorn config.wsgi`."""

import gc
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# Sync workers: each answers one request and closes the connection, so no kept-alive connection
# is ever closed under a client that is sending its next request (threaded workers drop idle
# kept-alive connections on their own timer, which clients see as read errors under load).
# Keep-alive belongs to the proxy or load balancer in front, which reuses its own connections
# to the clients; bench/api_throughput.py checks that 32 and 128 connections see no errors.
worker_class = "sync"
backlog = 2048
graceful_timeout = 20
# Load the app once in the master, so workers share its memory pages from the fork.
preload_app = True
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG") else None


def post_fork(server, worker) -> None:
    # Everything imported by then lives as long as the worker: move it out of the garbage
    # collector's reach, and collect young objects less often. A request allocates many
    # short-lived objects, and full collections over the whole app were the slowest requests.
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
