"""Task APIs (request, downloadFile, uploadFile, connectSocket): ids, events, operations.

The runtime passes a ``taskId`` string with a task call, listens to ``taskEvent`` host
events ``{taskId, type, ...}`` (``headersReceived``, ``progressUpdate``, ``open``,
``message``, ``error``, ``close``) and operates on a running task through the internal
API ``_operateTask {taskId, operation}`` (``abort``; sockets also ``send`` and ``close``).

A task may have a deadline (:meth:`Task.set_deadline`): when it passes, the task stops as
if aborted, but fails with ``timeout``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from finclip_desktop.capabilities.errors import CapabilityError
from finclip_desktop.capabilities.registry import CallContext, Capability
from finclip_desktop.capabilities.schema import Arg

TASK_EVENT = "taskEvent"
MAX_EARLY_ABORTS = 256
LIMITS = {"request": 10, "transfer": 10, "socket": 5}  # concurrent tasks per app, as WeChat

Operation = Callable[[dict[str, Any]], "dict[str, Any] | Future[dict[str, Any]] | None"]


class Task:
    """One running task: stop flags (abort, deadline), stop hooks and extra operations."""

    def __init__(self, ctx: CallContext, task_id: str, group: str) -> None:
        self.ctx = ctx
        self.task_id = task_id
        self.group = group
        self.aborted = threading.Event()
        self.timed_out = threading.Event()
        self.deadline: float | None = None
        self.operations: dict[str, Operation] = {}
        self._on_abort: list[Callable[[], None]] = []
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    def emit(self, type_: str, **payload: Any) -> None:
        self.ctx.emit(TASK_EVENT, {"taskId": self.task_id, "type": type_, **payload})

    def on_abort(self, hook: Callable[[], None]) -> None:
        """Run ``hook`` when the task stops (abort or deadline; at once if it has)."""
        with self._lock:
            if not self.stopped():
                self._on_abort.append(hook)
                return
        hook()

    def stopped(self) -> bool:
        return self.aborted.is_set() or self.timed_out.is_set()

    def _stop(self, flag: threading.Event) -> None:
        with self._lock:
            flag.set()
            hooks, self._on_abort = self._on_abort, []
        for hook in hooks:
            try:
                hook()
            except Exception:  # noqa: BLE001, S110 - stopping is best effort
                pass

    def abort(self) -> None:
        self._stop(self.aborted)

    def set_deadline(self, seconds: float) -> None:
        """Stop the task ``seconds`` from now (a total deadline, not per network phase)."""
        self.deadline = time.monotonic() + seconds
        self._timer = threading.Timer(seconds, self._stop, (self.timed_out,))
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float | None:
        """Seconds left before the deadline (None without one; never below 1 ms)."""
        if self.deadline is None:
            return None
        return max(self.deadline - time.monotonic(), 0.001)

    def check(self) -> None:
        if self.timed_out.is_set():
            raise CapabilityError("timeout")
        if self.aborted.is_set():
            raise CapabilityError("abort")

    def finish(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


class TaskTable:
    """An app's running tasks; closing it aborts them all.

    An abort can arrive before its task started (a blocking task waits for a worker); the
    id is remembered so the task fails with ``abort`` as soon as it starts.
    """

    def __init__(self) -> None:
        self._tasks: dict[str, Task] = {}
        self._early_aborts: dict[str, None] = {}
        self._lock = threading.Lock()

    def start(self, ctx: CallContext, task_id: str | None, group: str) -> Task:
        import secrets

        task_id = task_id or f"host-{secrets.token_hex(8)}"
        with self._lock:
            if task_id in self._early_aborts:
                del self._early_aborts[task_id]
                raise CapabilityError("abort")
            if task_id in self._tasks:
                raise CapabilityError(f"task {task_id} is already running")
            if sum(t.group == group for t in self._tasks.values()) >= LIMITS[group]:
                raise CapabilityError("exceed max task count")
            task = self._tasks[task_id] = Task(ctx, task_id, group)
        return task

    def finish(self, task: Task) -> None:
        task.finish()
        with self._lock:
            if self._tasks.get(task.task_id) is task:
                del self._tasks[task.task_id]

    def get(self, task_id: str) -> Task | None:
        with self._lock:
            return self._tasks.get(task_id)

    def abort(self, task_id: str) -> None:
        """Abort a running task, or the task with this id when it starts."""
        with self._lock:
            task = self._tasks.get(task_id)
            if task is None:
                self._early_aborts[task_id] = None
                while len(self._early_aborts) > MAX_EARLY_ABORTS:
                    del self._early_aborts[next(iter(self._early_aborts))]
        if task is not None:
            task.abort()

    def close(self) -> None:
        with self._lock:
            tasks, self._tasks = list(self._tasks.values()), {}
        for task in tasks:
            task.abort()


def tasks_of(ctx: CallContext) -> TaskTable:
    return ctx.resource("tasks", TaskTable)


def _operate(ctx: CallContext, args: dict[str, Any]) -> Any:
    operation = args["operation"]
    if operation == "abort":
        tasks_of(ctx).abort(args["taskId"])
        return {}
    task = tasks_of(ctx).get(args["taskId"])
    if task is None:
        raise CapabilityError(f"task {args['taskId']} is not running")
    handler = task.operations.get(operation)
    if handler is None:
        raise CapabilityError(f"{task.group} task does not support {operation}")
    return handler(args)


CAPABILITIES = [
    Capability(
        "_operateTask",
        _operate,
        {
            "taskId": Arg("String", required=True, max_len=128),
            "operation": Arg("String", required=True, enum=("abort", "send", "close")),
        },
    )
]
